"""The HTML report and run summary, opened in real headless Chromium; scan text is escaped everywhere.

The document is synthetic but real end to end: pages drawn by the project's
renderer into a TIFF, segments and word boxes from the renderer's ground
truth, findings from the real ``align.checks``, files from ``flows.outputs``.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from flows.outputs import DocumentResult, write_document
from publish.demo import KK_PARAGRAPHS, RU_PARAGRAPHS, build_demo
from publish.files import publish_run_files
from publish.html import mark_pieces, render_report, report_context
from publish.summary import findings_markdown, md_cell
from qostil.records import SWAPPED

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
REPO = Path(__file__).resolve().parent.parent
SCREENSHOT = REPO / "docs" / "report-screenshot.png"

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


def _write(out: Path, doc) -> Path:
    result = DocumentResult(
        doc_id=doc.doc_id, source=doc.source, out_dir=str(out / doc.doc_id), pages=doc.pages,
        ru_segments=len(doc.ru), kk_segments=len(doc.kk), pairs=len(doc.pairs), discrepancies=len(doc.findings),
    )
    write_document(out, result, doc)
    return out / doc.doc_id / "report.html"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """One run's output folder: the demo filing, a filing whose scan text is HTML/JS, and a failed file."""
    out = tmp_path_factory.mktemp("out")
    demo = build_demo(tmp_path_factory.mktemp("inbox"))
    ru = list(RU_PARAGRAPHS[:2]) + ['Примечание: <script>alert(1)</script> и <img src=x onerror="alert(1)"> 5 шт.']
    kk = list(KK_PARAGRAPHS[:2]) + ['Ескерту: <script>alert(1)</script> және <img src=x onerror="alert(1)"> 6 дана.']
    evil = build_demo(tmp_path_factory.mktemp("evil-inbox"), ru=ru, kk=kk, name="evil<b onmouseover=alert(3)>.tiff")
    reports = {"demo": (demo, _write(out, demo)), "evil": (evil, _write(out, evil))}
    publish_run_files(out, failed={"inbox/<img src=x onerror=alert(4)>.pdf": "not a PDF <b>really</b>"})
    return out, reports


@pytest.fixture(scope="module")
def demo(out):
    return out[1]["demo"]


@pytest.fixture(scope="module")
def evil(out):
    return out[1]["evil"]


def chromium(url: str, tmp: Path, *, screenshot: Path | None = None, size: str = "1400,1800") -> str:
    """Run headless Chromium on ``url``: the DOM after scripts ran (and a screenshot when asked)."""
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
        f"--user-data-dir={tmp / 'chromium-profile'}", f"--window-size={size}",
    ]
    args += [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
    done = subprocess.run([*args, url], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


class _Elements(HTMLParser):
    """Collects (tag, attrs) of every element and the text of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):  # noqa: ANN001
        self.text.append(data)


def parse(html: str) -> _Elements:
    p = _Elements()
    p.feed(html)
    return p


def with_class(p: _Elements, tag: str, cls: str) -> list[dict[str, str | None]]:
    return [a for t, a in p.elements if t == tag and cls in (a.get("class") or "").split()]


# ---------------------------------------------------------------- the report in a browser


@needs_chromium
def test_report_in_chromium_shows_findings_and_crops(demo, tmp_path):
    doc, report = demo
    assert {f.kind for f in doc.findings} >= {"name", "number", "missing_segment"}
    html = chromium(report.as_uri(), tmp_path)
    dom = parse(html)
    cards = with_class(dom, "div", "finding")
    assert sorted(c["data-id"] for c in cards) == sorted(f.id for f in doc.findings)
    assert all("hidden" not in c for c in cards)
    # every finding with a box on the scan has its crop, on both sides
    boxed = sum(1 for f in doc.findings for m in (f.left, f.right) if m is not None and m.bbox is not None)
    crops = with_class(dom, "img", "crop")
    assert len(crops) == boxed >= 5
    for img in crops:
        png = base64.b64decode(img["src"].removeprefix("data:image/png;base64,"))
        im = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
        assert im.shape[1] > 100 and im.shape[0] > 30
        red = (im[..., 0] > 180) & (im[..., 1] < 80) & (im[..., 2] < 80)
        assert red.sum() > 50, "the word's red box is drawn"
    # the finding's words are highlighted in both texts, linked to their card
    marks = [a for t, a in dom.elements if t == "mark"]
    name = next(f for f in doc.findings if f.kind == "name")
    assert sum(name.id in (m.get("data-findings") or "").split() for m in marks) == 2
    text = "".join(dom.text)
    assert "Бабецов" in text and "Бабенов" in text and "Surname differs" in text
    # the filter script ran: it counted what it shows
    shown = re.search(r'id="shown">(\d+)<', html)
    assert shown and int(shown.group(1)) == len(doc.findings)


@needs_chromium
def test_filters_from_the_link_hide_other_findings(demo, tmp_path):
    doc, report = demo
    html = chromium(report.as_uri() + "#severity=high&only=flagged", tmp_path)
    dom = parse(html)
    visible = [c for c in with_class(dom, "div", "finding") if "hidden" not in c]
    assert sorted(c["data-id"] for c in visible) == sorted(f.id for f in doc.findings if f.severity == "high")
    assert int(re.search(r'id="shown">(\d+)<', html).group(1)) == len(visible)
    pairs = [a for t, a in dom.elements if t == "tbody" and "pair" in (a.get("class") or "")]
    assert sum("hidden" not in p for p in pairs) == len({f.id for f in doc.findings if f.severity == "high"})


@needs_chromium
def test_screenshot_saved_and_not_blank(demo, tmp_path):
    """Saves ``report.png`` (``QOSTIL_UPDATE_SCREENSHOT=1`` copies it to docs/report-screenshot.png)."""
    _doc, report = demo
    shot = tmp_path / "report.png"
    chromium(report.as_uri(), tmp_path, screenshot=shot, size="1400,1500")
    im = Image.open(shot).convert("L")
    assert im.size == (1400, 1500)
    lo, hi = im.getextrema()
    assert hi - lo > 150, "the page has content, not one colour"
    if os.environ.get("QOSTIL_UPDATE_SCREENSHOT"):  # refresh the one in docs/ on purpose only
        shutil.copyfile(shot, SCREENSHOT)


@needs_chromium
def test_run_summary_links_every_document_and_escapes_names(out, tmp_path):
    folder, reports = out
    dom = parse(chromium((folder / "index.html").as_uri(), tmp_path))
    links = [a["href"] for t, a in dom.elements if t == "a"]
    for doc, report in reports.values():
        assert f"{doc.doc_id}/report.html" in links
        assert report == folder / doc.doc_id / "report.html" and report.is_file()
    assert "findings.xlsx" in links and "pairs.parquet" in links
    text = "".join(dom.text)
    assert "evil<b onmouseover=alert(3)>.tiff" in text  # a file name that is HTML, shown as text
    assert "<img src=x onerror=alert(4)>.pdf" in text and "not a PDF <b>really</b>" in text
    assert not [a for t, a in dom.elements if t == "img" or any(k.startswith("on") for k in a)]


# ---------------------------------------------------------------- escaping


@needs_chromium
def test_scan_text_with_html_and_js_is_shown_as_text(evil, tmp_path):
    doc, report = evil
    raw = report.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in raw and "<img src=x" not in raw and "<b onmouseover" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    dom = parse(chromium(report.as_uri(), tmp_path))
    scripts = [a for t, a in dom.elements if t == "script"]
    assert len(scripts) == 1  # the report's own filter script, nothing from the scan
    assert not [a for t, a in dom.elements if t == "img" and a.get("src") == "x"]
    assert not [a for t, a in dom.elements if any(k.startswith("on") for k in a)]
    text = "".join(dom.text)
    assert "<script>alert(1)</script>" in text  # shown to the reader, as text
    assert "evil<b onmouseover=alert(3)>.tiff" in text


def test_report_escapes_without_a_browser(evil):
    doc, _ = evil
    html = render_report(doc)
    assert "<script>alert(1)" not in html and "onerror=" not in html.replace("onerror=&#34;", "")
    assert html.count("<script>") == 1


def test_swapped_paragraphs_are_marked_in_the_report(demo):
    doc, _ = demo
    pairs = list(doc.pairs)
    first = pairs[0]
    pairs[0] = dataclasses.replace(first, evidence=(*first.evidence, SWAPPED))
    rows = report_context(dataclasses.replace(doc, pairs=tuple(pairs)))["rows"]
    assert rows[0].shape.endswith(" swapped") and not any(r.shape.endswith("swapped") for r in rows[1:])


def test_markdown_summary_cannot_break_the_table_or_inject():
    assert md_cell("a | b <script>x</script> [l](javascript:1)") == (
        "a \\| b &lt;script&gt;x&lt;/script&gt; \\[l\\]\\(javascript:1\\)"
    )


def test_markdown_summary_lists_every_finding(demo):
    doc, report = demo
    md = findings_markdown(doc, report_link=report.as_uri())
    rows = [line for line in md.splitlines() if line.startswith("| ") and "severity" not in line]
    assert len(rows) == len(doc.findings)
    assert "Бабецов" in md and "Бабенов" in md and "[Open the report](file://" in md
    assert all(f" {md_cell(f.id)} |" in md for f in doc.findings)  # each row names its finding


# ---------------------------------------------------------------- highlighting


@pytest.mark.parametrize(
    ("text", "spans", "want"),
    [
        ("abc def", [], [("abc def", ())]),
        ("abc def", [(4, 7, "f1", "high")], [("abc ", ()), ("def", ("f1",))]),
        ("abcdef", [(0, 4, "f1", "low"), (2, 6, "f2", "high")], [("ab", ("f1",)), ("cd", ("f1", "f2")), ("ef", ("f2",))]),
        ("abc", [(1, 99, "f1", "low"), (5, 9, "f2", "low")], [("a", ()), ("bc", ("f1",))]),
    ],
    ids=["none", "one", "overlap", "out-of-range"],
)
def test_mark_pieces(text, spans, want):
    pieces = mark_pieces(text, spans)
    assert [(p.text, p.findings) for p in pieces] == want
    assert "".join(p.text for p in pieces) == text


def test_overlap_takes_the_higher_severity():
    pieces = mark_pieces("abcdef", [(0, 4, "f1", "low"), (2, 6, "f2", "high")])
    assert [p.severity for p in pieces] == ["low", "high", "high"]

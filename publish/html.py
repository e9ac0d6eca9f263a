"""The HTML report of one document and the summary page of a run (Jinja2, autoescaped).

A report is one self-contained file: CSS and the small filter script are
inline, scan crops are PNG data URIs, so it opens offline and can be mailed.
Every text that came from a scan goes through Jinja's autoescaping: nothing in
this module builds markup by string concatenation.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from publish.crops import Crop, PageImages, PageLoader, crop_for
from publish.document import PublishedDocument, pair_shape
from qostil.records import Discrepancy, Mention, Segment

log = logging.getLogger(__name__)

SEVERITY_ORDER = ("high", "medium", "low")
CAUSE_LABELS = {
    "likely_ocr": "likely OCR error",
    "likely_text": "likely in the text",
    "unknown": "cause unknown",
}
REPORT_NAME = "report.html"
INDEX_NAME = "index.html"


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of a paragraph's text; ``findings`` are the ids of the findings whose span covers it."""

    text: str
    findings: tuple[str, ...] = ()
    severity: str = ""


@dataclass(frozen=True, slots=True)
class ParagraphView:
    index: int
    segment_id: str
    kind: str
    pages: tuple[int, ...]
    pieces: tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class MentionView:
    lang: str
    paragraph: int
    text: str
    page: int | None
    conf: float | None
    crop: Crop | None


@dataclass(frozen=True, slots=True)
class FindingView:
    id: str
    kind: str
    severity: str
    cause: str
    cause_label: str
    message: str
    sides: tuple[MentionView, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RowView:
    index: int
    shape: str
    score: float
    ru: tuple[ParagraphView, ...]
    kk: tuple[ParagraphView, ...]
    findings: tuple[FindingView, ...]


@dataclass(slots=True)
class Facet:
    """One filter dimension: its values with counts, in display order."""

    name: str
    label: str
    values: list[tuple[str, str, int]] = field(default_factory=list)  # value, label, count


@functools.cache
def _env() -> Environment:
    """One environment per process, so each template is compiled once (Jinja caches per environment)."""
    env = Environment(
        loader=PackageLoader("publish", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: "—" if v is None else f"{v:.0f}"
    return env


def _rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def mark_pieces(text: str, spans: Sequence[tuple[int, int, str, str]]) -> tuple[Piece, ...]:
    """Cut ``text`` at the edges of ``spans`` (start, end, finding id, severity); overlaps carry every id."""
    n = len(text)
    clean = [(max(0, a), min(n, b), fid, sev) for a, b, fid, sev in spans if a < b and a < n and b > 0]
    cuts = sorted({0, n, *(a for a, _, _, _ in clean), *(b for _, b, _, _ in clean)})
    pieces: list[Piece] = []
    for a, b in zip(cuts, cuts[1:]):
        cover = [(fid, sev) for s, e, fid, sev in clean if s <= a and b <= e]
        ids = tuple(dict.fromkeys(fid for fid, _ in cover))
        sev = min((sev for _, sev in cover), key=_rank, default="")
        if pieces and pieces[-1].findings == ids:
            pieces[-1] = Piece(pieces[-1].text + text[a:b], ids, sev)
        else:
            pieces.append(Piece(text[a:b], ids, sev))
    return tuple(pieces) or (Piece(text),)


def _spans_by_segment(doc: PublishedDocument) -> dict[str, list[tuple[int, int, str, str]]]:
    out: dict[str, list[tuple[int, int, str, str]]] = {}
    for f in doc.findings:
        for m in (f.left, f.right):
            if m is None:
                continue
            seg = doc.segment_of(m)
            if seg is None:
                continue
            a, b = m.span if m.span else (0, len(seg.text))
            out.setdefault(seg.id, []).append((a, b, f.id, f.severity))
    return out


def _paragraph(seg: Segment, index: int, spans: dict[str, list[tuple[int, int, str, str]]]) -> ParagraphView:
    return ParagraphView(index, seg.id, seg.kind, seg.pages, mark_pieces(seg.text, spans.get(seg.id, [])))


def _mention(m: Mention, pages: PageLoader) -> MentionView:
    return MentionView(m.lang, m.paragraph, m.text, m.page, m.conf, crop_for(pages, m.page, m.bbox))


def _finding(f: Discrepancy, pages: PageLoader) -> FindingView:
    sides = tuple(_mention(m, pages) for m in (f.left, f.right) if m is not None)
    return FindingView(
        f.id, f.kind, f.severity, f.cause, CAUSE_LABELS.get(f.cause, f.cause), f.message, sides, f.evidence
    )


def _facets(findings: Sequence[Discrepancy]) -> list[Facet]:
    kinds = Counter(f.kind for f in findings)
    sevs = Counter(f.severity for f in findings)
    causes = Counter(f.cause for f in findings)
    return [
        Facet("kind", "Kind", [(k, k.replace("_", " "), c) for k, c in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))]),
        Facet("severity", "Severity", [(s, s, sevs[s]) for s in sorted(sevs, key=_rank)]),
        Facet("cause", "Cause", [(c, CAUSE_LABELS.get(c, c), n) for c, n in sorted(causes.items())]),
    ]


def report_context(doc: PublishedDocument, *, pages: PageLoader | None = None, index_href: str | None = None) -> dict:
    """Everything the report template shows, computed from the document (crops cut from ``pages``)."""
    pages = pages or PageImages(doc.source, dpi=doc.dpi, geometry=doc.geometry)
    spans = _spans_by_segment(doc)
    by_pair = doc.pair_findings()
    views = {f.id: _finding(f, pages) for f in doc.findings}
    rows = []
    for n, p in enumerate(doc.pairs):
        found = sorted(by_pair.get(n, []), key=lambda f: _rank(f.severity))
        rows.append(
            RowView(
                n,
                pair_shape(p) + (" swapped" if p.swapped else ""),
                p.score,
                tuple(_paragraph(doc.ru[i], i, spans) for i in p.ru),
                tuple(_paragraph(doc.kk[i], i, spans) for i in p.kk),
                tuple(views[f.id] for f in found),
            )
        )
    loose = tuple(views[f.id] for f in by_pair.get(-1, []))
    sev = Counter(f.severity for f in doc.findings)
    return {
        "doc": doc,
        "rows": rows,
        "loose": loose,
        "facets": _facets(doc.findings),
        "severity_counts": [(s, sev.get(s, 0)) for s in SEVERITY_ORDER],
        "crops": sum(1 for v in views.values() for s in v.sides if s.crop is not None),
        "flagged_pairs": sum(1 for r in rows if r.findings),
        "index_href": index_href,
    }


def render_report(doc: PublishedDocument, *, pages: PageLoader | None = None, index_href: str | None = "../index.html") -> str:
    """The report of one document as an HTML string."""
    return _env().get_template("report.html.j2").render(**report_context(doc, pages=pages, index_href=index_href))


@dataclass(frozen=True, slots=True)
class RunFiles:
    """What a run summary links to besides the reports (paths relative to the summary page)."""

    xlsx: str | None = None
    parquet: str | None = None
    database: str | None = None


@dataclass(frozen=True, slots=True)
class IndexRow:
    """One document's line on the run's summary page: what the page shows, kept without the document
    (``publish.files`` keeps these lines so that a run that finished nothing new reads no document)."""

    name: str
    doc_id: str
    short_id: str
    pages: int
    ru: int
    kk: int
    pairs: int
    findings: int
    severity: tuple[tuple[str, int], ...]
    ocr_cause: int

    @classmethod
    def of(cls, d: PublishedDocument) -> IndexRow:
        sev = Counter(f.severity for f in d.findings)
        return cls(
            d.name, d.doc_id, d.short_id, d.pages, len(d.ru), len(d.kk), len(d.pairs), len(d.findings),
            tuple((s, sev.get(s, 0)) for s in SEVERITY_ORDER), sum(1 for f in d.findings if f.cause == "likely_ocr"),
        )

    @classmethod
    def from_json(cls, data: dict) -> IndexRow:
        return cls(**{**data, "severity": tuple((str(s), int(n)) for s, n in data["severity"])})


def render_index(
    lines: Sequence[IndexRow],
    *,
    title: str = "qostil run",
    generated: datetime | None = None,
    files: RunFiles = RunFiles(),
    skipped: Sequence[str] = (),
    failed: dict[str, str] | None = None,
    report_href: str = "{doc_id}/" + REPORT_NAME,
) -> str:
    """The summary page of a run: one row per document with its counts and a link to its report."""
    rows = [{"doc": d, "href": report_href.format(doc_id=d.doc_id)} for d in lines]
    return _env().get_template("index.html.j2").render(
        title=title,
        generated=(generated or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M %Z"),
        rows=rows,
        totals={
            "documents": len(lines),
            "pages": sum(d.pages for d in lines),
            "pairs": sum(d.pairs for d in lines),
            "findings": sum(d.findings for d in lines),
        },
        files=files,
        skipped=[Path(p).name for p in skipped],
        failed=sorted((Path(p).name, why) for p, why in (failed or {}).items()),
    )

"""A night over a mixed inbox, through real Prefect and real Tesseract.

Good pages (RU/KK, blank, upside-down, Latin, Chinese, a hostile file name)
are processed while the bad-input corpus is quarantined with reasons; a rerun
skips everything without a single task run; a changed file is a new document;
a page that always overruns the Tesseract time limit is retried, then quarantined.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from flows.config import RunConfig
from flows.pipeline import ingest_flow, nightly_ingest
from qostil.errors import ExitCode
from render.blocks import Paragraph
from render.document import render_document, render_text_page
from test_ops_inputs import CORPUS_LIMITS, WEIRD_NAME, make_bad_corpus, save_png

pytestmark = pytest.mark.slow

BILINGUAL = (
    "Совет Директоров эмитента состоит из 7 (семи) членов.\n\n"
    "Эмитент обязуется раскрыть информацию в течение 5 рабочих дней.\n\n"
    "Директорлар кеңесі 7 (жеті) мүшеден тұрады.\n\n"
    "Эмитент ақпаратты 5 жұмыс күні ішінде ашады."
)
LATIN = "The Board of Directors of the issuer consists of seven members.\n\nDeutsche Bank acts as the paying agent."
WEIRD_TEXT = WEIRD_NAME.replace(".png", ".txt")
CJK_FONT = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")


def _page(text: str) -> np.ndarray:
    return render_text_page(text, dpi=200).image


def _chinese_page() -> np.ndarray:
    img = Image.new("L", (1654, 1200), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(CJK_FONT), 48)
    for i, line in enumerate(["董事会由七名成员组成。", "发行人应在五个工作日内披露信息。"]):
        draw.text((150, 150 + i * 90), line, font=font, fill=0)
    return np.asarray(img)


def _segments(out_dir: str) -> list[dict]:
    lines = (Path(out_dir) / "segments.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


CFG = RunConfig(workers=2, retry_delay_s=1, **CORPUS_LIMITS)


@pytest.fixture(scope="module")
def night(tmp_path_factory, prefect_server):
    inbox = tmp_path_factory.mktemp("inbox")
    out = tmp_path_factory.mktemp("out")
    bad = make_bad_corpus(inbox)
    save_png(inbox / "good.png", _page(BILINGUAL))
    save_png(inbox / "blank.png", np.full((2339, 1654), 255, np.uint8))
    save_png(inbox / "upside-down.png", np.rot90(_page(BILINGUAL.replace("7 (семи)", "9 (девяти)")), 2))
    save_png(inbox / "latin.png", _page(LATIN))
    if CJK_FONT.is_file():
        save_png(inbox / "chinese.png", _chinese_page())
    (inbox / WEIRD_TEXT).write_text(BILINGUAL.replace("5 рабочих", "10 рабочих"), encoding="utf-8")
    (inbox / "note.txt").write_text("Совет директоров.\n\nДиректорлар кеңесі.\n", encoding="utf-8")
    started = time.monotonic()
    summary = ingest_flow(CFG)(str(inbox), str(out), CFG)
    return inbox, out, bad, summary, time.monotonic() - started


def test_good_files_processed_bad_files_quarantined(night):
    inbox, out, bad, summary, _ = night
    done = {Path(r.source).name: r for r in summary.processed}
    expected = {"good.png", "blank.png", "upside-down.png", "latin.png", WEIRD_TEXT, "note.txt"}
    if CJK_FONT.is_file():
        expected.add("chinese.png")
    assert set(done) == expected
    assert summary.failed == {}
    assert {Path(q.source).name for q in summary.quarantined} == set(bad)
    assert summary.exit_code == ExitCode.quarantined
    for result in summary.processed:  # every output folder is OUT/<sha256>, whatever the file was called
        assert Path(result.out_dir).parent == out and len(Path(result.out_dir).name) == 64
        assert (Path(result.out_dir) / "done.json").is_file()
    # the good files stay in the inbox (they are skipped next time); the bad ones left it
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == sorted(expected)


def test_each_quarantined_file_has_a_reason_a_user_can_act_on(night):
    inbox, _out, bad, summary, _ = night
    folder = inbox / "quarantine"
    for name, word in bad.items():
        assert (folder / name).is_file(), name
        reason = json.loads((folder / f"{name}.reason.json").read_text(encoding="utf-8"))
        assert word.lower() in reason["why"].lower(), (name, reason["why"])
        assert reason["what_to_do"] and reason["when"] and reason["exit_code_kind"] == "input_file"
    assert "password" in json.loads((folder / "password.pdf.reason.json").read_text())["what_to_do"]
    assert "limit" in json.loads((folder / "three-hundred-pages.pdf.reason.json").read_text())["what_to_do"]


def test_what_each_good_page_gives(night):
    _inbox, _out, _bad, summary, _ = night
    done = {Path(r.source).name: r for r in summary.processed}
    good = " ".join(s["text"] for s in _segments(done["good.png"].out_dir))
    assert "Совет Директоров эмитента состоит из 7 (семи)" in good and "Эмитент ақпаратты 5 жұмыс" in good
    assert done["good.png"].ru_segments + done["good.png"].kk_segments >= 2
    assert _segments(done["blank.png"].out_dir) == [] and done["blank.png"].pairs == 0
    upside = " ".join(s["text"] for s in _segments(done["upside-down.png"].out_dir))
    assert "9 (девяти)" in upside  # turned upright before OCR
    latin = _segments(done["latin.png"].out_dir)
    assert "Deutsche Bank" in " ".join(s["text"] for s in latin)
    assert done["latin.png"].ru_segments == 0 and done["latin.png"].kk_segments == 0
    weird = " ".join(s["text"] for s in _segments(done[WEIRD_TEXT].out_dir))
    assert "10 рабочих" in weird
    if CJK_FONT.is_file():  # no Chinese language data: no RU/KK text is invented from it
        chinese = done["chinese.png"]
        assert chinese.pairs <= 2 and chinese.ru_segments + chinese.kk_segments <= 3


def test_rerun_skips_everything_without_heavy_tasks_and_a_changed_file_is_new(night):
    inbox, out, _bad, first, _ = night
    state = nightly_ingest(str(inbox), str(out), {"workers": 2, "max_pages": 100}, return_state=True)
    summary = state.result()
    assert summary.processed == [] and summary.quarantined == [] and summary.failed == {}
    assert len(summary.skipped) == len(first.processed)
    assert summary.exit_code == ExitCode.ok
    heavy = {"ocr-page", "finish-document", "publish-document"}
    assert not heavy & _task_names(state.state_details.flow_run_id)  # only the run's own summary is published

    note = inbox / "note.txt"
    old_id = next(r.doc_id for r in first.processed if Path(r.source).name == "note.txt")
    note.write_text(note.read_text(encoding="utf-8") + "\nСовет директоров утвердил.\n", encoding="utf-8")
    again = nightly_ingest(str(inbox), str(out), CFG)
    assert [Path(r.source).name for r in again.processed] == ["note.txt"]
    assert again.processed[0].doc_id != old_id


def _task_names(flow_run_id) -> set[str]:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return {r.name.rsplit("-", 1)[0] for r in runs}


def test_a_page_that_always_times_out_is_retried_then_quarantined(tmp_path, prefect_server, monkeypatch):
    """A real overrun: the limit is one second, and the scan is six A4 pages of text stacked into one tall
    image, which Tesseract reads in about 5 s on a fast 2-core machine (one page took 0.7–0.9 s there: too
    close to the limit to fail on every machine)."""
    from ocr import _tesseract

    runs: list[float] = []
    real = _tesseract.image_to_data

    def counted(**kwargs):  # a spy: the real Tesseract runs, the page-level runs are counted
        if kwargs.get("psm", 3) == 3:
            runs.append(kwargs.get("timeout", 0))
        return real(**kwargs)

    monkeypatch.setattr(_tesseract, "image_to_data", counted)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    paragraphs = "\n\n".join([BILINGUAL] * 60).split("\n\n")
    pages = render_document([Paragraph(text=p) for p in paragraphs], seed=3)[:6]
    assert len(pages) == 6
    save_png(inbox / "slow.png", np.vstack([p.image for p in pages]), dpi=300)
    cfg = replace(CFG, ocr_timeout_s=1, ocr_retries=1, retry_delay_s=1, workers=1)
    summary = ingest_flow(cfg)(str(inbox), str(out), cfg)
    assert summary.processed == [] and summary.failed == {}
    [q] = summary.quarantined
    reason = json.loads(Path(q.reason_path).read_text(encoding="utf-8"))
    assert reason["what"] == "PageTimeoutError"
    assert "all 2 attempts" in reason["why"] and "QOSTIL_OCR_TIMEOUT" in reason["why"]
    assert "ocr_timeout_s" in reason["what_to_do"]
    assert runs == [1, 1]  # Tesseract ran, under the limit, on each of the two attempts


def _pair_groups(out_dir: str) -> list[tuple[list, list]]:
    pairs = json.loads((Path(out_dir) / "pairs.json").read_text(encoding="utf-8"))["pairs"]
    return [(p["ru"], p["kk"]) for p in pairs]


def test_an_idle_worker_embeds_ahead_and_the_result_is_the_same(tmp_path, prefect_server):
    """Two workers, three pages: the two short pages are read while the long last page is still being
    read, so a worker has nothing to do but embed the pages read so far. The alignment is the one a
    single worker (which never has a spare moment) gives."""
    ru, kk = BILINGUAL.split("\n\nДиректорлар")
    kk = "Директорлар" + kk
    pages = [_page(ru), _page(kk), _page("\n\n".join([BILINGUAL] * 4))]
    outcomes = {}
    for workers in (1, 2):
        inbox, out = tmp_path / f"inbox-{workers}", tmp_path / f"out-{workers}"
        inbox.mkdir()
        Image.fromarray(pages[0]).save(inbox / "filing.pdf", save_all=True, resolution=200,
                                       append_images=[Image.fromarray(p) for p in pages[1:]])  # fmt: skip
        cfg = replace(CFG, workers=workers)
        state = ingest_flow(cfg)(str(inbox), str(out), cfg, return_state=True)
        [result] = state.result().processed
        outcomes[workers] = (_task_names(state.state_details.flow_run_id), _pair_groups(result.out_dir))
    assert "embed-ahead" not in outcomes[1][0]
    assert "embed-ahead" in outcomes[2][0]
    assert outcomes[2][1] == outcomes[1][1] and len(outcomes[1][1]) >= 6

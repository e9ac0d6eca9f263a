"""End to end: the rendered sample scan through real Tesseract and a real Prefect flow run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flows.config import RunConfig
from flows.pipeline import nightly_ingest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, prefect_server, sample_pdf):
    inbox = tmp_path_factory.mktemp("inbox")
    out = tmp_path_factory.mktemp("out")
    shutil.copy(sample_pdf, inbox / sample_pdf.name)
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4\n this is not really a pdf \x00\x01\x02")
    (inbox / "empty.png").write_bytes(b"")
    summary = nightly_ingest(str(inbox), str(out), RunConfig(workers=2))
    return inbox, out, summary


def test_good_file_processed_and_bad_files_reported(ingested):
    inbox, _out, summary = ingested
    assert [Path(r.source).name for r in summary.processed] == ["kzhk-prospectus-amendment-2015.pdf"]
    assert summary.failed == {}
    assert {Path(q.source).name for q in summary.quarantined} == {"broken.pdf", "empty.png"}
    assert "empty" in next(q.reason for q in summary.quarantined if q.source.endswith("empty.png"))
    assert (inbox / "quarantine" / "empty.png.reason.json").is_file()
    assert not summary.ok


def test_outputs_written_with_ru_and_kk_told_apart(ingested):
    _inbox, out, summary = ingested
    folder = Path(summary.processed[0].out_dir)
    assert folder.parent == out
    for name in ("ru.txt", "kk.txt", "pairs.json", "discrepancies.json", "segments.jsonl", "done.json"):
        assert (folder / name).is_file(), name
    ru = (folder / "ru.txt").read_text(encoding="utf-8")
    kk = (folder / "kk.txt").read_text(encoding="utf-8")
    assert "Совет Директоров эмитента состоит из 7 (семи)" in " ".join(ru.split())
    assert "Директорлар кеңесі 7 (жеті)" in " ".join(kk.split())
    assert _kazakh_letter_rate(kk) > 0.02
    assert _kazakh_letter_rate(ru) < 0.003
    pairs = json.loads((folder / "pairs.json").read_text(encoding="utf-8"))["pairs"]
    ru_count = summary.processed[0].ru_segments
    kk_count = summary.processed[0].kk_segments
    assert sorted(i for p in pairs for i in p["ru"]) == list(range(ru_count))
    assert sorted(i for p in pairs for i in p["kk"]) == list(range(kk_count))


def _kazakh_letter_rate(text: str) -> float:
    letters = [ch for ch in text.lower() if ch.isalpha()]
    return sum(ch in "әғқңөұүһі" for ch in letters) / max(1, len(letters))


def test_babetsov_babenov_reported_with_both_texts(ingested):
    _inbox, _out, summary = ingested
    folder = Path(summary.processed[0].out_dir)
    findings = json.loads((folder / "discrepancies.json").read_text(encoding="utf-8"))["discrepancies"]
    names = [
        f for f in findings
        if f["kind"] == "name" and "Бабецов" in f["left"]["text"] and "Бабенов" in (f["right"] or {}).get("text", "")
    ]
    assert names, [f["message"] for f in findings]
    finding = names[0]
    assert finding["left"]["lang"] == "ru" and finding["right"]["lang"] == "kk"
    assert finding["left"]["page"] is not None and finding["left"]["bbox"] is not None


def test_rerun_skips_what_is_done(ingested, prefect_server):
    inbox, out, first = ingested
    assert not (inbox / "broken.pdf").exists()  # moved to quarantine by the first run
    summary = nightly_ingest(str(inbox), str(out), RunConfig(workers=2))
    assert summary.processed == []
    assert [Path(p).name for p in summary.skipped] == ["kzhk-prospectus-amendment-2015.pdf"]
    assert summary.ok

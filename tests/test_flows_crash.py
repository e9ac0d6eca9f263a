"""Crash safety: ``qostil run`` killed with SIGKILL in the middle of a night, then run again.

Afterwards every document is present exactly once, complete (``done.json``),
with no temp file or half-written folder left, and nothing is processed twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.config import RunConfig
from flows.documents import file_sha256
from flows.pipeline import ingest_flow
from render.document import render_text_page
from test_ops_inputs import save_png

pytestmark = pytest.mark.slow

TEXTS = [
    "Совет Директоров эмитента состоит из {n} членов.\n\nДиректорлар кеңесі {n} мүшеден тұрады.",
    "Эмитент обязуется раскрыть информацию в течение {n} рабочих дней.\n\nЭмитент ақпаратты {n} жұмыс күні ішінде ашады.",
    "Общее собрание акционеров состоится {n} мая.\n\nАкционерлердің жалпы жиналысы {n} мамырда өтеді.",
    "Размер дивиденда составляет {n} тенге.\n\nДивиденд мөлшері {n} теңге.",
]


def _api_url() -> str:
    from prefect.settings import PREFECT_API_URL

    return str(PREFECT_API_URL.value())


def test_kill_9_mid_night_then_rerun_gives_each_document_once(tmp_path, prefect_server):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    # eight documents: after the first is done the others are still being finished one by one,
    # so the kill lands in the middle of the night however fast the machine is
    for i in range(2 * len(TEXTS)):
        text = TEXTS[i % len(TEXTS)].format(n=i + 3)
        save_png(inbox / f"filing-{i}.png", render_text_page(text, dpi=200).image)
    ids = {file_sha256(p) for p in inbox.iterdir()}
    env = {**os.environ, "PREFECT_API_URL": _api_url(), "QOSTIL_WORKERS": "1", "QOSTIL_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows", "run", str(inbox), "--out", str(out)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    deadline = time.monotonic() + 420
    try:
        while not list(out.glob("*/done.json")):  # the first document finished: the next is under way
            assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
            assert time.monotonic() < deadline, "the run never finished a document"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its Tesseract children, as a crash would
        proc.wait()
    done_at_kill = {p.parent.name for p in out.glob("*/done.json")}
    assert 1 <= len(done_at_kill) < len(ids), "the kill did not land in the middle of the night"

    cfg = RunConfig(workers=2)
    summary = ingest_flow(cfg)(str(inbox), str(out), cfg)

    assert {r.doc_id for r in summary.processed} == ids - done_at_kill  # the rest, and only the rest
    assert {file_sha256(Path(p)) for p in summary.skipped} == done_at_kill
    assert summary.failed == {} and summary.quarantined == []
    folders = [p for p in out.iterdir() if p.is_dir() and len(p.name) == 64]
    assert sorted(p.name for p in folders) == sorted(ids)  # each document exactly once
    for folder in folders:
        assert (folder / "done.json").is_file()
        assert [p.name for p in folder.rglob(".*")] == []  # no temp file left behind
        record = json.loads((folder / "done.json").read_text(encoding="utf-8"))
        assert record["doc_id"] == folder.name

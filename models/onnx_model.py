"""Run an ONNX sentence encoder folder (:mod:`models.int8`) with ONNX Runtime, no torch.

:class:`OnnxSentenceModel` offers the part of sentence-transformers' ``SentenceTransformer``
that :class:`models.encoder.Encoder` uses (``encode``, ``prompts``, ``max_seq_length``,
``get_sentence_embedding_dimension``), so the encoder's chunks, caches and in-flight
sharing work unchanged. The graph takes ``input_ids`` and ``attention_mask`` and returns
mean-pooled vectors; tokenizing is the folder's ``tokenizer.json`` (Rust ``tokenizers``).

The session runs on one thread; :meth:`OnnxSentenceModel.threads` (per calling thread, as
torch's thread count) lets a call run its texts on that many threads, each taking every n-th
text: texts run one at a time, and on one text a matrix is too small for ONNX Runtime's own
threads (the sample's paragraphs and pairs: 8.3 s on one thread, 6.1–7.0 s on a 2-thread
session, 4.2–4.8 s on two threads taking every other text).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from qostil.errors import ModelLoadError

log = logging.getLogger(__name__)

ONNX_FILE = "model.onnx"


def is_onnx_folder(folder: Path) -> bool:
    """True when ``folder`` holds an ONNX sentence encoder (the graph and its tokenizer)."""
    return (folder / ONNX_FILE).is_file() and (folder / "tokenizer.json").is_file()


class OnnxSentenceModel:
    """An ONNX mean-pooling encoder with its tokenizer and prompts; thread-safe."""

    def __init__(self, folder: Path) -> None:
        try:
            import onnxruntime  # noqa: PLC0415
            from tokenizers import Tokenizer  # noqa: PLC0415
        except ImportError as e:
            raise ModelLoadError(f"onnxruntime is not installed ({e}); pip install onnxruntime") from e
        self._ort = onnxruntime
        self.folder = folder
        st_config = _read_json(folder / "config_sentence_transformers.json")
        self.prompts: dict[str, str] = dict(st_config.get("prompts") or {})
        self.max_seq_length = int(_read_json(folder / "sentence_bert_config.json").get("max_seq_length") or 512)
        self._dim = int(_read_json(folder / "config.json").get("hidden_size") or 0)
        try:
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as e:  # noqa: BLE001 - the Rust tokenizer raises its own exception type
            raise ModelLoadError(f"Cannot read the tokenizer in {folder}: {e}") from e
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self.max_seq_length)
        self.tokenizer = tokenizer
        self._local = threading.local()
        self._default_threads = max(1, os.cpu_count() or 1)
        self._helpers: ThreadPoolExecutor | None = None
        self._helpers_lock = threading.Lock()
        self._session = self._load_session()  # a broken graph fails here, at load, not in the middle of a run
        if not self._dim:
            self._dim = int(self._session.get_outputs()[0].shape[-1])

    def get_sentence_embedding_dimension(self) -> int:
        return self._dim

    get_embedding_dimension = get_sentence_embedding_dimension

    @contextlib.contextmanager
    def threads(self, n: int) -> Iterator[None]:
        """Run this thread's ``encode`` calls on ``n`` threads inside the block (as ``torch.set_num_threads``)."""
        before = getattr(self._local, "threads", None)
        self._local.threads = max(1, int(n))
        try:
            yield
        finally:
            self._local.threads = before

    def current_threads(self) -> int:
        """How many threads this thread's next ``encode`` runs on."""
        return getattr(self._local, "threads", None) or self._default_threads

    def _load_session(self) -> Any:
        ort = self._ort
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.log_severity_level = 3
        try:
            return ort.InferenceSession(str(self.folder / ONNX_FILE), opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # noqa: BLE001 - ONNX Runtime raises its own exception types
            raise ModelLoadError(f"ONNX Runtime cannot load {self.folder / ONNX_FILE}: {e}") from e

    def _pool(self) -> ThreadPoolExecutor:
        with self._helpers_lock:
            if self._helpers is None:
                self._helpers = ThreadPoolExecutor(max(1, self._default_threads - 1), thread_name_prefix="qostil-onnx")
            return self._helpers

    def encode(
        self,
        texts: Sequence[str],
        *,
        prompt: str | None = None,
        normalize_embeddings: bool = True,
        **_: Any,
    ) -> np.ndarray:
        """Vectors of ``texts`` (``prompt`` is put before each), one text per run whatever the batch size.

        Dynamic int8 quantization scales a MatMul's input by its whole tensor's range, so in a batch a
        text's vector would depend on its neighbours and their padding (up to 0.02 per component,
        measured); alone, a text gets the same vector in every run. Alone is also no slower on a CPU:
        the sample's paragraphs and pairs took 10.0 s one by one, 11.8 s in batches of 8.
        """
        vecs = np.zeros((len(texts), self._dim), dtype=np.float32)
        prefix = prompt or ""
        n = min(self.current_threads(), len(texts))
        if n > 1:
            pool = self._pool()
            helpers = [pool.submit(self._run_each, texts, vecs, prefix, k, n) for k in range(1, n)]
            self._run_each(texts, vecs, prefix, 0, n)
            for h in helpers:
                h.result()
        else:
            self._run_each(texts, vecs, prefix, 0, 1)
        if normalize_embeddings:
            vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        return vecs

    def _run_each(self, texts: Sequence[str], out: np.ndarray, prefix: str, first: int, step: int) -> None:
        """Embed ``texts[first::step]`` into the same rows of ``out`` (ONNX Runtime lets go of the GIL)."""
        for i in range(first, len(texts), step):
            ids = np.array([self.tokenizer.encode(f"{prefix}{texts[i]}").ids], dtype=np.int64)
            out[i] = self._session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError) as e:
        raise ModelLoadError(f"Cannot read {path}: {e}") from e

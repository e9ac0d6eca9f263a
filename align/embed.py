"""Segment embeddings for the aligner: batched, normalised, cached by text hash, long texts pooled.

The encoder is whatever :func:`models.load_encoder` gives (or any callable from a
list of texts to an array). :class:`EmbeddingCache` sits in front of it:

* every text is embedded once per cache (keyed by the SHA-1 of the text); the
  project encoder keeps its own memory and disk cache too, so a rerun of the same
  document embeds nothing;
* all missing texts of one call go to the encoder in one batched call;
* **long texts are split and pooled**: a text longer than ``max_chars`` is cut at
  line, then sentence, then word boundaries into pieces of at most ``max_chars``
  characters; the pieces are embedded (and cached) like any text, and the text's
  vector is their length-weighted mean, renormalised. Why not the model's window:
  multilingual-e5-small reads 512 tokens (about 1 500–1 800 Cyrillic characters)
  and silently drops the rest, so a two-segment group whose first segment is long
  would be embedded without its second segment, and the aligner could not see a
  merge; attention cost also grows with the square of the length. Pieces of
  ~1 000 characters stay well inside the window and keep every word in the vector.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from qostil.errors import AlignmentError

log = logging.getLogger(__name__)

MAX_CHARS = 1000
"""Texts longer than this are embedded as the pooled mean of their pieces."""


class Encoder(Protocol):
    def encode(self, texts: Sequence[str], **kwargs: Any) -> np.ndarray: ...


EncodeFn = Callable[[Sequence[str]], np.ndarray]


def split_long(text: str, max_chars: int = MAX_CHARS) -> list[str]:
    """Cut ``text`` into pieces of at most ``max_chars`` characters at line, sentence or word boundaries."""
    if len(text) <= max_chars:
        return [text]
    for pattern in (r"(?<=\n)", r"(?<=[.;:!?])\s+", r"\s+"):
        parts = [p for p in re.split(pattern, text) if p.strip()]
        if len(parts) > 1:
            break
    else:
        return [text[k : k + max_chars] for k in range(0, len(text), max_chars)]
    pieces: list[str] = []
    cur = ""
    for p in parts:
        if cur and len(cur) + 1 + len(p) > max_chars:
            pieces.append(cur)
            cur = ""
        cur = f"{cur} {p}" if cur else p
    if cur:
        pieces.append(cur)
    out: list[str] = []
    for p in pieces:
        out.extend(split_long(p, max_chars) if len(p) > max_chars and p != text else [p])
    return out


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Embeds texts through an encoder, caching by text hash so nothing is embedded twice."""

    def __init__(self, encoder: Encoder | EncodeFn, *, prompt: str | None = "passage", max_chars: int = MAX_CHARS) -> None:
        self._encode = _encode_fn(encoder, prompt)
        self._cache: dict[str, np.ndarray] = {}
        self.max_chars = max_chars
        self.encoded = 0
        """Texts (or pieces of long texts) sent to the encoder over this cache's life."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit rows, one per text, in order."""
        pieces = {t: split_long(t, self.max_chars) for t in dict.fromkeys(texts)}
        todo = list(dict.fromkeys(_key(p) for ps in pieces.values() for p in ps if _key(p) not in self._cache))
        if todo:
            by_key = {_key(p): p for ps in pieces.values() for p in ps}
            vecs = np.asarray(self._encode([by_key[k] for k in todo]), dtype=np.float32)
            if vecs.ndim != 2 or len(vecs) != len(todo):
                raise AlignmentError(f"The encoder returned an array of shape {vecs.shape} for {len(todo)} texts.")
            vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
            for k, v in zip(todo, vecs):
                self._cache[k] = v
            self.encoded += len(todo)
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        pooled: dict[str, np.ndarray] = {}
        for t, ps in pieces.items():
            if len(ps) == 1:
                pooled[t] = self._cache[_key(ps[0])]
                continue
            w = np.array([len(p) for p in ps], dtype=np.float32)
            v = (np.stack([self._cache[_key(p)] for p in ps]) * w[:, None]).sum(axis=0)
            pooled[t] = v / max(float(np.linalg.norm(v)), 1e-12)
        return np.stack([pooled[t] for t in texts])


def _encode_fn(encoder: Encoder | EncodeFn, prompt: str | None) -> EncodeFn:
    enc = getattr(encoder, "encode", None)
    if enc is None:
        if not callable(encoder):
            raise AlignmentError("The encoder must be callable or have an .encode(texts) method.")
        return encoder  # type: ignore[return-value]

    def call(texts: Sequence[str]) -> np.ndarray:
        if prompt is not None:
            try:
                return enc(list(texts), prompt=prompt)
            except TypeError:
                pass
        return enc(list(texts))

    return call

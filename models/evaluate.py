"""Measure an encoder on RU→KK paragraph retrieval (P@1), beside a char-n-gram TF-IDF baseline.

Gold pairs are line numbers in the sample filing
(``samples/source/kzhk-prospectus-amendment-2015.txt``): for each RU paragraph of
the amendment, the KK line that translates it. A query scores a hit when its
nearest KK paragraph is the gold one, or has the same text (the filing repeats
some headings word for word).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

SAMPLE_NAME = "kzhk-prospectus-amendment-2015.txt"

# (RU line, KK line), 1-based, in the sample filing.
SAMPLE_PAIR_LINES: tuple[tuple[int, int], ...] = (
    (8, 113), (10, 115), (12, 116), (14, 118), (16, 120), (17, 121), (18, 122), (19, 123),
    (20, 124), (21, 125), (22, 127), (25, 128), (26, 129), (27, 130), (28, 131), (30, 133),
    (32, 135), (34, 136), (36, 137), (38, 138), (40, 139), (42, 140), (44, 141), (46, 142),
    (48, 143), (50, 144), (52, 145), (54, 146), (56, 147), (58, 148), (60, 149), (62, 150),
    (64, 151), (66, 152), (68, 153), (70, 154), (72, 155), (74, 156), (76, 157), (78, 158),
    (80, 159), (82, 160), (84, 161), (86, 162), (88, 166), (90, 168), (92, 169), (94, 170),
    (96, 171),
)  # fmt: skip

_KK_TO_RU = str.maketrans("әғқңөұүһіё", "агкноууhие")


@dataclass(frozen=True, slots=True)
class RetrievalSet:
    """RU queries and the KK candidates; ``gold[i]`` is the index in ``kk`` of ``ru[i]``'s translation."""

    ru: tuple[str, ...]
    kk: tuple[str, ...]
    gold: tuple[int, ...]


def sample_retrieval_set(sample: Path) -> RetrievalSet:
    """The RU→KK retrieval set of the sample filing (every KK line of the amendment is a candidate)."""
    lines = Path(sample).read_text(encoding="utf-8").split("\n")
    ru = tuple(lines[r - 1].strip() for r, _ in SAMPLE_PAIR_LINES)
    kk_lines = sorted({k for _, k in SAMPLE_PAIR_LINES})
    kk = tuple(lines[k - 1].strip() for k in kk_lines)
    gold = tuple(kk_lines.index(k) for _, k in SAMPLE_PAIR_LINES)
    return RetrievalSet(ru, kk, gold)


def fold(text: str) -> str:
    """Lowercase, Kazakh letters folded to their Russian look-alikes, spaces collapsed."""
    text = text.lower().translate(_KK_TO_RU)
    return re.sub(r"\s+", " ", text).strip()


def char_ngram_tfidf(texts: Sequence[str], *, n_min: int = 2, n_max: int = 4) -> np.ndarray:
    """L2-normalized TF-IDF rows over character n-grams of the folded texts (a dense matrix)."""
    grams: list[Counter[str]] = []
    for t in texts:
        s = f" {fold(t)} "
        grams.append(Counter(s[i : i + n] for n in range(n_min, n_max + 1) for i in range(len(s) - n + 1)))
    vocab = {g: i for i, g in enumerate(sorted({g for c in grams for g in c}))}
    tf = np.zeros((len(texts), len(vocab)), dtype=np.float32)
    for row, c in enumerate(grams):
        for g, k in c.items():
            tf[row, vocab[g]] = 1.0 + np.log(k)
    df = (tf > 0).sum(axis=0)
    idf = np.log((1 + len(texts)) / (1 + df)) + 1.0
    x = tf * idf
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def tfidf_similarity(ru: Sequence[str], kk: Sequence[str]) -> np.ndarray:
    """RU×KK cosine of char-n-gram TF-IDF vectors fitted on both sides together."""
    x = char_ngram_tfidf(list(ru) + list(kk))
    return x[: len(ru)] @ x[len(ru) :].T


def p_at_1(sim: np.ndarray, data: RetrievalSet) -> float:
    """Share of RU queries whose top KK candidate is the gold one (or has the same text)."""
    top = np.argmax(sim, axis=1)
    hits = sum(
        1 for i, j in enumerate(top) if j == data.gold[i] or fold(data.kk[j]) == fold(data.kk[data.gold[i]])
    )
    return hits / len(data.ru)


def encoder_similarity(
    encode: Callable[[list[str]], np.ndarray], ru: Sequence[str], kk: Sequence[str]
) -> np.ndarray:
    """RU×KK cosine of the vectors ``encode`` gives (rows L2-normalized here)."""
    a = np.asarray(encode(list(ru)), dtype=np.float32)
    b = np.asarray(encode(list(kk)), dtype=np.float32)
    a /= np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b /= np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return a @ b.T

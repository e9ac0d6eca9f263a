"""Alignment quality: strict and lax precision, recall and F1 against a gold alignment.

A *strict* hit is a predicted group exactly equal to a gold group (both sides).
A *lax* hit is a predicted group that shares at least one RU and one KK index
with a gold group (for a 1-0/0-1 group: the same lone index is unpaired in gold
too), as in Vecalign's evaluation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)

Group = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _lax_hit(g: Group, others: Sequence[Group]) -> bool:
    r, k = set(g[0]), set(g[1])
    for r2, k2 in others:
        if r and k and r & set(r2) and k & set(k2):
            return True
        if not (r and k) and set(r2) == r and set(k2) == k:
            return True
    return False


def strict_scores(pred: Sequence[Group], gold: Sequence[Group]) -> Scores:
    ps = {(tuple(a), tuple(b)) for a, b in pred}
    gs = {(tuple(a), tuple(b)) for a, b in gold}
    hit = len(ps & gs)
    p = hit / len(ps) if ps else 0.0
    r = hit / len(gs) if gs else 0.0
    return Scores(p, r, _f1(p, r))


def lax_scores(pred: Sequence[Group], gold: Sequence[Group]) -> Scores:
    p = sum(_lax_hit(g, gold) for g in pred) / len(pred) if pred else 0.0
    r = sum(_lax_hit(g, pred) for g in gold) / len(gold) if gold else 0.0
    return Scores(p, r, _f1(p, r))

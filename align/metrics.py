"""Alignment quality: strict and lax precision, recall and F1 against a gold alignment.

A *strict* hit is a predicted group exactly equal to a gold group (both sides).
A *lax* hit is a predicted group that shares at least one RU and one KK index
with a gold group (for a 1-0/0-1 group: the same lone index is unpaired in gold
too), as in Vecalign's evaluation.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qostil.records import Segment

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


# ---------------------------------------------------------------- gold files


@dataclass(frozen=True, slots=True)
class GoldDoc:
    """A hand-aligned document: both parts as segments and the gold groups over their indices."""

    name: str
    ru: list[Segment]
    kk: list[Segment]
    groups: list[Group]


def read_gold(align_path: str | Path) -> GoldDoc:
    """Read ``X.align.json`` and its ``X.segments.json`` (kind and cells per segment).

    The align file lists every segment of both parts, in order, as texts grouped
    into pairs; the segments file is either one list for the whole document (the
    sample: looked up by text) or ``{"ru": [...], "kk": [...]}`` in order (the acts).
    """
    align_path = Path(align_path)
    name = align_path.name.removesuffix(".align.json")
    gold = json.loads(align_path.read_text(encoding="utf-8"))
    meta = json.loads(align_path.with_name(f"{name}.segments.json").read_text(encoding="utf-8"))
    by_text = {s["text"]: s for s in meta} if isinstance(meta, list) else None
    ru: list[Segment] = []
    kk: list[Segment] = []
    groups: list[Group] = []
    for p in gold["pairs"]:
        groups.append((tuple(range(len(ru), len(ru) + len(p["ru"]))), tuple(range(len(kk), len(kk) + len(p["kk"])))))
        for lang, side in (("ru", ru), ("kk", kk)):
            for text in p[lang]:
                rec = by_text[text] if by_text is not None else meta[lang][len(side)]
                if rec["text"] != text:
                    raise ValueError(f"{align_path.name}: {lang} segment {len(side)} does not match the segments file")
                side.append(
                    Segment(id=f"{name}-{lang}{len(side)}", doc_id=name, lang=lang, kind=rec["kind"], text=text, cells=tuple(rec.get("cells", ())))
                )
    if by_text is None and (len(ru) != len(meta["ru"]) or len(kk) != len(meta["kk"])):
        raise ValueError(f"{align_path.name}: the pairs do not cover every segment")
    return GoldDoc(name, ru, kk, groups)

"""Paragraph alignment: Vecalign-style dynamic programming over RU and KK segments, anchored and banded.

Layout (after vecalign's ``dp_utils``): the move set is data (:data:`MOVES`);
per-segment features (:func:`segment_features`, :func:`segment_anchors`), the
cost of every move over a whole band at once (:func:`band_costs`), the DP
(:func:`dp`), the traceback (:func:`traceback`) and scoring (:func:`score_pairs`)
are separate functions. :func:`align_segments` strings them together.

Cost of aligning RU group *x* with KK group *y* (each one or two consecutive
segments; a group's embedding is that of its concatenated text):

* ``2·(1 − cos(x, y)) / (n(x) + n(y))`` where ``n(x)`` is the mean of
  ``1 − cos(x, y')`` over seeded random KK groups ``y'`` (and vice versa):
  Vecalign's normalisation, which calibrates the narrow similarity range of
  e5-type encoders per segment;
* minus an **anchor** bonus: the weighted share of the anchors both groups hold,
  rarer anchors weighing more (``1/log2(1 + document frequency)``). Anchors are
  numbers (``1 599`` = ``1599``, ``0,26`` = ``0.26``), dates (``14.11.2024``,
  ``14 ноября 2024`` and ``2024 жылғы 14 қарашадағы`` give the same day, month
  and year anchors), ``№``/compound numbers (``04/276``, ``9-1``), and
  capitalised words folded to a cross-language key (Kazakh letters folded,
  ``х``→``к``, vowels dropped, first three consonants: ``Кзылкогинский`` and
  ``Қызылқоға`` both give ``кзл``); plus a penalty when both groups hold
  numbers and share none;
* **item numbers** (``36.``, ``1)``, a table row's number cell) are kept apart
  from the other numbers: by default they only constrain merges (below), and
  ``item_weight`` (0 by default) can add a bonus for equal ones. Real acts
  renumber (a Kazakh list with one more item shifts every later number by
  one), so equal numbers are no evidence that two rows match;
* plus a **length** penalty ``|log(len ratio) − typical log ratio|``;
* plus **structure**: a table row only aligns with table rows (other pairings
  are forbidden), list items prefer list items (soft penalty), and a group never
  holds two numbered items or two table rows unless the second row continues the
  first (an empty first cell: a row broken across lines or pages). So table rows
  and numbered items are never paired across rows.

The cost is weighted by ``(a + b) / 2`` so that a 2-2 merge costs what two 1-1
pairs would, plus a small merge penalty. A skip (1-0 or 0-1) costs a
percentile of sampled off-diagonal 1-1 costs times ``skip_scale`` (seeded).

Speed: anchors are extracted once per segment with a few regular expressions
and stored as padded integer arrays; the cost of each move is computed for every
cell of the search band at once in numpy (chunks of ``chunk`` cells), and the DP
walks rows with slice operations only. Short documents (``n·m ≤ full_limit²``)
get the full DP. Longer ones are aligned coarse-to-fine as in Vecalign: blocks of
``coarse_factor`` segments are averaged and aligned recursively, and the fine DP
runs only within ``band`` cells of the projected coarse path, so time and memory
grow linearly with document length.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from align.embed import EmbeddingCache, EncodeFn, Encoder
from align.normalize import MONTH_KK_RE, MONTH_RU_RE, fold, month_number
from qostil.errors import AlignmentError
from qostil.records import SWAPPED, Pair, Segment

log = logging.getLogger(__name__)

__all__ = [
    "MOVES", "AlignConfig", "EmbeddingCache", "align_segments", "segment_anchors", "leading_item",
    "dp", "traceback", "band_costs", "band_from_path", "full_band",
]

MOVES: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 0), (0, 1))
_INF = float("inf")
Path = list[tuple[tuple[int, ...], tuple[int, ...]]]


@dataclass(frozen=True, slots=True)
class AlignConfig:
    """Every knob of the aligner; the defaults were tuned on the gold alignments in ``tests/data/gold``."""

    full_limit: int = 300
    """Full DP when ``n * m <= full_limit ** 2``; banded coarse-to-fine DP above."""
    band: int = 32
    """Half-width (in segments) of the search band around the projected coarse path."""
    coarse_factor: int = 4
    """Segments per block at each coarser level (4, not 8: at 10 000 paragraphs 8 lost the path, strict F1 0.93 vs 0.99)."""
    skip_percentile: float = 5.0
    """Percentile of sampled random 1-1 costs that sets the skip (1-0/0-1) penalty."""
    skip_scale: float = 0.5
    skip_samples: int = 400
    skip_window: int = 128
    """Region size (RU segments) of the regional skip penalties of long documents."""
    regional_above: int = 300
    """Documents with more RU segments than this get a skip penalty per region (:func:`_regional_skips`)."""
    norm_samples: int = 24
    """How many random segments of the other side normalise each group's similarity."""
    anchor_weight: float = 0.3
    anchor_miss: float = 0.15
    item_weight: float = 0.0
    """Bonus for equal item numbers, penalty for different ones. Off by default: real acts renumber
    (kzlaw-74437: one extra Kazakh item shifts every later number), and on the gold set any
    weight above 0 only cost accuracy; item numbers still forbid merging two numbered items."""
    length_weight: float = 0.25
    merge_penalty: float = 0.4
    continuation_bonus: float = 0.5
    """Taken off a merge whose second segment continues the first (a table row with an empty first cell)."""
    list_penalty: float = 0.1
    swap_cost: float = 1.5
    """Two orphans around a pair are taken for a swap when their 1-1 cost is below this times the skip
    penalty. Measured on swapped neighbours in gold documents: 0.4–1.3 skips (one of six: 1.7, left as a
    pair and two orphans); unrelated paragraphs beside a pair: 1.9."""
    max_anchors: int = 16
    """Anchors kept per group (the rarest ones)."""
    chunk: int = 32768
    """Band cells costed per numpy batch (bounds the temporary memory)."""
    seed: int = 0
    prompt: str | None = "passage"
    pair_margin: float | None = 0.1
    """Pairs of neighbours are embedded lazily (:func:`_align_lazily`): until embedded, a group of two is
    costed with the mean of its segments' vectors less this margin, and only the groups the best path
    takes are embedded. On the gold set and its variants 0.05 and 0.1 give the eager alignment exactly
    (0 loses a split) with a third fewer characters embedded. None: every allowed pair is embedded first,
    as on documents with at most ``2 * norm_samples`` allowed pairs (the pairs drawn as normalisers,
    embedded first either way, are most of theirs, and the DP's extra rounds cost more than they save)."""
    lazy_rounds: int = 6
    """Rounds of DP and embedding before the rest of the pairs are embedded at once (never reached on the gold set)."""


# ---------------------------------------------------------------- anchors

_DATE_RE = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.((?:19|20)\d\d)(?!\d)")
_THOUSANDS_RE = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,]\d)")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)?(?:[/-]\d+)*")
_ITEM_RE = re.compile(r"^[\s«\"*]*(\d{1,3}(?:\.\d{1,3})*)(?:[.)](?=\s|$)|\)|\t|\s*$)")
_WORD_RE = re.compile(r"[A-Za-zА-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]+")
_MONTH_RE = re.compile(rf"(?<![а-я])(?:{MONTH_RU_RE}|{MONTH_KK_RE})[а-я]*")
_NOT_SKELETON = set("аеиоуыэюяьъйwaeiouy")


def _num_key(tok: str) -> str:
    tok = tok.replace(",", ".")
    if re.fullmatch(r"\d+", tok):
        return str(int(tok))
    return tok.rstrip(".")


def name_skeleton(word: str) -> str:
    """Cross-language key of a capitalised word: folded, х→к, vowels dropped, first three consonants."""
    w = fold(word).replace("х", "к")
    return "".join(c for c in w if c not in _NOT_SKELETON)[:3]


def leading_item(text: str, *, kind: str = "paragraph", cells: Sequence[str] = ()) -> str | None:
    """The item number a segment starts with (``36.``, ``1)``, a table row's number cell), else None."""
    if kind == "table_row" and cells:
        first = cells[0].strip().rstrip(".")
        return first if re.fullmatch(r"\d{1,3}(?:\.\d{1,3})*", first) else None
    m = _ITEM_RE.match(text)
    return m.group(1) if m else None


def segment_anchors(text: str, lang: str = "ru", *, kind: str = "paragraph", cells: Sequence[str] = ()) -> frozenset[str]:
    """Anchors both languages share: ``n:`` numbers, ``m:`` months, ``w:`` name keys, ``i:`` the item number.

    ``lang`` is accepted for symmetry with the other stages; the rules are the same
    for both languages (months are recognised in either).
    """
    out: set[str] = set()
    item = leading_item(text, kind=kind, cells=cells)
    body = text
    if item is not None:
        out.add("i:" + item)
        if kind == "table_row" and cells:
            body = text.split("\t", 1)[1] if "\t" in text else ""
        else:
            m = _ITEM_RE.match(text)
            body = text[m.end() :] if m else text
    for m in _DATE_RE.finditer(body):
        out.update((f"n:{int(m.group(1))}", f"m:{int(m.group(2))}", f"n:{m.group(3)}"))
    body = _DATE_RE.sub(" ", body)
    for m in _THOUSANDS_RE.finditer(body):
        out.add("n:" + str(int(re.sub(r"\D", "", m.group(0)))))
    body = _THOUSANDS_RE.sub(" ", body)
    for m in _NUMBER_RE.finditer(body):
        out.add("n:" + _num_key(m.group(0)))
    low = fold(body)
    for m in _MONTH_RE.finditer(low):
        num = month_number(m.group(0))
        if num:
            out.add(f"m:{num}")
    words = _WORD_RE.findall(body)
    for w in words:
        if len(w) >= 4 and w[0].isupper() and not w.isupper():
            key = name_skeleton(w)
            if len(key) == 3:
                out.add("w:" + key)
    return frozenset(out)


# ---------------------------------------------------------------- features


@dataclass(slots=True)
class SideFeatures:
    """One side's groups of 1 and 2 consecutive segments; ``[k][s]`` is the group of size k starting at s."""

    emb: dict[int, np.ndarray]
    length: dict[int, np.ndarray]
    anchors: list[frozenset[str]]
    """Per segment (groups of two take the union)."""
    items: list[str | None]
    table: np.ndarray  # per segment: 1 table row, 0 other
    listy: np.ndarray
    cont: np.ndarray
    """cont[s] = 1 when segment s + 1 continues segment s (a 2-group that belongs together)."""
    structural: bool = True
    """False at coarse levels (blocks), where table and item rules do not apply."""
    norm: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)
    inexact: np.ndarray | None = None
    """Per pair of neighbours: 1.0 while its vector is the mean of its segments' (lazy pairs), else 0."""

    @property
    def n(self) -> int:
        return len(self.length[1])


def side_features(
    emb1: np.ndarray,
    emb2: np.ndarray,
    lengths: Sequence[int],
    anchors: Sequence[frozenset[str]],
    *,
    kinds: Sequence[str] | None = None,
    items: Sequence[str | None] | None = None,
    continues: Sequence[bool] | None = None,
    structural: bool = True,
) -> SideFeatures:
    """Features of one side from its single-segment and two-segment-group embeddings."""
    n = len(lengths)
    kinds = list(kinds) if kinds is not None else ["paragraph"] * n
    len1 = np.asarray(lengths, dtype=np.float64)
    return SideFeatures(
        emb={1: emb1, 2: emb2},
        length={1: len1, 2: len1[:-1] + len1[1:] if n > 1 else np.zeros(0)},
        anchors=list(anchors),
        items=list(items) if items is not None else [None] * n,
        table=np.array([k == "table_row" for k in kinds], dtype=bool),
        listy=np.array([k == "list_item" for k in kinds], dtype=bool),
        cont=np.array(list(continues or [False] * n)[1:], dtype=bool),
        structural=structural,
    )


@dataclass(slots=True)
class _Groups:
    """Array form of one side's groups of size 1 and 2, built once per alignment."""

    anc: dict[int, np.ndarray]  # (G, K) anchor ids, -1 (RU) / -2 (KK) padding
    w: dict[int, np.ndarray]  # (G, K) anchor weights, 0 for padding
    num: dict[int, np.ndarray]  # (G, K) True for number/date anchors
    total: dict[int, np.ndarray]  # (G,) total anchor weight
    item: dict[int, np.ndarray]  # (G,) item id of the first segment, -1 (RU) / -2 (KK) none
    table: dict[int, np.ndarray]  # (G,) 0 none, 1 all table rows, 2 mixed
    listy: dict[int, np.ndarray]
    allowed: dict[int, np.ndarray]  # (G,) False for groups that must not form
    cont: np.ndarray


def _group_arrays(side: SideFeatures, ids: dict[str, int], weights: np.ndarray, *, pad: int, k_max: int) -> _Groups:
    n = side.n
    single = [sorted((ids[x] for x in a), key=lambda i: -weights[i])[:k_max] for a in side.anchors]
    double = [sorted(set(single[s]) | set(single[s + 1]), key=lambda i: -weights[i])[:k_max] for s in range(n - 1)]
    is_num = np.zeros(len(weights) + 1, dtype=bool)
    for x, i in ids.items():
        is_num[i] = x[0] in "nm"
    item_ids = {it: k for k, it in enumerate(sorted({i for i in side.items if i is not None}))}

    def pack(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        k = max([1] + [len(x) for x in lists])
        arr = np.full((len(lists), k), pad, dtype=np.int32)
        for r, x in enumerate(lists):
            arr[r, : len(x)] = x
        w = np.where(arr >= 0, weights[np.maximum(arr, 0)], 0.0)
        return arr, w, is_num[np.maximum(arr, 0)] & (arr >= 0)

    out = _Groups({}, {}, {}, {}, {}, {}, {}, {}, side.cont)
    for g, lists in ((1, single), (2, double)):
        out.anc[g], out.w[g], out.num[g] = pack(lists)
        out.total[g] = out.w[g].sum(axis=1)
    item1 = np.array([-1 if i is None else 1000 + item_ids[i] for i in side.items], dtype=np.int64)
    # items are compared across sides by their text: map through a shared table below
    out.item[1] = item1
    out.item[2] = item1[:-1]
    t1, l1 = side.table.astype(np.int8), side.listy.astype(np.int8)
    out.table[1], out.listy[1] = t1, l1
    out.table[2] = np.where(t1[:-1] == t1[1:], t1[:-1], 2).astype(np.int8)
    out.listy[2] = np.maximum(l1[:-1], l1[1:])
    out.allowed[1] = np.ones(n, dtype=bool)
    if side.structural and n > 1:
        out.allowed[2] = ~forbidden_pairs(side.items, side.table, side.cont)
    else:
        out.allowed[2] = np.ones(max(n - 1, 0), dtype=bool)
    return out


def forbidden_pairs(items: Sequence[str | None], table: np.ndarray, cont: np.ndarray) -> np.ndarray:
    """Per pair of neighbours (s, s + 1): True when they may never be one group: two numbered items, or
    two table rows unless the second continues the first (``cont[s]``)."""
    has_item = np.array([i is not None for i in items], dtype=bool)
    return (has_item[:-1] & has_item[1:]) | (table[:-1] & table[1:] & ~cont)


@dataclass(slots=True)
class CostContext:
    ru: SideFeatures
    kk: SideFeatures
    cfg: AlignConfig
    gr: _Groups
    gk: _Groups
    log_ratio: float
    skip: float = 1.0
    """The document's skip penalty (1-0 / 0-1)."""
    skip_ru: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Per RU segment: the penalty for leaving it unpaired (``skip``, or its region's on long documents)."""
    skip_kk: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _shared_items(ru: SideFeatures, kk: SideFeatures) -> tuple[list[int | None], list[int | None]]:
    table = {it: k for k, it in enumerate(sorted({i for i in ru.items + kk.items if i is not None}))}
    return [None if i is None else table[i] for i in ru.items], [None if i is None else table[i] for i in kk.items]


def norm_samples(
    ru: SideFeatures, kk: SideFeatures, rng: np.random.Generator, cfg: AlignConfig
) -> list[tuple[SideFeatures, int, np.ndarray]]:
    """(side, h, indices of the other side's groups of size h that normalise ``side``'s groups), drawn
    from ``rng`` in a fixed order."""
    out: list[tuple[SideFeatures, int, np.ndarray]] = []
    for side, other in ((ru, kk), (kk, ru)):
        for h in (1, 2):
            k = min(cfg.norm_samples, len(other.emb[h]))
            out.append((side, h, rng.choice(len(other.emb[h]), size=k, replace=False) if k else np.zeros(0, dtype=int)))
    return out


def make_context(ru: SideFeatures, kk: SideFeatures, cfg: AlignConfig) -> CostContext:
    """Normalisers, anchor arrays and weights, the typical length ratio and the seeded skip penalty."""
    rng = np.random.default_rng(cfg.seed)
    # norm[(g, h)][s]: mean of 1 - cos(group of size g at s, random groups of size h of the other
    # side). Normalising each move by its own sizes removes the bias of concatenated groups
    # towards higher similarity.
    for side, h, idx in norm_samples(ru, kk, rng, cfg):
        sample = (kk if side is ru else ru).emb[h][idx]
        for g in (1, 2):
            e = side.emb[g]
            side.norm[(g, h)] = (1.0 - e @ sample.T).mean(axis=1) if len(idx) and len(e) else np.ones(len(e))
    df: dict[str, int] = {}
    for side in (ru, kk):
        for a in side.anchors:
            for x in a:
                df[x] = df.get(x, 0) + 1
    ids = {x: i for i, x in enumerate(sorted(df))}
    weights = np.array([1.0 / math.log2(1 + df[x]) for x in sorted(df)] + [0.0])
    for x, i in ids.items():
        if x.startswith("i:"):
            weights[i] = 0.0  # item numbers are scored apart (item_weight)
    gr = _group_arrays(ru, ids, weights, pad=-1, k_max=cfg.max_anchors)
    gk = _group_arrays(kk, ids, weights, pad=-2, k_max=cfg.max_anchors)
    items_r, items_k = _shared_items(ru, kk)
    for g, items, pad in ((gr, items_r, -1), (gk, items_k, -2)):
        arr = np.array([pad if i is None else i for i in items], dtype=np.int64)
        g.item[1], g.item[2] = arr, arr[:-1]
    total_ru, total_kk = ru.length[1].sum(), kk.length[1].sum()
    ctx = CostContext(ru, kk, cfg, gr, gk, math.log((total_kk + 1) / (total_ru + 1)))
    if ru.n and kk.n:
        m = cfg.skip_samples
        ii = rng.integers(0, ru.n, size=m)
        jj = rng.integers(0, kk.n, size=m)
        # sample off the diagonal, where true pairs are unlikely, so short documents
        # do not drag the skip penalty down with their own good pairs
        off = np.abs((ii + 1) / ru.n - (jj + 1) / kk.n) > max(0.1, 1.5 / max(ru.n, kk.n))
        if off.sum() < 10:
            # a very short document has (almost) no cells that far off the diagonal: use every
            # cell off the exact proportional diagonal; a 1x1 document keeps the default penalty
            off = ii * kk.n != jj * ru.n
        if off.any():
            costs = cell_costs(ctx, 1, 1, ii[off], jj[off])
            costs = costs[np.isfinite(costs)]
            if len(costs):
                ctx.skip = float(np.percentile(costs, cfg.skip_percentile)) * cfg.skip_scale
    ctx.skip_ru, ctx.skip_kk = np.full(ru.n, ctx.skip), np.full(kk.n, ctx.skip)
    if ru.n > cfg.regional_above and kk.n > 1:
        _regional_skips(ctx, rng)
    return ctx


def _regional_skips(ctx: CostContext, rng: np.random.Generator) -> None:
    """Skip penalties per region of a long document: windows of ``skip_window`` RU segments centred every
    half window, each sampled against the KK segments around its proportional position (off its own
    diagonal), as a whole short document would be. A single document-wide percentile is set by the
    most self-similar part (a list of 'District – 1;' lines) and makes skips too cheap elsewhere."""
    cfg, n, m = ctx.cfg, ctx.ru.n, ctx.kk.n
    half = cfg.skip_window // 2
    centres = np.arange(0, n + half, half)
    values = np.full(len(centres), ctx.skip)
    for w, c in enumerate(centres):
        r0, r1 = max(0, c - half), min(n, c + half)
        k0 = int(r0 * m / n)
        k1 = min(m, max(k0 + 2, int(np.ceil(r1 * m / n))))
        ii = rng.integers(r0, r1, size=cfg.skip_samples)
        jj = rng.integers(k0, k1, size=cfg.skip_samples)
        off = np.abs(ii - jj * n / m) > max(0.1 * (r1 - r0), 1.5)
        if off.sum() < 10:
            continue
        costs = cell_costs(ctx, 1, 1, ii[off], jj[off])
        costs = costs[np.isfinite(costs)]
        if len(costs):
            values[w] = float(np.percentile(costs, cfg.skip_percentile)) * cfg.skip_scale
    nearest = np.minimum(np.rint(np.arange(n) / half).astype(int), len(centres) - 1)
    ctx.skip_ru = values[nearest]
    ctx.skip_kk = ctx.skip_ru[np.minimum((np.arange(m) * n / m).astype(int), n - 1)]


def cell_costs(ctx: CostContext, a: int, b: int, s: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Costs of aligning RU group ``(a, s[c])`` with KK group ``(b, t[c])`` for every c (a, b ≥ 1)."""
    cfg, ru, kk, gr, gk = ctx.cfg, ctx.ru, ctx.kk, ctx.gr, ctx.gk
    cos = np.einsum("ij,ij->i", ru.emb[a][s], kk.emb[b][t])
    sem = 2.0 * (1.0 - cos) / np.maximum(ru.norm[(a, b)][s] + kk.norm[(b, a)][t], 1e-6)
    lr = np.log((kk.length[b][t] + 10.0) / (ru.length[a][s] + 10.0)) - ctx.log_ratio
    cost = sem + cfg.length_weight * np.abs(lr)
    A, B = gr.anc[a][s], gk.anc[b][t]
    hit = (A[:, :, None] == B[:, None, :]).any(axis=2)  # RU anchors that the KK group holds
    shared = (hit * gr.w[a][s]).sum(axis=1)
    denom = np.maximum(np.maximum(gr.total[a][s], gk.total[b][t]), 1e-9)
    cost = cost - cfg.anchor_weight * shared / denom
    both_num = gr.num[a][s].any(axis=1) & gk.num[b][t].any(axis=1)
    cost = cost + cfg.anchor_miss * (both_num & ~(hit & gr.num[a][s]).any(axis=1))
    ir, ik = gr.item[a][s], gk.item[b][t]
    both_items = (ir >= 0) & (ik >= 0)
    cost = cost + cfg.item_weight * np.where(both_items, np.where(ir == ik, -1.0, 1.0), 0.0)
    rt, kt = gr.table[a][s], gk.table[b][t]
    bad = (rt == 2) | (kt == 2) | (kt != rt) | ~gr.allowed[a][s] | ~gk.allowed[b][t]
    cost = cost + cfg.list_penalty * (gk.listy[b][t] != gr.listy[a][s])
    cost = (a + b) / 2.0 * cost + (cfg.merge_penalty if a + b > 2 else 0.0)
    if a == 2:
        cost = cost - cfg.continuation_bonus * gr.cont[s]
        if ru.inexact is not None:
            cost = cost - (cfg.pair_margin or 0.0) * ru.inexact[s]
    if b == 2:
        cost = cost - cfg.continuation_bonus * gk.cont[t]
        if kk.inexact is not None:
            cost = cost - (cfg.pair_margin or 0.0) * kk.inexact[t]
    return np.where(bad, _INF, cost)


# ---------------------------------------------------------------- band, costs, DP


@dataclass(slots=True)
class Band:
    """DP cells ``lo[i] <= j <= hi[i]`` of rows ``0..n``, stored row after row in flat arrays."""

    lo: np.ndarray
    hi: np.ndarray
    offs: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        widths = self.hi - self.lo + 1
        self.offs = np.concatenate([[0], np.cumsum(widths)]).astype(np.int64)

    @property
    def cells(self) -> int:
        return int(self.offs[-1])


def full_band(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """The band that covers every DP cell."""
    return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)


def band_costs(ctx: CostContext, band: Band) -> dict[int, np.ndarray]:
    """For each move index, the cost of that move ending at every band cell (flat, ``inf`` where impossible)."""
    n = len(band.lo) - 1
    widths = band.hi - band.lo + 1
    rows = np.repeat(np.arange(n + 1), widths)
    cols = band.lo[rows] + (np.arange(band.cells) - band.offs[rows])
    out: dict[int, np.ndarray] = {}
    for k, (a, b) in enumerate(MOVES):
        if a == 0 or b == 0:
            continue
        cost = np.full(band.cells, _INF)
        valid = np.flatnonzero((rows >= a) & (cols >= b))
        for c0 in range(0, len(valid), ctx.cfg.chunk):
            idx = valid[c0 : c0 + ctx.cfg.chunk]
            cost[idx] = cell_costs(ctx, a, b, rows[idx] - a, cols[idx] - b)
        out[k] = cost
    return out


@dataclass(slots=True)
class DPResult:
    band: Band
    cost: np.ndarray
    back: np.ndarray

    @property
    def cells(self) -> int:
        return self.band.cells


def dp(ctx: CostContext, lo: np.ndarray, hi: np.ndarray) -> DPResult:
    """Minimum-cost DP over the cells ``lo[i] <= j <= hi[i]`` of rows ``0..n``."""
    n, m = ctx.ru.n, ctx.kk.n
    if lo[0] != 0 or hi[n] != m:
        raise AlignmentError("The search band must contain the start and the end of both documents.")
    band = Band(np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64))
    moves = band_costs(ctx, band)
    offs, lo_l, hi_l = band.offs.tolist(), band.lo.tolist(), band.hi.tolist()
    cost = np.full(band.cells, _INF)
    back = np.full(band.cells, -1, dtype=np.int8)
    del_ru, ins_kk = MOVES.index((1, 0)), MOVES.index((0, 1))
    skip_ru = ctx.skip_ru.tolist()
    # 0-1 moves along a row: prefix sums of the KK skip penalties (cell j pays skip_kk[j - 1])
    skip_kk_sum = np.concatenate([[0.0], np.cumsum(ctx.skip_kk)])
    for i in range(n + 1):
        L, H, o = lo_l[i], hi_l[i], offs[i]
        best = cost[o : o + H - L + 1]
        arg = back[o : o + H - L + 1]
        if i == 0:
            best[0] = 0.0
        for k, (a, b) in enumerate(MOVES):
            if a == 0 or i < a:
                continue
            pL, pH, po = lo_l[i - a], hi_l[i - a], offs[i - a]
            j0, j1 = max(L, pL + b), min(H, pH + b)
            if j0 > j1:
                continue
            prev = cost[po + j0 - b - pL : po + j1 - b - pL + 1]
            cand = prev + skip_ru[i - 1] if k == del_ru else prev + moves[k][o + j0 - L : o + j1 - L + 1]
            cur = best[j0 - L : j1 - L + 1]
            better = cand < cur
            cur[better] = cand[better]
            arg[j0 - L : j1 - L + 1][better] = k
        # (0, 1): best[j] = min(best[j], best[j-1] + skip_kk[j-1]), left to right, vectorised.
        if H > L:
            steps = skip_kk_sum[L : H + 1]
            with np.errstate(invalid="ignore"):
                run = np.minimum.accumulate(best - steps) + steps
            better = run < best - 1e-12
            best[better] = run[better]
            arg[better] = ins_kk
    return DPResult(band, cost, back)


def traceback(res: DPResult) -> Path:
    """The alignment path, as (RU indices, KK indices) groups in order."""
    band = res.band
    i, j = len(band.lo) - 1, int(band.hi[-1])

    def at(i: int, j: int) -> int:
        return int(band.offs[i] + j - band.lo[i])

    if not np.isfinite(res.cost[at(i, j)]):
        raise AlignmentError("No alignment path was found inside the search band.")
    path: Path = []
    while i > 0 or j > 0:
        k = int(res.back[at(i, j)]) if band.lo[i] <= j <= band.hi[i] else -1
        if k < 0:
            raise AlignmentError("The alignment traceback left the search band.")
        a, b = MOVES[k]
        path.append((tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    path.reverse()
    return path


def band_from_path(path: Sequence[tuple[tuple[int, ...], tuple[int, ...]]], *, factor: int, n: int, m: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Project a coarse path (block indices) onto fine rows and widen it by ``width`` cells."""
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    r0 = c0 = 0
    for rb, cb in path:
        r1 = min(n, (rb[-1] + 1) * factor) if rb else r0
        c1 = min(m, (cb[-1] + 1) * factor) if cb else c0
        lo[r0 : r1 + 1] = np.minimum(lo[r0 : r1 + 1], c0)
        hi[r0 : r1 + 1] = np.maximum(hi[r0 : r1 + 1], c1)
        r0, c0 = r1, c1
    lo = np.clip(lo - width, 0, m)
    hi = np.clip(hi + width, 0, m)
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    lo[0], hi[-1] = 0, m
    return lo, hi


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _coarsen(side: SideFeatures, factor: int) -> SideFeatures:
    n = side.n
    starts = np.arange(0, n, factor)
    counts = np.minimum(starts + factor, n) - starts
    e1 = _unit(np.add.reduceat(side.emb[1], starts, axis=0) / counts[:, None])
    e2 = _unit(e1[:-1] + e1[1:]) if len(e1) > 1 else e1[:0]
    lengths = np.add.reduceat(side.length[1], starts).astype(int).tolist()
    anchors = [frozenset().union(*side.anchors[s : s + factor]) for s in starts]
    return side_features(e1, e2, lengths, anchors, structural=False)


def align_features(ru: SideFeatures, kk: SideFeatures, cfg: AlignConfig) -> tuple[Path, DPResult]:
    """Align two feature sides: full DP when small, coarse-to-fine banded DP otherwise."""
    n, m = ru.n, kk.n
    if n * m <= cfg.full_limit**2 or min(n, m) < 2 * cfg.coarse_factor:
        lo, hi = full_band(n, m)
    else:
        cru, ckk = _coarsen(ru, cfg.coarse_factor), _coarsen(kk, cfg.coarse_factor)
        coarse_path, _ = align_features(cru, ckk, cfg)
        lo, hi = band_from_path(coarse_path, factor=cfg.coarse_factor, n=n, m=m, width=max(cfg.band, 2 * cfg.coarse_factor))
    ctx = make_context(ru, kk, cfg)
    res = dp(ctx, lo, hi)
    log.debug("DP %dx%d over %d cells (skip=%.3f)", n, m, res.cells, ctx.skip)
    path = traceback(res)
    return (recover_swaps(path, ctx) if ru.structural else path), res


def recover_swaps(path: Path, ctx: CostContext) -> Path:
    """Neighbouring paragraphs the translator swapped, as 2-2 groups instead of a pair and two orphans.

    A monotone path cannot cross, so a swap (RU *a b*, KK *b' a'*) comes out of the DP as one 1-1
    pair between an unpaired RU and an unpaired KK segment: ``1-0, 1-1, 0-1`` or ``0-1, 1-1, 1-0``.
    When the two orphans match each other as well as real pairs do (their 1-1 cost below
    ``swap_cost`` times the skip penalty, i.e. well under the costs of random pairs), the three
    groups become one 2-2 group, unless the structure forbids it (two numbered items or two table
    rows are never grouped).
    """
    out: Path = []
    i = 0
    while i < len(path):
        window = path[i : i + 3]
        if len(window) == 3 and _is_swap(window, ctx):
            ru = tuple(sorted(x for g in window for x in g[0]))
            kk = tuple(sorted(x for g in window for x in g[1]))
            out.append((ru, kk))
            i += 3
            continue
        out.append(path[i])
        i += 1
    return out


def _is_swap(window: Path, ctx: CostContext) -> bool:
    shapes = [(len(r), len(k)) for r, k in window]
    if shapes not in ([(1, 0), (1, 1), (0, 1)], [(0, 1), (1, 1), (1, 0)]):
        return False
    u = next(r[0] for r, k in window if r and not k)
    v = next(k[0] for r, k in window if k and not r)
    r0, k0 = min(x for g in window for x in g[0]), min(x for g in window for x in g[1])
    if not np.isfinite(cell_costs(ctx, 2, 2, np.array([r0]), np.array([k0]))[0]):
        return False  # structure forbids the group (two numbered items, two table rows, a row with a paragraph)
    cost = cell_costs(ctx, 1, 1, np.array([u]), np.array([v]))[0]
    return bool(np.isfinite(cost) and cost < ctx.cfg.swap_cost * (ctx.skip_ru[u] + ctx.skip_kk[v]) / 2)


# ---------------------------------------------------------------- scoring and entry point


def score_pairs(path: Sequence[tuple[tuple[int, ...], tuple[int, ...]]], ru: SideFeatures, kk: SideFeatures) -> list[Pair]:
    """Pairs with a score (cosine of the group embeddings; 0 for 1-0/0-1) and the evidence behind it."""
    out: list[Pair] = []
    for r, k in path:
        if not r or not k:
            out.append(Pair(r, k, 0.0, (f"move={len(r)}-{len(k)}", "unpaired")))
            continue
        cos = float(ru.emb[len(r)][r[0]] @ kk.emb[len(k)][k[0]])
        ra = frozenset().union(*(ru.anchors[i] for i in r))
        ka = frozenset().union(*(kk.anchors[j] for j in k))
        shared = sorted(x for x in ra & ka if not x.startswith("i:"))
        ev = [f"move={len(r)}-{len(k)}", f"cos={cos:.3f}"]
        if len(r) == 2 and len(k) == 2 and _crossed(ru, kk, r, k):
            ev.append(SWAPPED)
        if shared:
            ev.append("anchors=" + ",".join(shared[:8]))
        out.append(Pair(r, k, round(max(0.0, cos), 4), tuple(ev)))
    return out


def _crossed(ru: SideFeatures, kk: SideFeatures, r: tuple[int, ...], k: tuple[int, ...]) -> bool:
    """Whether a 2-2 group matches better crossed (RU 1st with KK 2nd, RU 2nd with KK 1st) than in order."""
    e_r, e_k = ru.emb[1], kk.emb[1]
    straight = float(e_r[r[0]] @ e_k[k[0]] + e_r[r[1]] @ e_k[k[1]])
    crossed = float(e_r[r[0]] @ e_k[k[1]] + e_r[r[1]] @ e_k[k[0]])
    return crossed > straight + 0.02


def is_continuation(seg: Segment) -> bool:
    """A table row whose first cell is empty continues the row before it (a row broken across lines or pages)."""
    if seg.kind != "table_row":
        return False
    return (bool(seg.cells) and not seg.cells[0].strip()) or (not seg.cells and seg.text.startswith("\t"))


def segment_features(segments: Sequence[Segment], cache: EmbeddingCache, *, lazy: bool = False) -> SideFeatures:
    """Embeddings (single segments and adjacent pairs, concatenated), lengths, anchors, items and kinds.

    A pair that the structure forbids as a group (:func:`forbidden_pairs`) is never costed, so it is
    not embedded: it keeps the mean of its two segments (it still serves as a normalisation sample)."""
    texts = [s.text for s in segments]
    e1 = cache.embed(texts)
    side = side_features(
        e1, _unit(e1[:-1] + e1[1:]) if len(texts) > 1 else e1[:0], [len(t) for t in texts],
        [segment_anchors(s.text, s.lang, kind=s.kind, cells=s.cells) for s in segments],
        kinds=[s.kind for s in segments],
        items=[leading_item(s.text, kind=s.kind, cells=s.cells) for s in segments],
        continues=[is_continuation(s) for s in segments],
    )
    allowed = ~forbidden_pairs(side.items, side.table, side.cont) if len(texts) > 1 else np.zeros(0, dtype=bool)
    if lazy:
        side.inexact = allowed.astype(np.float64)
    else:
        embed_pairs(side, segments, cache, np.flatnonzero(allowed))
    return side


def embed_pairs(side: SideFeatures, segments: Sequence[Segment], cache: EmbeddingCache, idx: np.ndarray) -> None:
    """Embed the pairs of neighbours starting at ``idx`` as their concatenated texts."""
    idx = np.asarray(idx, dtype=int)
    if not len(idx):
        return
    texts = [segments[i].text + "\n" + segments[i + 1].text for i in idx]
    side.emb[2][idx] = cache.embed(texts).reshape(len(idx), -1)
    if side.inexact is not None:
        side.inexact[idx] = 0.0


def _align_lazily(
    fr: SideFeatures, fk: SideFeatures, ru: Sequence[Segment], kk: Sequence[Segment], cache: EmbeddingCache,
    cfg: AlignConfig,
) -> Path:
    """The DP with pairs embedded on demand. The pairs that normalise the other side are embedded first
    (so every normaliser is the eager one); then, round after round, the DP runs with each pair not yet
    embedded costed optimistically (its segments' mean, less ``pair_margin``), and the pairs its best
    path groups are embedded, until the best path holds only embedded pairs. With a margin that bounds
    what embedding a pair can gain, that path is the eager DP's."""
    for side, h, idx in norm_samples(fr, fk, np.random.default_rng(cfg.seed), cfg):
        if h == 2:
            other, segs = (fk, kk) if side is fr else (fr, ru)
            embed_pairs(other, segs, cache, idx[other.inexact[idx] > 0])
    for _ in range(cfg.lazy_rounds):
        path, _ = align_features(fr, fk, cfg)
        need_r = sorted({r[0] for r, _k in path if len(r) == 2 and fr.inexact[r[0]] > 0})
        need_k = sorted({k[0] for _r, k in path if len(k) == 2 and fk.inexact[k[0]] > 0})
        if not need_r and not need_k:
            return path
        embed_pairs(fr, ru, cache, np.array(need_r, dtype=int))
        embed_pairs(fk, kk, cache, np.array(need_k, dtype=int))
    return _align_eagerly(fr, fk, ru, kk, cache, cfg)


def _align_eagerly(
    fr: SideFeatures, fk: SideFeatures, ru: Sequence[Segment], kk: Sequence[Segment], cache: EmbeddingCache,
    cfg: AlignConfig,
) -> Path:
    """The DP once every allowed pair not yet embedded is."""
    for segs, side in ((ru, fr), (kk, fk)):
        embed_pairs(side, segs, cache, np.flatnonzero(side.inexact))
    return align_features(fr, fk, cfg)[0]


def embed_ahead(
    ru: Sequence[Segment],
    kk: Sequence[Segment],
    *,
    encoder: Encoder | EncodeFn,
    cfg: AlignConfig = AlignConfig(),
    stop: Callable[[], bool] = lambda: False,
) -> int:
    """Embed what :func:`align_segments` may embed for these parts, so that a later alignment of the same
    texts finds them in the encoder's cache; returns the texts embedded. The segments go first, then the
    pairs of neighbours the structure allows (with lazy pairs the alignment embeds only some of them, so
    these go a chunk at a time, until ``stop()`` says the alignment itself has begun).

    Used on the pages of a document read so far, while the rest are being read: the texts that do not
    change when the last pages come (all but the last segment or two of each side) are then ready."""
    if not ru or not kk:
        return 0
    cache = EmbeddingCache(encoder, prompt=cfg.prompt)
    sides = [(segs, segment_features(segs, cache, lazy=True)) for segs in (ru, kk)]
    for segs, side in sides:
        allowed = np.flatnonzero(side.inexact)
        for k in range(0, len(allowed), PAIR_CHUNK):
            if stop():
                return cache.encoded
            embed_pairs(side, segs, cache, allowed[k : k + PAIR_CHUNK])
    return cache.encoded


PAIR_CHUNK = 16
"""Pairs embedded ahead between two looks at ``stop``."""


def align_segments(
    ru: Sequence[Segment],
    kk: Sequence[Segment],
    *,
    encoder: Encoder | EncodeFn | EmbeddingCache,
    cfg: AlignConfig = AlignConfig(),
) -> list[Pair]:
    """Align the RU part with the KK part: pairs covering every index of both exactly once, in order."""
    cache = encoder if isinstance(encoder, EmbeddingCache) else EmbeddingCache(encoder, prompt=cfg.prompt)
    if not ru or not kk:
        return [Pair((i,), (), 0.0, ("move=1-0", "unpaired")) for i in range(len(ru))] + [
            Pair((), (j,), 0.0, ("move=0-1", "unpaired")) for j in range(len(kk))
        ]
    fr, fk = segment_features(ru, cache, lazy=True), segment_features(kk, cache, lazy=True)
    allowed = int(fr.inexact.sum() + fk.inexact.sum())
    # on a short document the pairs drawn as normalisers are most of its pairs: all at once
    lazily = cfg.pair_margin is not None and allowed > 2 * cfg.norm_samples
    path = (_align_lazily if lazily else _align_eagerly)(fr, fk, ru, kk, cache, cfg)
    return score_pairs(path, fr, fk)

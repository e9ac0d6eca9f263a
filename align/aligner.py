"""Paragraph alignment: Vecalign-style dynamic programming over RU and KK segments.

Layout (after vecalign's ``dp_utils``): the move set is data (:data:`MOVES`);
features (:func:`side_features`), costs (:func:`move_costs`), the DP
(:func:`dp`), the traceback (:func:`traceback`) and scoring (:func:`score_pairs`)
are separate functions. :func:`align_segments` strings them together.

Cost of aligning RU group *x* with KK group *y* (each one or two consecutive
segments; a group's embedding is that of its concatenated text):

* ``2·(1 − cos(x, y)) / (n(x) + n(y))`` where ``n(x)`` is the mean of
  ``1 − cos(x, y')`` over seeded random KK segments ``y'`` (and vice versa):
  Vecalign's normalisation, which calibrates the narrow similarity range of
  e5-type encoders per segment;
* minus an **anchor** bonus — the weighted share of anchors both groups hold
  (digits, normalised dates, ``№`` numbers, surnames folded to a common key),
  rare anchors weighing more — plus a penalty when both hold anchors and share
  none;
* plus a **length** penalty ``|log(len ratio) − typical log ratio|``;
* plus **structure**: a table row only aligns with table rows (other
  pairings are forbidden), list items prefer list items (soft penalty).

The cost is weighted by ``(a + b) / 2`` so that a 2-2 merge costs what two 1-1
pairs would, plus a small merge penalty. A skip (1-0 or 0-1) costs a
percentile of sampled random-pair costs times ``skip_scale`` (seeded sampling).

Short documents (``n·m ≤ full_limit²``) get the full DP. Longer ones are
aligned coarse-to-fine as in Vecalign: blocks of ``coarse_factor`` segments are
averaged and aligned recursively, and the fine DP runs only within ``band``
cells of the projected coarse path, so time and memory grow linearly with
document length.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from align.entities import extract_entities
from align.normalize import loose_fold
from qostil.errors import AlignmentError
from qostil.records import Pair, Segment

log = logging.getLogger(__name__)

MOVES: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 0), (0, 1))
_INF = float("inf")


@dataclass(frozen=True, slots=True)
class AlignConfig:
    """Every knob of the aligner; the defaults were tuned on the sample filing's gold alignment."""

    full_limit: int = 300
    """Full DP when ``n * m <= full_limit ** 2``; banded coarse-to-fine DP above."""
    band: int = 10
    """Half-width (in segments) of the search band around the projected coarse path."""
    coarse_factor: int = 8
    """Segments per block at each coarser level."""
    skip_percentile: float = 5.0
    """Percentile of sampled random 1-1 costs that sets the skip (1-0/0-1) penalty."""
    skip_scale: float = 0.5
    skip_samples: int = 400
    norm_samples: int = 24
    """How many random segments of the other side normalise each group's similarity."""
    anchor_weight: float = 0.3
    anchor_miss: float = 0.15
    length_weight: float = 0.25
    merge_penalty: float = 0.4
    continuation_bonus: float = 0.5
    """Taken off a merge whose second segment continues the first (a table row with an empty first cell)."""
    list_penalty: float = 0.1
    seed: int = 0
    prompt: str | None = "passage"


class Encoder(Protocol):
    def encode(self, texts: Sequence[str], **kwargs: Any) -> np.ndarray: ...


EncodeFn = Callable[[Sequence[str]], np.ndarray]


class EmbeddingCache:
    """Embeds texts through an encoder, caching by text hash so nothing is embedded twice."""

    def __init__(self, encoder: Encoder | EncodeFn, *, prompt: str | None = "passage") -> None:
        self._encode = _encode_fn(encoder, prompt)
        self._cache: dict[str, np.ndarray] = {}
        self.encoded = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
        todo = list(dict.fromkeys(k for k in keys if k not in self._cache))
        if todo:
            by_key = dict(zip(keys, texts))
            vecs = np.asarray(self._encode([by_key[k] for k in todo]), dtype=np.float32)
            if vecs.ndim != 2 or len(vecs) != len(todo):
                raise AlignmentError(f"The encoder returned an array of shape {vecs.shape} for {len(todo)} texts.")
            norms = np.linalg.norm(vecs, axis=1, keepdims=True)
            vecs = vecs / np.maximum(norms, 1e-12)
            for k, v in zip(todo, vecs):
                self._cache[k] = v
            self.encoded += len(todo)
        if not keys:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self._cache[k] for k in keys])


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


# ---------------------------------------------------------------- features


@dataclass(slots=True)
class SideFeatures:
    """One side's groups of 1 and 2 consecutive segments; ``[k][s]`` is the group of size k starting at s."""

    emb: dict[int, np.ndarray]
    length: dict[int, np.ndarray]
    anchors: dict[int, list[frozenset[str]]]
    table: dict[int, np.ndarray]  # 0 none, 1 all table rows, 2 mixed
    listy: dict[int, np.ndarray]
    cont: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """cont[s] = 1 when segment s + 1 continues segment s (a 2-group that belongs together)."""
    norm: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.length[1])


def segment_anchors(text: str, lang: str) -> frozenset[str]:
    """Anchors both languages share: dates, numbers, № numbers and surname keys."""
    out: set[str] = set()
    for e in extract_entities(text, lang):
        if e.kind in ("date", "number"):
            out.add(f"{e.kind}:{e.key}")
        elif e.kind == "name":
            for p in e.parts:
                if p.role == "surname":
                    out.add("name:" + loose_fold(p.text)[:5])
    return frozenset(out)


def _pairs_of(values: list[Any], join: Callable[[Any, Any], Any]) -> list[Any]:
    return [join(values[i], values[i + 1]) for i in range(len(values) - 1)]


def side_features(
    emb1: np.ndarray,
    emb2: np.ndarray,
    lengths: Sequence[int],
    anchors: Sequence[frozenset[str]],
    *,
    kinds: Sequence[str] | None = None,
    continues: Sequence[bool] | None = None,
) -> SideFeatures:
    """Features of one side from its single-segment and two-segment-group embeddings."""
    n = len(lengths)
    kinds = list(kinds) if kinds is not None else ["paragraph"] * n
    table1 = np.array([1 if k == "table_row" else 0 for k in kinds], dtype=np.int8)
    list1 = np.array([1 if k == "list_item" else 0 for k in kinds], dtype=np.int8)
    len1 = np.asarray(lengths, dtype=np.float64)
    return SideFeatures(
        emb={1: emb1, 2: emb2},
        length={1: len1, 2: len1[:-1] + len1[1:] if n > 1 else np.zeros(0)},
        anchors={1: list(anchors), 2: _pairs_of(list(anchors), lambda a, b: a | b)},
        table={1: table1, 2: np.array([t if t == u else 2 for t, u in zip(table1[:-1], table1[1:])], dtype=np.int8)},
        listy={1: list1, 2: np.array([max(t, u) for t, u in zip(list1[:-1], list1[1:])], dtype=np.int8)},
        cont=np.array(list(continues or [False] * n)[1:], dtype=np.float64),
    )


@dataclass(slots=True)
class CostContext:
    ru: SideFeatures
    kk: SideFeatures
    cfg: AlignConfig
    weights: dict[str, float]
    log_ratio: float
    skip: float = 1.0


def make_context(ru: SideFeatures, kk: SideFeatures, cfg: AlignConfig) -> CostContext:
    """Normalisers, anchor weights, the typical length ratio and the seeded skip penalty."""
    rng = np.random.default_rng(cfg.seed)
    # norm[(g, h)][s]: mean of 1 - cos(group of size g at s, random groups of size h of the other
    # side). Normalising each move by its own sizes removes the bias of concatenated groups
    # towards higher similarity.
    for side, other in ((ru, kk), (kk, ru)):
        for h in (1, 2):
            pool = other.emb[h]
            k = min(cfg.norm_samples, len(pool))
            sample = pool[rng.choice(len(pool), size=k, replace=False)] if k else pool[:0]
            for g in (1, 2):
                e = side.emb[g]
                side.norm[(g, h)] = (1.0 - e @ sample.T).mean(axis=1) if k and len(e) else np.ones(len(e))
    df: dict[str, int] = {}
    for side in (ru, kk):
        for a in side.anchors[1]:
            for x in a:
                df[x] = df.get(x, 0) + 1
    weights = {x: 1.0 / math.log2(1 + c) for x, c in df.items()}
    total_ru, total_kk = ru.length[1].sum(), kk.length[1].sum()
    log_ratio = math.log((total_kk + 1) / (total_ru + 1))
    ctx = CostContext(ru, kk, cfg, weights, log_ratio)
    if ru.n and kk.n:
        m = cfg.skip_samples
        ii = rng.integers(1, ru.n + 1, size=m)
        jj = rng.integers(1, kk.n + 1, size=m)
        # sample off the diagonal, where true pairs are unlikely, so short documents
        # do not drag the skip penalty down with their own good pairs
        off = np.abs(ii / ru.n - jj / kk.n) > max(0.1, 1.5 / max(ru.n, kk.n))
        if off.sum() >= 10:
            ii, jj = ii[off], jj[off]
        costs = np.array([move_costs(ctx, 1, 1, int(i), np.array([j]))[0] for i, j in zip(ii, jj)])
        costs = costs[np.isfinite(costs)]
        if len(costs):
            ctx.skip = float(np.percentile(costs, cfg.skip_percentile)) * cfg.skip_scale
    return ctx


def move_costs(ctx: CostContext, a: int, b: int, i: int, js: np.ndarray) -> np.ndarray:
    """Costs of the move (a, b) ending at DP cell (i, j) for every j in ``js``: RU ``[i-a, i)`` vs KK ``[j-b, j)``."""
    cfg, ru, kk = ctx.cfg, ctx.ru, ctx.kk
    if a == 0 or b == 0:
        return np.full(len(js), ctx.skip)
    s = i - a
    ts = js - b
    cos = kk.emb[b][ts] @ ru.emb[a][s]
    sem = 2.0 * (1.0 - cos) / np.maximum(ru.norm[(a, b)][s] + kk.norm[(b, a)][ts], 1e-6)
    lr = np.log((kk.length[b][ts] + 10.0) / (ru.length[a][s] + 10.0)) - ctx.log_ratio
    cost = sem + cfg.length_weight * np.abs(lr)
    ra = ru.anchors[a][s]
    if ra:
        wr = sum(ctx.weights.get(x, 1.0) for x in ra)
        adj = np.zeros(len(js))
        for n, t in enumerate(ts):
            ka = kk.anchors[b][t]
            if not ka:
                continue
            shared = ra & ka
            if shared:
                wk = sum(ctx.weights.get(x, 1.0) for x in ka)
                adj[n] = -cfg.anchor_weight * sum(ctx.weights.get(x, 1.0) for x in shared) / max(wr, wk)
            else:
                adj[n] = cfg.anchor_miss
        cost = cost + adj
    rt = ru.table[a][s]
    kt = kk.table[b][ts]
    cost = np.where((rt == 2) | (kt == 2) | (kt != rt), _INF, cost)
    cost = cost + cfg.list_penalty * (kk.listy[b][ts] != ru.listy[a][s])
    cost = (a + b) / 2.0 * cost + (cfg.merge_penalty if a + b > 2 else 0.0)
    if a == 2 and len(ru.cont):
        cost = cost - cfg.continuation_bonus * ru.cont[s]
    if b == 2 and len(kk.cont):
        cost = cost - cfg.continuation_bonus * kk.cont[ts]
    return cost


# ---------------------------------------------------------------- DP


@dataclass(slots=True)
class DPResult:
    lo: np.ndarray
    hi: np.ndarray
    cost: list[np.ndarray]
    back: list[np.ndarray]

    @property
    def cells(self) -> int:
        return int((self.hi - self.lo + 1).sum())


def full_band(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """The band that covers every DP cell."""
    return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)


def dp(ctx: CostContext, lo: np.ndarray, hi: np.ndarray) -> DPResult:
    """Minimum-cost DP over the cells ``lo[i] <= j <= hi[i]`` of rows ``0..n``."""
    n, m = ctx.ru.n, ctx.kk.n
    if lo[0] != 0 or hi[n] != m:
        raise AlignmentError("The search band must contain the start and the end of both documents.")
    cost_rows: list[np.ndarray] = []
    back_rows: list[np.ndarray] = []
    skip_mv = MOVES.index((0, 1))
    for i in range(n + 1):
        js = np.arange(lo[i], hi[i] + 1)
        best = np.full(len(js), _INF)
        arg = np.full(len(js), -1, dtype=np.int8)
        if i == 0:
            best[js == 0] = 0.0
        for k, (a, b) in enumerate(MOVES):
            if a == 0 or i - a < 0:
                continue
            plo, phi = lo[i - a], hi[i - a]
            jp = js - b
            valid = (jp >= plo) & (jp <= phi) & (jp >= 0)
            if not valid.any():
                continue
            prev = cost_rows[i - a][jp[valid] - plo]
            ok = np.isfinite(prev)
            if not ok.any():
                continue
            idx = np.flatnonzero(valid)[ok]
            cand = prev[ok] + move_costs(ctx, a, b, i, js[idx])
            better = cand < best[idx]
            best[idx[better]] = cand[better]
            arg[idx[better]] = k
        # (0, 1): best[j] = min(best[j], best[j-1] + skip), left to right, vectorised.
        if len(js) > 1:
            steps = np.arange(len(js)) * ctx.skip
            with np.errstate(invalid="ignore"):
                run = np.minimum.accumulate(best - steps) + steps
            better = run < best - 1e-12
            best = np.where(better, run, best)
            arg = np.where(better, skip_mv, arg).astype(np.int8)
        cost_rows.append(best)
        back_rows.append(arg)
    return DPResult(lo, hi, cost_rows, back_rows)


def traceback(res: DPResult) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """The alignment path, as (RU indices, KK indices) groups in order."""
    i, j = len(res.lo) - 1, int(res.hi[-1])
    if not np.isfinite(res.cost[i][j - res.lo[i]]):
        raise AlignmentError("No alignment path was found inside the search band.")
    path: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    while i > 0 or j > 0:
        k = int(res.back[i][j - res.lo[i]])
        if k < 0:
            raise AlignmentError("The alignment traceback left the search band.")
        a, b = MOVES[k]
        path.append((tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    path.reverse()
    return path


def band_from_path(
    path: Sequence[tuple[tuple[int, ...], tuple[int, ...]]], *, factor: int, n: int, m: int, width: int
) -> tuple[np.ndarray, np.ndarray]:
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


def _coarsen(side: SideFeatures, factor: int) -> SideFeatures:
    n = side.n
    blocks = [(s, min(n, s + factor)) for s in range(0, n, factor)]
    e1 = np.stack([side.emb[1][a:b].mean(axis=0) for a, b in blocks])
    e1 /= np.maximum(np.linalg.norm(e1, axis=1, keepdims=True), 1e-12)
    e2 = (e1[:-1] + e1[1:]) if len(e1) > 1 else e1[:0]
    if len(e2):
        e2 /= np.maximum(np.linalg.norm(e2, axis=1, keepdims=True), 1e-12)
    lengths = [int(side.length[1][a:b].sum()) for a, b in blocks]
    anchors = [frozenset().union(*side.anchors[1][a:b]) for a, b in blocks]
    return side_features(e1, e2, lengths, anchors)


def align_features(ru: SideFeatures, kk: SideFeatures, cfg: AlignConfig) -> tuple[list[tuple[tuple[int, ...], tuple[int, ...]]], DPResult]:
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
    return traceback(res), res


# ---------------------------------------------------------------- scoring and entry point


def score_pairs(
    path: Sequence[tuple[tuple[int, ...], tuple[int, ...]]], ru: SideFeatures, kk: SideFeatures
) -> list[Pair]:
    """Pairs with a score (cosine of the group embeddings; 0 for 1-0/0-1) and the evidence behind it."""
    out: list[Pair] = []
    for r, k in path:
        if not r or not k:
            out.append(Pair(r, k, 0.0, (f"move={len(r)}-{len(k)}", "unpaired")))
            continue
        cos = float(ru.emb[len(r)][r[0]] @ kk.emb[len(k)][k[0]])
        shared = sorted(ru.anchors[len(r)][r[0]] & kk.anchors[len(k)][k[0]])
        ev = [f"move={len(r)}-{len(k)}", f"cos={cos:.3f}"]
        if shared:
            ev.append("anchors=" + ",".join(shared[:8]))
        out.append(Pair(r, k, round(max(0.0, cos), 4), tuple(ev)))
    return out


def segment_features(segments: Sequence[Segment], cache: EmbeddingCache) -> SideFeatures:
    """Embeddings (single segments and adjacent pairs, concatenated), lengths, anchors and kinds."""
    texts = [s.text for s in segments]
    pairs = [texts[i] + "\n" + texts[i + 1] for i in range(len(texts) - 1)]
    emb = cache.embed(texts + pairs)
    e1, e2 = emb[: len(texts)], emb[len(texts) :]
    anchors = [segment_anchors(s.text, s.lang if s.lang in ("ru", "kk") else "ru") for s in segments]
    return side_features(
        e1, e2.reshape(-1, e1.shape[1]), [len(t) for t in texts], anchors,
        kinds=[s.kind for s in segments], continues=[is_continuation(s) for s in segments],
    )


def is_continuation(seg: Segment) -> bool:
    """A table row whose first cell is empty continues the row before it (a row broken across lines or pages)."""
    if seg.kind != "table_row":
        return False
    return (bool(seg.cells) and not seg.cells[0].strip()) or (not seg.cells and seg.text.startswith("\t"))


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
    fr, fk = segment_features(ru, cache), segment_features(kk, cache)
    path, _ = align_features(fr, fk, cfg)
    return score_pairs(path, fr, fk)

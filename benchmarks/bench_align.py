"""Paragraph alignment benchmark: qostil vs sentalign (Vecalign DP) vs a greedy similarity baseline.

Run from the repository root::

    .venv/bin/python benchmarks/bench_align.py [--sizes 100 1000 10000] [--sentalign-max 10000]

All three use the same encoder (``models.load_encoder()``, multilingual-e5-small, ``passage``
prompt) through one in-memory cache, so the embedding time is measured apart: each method's
texts (sentalign: its overlap concatenations up to ``alignment_max_size``; qostil: segments
and adjacent pairs; greedy: segments) are embedded first, then the alignment itself is timed
with every embedding already cached. Peak memory is the ``tracemalloc`` peak of a second,
traced run of the alignment (numpy buffers included).

Quality: strict and lax precision/recall/F1 (:mod:`align.metrics`) on the gold set in
``tests/data/gold`` (the sample filing and three real acts). Growth: synthetic long
documents of 100, 1 000 and 10 000 RU paragraphs made by concatenating the gold documents
again and again, in a fresh seeded random order of documents per round (the same order on
both sides), cut to size at a group boundary; their gold is the concatenated gold.
Writes ``benchmarks/RESULTS-align.md``.
"""

from __future__ import annotations

import argparse
import bisect
import logging
import os
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from align.aligner import AlignConfig, align_segments  # noqa: E402
from align.embed import EmbeddingCache  # noqa: E402
from align.metrics import GoldDoc, lax_scores, read_gold, strict_scores  # noqa: E402
from qostil.records import Segment  # noqa: E402

if TYPE_CHECKING:
    from models.encoder import Encoder

log = logging.getLogger(__name__)
GOLD = ROOT / "tests" / "data" / "gold"
Group = tuple[tuple[int, ...], tuple[int, ...]]


class TimedEncoder:
    """The project encoder behind a text-keyed cache, timing every call that reaches the model."""

    def __init__(self, encoder) -> None:  # type: ignore[no-untyped-def]
        self.encoder = encoder
        self.cache: dict[str, np.ndarray] = {}
        self.seconds = 0.0
        self.texts = 0

    def encode(self, texts: Sequence[str], **_: object) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if todo:
            t0 = time.perf_counter()
            vecs = self.encoder.encode(todo, prompt="passage")
            self.seconds += time.perf_counter() - t0
            self.texts += len(todo)
            self.cache.update(zip(todo, np.asarray(vecs, dtype=np.float32)))
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)


# ---------------------------------------------------------------- the three aligners


def run_qostil(ru: list[Segment], kk: list[Segment], enc: TimedEncoder | Encoder) -> list[Group]:
    pairs = align_segments(ru, kk, encoder=EmbeddingCache(enc), cfg=AlignConfig())
    return [(p.ru, p.kk) for p in pairs]


def warm_qostil(ru: list[Segment], kk: list[Segment], enc: TimedEncoder) -> None:
    cache = EmbeddingCache(enc)
    for side in (ru, kk):
        texts = [s.text for s in side]
        cache.embed(texts + [texts[i] + "\n" + texts[i + 1] for i in range(len(texts) - 1)])


SENTALIGN_MAX = 8  # the package default alignment_max_size


def run_sentalign(ru: list[Segment], kk: list[Segment], enc: TimedEncoder) -> list[Group]:
    from sentalign import sentalign

    res = sentalign([s.text for s in ru], [s.text for s in kk], encoder=enc, alignment_max_size=SENTALIGN_MAX)
    return [(tuple(a.src_indices), tuple(a.tgt_indices)) for a in res.alignments]


def warm_sentalign(ru: list[Segment], kk: list[Segment], enc: TimedEncoder) -> None:
    from sentalign.dp_utils import layer, preprocess_line

    for side in (ru, kk):
        lines = [preprocess_line(s.text) for s in side]
        for k in range(1, SENTALIGN_MAX + 1):
            enc.encode(layer(lines, k))


def run_greedy(ru: list[Segment], kk: list[Segment], enc: TimedEncoder, *, threshold: float = 0.8, top: int = 4, chunk: int = 1024) -> list[Group]:
    """Plain similarity: take (RU, KK) pairs by falling cosine, skipping used or order-crossing ones."""
    er = enc.encode([s.text for s in ru])
    ek = enc.encode([s.text for s in kk])
    cand: list[tuple[float, int, int]] = []
    for r0 in range(0, len(er), chunk):
        sim = er[r0 : r0 + chunk] @ ek.T
        k = min(top, sim.shape[1])
        idx = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        for r, row in enumerate(idx):
            cand.extend((float(sim[r, j]), r0 + r, int(j)) for j in row if sim[r, j] >= threshold)
    cand.sort(reverse=True)
    used_r: set[int] = set()
    used_k: set[int] = set()
    rs: list[int] = []  # accepted RU indices, sorted; ks kept in the same order (monotone)
    ks: list[int] = []
    for _, i, j in cand:
        if i in used_r or j in used_k:
            continue
        p = bisect.bisect_left(rs, i)
        if (p > 0 and ks[p - 1] > j) or (p < len(ks) and ks[p] < j):
            continue
        rs.insert(p, i)
        ks.insert(p, j)
        used_r.add(i)
        used_k.add(j)
    out: list[Group] = []
    pi = pj = 0
    for i, j in zip(rs + [len(ru)], ks + [len(kk)]):
        out += [((x,), ()) for x in range(pi, i)] + [((), (y,)) for y in range(pj, j)]
        if i < len(ru):
            out.append(((i,), (j,)))
        pi, pj = i + 1, j + 1
    return out


METHODS: dict[str, tuple[Callable[..., list[Group]], Callable[..., None] | None]] = {
    "qostil": (run_qostil, warm_qostil),
    "sentalign 0.3.0": (run_sentalign, warm_sentalign),
    "greedy cosine": (run_greedy, None),
}


# ---------------------------------------------------------------- documents


def gold_docs() -> list[GoldDoc]:
    return [read_gold(p) for p in sorted(GOLD.glob("*.align.json"))]


def long_document(docs: Sequence[GoldDoc], n: int, *, seed: int = 0) -> GoldDoc:
    """Concatenate the gold documents in seeded random orders until the RU side has ``n`` segments."""
    rng = np.random.default_rng(seed)
    ru: list[Segment] = []
    kk: list[Segment] = []
    groups: list[Group] = []
    while len(ru) < n:
        for d in rng.permutation(len(docs)):
            doc = docs[int(d)]
            for r, k in doc.groups:
                if len(ru) + len(r) > n:
                    break
                groups.append((tuple(len(ru) + x for x in range(len(r))), tuple(len(kk) + x for x in range(len(k)))))
                ru += [doc.ru[x] for x in r]
                kk += [doc.kk[x] for x in k]
            if len(ru) >= n or len(ru) + 2 > n:
                break
        if len(ru) + 2 > n:
            break
    return GoldDoc(f"synthetic-{n}", ru, kk, groups)


# ---------------------------------------------------------------- measuring


def measure(name: str, doc: GoldDoc, enc: TimedEncoder, *, memory: bool = True) -> dict[str, float]:
    run, warm = METHODS[name]
    e0 = enc.seconds
    if warm is not None:
        warm(doc.ru, doc.kk, enc)
    t0 = time.perf_counter()
    pred = run(doc.ru, doc.kk, enc)
    elapsed = time.perf_counter() - t0
    embed = enc.seconds - e0  # warm-up embedding (and any miss during the run)
    peak = float("nan")
    if memory:
        tracemalloc.start()
        run(doc.ru, doc.kk, enc)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    s, lx = strict_scores(pred, doc.groups), lax_scores(pred, doc.groups)
    return {
        "time": elapsed, "embed": embed, "peak_mb": peak,
        "sp": s.precision, "sr": s.recall, "sf": s.f1, "lp": lx.precision, "lr": lx.recall, "lf": lx.f1,
    }


def cold_run(name: str, doc: GoldDoc, model_encoder) -> dict[str, float]:  # noqa: ANN001
    """One method from the texts to the groups, with an empty embedding cache and no disk cache:
    what a user waits for on a new document (embedding included, model already loaded)."""
    from models.encoder import Encoder

    fresh = Encoder(model_encoder.model, name=model_encoder.name, path=model_encoder.path, device=model_encoder.device,
                    disk_cache=None)
    enc = TimedEncoder(fresh)
    run, _ = METHODS[name]
    t0 = time.perf_counter()
    pred = run(doc.ru, doc.kk, enc)
    total = time.perf_counter() - t0
    s = strict_scores(pred, doc.groups)
    return {"total": total, "embed": enc.seconds, "texts": enc.texts, "sf": s.f1}


def cold_section(out: Callable[[str], None], docs: Sequence[GoldDoc], model_encoder) -> None:  # noqa: ANN001
    out("## End to end with cold caches (embedding + alignment, what a user waits for)")
    out()
    out("Each method on each document with a fresh, empty embedding cache (the model already loaded): "
        "sentalign embeds its overlap concatenations of 1–8 consecutive paragraphs, qostil its segments "
        "(long ones split and pooled) and adjacent pairs, greedy the segments.")
    out()
    out("| document | RU×KK | method | texts embedded | embed s | total s | × qostil | strict F1 |")
    out("|---|---|---|---|---|---|---|---|")
    totals: dict[str, float] = {m: 0.0 for m in METHODS}
    for doc in docs:
        runs = {m: cold_run(m, doc, model_encoder) for m in METHODS}
        for m, r in runs.items():
            totals[m] += r["total"]
            out(f"| {doc.name} | {len(doc.ru)}×{len(doc.kk)} | {m} | {r['texts']} | {r['embed']:.1f} | {r['total']:.1f} | "
                f"{r['total'] / runs['qostil']['total']:.1f}× | {r['sf']:.3f} |")
    out()
    out("Totals over these documents: " + ", ".join(
        f"{m} {t:.0f} s ({t / totals['qostil']:.1f}× qostil)" for m, t in totals.items()))
    out()


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import torch

    return f"{cpu}, {cores} cores usable, Python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__} (CPU, {torch.get_num_threads()} threads)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    ap.add_argument("--sentalign-max", type=int, default=10000, help="largest synthetic size sentalign is run on")
    ap.add_argument("--cold", nargs="*", default=None, metavar="DOC",
                    help="also time each method end to end with cold caches on these gold documents "
                         "(no names: all of them); sentalign needs minutes per document")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS-align.md")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from models import load_encoder

    enc = TimedEncoder(load_encoder())
    docs = gold_docs()
    lines: list[str] = []

    def out(s: str = "") -> None:
        print(s, flush=True)
        lines.append(s)

    out("# Paragraph alignment benchmark")
    out()
    out(f"Command: `.venv/bin/python benchmarks/bench_align.py {' '.join(argv if argv is not None else sys.argv[1:])}`".replace(" `", " `").rstrip())
    out()
    out(f"Machine: {machine()}")
    out()
    out(f"Encoder: {enc.encoder!r}, prompt `passage`, the same cached embeddings for every method. sentalign 0.3.0 with its defaults (alignment_max_size={SENTALIGN_MAX}, del_percentile_frac=0.2, max_size_full_dp=300); greedy = pairs by falling cosine (≥ 0.8, top 4 per row), no reuse, no crossing, rest unpaired; qostil = `align.aligner.AlignConfig()` defaults.")
    out()
    out("## Quality on the gold set")
    out()
    out("| document | RU×KK | gold groups | method | strict P | strict R | strict F1 | lax P | lax R | lax F1 | align s | embed s |")
    out("|---|---|---|---|---|---|---|---|---|---|---|---|")
    totals: dict[str, dict[str, float]] = {m: {"hit": 0.0, "pred": 0.0, "gold": 0.0, "time": 0.0, "lf": 0.0} for m in METHODS}
    for doc in docs:
        for m in METHODS:
            r = measure(m, doc, enc, memory=False)
            out(f"| {doc.name} | {len(doc.ru)}×{len(doc.kk)} | {len(doc.groups)} | {m} | {r['sp']:.3f} | {r['sr']:.3f} | {r['sf']:.3f} | {r['lp']:.3f} | {r['lr']:.3f} | {r['lf']:.3f} | {r['time']:.2f} | {r['embed']:.1f} |")
            pred_n = r["sr"] * len(doc.groups) / r["sp"] if r["sp"] else 0.0
            t = totals[m]
            t["hit"] += r["sr"] * len(doc.groups)
            t["pred"] += pred_n
            t["gold"] += len(doc.groups)
            t["time"] += r["time"]
    out()
    out("Pooled over the gold set (micro-averaged strict scores, total alignment time):")
    out()
    out("| method | strict P | strict R | strict F1 | align s (total) |")
    out("|---|---|---|---|---|")
    for m, t in totals.items():
        p = t["hit"] / t["pred"] if t["pred"] else 0.0
        rc = t["hit"] / t["gold"]
        f = 2 * p * rc / (p + rc) if p + rc else 0.0
        out(f"| {m} | {p:.3f} | {rc:.3f} | {f:.3f} | {t['time']:.2f} |")
    out()
    out("## Growth with document length (synthetic: gold documents concatenated in random orders)")
    out()
    out("| RU paragraphs | RU×KK | method | align s | s per 1 000 | peak MB (tracemalloc) | embed s (this size, new texts) | strict F1 | lax F1 |")
    out("|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        doc = long_document(docs, n, seed=n)
        for m in METHODS:
            if m.startswith("sentalign") and n > args.sentalign_max:
                out(f"| {n} | {len(doc.ru)}×{len(doc.kk)} | {m} | not run (--sentalign-max {args.sentalign_max}) | | | | | |")
                continue
            r = measure(m, doc, enc, memory=True)
            out(f"| {n} | {len(doc.ru)}×{len(doc.kk)} | {m} | {r['time']:.2f} | {1000 * r['time'] / len(doc.ru):.2f} | {r['peak_mb']:.1f} | {r['embed']:.1f} | {r['sf']:.3f} | {r['lf']:.3f} |")
    out()
    if args.cold is not None:
        cold_section(out, [d for d in docs if not args.cold or d.name in args.cold], enc.encoder)
    out(f"Model texts embedded in this run: {enc.texts} ({enc.seconds:.0f} s inside the encoder; the project encoder's disk cache answers repeats across runs).")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

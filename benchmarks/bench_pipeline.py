"""Walking-pipeline benchmark: OCR accuracy and speed on the bundled sample, and the quick start's time.

Side by side in one run, on the same rendered pages of the sample filing
(``samples/inbox/*.pdf``, ground truth in ``samples/scans/*.gt.txt``):

* plain Tesseract (``tesseract page.png - -l rus+kaz``, no pre-processing), and
* ``qostil ocr`` (``ocr.engine.recognize_page`` + reading order, as the CLI prints it),

reporting CER, WER, Kazakh-letter recall and seconds per page, split into text
pages and pages with ruled tables; then the time of ``qostil run samples/inbox``.

    .venv/bin/python benchmarks/bench_pipeline.py            # writes benchmarks/RESULTS-pipeline.md
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.metrics import cer, kazakh_letters_kept, machine_description, wer  # noqa: E402

SAMPLE = REPO / "samples" / "inbox" / "kzhk-prospectus-amendment-2015.pdf"
GT_DIR = REPO / "samples" / "scans"


@dataclass
class PageScore:
    page: int
    has_table: bool
    engine: str
    cer: float
    wer: float
    kk_kept: tuple[int, int]
    seconds: float


def _ground_truth(number: int) -> tuple[str, bool]:
    stem = f"{SAMPLE.stem}.page-{number:03d}"
    meta = json.loads((GT_DIR / f"{stem}.gt.json").read_text(encoding="utf-8"))
    has_table = any(b.get("kind") == "table" or b.get("cells") for b in meta.get("blocks", []))
    return (GT_DIR / f"{stem}.gt.txt").read_text(encoding="utf-8"), has_table


def _plain_tesseract(png: Path) -> str:
    return subprocess.run(
        ["tesseract", str(png), "-", "-l", "rus+kaz"], capture_output=True, text=True, check=True
    ).stdout


def score_pages(pages: list[int]) -> list[PageScore]:
    from PIL import Image

    from ocr.engine import OcrConfig, recognize_page
    from ocr.layout import reading_order
    from ocr.sources import load_page

    cfg = OcrConfig()
    scores: list[PageScore] = []
    with tempfile.TemporaryDirectory() as tmp:
        for number in pages:
            truth, has_table = _ground_truth(number)
            source = load_page(SAMPLE, number, dpi=300)
            png = Path(tmp) / f"page-{number}.png"
            Image.fromarray(source.image).save(png, dpi=(300, 300))
            start = time.perf_counter()
            plain = _plain_tesseract(png)
            plain_s = time.perf_counter() - start
            start = time.perf_counter()
            ours = reading_order(recognize_page(source, cfg)).text
            ours_s = time.perf_counter() - start
            for engine, text, seconds in (("tesseract", plain, plain_s), ("qostil", ours, ours_s)):
                scores.append(
                    PageScore(number, has_table, engine, cer(truth, text), wer(truth, text),
                              kazakh_letters_kept(truth, text), seconds)
                )
            print(f"page {number}: plain CER {scores[-2].cer:.2%} ({plain_s:.1f}s), "
                  f"qostil CER {scores[-1].cer:.2%} ({ours_s:.1f}s)", flush=True)
    return scores


def time_quick_start() -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([str(REPO / ".venv" / "bin" / "qostil"), "run", str(SAMPLE.parent), "--out", out],
                       check=True, capture_output=True)
        return time.perf_counter() - start


def _summary_rows(scores: list[PageScore]) -> list[str]:
    rows = []
    for subset, keep in (("text pages", lambda s: not s.has_table), ("table pages", lambda s: s.has_table),
                         ("all pages", lambda s: True)):
        for engine in ("tesseract", "qostil"):
            sel = [s for s in scores if s.engine == engine and keep(s)]
            if not sel:
                continue
            kept, total = (sum(s.kk_kept[i] for s in sel) for i in (0, 1))
            rows.append(
                f"| {subset} | {engine} | {len(sel)} | {statistics.mean(s.cer for s in sel):.2%} | "
                f"{statistics.mean(s.wer for s in sel):.2%} | {kept / max(1, total):.2%} of {total} | "
                f"{statistics.mean(s.seconds for s in sel):.2f} |"
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="*", help="page numbers (default: all)")
    parser.add_argument("--skip-quick-start", action="store_true")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "RESULTS-pipeline.md")
    args = parser.parse_args()

    from ocr.sources import count_pages

    pages = args.pages or list(range(1, count_pages(SAMPLE) + 1))
    scores = score_pages(pages)
    quick = None if args.skip_quick_start else time_quick_start()
    plain_s = statistics.mean(s.seconds for s in scores if s.engine == "tesseract")
    ours_s = statistics.mean(s.seconds for s in scores if s.engine == "qostil")
    lines = [
        "# Walking pipeline: OCR on the bundled sample, and the quick start",
        "",
        f"Machine: {machine_description()}",
        "",
        "Command: `.venv/bin/python benchmarks/bench_pipeline.py`",
        "",
        "Clean rendered pages of the sample filing (300 DPI, DejaVu Sans), CER/WER against the renderer's exact",
        "ground truth (white space folded; tables read row by row, cells left to right).",
        "",
        "| pages | engine | n | CER | WER | Kazakh-letter recall | s/page |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *_summary_rows(scores),
        "",
        f"qostil / plain Tesseract time per page: {ours_s / plain_s:.2f}×",
        "",
        "Per page (CER): " + ", ".join(
            f"p{s.page}{'ᵗ' if s.has_table else ''} {s.cer:.2%}" for s in scores if s.engine == "qostil"
        ) + " (ᵗ = ruled table on the page)",
    ]
    if quick is not None:
        lines += ["", f"`qostil run samples/inbox --out OUT` (install done, encoder built): {quick:.0f} s wall."]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""OCR on degraded scans: plain Tesseract vs OCRmyPDF vs qostil, side by side in one run.

The test set is drawn by the project's renderer (:mod:`render`), so every page
has its exact ground truth:

* **text pages** — RU, KK and mixed (RU and KK paragraphs of one act taking
  turns) from the real act pairs in ``../shared/data/kzlaw-ministerial``,
  in 3 fonts (DejaVu Sans, FreeSerif, Noto Sans), at 3 levels: ``clean``,
  ``moderate`` (skew ≤ 2°, noise, blur, JPEG) and ``heavy`` (skew ≤ 4°, low
  contrast, ink spots, 200 DPI, salt and pepper); ``--per-cell`` pages per
  language × level × font;
* **table pages** — the first page of each of the bundled filing's ruled
  director tables (RU p. 1, KK p. 5; DejaVu Sans), at the same 3 levels; ground truth row by row,
  cells left to right.

Each page is written as a PNG with its DPI declared (what a scanner gives) and
as an image-only PDF. The engines:

* ``tesseract`` — ``tesseract page.png - -l rus+kaz`` (no pre-processing);
* ``ocrmypdf`` — ``ocrmypdf --deskew --clean --rotate-pages -l rus+kaz
  --force-ocr --output-type pdf --jobs 1`` on the image PDF, its text layer read
  with PyMuPDF;
* ``qostil`` — ``ocr.sources.load_page`` on the PNG, ``ocr.engine.recognize_page``
  with the default :class:`~ocr.engine.OcrConfig`, the page text in reading order.

CER and WER (white space folded), Kazakh-letter recall (see
:mod:`benchmarks.metrics`), and seconds per page: CPU (this process and its
children, :func:`resource.getrusage`) and wall. Results are cached per page and
engine in ``--cache`` (qostil's key includes a hash of the ``ocr/`` files that
decide the page text, so a changed pipeline is re-run and the baselines are not).

    .venv/bin/python benchmarks/bench_ocr.py                # writes benchmarks/RESULTS-ocr.md
    .venv/bin/python benchmarks/bench_ocr.py --engines qostil --levels heavy --per-cell 1
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import logging
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.metrics import KAZAKH_LETTERS, cer, kazakh_letter_recall, machine_description, wer  # noqa: E402

ACTS = REPO.parent / "shared" / "data" / "kzlaw-ministerial"  # the shared/ folder beside the checkout
FONTS = ("DejaVuSans", "FreeSerif", "NotoSans")
TABLE_FONTS = ("DejaVuSans",)
LEVELS = ("clean", "moderate", "heavy")
LANGS = ("ru", "kk", "mixed")
ENGINES = ("tesseract", "ocrmypdf", "qostil")
PAGE_CHARS = 1900
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "qostil-bench-ocr"


@dataclass(frozen=True, slots=True)
class BenchPage:
    id: str
    kind: str  # text | table
    lang: str  # ru | kk | mixed
    level: str
    font: str
    dpi: int
    truth: str


@dataclass(frozen=True, slots=True)
class Score:
    page: str
    kind: str
    lang: str
    level: str
    font: str
    engine: str
    cer: float
    wer: float
    kk_recall: float | None
    kk_total: int
    kk_kept: int
    cpu_s: float
    wall_s: float


# --------------------------------------------------------------------------- the test set


_SKIP = re.compile(r"<|\||```|^\s*>|^---|^\w+:\s")


_HOMOGLYPHS = str.maketrans("iIaeopcxyABCEHKMOPTX", "іІаеорсхуАВСЕНКМОРТХ")
_MIXED_WORD = re.compile(r"\b\w*[а-яёәғқңөұүһі]\w*\b", re.IGNORECASE)


def fix_homoglyphs(text: str) -> str:
    """Latin look-alike letters inside Cyrillic words made Cyrillic (the acts write Kazakh ``і`` as Latin ``i``
    in places; no engine can see the difference, so the ground truth takes the Cyrillic letter)."""
    return _MIXED_WORD.sub(lambda m: m.group(0).translate(_HOMOGLYPHS), text)


def act_paragraphs(path: Path) -> list[str]:
    """The running-text paragraphs of an act (markdown, front matter, tables and notes dropped)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    paras = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = " ".join(chunk.split())
        if not chunk or _SKIP.search(chunk):
            continue
        chunk = re.sub(r"[*_#]+", "", chunk).strip()
        chunk = re.sub(r"\[(\d+)\]", r"\1", chunk)
        if len(chunk) >= 40:
            paras.append(fix_homoglyphs(chunk))
    return paras


def act_pairs() -> list[tuple[list[str], list[str]]]:
    pairs = []
    for ru in sorted(ACTS.glob("*.ru.md")):
        kk = ru.with_name(ru.name.replace(".ru.md", ".kk.md"))
        if kk.exists():
            rp, kp = act_paragraphs(ru), act_paragraphs(kk)
            if sum(map(len, rp)) > 1500 and sum(map(len, kp)) > 1500:
                pairs.append((rp, kp))
    return pairs


def page_text(paras: list[str], start: int, limit: int = PAGE_CHARS) -> list[str]:
    """Paragraphs from ``start`` on (cyclic) until about ``limit`` characters."""
    out: list[str] = []
    n = 0
    i = start
    while n < limit and len(out) < len(paras):
        p = paras[i % len(paras)]
        if n + len(p) > limit * 1.3:
            p = p[: max(60, limit - n)].rsplit(" ", 1)[0]
        out.append(p)
        n += len(p)
        i += 1
    return out


def build_set(per_cell: int, *, levels: tuple[str, ...], langs: tuple[str, ...], fonts: tuple[str, ...],
              tables: bool) -> Iterator[tuple[BenchPage, np.ndarray]]:
    from render import render_document, render_sample
    from render.blocks import Paragraph
    from render.layout import Style

    pairs = act_pairs()
    style = Style(page_numbers=False, header="")
    for li, lang in enumerate(LANGS):
        if lang not in langs:
            continue
        for fi, font in enumerate(FONTS):
            if font not in fonts:
                continue
            for vi, level in enumerate(LEVELS):
                if level not in levels:
                    continue
                for k in range(per_cell):
                    n = ((li * 7 + fi * 3 + vi) * per_cell + k)
                    rp, kp = pairs[n % len(pairs)]
                    start = (n * 5) % 7
                    if lang == "ru":
                        paras = page_text(rp, start)
                    elif lang == "kk":
                        paras = page_text(kp, start)
                    else:
                        half_ru, half_kk = page_text(rp, start, PAGE_CHARS // 2), page_text(kp, start, PAGE_CHARS // 2)
                        paras = [p for pair in zip(half_ru, half_kk) for p in pair]
                    blocks = [Paragraph(text=p, indent_mm=10) for p in paras]
                    page = render_document(blocks, font=font, degrade=level, seed=1000 + n, style=style)[0]
                    yield BenchPage(f"{lang}-{font}-{level}-{k}", "text", lang, level, font, page.dpi, page.text()), page.image
    if not tables:
        return
    for font in TABLE_FONTS:
        if font not in fonts and font not in FONTS:
            continue
        for level in levels:
            pages = render_sample(font=font, degrade=level, seed=7)
            has_table = [any(line.kind == "table_row" for line in page.lines) for page in pages]
            for i, page in enumerate(pages):
                if has_table[i] and not (i and has_table[i - 1]):  # the first page of each table
                    lang = "kk" if sum(c in KAZAKH_LETTERS for c in page.text()) > 20 else "ru"
                    if lang not in langs and "mixed" not in langs:
                        continue
                    yield (BenchPage(f"table-p{page.number}-{font}-{level}", "table", lang, level, font, page.dpi,
                                     page.text()), page.image)


# --------------------------------------------------------------------------- engines


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def run_tesseract(png: Path, pdf: Path) -> str:
    return subprocess.run(["tesseract", str(png), "-", "-l", "rus+kaz"], capture_output=True, text=True,
                          check=True).stdout


def run_ocrmypdf(png: Path, pdf: Path) -> str:
    import pymupdf

    out = pdf.with_name(pdf.stem + ".ocr.pdf")
    proc = subprocess.run(
        ["ocrmypdf", "--deskew", "--clean", "--rotate-pages", "-l", "rus+kaz", "--force-ocr", "--output-type", "pdf",
         "--jobs", "1", "-q", str(pdf), str(out)],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"ocrmypdf failed ({proc.returncode}): {proc.stderr[-2000:]}")
    with pymupdf.open(out) as doc:
        return "\n".join(page.get_text("text") for page in doc)


def run_qostil(png: Path, pdf: Path) -> str:
    from ocr.engine import OcrConfig, recognize_page
    from ocr.layout import reading_order
    from ocr.sources import load_page

    return reading_order(recognize_page(load_page(png, 1), OcrConfig())).text


RUNNERS: dict[str, Callable[[Path, Path], str]] = {
    "tesseract": run_tesseract,
    "ocrmypdf": run_ocrmypdf,
    "qostil": run_qostil,
}


#: The files that decide a page's text (layout's segments, langid and clean do not).
QOSTIL_TEXT_FILES = ("_tesseract.py", "confusables.py", "engine.py", "preprocess.py", "sources.py", "tables.py")


_FORCED_VERSION: str | None = None


@functools.cache
def qostil_version() -> str:
    """Hashed once per run, when the code is imported, so a file edited mid-run does not mislabel results."""
    if _FORCED_VERSION:
        return _FORCED_VERSION
    h = hashlib.sha256()
    for path in sorted((REPO / "ocr").glob("*.py")):
        if path.name not in QOSTIL_TEXT_FILES:
            continue
        h.update(path.read_bytes())
    return h.hexdigest()[:10]


def write_inputs(page: BenchPage, image: np.ndarray, folder: Path, digest: str) -> tuple[Path, Path]:
    from PIL import Image

    png, pdf = folder / f"{page.id}.{digest}.png", folder / f"{page.id}.{digest}.pdf"
    img = Image.fromarray(image, mode="L")
    for path, kwargs in ((png, {"format": "PNG", "dpi": (page.dpi, page.dpi)}),
                         (pdf, {"format": "PDF", "resolution": float(page.dpi)})):
        if not path.exists():  # written whole, then renamed: two runs may share the cache
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            img.save(tmp, **kwargs)
            os.replace(tmp, path)
    return png, pdf


def score_page(page: BenchPage, image: np.ndarray, engines: tuple[str, ...], cache: Path, *,
               cached_only: bool = False) -> list[Score]:
    digest = hashlib.sha256(image.tobytes()).hexdigest()[:10]
    folder = cache / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    png, pdf = write_inputs(page, image, folder, digest)
    scores = []
    for engine in engines:
        key = f"{page.id}.{digest}.{engine}" + (f".{qostil_version()}" if engine == "qostil" else "")
        hit = cache / "results" / f"{key}.json"
        if hit.exists():
            res = json.loads(hit.read_text(encoding="utf-8"))
        elif cached_only:
            continue
        else:
            cpu0, wall0 = _cpu(), time.perf_counter()
            text = RUNNERS[engine](png, pdf)
            res = {"text": text, "cpu_s": _cpu() - cpu0, "wall_s": time.perf_counter() - wall0}
            hit.parent.mkdir(parents=True, exist_ok=True)
            hit.write_text(json.dumps(res, ensure_ascii=False), encoding="utf-8")
        ref = Counter(c for c in page.truth if c in KAZAKH_LETTERS)
        hyp = Counter(c for c in res["text"] if c in KAZAKH_LETTERS)
        total, kept = sum(ref.values()), sum((ref & hyp).values())
        scores.append(Score(
            page.id, page.kind, page.lang, page.level, page.font, engine, cer(page.truth, res["text"]),
            wer(page.truth, res["text"]), kazakh_letter_recall(page.truth, res["text"]) if total else None,
            total, kept, res["cpu_s"], res["wall_s"],
        ))
    return scores


# --------------------------------------------------------------------------- report


def _mean(xs: list[float]) -> float:
    return statistics.mean(xs) if xs else float("nan")


def _row(label: str, engine: str, sel: list[Score]) -> str:
    total = sum(s.kk_total for s in sel)
    kk_s = f"{sum(s.kk_kept for s in sel) / total:.2%} ({total})" if total else "–"
    return (f"| {label} | {engine} | {len(sel)} | {_mean([s.cer for s in sel]):.2%} | {_mean([s.wer for s in sel]):.2%} "
            f"| {kk_s} | {_mean([s.cpu_s for s in sel]):.1f} | {_mean([s.wall_s for s in sel]):.1f} |")


def summary(scores: list[Score], engines: tuple[str, ...]) -> list[str]:
    head = ["| pages | engine | n | CER | WER | KK-letter recall (letters) | CPU s/page | wall s/page |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    out = ["### Text pages by level", "", *head]
    for level in LEVELS:
        for engine in engines:
            sel = [s for s in scores if s.kind == "text" and s.level == level and s.engine == engine]
            if sel:
                out.append(_row(f"text, {level}", engine, sel))
    out += ["", "### Table pages by level (row by row, cells left to right)", "", *head]
    for level in LEVELS:
        for engine in engines:
            sel = [s for s in scores if s.kind == "table" and s.level == level and s.engine == engine]
            if sel:
                out.append(_row(f"table, {level}", engine, sel))
    out += ["", "### Text pages by level and language", "", *head]
    for level in LEVELS:
        for lang in LANGS:
            for engine in engines:
                sel = [s for s in scores if s.kind == "text" and s.level == level and s.lang == lang and s.engine == engine]
                if sel:
                    out.append(_row(f"{lang}, {level}", engine, sel))
    out += ["", "### Text pages by font", "", *head]
    for font in FONTS:
        for engine in engines:
            sel = [s for s in scores if s.kind == "text" and s.font == font and s.engine == engine]
            if sel:
                out.append(_row(font, engine, sel))
    out += ["", "### All pages", "", *head]
    for engine in engines:
        sel = [s for s in scores if s.engine == engine]
        if sel:
            out.append(_row("all", engine, sel))
    return out


def per_page(scores: list[Score], engines: tuple[str, ...]) -> list[str]:
    by_page: dict[str, dict[str, Score]] = {}
    for s in scores:
        by_page.setdefault(s.page, {})[s.engine] = s
    return [f"- {page}: " + " / ".join(f"{by[e].cer:.2%}" if e in by else "–" for e in engines)
            for page, by in by_page.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-cell", type=int, default=1, help="text pages per language × level × font")
    parser.add_argument("--levels", nargs="*", default=list(LEVELS))
    parser.add_argument("--langs", nargs="*", default=list(LANGS))
    parser.add_argument("--fonts", nargs="*", default=list(FONTS))
    parser.add_argument("--engines", nargs="*", default=list(ENGINES))
    parser.add_argument("--no-tables", action="store_true")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "RESULTS-ocr.md")
    parser.add_argument("--scores", type=Path, help="also write every page's scores as JSONL here")
    parser.add_argument("--qostil-version", help="report the cached qostil results of this code version "
                        "(the hash printed at the start of a run) instead of the current one")
    parser.add_argument("--reverse", action="store_true",
                        help="read the set last page first (a second run from the other end shares the cache)")
    parser.add_argument("--cached-only", action="store_true",
                        help="report only what the cache holds (pages an engine has not read yet are left out)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    engines = tuple(e for e in ENGINES if e in args.engines)

    global _FORCED_VERSION
    _FORCED_VERSION = args.qostil_version
    if "qostil" in engines:
        print(f"qostil code version {qostil_version()}", flush=True)
        import ocr.engine  # noqa: F401  (imported with the code the version names)
    scores: list[Score] = []
    start = time.perf_counter()
    test_set = build_set(args.per_cell, levels=tuple(args.levels), langs=tuple(args.langs),
                         fonts=tuple(args.fonts), tables=not args.no_tables)
    if args.reverse:
        test_set = reversed(list(test_set))
    for page, image in test_set:
        page_scores = score_page(page, image, engines, args.cache, cached_only=args.cached_only)
        if args.cached_only and len(page_scores) < len(engines):
            continue  # compare engines on the same pages only
        scores.extend(page_scores)
        print(f"{page.id}: " + ", ".join(f"{s.engine} {s.cer:.2%} ({s.cpu_s:.1f}s)" for s in page_scores), flush=True)
    total = time.perf_counter() - start
    if args.scores:
        args.scores.write_text("".join(json.dumps(asdict(s), ensure_ascii=False) + "\n" for s in scores),
                               encoding="utf-8")
    argv = " ".join(sys.argv[1:])
    lines = [
        "# OCR on degraded scans: plain Tesseract, OCRmyPDF and qostil",
        "",
        f"Machine: {machine_description()}; OCRmyPDF "
        f"{subprocess.run(['ocrmypdf', '--version'], capture_output=True, text=True).stdout.strip()}.",
        "",
        f"Command: `OMP_THREAD_LIMIT=1 .venv/bin/python benchmarks/bench_ocr.py{(' ' + argv) if argv else ''}` "
        f"({len({s.page for s in scores})} pages, {total / 60:.0f} min wall on a machine shared with other jobs).",
        "",
        "Pages drawn by `render` (ground truth exact): text pages from the kzlaw-ministerial act pairs "
        "(RU, KK, mixed RU/KK paragraphs) in DejaVu Sans, FreeSerif and Noto Sans; table pages are the sample "
        "filing's director-table pages. Levels are `render.PRESETS`: clean; moderate (skew ≤ 2°, Gaussian noise, "
        "blur, JPEG 35–55); heavy (skew ≤ 4°, low contrast, ink spots, 200 DPI, salt and pepper; see "
        "`render/degrade.py` for the exact ranges). Engines: "
        "`tesseract PNG - -l rus+kaz` (no pre-processing); `ocrmypdf --deskew --clean --rotate-pages -l rus+kaz "
        "--force-ocr --output-type pdf --jobs 1` on an image-only PDF, text read with PyMuPDF; qostil "
        "(`ocr.recognize_page`, default config, on the PNG). CER/WER with white space folded; KK-letter recall over "
        "all the Kazakh-only letters of the group's pages (kept / in the ground truth, multiset per page); CPU = user+sys of the process and its children (OMP_THREAD_LIMIT=1).",
        "",
        *summary(scores, engines),
        "",
        "CER, WER: mean over the group's pages. Per page (CER, tesseract / ocrmypdf / qostil):",
        "",
        *per_page(scores, engines),
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

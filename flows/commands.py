"""The work behind each CLI command, callable from tests without a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console

from flows.config import RunConfig
from qostil.errors import ExitCode, InputFileError


def run_ocr(file: Path, *, lang: str, dpi: int) -> Iterator[str]:
    """Yield the recognised text of each page of ``file``, in order."""
    from models import check_tesseract_languages
    from ocr.engine import OcrConfig, recognize_page
    from ocr.sources import iter_pages

    check_tesseract_languages(("rus", "kaz"))
    cfg = OcrConfig(lang=lang, dpi=dpi)
    for source in iter_pages(file, dpi=dpi):
        yield recognize_page(source, cfg).text


def run_ingest(
    inbox: Path, out: Path, *, model: str | None, console: Console, config: RunConfig | None = None
) -> ExitCode:
    """Run ``nightly_ingest`` once; print a summary; return the exit code for the outcome.

    0: everything processed or already done; 9: some files quarantined (the rest done);
    8: some files failed for a reason that may pass (left in the inbox); 10: another run holds OUT.
    """
    from dataclasses import replace

    from flows import progress
    from flows.pipeline import run_nightly
    from models import check_tesseract_languages

    if not inbox.is_dir():
        raise InputFileError(f"{inbox}: inbox folder not found.")
    cfg = config or RunConfig.from_env()
    if model:
        cfg = replace(cfg, model=model)
    check_tesseract_languages(("rus", "kaz"))
    out.mkdir(parents=True, exist_ok=True)
    with progress.progress_bars(console):
        summary = run_nightly(str(inbox), str(out), cfg)
    for result in summary.processed:
        console.print(
            f"[green]done[/green] {Path(result.source).name}: {result.discrepancies} finding(s) → {result.out_dir}",
            highlight=False,
        )
    for path in summary.skipped:
        console.print(f"[blue]skipped[/blue] {Path(path).name}: already processed", highlight=False)
    for q in summary.quarantined:
        console.print(
            f"[yellow]quarantined[/yellow] {Path(q.source).name}: {q.reason} (see {q.reason_path})", highlight=False
        )
    for path, reason in summary.failed.items():
        console.print(f"[red]failed[/red] {Path(path).name}: {reason} (left in the inbox)", highlight=False)
    console.print(
        f"processed {len(summary.processed)}, skipped {len(summary.skipped)}, "
        f"quarantined {len(summary.quarantined)}, failed {len(summary.failed)}; results in {out.resolve()}",
        highlight=False,
    )
    return summary.exit_code


def _text_parts(ru: Path, kk: Path) -> tuple[list, list]:
    from ocr.layout import segments_from_text

    for path in (ru, kk):
        if not path.is_file():
            raise InputFileError(f"{path}: file not found.")
    ru_segments = [s.with_(lang="ru") for s in segments_from_text(ru.read_text(encoding="utf-8"), doc_id="ru")]
    kk_segments = [s.with_(lang="kk") for s in segments_from_text(kk.read_text(encoding="utf-8"), doc_id="kk")]
    return ru_segments, kk_segments


def run_align(ru: Path, kk: Path, *, model: str | None) -> dict[str, Any]:
    """Align two text files; the ``{"pairs": [...]}`` contract of ``qostil align --json``."""
    from align.aligner import align_segments
    from models import load_encoder

    ru_segments, kk_segments = _text_parts(ru, kk)
    pairs = align_segments(ru_segments, kk_segments, encoder=load_encoder(model))
    return {"pairs": [{"ru": list(p.ru), "kk": list(p.kk), "score": round(p.score, 4)} for p in pairs]}


def run_check(ru: Path, kk: Path, *, model: str | None) -> dict[str, Any]:
    """Align and check two text files; the ``{"discrepancies": [...]}`` contract of ``qostil check --json``."""
    from align.aligner import align_segments
    from align.checks import check_pairs
    from models import load_encoder

    ru_segments, kk_segments = _text_parts(ru, kk)
    pairs = align_segments(ru_segments, kk_segments, encoder=load_encoder(model))
    findings = check_pairs(ru_segments, kk_segments, pairs)
    return {"discrepancies": [f.to_json() for f in findings]}

"""OCR and layout: input files → pages of words → labelled, cleaned segments.

Pure functions over plain records (no Prefect here); the flow in ``flows/``
calls them stage by stage::

    pages = read_document(path, OcrConfig())          # sources → preprocess → engine
    segments = segment_pages(pages, doc_id=doc_id)    # layout
    segments = clean_segments(label_languages(segments))

Inside ``recognize_page``: :mod:`ocr.preprocess` (median, upscale, orientation,
deskew), the Tesseract wrapper :mod:`ocr._tesseract`, ruled-table cells
(:mod:`ocr.tables`), word-level fixes of known confusions
(:mod:`ocr.confusables`) and stamp regions (:mod:`ocr.marks`). Measured in
``benchmarks/RESULTS-ocr.md`` (``benchmarks/bench_ocr.py``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from ocr.clean import clean_segments
from ocr.engine import OcrConfig, OcrEngine, TesseractEngine, recognize_page
from ocr.langid import detect_language, label_languages
from ocr.layout import segment_pages, segments_from_text
from ocr.preprocess import PreprocessConfig, preprocess
from ocr.sources import SourcePage, count_pages, iter_pages, load_page
from qostil.records import Page

log = logging.getLogger(__name__)

__all__ = [
    "OcrConfig",
    "OcrEngine",
    "PreprocessConfig",
    "SourcePage",
    "TesseractEngine",
    "clean_segments",
    "count_pages",
    "detect_language",
    "iter_pages",
    "label_languages",
    "load_page",
    "preprocess",
    "read_document",
    "recognize_page",
    "segment_pages",
    "segments_from_text",
]


def read_document(path: str | Path, cfg: OcrConfig | None = None, *, engine: OcrEngine | None = None) -> list[Page]:
    """Every page of ``path`` read (text layer or OCR), in page order."""
    cfg = cfg or OcrConfig()
    engine = engine or TesseractEngine()
    return [recognize_page(sp, cfg, engine=engine) for sp in iter_pages(path, dpi=cfg.dpi)]

"""OCR engine seam and its Tesseract implementation; one page in, one :class:`Page` out.

``recognize_page`` reads a PDF page's own text layer when it is good and OCRs
the page image otherwise. A text layer is *good* when (see :func:`text_layer_is_good`):

* it has at least ``min_text_layer_words`` words (default 5), and
* at least 60 % of its non-space characters are letters (Cyrillic or Latin)
  or digits (ordinary punctuation aside, junk layers are mostly symbols,
  private-use glyphs or U+FFFD), and
* fewer than 2 % of its characters are U+FFFD / private-use / control
  characters (a broken font encoding shows up as those), and
* its words are not mostly single characters (an OCR layer of noise or a
  per-glyph layout: mean word length ≥ 2.5 letters).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from ocr import _tesseract
from ocr.confusables import KAZAKH_ONLY, fix_confusables, kazakh_share
from ocr.marks import stamp_boxes
from ocr.layout import reading_order
from ocr.preprocess import (
    PreprocessConfig, PreprocessResult, detect_rotation, preprocess, reading_looks_turned,
)
from ocr.sources import SourcePage
from ocr.tables import detect_cells, erase_rules, find_rules
from qostil.records import BBox, Line, Page, Word

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OcrConfig:
    """How pages are read."""

    lang: str = "rus+kaz+eng"
    """Tesseract languages, ``+``-joined. ``eng`` is optional (dropped with a warning when not
    installed); with it, Latin words (``Deutsche Bank``, ``E-mail``, ``(E20)``) stop being read as
    Cyrillic look-alikes: on the rendered sample's clean pages CER fell from 1.97 % to 0.57 %
    (page 2) and from 3.7 % to 1.2 % (page 9), other pages unchanged within 0.2 points."""
    psm: int = 3
    """Tesseract page segmentation mode (3: automatic layout; 4: one column; 6: one block)."""
    timeout_s: float = 120.0
    """Per-page Tesseract time limit; a page that runs over is left empty with a warning."""
    preprocess: PreprocessConfig = field(default_factory=PreprocessConfig)
    dpi: int = 300
    """Resolution PDFs are rendered at."""
    use_text_layer: bool = True
    """Read a PDF page's good text layer instead of OCR."""
    min_text_layer_words: int = 5
    reread: bool = True
    """Re-read doubtful lines alone (:func:`reread_lines`): a line of a Kazakh paragraph read without a single
    Kazakh letter, or a line of low mean confidence."""
    invert_check: bool = False
    """Let Tesseract look for white-on-black lines (its ``tessedit_do_invert``). Off: filings have none,
    and the check costs 5–10 % of every page's OCR time."""
    reread_min_conf: float = 75.0
    reread_max_lines: int = 12
    fix_confusables: bool = True
    """Fix known Tesseract confusions word by word (:mod:`ocr.confusables`: mixed-script words,
    Latin look-alikes in Cyrillic lines, Kazakh ``і`` read as ``!`` or ``1``)."""
    stamps: bool = True
    """Find stamps by their lighter ink (:mod:`ocr.marks`) and record their boxes on the page."""
    tables: bool = True
    """Find ruled-table cells (:mod:`ocr.tables`), erase the rules before OCR, record the cells."""


@runtime_checkable
class OcrEngine(Protocol):
    """What the pipeline needs from an OCR engine."""

    def version(self) -> str: ...

    def languages(self) -> tuple[str, ...]: ...

    def recognize(self, image: np.ndarray, cfg: OcrConfig, *, number: int = 1, dpi: int = 300) -> Page: ...


class TesseractEngine:
    """Tesseract through :mod:`ocr._tesseract`: words, boxes and confidences grouped into lines."""

    def version(self) -> str:
        return _tesseract.version()

    def languages(self) -> tuple[str, ...]:
        return _tesseract.get_languages()

    def recognize(self, image: np.ndarray, cfg: OcrConfig, *, number: int = 1, dpi: int = 300) -> Page:
        """OCR an already pre-processed image (no clean-up here)."""
        h, w = image.shape[:2]
        result = _tesseract.image_to_data(image=image, lang=effective_lang(cfg.lang), psm=cfg.psm, timeout=cfg.timeout_s,
                                          dpi=dpi, variables=tesseract_flags(cfg))
        warnings: tuple[str, ...] = ()
        if result.timed_out:
            msg = f"page {number}: Tesseract ran over {cfg.timeout_s:g}s and was stopped; the page is left empty"
            log.warning(msg)
            warnings = (msg,)
        lines = lines_from_tsv(result.words, page=number)
        return Page(number=number, image_size=(w, h), lines=lines, dpi=dpi, source="ocr", warnings=warnings)


def tesseract_flags(cfg: OcrConfig) -> dict[str, str]:
    """Tesseract parameters that follow from ``cfg``."""
    return {"tessedit_do_invert": "1" if cfg.invert_check else "0"}


OPTIONAL_LANGS = ("eng",)


def effective_lang(lang: str) -> str:
    """``lang`` without the optional languages Tesseract does not have (rus/kaz are never dropped)."""
    have = set(_tesseract.get_languages())
    codes = [c for c in lang.split("+") if c]
    missing = [c for c in codes if c in OPTIONAL_LANGS and c not in have]
    if missing:
        log.warning("Tesseract has no %s data; reading without it", "+".join(missing))
    return "+".join(c for c in codes if c not in missing)


def lines_from_tsv(words: Sequence[_tesseract.TsvWord], *, page: int) -> tuple[Line, ...]:
    """Group Tesseract words by (block, par, line), keeping Tesseract's reading order."""
    groups: dict[tuple[int, int, int], list[_tesseract.TsvWord]] = {}
    for tw in words:
        groups.setdefault((tw.block, tw.par, tw.line), []).append(tw)
    lines = []
    for (block, par, _), tws in groups.items():
        ws = tuple(
            Word(
                text=tw.text,
                conf=tw.conf,
                bbox=BBox(tw.left, tw.top, tw.left + tw.width, tw.top + tw.height),
                page=page,
            )
            for tw in sorted(tws, key=lambda t: t.word)
        )
        lines.append(Line(words=ws, bbox=_union(w.bbox for w in ws), block=block, par=par))
    return tuple(lines)


def lines_from_words(words: Sequence[Word]) -> tuple[Line, ...]:
    """Group text-layer words (in the PDF's order) into lines: a new line when a word moves to
    another baseline or back to the left; a new block after a gap of more than one line height."""
    lines: list[Line] = []
    current: list[Word] = []
    block = 1
    for w in words:
        if current:
            prev = current[-1]
            cy, pcy = (w.bbox.y0 + w.bbox.y1) / 2, (prev.bbox.y0 + prev.bbox.y1) / 2
            height = max(1, prev.bbox.height, w.bbox.height)
            if abs(cy - pcy) > 0.5 * height or w.bbox.x0 < prev.bbox.x0:
                lines.append(Line(words=tuple(current), bbox=_union(x.bbox for x in current), block=block))
                current = []
                if cy - pcy > 1.8 * height or cy < pcy - 0.5 * height:
                    block += 1
        current.append(w)
    if current:
        lines.append(Line(words=tuple(current), bbox=_union(x.bbox for x in current), block=block))
    return tuple(lines)


def _doubt(line: Line, *, kazakh_par: bool, min_conf: float) -> str | None:
    """Why ``line`` should be read again ("kk": a Kazakh paragraph's line with no Kazakh letter;
    "conf": a low mean confidence), or None."""
    letters = [c for w in line.words for c in w.text if c.isalpha()]
    if len(letters) < 12:
        return None
    if kazakh_par and len(line.words) >= 3 and not any(c in KAZAKH_ONLY for c in letters):
        return "kk"
    if sum(w.conf for w in line.words) / len(line.words) < min_conf:
        return "conf"
    return None


def reread_lines(image: np.ndarray, lines: Sequence[Line], cfg: OcrConfig, *, number: int, dpi: int) -> tuple[Line, ...]:
    """Doubtful lines read again alone (``--psm 7`` on the line's crop); the new reading replaces the old
    when it is more confident, or, for a Kazakh paragraph's line, when it has Kazakh letters and is not
    less confident by more than 5 points. Kazakh paragraphs are re-read with ``kaz`` first."""
    by_par: dict[tuple[int, int], list[Word]] = {}
    for ln in lines:
        by_par.setdefault((ln.block, ln.par), []).extend(ln.words)
    kazakh = {k: kazakh_share(ws) >= 0.01 for k, ws in by_par.items()}
    out = list(lines)
    tried = 0
    h, w = image.shape[:2]
    base_lang = effective_lang(cfg.lang)
    for i, ln in enumerate(lines):
        kk_par = kazakh[(ln.block, ln.par)]
        why = _doubt(ln, kazakh_par=kk_par, min_conf=cfg.reread_min_conf)
        if why is None:
            continue
        if tried >= cfg.reread_max_lines:
            break
        tried += 1
        pad = max(4, ln.bbox.height // 3)
        x0, y0 = max(0, ln.bbox.x0 - pad), max(0, ln.bbox.y0 - pad)
        x1, y1 = min(w, ln.bbox.x1 + pad), min(h, ln.bbox.y1 + pad)
        lang = "kaz+rus" if kk_par else base_lang
        result = _tesseract.image_to_data(image=image[y0:y1, x0:x1], lang=lang, psm=7, timeout=10, dpi=dpi,
                                          variables=tesseract_flags(cfg))
        if result.timed_out or not result.words:
            continue
        words = tuple(
            Word(text=tw.text, conf=tw.conf, bbox=BBox(x0 + tw.left, y0 + tw.top, x0 + tw.left + tw.width,
                                                      y0 + tw.top + tw.height), page=number)
            for tw in result.words
        )
        old_conf = sum(x.conf for x in ln.words) / len(ln.words)
        new_conf = sum(x.conf for x in words) / len(words)
        gained_kk = any(c in KAZAKH_ONLY for x in words for c in x.text)
        if new_conf > old_conf or (why == "kk" and gained_kk and new_conf >= old_conf - 5):
            log.debug("page %d: re-read %r as %r (%s, conf %.0f → %.0f)", number, ln.text, " ".join(x.text for x in words),
                      why, old_conf, new_conf)
            out[i] = Line(words=words, bbox=_union(x.bbox for x in words), block=ln.block, par=ln.par)
    return tuple(out)


def _union(boxes) -> BBox:
    it = iter(boxes)
    box = next(it)
    for b in it:
        box = box.union(b)
    return box


_JUNK_CATEGORIES = {"Co", "Cn", "Cc", "Cs"}


def text_layer_is_good(words: Sequence[Word] | None, *, min_words: int = 5) -> bool:
    """Whether a PDF text layer can be used instead of OCR (the rule is in the module docstring)."""
    if not words or len(words) < min_words:
        return False
    chars = [c for w in words for c in w.text if not c.isspace()]
    if not chars:
        return False
    alnum = sum(1 for c in chars if c.isdigit() or (c.isalpha() and _is_cyr_or_latin(c)))
    junk = sum(1 for c in chars if c == "\ufffd" or unicodedata.category(c) in _JUNK_CATEGORIES)
    letters = sum(1 for c in chars if c.isalpha())
    mean_len = letters / max(1, sum(1 for w in words if any(c.isalpha() for c in w.text)))
    return alnum >= 0.6 * len(chars) and junk < 0.02 * len(chars) and mean_len >= 2.5


def _is_cyr_or_latin(c: str) -> bool:
    try:
        name = unicodedata.name(c)
    except ValueError:
        return False
    return name.startswith(("CYRILLIC", "LATIN"))


def _read(pre: PreprocessResult, cfg: OcrConfig, engine: OcrEngine, *, number: int) -> tuple[np.ndarray, tuple[BBox, ...], Page]:
    """One read of a pre-processed page: ruled-table cells found and their rules erased, then OCR."""
    image, cells = pre.image, ()
    if cfg.tables:
        rules = find_rules(image)  # found once for finding the cells and erasing the rules
        cells = detect_cells(image, dpi=pre.dpi, rules=rules)
        if cells:
            log.info("page %d: ruled table with %d cells", number, len(cells))
            image = erase_rules(image, rules=rules)
    return image, tuple(cells), engine.recognize(image, cfg, number=number, dpi=pre.dpi)


def _turn_after_reading(pre: PreprocessResult, page: Page, cfg: PreprocessConfig) -> int:
    """Clockwise degrees to turn a page whose first reading looks sideways or upside down (0: keep it).

    OSD runs only here, after a doubtful reading of a page with ink and no turn yet (see
    :mod:`ocr.preprocess`), not before every read."""
    if not cfg.orient or cfg.orient_always or pre.rotation or pre.ink < cfg.orient_min_ink:
        return 0
    if page.warnings:  # Tesseract ran over its time limit: a second read would only do it again
        return 0
    if not reading_looks_turned([w for ln in page.lines for w in ln.words], min_conf=cfg.turned_min_conf):
        return 0
    return detect_rotation(pre.image, dpi=pre.dpi, min_conf=cfg.orient_min_conf)


def recognize_page(source_page: SourcePage, cfg: OcrConfig, *, engine: OcrEngine | None = None) -> Page:
    """One input page → :class:`Page`: its good text layer, else pre-processing + OCR."""
    if cfg.use_text_layer and text_layer_is_good(source_page.text_layer, min_words=cfg.min_text_layer_words):
        assert source_page.text_layer is not None
        h, w = source_page.image.shape[:2]
        log.info("page %d: read from the PDF text layer", source_page.number)
        return Page(
            number=source_page.number,
            image_size=(w, h),
            lines=lines_from_words(source_page.text_layer),
            dpi=source_page.dpi,
            source="text_layer",
        )
    engine = engine or TesseractEngine()
    pre = preprocess(source_page.image, cfg.preprocess, dpi=source_page.dpi)
    image, cells, page = _read(pre, cfg, engine, number=source_page.number)
    turn = _turn_after_reading(pre, page, cfg.preprocess)
    if turn:
        log.info("page %d: the reading looks turned; OSD says turn by %d°, reading again", source_page.number, turn)
        pre = preprocess(source_page.image, cfg.preprocess, dpi=source_page.dpi, rotation=turn)
        image, cells, page = _read(pre, cfg, engine, number=source_page.number)
    log.info("page %d: pre-processing %s", source_page.number, ", ".join(pre.steps) or "(none)")
    lines = page.lines
    if cfg.reread and isinstance(engine, TesseractEngine) and lines:
        lines = reread_lines(image, lines, cfg, number=source_page.number, dpi=pre.dpi)
    lines = fix_confusables(lines) if cfg.fix_confusables else lines
    stamps = stamp_boxes(pre.image, lines) if cfg.stamps else ()
    return reading_order(Page(
        cells=cells,
        stamps=stamps,
        number=page.number,
        image_size=page.image_size,
        lines=lines,
        dpi=page.dpi,
        rotation=pre.rotation,
        skew_deg=pre.skew_deg,
        source=page.source,
        warnings=page.warnings,
    ))

"""The one module that runs Tesseract (through pytesseract).

Every call takes keyword arguments only. A missing binary or missing language
data becomes :class:`MissingDependencyError` with the command that installs
it; a failed run becomes :class:`OcrEngineError` (chained to the cause); a
timeout gives an empty result flagged ``timed_out`` so the caller can return
an empty page with a warning instead of failing the document. What Tesseract
writes on stderr when it fails is logged under ``[tesseract]`` (pytesseract
does not hand back stderr of successful runs).
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass

import numpy as np
import pytesseract
from PIL import Image

from qostil.errors import MissingDependencyError, OcrEngineError

log = logging.getLogger(__name__)

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-rus tesseract-ocr-kaz"
# Tesseract's OpenMP threads fight each other (and parallel pages) on small machines: one
# thread per process is 3-4x faster on 2 cores. Set once unless the user chose otherwise.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

_LANG_PACKAGES = {"rus": "tesseract-ocr-rus", "kaz": "tesseract-ocr-kaz", "osd": "tesseract-ocr-osd", "eng": "tesseract-ocr-eng"}


@dataclass(frozen=True, slots=True)
class TsvWord:
    """One word row of Tesseract's TSV output."""

    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int
    block: int
    par: int
    line: int
    word: int


@dataclass(frozen=True, slots=True)
class TsvResult:
    """The words Tesseract found, in its reading order; ``timed_out`` when it was stopped."""

    words: tuple[TsvWord, ...]
    timed_out: bool = False


@dataclass(frozen=True, slots=True)
class Orientation:
    """Tesseract OSD: degrees to rotate the image clockwise to make it upright, and how sure."""

    rotate: int
    confidence: float
    script: str = ""


def _pil(image: np.ndarray | Image.Image, dpi: int | None = None) -> Image.Image:
    """The image pytesseract hands to Tesseract, marked to travel as an uncompressed PGM/PPM file:
    pytesseract's default PNG costs ~0.4 s to compress for an A4 page at 300 DPI (PGM: 0.01 s)."""
    img = image if isinstance(image, Image.Image) else Image.fromarray(np.ascontiguousarray(image))
    if img.mode not in ("1", "L", "RGB"):
        img = img.convert("RGB")
    else:
        img = img.copy() if isinstance(image, Image.Image) else img
    img.format = "PPM"
    if dpi:
        img.info["dpi"] = (dpi, dpi)
    return img


def _log_stderr(message: str) -> None:
    for line in str(message).splitlines():
        line = line.strip()
        if not line:
            continue
        low = line.lower()
        if "error" in low or "cannot" in low or "failed" in low:
            log.error("[tesseract] %s", line)
        elif "warning" in low or "empty page" in low:
            log.warning("[tesseract] %s", line)
        else:
            log.info("[tesseract] %s", line)


def _not_found(e: BaseException) -> MissingDependencyError:
    return MissingDependencyError(f"Tesseract is not installed or not on PATH; install it with: {INSTALL_HINT}")


@functools.cache
def version() -> str:
    """Tesseract's version string, e.g. ``5.3.0``."""
    try:
        return str(pytesseract.get_tesseract_version())
    except pytesseract.TesseractNotFoundError as e:
        raise _not_found(e) from e


@functools.cache
def get_languages() -> tuple[str, ...]:
    """The language data Tesseract has installed (``rus``, ``kaz``, ``osd``...)."""
    try:
        return tuple(sorted(pytesseract.get_languages(config="")))
    except pytesseract.TesseractNotFoundError as e:
        raise _not_found(e) from e
    except pytesseract.TesseractError as e:
        _log_stderr(e.message)
        raise OcrEngineError(f"Tesseract could not list its languages: {e.message}") from e


def check_languages(*, lang: str) -> None:
    """Raise :class:`MissingDependencyError` naming the package for each language of ``lang`` not installed."""
    have = set(get_languages())
    missing = [code for code in lang.split("+") if code and code not in have]
    if missing:
        pkgs = " ".join(_LANG_PACKAGES.get(m, f"tesseract-ocr-{m}") for m in missing)
        raise MissingDependencyError(
            f"Tesseract has no language data for {', '.join(missing)}; install it with: apt-get install {pkgs} "
            f"(all of qostil's: {INSTALL_HINT})"
        )


def image_to_data(
    *,
    image: np.ndarray | Image.Image,
    lang: str = "rus+kaz",
    psm: int = 3,
    timeout: float = 0,
    dpi: int = 300,
    extra_config: str = "",
) -> TsvResult:
    """Run Tesseract on one image and return its words with boxes and confidences.

    ``timeout`` in seconds (0: none). A timeout returns an empty, ``timed_out`` result.
    """
    check_languages(lang=lang)
    config = f"--psm {int(psm)} --dpi {int(dpi)} {extra_config}".strip()
    try:
        data = pytesseract.image_to_data(
            _pil(image, dpi), lang=lang, config=config, output_type=pytesseract.Output.DICT, timeout=timeout
        )
    except pytesseract.TesseractNotFoundError as e:
        raise _not_found(e) from e
    except pytesseract.TesseractError as e:
        _log_stderr(e.message)
        raise OcrEngineError(f"Tesseract failed (exit status {e.status}): {e.message}") from e
    except RuntimeError as e:
        if "timeout" in str(e).lower():
            log.warning("[tesseract] timed out after %ss; the page is left empty", timeout)
            return TsvResult(words=(), timed_out=True)
        raise OcrEngineError(f"Tesseract failed: {e}") from e
    words = []
    for i, text in enumerate(data["text"]):
        if int(data["level"][i]) != 5 or not str(text).strip():
            continue
        words.append(
            TsvWord(
                text=str(text).strip(),
                conf=max(0.0, float(data["conf"][i])),
                left=int(data["left"][i]),
                top=int(data["top"][i]),
                width=int(data["width"][i]),
                height=int(data["height"][i]),
                block=int(data["block_num"][i]),
                par=int(data["par_num"][i]),
                line=int(data["line_num"][i]),
                word=int(data["word_num"][i]),
            )
        )
    return TsvResult(words=tuple(words))


def detect_orientation(*, image: np.ndarray | Image.Image, timeout: float = 0, dpi: int = 300) -> Orientation | None:
    """Tesseract OSD on one image; None when there is too little text to tell or no ``osd`` data."""
    if "osd" not in get_languages():
        log.warning("[tesseract] no 'osd' data installed (apt-get install tesseract-ocr-osd); orientation not checked")
        return None
    try:
        data = pytesseract.image_to_osd(
            _pil(image, dpi), config=f"--psm 0 --dpi {int(dpi)}", output_type=pytesseract.Output.DICT, timeout=timeout
        )
    except pytesseract.TesseractNotFoundError as e:
        raise _not_found(e) from e
    except pytesseract.TesseractError as e:
        # "Too few characters. Skipping this page" and friends: not an error for us.
        log.debug("[tesseract] OSD gave no answer: %s", e.message)
        return None
    except RuntimeError as e:
        if "timeout" in str(e).lower():
            log.warning("[tesseract] OSD timed out after %ss", timeout)
            return None
        raise OcrEngineError(f"Tesseract OSD failed: {e}") from e
    return Orientation(
        rotate=int(data.get("rotate", 0)) % 360,
        confidence=float(data.get("orientation_conf", 0.0)),
        script=str(data.get("script", "")),
    )

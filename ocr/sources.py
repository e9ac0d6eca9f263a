"""Input files → page images (and a PDF's text layer when it has one).

Reads PDF (PyMuPDF, rendered at ``dpi``), multi-page TIFF, PNG and JPEG
(Pillow). The type is decided by the file's first bytes, never its name.

An image that declares no (or an absurd) resolution gets one from its pixel
size (:func:`infer_dpi`): when its sides are in A4's (or US Letter's) ratio
within 3 %, in either orientation, the resolution is its short side over the
paper's width in inches, rounded to a common scanner setting (150, 200, 240,
300, 400, 600) when within 5 % of one; otherwise 300 is assumed. A declared
72 or 96 DPI (screen defaults that tools write) on a paper-shaped image is
treated as undeclared. A 1654×2339
image is thus a 200-DPI A4 scan (and is upscaled before OCR), not a tiny page.
Every way a file can be unreadable becomes an :class:`InputFileError` (or a
subclass) whose message names the file and says what is wrong in plain words.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from qostil.errors import EncryptedInputError, InputFileError, InputTooLargeError
from qostil.records import BBox, Word

log = logging.getLogger(__name__)

DEFAULT_DPI = 300
#: A rendered or decoded page may hold at most this many pixels (A4 at 600 DPI is ~35 M).
MAX_PAGE_PIXELS = 90_000_000
#: A declared image resolution outside this range is treated as missing.
_SANE_DPI = (50, 2400)

KIND_PDF = "pdf"
KIND_TIFF = "tiff"
KIND_PNG = "png"
KIND_JPEG = "jpeg"


@dataclass(frozen=True, slots=True, eq=False)
class SourcePage:
    """One page of an input file, ready for OCR."""

    number: int
    """1-based page number within the file."""
    image: np.ndarray
    """The page as an 8-bit grayscale image (H×W, uint8)."""
    dpi: int
    """Resolution of ``image`` in dots per inch."""
    text_layer: tuple[Word, ...] | None = None
    """A PDF page's own text, word by word, boxes in ``image`` pixels; None when there is none."""
    source: str = ""
    """The file the page came from (for messages)."""


def sniff_kind(head: bytes) -> str | None:
    """The document kind from a file's first bytes, or None when it is not one we read."""
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return KIND_PDF
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return KIND_TIFF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return KIND_PNG
    if head.startswith(b"\xff\xd8\xff"):
        return KIND_JPEG
    return None


def _kind_of(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except FileNotFoundError as e:
        raise InputFileError(f"{path}: file not found.") from e
    except IsADirectoryError as e:
        raise InputFileError(f"{path}: is a folder, not a file.") from e
    except OSError as e:
        raise InputFileError(f"{path}: cannot be read ({e.strerror or e}).") from e
    if not head:
        raise InputFileError(f"{path}: the file is empty (0 bytes).")
    kind = sniff_kind(head)
    if kind is None:
        raise InputFileError(
            f"{path}: not a PDF, TIFF, PNG or JPEG file (its content does not start like any of them)."
        )
    return kind


def count_pages(path: str | Path) -> int:
    """How many pages ``path`` has (opens the file; raises the same errors as :func:`iter_pages`)."""
    path = Path(path)
    kind = _kind_of(path)
    if kind == KIND_PDF:
        with _open_pdf(path) as doc:
            return doc.page_count
    with _open_image(path) as img:
        return max(1, getattr(img, "n_frames", 1))


def iter_pages(path: str | Path, *, dpi: int = DEFAULT_DPI) -> Iterator[SourcePage]:
    """Yield the pages of ``path`` one by one as grayscale images.

    PDF pages are rendered at ``dpi`` and carry their text layer when they
    have one. Images keep their own resolution: their declared DPI, else 300.
    """
    path = Path(path)
    kind = _kind_of(path)
    if kind == KIND_PDF:
        yield from _iter_pdf(path, dpi=dpi)
    else:
        yield from _iter_image(path)


def load_page(path: str | Path, number: int, *, dpi: int = DEFAULT_DPI) -> SourcePage:
    """Only page ``number`` (1-based) of ``path``; for work mapped over pages."""
    path = Path(path)
    kind = _kind_of(path)
    if kind == KIND_PDF:
        with _open_pdf(path) as doc:
            if not 1 <= number <= doc.page_count:
                raise InputFileError(f"{path}: has no page {number} (it has {doc.page_count}).")
            return _pdf_page(doc, number - 1, path=path, dpi=dpi)
    with _open_image(path) as img:
        n = max(1, getattr(img, "n_frames", 1))
        if not 1 <= number <= n:
            raise InputFileError(f"{path}: has no page {number} (it has {n}).")
        img.seek(number - 1)
        return _image_frame(img, number, path=path)


# --- PDF ---------------------------------------------------------------------------------


def _open_pdf(path: Path):  # -> pymupdf.Document
    import pymupdf

    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as e:  # PyMuPDF raises FileDataError, RuntimeError, ValueError...
        raise InputFileError(f"{path}: the PDF is damaged and cannot be opened ({e}).") from e
    if doc.needs_pass:
        doc.close()
        raise EncryptedInputError(f"{path}: the PDF is password-protected; ask the sender for an unprotected copy.")
    if doc.is_repaired and b"%%EOF" not in _tail(path):
        doc.close()
        raise InputFileError(f"{path}: the PDF is truncated (it ends before its end-of-file marker); ask for a complete copy.")
    if doc.page_count < 1:
        doc.close()
        raise InputFileError(f"{path}: the PDF has no pages (it may be truncated or damaged).")
    return doc


def _tail(path: Path, size: int = 2048) -> bytes:
    with path.open("rb") as fh:
        fh.seek(0, 2)
        fh.seek(max(0, fh.tell() - size))
        return fh.read()


_BROKEN_CONTENT = ("cannot load content stream", "syntax error in content stream", "object is not a stream")


def _iter_pdf(path: Path, *, dpi: int) -> Iterator[SourcePage]:
    with _open_pdf(path) as doc:
        for index in range(doc.page_count):
            yield _pdf_page(doc, index, path=path, dpi=dpi)


def _pdf_page(doc, index: int, *, path: Path, dpi: int) -> SourcePage:
    import pymupdf

    number = index + 1
    try:
        page = doc.load_page(index)
        rect = page.rect
        pixels = rect.width * dpi / 72 * rect.height * dpi / 72
        if pixels > MAX_PAGE_PIXELS:
            raise InputTooLargeError(
                f"{path}: page {number} is too large to render at {dpi} DPI "
                f"({rect.width / 72:.0f}×{rect.height / 72:.0f} inches)."
            )
        if pixels < 1:
            raise InputFileError(f"{path}: page {number} has no area (0×0).")
        pymupdf.TOOLS.mupdf_warnings(reset=True)
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
        problems = pymupdf.TOOLS.mupdf_warnings(reset=True)
        if any(p in problems for p in _BROKEN_CONTENT):
            raise InputFileError(f"{path}: page {number} of the PDF is damaged (its content cannot be read).")
        image = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]
        words = _pdf_words(page, dpi=dpi, number=number)
    except InputFileError:
        raise
    except Exception as e:  # PyMuPDF's errors are not one class
        raise InputFileError(f"{path}: page {number} of the PDF is damaged and cannot be read ({e}).") from e
    return SourcePage(number=number, image=image.copy(), dpi=dpi, text_layer=words, source=str(path))


def _pdf_words(page, *, dpi: int, number: int) -> tuple[Word, ...] | None:
    """The page's text layer as words with boxes in rendered pixels; None when empty."""
    import pymupdf

    raw = page.get_text("words", sort=False)
    if not raw:
        return None
    matrix = page.rotation_matrix * pymupdf.Matrix(dpi / 72, dpi / 72)
    words = []
    for x0, y0, x1, y1, text, *_ in raw:
        if not text.strip():
            continue
        r = pymupdf.Rect(x0, y0, x1, y1) * matrix
        words.append(Word(text=text, conf=100.0, bbox=BBox(round(r.x0), round(r.y0), round(r.x1), round(r.y1)), page=number))
    return tuple(words) or None


# --- images ------------------------------------------------------------------------------


class _ImageContext:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.img: Image.Image | None = None

    def __enter__(self) -> Image.Image:
        path = self.path
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                self.img = Image.open(path)
                w, h = self.img.size
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise InputTooLargeError(f"{path}: the image has too many pixels to read safely ({e}).") from e
        except UnidentifiedImageError as e:
            raise InputFileError(f"{path}: the image is damaged or in an unsupported variant and cannot be read.") from e
        except (OSError, ValueError, SyntaxError) as e:
            raise InputFileError(f"{path}: the image is damaged and cannot be read ({e}).") from e
        if w <= 0 or h <= 0:
            raise InputFileError(f"{path}: the image is empty ({w}×{h} pixels).")
        return self.img

    def __exit__(self, *exc: object) -> None:
        if self.img is not None:
            self.img.close()


def _open_image(path: Path) -> _ImageContext:
    return _ImageContext(path)


PAPER_WIDTHS_IN = {"A4": (8.268, 11.693), "Letter": (8.5, 11.0)}
COMMON_DPI = (150, 200, 240, 300, 400, 600)
#: What image tools write when nobody set a resolution; on a paper-shaped page the pixel size wins.
SCREEN_DPI = (72, 96)


def infer_dpi(width: int, height: int) -> int | None:
    """The resolution a page image of ``width``×``height`` pixels was scanned at, when its ratio says
    A4 or US Letter (see the module docstring); None when the size says nothing."""
    short, long_ = sorted((width, height))
    if short <= 0:
        return None
    for paper_w, paper_h in PAPER_WIDTHS_IN.values():
        if abs((long_ / short) / (paper_h / paper_w) - 1) <= 0.03:
            dpi = short / paper_w
            near = min(COMMON_DPI, key=lambda d: abs(d - dpi))
            dpi = near if abs(near - dpi) <= 0.05 * near else round(dpi)
            return int(dpi) if _SANE_DPI[0] <= dpi <= _SANE_DPI[1] else None
    return None


def _declared_dpi(img: Image.Image) -> int:
    dpi = img.info.get("dpi")
    try:
        x = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        x = 0.0
    inferred = infer_dpi(*img.size)
    if _SANE_DPI[0] <= x <= _SANE_DPI[1] and not (round(x) in SCREEN_DPI and inferred is not None):
        return round(x)
    if inferred is not None:
        log.info("image declares no resolution; %d×%d px reads as %d DPI", *img.size, inferred)
        return inferred
    return DEFAULT_DPI


def _to_gray(frame: Image.Image) -> np.ndarray:
    """Any Pillow mode → uint8 grayscale, transparent areas on white."""
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(white, rgba)
    if frame.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(frame, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        scaled = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.full_like(arr, 255.0)
        return scaled.astype(np.uint8)
    return np.asarray(frame.convert("L"), dtype=np.uint8).copy()


def _iter_image(path: Path) -> Iterator[SourcePage]:
    with _open_image(path) as img:
        for index, frame in enumerate(ImageSequence.Iterator(img)):
            yield _image_frame(frame, index + 1, path=path)


def _image_frame(frame: Image.Image, number: int, *, path: Path) -> SourcePage:
    w, h = frame.size
    if w <= 0 or h <= 0:
        raise InputFileError(f"{path}: page {number} is empty ({w}×{h} pixels).")
    if w * h > MAX_PAGE_PIXELS:
        raise InputTooLargeError(f"{path}: page {number} has too many pixels ({w}×{h}) to read safely.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            frame.load()
            gray = _to_gray(frame)
    except (OSError, ValueError, SyntaxError) as e:
        raise InputFileError(
            f"{path}: page {number} of the image is damaged or truncated and cannot be read ({e})."
        ) from e
    return SourcePage(number=number, image=gray, dpi=_declared_dpi(frame), source=str(path))

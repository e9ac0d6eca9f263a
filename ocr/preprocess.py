"""Page image clean-up before OCR: small, switchable steps on an explicit config.

Steps, in order (each one a function here, each switched by :class:`PreprocessConfig`):

1. ``denoise`` — median filter (3×3) at the scan's own resolution, against
   salt-and-pepper noise and sensor grain. It runs *before* upscaling: a
   one-pixel speck upscaled becomes a blob that Tesseract reads as ``.`` ``:``
   ``'`` (and that makes it slow: a 200-DPI heavy page upscaled without it ran
   past the 120 s limit on a busy machine).
2. ``upscale`` — scans below ``upscale_below_dpi`` are resized to ``target_dpi``
   (Tesseract's LSTM reads x-heights of ~20–30 px best).
3. ``orient`` — Tesseract OSD on a half-resolution copy; the page is turned by
   90/180/270° when OSD is sure enough. Skipped on pages with too little ink.
   OSD is a second Tesseract run (about 1.4 s on an A4 page at 300 DPI, 40 % of
   the page's OCR), so by default it runs only when the first reading of the
   page looks wrong (:func:`reading_looks_turned`); the engine then turns the
   page and reads it again. ``orient_always`` restores OSD before every read.
4. ``deskew`` — projection-profile search (±``max_skew_deg``): the angle whose
   row profile of ink is sharpest; rotations under 0.05° are not applied.
5. ``flatten`` — background (illumination) flattening: divide by a
   large-kernel closing of the page so shadows and uneven light go white.
6. ``binarize`` — ``"otsu"`` (global) or ``"sauvola"`` (local, for uneven
   light / low contrast), or None to leave grayscale to Tesseract's own Otsu.

Defaults were picked by measurement (``benchmarks/bench_ocr.py``; dev subset of
5 heavy, 3 moderate and 2 clean rendered pages, mean CER):

============================================  =======  =========
steps                                          heavy    moderate
============================================  =======  =========
upscale → deskew (the old default)             timeout  0.24 %
median → upscale → deskew (**default**)        0.76 %   0.15 %
median → upscale → deskew → Otsu               0.94 %   –
median → deskew → Otsu (no upscale)            1.65 %   –
============================================  =======  =========

Binarizing ourselves did not help: Tesseract's own Otsu on the cleaned
grayscale keeps the thin Kazakh diacritics (ә ғ қ ң ө ұ ү һ і) better than a
global Otsu after cubic upscaling, so ``binarize`` stays off; ``flatten`` is
for uneven light, which the benchmark's presets do not have.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ocr import _tesseract
from qostil.records import Word

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PreprocessConfig:
    """Which clean-up steps run, and their settings."""

    denoise: bool = True
    """Median 3×3 at the scan's own resolution, before upscaling."""
    upscale_below_dpi: int = 250
    """Scans with a lower resolution are resized to ``target_dpi``; 0 turns this off."""
    target_dpi: int = 300
    orient: bool = True
    """Turn the page upright with Tesseract OSD (90/180/270°)."""
    orient_min_conf: float = 2.0
    """OSD orientation confidence needed before the page is turned."""
    orient_min_ink: float = 0.002
    """Pages with a smaller fraction of dark pixels are not checked (blank, near blank)."""
    orient_always: bool = False
    """Run OSD before every read instead of only after a reading that looks turned."""
    turned_min_conf: float = 60.0
    """A reading whose words' mean confidence is below this (or with fewer than half of its
    words at or above it) looks turned. Upright rendered pages read at 94–95, the heavy preset
    at 64; the same page upside down at 41."""
    deskew: bool = True
    max_skew_deg: float = 5.0
    flatten: bool = False
    binarize: str | None = None
    """None, ``"otsu"`` or ``"sauvola"``."""
    sauvola_window: int = 41
    sauvola_k: float = 0.2


@dataclass(frozen=True, slots=True, eq=False)
class PreprocessResult:
    """The cleaned image and what was done to it."""

    image: np.ndarray
    """The image to OCR (uint8 grayscale); box coordinates refer to it."""
    rotation: int
    """Clockwise degrees the page was turned by (0, 90, 180, 270)."""
    skew_deg: float
    """Degrees the page was deskewed by (after the turn)."""
    dpi: int
    """Resolution of ``image``."""
    steps: tuple[str, ...]
    """Names of the steps that changed the image, in order."""
    ink: float = 0.0
    """Fraction of dark pixels (before deskewing): near-blank pages are never turned."""


@contextlib.contextmanager
def opencv_threads(n: int) -> Iterator[None]:
    """OpenCV's own thread pool at ``n`` threads inside the block (process-wide), as it was after.

    OpenCV splits a resize, a threshold or a morphology across every core by default. In a run of
    ``workers`` threads each page already has its core: the split made one worker use two cores and two
    workers wait on each other's halves, and saved nothing (23 pages read alternately page by page:
    44.3 s on one OpenCV thread, 45.0 s on two, CPU 44.3 s vs 46.4 s)."""
    before = cv2.getNumThreads()
    cv2.setNumThreads(max(1, int(n)))
    try:
        yield
    finally:
        cv2.setNumThreads(before)


def to_gray(image: np.ndarray) -> np.ndarray:
    """Any H×W or H×W×C uint8 image → H×W uint8 grayscale."""
    if image.ndim == 2:
        return image if image.dtype == np.uint8 else np.clip(image, 0, 255).astype(np.uint8)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_RGBA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def ink_fraction(gray: np.ndarray) -> float:
    """The share of pixels darker than an Otsu threshold (0 for a blank page)."""
    if gray.size == 0 or int(gray.max()) - int(gray.min()) < 40:
        return 0.0
    _, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return float(np.count_nonzero(bw)) / bw.size


def upscale(gray: np.ndarray, *, dpi: int, target_dpi: int) -> np.ndarray:
    scale = target_dpi / dpi
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)


def rotate_quarter(gray: np.ndarray, rotation: int) -> np.ndarray:
    """Turn clockwise by 0/90/180/270 degrees."""
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(gray, codes[rotation]) if rotation in codes else gray


def detect_rotation(gray: np.ndarray, *, dpi: int, min_conf: float) -> int:
    """Clockwise degrees that make the page upright (0 when unsure)."""
    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    osd = _tesseract.detect_orientation(image=small, dpi=max(1, dpi // 2))
    if osd is None or osd.rotate not in (90, 180, 270):
        return 0
    if osd.confidence < min_conf:
        log.info("OSD suggests turning by %d° but with confidence %.1f only; left as is", osd.rotate, osd.confidence)
        return 0
    return osd.rotate


def estimate_skew(gray: np.ndarray, *, max_deg: float = 5.0) -> float:
    """Skew angle in degrees (counter-clockwise positive, as cv2) by projection profile.

    The page is shrunk by a whole factor to about 1000 px (OpenCV's fast path: 7 ms on an A4 page at
    300 DPI, 30 ms for a fractional factor) and each angle's profile is the rows its ink pixels turn to
    (what ``cv2.warpAffine`` of the whole image gave, at a fifth of the cost: 12 ms a page instead of 75;
    on 160 rendered pages turned by known angles, clean and noisy, the same error, 0.027° on average).
    The factor follows the long side only up to 1.5 times the short one (every paper size from Letter to
    Legal is within that): a scan of several pages stitched end to end, shrunk by its length, left too few
    columns for a profile (three straight A4 pages in one image read as 0.3° askew, one turned by −0.7° as +0.85°)."""
    k = max(1, round(min(max(gray.shape), 1.5 * min(gray.shape)) / 1000))
    small = cv2.resize(gray, None, fx=1 / k, fy=1 / k, interpolation=cv2.INTER_AREA) if k > 1 else gray
    _, bw = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ys, xs = np.nonzero(bw)
    if len(ys) < 0.001 * bw.size:
        return 0.0
    h, w = bw.shape
    dx = (xs - w / 2).astype(np.float32)  # about the centre, as the rotation turns them
    dy = (ys - h / 2).astype(np.float32)

    def score(angle: float) -> float:
        a = math.radians(angle)
        rows = dy * np.float32(math.cos(a))
        rows -= dx * np.float32(math.sin(a))
        rows += h / 2 + 1  # back about the centre, one row down: a row of margin on each side
        np.rint(rows, out=rows)
        np.clip(rows, 0, h + 1, out=rows)  # ink turned off the page lands in rows 0 and h + 1, left out
        profile = np.bincount(rows.astype(np.intp), minlength=h + 2)[1 : h + 1].astype(np.float64)
        return float(np.sum(np.diff(profile) ** 2))

    best = max(np.arange(-max_deg, max_deg + 1e-9, 0.5), key=score)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    angle = float(max(fine, key=score))
    # a flat optimum near zero is noise of the downscaled profile, not skew
    if abs(angle) <= 0.25 and score(0.0) >= 0.98 * score(angle):
        return 0.0
    return round(angle, 2)


def rotate_small(gray: np.ndarray, angle: float) -> np.ndarray:
    """Rotate by ``angle`` degrees (counter-clockwise positive), white fill, same size."""
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def read_transform(size: tuple[int, int], *, dpi: int, read_dpi: int, rotation: int, skew_deg: float) -> tuple[np.ndarray, tuple[int, int]]:
    """The affine map (2×3, for ``cv2.warpAffine``) from a source page image of ``size`` (width, height) at
    ``dpi`` to the image :func:`preprocess` read at ``read_dpi`` after turning it by ``rotation`` and
    deskewing it by ``skew_deg`` (the image the words' boxes are on); and that image's size.

    One map, so a region of the read image can be cut from the source without turning the whole page."""
    w, h = size
    s = read_dpi / dpi
    scale = np.array([[s, 0, 0.5 * (s - 1)], [0, s, 0.5 * (s - 1)], [0, 0, 1]])  # cv2.resize's pixel centres
    w, h = round(w * s), round(h * s)
    turns = {  # cv2.rotate's pixel maps, clockwise
        90: ([[0, -1, h - 1], [1, 0, 0]], (h, w)),
        180: ([[-1, 0, w - 1], [0, -1, h - 1]], (w, h)),
        270: ([[0, 1, 0], [-1, 0, w - 1]], (h, w)),
    }
    turn, (w, h) = turns.get(rotation, ([[1, 0, 0], [0, 1, 0]], (w, h)))
    deskew = cv2.getRotationMatrix2D((w / 2, h / 2), skew_deg, 1.0) if skew_deg else np.eye(3)[:2]
    full = np.vstack([deskew, [0, 0, 1]]) @ np.vstack([np.array(turn, float), [0, 0, 1]]) @ scale
    return full[:2], (w, h)


def flatten_background(gray: np.ndarray, *, dpi: int = 300) -> np.ndarray:
    """Divide by the page's background (a closing bigger than any letter) so it goes evenly white."""
    k = max(15, int(dpi / 10)) | 1
    background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    flat = cv2.divide(gray, background, scale=255)
    return flat


def denoise(gray: np.ndarray) -> np.ndarray:
    return cv2.medianBlur(gray, 3)


def binarize_otsu(gray: np.ndarray) -> np.ndarray:
    _, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return bw


def binarize_sauvola(gray: np.ndarray, *, window: int = 41, k: float = 0.2, r: float = 128.0) -> np.ndarray:
    """Sauvola threshold ``T = m·(1 + k·(s/R − 1))`` over a ``window``² neighbourhood."""
    f = gray.astype(np.float64)
    mean = cv2.boxFilter(f, -1, (window, window), borderType=cv2.BORDER_REFLECT)
    sq = cv2.boxFilter(f * f, -1, (window, window), borderType=cv2.BORDER_REFLECT)
    std = np.sqrt(np.maximum(sq - mean * mean, 0))
    thresh = mean * (1 + k * (std / r - 1))
    return np.where(f > thresh, 255, 0).astype(np.uint8)


def reading_looks_turned(words: Sequence[Word], *, min_conf: float) -> bool:
    """Whether a page's first reading looks like a page read upside down or sideways: too few words
    with letters to tell, mostly unsure ones, or long words in boxes taller than wide (Tesseract
    reads a page turned by 90° as vertical text, right but with the page still on its side)."""
    lettered = [w for w in words if any(c.isalpha() for c in w.text)]
    if len(lettered) < 10:
        return True
    confidences = [w.conf for w in lettered]
    mean = sum(confidences) / len(confidences)
    sure = sum(1 for c in confidences if c >= min_conf) / len(confidences)
    long_words = [w for w in lettered if len(w.text) >= 4]
    upright = sum(1 for w in long_words if w.bbox.width >= w.bbox.height)
    return mean < min_conf or sure < 0.5 or upright < 0.5 * len(long_words)


def preprocess(
    image: np.ndarray, cfg: PreprocessConfig, *, dpi: int = 300, rotation: int | None = None
) -> PreprocessResult:
    """Run the configured steps on one page image.

    ``rotation`` (clockwise degrees) turns the page without asking OSD; None asks OSD only when
    ``cfg.orient_always``.
    """
    steps: list[str] = []
    gray = to_gray(image)
    if gray.ndim == 2 and image.ndim == 3:
        steps.append("grayscale")
    if cfg.denoise:
        gray = denoise(gray)
        steps.append("denoise")
    if cfg.upscale_below_dpi and dpi < cfg.upscale_below_dpi:
        gray = upscale(gray, dpi=dpi, target_dpi=cfg.target_dpi)
        dpi = cfg.target_dpi
        steps.append("upscale")
    ink = ink_fraction(gray)
    if rotation is None:
        rotation = 0
        if cfg.orient and cfg.orient_always and ink >= cfg.orient_min_ink:
            rotation = detect_rotation(gray, dpi=dpi, min_conf=cfg.orient_min_conf)
    if rotation:
        gray = rotate_quarter(gray, rotation)
        steps.append(f"orient:{rotation}")
    skew = 0.0
    if cfg.deskew and ink > 0:
        skew = estimate_skew(gray, max_deg=cfg.max_skew_deg)
        if abs(skew) >= 0.05:
            gray = rotate_small(gray, skew)
            steps.append(f"deskew:{skew:+.2f}")
        else:
            skew = 0.0
    if cfg.flatten:
        gray = flatten_background(gray, dpi=dpi)
        steps.append("flatten")
    if cfg.binarize == "otsu":
        gray = binarize_otsu(gray)
        steps.append("otsu")
    elif cfg.binarize == "sauvola":
        gray = binarize_sauvola(gray, window=cfg.sauvola_window, k=cfg.sauvola_k)
        steps.append("sauvola")
    elif cfg.binarize is not None:
        from qostil.errors import ConfigError

        raise ConfigError(f"Unknown binarization {cfg.binarize!r}; use 'otsu', 'sauvola' or none.")
    return PreprocessResult(image=gray, rotation=rotation, skew_deg=skew, dpi=dpi, steps=tuple(steps), ink=ink)

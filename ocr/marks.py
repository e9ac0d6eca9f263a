"""Stamps and signatures: where they are on a page, so that layout marks them as such.

**Stamps** (:func:`stamp_boxes`, from the image the words were read on). A stamp
is inked in blue or violet: in a grayscale scan its strokes are clearly lighter
than the black print. For each word the *ink tone* is the 5th percentile of the
gray values in its box (its darkest strokes); the page's print tone is the
median ink tone of its words, the paper tone the 90th percentile of the page.
A word is *light* when its ink tone is more than 28 % of the way from the print
tone to the paper tone. Light words that lie within 1.5 line heights of each
other are one cluster; a cluster of at least 2 light words (or one of at least
8 letters) is a stamp, and its box (padded by half a line height) is kept. A
bilevel scan has no tones to tell; there nothing is marked.

**Signatures** (:func:`signature_name_span`, used by :mod:`ocr.layout`): a line
that ends with a name with initials — ``Ибадуллаев А.А.``, ``А.А. Ибадуллаев``,
``Хаджиева М.Ж.`` (initials in Latin look-alikes too) — starting in the right
half of the page, and that either starts with it or has a wide gap (3 line
heights) before it, is a signature's name; junk words of ≤ 4 characters
around the name (the scribble read as text) go with it. The paragraphs just
above it (at most 3; ≤ 10 words each, no comma, not ending with ``. ; :``, in
the left half, each within 2.5 line heights of the next) are its title
(``Председатель Правления``, ``Бас бухгалтер –``).
"""

from __future__ import annotations

import logging
import re
import statistics
from collections.abc import Sequence

import cv2
import numpy as np

from ocr.grouping import linked_groups
from qostil.records import BBox, Line, Word

log = logging.getLogger(__name__)

LIGHT_INK_SHARE = 0.28
_UP = "А-ЯЁӘҒҚҢӨҰҮҺІ"
_LO = "а-яёәғқңөұүһі"
_INITIAL_UP = _UP + "ABCEHKMOPTX"  # Tesseract reads an initial А as Latin A now and then
_INITIALS = rf"[{_INITIAL_UP}]\.\s?(?:[{_INITIAL_UP}]\.)?"
_SURNAME = rf"[{_UP}][{_LO}]+(?:-[{_UP}][{_LO}]+)?"
NAME_WITH_INITIALS = re.compile(rf"^(?:{_SURNAME}\s+{_INITIALS}|{_INITIALS}\s*{_SURNAME})$")
_NAME_WORDS = (2, 3)  # "Ибадуллаев А.А." / "Досмухаметов Б. С."
SIGNATURE_GAP_LINES = 3.0
"""A name with initials in a line with other words is a signature when a gap this many line heights
wide (title … name) stands somewhere before it; junk of at most 4 characters (the scribble read as text)
between the gap and the name is allowed."""


def percentile(gray: np.ndarray, q: float) -> float:
    """``np.percentile(gray, q)`` (linear interpolation); for 8-bit images from OpenCV's histogram: 6× faster
    on a word's crop, 16× on a page (numpy's partitioning took 1.2 s of a night of 23 pages, a call per word)."""
    if gray.dtype != np.uint8 or gray.ndim != 2:
        return float(np.percentile(gray, q))
    cum = np.cumsum(cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel().astype(np.int64))
    pos = q / 100 * (int(cum[-1]) - 1)
    lo = int(pos)
    below = int(np.searchsorted(cum, lo, side="right"))  # the value at sorted index lo
    above = int(np.searchsorted(cum, lo + 1, side="right")) if pos > lo else below
    return below + (pos - lo) * (above - below)


def word_ink(gray: np.ndarray, box: BBox) -> float | None:
    """The 5th percentile of the gray values in ``box`` (None for an empty box)."""
    crop = gray[max(0, box.y0):box.y1, max(0, box.x0):box.x1]
    return percentile(crop, 5) if crop.size else None


def stamp_boxes(gray: np.ndarray, lines: Sequence[Line]) -> tuple[BBox, ...]:
    """Boxes of the stamps on the page (rule in the module docstring)."""
    words = [w for ln in lines for w in ln.words if any(c.isalnum() for c in w.text)]
    if len(words) < 5 or gray.ndim != 2:
        return ()
    if len(np.unique(gray[:: max(1, gray.shape[0] // 200), :: max(1, gray.shape[1] // 200)])) <= 2:
        return ()  # bilevel: no tones
    inks = [word_ink(gray, w.bbox) for w in words]
    known = [i for i in inks if i is not None]
    if not known:
        return ()
    print_tone = statistics.median(known)
    paper = percentile(gray, 90)
    if paper - print_tone < 40:
        return ()
    limit = print_tone + LIGHT_INK_SHARE * (paper - print_tone)
    light = [w for w, ink in zip(words, inks) if ink is not None and ink > limit]
    if not light:
        return ()
    line_h = statistics.median(w.bbox.height for w in words) or 30
    clusters = _clusters(light, gap=1.5 * line_h)
    boxes = []
    for cluster in clusters:
        letters = sum(c.isalpha() for w in cluster for c in w.text)
        if len(cluster) < 2 and letters < 8:
            continue
        box = cluster[0].bbox
        for w in cluster[1:]:
            box = box.union(w.bbox)
        pad = int(line_h / 2)
        h, w_ = gray.shape
        boxes.append(BBox(max(0, box.x0 - pad), max(0, box.y0 - pad), min(w_, box.x1 + pad), min(h, box.y1 + pad)))
    if boxes:
        log.info("stamp(s) at %s (print tone %.0f, paper %.0f)", boxes, print_tone, paper)
    return tuple(boxes)


def _near(a: BBox, b: BBox, gap: float) -> bool:
    dx = max(0, max(a.x0, b.x0) - min(a.x1, b.x1))
    dy = max(0, max(a.y0, b.y0) - min(a.y1, b.y1))
    return dx <= gap and dy <= gap


def _clusters(words: list[Word], *, gap: float) -> list[list[Word]]:
    return linked_groups(words, lambda a, b: _near(a.bbox, b.bbox, gap))


def inside(word: Word, boxes: Sequence[BBox]) -> bool:
    cx, cy = (word.bbox.x0 + word.bbox.x1) / 2, (word.bbox.y0 + word.bbox.y1) / 2
    return any(b.x0 <= cx <= b.x1 and b.y0 <= cy <= b.y1 for b in boxes)


def _junk(text: str) -> bool:
    return len(text) <= 4 and not any(c in ".," for c in text[:-1])


def signature_name_span(words: Sequence[Word], *, width: int) -> tuple[int, int] | None:
    """``(start, stop)`` of the words of a signature's name on one line, or None.

    The name (surname with initials, either order) must end the line (junk after it allowed), start in
    the right half of the page, and either start the line (junk before it allowed) or follow a gap of
    :data:`SIGNATURE_GAP_LINES` line heights.
    """
    n = len(words)
    if not n:
        return None
    line_h = max(1, statistics.median(w.bbox.height for w in words))
    for stop in range(n, 0, -1):
        if stop < n and not _junk(words[stop].text):
            break
        for size in _NAME_WORDS:
            start = stop - size
            if start < 0:
                continue
            text = " ".join(w.text for w in words[start:stop]).strip(" ,;")
            if not NAME_WITH_INITIALS.match(text) or words[start].bbox.x0 < 0.45 * width:
                continue
            lead = start
            while lead > 0 and _junk(words[lead - 1].text):
                lead -= 1
            if lead == 0 or words[lead].bbox.x0 - words[lead - 1].bbox.x1 >= SIGNATURE_GAP_LINES * line_h:
                return start, stop
    return None


def is_signature_name(text: str) -> bool:
    """``Ибадуллаев А.А.`` / ``А.А. Ибадуллаев`` (junk of no letters around it ignored)."""
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    return 1 <= len(words) <= 4 and bool(NAME_WITH_INITIALS.match(" ".join(words).strip(" ,;")))

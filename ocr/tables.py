"""Ruled tables: find the grid's cells on a page image, and erase the rules before OCR.

Horizontal and vertical rules are the long thin dark runs left after a
morphological opening with a line-shaped kernel (at least 1/25 of the page
width, 1/60 of its height). The cells are the connected white areas enclosed
by those rules that are at least ~2 × 1.5 mm and do not touch the image
border (the page outside the table). Erasing the rules keeps Tesseract from
reading them as ``|`` or ``_``.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

from qostil.records import BBox

log = logging.getLogger(__name__)


class Rules:
    """A page's ruling lines: where the vertical ones are (``vertical``), and 255 where any one is (``mask``).

    The horizontal rules are found when ``mask`` is first asked for: a page without vertical rules has
    no cells, so its rules are never erased, and most pages are text (the opening is a third of the
    search, ~18 ms of an A4 page at 300 DPI)."""

    __slots__ = ("_ink", "_mask", "vertical")

    def __init__(self, ink: np.ndarray, vertical: np.ndarray) -> None:
        self._ink, self._mask, self.vertical = ink, None, vertical

    @property
    def mask(self) -> np.ndarray:
        if self._mask is None:
            w = self._ink.shape[1]
            kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 25), 1))
            self._mask = cv2.bitwise_or(cv2.morphologyEx(self._ink, cv2.MORPH_OPEN, kernel), self.vertical)
            self._ink = None
        return self._mask


def find_rules(gray: np.ndarray) -> Rules:
    """The horizontal and vertical ruling lines of a page."""
    h = gray.shape[0]
    bw = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    vert = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, h // 60))))
    return Rules(bw, vert)


def detect_cells(gray: np.ndarray, *, dpi: int = 300, rules: Rules | None = None) -> tuple[BBox, ...]:
    """Boxes of the cells of every ruled table on the page, top to bottom, left to right.

    ``rules``: the page's :func:`find_rules`, when the caller has them already."""
    rules = find_rules(gray) if rules is None else rules
    # A cell has a vertical rule on either side, so every cell lies within the vertical rules' extent,
    # its top and bottom rules at most a small gap beyond their ends (the dilation below closes it).
    # Only that extent and a margin of white around it is labelled: the rest of the page is one white
    # area touching the margin, as it touches the page's border (labelling the extent of all the rules,
    # from a rule under the letterhead to a signature line, took up to twice as long).
    vx, vy, vw, vh = cv2.boundingRect(rules.vertical)  # (0, 0, 0, 0) when there are none
    if not vw:
        return ()
    h, w = gray.shape
    reach = max(8, round(dpi / 25))  # 1 mm: a horizontal rule's thickness and its gap to the verticals
    x0, y0 = max(0, vx - 4), max(0, vy - reach)
    x1, y1 = min(w, vx + vw + 4), min(h, vy + vh + reach)
    # close small gaps where rules meet, then look at what the rules enclose
    grid = cv2.dilate(rules.mask[y0:y1, x0:x1], cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.bitwise_not(grid), connectivity=4)
    min_w, min_h = dpi * 2 / 25.4, dpi * 1.5 / 25.4
    cells = []
    for i in range(1, n):
        x, y, cw, ch, area = stats[i]
        x, y = x + x0, y + y0
        if x <= x0 or y <= y0 or x + cw >= x1 or y + ch >= y1:
            continue  # touches the border: the page around the table
        if cw < min_w or ch < min_h or area < 0.8 * cw * ch:
            continue  # a sliver, or not a rectangle
        if cw * ch > 0.5 * w * h:
            continue
        cells.append(BBox(int(x), int(y), int(x + cw), int(y + ch)))
    cells.sort(key=lambda b: (b.y0, b.x0))
    # a table has at least two cells side by side
    if not any(a is not b and _same_row(a, b) for a in cells for b in cells):
        return ()
    return tuple(cells)


def _same_row(a: BBox, b: BBox) -> bool:
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    return overlap > 0.5 * min(a.height, b.height) and (a.x1 <= b.x0 or b.x1 <= a.x0)


def erase_rules(gray: np.ndarray, *, rules: Rules | None = None) -> np.ndarray:
    """The page with its ruling lines painted white (``rules``: its :func:`find_rules`, if known)."""
    rules = find_rules(gray) if rules is None else rules
    mask = cv2.dilate(rules.mask, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    out = gray.copy()
    out[mask > 0] = 255
    return out

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


def rule_mask(gray: np.ndarray) -> np.ndarray:
    """255 where a horizontal or vertical ruling line is, else 0."""
    h, w = gray.shape
    bw = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    horiz = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 25), 1)))
    vert = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, h // 60))))
    return cv2.bitwise_or(horiz, vert)


def detect_cells(gray: np.ndarray, *, dpi: int = 300, mask: np.ndarray | None = None) -> tuple[BBox, ...]:
    """Boxes of the cells of every ruled table on the page, top to bottom, left to right.

    ``mask``: the page's :func:`rule_mask`, when the caller has it already."""
    mask = rule_mask(gray) if mask is None else mask
    bx, by, bw, bh = cv2.boundingRect(mask)  # the rules' extent; (0, 0, 0, 0) when there are none
    if not bw:
        return ()
    h, w = gray.shape
    # only the rules' extent and a margin of white around it (wider than the dilation below) is
    # labelled: what the rules enclose is inside it, and the rest of the page is one white area that
    # touches the margin, as it touches the page's border (a third of the time on a page with a table)
    x0, y0 = max(0, bx - 4), max(0, by - 4)
    x1, y1 = min(w, bx + bw + 4), min(h, by + bh + 4)
    # close small gaps where rules meet, then look at what the rules enclose
    grid = cv2.dilate(mask[y0:y1, x0:x1], cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
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


def erase_rules(gray: np.ndarray, *, mask: np.ndarray | None = None) -> np.ndarray:
    """The page with its ruling lines painted white (``mask``: its :func:`rule_mask`, if known)."""
    mask = cv2.dilate(rule_mask(gray) if mask is None else mask, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    out = gray.copy()
    out[mask > 0] = 255
    return out

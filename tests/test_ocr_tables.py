"""Ruled-table cells: found wherever the table sits on the page, and not from stray rules."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr.tables import detect_cells, erase_rules, find_rules


def _page_with_grid(x0: int, y0: int, *, cols: int = 3, rows: int = 2, stray: bool = False) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A white 300-DPI page with a ruled grid whose top-left corner is at (x0, y0); the cells' interiors."""
    page = np.full((3508, 2480), 255, np.uint8)
    xs = [x0 + 400 * c for c in range(cols + 1)]
    ys = [y0 + 150 * r for r in range(rows + 1)]
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 0, 3)
    for x in xs:
        cv2.line(page, (x, ys[0]), (x, ys[-1]), 0, 3)
    if stray:  # a signature line and a rule under a heading, far from the table
        cv2.line(page, (1400, 3200), (2100, 3200), 0, 2)
        cv2.line(page, (300, 2600), (2200, 2600), 0, 2)
    interiors = [(xs[c], ys[r], xs[c + 1], ys[r + 1]) for r in range(rows) for c in range(cols)]
    return page, interiors


@pytest.mark.parametrize(
    ("x0", "y0", "stray"),
    [(600, 1200, False), (600, 1200, True), (0, 1200, False), (1279, 3207, False), (0, 0, True)],
    ids=["middle", "middle-with-stray-rules", "at-the-left-edge", "at-the-bottom-right-corner", "top-left-corner"],
)
def test_cells_of_a_grid_anywhere_on_the_page(x0: int, y0: int, stray: bool) -> None:
    page, interiors = _page_with_grid(x0, y0, stray=stray)
    cells = detect_cells(page, dpi=300)
    assert len(cells) == len(interiors), cells
    for cell, (ix0, iy0, ix1, iy1) in zip(cells, interiors):  # top to bottom, left to right
        # the dilated rules (3 px drawn, 5 px closing) take a few pixels of each side
        assert abs(cell.x0 - ix0) <= 6 and abs(cell.y0 - iy0) <= 6, (cell, (ix0, iy0))
        assert abs(cell.x1 - ix1) <= 6 and abs(cell.y1 - iy1) <= 6, (cell, (ix1, iy1))


def test_no_cells_without_a_grid() -> None:
    page, _ = _page_with_grid(600, 1200, cols=1, rows=1)  # one box: a frame, not a table
    assert detect_cells(page, dpi=300) == ()
    blank = np.full((3508, 2480), 255, np.uint8)
    assert detect_cells(blank, dpi=300) == ()
    lines = blank.copy()
    cv2.line(lines, (300, 200), (2200, 200), 0, 2)
    cv2.line(lines, (1400, 3200), (2100, 3200), 0, 2)
    assert detect_cells(lines, dpi=300) == ()


def test_rules_are_erased_and_text_is_kept() -> None:
    page, _ = _page_with_grid(600, 1200)
    cv2.putText(page, "Text 12", (700, 1300), cv2.FONT_HERSHEY_SIMPLEX, 2, 0, 4)
    clean = erase_rules(page, rules=find_rules(page))
    assert clean[1200, 600:1800].min() == 255  # a horizontal rule is gone
    assert clean[1200:1500, 1000].min() == 255  # so is a vertical one
    assert (clean[1240:1320, 690:1000] < 128).sum() > 500  # the text inside a cell is not


def test_a_page_with_horizontal_rules_only_has_them_in_its_mask() -> None:
    """The horizontal rules are found when the mask is first asked for (a page without vertical rules has
    no cells and is never erased), and then they are there as before."""
    page = np.full((3508, 2480), 255, np.uint8)
    cv2.line(page, (300, 200), (2200, 200), 0, 2)
    cv2.putText(page, "Text 12", (700, 1300), cv2.FONT_HERSHEY_SIMPLEX, 2, 0, 4)
    rules = find_rules(page)
    assert not rules.vertical.any() and detect_cells(page, dpi=300, rules=rules) == ()
    assert rules.mask[199:202, 300:2200].any(axis=0).all()  # the whole rule
    assert not rules.mask[1240:1320, 690:1000].any()  # no text
    clean = erase_rules(page, rules=rules)
    assert clean[195:206, 300:2200].min() == 255 and (clean[1240:1320, 690:1000] < 128).sum() > 500


def test_cells_whose_vertical_rules_stop_short_of_the_outer_rules() -> None:
    """A bold outer rule, vertical rules that stop a hairline short of it, and a rule far above: the
    cells are still found (only the vertical rules' extent and a margin around it is searched)."""
    page = np.full((3508, 2480), 255, np.uint8)
    xs, ys = [500, 900, 1300], [1000, 1150, 1300]
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 0, 4 if y == ys[1] else 9)
    for x in xs:
        cv2.line(page, (x, ys[0] + 8), (x, ys[-1] - 8), 0, 3)
    cv2.line(page, (300, 200), (2200, 200), 0, 2)  # a rule under the letterhead, far above
    cells = detect_cells(page, dpi=300)
    assert len(cells) == 4, cells
    assert abs(cells[0].y0 - ys[0]) <= 9 and abs(cells[-1].y1 - ys[-1]) <= 9  # half the bold rule, dilated

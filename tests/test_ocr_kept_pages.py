"""Pages read for OCR are kept for the same document's scan crops: handed over once, within a byte budget,
never for a file that changed since, and only while a run keeps them."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ocr import kept_pages
from ocr.kept_pages import KeptPages
from ocr.sources import load_page
from publish.crops import PageImages


def _png(path: Path, shade: int = 255, size: tuple[int, int] = (300, 200)) -> Path:
    Image.fromarray(np.full(size[::-1], shade, dtype=np.uint8)).save(path, dpi=(300, 300))
    return path


def test_a_kept_page_is_handed_over_once(tmp_path: Path) -> None:
    path = _png(tmp_path / "a.png")
    kept = KeptPages()
    page = load_page(path, 1)
    kept.keep(path, page, 300)
    assert len(kept) == 1 and kept.nbytes == page.image.nbytes
    assert kept.take(path, 1, 300) is page
    assert kept.take(path, 1, 300) is None  # once
    assert kept.nbytes == 0
    with pytest.raises(ValueError):  # held read-only: whoever changes it makes a copy
        page.image[0, 0] = 0


def test_another_page_resolution_or_file_is_not_served(tmp_path: Path) -> None:
    a, b = _png(tmp_path / "a.png"), _png(tmp_path / "b.png")
    kept = KeptPages()
    kept.keep(a, load_page(a, 1), 300)
    assert kept.take(b, 1, 300) is None
    assert kept.take(a, 2, 300) is None
    assert kept.take(a, 1, 200) is None
    assert kept.take(tmp_path / "gone.png", 1, 300) is None
    assert kept.take(a, 1, 300) is not None


def test_a_file_replaced_since_is_read_anew(tmp_path: Path) -> None:
    path = _png(tmp_path / "a.png", shade=255)
    kept = KeptPages()
    kept.keep(path, load_page(path, 1), 300)
    _png(path, shade=0, size=(310, 200))  # replaced in the inbox: another size and time
    os.utime(path, ns=(1, 1))
    assert kept.take(path, 1, 300) is None


def test_the_oldest_pages_go_past_the_budget(tmp_path: Path) -> None:
    paths = [_png(tmp_path / f"{k}.png") for k in range(4)]
    one = load_page(paths[0], 1).image.nbytes
    kept = KeptPages(budget=3 * one)
    for p in paths:
        kept.keep(p, load_page(p, 1), 300)
    assert len(kept) == 3 and kept.nbytes == 3 * one
    assert kept.take(paths[0], 1, 300) is None
    assert all(kept.take(p, 1, 300) is not None for p in paths[1:])
    small = KeptPages(budget=one - 1)  # a page over the whole budget is not kept
    small.keep(paths[0], load_page(paths[0], 1), 300)
    assert len(small) == 0


def test_crops_take_the_page_read_while_a_run_keeps_pages(tmp_path: Path) -> None:
    path = _png(tmp_path / "scan.png", shade=255)
    read = load_page(path, 1)
    kept_pages.keep(path, read, 300)  # not keeping: nothing held
    assert kept_pages.take(path, 1, 300) is None
    with kept_pages.keeping() as kept, kept_pages.keeping():  # overlapping blocks share one store
        marked = load_page(path, 1)
        marked = type(marked)(marked.number, np.zeros_like(marked.image), marked.dpi, source=marked.source)
        kept_pages.keep(path, marked, 300)
        assert len(kept) == 1
        image = PageImages(path, dpi=300)(1)
        assert image is not None and int(image.image.max()) == 0  # the page as read, not rendered again
        assert len(kept) == 0
        # not kept (taken already): read from the file
        assert int(PageImages(path, dpi=300)(1).image.min()) == 255
        kept_pages.keep(path, marked, 300)
    assert kept_pages.take(path, 1, 300) is None  # dropped when the last block ended

"""Scan crops are cut where the words are, on scans that were turned, deskewed or scaled before reading.

The words' boxes are on the image Tesseract read (upscaled, turned upright, deskewed); the report cuts
its crops from the source file, so it has to scale and turn that file's page the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from flows.outputs import DocumentResult, write_document
from ocr.engine import OcrConfig, TesseractEngine, recognize_page
from ocr.preprocess import read_transform, rotate_quarter, rotate_small, upscale
from ocr.sources import load_page
from publish.crops import PageImages, ReadPage, crop_region
from publish.document import PublishedDocument, load_document
from qostil.records import BBox
from render.degrade import skew
from test_ocr_engine import LINES, render_lines  # type: ignore[import-not-found]


def _page() -> np.ndarray:
    return render_lines(LINES[:4], size=(2480, 900))  # the third line names Бишимбаев


def _scan(path: Path) -> Path:
    """A 150-DPI scan of a page fed in upside down and 2° askew."""
    page = cv2.rotate(skew(_page(), 2.0), cv2.ROTATE_180)
    half = cv2.resize(page, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    Image.fromarray(half).save(path, dpi=(150, 150))
    return path


def _words_in(page: ReadPage, box) -> str:
    """What Tesseract reads in the crop region of ``box``."""
    return TesseractEngine().recognize(page.region(crop_region(box, page.size)), OcrConfig(), dpi=300).text


def test_crops_follow_the_turn_the_skew_and_the_upscaling(tmp_path: Path) -> None:
    scan = _scan(tmp_path / "scan.png")
    read = recognize_page(load_page(scan, 1), OcrConfig())
    assert (read.rotation, read.dpi) == (180, 300)
    assert 1.5 <= abs(read.skew_deg) <= 2.5
    word = next(w for ln in read.lines for w in ln.words if w.text.startswith("Бишимбаев"))

    doc = PublishedDocument("c" * 64, str(scan), 1, (), (), dpi=300, geometry=(read.geometry,))
    assert "Бишимбаев" in _words_in(PageImages(doc.source, dpi=doc.dpi, geometry=doc.geometry)(1), word.bbox)
    # cut from the file as it is, the same box shows something else
    assert "Бишимбаев" not in _words_in(PageImages(doc.source, dpi=doc.dpi)(1), word.bbox)

    # the geometry is kept with the document, so a report rebuilt from its folder crops the same way
    result = DocumentResult(doc.doc_id, doc.source, str(tmp_path / doc.doc_id), 1, 0, 0, 0, 0)
    write_document(tmp_path, result, doc)
    assert json.loads((tmp_path / doc.doc_id / "done.json").read_text())["page_geometry"][0]["rotation"] == 180
    assert load_document(tmp_path / doc.doc_id).geometry == (read.geometry,)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
@pytest.mark.parametrize(("dpi", "skew_deg"), [(300, 0.0), (300, -1.3), (150, 0.7)])
def test_a_region_of_the_page_as_read_is_cut_without_turning_the_page(rotation: int, dpi: int, skew_deg: float) -> None:
    source = cv2.resize(_page(), None, fx=dpi / 300, fy=dpi / 300, interpolation=cv2.INTER_AREA)
    # the page as preprocess turns it before reading, step by step
    read = upscale(source, dpi=dpi, target_dpi=300) if dpi != 300 else source
    read = rotate_quarter(read, rotation)
    read = rotate_small(read, skew_deg) if skew_deg else read
    transform, size = read_transform((source.shape[1], source.shape[0]), dpi=dpi, read_dpi=300, rotation=rotation, skew_deg=skew_deg)
    assert size == (read.shape[1], read.shape[0])
    page = ReadPage(source, transform, size)
    w, h = size
    for region in (BBox(w // 4, h // 3, min(w, w // 4 + 700), h // 3 + 120), BBox(0, 0, 300, 200), BBox(w - 500, h - 90, w, h)):
        cut = page.region(region).astype(int)
        whole = read[region.y0:region.y1, region.x0:region.x1].astype(int)
        assert cut.shape == whole.shape
        assert np.abs(cut - whole).mean() < 3.0, (region, np.abs(cut - whole).mean())

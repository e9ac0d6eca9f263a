"""Scan crops are cut where the words are, on scans that were turned, deskewed or scaled before reading.

The words' boxes are on the image Tesseract read (upscaled, turned upright, deskewed); the report cuts
its crops from the source file, so it has to scale and turn that file's page the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from flows.outputs import DocumentResult, write_document
from ocr.engine import OcrConfig, TesseractEngine, recognize_page
from ocr.sources import load_page
from publish.crops import PageImages, crop_region
from publish.document import PublishedDocument, load_document
from render.degrade import skew

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINES = [
    "Совет Директоров эмитента состоит из семи членов Совета",
    "Директоров, включая его Председателя, каждый из которых",
    "имеет один голос. Бишимбаев Куандык Валиханович избран",
    "Эмитенттің Директорлар кеңесі жеті мүшесінен тұрады.",
]


def _scan(path: Path) -> Path:
    """A 150-DPI scan of a page fed in upside down and 2° askew."""
    img = Image.new("L", (2480, 900), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 50)
    for k, line in enumerate(LINES):
        draw.text((200, 150 + 80 * k), line, font=font, fill=0)
    page = cv2.rotate(skew(np.asarray(img), 2.0), cv2.ROTATE_180)
    half = cv2.resize(page, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    Image.fromarray(half).save(path, dpi=(150, 150))
    return path


def _words_in(image: np.ndarray, box) -> str:
    """What Tesseract reads in the crop region of ``box``."""
    region = crop_region(box, (image.shape[1], image.shape[0]))
    cut = np.ascontiguousarray(image[region.y0:region.y1, region.x0:region.x1])
    return TesseractEngine().recognize(cut, OcrConfig(), dpi=300).text


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

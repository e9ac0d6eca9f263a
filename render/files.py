"""Write rendered pages as files: PNG, multi-page TIFF, image-only PDF, and the ground truth beside them.

Ground-truth files, for page ``NNN`` (1-based, counted within the image file):
- ``<stem>.page-NNN.gt.txt``: the page's lines as drawn, one per line, in
  reading order; a table row is one line with its cells joined by TAB; the
  running header and the page number are included (they are on the page).
- ``<stem>.page-NNN.gt.json``: the same lines with kind (``heading``,
  ``paragraph``, ``list_item``, ``table_row``, ``signature``, ``stamp``,
  ``furniture``), ``furniture`` flag, block index, boxes of the line, of each
  word and of each table cell, table row index and page-break ``split``, plus
  the block boxes, dpi, size, font and the degradations applied.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image

from render.layout import RenderedPage

log = logging.getLogger(__name__)

FIXED_PDF_DATE = "D:20150607000000+06'00'"


def gt_paths(stem: Path, page_in_file: int) -> tuple[Path, Path]:
    """The ``.gt.txt`` and ``.gt.json`` paths for page ``page_in_file`` of the file ``stem``."""
    base = f"{stem.name}.page-{page_in_file:03d}"
    return stem.with_name(base + ".gt.txt"), stem.with_name(base + ".gt.json")


def write_ground_truth(stem: Path, page: RenderedPage, *, page_in_file: int, image_name: str) -> None:
    """Write the ``.gt.txt`` and ``.gt.json`` of ``page`` beside the image file ``stem``."""
    txt, js = gt_paths(stem, page_in_file)
    txt.write_text(page.text() + "\n", encoding="utf-8")
    data = {"image": image_name, "page_in_file": page_in_file, "document_page": page.number, **page.gt_json()}
    js.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_png(path: Path, page: RenderedPage) -> Path:
    """A grayscale PNG with its dpi recorded, and its ground truth beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(page.image, mode="L").save(path, format="PNG", optimize=True, dpi=(page.dpi, page.dpi))
    write_ground_truth(path.with_suffix(""), page, page_in_file=1, image_name=path.name)
    return path


def write_jpeg(path: Path, page: RenderedPage, *, quality: int = 75) -> Path:
    """A grayscale JPEG with its dpi recorded, and its ground truth beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(page.image, mode="L").save(path, format="JPEG", quality=quality, dpi=(page.dpi, page.dpi))
    write_ground_truth(path.with_suffix(""), page, page_in_file=1, image_name=path.name)
    return path


def _bilevel(image: np.ndarray, threshold: int) -> Image.Image:
    return Image.fromarray(np.where(image >= threshold, 255, 0).astype(np.uint8), mode="L").convert("1", dither=None)


def write_tiff(
    path: Path, pages: Sequence[RenderedPage], *, compression: str = "group4", threshold: int = 160
) -> Path:
    """A multi-page TIFF (``group4``: pages thresholded to black and white, as a fax or office scanner
    makes them; ``tiff_lzw``: grayscale), with the ground truth of each page beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if compression == "group4":
        images = [_bilevel(p.image, threshold) for p in pages]
    else:
        images = [Image.fromarray(p.image, mode="L") for p in pages]
    dpi = (pages[0].dpi, pages[0].dpi)
    images[0].save(path, format="TIFF", save_all=True, append_images=images[1:], compression=compression, dpi=dpi)
    for i, page in enumerate(pages, 1):
        write_ground_truth(path.with_suffix(""), page, page_in_file=i, image_name=path.name)
    return path


def write_pdf(
    path: Path,
    pages: Sequence[RenderedPage],
    *,
    quality: int = 40,
    title: str = "",
    gt_dir: Path | None = None,
) -> Path:
    """An image-only PDF (one grayscale JPEG per A4 page, no text layer).

    The ground truth goes to ``gt_dir`` (default: beside the PDF), named after the PDF's stem.
    Metadata and the file id are fixed, so the same pages give the same bytes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = pymupdf.open()
    for page in pages:
        buf = io.BytesIO()
        Image.fromarray(page.image, mode="L").save(
            buf, format="JPEG", quality=quality, optimize=True, dpi=(page.dpi, page.dpi)
        )
        w_pt = page.size[0] / page.dpi * 72.0
        h_pt = page.size[1] / page.dpi * 72.0
        pdf_page = doc.new_page(width=w_pt, height=h_pt)
        pdf_page.insert_image(pdf_page.rect, stream=buf.getvalue())
    doc.set_metadata(
        {
            "title": title,
            "author": "",
            "subject": "",
            "keywords": "",
            "creator": "qostil render",
            "producer": "qostil render",
            "creationDate": FIXED_PDF_DATE,
            "modDate": FIXED_PDF_DATE,
        }
    )
    doc.save(path, garbage=4, deflate=True, no_new_id=True)
    doc.close()
    stem = (gt_dir or path.parent) / path.stem
    stem.parent.mkdir(parents=True, exist_ok=True)
    for i, page in enumerate(pages, 1):
        write_ground_truth(stem, page, page_in_file=i, image_name=path.name)
    return path

"""The committed sample scan: what the quick start runs on, with ground truth beside every page."""

from __future__ import annotations

import json

import numpy as np
import pymupdf
import pytest
from PIL import Image

from render.sample import REPO, SAMPLE_NAME

INBOX = REPO / "samples" / "inbox"
SCANS = REPO / "samples" / "scans"
PDF = INBOX / f"{SAMPLE_NAME}.pdf"


def test_inbox_holds_only_the_filing_pdf() -> None:
    assert sorted(p.name for p in INBOX.iterdir()) == [PDF.name]
    assert PDF.stat().st_size < 3.3e6


def test_pdf_pages_are_300_dpi_grayscale_images_without_text() -> None:
    with pymupdf.open(PDF) as doc:
        assert 8 <= doc.page_count <= 10
        for page in doc:
            assert page.get_text().strip() == ""
            (info,) = page.get_image_info(xrefs=True)
            assert (info["width"], info["height"]) == (2480, 3508)
            assert info["colorspace"] == 1  # one component: grey
            assert round(page.rect.width) == 595 and round(page.rect.height) == 842
        gts = sorted(SCANS.glob(f"{SAMPLE_NAME}.page-*.gt.txt"))
        assert len(gts) == doc.page_count


def test_every_image_has_its_ground_truth_beside_it() -> None:
    images = [p for p in SCANS.iterdir() if p.suffix in {".png", ".jpg", ".tif"}]
    assert {p.suffix for p in images} == {".png", ".jpg", ".tif"}
    for path in images:
        with Image.open(path) as im:
            frames = getattr(im, "n_frames", 1)
            for i in range(1, frames + 1):
                im.seek(i - 1)
                gt = json.loads((SCANS / f"{path.stem}.page-{i:03d}.gt.json").read_text(encoding="utf-8"))
                assert gt["image"] == path.name and gt["page_in_file"] == i
                assert tuple(gt["size"]) == im.size
                txt = (SCANS / f"{path.stem}.page-{i:03d}.gt.txt").read_text(encoding="utf-8")
                assert txt == "\n".join(line["text"] for line in gt["lines"]) + "\n"
    tif = next(p for p in images if p.suffix == ".tif")
    with Image.open(tif) as im:
        assert im.n_frames == 2 and im.mode == "1" and im.info.get("compression") == "group4"


def test_ground_truth_lines_sit_on_ink_in_the_pdf() -> None:
    gt = json.loads((SCANS / f"{SAMPLE_NAME}.page-003.gt.json").read_text(encoding="utf-8"))
    with pymupdf.open(PDF) as doc:
        pix = doc[2].get_pixmap(dpi=300, colorspace=pymupdf.csGRAY)
    img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width)
    for line in gt["lines"]:
        x0, y0, x1, y1 = line["bbox"]
        assert img[y0:y1, x0:x1].min() < 100, line["text"]


@pytest.mark.parametrize("kind", ["furniture", "table_row", "heading", "list_item", "stamp", "signature"])
def test_ground_truth_marks_every_kind_somewhere(kind: str) -> None:
    kinds = set()
    for path in SCANS.glob(f"{SAMPLE_NAME}.page-*.gt.json"):
        kinds |= {line["kind"] for line in json.loads(path.read_text(encoding="utf-8"))["lines"]}
    assert kind in kinds

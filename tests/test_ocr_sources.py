"""Reading input files: every supported kind, and every broken one as a typed, readable error."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from ocr.engine import recognize_page, text_layer_is_good, OcrConfig
from ocr.sources import count_pages, iter_pages, load_page
from qostil.errors import EncryptedInputError, InputFileError, InputTooLargeError

TEXT = "Совет Директоров состоит из 7 (семи) членов. Тәуелсіз директорлар және мүшелері."


def _pdf_bytes(pages: int = 2, *, text: bool = True) -> bytes:
    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page(width=595, height=842)
        if text:
            page.insert_text((72, 100), f"{TEXT} Страница {i + 1}", fontname="dejavu",
                             fontfile="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", fontsize=8)
    data = doc.tobytes()
    doc.close()
    return data


def _png_zero_size() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 0, 0, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_pdf_pages_render_at_300_dpi_with_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "doc.bin"  # the extension does not matter
    path.write_bytes(_pdf_bytes(2))
    assert count_pages(path) == 2
    pages = list(iter_pages(path))
    assert [p.number for p in pages] == [1, 2]
    assert pages[0].image.dtype == np.uint8 and pages[0].image.shape == (3509, 2480)  # 842 pt
    assert pages[0].dpi == 300
    words = pages[1].text_layer
    assert words is not None and words[0].text == "Совет"
    # boxes are in rendered pixels: 72 pt from the left at 300 DPI is 300 px
    assert abs(words[0].bbox.x0 - 300) <= 3
    assert text_layer_is_good(words)
    page = recognize_page(pages[1], OcrConfig())
    assert page.source == "text_layer"
    assert "Тәуелсіз директорлар және мүшелері." in page.text
    assert load_page(path, 2).text_layer == words


def test_pdf_without_text_has_no_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf_bytes(1, text=False))
    (page,) = iter_pages(path, dpi=100)
    assert page.text_layer is None and page.dpi == 100


@pytest.mark.parametrize(
    ("words", "good"),
    [
        ("Совет Директоров эмитента состоит из 7 членов", True),
        ("Совет Директоров", False),  # too few words
        ("\ufffd\ufffd \ufffd\ufffd\ufffd \ufffd\ufffd \ufffd\ufffd\ufffd \ufffd\ufffd \ufffd", False),
        ("@#$ %^& *() !@# $%^ &*(", False),
        ("С о в е т Д и р е к т о р о в", False),  # one glyph per word
    ],
)
def test_text_layer_rule(words: str, good: bool) -> None:
    from qostil.records import BBox, Word

    ws = [Word(text=t, conf=100.0, bbox=BBox(0, 0, 10, 10)) for t in words.split()]
    assert text_layer_is_good(ws) is good


def test_multipage_tiff_and_declared_dpi(tmp_path: Path) -> None:
    path = tmp_path / "scan.tif"
    frames = [Image.new("L", (200, 100), 255), Image.new("1", (200, 100), 1)]
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(200, 200))
    pages = list(iter_pages(path))
    assert [p.number for p in pages] == [1, 2]
    assert pages[0].dpi == 200 and pages[0].image.shape == (100, 200)
    assert pages[1].image.dtype == np.uint8 and int(pages[1].image.min()) == 255
    assert count_pages(path) == 2


def test_png_without_dpi_assumes_300_and_rgba_goes_on_white(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    Image.new("RGBA", (50, 40), (0, 0, 0, 0)).save(path)
    (page,) = iter_pages(path)
    assert page.dpi == 300 and page.image.shape == (40, 50) and int(page.image.min()) == 255


def test_jpeg_by_magic_bytes(tmp_path: Path) -> None:
    path = tmp_path / "photo.pdf"  # misleading name
    Image.new("RGB", (64, 48), (200, 200, 200)).save(path, format="JPEG", dpi=(150, 150))
    (page,) = iter_pages(path)
    assert page.dpi == 150 and page.image.shape == (48, 64)


def _truncated_pdf() -> bytes:
    data = _pdf_bytes(3)
    return data[: len(data) // 3]


def _encrypted_pdf() -> bytes:
    doc = pymupdf.open(stream=_pdf_bytes(1), filetype="pdf")
    buf = io.BytesIO()
    doc.save(buf, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "error", "reason"),
    [
        ("empty.pdf", b"", InputFileError, "empty (0 bytes)"),
        ("random.pdf", bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)), InputFileError, "not a PDF, TIFF, PNG or JPEG"),
        ("notes.pdf", "Просто текст, не документ".encode(), InputFileError, "not a PDF, TIFF, PNG or JPEG"),
        ("truncated.pdf", _truncated_pdf(), InputFileError, "PDF"),
        ("locked.pdf", _encrypted_pdf(), EncryptedInputError, "password-protected"),
        ("zero.png", _png_zero_size(), InputFileError, "image"),
        ("cut.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, InputFileError, "image"),
    ],
)
def test_bad_inputs_raise_typed_readable_errors(tmp_path: Path, name: str, content: bytes, error: type, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error) as info:
        list(iter_pages(path))
    message = str(info.value)
    assert name in message and reason in message
    assert "\n" not in message


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not found"):
        count_pages(tmp_path / "nope.pdf")
    with pytest.raises(InputFileError, match="folder"):
        count_pages(tmp_path)


def test_decompression_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.png"
    Image.new("L", (400, 300), 255).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(InputTooLargeError, match="too many pixels"):
        list(iter_pages(path))


@pytest.mark.parametrize(
    ("size", "declared", "dpi"),
    [
        ((1654, 2339), None, 200),  # A4 at 200 DPI, no resolution written
        ((2339, 1654), None, 200),  # the same, landscape
        ((1654, 2339), (72, 72), 200),  # a screen default on a paper-shaped page
        ((1700, 2200), None, 200),  # US Letter at 200 DPI
        ((1654, 2339), (150, 150), 150),  # a real declaration wins
        ((900, 400), None, 300),  # not paper-shaped: assume 300
    ],
)
def test_undeclared_dpi_is_read_from_the_page_size(tmp_path: Path, size: tuple[int, int], declared, dpi: int) -> None:
    path = tmp_path / "scan.png"
    kwargs = {"dpi": declared} if declared else {}
    Image.new("L", size, 255).save(path, **kwargs)
    (page,) = iter_pages(path)
    assert page.dpi == dpi


def test_undeclared_200_dpi_scan_is_upscaled_before_ocr(tmp_path: Path) -> None:
    from ocr.preprocess import PreprocessConfig, preprocess

    path = tmp_path / "scan.png"
    Image.new("L", (1654, 2339), 255).save(path)
    (page,) = iter_pages(path)
    result = preprocess(page.image, PreprocessConfig(), dpi=page.dpi)
    assert "upscale" in result.steps and result.dpi == 300
    assert result.image.shape == (round(2339 * 1.5), round(1654 * 1.5))

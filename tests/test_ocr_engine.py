"""The real Tesseract on rendered pages: accuracy, orientation, blank pages, timeouts, layout."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from rapidfuzz.distance import Levenshtein

from ocr import _tesseract, read_document
from ocr.engine import OcrConfig, TesseractEngine, recognize_page
from ocr.langid import label_languages
from ocr.layout import segment_pages
from ocr.preprocess import PreprocessConfig, estimate_skew, opencv_threads, reading_looks_turned
from ocr.sources import SourcePage
from qostil.records import BBox, Word
from render.blocks import Paragraph
from render.degrade import gaussian_noise, salt_and_pepper, skew
from render.document import render_document

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINES = [
    "Совет Директоров эмитента состоит из 7 (семи) членов Совета",
    "Директоров, включая его Председателя, каждый из которых при",
    "голосовании имеет один голос. Бишимбаев Куандык Валиханович,",
    "1980 г.р., избран 27.11.2014; Алдамберген Алина Өтемісқызы.",
    "",
    "Эмитенттің Директорлар кеңесі 7 (жеті) Директорлар кеңесі",
    "мүшесінен және оның Төрағасынан тұрады. Тәуелсіз директорлар:",
    "Бабенов Булат Базартаевич, 1975 ж.т., 13.02.2014 ж. сайланған;",
    "«Бәйтерек» ұлттық басқарушы холдингі» акционерлік қоғамы.",
]


def render_lines(lines: list[str], *, size: tuple[int, int] = (2480, 1400), pt: int = 12) -> np.ndarray:
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, round(pt * 300 / 72))
    y = 150
    for line in lines:
        if line:
            draw.text((200, y), line, font=font, fill=0)
        y += round(font.size * 1.6)
    return np.asarray(img)


def cer(hyp: str, ref: str) -> float:
    hyp, ref = " ".join(hyp.split()), " ".join(ref.split())
    return Levenshtein.distance(hyp, ref) / max(1, len(ref))


@pytest.fixture(scope="module")
def clean_page() -> np.ndarray:
    return render_lines(LINES)


def test_clean_page_cer_at_most_2_percent(clean_page: np.ndarray) -> None:
    page = recognize_page(SourcePage(number=1, image=clean_page, dpi=300), OcrConfig())
    ref = "\n".join(line for line in LINES if line)
    assert cer(page.text, ref) <= 0.02, page.text
    assert page.source == "ocr" and page.rotation == 0
    assert [line.text for line in page.lines][0].startswith("Совет Директоров")
    words = [w for line in page.lines for w in line.words]
    assert all(0 <= w.conf <= 100 and w.bbox.width > 0 and w.page == 1 for w in words)
    # Kazakh letters survive
    assert "Өтемісқызы" in page.text and "Төрағасынан" in page.text
    segments = label_languages(segment_pages([page], doc_id="e" * 64))
    assert [s.lang for s in segments] == ["ru", "kk"]
    assert all(s.ocr_conf and s.ocr_conf > 80 for s in segments)


@pytest.fixture
def osd_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the real Tesseract OSD runs (the spy calls through)."""
    calls: list[int] = []
    real = _tesseract.detect_orientation

    def counted(**kwargs):  # noqa: ANN003, ANN202
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(_tesseract, "detect_orientation", counted)
    return calls


def test_upright_page_is_read_without_osd(clean_page: np.ndarray, osd_calls: list[int]) -> None:
    page = recognize_page(SourcePage(number=1, image=clean_page, dpi=300), OcrConfig())
    assert page.rotation == 0 and "Бишимбаев" in page.text
    assert osd_calls == []


def test_upside_down_page_comes_out_right(clean_page: np.ndarray, osd_calls: list[int]) -> None:
    flipped = cv2.rotate(clean_page, cv2.ROTATE_180)
    page = recognize_page(SourcePage(number=3, image=flipped, dpi=300), OcrConfig())
    assert page.rotation == 180
    assert cer(page.text, "\n".join(line for line in LINES if line)) <= 0.02
    assert len(osd_calls) == 1  # after the first, doubtful reading only


def test_timed_out_page_is_not_turned_and_read_again(clean_page: np.ndarray, osd_calls: list[int]) -> None:
    page = recognize_page(SourcePage(number=2, image=clean_page, dpi=300), OcrConfig(timeout_s=0.01))
    assert page.lines == () and page.warnings and osd_calls == []


def test_orient_always_runs_osd_before_the_read(clean_page: np.ndarray, osd_calls: list[int]) -> None:
    cfg = OcrConfig(preprocess=PreprocessConfig(orient_always=True))
    page = recognize_page(SourcePage(number=1, image=cv2.rotate(clean_page, cv2.ROTATE_180), dpi=300), cfg)
    assert page.rotation == 180 and len(osd_calls) == 1


def _word(text: str, conf: float, w: int = 120, h: int = 30) -> Word:
    return Word(text=text, conf=conf, bbox=BBox(0, 0, w, h), page=1)


@pytest.mark.parametrize("angle", [-4.3, -2.0, -0.8, 0.6, 1.7, 3.9])
def test_skew_is_measured_on_clean_and_noisy_pages(clean_page: np.ndarray, angle: float) -> None:
    turned = skew(clean_page, angle)  # counter-clockwise: the page is turned back by -angle
    noisy = salt_and_pepper(gaussian_noise(turned, np.random.default_rng(3)), np.random.default_rng(4))
    assert abs(estimate_skew(turned) + angle) <= 0.1
    assert abs(estimate_skew(noisy) + angle) <= 0.1


@pytest.fixture(scope="module")
def stitched_pages() -> np.ndarray:
    """Three full A4 pages of text in one tall image, as a scanner's long feed stitches them."""
    text = "Совет Директоров эмитента состоит из 7 (семи) членов.\n\nДиректорлар кеңесі 7 (жеті) мүшеден тұрады."
    pages = render_document([Paragraph(text=p) for p in "\n\n".join([text] * 60).split("\n\n")], seed=3)
    return np.vstack([p.image for p in pages[:3]])


@pytest.mark.parametrize("angle", [0.0, -0.7, 1.5])
def test_skew_is_measured_on_pages_stitched_end_to_end(stitched_pages: np.ndarray, angle: float) -> None:
    """Shrunk by its length alone, the image's profile was 236 px wide: the straight scan read as 0.3°
    askew and the one turned by -0.7° as +0.85°."""
    assert abs(estimate_skew(skew(stitched_pages, angle) if angle else stitched_pages) + angle) <= 0.1


def test_straight_and_blank_pages_have_no_skew(clean_page: np.ndarray) -> None:
    assert estimate_skew(clean_page) == 0.0
    assert estimate_skew(np.full((3508, 2480), 255, np.uint8)) == 0.0
    assert estimate_skew(np.full((40, 30), 255, np.uint8)) == 0.0


def test_opencv_threads_are_limited_inside_the_block_and_restored_after() -> None:
    before = cv2.getNumThreads()
    with pytest.raises(KeyError), opencv_threads(1):
        assert cv2.getNumThreads() == 1
        raise KeyError("a page failed")
    assert cv2.getNumThreads() == before


def test_reading_looks_turned_on_confidences_and_box_shapes() -> None:
    upright = [_word("Директоров", 95)] * 30
    assert not reading_looks_turned(upright, min_conf=60)
    assert reading_looks_turned([_word("ииои", 40)] * 30, min_conf=60)  # upside-down garbage
    assert reading_looks_turned([_word("Директоров", 95, w=30, h=120)] * 30, min_conf=60)  # read as vertical text
    assert reading_looks_turned(upright[:5], min_conf=60)  # too few words to trust
    assert not reading_looks_turned([_word("Директоров", 72)] * 20 + [_word("ш", 40)] * 10, min_conf=60)  # heavy scan


def test_engines_load_once_per_thread_and_language() -> None:
    import threading

    first = _tesseract._engine("rus+kaz")
    assert _tesseract._engine("rus+kaz") is first  # re-reads reuse the loaded models
    assert _tesseract._engine("kaz+rus") is not first
    other: list[object] = []
    t = threading.Thread(target=lambda: other.append(_tesseract._engine("rus+kaz")))
    t.start()
    t.join()
    assert other and other[0] is not first  # an engine is never shared between threads


def test_page_turned_90_degrees_comes_out_right() -> None:
    image = cv2.rotate(render_lines(LINES[:4], size=(2480, 900)), cv2.ROTATE_90_CLOCKWISE)
    page = recognize_page(SourcePage(number=1, image=image, dpi=300), OcrConfig())
    assert page.rotation == 270
    assert cer(page.text, "\n".join(LINES[:4])) <= 0.02


def test_blank_page_yields_no_text_and_no_error(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("L", (2480, 3508), 255).save(path, dpi=(300, 300))
    (page,) = read_document(path)
    assert page.text == "" and page.lines == () and page.warnings == ()


def test_timeout_gives_empty_page_with_warning(clean_page: np.ndarray) -> None:
    page = TesseractEngine().recognize(clean_page, OcrConfig(timeout_s=0.01), number=7)
    assert page.lines == ()
    assert page.warnings and "page 7" in page.warnings[0]


def test_engine_reports_version_and_languages() -> None:
    engine = TesseractEngine()
    assert engine.version()[0].isdigit()
    assert {"rus", "kaz"} <= set(engine.languages())


def test_missing_language_data_names_the_package(clean_page: np.ndarray) -> None:
    from ocr import _tesseract
    from qostil.errors import MissingDependencyError

    with pytest.raises(MissingDependencyError, match="apt-get install tesseract-ocr-xyz"):
        _tesseract.image_to_data(image=clean_page, lang="rus+xyz")


def test_missing_language_data_folder_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from ocr import _tesseract
    from qostil.errors import MissingDependencyError

    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    _tesseract.tessdata_dir.cache_clear()
    _tesseract.get_languages.cache_clear()
    try:
        with pytest.raises(MissingDependencyError, match="apt-get install tesseract-ocr"):
            _tesseract.get_languages()
        with pytest.raises(MissingDependencyError, match=str(tmp_path)):
            _tesseract.image_to_data(image=np.full((50, 50), 255, np.uint8), lang="xyz")
    finally:
        _tesseract.tessdata_dir.cache_clear()
        _tesseract.get_languages.cache_clear()


def test_missing_binding_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from ocr import _tesseract
    from qostil.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "tesserocr", None)  # what an uninstalled package looks like to import
    _tesseract.version.cache_clear()
    try:
        with pytest.raises(MissingDependencyError, match="pip install tesserocr"):
            _tesseract.version()
    finally:
        _tesseract.version.cache_clear()

"""A clean rendered page is OCR-friendly: the real Tesseract (rus+kaz) reads it at under 2 % CER."""

from __future__ import annotations

import shutil

import pytest

from render import render_text_page
from render.sample import sample_text

pytesseract = pytest.importorskip("pytesseract")

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")


def cer(reference: str, hypothesis: str) -> float:
    from rapidfuzz.distance import Levenshtein

    ref, hyp = " ".join(reference.split()), " ".join(hypothesis.split())
    return Levenshtein.distance(ref, hyp) / len(ref)


@needs_tesseract
def test_clean_rendered_ru_kk_paragraphs_read_at_under_2_percent_cer() -> None:
    langs = set(pytesseract.get_languages(config=""))
    if not {"rus", "kaz"} <= langs:
        pytest.skip("tesseract has no rus/kaz data (Debian: tesseract-ocr-rus tesseract-ocr-kaz)")
    lines = sample_text().split("\n")
    ru = [line for line in lines if line.startswith(("Внести в проспект", "Совет Директоров эмитента состоит"))]
    kk = [line for line in lines if line.startswith(("Эмитенттің Директорлар кеңесі 7", "Соңғы екі жыл"))]
    page = render_text_page("\n\n".join(ru + kk))
    assert any(ch in page.text() for ch in "әғқңөұүһі")
    text = pytesseract.image_to_string(page.image, lang="rus+kaz")
    assert cer(page.text(), text) < 0.02, text

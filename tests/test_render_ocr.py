"""A clean rendered page is OCR-friendly: the real Tesseract (rus+kaz) reads it at under 2 % CER."""

from __future__ import annotations

from ocr import _tesseract
from ocr.engine import lines_from_tsv
from render import render_text_page
from render.sample import sample_text


def cer(reference: str, hypothesis: str) -> float:
    from rapidfuzz.distance import Levenshtein

    ref, hyp = " ".join(reference.split()), " ".join(hypothesis.split())
    return Levenshtein.distance(ref, hyp) / len(ref)


def test_clean_rendered_ru_kk_paragraphs_read_at_under_2_percent_cer() -> None:
    lines = sample_text().split("\n")
    ru = [line for line in lines if line.startswith(("Внести в проспект", "Совет Директоров эмитента состоит"))]
    kk = [line for line in lines if line.startswith(("Эмитенттің Директорлар кеңесі 7", "Соңғы екі жыл"))]
    page = render_text_page("\n\n".join(ru + kk))
    assert any(ch in page.text() for ch in "әғқңөұүһі")
    result = _tesseract.image_to_data(image=page.image, lang="rus+kaz", psm=3)  # plain Tesseract: no clean-up
    text = "\n".join(line.text for line in lines_from_tsv(result.words, page=1))
    assert cer(page.text(), text) < 0.02, text

"""The bundled scanned sample read end to end (real Tesseract): its segments match the filing's structure.

One OCR pass over the 9-page sample PDF (``samples/inbox``, preset ``scan``) for the whole module, then:
the director tables row by row (the ``Мадиев`` row that the page break splits joined into one), the
list of 10 board changes as 10 numbered items in each language, no running header or page number left
in the text, the registration stamp and the signatures marked as such.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from align.normalize import fold_kazakh
from ocr.clean import clean_segments
from ocr.engine import OcrConfig, recognize_page
from ocr.langid import label_languages
from ocr.layout import segment_pages
from ocr.sources import iter_pages
from qostil.records import Segment

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "inbox" / "kzhk-prospectus-amendment-2015.pdf"
GT = REPO / "samples" / "scans"
HEADERS = ("АО «ИО «Казахстанская Ипотечная Компания»", "«Қазақстан Ипотекалық Компаниясы» ИҰ» АҚ")


@pytest.fixture(scope="module")
def segments() -> list[Segment]:
    cfg = OcrConfig()
    with ThreadPoolExecutor(max_workers=2) as pool:  # Tesseract releases the GIL: two pages at a time
        pages = list(pool.map(lambda sp: recognize_page(sp, cfg), iter_pages(SAMPLE, dpi=cfg.dpi)))
    return clean_segments(label_languages(segment_pages(pages, doc_id="0" * 64)))


def _gt_rows(pages: range) -> list[str]:
    """First cells of the ground truth's table rows on ``pages`` (a row split by a page break once)."""
    rows = []
    for n in pages:
        data = json.loads((GT / f"{SAMPLE.stem}.page-{n:03d}.gt.json").read_text(encoding="utf-8"))
        for line in data["lines"]:
            if line["kind"] == "table_row" and line.get("split") not in ("end", "middle"):
                rows.append(line["text"].split("\t")[0])
    return rows


def _first_word(text: str) -> str:
    return re.sub(r"\W", "", text.split()[0]) if text.split() else ""


@pytest.mark.parametrize(("lang", "pages"), [("ru", range(1, 3)), ("kk", range(5, 7))])
def test_director_table_rows(segments: list[Segment], lang: str, pages: range) -> None:
    rows = [s for s in segments if s.kind == "table_row" and s.pages[0] in pages]
    expected = _gt_rows(pages)
    assert len(rows) == len(expected), [r.cells[:1] for r in rows]
    for row, first in zip(rows, expected):
        assert _first_word(row.cells[0]) == _first_word(first), (row.cells, first)
    madiev = [r for r in rows if r.cells[0].startswith("Мадиев")]
    assert len(madiev) == 1
    assert "1983" in madiev[0].cells[0] and "31.03.2015" in madiev[0].cells[0]
    if lang == "ru":  # the row the page break splits
        assert madiev[0].pages == (1, 2)
        assert "РФЦА" in madiev[0].cells[1]


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_ten_board_changes_are_ten_numbered_items(segments: list[Segment], lang: str) -> None:
    numbers = [
        int(m.group(1))
        for s in segments
        if s.kind == "list_item" and s.lang == lang and (m := re.match(r"^(\d{1,2})\.\s", s.text))
    ]
    assert numbers == list(range(1, 11))


def test_no_page_numbers_or_running_headers(segments: list[Segment]) -> None:
    for s in segments:
        flat = " ".join(s.text.split())
        assert not re.fullmatch(r"\W*\d{1,3}\W*", flat), s
        assert flat not in HEADERS, s
    assert all(s.kind != "furniture" for s in segments)


def test_stamp_and_signatures_are_marked(segments: list[Segment]) -> None:
    stamps = [s for s in segments if s.kind == "stamp"]
    assert any(8 in s.pages and "ТІРКЕДІ" in s.text.upper() for s in stamps), stamps
    signatures = fold_kazakh(" ".join(s.text for s in segments if s.kind == "signature"))
    # folded: Tesseract 5.5 reads the signer Тоқтарқожа (a Kazakh name in both parts) as Токтаркожа
    for name in ("Ибадуллаев", "Тоқтарқожа", "Досмухаметов", "Хаджиева"):
        assert fold_kazakh(name) in signatures, signatures
    assert not any(s.kind == "stamp" for s in segments if s.pages and s.pages[0] < 8)


RU_COLUMN = """Совет Директоров эмитента состоит из семи членов Совета Директоров, включая его Председателя, каждый из которых при голосовании имеет один голос.

В течение предыдущих двух лет были следующие изменения в составе Совета Директоров: досрочно прекращены полномочия члена Совета директоров, независимого директора.

Избраны членами Совета Директоров: Яцек Бжезински, независимый директор; Ульф Вокурка, независимый директор."""
KK_COLUMN = """Эмитенттің Директорлар кеңесі жеті Директорлар кеңесі мүшесінен және оның Төрағасынан тұрады, олар дауыс берер кезде бір дауысқа ие болады.

Соңғы екі жыл ішінде Директорлар Кеңесінің құрамында төмендегідей өзгертулер енгізілді: тәуелсіз директордың өкілеттігі мерзімінен бұрын тоқтатылды.

Директорлар кеңесінің мүшелері болып сайланды: Яцек Бжезински, тәуелсіз директор; Ульф Вокурка, тәуелсіз директор."""


def test_two_column_ru_kk_page_is_read_column_by_column() -> None:
    import numpy as np

    from ocr.sources import SourcePage
    from render import render_text_page
    from render.layout import Style

    left = render_text_page(RU_COLUMN, style=Style(page_numbers=False, header="", margins_mm=(20, 20, 112, 20)))
    right = render_text_page(KK_COLUMN, style=Style(page_numbers=False, header="", margins_mm=(112, 20, 20, 20)))
    page = recognize_page(SourcePage(number=1, image=np.minimum(left.image, right.image), dpi=300), OcrConfig())
    segs = clean_segments(label_languages(segment_pages([page], doc_id="0" * 64)))
    assert [s.kind for s in segs] == ["paragraph"] * 6
    assert [s.lang for s in segs] == ["ru"] * 3 + ["kk"] * 3
    assert segs[0].text.startswith("Совет Директоров") and segs[3].text.startswith("Эмитенттің")
    assert segs[2].text.endswith("Ульф Вокурка, независимый директор.")

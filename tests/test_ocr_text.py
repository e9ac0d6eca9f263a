"""Plain-text layout, page-furniture removal, page-break joins and dehyphenation (no OCR)."""

from __future__ import annotations

import pytest

from ocr.clean import clean_segments, dehyphenate
from ocr.layout import classify, segment_pages, segments_from_text
from qostil.records import BBox, Line, Page, Segment, Word

# --- kinds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("«13. Члены Совета Директоров эмитента.", "heading"),
        ("13. Эмитенттің Директорлар Кеңесінің мүшелері.", "heading"),
        ("7. В соответствии с решением Совета Директоров от 13 февраля 2014 года (Протокол №1):", "list_item"),
        ("1) первый пункт списка", "list_item"),
        ("- Яцек Бжезински, независимый директор;", "list_item"),
        ("-Алдамберген Алина Өтемісқызы, представитель", "list_item"),
        ("**Изменения\nв проспект одиннадцатого выпуска облигаций**", "heading"),
        ("ИЗМЕНЕНИЯ В ПРОСПЕКТ", "heading"),
        ("Совет Директоров эмитента состоит из 7 (семи) членов Совета Директоров.", "paragraph"),
        ("5", "furniture"),
        ("- 12 -", "furniture"),
        ("Стр. 3 из 9", "furniture"),
        ("4 бет", "furniture"),
    ],
)
def test_classify(text: str, kind: str) -> None:
    assert classify(text) == kind


def test_segments_from_text_keeps_one_segment_per_blank_line_paragraph() -> None:
    text = "Первый абзац\nпродолжение.\n\n\n2. Второй пункт списка, длинный и с двоеточием:\n\nА\tБ\tВ\nГ\tД\tЕ\n"
    segs = segments_from_text(text, doc_id="0123456789abcdef")
    assert [s.kind for s in segs] == ["paragraph", "list_item", "table_row"]
    assert segs[0].id == "0123456789ab-0000"
    assert segs[0].text == "Первый абзац\nпродолжение."
    assert segs[2].cells == ("А", "Б", "В", "Г", "Д", "Е")
    rows = segments_from_text(text, doc_id="x", split_rows=True)
    assert [s.cells for s in rows if s.kind == "table_row"] == [("А", "Б", "В"), ("Г", "Д", "Е")]


def test_segments_from_text_sets_section_from_headings() -> None:
    segs = segments_from_text("«13. Члены Совета Директоров эмитента.\n\nСовет состоит из 7 членов.", doc_id="d")
    assert segs[1].section == "«13. Члены Совета Директоров эмитента."


# --- dehyphenation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("органи-\nзации", "организации"),
        ("акционер-\nлік қоғам", "акционерлік қоғам"),
        ("Самрук-\nҚазына", "Самрук-Қазына"),
        ("вице-\nминистр", "вице-министр"),
        ("2-\nтарауының", "2-тарауының"),
        ("АҚ-\nның", "АҚ-ның"),
        ("по-\nрусски", "по-русски"),
        ("директор –\nчлен", "директор – член"),
        ("обыч\u00adный", "обычный"),
        ("строка\nвторая", "строка вторая"),
    ],
)
def test_dehyphenate(text: str, expected: str) -> None:
    assert dehyphenate(text) == expected


def test_dehyphenate_keeps_pair_written_with_hyphen_elsewhere() -> None:
    assert dehyphenate("северо-\nзапад", known={("северо", "запад")}) == "северо-запад"
    assert dehyphenate("кредит-\nнота", known={("кредит", "нота")}) == "кредит-нота"
    assert dehyphenate("кредит-\nнота") == "кредитнота"


# --- page-break joins and furniture on OCR-like pages ---------------------------------------


def _line(text: str, y: int, *, x: int = 200, page: int = 1, block: int = 1, par: int = 1) -> Line:
    words, cx = [], x
    for t in text.split():
        w = 20 * len(t)
        words.append(Word(text=t, conf=90.0, bbox=BBox(cx, y, cx + w, y + 40), page=page))
        cx += w + 15
    return Line(words=tuple(words), bbox=BBox(x, y, cx - 15, y + 40), block=block, par=par)


def _page(number: int, lines: list[Line]) -> Page:
    return Page(number=number, image_size=(2480, 3508), lines=tuple(lines))


def test_paragraph_split_by_page_break_is_joined_and_furniture_dropped() -> None:
    p1 = _page(1, [
        _line("ИО КИК Проспект", 60, page=1, block=1),
        _line("Совет директоров принял решение о том, что органи-", 400, page=1, block=2),
        _line("зации холдинга передают", 450, page=1, block=2),
        _line("1", 3400, x=1200, page=1, block=3),
    ])
    p2 = _page(2, [
        _line("ИО КИК Проспект", 60, page=2, block=1),
        _line("свои акции в управление.", 400, page=2, block=2),
        _line("Новый абзац начинается здесь.", 500, page=2, block=3),
        _line("2", 3400, x=1200, page=2, block=4),
    ])
    segs = segment_pages([p1, p2], doc_id="doc")
    assert [s.kind for s in segs] == ["furniture", "paragraph", "furniture", "furniture", "paragraph", "paragraph", "furniture"]
    cleaned = clean_segments(segs)
    assert [s.text for s in cleaned] == [
        "Совет директоров принял решение о том, что организации холдинга передают свои акции в управление.",
        "Новый абзац начинается здесь.",
    ]
    assert cleaned[0].pages == (1, 2)
    assert len(cleaned[0].bboxes) == 2
    assert cleaned[0].ocr_conf == 90.0


def test_paragraph_ending_a_sentence_is_not_joined() -> None:
    segs = segment_pages([
        _page(1, [_line("Конец предложения.", 400, page=1)]),
        _page(2, [_line("начало другого абзаца", 400, page=2)]),
    ], doc_id="doc")
    assert len(clean_segments(segs)) == 2


def test_table_rows_from_side_by_side_blocks_and_row_continued_on_next_page() -> None:
    p1 = _page(1, [
        _line("Мадиев Сержан", 1000, x=100, block=1),
        _line("1983 г.р.", 1050, x=100, block=1),
        _line("Управляющий директор АО", 1000, x=700, block=2),
        _line("0", 1000, x=1800, block=3),
        _line("0", 1000, x=2200, block=4),
    ])
    p2 = _page(2, [
        _line("«Национальный холдинг «Байтерек».", 300, x=700, page=2, block=1),
        _line("Независимые директора:", 600, x=100, page=2, block=2),
        _line("Бабецов Булат", 700, x=100, page=2, block=3),
        _line("Независимый директор", 700, x=700, page=2, block=4),
    ])
    segs = segment_pages([p1, p2], doc_id="doc")
    rows = [s for s in segs if s.kind == "table_row"]
    assert rows[0].cells == ("Мадиев Сержан\n1983 г.р.", "Управляющий директор АО", "0", "0")
    # the continuation on page 2 has only one block: no empty first cell can be seen there,
    # so build it the way a ruled-table reader gives it and check the join rule itself
    cont = rows[0].with_(cells=("", "«Национальный холдинг «Байтерек».", "", ""), pages=(2,), bboxes=(), words=())
    joined = clean_segments([rows[0], cont])
    assert len(joined) == 1
    assert joined[0].cells == (
        "Мадиев Сержан 1983 г.р.",
        "Управляющий директор АО «Национальный холдинг «Байтерек».",
        "0",
        "0",
    )
    assert rows[-1].cells == ("Бабецов Булат", "Независимый директор")


def test_plain_text_table_row_with_empty_first_cell_joins_previous_row() -> None:
    text = "Мадиев\tдиректор АО\t0\t0\n\n\t«Байтерек».\t\t\n\nКонец."
    segs = clean_segments(segments_from_text(text, doc_id="d", split_rows=True))
    assert [s.kind for s in segs] == ["table_row", "paragraph"]
    assert segs[0].cells == ("Мадиев", "директор АО «Байтерек».", "0", "0")


def test_repeated_running_header_is_dropped_even_if_not_marked() -> None:
    segs = [
        Segment(id=f"d-{i}", doc_id="d", lang="ru", kind=k, text=t, pages=(p,))
        for i, (k, t, p) in enumerate([
            ("paragraph", "Проспект выпуска облигаций", 1),
            ("paragraph", "Текст первой страницы.", 1),
            ("paragraph", "Проспект выпуска облигаций", 2),
            ("paragraph", "Текст второй страницы.", 2),
        ])
    ]
    assert [s.text for s in clean_segments(segs)] == ["Текст первой страницы.", "Текст второй страницы."]

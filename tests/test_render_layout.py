"""Layout and ground truth: A4 geometry, pagination, tables split over pages, nothing lost."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from render import (
    Heading,
    ListItem,
    PageBreak,
    Paragraph,
    Signature,
    Stamp,
    Style,
    Table,
    page_size_px,
    parse_filing,
    render_document,
    render_sample,
    render_text_page,
    source_tokens,
)
from render.layout import STAMP_GRAY
from render.sample import sample_text

WORDS = "Қазақстан Республикасының Ұлттық Банкі өзгертулер енгізілсін Совет Директоров эмитента".split()


def paragraph(n_words: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    return " ".join(WORDS[i] for i in rng.integers(0, len(WORDS), n_words))


@pytest.mark.parametrize(("dpi", "size"), [(300, (2480, 3508)), (200, (1654, 2339))])
def test_pages_are_a4_at_the_requested_dpi(dpi: int, size: tuple[int, int]) -> None:
    assert page_size_px(dpi) == size
    page = render_text_page("Бір сөйлем.", dpi=dpi)
    assert page.size == size and page.dpi == dpi
    assert page.image.dtype == np.uint8 and page.image.ndim == 2


def test_body_text_is_11pt_at_300_dpi() -> None:
    page = render_text_page("ЭМИТЕНТ Директорлар кеңесі")
    cap = page.lines[0].words[0].bbox  # capitals of DejaVu Sans are 0.73 em: 33 px at 11 pt, 300 DPI
    assert 32 <= cap.height <= 36
    assert page.lines[0].text == "ЭМИТЕНТ Директорлар кеңесі"


def lines_per_page(style: Style, dpi: int = 300) -> int:
    text_height = page_size_px(dpi)[1] - round(style.margins_mm[1] / 25.4 * dpi) - round(style.margins_mm[3] / 25.4 * dpi)
    pitch = round(round(style.body_pt / 72 * dpi) * style.line_spacing)
    return text_height // pitch


@pytest.mark.parametrize(("extra", "pages"), [(0, 2), (1, 3)])
def test_pagination_gives_the_expected_number_of_pages(extra: int, pages: int) -> None:
    style = Style(para_space=0)
    n = 2 * lines_per_page(style) + extra
    rendered = render_document([Paragraph(f"Жол {i}") for i in range(n)], style=style)
    assert len(rendered) == pages
    assert [line.text for line in rendered[-1].lines if line.kind == "paragraph"][-1] == f"Жол {n - 1}"


def test_long_text_paginates_and_every_word_is_on_some_page() -> None:
    paras = [paragraph(120, seed=i) for i in range(12)]
    pages = render_document([Paragraph(p) for p in paras])
    assert len(pages) >= 3
    drawn = Counter(w for page in pages for line in page.lines if not line.furniture for w in line.text.split())
    assert drawn == Counter(w for p in paras for w in p.split())
    assert [line.text for line in pages[1].lines if line.furniture] == ["2"]  # page number; no header set
    split = [b for b in pages[0].blocks if b.continues]
    assert len(split) == 1 and split[0].index in {b.index for b in pages[1].blocks if b.continued}


def test_justified_lines_fill_the_text_width_except_the_last() -> None:
    page = render_text_page(paragraph(200))
    style = Style()
    left = round(style.margins_mm[0] / 25.4 * 300)
    right = 2480 - round(style.margins_mm[2] / 25.4 * 300)
    lines = [line for line in page.lines if line.kind == "paragraph"]
    assert all(abs(line.bbox.x0 - left) <= 6 for line in lines)
    flush = [abs(line.bbox.x1 - right) <= 6 for line in lines[:-1]]
    assert sum(flush) >= 0.8 * len(flush)  # a line of a few long words stays ragged rather than gappy
    assert lines[-1].bbox.x1 < right - 50


def test_running_header_and_page_numbers_are_furniture() -> None:
    blocks = [Paragraph(paragraph(400, seed=s)) for s in range(3)]
    pages = render_document(blocks, style=Style(header="«Қазақстан Ипотекалық Компаниясы» ИҰ» АҚ"))
    assert len(pages) >= 2
    first, second = pages[0], pages[1]
    assert [line.text for line in first.lines if line.furniture] == ["1"]
    furniture = [line for line in second.lines if line.furniture]
    assert [line.text for line in furniture] == ["«Қазақстан Ипотекалық Компаниясы» ИҰ» АҚ", "2"]
    assert second.lines[0].furniture and second.lines[-1].furniture
    assert furniture[0].bbox.y1 < 240 and furniture[1].bbox.y0 > 3272


def test_table_rows_read_cells_left_to_right_and_split_over_a_page() -> None:
    long_cell = paragraph(400)
    table = Table(rows=(("ФИО", "Должность", "Доля"), ("Бабецов Булат", long_cell, "0"), ("Бишимбаев", "Төраға", "0")),
                  header_rows=1)
    blocks = [Paragraph(paragraph(300)), table]
    pages = render_document(blocks)
    rows = [line for page in pages for line in page.lines if line.kind == "table_row"]
    assert rows[0].text == "ФИО\tДолжность\tДоля"
    assert [c.col for c in rows[0].cells] == [0, 1, 2]
    parts = [line for line in rows if line.row == 1]
    assert [p.split for p in parts] == ["start", "end"]
    assert parts[0].cells[0].text == "Бабецов Булат" and parts[0].text.endswith("\t0")
    joined = " ".join(c.text for p in parts for c in p.cells if c.col == 1)
    assert joined == long_cell
    assert rows[-1].text == "Бишимбаев\tТөраға\t0"
    # cell padding: no ink within 2 px inside a cell's rules except the rules themselves
    page = next(p for p in pages if any(line.row == 2 for line in p.lines))
    row2 = next(line for line in page.lines if line.row == 2)
    for cell in row2.cells:
        for w in row2.words:
            if cell.bbox.x0 <= w.bbox.x0 < cell.bbox.x1:
                assert w.bbox.x0 - cell.bbox.x0 >= 15 and w.bbox.y0 - cell.bbox.y0 >= 10


def test_section_rows_span_the_table() -> None:
    table = Table(rows=(("Председатель Совета Директоров эмитента:", "", ""), ("a", "b", "c")))
    page = render_document([table])[0]
    row = next(line for line in page.lines if line.kind == "table_row")
    assert row.text == "Председатель Совета Директоров эмитента:"
    assert row.cells[0].bbox.x1 - row.cells[0].bbox.x0 > 1900


def test_list_items_signatures_stamps_and_page_breaks() -> None:
    blocks = [
        Heading(("Изменения",)),
        ListItem("1.", "В соответствии с решением Правления"),
        PageBreak(header="Тақырып"),
        Signature(("Басқарма Төрағасы",), "А.А. Ибадуллаев"),
        Stamp(("ТІРКЕДІ", "2015 ж. « 07 маусым »"), shape="round", angle=-3),
    ]
    pages = render_document(blocks)
    assert len(pages) == 2
    assert [(line.kind, line.text) for line in pages[0].lines[:2]] == [
        ("heading", "Изменения"),
        ("list_item", "1. В соответствии с решением Правления"),
    ]
    kinds = [(line.kind, line.text) for line in pages[1].lines]
    assert kinds[0] == ("furniture", "Тақырып")
    assert ("signature", "Басқарма Төрағасы") in kinds and ("signature", "А.А. Ибадуллаев") in kinds
    assert ("stamp", "ТІРКЕДІ") in kinds
    stamp = next(b for b in pages[1].blocks if b.kind == "stamp")
    region = pages[1].image[stamp.bbox.y0 : stamp.bbox.y1, stamp.bbox.x0 : stamp.bbox.x1]
    # blue ink: grey in a grayscale scan, never black
    assert region.min() >= STAMP_GRAY - 5 and (region < 200).sum() > 500


def test_the_filing_parses_into_its_structure() -> None:
    blocks = parse_filing(sample_text())
    tables = [b for b in blocks if isinstance(b, Table)]
    assert len(tables) == 2 and all(len(t.rows[0]) == 4 for t in tables)
    ru = tables[0]
    madiev = next(r for r in ru.rows if r[0].startswith("Мадиев"))
    assert madiev[1].endswith("Управляющий директор АО «Национальный управляющий холдинг «Байтерек».")
    assert not any(r[0] == "" for r in ru.rows)  # the continuation row was merged
    assert not any("<p>" in c for t in tables for r in t.rows for c in r)
    ru_items = [b.label for b in blocks[: blocks.index(tables[1])] if isinstance(b, ListItem) and b.label[0].isdigit()]
    assert ru_items == [f"{n}." for n in range(1, 11)]
    assert sum(isinstance(b, Signature) for b in blocks) == 6
    assert sum(isinstance(b, Stamp) for b in blocks) == 1


@pytest.fixture(scope="module")
def sample_pages():
    return render_sample()


def test_sample_ground_truth_has_every_word_of_the_source(sample_pages) -> None:
    drawn = Counter(w for p in sample_pages for line in p.lines if not line.furniture for w in line.text.split())
    assert drawn == Counter(source_tokens(sample_text()))


def test_sample_has_8_to_10_pages_and_the_madiev_row_split(sample_pages) -> None:
    assert 8 <= len(sample_pages) <= 10
    first = [
        (p.number, line)
        for p in sample_pages
        for line in p.lines
        if line.kind == "table_row" and line.cells and line.cells[0].text.startswith("Мадиев")
    ]
    number, start = first[0]  # the RU table's row (the KK table has its own Мадиев row)
    assert start.split == "start"
    rest = [line for line in sample_pages[number].lines if line.block == start.block and line.row == start.row]
    assert len(rest) == 1 and rest[0].split == "end"
    assert rest[0].text.endswith("Управляющий директор АО «Национальный управляющий холдинг «Байтерек».")


def test_sample_ground_truth_files_match_a_fresh_render(sample_pages) -> None:
    from render.sample import REPO, SAMPLE_NAME

    scans = REPO / "samples" / "scans"
    for page in sample_pages:
        gt = scans / f"{SAMPLE_NAME}.page-{page.number:03d}.gt.txt"
        assert gt.read_text(encoding="utf-8") == page.text() + "\n", gt.name
    assert not (scans / f"{SAMPLE_NAME}.page-{len(sample_pages) + 1:03d}.gt.txt").exists()

"""Stamps found by their lighter ink, signatures by a name with initials; both kept out of the text flow."""

from __future__ import annotations

import numpy as np
import pytest

from ocr.layout import segment_pages
from ocr.marks import is_signature_name, percentile, stamp_boxes
from qostil.records import BBox, Line, Page, Word


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Ибадуллаев А.А.", True),
        ("А.А. Ибадуллаев", True),
        ("А.Т. Тоқтарқожа", True),
        ("Хаджиева М.Ж.", True),
        ("Досмухаметов Б. С.", True),
        ("Председатель Правления", False),
        ("избран 27.11.2014", False),
        ("Бишимбаев Куандык Валиханович", False),
    ],
)
def test_signature_names(text: str, name: bool) -> None:
    assert is_signature_name(text) is name


def _line(text: str, x: int, y: int, *, block: int, h: int = 40) -> Line:
    words, cx = [], x
    for t in text.split():
        w = 25 * len(t)
        words.append(Word(text=t, conf=95.0, bbox=BBox(cx, y, cx + w, y + h)))
        cx += w + 20
    return Line(words=tuple(words), bbox=BBox(x, y, cx - 20, y + h), block=block)


def _page(lines: list[Line], *, stamps: tuple[BBox, ...] = ()) -> Page:
    return Page(number=1, image_size=(2480, 3508), lines=tuple(lines), stamps=stamps)


def test_stamp_words_leave_the_flow_and_signature_block_is_marked() -> None:
    lines = [
        _line("Досрочно прекращены полномочия члена Совета директоров.", 300, 400, block=1),
        _line("Председатель Правления", 300, 900, block=2),
        _line("Ибадуллаев А.А.", 1900, 960, block=3),
        _line("Главный бухгалтер", 300, 1100, block=4),
        _line("Тоқтарқожа А.Т.", 1900, 1160, block=5),
        _line("ТІРКЕДІ 2015 ж.", 1700, 1400, block=6),
    ]
    stamp = BBox(1650, 1350, 2300, 1500)
    segs = segment_pages([_page(lines, stamps=(stamp,))], doc_id="d" * 64)
    kinds = [(s.kind, s.text) for s in segs]
    assert kinds == [
        ("paragraph", "Досрочно прекращены полномочия члена Совета директоров."),
        ("signature", "Председатель Правления"),
        ("signature", "Ибадуллаев А.А."),
        ("signature", "Главный бухгалтер"),
        ("signature", "Тоқтарқожа А.Т."),
        ("stamp", "ТІРКЕДІ 2015 ж."),
    ]


def test_name_in_running_text_is_not_a_signature() -> None:
    lines = [_line("Ибадуллаев А.А.", 300, 400, block=1)]  # left half: a name in the text, not signed
    (seg,) = segment_pages([_page(lines)], doc_id="d" * 64)
    assert seg.kind != "signature"


def test_stamp_found_by_lighter_ink() -> None:
    img = np.full((1200, 2000), 235, np.uint8)
    lines = []
    for row in range(6):  # black print
        y = 100 + row * 80
        img[y + 5:y + 35, 200:1400:7] = 25
        lines.append(_line("Совет директоров эмитента избран", 200, y, block=1))
    for row in range(2):  # a blue stamp, mid-grey in a grayscale scan
        y = 800 + row * 60
        img[y + 5:y + 35, 1300:1800:7] = 120
        lines.append(_line("ТІРКЕДІ Ұлттық Банкі", 1300, y, block=2))
    boxes = stamp_boxes(img, lines)
    assert len(boxes) == 1
    b = boxes[0]
    assert b.x0 <= 1300 and b.y0 <= 800 and b.y1 >= 900 and b.y0 > 600


def test_no_stamp_on_a_bilevel_page() -> None:
    img = np.full((1200, 2000), 255, np.uint8)
    lines = []
    for row in range(6):
        y = 100 + row * 80
        img[y + 5:y + 35, 200:1400:7] = 0
        lines.append(_line("Совет директоров эмитента избран", 200, y, block=1))
    assert stamp_boxes(img, lines) == ()


def test_percentile_of_8_bit_images_is_numpys():
    rng = np.random.default_rng(3)
    for _ in range(300):
        h, w = (int(x) for x in rng.integers(1, 50, 2))
        img = rng.integers(0, 256, (h, w)).astype(np.uint8)
        if rng.random() < 0.5:
            img = (img // 85 * 85).astype(np.uint8)  # few tones: ties between neighbours
        for q in (0, 5, 37.5, 90, 100):
            assert percentile(img, q) == pytest.approx(float(np.percentile(img, q)), abs=1e-9)
    assert percentile(np.array([[0.5, 2.0]]), 50) == pytest.approx(1.25)  # other dtypes: numpy itself

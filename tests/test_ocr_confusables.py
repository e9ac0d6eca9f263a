"""Known Tesseract confusions fixed after OCR, and words that must stay as read."""

from __future__ import annotations

import pytest

from ocr.confusables import fix_confusables, fix_mixed_script, fix_words
from qostil.records import BBox, Line, Word


def words(text: str) -> tuple[Word, ...]:
    return tuple(Word(text=t, conf=90.0, bbox=BBox(i * 10, 0, i * 10 + 8, 10)) for i, t in enumerate(text.split()))


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("Кaзaхстан", "Казахстан"),  # Latin a inside a Cyrillic word
        ("мемлекеттiк", "мемлекеттік"),  # Latin i for Kazakh і
        ("Deutsche", "Deutsche"),  # Latin word: untouched
        ("Казахстан", "Казахстан"),
        ("iPhone-ы", "iPhone-ы"),  # Latin letters without look-alikes: untouched
    ],
)
def test_mixed_script_words(read: str, expected: str) -> None:
    assert fix_mixed_script(read) == expected


@pytest.mark.parametrize(
    ("line", "kazakh", "expected"),
    [
        # Kazakh paragraphs: і read as ! or 1, a Latin look-alike word
        ("Республикасы Президент! Іс Басқармасының", True, "Республикасы Президенті Іс Басқармасының"),
        ("Президент! Ic Басқармасының аппарат басшысына", True, "Президенті Іс Басқармасының аппарат басшысына"),
        ("Республикасы Президент! 1с Басқармасының", True, "Республикасы Президенті Іс Басқармасының"),
        # Russian paragraphs: ! and 1 stay; Latin words stay
        ("Внимание! Срок истёк", False, "Внимание! Срок истёк"),
        ("пункт 1 статьи 5", True, "пункт 1 статьи 5"),
        ("банк Deutsche Bank AG и E-mail", False, "банк Deutsche Bank AG и E-mail"),
        ("от 1-го числа", False, "от 1-го числа"),
        ("в 1990-х годах", True, "в 1990-х годах"),
    ],
)
def test_words_in_a_line(line: str, kazakh: bool, expected: str) -> None:
    fixed, _ = fix_words(words(line), kazakh=kazakh)
    assert " ".join(w.text for w in fixed) == expected


def test_paragraph_language_decides_the_kazakh_rules_and_boxes_stay() -> None:
    kk = Line(words=words("Осы бұйрықтың орындалуын Президент! жүктелсін"), bbox=BBox(0, 0, 50, 10), block=1, par=1)
    ru = Line(words=words("Контроль возложить на Президент! сразу"), bbox=BBox(0, 20, 50, 30), block=2, par=1)
    out = fix_confusables([kk, ru])
    assert out[0].text == "Осы бұйрықтың орындалуын Президенті жүктелсін"
    assert out[1].text == "Контроль возложить на Президент! сразу"
    assert [w.bbox for w in out[0].words] == [w.bbox for w in kk.words]
    assert all(w.conf == 90.0 for w in out[0].words)


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("соответствуюшего", "соответствующего"),
        ("изьять", "изъять"),
        ("«предьявляемым»,", "«предъявляемым»,"),
        ("Зашишенностью", "Защищенностью"),
        ("шить", "шить"),  # a known word stays
        ("Шымкент", "Шымкент"),  # a name unknown either way stays
        ("ваш", "ваш"),
        ("мүшесі", "мүшесі"),  # Kazakh: not touched
    ],
)
def test_russian_shcha_and_hard_sign_restored(read: str, expected: str) -> None:
    fixed, _ = fix_words(words(read), kazakh=False)
    assert fixed[0].text == expected


def test_lone_em_before_a_number_is_numero_n() -> None:
    fixed, _ = fix_words(words("под М 59 от"), kazakh=False)
    assert " ".join(w.text for w in fixed) == "под N 59 от"


@pytest.mark.parametrize(("width", "dash"), [(12, "-"), (18, "–"), (36, "—")])
def test_lone_dash_by_its_width(width: int, dash: str) -> None:
    line = [Word(text=t, conf=90.0, bbox=BBox(x, 0, x + 80, 42)) for x, t in ((0, "бұдан"), (100, "әрі"))]
    line.append(Word(text="-", conf=90.0, bbox=BBox(200, 20, 200 + width, 25)))
    line.append(Word(text="Қағидалар", conf=90.0, bbox=BBox(300, 0, 500, 42)))
    fixed, _ = fix_words(line, kazakh=True)
    assert fixed[2].text == dash


@pytest.mark.parametrize(
    ("text", "kazakh_par", "conf", "why"),
    [
        ("буйрыктын орындалуын бакылау Казакстан", True, 95.0, "kk"),  # a Kazakh line read without ә ғ қ ң …
        ("бұйрықтың орындалуын бақылау Қазақстан", True, 95.0, None),
        ("Настоящий приказ вводится в действие", False, 95.0, None),
        ("Настоящий приказ вводится в действие", False, 60.0, "conf"),
        ("1 2 3", True, 10.0, None),  # too few letters to judge
    ],
)
def test_which_lines_are_read_again(text: str, kazakh_par: bool, conf: float, why: str | None) -> None:
    from ocr.engine import _doubt

    line = Line(words=tuple(Word(t, conf, BBox(0, 0, 10, 10)) for t in text.split()), bbox=BBox(0, 0, 10, 10))
    assert _doubt(line, kazakh_par=kazakh_par, min_conf=75.0) == why

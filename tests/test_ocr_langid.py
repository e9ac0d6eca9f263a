"""Language of a segment: Kazakh-only letters decide most; names quoted in Russian do not."""

from __future__ import annotations

import pytest

from ocr.langid import detect_language, label_languages
from qostil.records import Segment

CASES = {
    "ru": [
        "Совет Директоров эмитента состоит из 7 (семи) членов Совета Директоров включая его Председателя.",
        # Kazakh letters only inside quoted names: still Russian
        "с 2011 г. по 2013 г. Заместитель Председателя Правления АО \"Фонд национального благосостояния \"Самрук-Қазына\"",
        "Алдамберген Алина Өтемісқызы избрана Председателем Совета Директоров АО «ИО «Казахстанская Ипотечная Компания»",
        "Главный бухгалтер",
        "-Гумаров Эльдар Мухтарович, представитель акционерного общества",
        "-Алтынбеков Кайрат Турекулович, независимый директор;",
        "Председатель Правления",
    ],
    "kk": [
        "Эмитенттің Директорлар кеңесі 7 (жеті) Директорлар кеңесі мүшесінен және оның Төрағасынан тұрады.",
        "Тәуелсіз директорлар:",
        "- Ульф Вокурка, тәуелсіз директор болып сайланды.",
        "2014 жылғы 27 қарашадағы шешіміне сәйкес",
        "ҚАЗАҚСТАН РЕСПУБЛИКАСЫНЫҢ ҰЛТТЫҚ БАНКІ",
    ],
    "other": [
        "The Board of Directors consists of seven members.",
        "телекс: 251130 BNK KZ, E-mail: hq@nationalbank.kz",
        "Der Vorstand besteht aus sieben Mitgliedern.",
    ],
    "unknown": ["0", "27.11.2014", "№ 0063410", "- 3 -", "", "Тоқтарқожа А.Т."],
}


@pytest.mark.parametrize(
    ("expected", "text"), [(lang, text) for lang, texts in CASES.items() for text in texts]
)
def test_detect_language(expected: str, text: str) -> None:
    assert detect_language(text) == expected


def _seg(i: int, text: str) -> Segment:
    return Segment(id=f"d-{i:04d}", doc_id="d", lang="unknown", kind="paragraph", text=text)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["Члены Совета Директоров эмитента состоят из", "0", "Бабецов Булат избран в совет"], ["ru", "ru", "ru"]),
        (["0", "Тәуелсіз директорлар және мүшелері"], ["kk", "kk"]),
        (["Тәуелсіз директорлар және мүшелері", "1975", "Совет директоров и правление"], ["kk", "kk", "ru"]),
        (["The board", "0"], ["other", "unknown"]),
    ],
)
def test_label_languages_inherits_for_unknown(texts: list[str], expected: list[str]) -> None:
    labelled = label_languages([_seg(i, t) for i, t in enumerate(texts)])
    assert [s.lang for s in labelled] == expected

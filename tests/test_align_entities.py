"""Table-driven tests of align.entities: names, organisation words, dates, numbers."""

from __future__ import annotations

import pytest

from align.entities import extract_entities


def _keys(text: str, lang: str, kind: str) -> list[str]:
    return [e.key for e in extract_entities(text, lang) if e.kind == kind]


DATES = [
    ("ru", "избран - 27.11.2014", ["2014-11-27"]),
    ("ru", "от 27 ноября 2014 года", ["2014-11-27"]),
    ("kk", "2014 жылғы 27 қарашадағы шешіміне", ["2014-11-27"]),
    ("kk", "2006 жылдың 20 ақпанынан бастап", ["2006-02-20"]),
    ("ru", "с июня 2011 года по май 2012 года", ["2011-06", "2012-05"]),
    ("kk", "2011 жылғы маусым айынан бастап 2012 жылдың мамыр айына дейін", ["2011-06", "2012-05"]),
    ("kk", "2012 жылдың желтоқсанынан бастап", ["2012-12"]),
    ("ru", "1980 г.р., избран", ["1980"]),
    ("kk", "1980 ж.т., сайланған", ["1980"]),
    ("ru", "2007-2009 директор", ["2007", "2009"]),
    ("ru", "с апреля 2014г. по настоящее время", ["2014-04"]),
    ("kk", "2014 жылғы сәуірден бастап", ["2014-04"]),
]


@pytest.mark.parametrize(("lang", "text", "keys"), DATES)
def test_dates(lang: str, text: str, keys: list[str]) -> None:
    assert _keys(text, lang, "date") == keys


NUMBERS = [
    ("ru", "состоит из 7 (семи) членов", ["7"]),
    ("kk", "7 (жеті) Директорлар кеңесі", ["7"]),
    ("ru", "(Протокол №09/15)", ["№09/15"]),
    ("kk", "(№32/14-хаттама)", ["№32/14"]),
    ("ru", "сумма 1 000 000 тенге", ["1000000"]),
    ("ru", "сумма 2\u00a0500,50 тенге", ["2500.50"]),
    ("ru", "доля 5 % и 12,5%", ["5%", "12.5%"]),
    ("ru", "избран – 10.02.2006 г. 0", ["0"]),
    # "№" as OCR reads it, or lost: one key
    ("ru", "(Протокол М09/15):", ["№09/15"]),
    ("ru", "(Протокол 06/13):", ["№06/13"]),
    ("ru", "приказом N 325", ["№325"]),
]


@pytest.mark.parametrize(("lang", "text", "keys"), NUMBERS)
def test_numbers(lang: str, text: str, keys: list[str]) -> None:
    assert _keys(text, lang, "number") == keys


NAMES = [
    ("ru", "Бабецов Булат Базартаевич, 1975 г.р.", ["Бабецов Булат Базартаевич"]),
    ("kk", "<p>Бабенов Булат Базартаевич 1975 ж.т.", ["Бабенов Булат Базартаевич"]),
    ("ru", "Досрочно прекращены полномочия Пазылхаировой Гульбану Тажибаевны, представителя", ["Пазылхаировой Гульбану Тажибаевны"]),
    ("kk", "Мадиев Сержан Нураханович Жалғыз акционердің өкілі", ["Мадиев Сержан Нураханович"]),
    ("kk", "тәуелсіз директор Алиманов Жанат Жалғасбайұлының өкілеттігі", ["Алиманов Жанат Жалғасбайұлының"]),
    ("ru", "Ибадуллаев А.А.", ["Ибадуллаев А.А."]),
    ("kk", "А.Т. Тоқтарқожа", ["А.Т. Тоқтарқожа"]),
    ("ru", "Члены Совета Директоров эмитента:", []),
    ("kk", "Эмитенттің Директорлар Кеңесінің мүшелері:", []),
    ("kk", "Қазақстан Республикасының Экономикалық даму", []),
    ("ru", "ТОО «Самрук-Қазына Финанс»", []),
    ("kk", "Басқарма Төрағасы Б.Б. Кузнецов", ["Б.Б. Кузнецов"]),
    ("ru", "полномочия Аманжолова Руслана (Протокол №56)", ["Аманжолова Руслана"]),
]


@pytest.mark.parametrize(("lang", "text", "names"), NAMES)
def test_person_names(lang: str, text: str, names: list[str]) -> None:
    assert [e.text for e in extract_entities(text, lang) if e.kind == "name"] == names


def test_name_parts_have_roles_and_spans() -> None:
    text = "избран Бабецов Булат Базартаевич"
    (ent,) = [e for e in extract_entities(text, "ru") if e.kind == "name"]
    roles = {p.role: p.text for p in ent.parts}
    assert roles == {"surname": "Бабецов", "given": "Булат", "patronymic": "Базартаевич"}
    for p in ent.parts:
        assert text[p.span[0]:p.span[1]] == p.text


def test_organisation_words_inside_quotes() -> None:
    words = [e.text for e in extract_entities("АО «ООУПА «Жетысу»; «ЕТС» Тоуар Биржасы» АҚ", "kk") if e.kind == "organisation"]
    assert words == ["ООУПА", "Жетысу", "ЕТС", "Тоуар", "Биржасы"]

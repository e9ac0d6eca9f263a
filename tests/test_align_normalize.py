"""Table-driven tests of align.normalize: folding, name keys, Kazakh suffixes, months."""

from __future__ import annotations

import pytest

from align.normalize import fold_kazakh, month_number, name_key, same_name

# (word, lang, word, lang): legitimate variation, must be the same name
SAME = [
    # Russian declension
    ("Алимановой", "ru", "Алиманов", "kk"),
    ("Алиманова", "ru", "Алиманов", "kk"),
    ("Жанаты", "ru", "Жанат", "kk"),
    ("Жаната", "ru", "Жанат", "kk"),
    ("Дмитрия", "ru", "Дмитрий", "kk"),
    ("Николая", "ru", "Николай", "kk"),
    ("Пазылхаировой", "ru", "Пазылхаирова", "kk"),
    ("Тажибаевны", "ru", "Тажибаевна", "ru"),
    ("Турекуловича", "ru", "Турекулович", "kk"),
    # Kazakh case and possessive suffixes
    ("Бишимбаевтың", "kk", "Бишимбаев", "ru"),
    ("Юрьевичтің", "kk", "Юрьевича", "ru"),
    ("Жалғасбайұлының", "kk", "Жалгасбайулы", "ru"),
    ("Тажибаевнаның", "kk", "Тажибаевны", "ru"),
    ("Мухтаровичтің", "kk", "Мухтаровича", "ru"),
    # Kazakh letters vs Russian spelling
    ("Қуандық", "kk", "Куандык", "ru"),
    ("Өтемісқызы", "kk", "Өтеміскызы", "ru"),
    ("Өтемісқызы", "ru", "Өтемисовна", "ru"),
]

# misspellings: must NOT be the same name
DIFFERENT = [
    ("Бабецов", "ru", "Бабенов", "kk"),
    ("Базартаевич", "ru", "Базаргаевич", "kk"),
    ("Амалұлы", "ru", "Амаұлды", "kk"),
    ("Бабичев", "ru", "Бабенов", "ru"),
]


@pytest.mark.parametrize(("a", "la", "b", "lb"), SAME)
def test_legitimate_variation_is_the_same_name(a: str, la: str, b: str, lb: str) -> None:
    assert same_name(a, la, b, lb)


@pytest.mark.parametrize(("a", "la", "b", "lb"), DIFFERENT)
def test_misspelling_is_a_different_name(a: str, la: str, b: str, lb: str) -> None:
    assert not same_name(a, la, b, lb)


@pytest.mark.parametrize(
    ("src", "folded"),
    [("әғқңөұүһі", "агкноуухи"), ("ӘҒҚҢӨҰҮҺІ", "АГКНОУУХИ"), ("Қуандық", "Куандык"), ("Бабецов", "Бабецов")],
)
def test_fold_kazakh(src: str, folded: str) -> None:
    assert fold_kazakh(src) == folded
    assert len(fold_kazakh(src)) == len(src)


@pytest.mark.parametrize(
    ("word", "lang", "key"),
    [("Бишимбаевтың", "kk", "бишимбаев"), ("Алимановой", "ru", "алиманов"), ("Куандык", "ru", "куандык"), ("Дмитрия", "ru", "дмитрий")],
)
def test_name_key(word: str, lang: str, key: str) -> None:
    assert name_key(word, lang) == key


@pytest.mark.parametrize(
    ("word", "month"),
    [
        ("ноября", 11), ("ноябрь", 11), ("ноябре", 11), ("мая", 5), ("май", 5), ("марта", 3), ("июня", 6),
        ("қаңтар", 1), ("ақпанынан", 2), ("наурыз", 3), ("сәуірден", 4), ("мамыр", 5), ("маусым", 6),
        ("шілде", 7), ("тамыздан", 8), ("қыркүйегіндегі", 9), ("қазандағы", 10), ("қарашадағы", 11),
        ("желтоқсанынан", 12), ("Казахстан", None), ("масса", None),
    ],
)
def test_month_number(word: str, month: int | None) -> None:
    assert month_number(word) == month


TRANSLIT = [
    ("Гульбану", "Гүлбану", 0),  # Russian soft sign
    ("Бахыт", "Бақыт", 0),  # х for қ
    ("Сейтказиева", "Сейітқазиева", 0),  # Kazakh reduced і
    ("Кусаинов", "Құсайынов", 0),
    ("Тулегенова", "Төлегенова", 0),
    ("Искакова", "Ысқақова", 0),
    ("Куандык", "Қуандық", 0),
    ("Бабецов", "Бабенов", 1),  # a misspelling stays one edit
    ("Рахмиов", "Рахимов", 2),  # plain letters: no convention applies
    ("Жаныколов", "Жаныкулов", 1),
]


@pytest.mark.parametrize(("ru", "kk", "dist"), TRANSLIT)
def test_translit_distance(ru: str, kk: str, dist: int) -> None:
    from align.normalize import fold, translit_distance

    assert translit_distance(fold(ru), kk.lower()) == dist

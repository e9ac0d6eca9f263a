"""Checks on the sample filing (text, no OCR): every real RU↔KK mismatch found, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from align.aligner import align_segments
from align.checks import check_pairs
from align.split import split_parts
from qostil.records import BBox, Pair, Segment, Word
from test_align_aligner import load_gold, ngram_encoder  # type: ignore[import-not-found]

GOLD = Path(__file__).parent / "data" / "gold"

# Every real difference of the sample, found by reading both parts line by line, and nothing else:
# (kind, left lang, left paragraph, left text, right lang, right paragraph, right text, severity).
# Checked and *not* differences: every date (incl. 10.09.2008 = "2008 жылдың 10 қыркүйек", 13.03.2014,
# items 6 and 9), every protocol number, 7 (семи)/7 (жеті), the "0" cells, the Мадиев row's years,
# declined names (Алиманова Жаната / Алиманов Жанат), Kazakh suffixes, Куандык/Қуандық, and the RU
# part's own Өтемісқызы/Өтеміскызы (қ written as к: the RU↔KK convention, not a misspelling).
EXPECTED = [
    ("name", "ru", 10, "Амалұлы", "kk", 10, "Амаұлды", "medium"),  # Ибадуллаев row: patronymic
    ("organisation", "ru", 11, "Товарная", "kk", 11, "Тоуар", "medium"),  # Мадиев row: Тауар misspelt
    ("position", "ru", 11, "Заместитель", "kk", 11, "", "medium"),  # deputy chairman → "Басқарма Төрағасы"
    ("name", "ru", 14, "Бабецов", "kk", 13, "Бабенов", "high"),  # independent directors row: surname
    ("organisation", "ru", 14, "Жетысу", "kk", 13, "Жетғысу", "medium"),
    ("name", "ru", 36, "Базартаевич", "kk", 35, "Базаргаевич", "medium"),  # item 7: patronymic
    ("name", "ru", 14, "Бабецов", "ru", 36, "Бабенов", "high"),  # RU table vs RU item 7
    ("name", "kk", 13, "Базартаевич", "kk", 35, "Базаргаевич", "medium"),  # KK table vs KK item 7
]


def _found(discs) -> set[tuple[str, str, str, str, str]]:
    return {(d.kind, d.left.text, d.right.text if d.right else "", d.left.lang, d.right.lang if d.right else "") for d in discs}


def _rows(discs) -> list[tuple]:
    return [(d.kind, d.left.lang, d.left.paragraph, d.left.text, d.right.lang, d.right.paragraph, d.right.text, d.severity) for d in discs]


def test_sample_findings_with_gold_alignment() -> None:
    ru, kk, gold = load_gold()
    discs = check_pairs(ru, kk, [Pair(r, k, 1.0) for r, k in gold])
    assert _rows(discs) == EXPECTED
    (bab,) = [d for d in discs if d.left.text == "Бабецов" and d.right and d.right.lang == "kk"]
    assert bab.message == "Surname differs: «Бабецов» (RU, paragraph 14) vs «Бабенов» (KK, paragraph 13)."
    assert bab.cause == "likely_text"  # text input: no OCR, so an OCR cause is impossible
    assert any("known OCR confusion: ц/н" in e for e in bab.evidence)
    assert ru[bab.left.paragraph].text[slice(*bab.left.span)] == "Бабецов"
    assert kk[bab.right.paragraph].text[slice(*bab.right.span)] == "Бабенов"
    for d in discs:
        # the contract: both texts, positions, a cause, one plain sentence
        assert d.left.text and d.right is not None and d.cause in ("likely_ocr", "likely_text", "unknown")
        assert d.message.endswith(".") and d.message.count(". ") == 0 and "\n" not in d.message
        segs = {"ru": ru, "kk": kk}
        for m in (d.left, d.right):
            if m.span:
                assert segs[m.lang][m.paragraph].text[slice(*m.span)] == m.text
    assert len({d.id for d in discs}) == len(discs)


def test_sample_findings_stable_ids() -> None:
    ru, kk, gold = load_gold()
    pairs = [Pair(r, k, 1.0) for r, k in gold]
    assert [d.id for d in check_pairs(ru, kk, pairs)] == [d.id for d in check_pairs(ru, kk, pairs)]


def test_sample_end_to_end_on_text() -> None:
    """Whole document → split → align (test n-gram encoder) → checks: the Бабецов/Бабенов finding."""
    docs = json.loads((GOLD / "sample.segments.json").read_text(encoding="utf-8"))
    segs = [Segment(id=f"s{i}", doc_id="sample", lang=d["lang"], kind=d["kind"], text=d["text"], cells=tuple(d.get("cells", ()))) for i, d in enumerate(docs)]
    parts = split_parts(segs)
    pairs = align_segments(parts.ru, parts.kk, encoder=ngram_encoder)
    discs = check_pairs(parts.ru, parts.kk, pairs)
    found = _found(discs)
    assert ("name", "Бабецов", "Бабенов", "ru", "kk") in found
    # legitimate variation is never a finding
    for d in discs:
        assert d.left.text not in {"Алиманова", "Алимановой", "Куандык", "Бишимбаевтың", "Жанаты", "Пазылхаировой"}


LEGIT = [
    ("Досрочно прекращены полномочия Алиманова Жаната Жалгасбайулы;", "тәуелсіз директор Алиманов Жанат Жалғасбайұлының өкілеттігі тоқтатылды;"),
    ("Бишимбаев Куандык Валиханович избран Председателем", "Бишимбаев Куандық Валиханович Төрағасы болып сайланды."),
    ("Бишимбаев Куандык Валиханович избран Председателем", "Бишимбаевтың Куандық Валихановичтің өкілеттігі"),
    ("от 27 ноября 2014 года (Протокол №13)", "2014 жылғы 27 қарашадағы (№13 хаттама)"),
    ("избран - 27.11.2014", "2014 жылғы 27 қарашадағы шешімі"),
    ("с июня 2011 года по май 2012 года", "2011 жылғы маусым айынан бастап 2012 жылдың мамыр айына дейін"),
    ("1980 г.р.", "1980 ж.т."),
    ("из 7 (семи) членов", "7 (жеті) мүшесінен"),
    ("АО «Самрук-Қазына»", "«Самруқ-Қазына» АҚ"),
    ("АО «НПФ «Улар Умит»", "«ҰларҮміт» ЖЗҚ» АҚ"),
    # RU ↔ KK spelling conventions of one name
    ("Ивановой Гульбану Тажибаевны", "Иванова Гүлбану Тәжібайқызының"),
    ("Рахимов Бахыт Болатович", "Рахимов Бақыт Болатович"),
    ("Назначить Сейтказиеву Ольгу Сергеевну", "Сейітқазиева Ольга Сергеевнаны тағайындау"),
    ("Объявить благодарность Тулегеновой М.Ж.", "М.Ж. Төлегеноваға алғыс жариялансын"),
    ("Кусаинов Талгат Амантайулы", "Құсайынов Талғат Амантайұлы"),
    ("Абдрахманов Руслан Серикович", "Әбдірахманов Руслан Серікович"),
    ("Искакова Динара", "Ысқақова Динара"),
    # dates and numbers in the other language's words, with other spacing
    ("с 10.09.2008 г. по 13.03.2014 г.", "2008 жылдың 10 қыркүйек айынан бастап 2014 жылдың 13 наурыз айына дейін"),
    ("премию в размере 1 250 000 тенге", "1250000 теңге мөлшерінде сыйлықақы"),
]

ERRORS = [
    ("Бабецов Булат Базартаевич", "Бабенов Булат Базартаевич", "name"),
    ("от 27 ноября 2014 года", "2014 жылғы 28 қарашадағы", "date"),
    ("избран - 27.11.2014", "27.11.2015 ж. сайланған", "date"),
    ("из 7 (семи) членов", "8 (сегіз) мүшесінен", "number"),
    ("(Протокол №09/15)", "(№09/16 хаттама)", "number"),
    ("АО «ООУПА «Жетысу»", "«ЗАИБЖҰ «Жетғысу» АҚ", "organisation"),
    ("Председатель Правления Кузкецов Б.Б.", "Басқарма Төрағасы Б.Б. Кузнецов", "name"),  # surname with initials
    ("Рахмиов Марат Ерланович избран", "Рахимов Марат Ерланович сайланды", "name"),  # transposition
    ("Жаныколова Жумабека Есилбековича", "Жаныкулов Жумабек Есилбекович", "name"),  # о for у, no Kazakh letter
    ("полномочия Аманжолова Руслана (Протокол №56)", "Аманжолов Руслан Ерлановичтің өкілеттігі (№56 хаттама)", "name"),  # patronymic dropped
    ("Приказом от 16 октября 2020 года", "2020 жылғы 16 қарашадағы бұйрықпен", "date"),  # worded month
    ("премию в размере 1 250 000 тенге", "1 350 000 теңге мөлшерінде", "number"),
]


def _one_pair(ru_text: str, kk_text: str, *, words: tuple[Word, ...] = ()) -> list:
    ru = [Segment(id="r0", doc_id="t", lang="ru", kind="paragraph", text=ru_text)]
    kk = [Segment(id="k0", doc_id="t", lang="kk", kind="paragraph", text=kk_text, words=words)]
    return check_pairs(ru, kk, [Pair((0,), (0,), 1.0)])


@pytest.mark.parametrize(("ru_text", "kk_text"), LEGIT)
def test_legitimate_variation_is_not_a_finding(ru_text: str, kk_text: str) -> None:
    assert _one_pair(ru_text, kk_text) == []


@pytest.mark.parametrize(("ru_text", "kk_text", "kind"), ERRORS)
def test_injected_errors_are_found(ru_text: str, kk_text: str, kind: str) -> None:
    assert [d.kind for d in _one_pair(ru_text, kk_text)] == [kind]


def test_ocr_confidence_decides_the_cause_and_is_evidence() -> None:
    words = (
        Word("Бабенов", 41.0, BBox(10, 20, 90, 40), page=3),
        Word("Булат", 95.0, BBox(95, 20, 140, 40), page=3),
        Word("Базартаевич", 96.0, BBox(145, 20, 240, 40), page=3),
    )
    (d,) = _one_pair("Бабецов Булат Базартаевич", "Бабенов Булат Базартаевич", words=words)
    assert d.cause == "likely_ocr"
    assert d.right.conf == 41.0 and d.right.page == 3 and d.right.bbox == BBox(10, 20, 90, 40)
    assert any("41" in e for e in d.evidence)


def _ocr_words(text: str, *, page: int, conf: float = 95.0, low: dict[str, float] | None = None) -> tuple[Word, ...]:
    """One OCR word per whitespace token of ``text`` (boxes in reading order)."""
    low = low or {}
    return tuple(Word(w, low.get(w, conf), BBox(10 + 60 * i, 100, 60 + 60 * i, 120), page=page) for i, w in enumerate(text.split()))


def test_ocr_noise_is_not_a_finding() -> None:
    """What the scan of the sample gave: a lone "0" cell Tesseract dropped on the KK side, "№" read as
    "М" or lost. None of them is a difference in the filing."""
    ru_row = "Бишимбаев Куандык Валиханович 1980 г.р., избран - 27.11.2014\tс мая 2013 г. назначен\t0\t0"
    kk_row = "Бишимбаев Куандык Валиханович 1980 ж.т., 27.11.2014 ж. сайланған.\t2013 жылғы мамыр айынан бастап\t\t"
    ru_p1 = "1. от 09.04.2015 года (Протокол М09/15):"
    kk_p1 = "1. Басқармасының 09.04.2015 жылғы шешіміне сәйкес (№09/15 хаттама):"
    ru_p2 = "10. от 06 сентября 2013 года (Протокол 06/13):"
    kk_p2 = "10. Басқармасының 2013 жылғы 06 қыркүйегіндегі шешіміне сәйкес (№06/13-хаттама):"
    ru = [Segment(id=f"r{i}", doc_id="t", lang="ru", kind=k, text=t, words=_ocr_words(t, page=1)) for i, (k, t) in enumerate((("table_row", ru_row), ("paragraph", ru_p1), ("paragraph", ru_p2)))]
    kk = [Segment(id=f"k{i}", doc_id="t", lang="kk", kind=k, text=t, words=_ocr_words(t, page=5)) for i, (k, t) in enumerate((("table_row", kk_row), ("paragraph", kk_p1), ("paragraph", kk_p2)))]
    assert check_pairs(ru, kk, [Pair((i,), (i,), 1.0) for i in range(3)]) == []
    # typed text (no OCR): the same empty cell is a real omission
    ru_t = [s.with_(words=()) for s in ru[:1]]
    kk_t = [s.with_(words=()) for s in kk[:1]]
    assert [d.message for d in check_pairs(ru_t, kk_t, [Pair((0,), (0,), 1.0)])] == [
        "Number «0» (RU, paragraph 0) has no counterpart in KK paragraph 0.",
    ]


def test_scan_findings_carry_page_box_and_confidence() -> None:
    ru_t, kk_t = "Бабецов Булат Базартаевич", "Бабенов Булат Базартаевич"
    ru = [Segment(id="r0", doc_id="t", lang="ru", kind="paragraph", text=ru_t, words=_ocr_words(ru_t, page=2, conf=96))]
    kk = [Segment(id="k0", doc_id="t", lang="kk", kind="paragraph", text=kk_t, words=_ocr_words(kk_t, page=6, conf=93))]
    (d,) = check_pairs(ru, kk, [Pair((0,), (0,), 1.0)])
    assert (d.left.page, d.right.page, d.left.conf, d.right.conf) == (2, 6, 96, 93)
    assert d.left.bbox == BBox(10, 100, 60, 120)
    assert d.message == "Surname differs: «Бабецов» (RU, paragraph 0, page 2) vs «Бабенов» (KK, paragraph 0, page 6)."
    # confident OCR on both sides: the letters are on the paper, so the text is the cause
    assert d.cause == "likely_text"
    kk = [kk[0].with_(words=_ocr_words(kk_t, page=6, conf=85))]
    (d,) = check_pairs(ru, kk, [Pair((0,), (0,), 1.0)])
    assert d.cause == "likely_ocr"  # ц/н, a known confusion, and no high confidence against it


def test_missing_segment_is_reported() -> None:
    ru = [Segment(id="r0", doc_id="t", lang="ru", kind="paragraph", text="Текст без пары.")]
    (d,) = check_pairs(ru, [], [Pair((0,), (), 0.0)])
    assert d.kind == "missing_segment" and d.right is None


def test_split_sample_parts() -> None:
    docs = json.loads((GOLD / "sample.segments.json").read_text(encoding="utf-8"))
    segs = [Segment(id=f"s{i}", doc_id="sample", lang=d["lang"], kind=d["kind"], text=d["text"]) for i, d in enumerate(docs)]
    parts = split_parts(segs)
    ru, kk, _ = load_gold()
    assert parts.layout == "sequential"
    assert [s.text for s in parts.ru] == [s.text for s in ru]
    assert [s.text for s in parts.kk] == [s.text for s in kk]
    # the stamps and the RU-only cover letter stay out of both parts
    assert any("Хаджиева" in s.text for s in parts.other)
    assert any("ТІРКЕДІ" in s.text for s in parts.other)


def test_split_interleaved() -> None:
    segs = []
    for i in range(6):
        segs.append(Segment(id=f"r{i}", doc_id="t", lang="ru", kind="paragraph", text=f"Русский абзац {i}."))
        segs.append(Segment(id=f"k{i}", doc_id="t", lang="kk", kind="paragraph", text=f"Қазақша абзац {i}."))
        segs.append(Segment(id=f"u{i}", doc_id="t", lang="unknown", kind="table_row", text="0"))
    parts = split_parts(segs)
    assert parts.layout == "interleaved"
    assert [s.id for s in parts.ru] == [f"r{i}" for i in range(6)]
    # a language-neutral "0" cell goes with the segment before it
    assert [s.id for s in parts.kk] == [x for i in range(6) for x in (f"k{i}", f"u{i}")]
    assert parts.other == []


@pytest.mark.slow
def test_sample_end_to_end_with_real_encoder_finds_exactly_the_real_differences() -> None:
    from test_align_aligner import _real_encoder  # type: ignore[import-not-found]

    enc = _real_encoder()
    docs = json.loads((GOLD / "sample.segments.json").read_text(encoding="utf-8"))
    segs = [Segment(id=f"s{i}", doc_id="sample", lang=d["lang"], kind=d["kind"], text=d["text"], cells=tuple(d.get("cells", ()))) for i, d in enumerate(docs)]
    parts = split_parts(segs)
    discs = check_pairs(parts.ru, parts.kk, align_segments(parts.ru, parts.kk, encoder=enc))
    assert sorted(_rows(discs)) == sorted(EXPECTED)

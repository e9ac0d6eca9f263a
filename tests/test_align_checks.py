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

# (kind, RU/left text, KK/right text, left lang, right lang): the real differences of the sample,
# found by reading both parts line by line.
EXPECTED = {
    ("name", "Бабецов", "Бабенов", "ru", "kk"),  # table row: surname
    ("name", "Амалұлы", "Амаұлды", "ru", "kk"),  # table row: patronymic
    ("name", "Базартаевич", "Базаргаевич", "ru", "kk"),  # item 7: patronymic
    ("name", "Бабецов", "Бабенов", "ru", "ru"),  # RU table vs RU item 7
    ("name", "Базартаевич", "Базаргаевич", "kk", "kk"),  # KK table vs KK item 7
    ("organisation", "Жетысу", "Жетғысу", "ru", "kk"),
    ("organisation", "Товарная", "Тоуар", "ru", "kk"),
    ("position", "Заместитель", "", "ru", "kk"),  # deputy chairman → "Басқарма Төрағасы" (chairman)
}


def _found(discs) -> set[tuple[str, str, str, str, str]]:
    return {(d.kind, d.left.text, d.right.text if d.right else "", d.left.lang, d.right.lang if d.right else "") for d in discs}


def test_sample_findings_with_gold_alignment() -> None:
    ru, kk, gold = load_gold()
    discs = check_pairs(ru, kk, [Pair(r, k, 1.0) for r, k in gold])
    assert _found(discs) == EXPECTED
    (bab,) = [d for d in discs if d.left.text == "Бабецов" and d.right and d.right.lang == "kk"]
    assert bab.severity == "high"
    assert bab.message == "Surname differs: «Бабецов» (RU, paragraph 14) vs «Бабенов» (KK, paragraph 13)."
    assert bab.cause == "likely_text"  # text input: no OCR, so an OCR cause is impossible
    assert any("known OCR confusion: ц/н" in e for e in bab.evidence)
    assert ru[bab.left.paragraph].text[slice(*bab.left.span)] == "Бабецов"
    assert kk[bab.right.paragraph].text[slice(*bab.right.span)] == "Бабенов"
    (patr,) = [d for d in discs if d.left.text == "Базартаевич" and d.left.lang == "ru"]
    assert patr.cause == "likely_text"
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
]

ERRORS = [
    ("Бабецов Булат Базартаевич", "Бабенов Булат Базартаевич", "name"),
    ("от 27 ноября 2014 года", "2014 жылғы 28 қарашадағы", "date"),
    ("избран - 27.11.2014", "27.11.2015 ж. сайланған", "date"),
    ("из 7 (семи) членов", "8 (сегіз) мүшесінен", "number"),
    ("(Протокол №09/15)", "(№09/16 хаттама)", "number"),
    ("АО «ООУПА «Жетысу»", "«ЗАИБЖҰ «Жетғысу» АҚ", "organisation"),
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
    assert _found(discs) == EXPECTED

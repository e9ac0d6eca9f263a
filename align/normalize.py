"""Comparable keys for Russian and Kazakh words: letter folding, name lemmas, suffixes, months.

Everything here is for *comparison only*; no text shown to a user is ever folded.

Names are compared as **sets of candidate keys** (:func:`name_keys`): a word gets
its folded form, the forms left after stripping Russian case endings or Kazakh
case/possessive suffixes, pymorphy3's lemmas for its ``Surn``/``Name``/``Patr``
parses, and (for patronymics) the father's name. Two words name the same thing
when their candidate sets intersect. Stripping therefore never *replaces* the
word: a name that merely ends like a suffix (``Жанна`` and the dative ``-на``)
keeps its own form as a candidate, so a wrong strip can only add a spurious
equivalence, never lose the real one. :func:`name_key` is the single most
likely key (used as an anchor and in ids).
"""

from __future__ import annotations

import functools
import logging
import re

log = logging.getLogger(__name__)

KK_ONLY_LETTERS = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
_KK_FOLD = str.maketrans(KK_ONLY_LETTERS + "ёЁ", "агкноуухиАГКНОУУХИеЕ")
# Loose cross-language folding for organisation names: Russian renders Kazakh қ as х
# (Қазақстан/Казахстан), so х joins к there. Never used for person names.
_LOOSE_FOLD = str.maketrans("х", "к")

VOWELS = set("аеиоуыэюяёәөұүі")

MONTHS_RU: dict[str, int] = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}
MONTHS_KK: dict[str, int] = {
    "қаңтар": 1, "ақпан": 2, "наурыз": 3, "сәуір": 4, "мамыр": 5, "маусым": 6,
    "шілде": 7, "тамыз": 8, "қыркүйек": 9, "қазан": 10, "қараша": 11, "желтоқсан": 12,
}
# Regex alternations over *folded lower-case* text (fold keeps string length).
MONTH_RU_RE = (
    r"(?:январ[ьяе]|феврал[ьяе]|марта?|марте|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]"
    r"|августа?|августе|сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе])"
)
MONTH_KK_RE = (
    r"(?:кантар|акпан|наурыз|сауир|мамыр|маусым|шилде|тамыз|кыркуй[еи][кг]|казан|караша|желтоксан)"
)

# Kazakh case, possessive and plural endings, longest first (folded spelling).
_KK_SUFFIXES = tuple(
    sorted(
        {
            # genitive
            "нын", "нин", "дын", "дин", "тын", "тин",
            # dative
            "га", "ге", "ка", "ке", "на", "не", "а", "е",
            # accusative
            "ны", "ни", "ды", "ди", "ты", "ти", "н",
            # locative and locative-attributive
            "да", "де", "та", "те", "нда", "нде", "дагы", "деги", "тагы", "теги", "ндагы", "ндеги",
            # ablative
            "дан", "ден", "тан", "тен", "нан", "нен",
            # instrumental
            "мен", "бен", "пен",
            # possessive 3rd person
            "ы", "и", "сы", "си",
            # plural
            "лар", "лер", "дар", "дер", "тар", "тер",
        },
        key=len,
        reverse=True,
    )
)
# Russian noun/adjective case endings used for names, longest first.
_RU_ENDINGS = ("ыми", "ому", "ого", "ой", "ей", "ым", "ом", "ем", "ых", "ою", "ую", "а", "я", "у", "ю", "е", "ы", "и")

_PATR_RU = re.compile(r"^(.+?)(?:ов|ев)(?:ич|н)(?:а|у|ем|е|ы|ой|ою|ей)?$")
_PATR_KK = re.compile(r"^(.+?)(?:улы|кызы)$")
_MIN_STEM = 3


def fold_kazakh(s: str) -> str:
    """Fold the Kazakh-only letters to their Russian counterparts (and ё→е); keeps length and case."""
    return s.translate(_KK_FOLD)


def fold(s: str) -> str:
    """Lower-case and fold Kazakh letters: the comparison form of a word. Length is preserved."""
    return fold_kazakh(s.lower())


def loose_fold(s: str) -> str:
    """:func:`fold` plus х→к, for organisation names written in either language."""
    return fold(s).translate(_LOOSE_FOLD)


def strip_kazakh_suffixes(word: str, *, depth: int = 2) -> list[str]:
    """Every stem left by stripping up to ``depth`` Kazakh suffixes from a folded word (word first)."""
    out = [word]
    frontier = [word]
    for _ in range(depth):
        nxt: list[str] = []
        for w in frontier:
            for suf in _KK_SUFFIXES:
                if w.endswith(suf) and len(w) - len(suf) >= _MIN_STEM:
                    stem = w[: -len(suf)]
                    if stem not in out:
                        out.append(stem)
                        nxt.append(stem)
        frontier = nxt
    return out


def _ru_endings(word: str) -> list[str]:
    out: list[str] = []
    for end in _RU_ENDINGS:
        if word.endswith(end) and len(word) - len(end) >= _MIN_STEM:
            stem = word[: -len(end)]
            out.append(stem)
            if stem[-1] not in VOWELS:
                out.extend((stem + "а", stem + "я"))
            else:
                out.append(stem + "й")  # Дмитрия → дмитрий, Николая → николай
            if end in ("ой", "ей", "ою"):
                out.append(stem + "а")  # Алимановой → алиманова
    return out


@functools.lru_cache(maxsize=1)
def _morph():  # type: ignore[no-untyped-def]
    try:
        import pymorphy3
    except ImportError:  # pragma: no cover - optional at import time
        log.warning("pymorphy3 is not installed; Russian names are matched by endings only")
        return None
    return pymorphy3.MorphAnalyzer()


@functools.lru_cache(maxsize=65536)
def _pymorphy_name_lemmas(word: str) -> tuple[str, ...]:
    morph = _morph()
    if morph is None:
        return ()
    out = []
    for p in morph.parse(word):
        tags = p.tag
        if "Surn" in tags or "Name" in tags or "Patr" in tags:
            out.append(fold(p.normal_form))
    return tuple(out)


@functools.lru_cache(maxsize=65536)
def is_known_common_word(word: str) -> bool:
    """True when pymorphy3 knows ``word`` from its dictionary and none of its parses is a name."""
    morph = _morph()
    if morph is None:
        return False
    parses = morph.parse(word)
    if not parses or not parses[0].is_known:
        return False
    return not any(("Surn" in p.tag or "Name" in p.tag or "Patr" in p.tag) for p in parses)


def patronymic_stem(key: str) -> str | None:
    """The father's name inside a folded patronymic: ``базартаевич`` → ``базартай``, ``отемискызы`` → ``отемис``."""
    m = _PATR_RU.match(key)
    if m:
        stem = m.group(1)
        return stem + "й" if stem[-1] in VOWELS else stem
    m = _PATR_KK.match(key)
    if m:
        return m.group(1)
    return None


@functools.lru_cache(maxsize=65536)
def name_keys(word: str, lang: str) -> frozenset[str]:
    """Candidate comparison keys of one name word (see the module docstring)."""
    w = fold(word.strip(".,;:()«»\"'"))
    if not w:
        return frozenset()
    cands = {w}
    # Kazakh suffixes: in Kazakh text, and on Kazakh-looking words anywhere.
    if lang == "kk" or any(c in KK_ONLY_LETTERS for c in word):
        cands.update(strip_kazakh_suffixes(w))
    if lang != "kk":
        cands.update(_ru_endings(w))
        cands.update(_pymorphy_name_lemmas(word.lower()))
    for c in list(cands):
        ps = patronymic_stem(c)
        if ps:
            cands.add("patr:" + ps)
    return frozenset(cands)


def name_key(word: str, lang: str) -> str:
    """The single most likely key of a name word: a pymorphy3 name lemma, else the folded word
    with one Kazakh suffix stripped (Kazakh) or the word itself."""
    w = fold(word.strip(".,;:()«»\"'"))
    if lang != "kk":
        lemmas = _pymorphy_name_lemmas(word.lower())
        if lemmas:
            return lemmas[0]
        return w
    stems = strip_kazakh_suffixes(w, depth=1)
    return stems[1] if len(stems) > 1 and re.search(r"(ов|ев|ин|ын|ова|ева|ина|овна|евна|ич|улы|кызы)$", stems[1]) else w


def same_name(a: str, lang_a: str, b: str, lang_b: str) -> bool:
    """True when two name words can be the same name (their candidate keys intersect)."""
    return bool(name_keys(a, lang_a) & name_keys(b, lang_b))


def month_number(word: str) -> int | None:
    """Month number of a Russian or Kazakh month word in any case or with suffixes, else None."""
    w = fold(word)
    m = re.match(MONTH_KK_RE, w)
    if m:
        return {fold(k): v for k, v in MONTHS_KK.items()}.get(m.group(0)) or (9 if w.startswith("кыркуй") else None)
    m = re.fullmatch(MONTH_RU_RE, w)
    if m:
        for stem, num in MONTHS_RU.items():
            if w.startswith(stem) and (stem != "ма" or re.fullmatch(r"ма[йяе]", w)):
                return num
    return None


# ---------------------------------------------------------------- RU ↔ KK transliteration

# Spelling conventions between the Russian and the Kazakh rendering of one name, as
# (Russian letter, Kazakh letter as written): Тулегенова/Төлегенова, Утепов/Өтепов (у,о/ө),
# Искакова/Ысқақова (и/ы), Кусаинов/Құсайынов (и/й), Турсунов/Тұрсынов (у/ы), Бахыт/Бақыт (х/қ).
# Letters only one side writes: the Russian soft sign (Гульбану/Гүлбану) and Kazakh's reduced
# і/ы (Сейтказиева/Сейітқазиева, Абдрахманов/Әбдірахманов). Conventions are tied to the Kazakh
# letter actually written, so a plain-letter slip (Рахимов/Рахмиов, Жаныкулов/Жаныколов) still counts.
TRANSLIT_SUBS: frozenset[tuple[str, str]] = frozenset(
    {("у", "ө"), ("о", "ө"), ("у", "ү"), ("и", "ы"), ("ы", "і"), ("и", "й"), ("у", "ы"), ("х", "қ"), ("х", "к"), ("е", "э"), ("э", "е")}
)
TRANSLIT_RU_ONLY = frozenset("ьъ")
TRANSLIT_KK_ONLY = frozenset("іы")


@functools.lru_cache(maxsize=65536)
def translit_distance(ru: str, kk: str) -> int:
    """Edits between a Russian word (folded) and a Kazakh word (lower case, *unfolded*), not
    counting RU↔KK spelling conventions (``TRANSLIT_*``; Kazakh letters equal their fold).

    0 means one name in Russian and Kazakh spelling; each other edit costs 1."""
    n, m = len(ru), len(kk)
    ins = [0 if y in TRANSLIT_KK_ONLY else 1 for y in kk]
    prev = [0] * (m + 1)
    for j in range(1, m + 1):
        prev[j] = prev[j - 1] + ins[j - 1]
    for i in range(1, n + 1):
        x = ru[i - 1]
        dele = 0 if x in TRANSLIT_RU_ONLY else 1
        cur = [prev[0] + dele] + [0] * m
        for j in range(1, m + 1):
            y = kk[j - 1]
            sub = 0 if x == y or x == fold(y) or (x, y) in TRANSLIT_SUBS else 1
            cur[j] = min(prev[j - 1] + sub, prev[j] + dele, cur[j - 1] + ins[j - 1])
        prev = cur
    return prev[m]


def translit_similarity(ru: str, kk: str) -> float:
    """0–100 similarity of a Russian (folded) and a Kazakh (unfolded) word; conventions cost nothing."""
    if not ru or not kk:
        return 0.0
    return 100.0 * (1.0 - translit_distance(ru, kk) / max(len(ru), len(kk)))


def unfold_key(key: str, word: str) -> str:
    """The Kazakh letters of ``word`` put back into its folded candidate key (a prefix of the
    folded word, or the key itself when it is not)."""
    w = word.lower().strip(".,;:()«»\"'")
    return w[: len(key)] if fold(w).startswith(key) else key

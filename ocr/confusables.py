"""Known Tesseract confusions on Russian/Kazakh pages, fixed word by word after OCR.

Lexicon-free rules, each one narrow enough never to touch a word that was read right:

1. **Mixed script.** A word with both Cyrillic and Latin letters whose Latin
   letters all have a Cyrillic look-alike (``a c e i o p x y`` and capitals
   ``A B C E H I K M O P T X``) and whose Cyrillic letters are at least half of
   its letters becomes all Cyrillic (``Кaзaхстан`` → ``Казахстан``).
2. **Latin look-alike word in Cyrillic text.** A word of Latin look-alike letters only,
   with a lowercase letter, on a line where at least two thirds of the other
   words with letters are Cyrillic, becomes Cyrillic (``Ic`` → ``Іс``). Latin
   words with any other letter (``E-mail``, ``Bank``) are left alone.
3. **Kazakh і read as ``!`` or ``1``** (only in Kazakh paragraphs: the
   Tesseract paragraph has a Kazakh-only letter in at least 1 % of its letters):
   ``!`` right after two or more Cyrillic letters and before the end of the word
   or a space (``Президент!`` → ``Президенті``); a word-initial ``1`` followed only
   by lowercase Cyrillic letters becomes a capital ``І`` (the shape Tesseract
   mistook: ``1с`` → ``Іс``).

4. **Russian щ read as ш, ъ as ь** (Tesseract's ``rus`` model on sans fonts:
   ``соответствуюшего``, ``изьять``). A word of Russian letters only (no
   Kazakh letter), of at least 4 letters, with ``ш`` or ``ь``, that the
   pymorphy3 dictionary does not know, takes the first spelling with some of
   those letters swapped (``ш``→``щ``, ``ь``→``ъ``; at most 4 such letters) that
   the dictionary knows. Unknown either way (names, Kazakh words) → left as read.
5. **№ written ``N`` read as ``М``**: a lone ``М`` before a word that starts
   with a digit becomes ``N`` (``N 59``; a lone capital М before a number is
   not Russian or Kazakh otherwise).

6. **Dashes read as hyphens.** A lone ``-`` whose box is at least 0.38 of the
   line's median word height wide is an en dash ``–`` (at least 0.75: an em
   dash ``—``): a hyphen's ink is about a quarter of an em wide, an en dash's
   half an em (measured on rendered DejaVu Sans pages: hyphens 0.30, en dashes
   0.42–0.43 of the line height). Shorter ones stay hyphens.

Each fix keeps the word's box and confidence; the number of fixes is logged.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Sequence
from dataclasses import replace

from qostil.records import Line, Word

log = logging.getLogger(__name__)

LATIN_TO_CYRILLIC = str.maketrans("aceiopxyABCEHIKMOPTX", "асеіорхуАВСЕНІКМОРТХ")
_LOOKALIKE = frozenset("aceiopxyABCEHIKMOPTX")
KAZAKH_ONLY = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_BANG_I = re.compile(r"(?<=[а-яёәғқңөұүһі]{2})!(?=[»”\"),.;:]*$)", re.IGNORECASE)
_ONE_I = re.compile(r"^([«(\"]?)1(?=[а-яёәғқңөұүһі]+[»”\"),.;:]*$)")


def _cyr(c: str) -> bool:
    return "\u0400" <= c <= "\u04ff"


def _latin(c: str) -> bool:
    return c.isascii() and c.isalpha()


def fix_mixed_script(text: str) -> str:
    letters = [c for c in text if c.isalpha()]
    cyr = sum(_cyr(c) for c in letters)
    latin = [c for c in letters if _latin(c)]
    if cyr and latin and cyr >= len(letters) / 2 and all(c in _LOOKALIKE for c in latin):
        return text.translate(LATIN_TO_CYRILLIC)
    return text


def _is_cyrillic_word(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(_cyr(c) for c in letters) > len(letters) / 2


def kazakh_share(words: Sequence[Word]) -> float:
    letters = [c for w in words for c in w.text if c.isalpha()]
    return sum(c in KAZAKH_ONLY for c in letters) / max(1, len(letters))


_RU_WORD = re.compile(r"^([«(\"„]*)([А-ЯЁа-яё][а-яё]+(?:-[а-яё]+)*)([»)\",.;:!?]*)$")
_SWAPS = {"ш": "щ", "ь": "ъ"}


@functools.cache
def _morph():  # -> pymorphy3.MorphAnalyzer | None
    try:
        import pymorphy3
    except ImportError:  # pragma: no cover - a declared dependency
        log.warning("pymorphy3 is not installed; щ/ъ are not restored")
        return None
    return pymorphy3.MorphAnalyzer()


@functools.lru_cache(maxsize=20000)
def fix_russian_letters(word: str) -> str:
    """``соответствуюшего`` → ``соответствующего``, ``изьять`` → ``изъять`` (rule 4); else ``word``."""
    m = _RU_WORD.match(word)
    if not m:
        return word
    core = m.group(2)
    low = core.lower()
    spots = [i for i, c in enumerate(low) if c in _SWAPS]
    if not spots or len(spots) > 4 or len(low) < 4:
        return word
    morph = _morph()
    if morph is None or morph.word_is_known(low):
        return word
    for k in range(1, len(spots) + 1):
        for combo in itertools.combinations(spots, k):
            cand = list(core)
            for i in combo:
                cand[i] = _SWAPS[low[i]]
            text = "".join(cand)
            if morph.word_is_known(text.lower()):
                return m.group(1) + text + m.group(3)
    return word


EN_DASH_MIN_WIDTH = 0.38
EM_DASH_MIN_WIDTH = 0.75


def dash_by_width(word: Word, line_height: float) -> str:
    """``-``, ``–`` or ``—`` for a lone dash token, by its width over the line height (rule 6)."""
    ratio = word.bbox.width / max(1.0, line_height)
    if ratio >= EM_DASH_MIN_WIDTH:
        return "—"
    if ratio >= EN_DASH_MIN_WIDTH:
        return "–"
    return word.text


def fix_words(words: Sequence[Word], *, kazakh: bool) -> tuple[tuple[Word, ...], int]:
    """The words of one line with the rules applied; and how many words changed."""
    out: list[Word] = []
    heights = sorted(w.bbox.height for w in words if any(c.isalnum() for c in w.text))
    line_height = float(heights[len(heights) // 2]) if heights else 0.0
    fixes = 0
    lettered = [w for w in words if any(c.isalpha() for c in w.text)]
    for i, w in enumerate(words):
        text = fix_mixed_script(w.text)
        letters = [c for c in text if c.isalpha()]
        if letters and all(c in _LOOKALIKE for c in letters) and any(c.islower() for c in letters):
            others = [x for x in lettered if x is not w]
            if others and sum(_is_cyrillic_word(x.text) for x in others) >= 2 / 3 * len(others):
                text = text.translate(LATIN_TO_CYRILLIC)
        text = fix_russian_letters(text)
        if text == "-" and line_height:
            text = dash_by_width(w, line_height)
        if text == "М" and i + 1 < len(words) and words[i + 1].text[:1].isdigit():
            text = "N"
        if kazakh:
            text = _BANG_I.sub("і", text)
            text = _ONE_I.sub(lambda m: m.group(1) + "І", text)
        if text != w.text:
            fixes += 1
            w = replace(w, text=text)
        out.append(w)
    return tuple(out), fixes


def fix_confusables(lines: Sequence[Line]) -> tuple[Line, ...]:
    """Every line with the rules of the module docstring applied (paragraph language from its letters)."""
    by_par: dict[tuple[int, int], list[Word]] = {}
    for ln in lines:
        by_par.setdefault((ln.block, ln.par), []).extend(ln.words)
    kazakh_par = {k: kazakh_share(ws) >= 0.01 for k, ws in by_par.items()}
    out: list[Line] = []
    total = 0
    for ln in lines:
        words, n = fix_words(ln.words, kazakh=kazakh_par[(ln.block, ln.par)])
        total += n
        out.append(replace(ln, words=words) if n else ln)
    if total:
        log.debug("fixed %d confusable word(s)", total)
    return tuple(out)

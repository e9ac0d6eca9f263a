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
   ``!`` right after three or more Cyrillic letters and before the end of the word
   or a space (``Президент!`` → ``Президенті``); a word-initial ``1`` followed only
   by lowercase Cyrillic letters becomes a capital ``І`` (the shape Tesseract
   mistook: ``1с`` → ``Іс``).

Each fix keeps the word's box and confidence; the number of fixes is logged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace

from qostil.records import Line, Word

log = logging.getLogger(__name__)

LATIN_TO_CYRILLIC = str.maketrans("aceiopxyABCEHIKMOPTX", "асеіорхуАВСЕНІКМОРТХ")
_LOOKALIKE = frozenset("aceiopxyABCEHIKMOPTX")
KAZAKH_ONLY = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_BANG_I = re.compile(r"(?<=[а-яёәғқңөұүһі]{3})!(?=[»”\"),.;:]*$)", re.IGNORECASE)
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


def fix_words(words: Sequence[Word], *, kazakh: bool) -> tuple[tuple[Word, ...], int]:
    """The words of one line with the rules applied; and how many words changed."""
    out: list[Word] = []
    fixes = 0
    lettered = [w for w in words if any(c.isalpha() for c in w.text)]
    for i, w in enumerate(words):
        text = fix_mixed_script(w.text)
        letters = [c for c in text if c.isalpha()]
        if letters and all(c in _LOOKALIKE for c in letters) and any(c.islower() for c in letters):
            others = [x for x in lettered if x is not w]
            if others and sum(_is_cyrillic_word(x.text) for x in others) >= 2 / 3 * len(others):
                text = text.translate(LATIN_TO_CYRILLIC)
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

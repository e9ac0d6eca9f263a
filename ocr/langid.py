"""Language of a segment: ``ru``, ``kk``, ``other`` or ``unknown``.

The rule, in order:

1. Fewer than 3 letters (numbers, ``0``, ``-``, dates) → ``unknown``.
2. Fewer than half the letters Cyrillic → ``other`` (Latin-script or any other script).
3. Ukrainian/Belarusian-only letters (ї є ґ ў) → ``lingua`` decides; anything but
   Russian/Kazakh → ``other``.
4. Evidence is counted over the Cyrillic words:
   * Kazakh: a *lowercase* word holding a Kazakh-only letter (ә ғ қ ң ө ұ ү һ і)
     or a Kazakh function word (және, мен, бойынша, болып, ретінде, үшін, туралы…)
     counts 2; a Kazakh genitive/plural suffix (-ның/-нің/-дың/-лар/-лер…) counts 1.
     All-caps words count as lowercase ones. Title-case words with Kazakh letters are names (``Самрук-Қазына``,
     ``Өтемісқызы``) that Russian text quotes, so they count only 0.5 and never decide alone.
   * Russian: a Russian function word (и, в, на, с, по, от, для, что, года, не…) counts 1.
   The larger side wins when it has at least 1 point and leads by at least 1 point.
5. Otherwise (no or tied evidence):
   * no Kazakh letter at all → ``ru`` (Kazakh of more than a word or two always shows
     its letters), unless the text has ≥ 40 letters and lingua calls it another language → ``other``;
   * else the capitalised Kazakh-letter names are removed; nothing left → ``unknown``
     (a bare name: the neighbours decide); otherwise lingua-language-detector, restricted
     to Russian, Kazakh and the Cyrillic look-alikes (Ukrainian, Belarusian, Bulgarian,
     Serbian, Macedonian, Mongolian), decides: Russian → ``ru``, Kazakh → ``kk``, another
     language → ``other`` (only with ≥ 40 letters; shorter → ``unknown``).

:func:`label_languages` sets ``Segment.lang``; ``unknown`` segments (numbers,
``0``, dashes) take the language of the nearest labelled neighbour before them,
else after them.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence

from qostil.records import LANG_KK, LANG_OTHER, LANG_RU, LANG_UNKNOWN, Segment

log = logging.getLogger(__name__)

KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_EAST_SLAVIC_ONLY = frozenset("їєґўЇЄҐЎ")

KK_FUNCTION_WORDS = frozenset(
    """және мен бойынша болып ретінде үшін туралы бұл осы сол бар жоқ емес деп еді немесе
    бірақ сондай ақ сияқты дейін кейін арқылы жылғы жылдың жылы айынан айына айы күні тиіс
    қазіргі уақытқа шейін бері""".split()
)
RU_FUNCTION_WORDS = frozenset(
    """и в во на с со по от для что года год г не к ко о об из за как при а или до это
    его ее её их он она они также который которые которых был была были будет то же
    между после через без под над только""".split()
)
# -дар/-дер/-тар/-тер are left out: Russian has too many such words (бухгалтер, Эльдар, товар).
_KK_SUFFIXES = ("ның", "нің", "дың", "дің", "тың", "тің", "лар", "лер")
_LINGUA_MIN_LETTERS = 40
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)


def _is_cyrillic(c: str) -> bool:
    return "\u0400" <= c <= "\u04ff" or "\u0500" <= c <= "\u052f"


def _is_latin(c: str) -> bool:
    return c.isascii() or "\u00c0" <= c <= "\u024f"


@functools.cache
def load_detector():  # -> lingua.LanguageDetector
    """lingua's detector with every language model it needs loaded (about 2.5 s, once per process).

    Loaded on the first text the letters cannot decide, and kept (a served deployment loads it once);
    the benchmarks load it up front with the encoder, as a start-up cost and not a document's."""
    from lingua import Language, LanguageDetectorBuilder

    langs = [
        Language.RUSSIAN,
        Language.KAZAKH,
        Language.UKRAINIAN,
        Language.BELARUSIAN,
        Language.BULGARIAN,
        Language.SERBIAN,
        Language.MACEDONIAN,
        Language.MONGOLIAN,
    ]
    return LanguageDetectorBuilder.from_languages(*langs).with_preloaded_language_models().build()


def _lingua(text: str) -> str | None:
    from lingua import Language

    try:
        found = load_detector().detect_language_of(text)
    except Exception as e:  # lingua is a compiled extension; its failures should not stop a run
        log.warning("lingua could not classify a text (%s); falling back to letters", e)
        return None
    if found is None:
        return None
    return {Language.RUSSIAN: LANG_RU, Language.KAZAKH: LANG_KK}.get(found, LANG_OTHER)


def evidence(text: str) -> tuple[float, float]:
    """(Kazakh points, Russian points) of step 4 of the rule."""
    kk = ru = 0.0
    for word in _WORD_RE.findall(text):
        if not any(_is_cyrillic(c) for c in word):
            continue
        low = word.lower()
        has_kk = any(c in KAZAKH_LETTERS for c in word)
        if low in RU_FUNCTION_WORDS:
            ru += 1
        if low in KK_FUNCTION_WORDS:
            kk += 2
        elif has_kk:
            kk += 0.5 if _title_case(word) else 2
        elif len(low) > 4 and low.endswith(_KK_SUFFIXES):
            kk += 1
    return kk, ru


def detect_language(text: str) -> str:
    """``ru``, ``kk``, ``other`` or ``unknown`` for one segment's text (rule in the module docstring)."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 3:
        return LANG_UNKNOWN
    cyr = sum(1 for c in letters if _is_cyrillic(c))
    if cyr < 0.5 * len(letters):
        return LANG_OTHER
    if any(c in _EAST_SLAVIC_ONLY for c in letters):
        return _lingua(text) or LANG_OTHER
    kk, ru = evidence(text)
    if kk >= 1 and kk - ru >= 1 and not _names_only(text, kk):
        return LANG_KK
    if ru >= 1 and ru - kk >= 1:
        return LANG_RU
    if not any(c in KAZAKH_LETTERS for c in letters):
        # Kazakh of more than a word or two always shows its letters; lingua only tells Russian
        # from another Cyrillic language, and only on text long enough for it to be reliable.
        if len(letters) >= _LINGUA_MIN_LETTERS and _lingua(text) == LANG_OTHER:
            return LANG_OTHER
        return LANG_RU
    stripped = " ".join(w for w in text.split() if not (_title_case(w) and any(c in KAZAKH_LETTERS for c in w)))
    n_stripped = sum(c.isalpha() for c in stripped)
    if n_stripped < 3:
        return LANG_UNKNOWN  # only names: the neighbours decide
    found = _lingua(stripped)
    if found == LANG_OTHER and n_stripped < _LINGUA_MIN_LETTERS:
        found = None
    return found or LANG_UNKNOWN


def _title_case(word: str) -> bool:
    """``Өтемісқызы``, ``Самрук-Қазына``: a name's shape (all-caps words are not names here)."""
    return word[0].isupper() and not word.isupper()


def _names_only(text: str, kk: float) -> bool:
    """True when all Kazakh points come from capitalised names (which never decide alone)."""
    strong = 0
    for word in _WORD_RE.findall(text):
        low = word.lower()
        if low in KK_FUNCTION_WORDS or (any(c in KAZAKH_LETTERS for c in word) and not _title_case(word)):
            strong += 1
        elif len(low) > 4 and low.endswith(_KK_SUFFIXES):
            strong += 1
    return strong == 0


def label_languages(segments: Sequence[Segment]) -> list[Segment]:
    """Set each segment's ``lang``; ``unknown`` ones inherit from the nearest labelled neighbour."""
    langs = [detect_language(s.text) for s in segments]
    resolved = list(langs)
    last = None
    for i, lang in enumerate(langs):
        if lang in (LANG_RU, LANG_KK):
            last = lang
        elif lang == LANG_UNKNOWN and last is not None:
            resolved[i] = last
    nxt = None
    for i in range(len(langs) - 1, -1, -1):
        if langs[i] in (LANG_RU, LANG_KK):
            nxt = langs[i]
        elif resolved[i] == LANG_UNKNOWN and nxt is not None:
            resolved[i] = nxt
    return [s.with_(lang=lang) for s, lang in zip(segments, resolved)]

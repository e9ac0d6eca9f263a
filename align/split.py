"""Find a document's Russian part and Kazakh part.

Two layouts are recognised from the sequence of segment languages:

* **sequential** (the usual filing: the whole RU text, then the whole KK text,
  then stamps, registration marks, a cover letter...). The RU part is the
  longest run (by characters) of Russian segments, the KK part the longest run
  of Kazakh ones; everything else — stamps, a Russian-only cover letter, a
  Kazakh registration stamp — goes to ``other`` in document order. Those
  segments have no counterpart by construction, so they are not fed to the
  aligner (where they would only become 1-0 pairs).
* **interleaved** (RU paragraph, KK paragraph, ...): when the longest runs hold
  less than half of each language's text, every Russian segment is RU part and
  every Kazakh segment KK part.

Language-neutral segments — ``other``/``unknown`` (``0`` cells, numbers) and
segments that are only a person's name with initials (``Тоқтарқожа А.Т.``
carries Kazakh letters under a Russian signature) — take the language of the
segment before them (of the one after, at the start). A foreign run of at most
``max_blip`` segments inside a run of the other language (a language-id slip)
is absorbed into it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from qostil.records import LANG_KK, LANG_RU, Segment

log = logging.getLogger(__name__)

_NAME_ONLY = re.compile(
    r"^\s*(?:[А-ЯЁӘҒҚҢӨҰҮҺІ]\.\s?){1,2}\s*[А-ЯЁӘҒҚҢӨҰҮҺІ][а-яёәғқңөұүһі-]+\s*$"
    r"|^\s*[А-ЯЁӘҒҚҢӨҰҮҺІ][а-яёәғқңөұүһі-]+\s+(?:[А-ЯЁӘҒҚҢӨҰҮҺІ]\.\s?){1,2}\s*$"
)


@dataclass(frozen=True, slots=True)
class BilingualParts:
    """The RU part, the KK part, and every other segment (stamps, cover letters...) in document order."""

    ru: list[Segment]
    kk: list[Segment]
    other: list[Segment]
    layout: str = "sequential"  # sequential | interleaved


def is_language_neutral(seg: Segment) -> bool:
    """True for segments whose language says nothing about the part they belong to."""
    if seg.lang not in (LANG_RU, LANG_KK):
        return True
    return bool(_NAME_ONLY.match(seg.text))


def effective_languages(segments: Sequence[Segment], *, max_blip: int = 2) -> list[str | None]:
    """Each segment's part language (``ru``/``kk``), neutral ones taking a neighbour's; None if no RU/KK at all."""
    langs: list[str | None] = [None if is_language_neutral(s) else s.lang for s in segments]
    prev: str | None = None
    for i, lang in enumerate(langs):
        if lang is None:
            langs[i] = prev
        else:
            prev = lang
    nxt: str | None = None
    for i in range(len(langs) - 1, -1, -1):
        if langs[i] is None:
            langs[i] = nxt
        else:
            nxt = langs[i]
    runs = _runs(langs)
    for k in range(1, len(runs) - 1):
        lang, a, b = runs[k]
        if b - a <= max_blip and runs[k - 1][0] == runs[k + 1][0] != lang:
            big = min(runs[k - 1][2] - runs[k - 1][1], runs[k + 1][2] - runs[k + 1][1])
            if big > 2 * (b - a):
                for i in range(a, b):
                    langs[i] = runs[k - 1][0]
    return langs


def _runs(langs: Sequence[str | None]) -> list[tuple[str | None, int, int]]:
    runs: list[tuple[str | None, int, int]] = []
    start = 0
    for i in range(1, len(langs) + 1):
        if i == len(langs) or langs[i] != langs[start]:
            runs.append((langs[start], start, i))
            start = i
    return runs if langs else []


def split_parts(segments: Sequence[Segment], *, max_blip: int = 2) -> BilingualParts:
    """Split a document's segments into its RU part, KK part and the rest (see the module docstring)."""
    segs = list(segments)
    langs = effective_languages(segs, max_blip=max_blip)
    runs = _runs(langs)

    def chars(a: int, b: int) -> int:
        return sum(len(s.text) for s in segs[a:b])

    total = {lang: sum(len(s.text) for s, l2 in zip(segs, langs) if l2 == lang) for lang in (LANG_RU, LANG_KK)}
    best: dict[str, tuple[int, int]] = {}
    for lang, a, b in runs:
        if lang in (LANG_RU, LANG_KK) and (lang not in best or chars(a, b) > chars(*best[lang])):
            best[lang] = (a, b)
    sequential = all(
        lang in best and chars(*best[lang]) >= 0.5 * total[lang] for lang in (LANG_RU, LANG_KK) if total[lang]
    )
    if sequential:
        ru_idx = set(range(*best[LANG_RU])) if LANG_RU in best else set()
        kk_idx = set(range(*best[LANG_KK])) if LANG_KK in best else set()
        layout = "sequential"
    else:
        ru_idx = {i for i, lang in enumerate(langs) if lang == LANG_RU}
        kk_idx = {i for i, lang in enumerate(langs) if lang == LANG_KK}
        layout = "interleaved"
    parts = BilingualParts(
        ru=[s for i, s in enumerate(segs) if i in ru_idx],
        kk=[s for i, s in enumerate(segs) if i in kk_idx],
        other=[s for i, s in enumerate(segs) if i not in ru_idx and i not in kk_idx],
        layout=layout,
    )
    log.info("split %d segments (%s): %d RU, %d KK, %d other", len(segs), layout, len(parts.ru), len(parts.kk), len(parts.other))
    return parts

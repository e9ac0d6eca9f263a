"""Entities in one segment's text: person names, organisation-name words, dates and numbers.

Each :class:`Entity` keeps its span in the text it came from and a comparable
``key``: ``"2014-11-27"``, ``"2013-05"`` or ``"2014"`` for dates (the
granularity written), the digits for numbers (``"7"``, ``"1000000"``,
``"5%"``, ``"№09/15"``), the folded word for organisation words, and
``surname|given|patronymic`` name keys for persons (with the parts in
``parts``). Rules are plain regular expressions over the folded lower-case text
(:func:`align.normalize.fold` keeps offsets), so every span points into the
original text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from align.normalize import (
    KK_ONLY_LETTERS,
    MONTH_KK_RE,
    MONTH_RU_RE,
    fold,
    is_known_common_word,
    month_number,
    name_key,
    strip_kazakh_suffixes,
)

log = logging.getLogger(__name__)

ENTITY_KINDS = ("name", "organisation", "date", "number")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,40}>")

_UP = "А-ЯЁӘҒҚҢӨҰҮҺІ"
_LO = "а-яёәғқңөұүһі"
_CAP_RE = re.compile(rf"^[{_UP}][{_LO}]+(?:-[{_UP}{_LO}][{_LO}]+)?$")
_INIT_RE = re.compile(rf"^[{_UP}]\.(?:\s?[{_UP}]\.)?$")
_ORG_WORD_RE = re.compile(rf"[{_UP}A-Z][{_UP}{_LO}A-Za-z]*(?:-[{_UP}{_LO}A-Za-z]+)*")
_SURNAME_END = re.compile(r"(ов|ев|ин|ын|ова|ева|ина|ына|ский|ская|цкий|цкая|ски|енко|юк|ук|ко)$")
_PATR_END = re.compile(r"((ов|ев)(ич|на|н)(а|у|ем|е|ы|ой|ою)?|улы|кызы|уулу)$")
_RU_CASE = ("ого", "ому", "ой", "ым", "ом", "ем", "а", "у", "е", "ы", "ой")


@dataclass(frozen=True, slots=True)
class NamePart:
    """One word of a person's name: its role (surname, given, patronymic, initials) and span."""

    role: str
    text: str
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Entity:
    """A name, organisation word, date or number found in a text, with its span and comparable key."""

    kind: str
    text: str
    span: tuple[int, int]
    key: str
    parts: tuple[NamePart, ...] = ()


def extract_entities(text: str, lang: str) -> list[Entity]:
    """Every entity of ``text`` (``lang`` is ``"ru"`` or ``"kk"``), in text order.

    HTML debris (``<p>``) is blanked out first, keeping every offset."""
    text = _HTML_TAG.sub(lambda m: " " * len(m.group(0)), text)
    dates = extract_dates(text, lang)
    taken = [e.span for e in dates]
    out = dates + extract_numbers(text, taken=taken) + extract_names(text, lang) + extract_organisation_words(text)
    return sorted(out, key=lambda e: (e.span[0], e.kind))


# ---------------------------------------------------------------- names


@dataclass(frozen=True, slots=True)
class _Tok:
    text: str
    span: tuple[int, int]
    cls: str  # cap, init, other
    breaks_after: bool


def _tokens(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in re.finditer(r"\S+", text):
        raw, start = m.group(0), m.start()
        # initials: "А.А." / "А." (keep the dots)
        core = raw.strip(",;:()«»\"'!?")
        lead = raw.find(core) if core else 0
        if core.startswith(("-", "–", "—")):
            core = core.lstrip("-–—")
            lead = raw.find(core)
        core_span = (start + lead, start + lead + len(core))
        trail = raw[lead + len(core):]
        if _INIT_RE.match(core):
            toks.append(_Tok(core, core_span, "init", bool(trail)))
            continue
        word = core.rstrip(".")
        dot = len(word) != len(core)
        if _CAP_RE.match(word):
            toks.append(_Tok(word, (core_span[0], core_span[0] + len(word)), "cap", bool(trail) or dot))
        else:
            toks.append(_Tok(core, core_span, "other", True))
        if raw.startswith(("«", "(", "\"", "[")) and len(toks) >= 2:
            toks[-2] = _Tok(toks[-2].text, toks[-2].span, toks[-2].cls, True)
    # adjacent initials written with a space: "А. А."
    return toks


def _forms(word: str, lang: str) -> list[str]:
    w = fold(word)
    # a Kazakh genitive (-ның/-нің...) folds to a word ending in -ын/-ин: only its stem counts
    forms = [] if lang == "kk" and w.endswith(("нын", "нин", "дын", "дин", "тын", "тин")) else [w]
    if lang == "kk" or any(c in KK_ONLY_LETTERS for c in word):
        # one case suffix of two letters or more: a single-letter strip (accusative -н) would make
        # "Республикасының" look like a surname in -ын
        forms += [f for f in strip_kazakh_suffixes(w, depth=1)[1:] if len(w) - len(f) >= 2]
    if lang != "kk":
        forms += [w[: -len(e)] for e in _RU_CASE if w.endswith(e) and len(w) > len(e) + 3]
    return forms


def _is_patronymic(word: str, lang: str) -> bool:
    return any(_PATR_END.search(f) for f in _forms(word, lang))


def _is_surname(word: str, lang: str) -> bool:
    if lang != "kk" and is_known_common_word(word):
        return False
    return any(_SURNAME_END.search(f) for f in _forms(word, lang) if len(f) >= 4)


def extract_names(text: str, lang: str) -> list[Entity]:
    """Person names: 2–3 capitalised words with a surname-like or patronymic word, or a word with initials."""
    zones = organisation_zones(text)
    toks = [t for t in _tokens(text) if not any(a <= t.span[0] < b for a, b in zones)]
    out: list[Entity] = []
    run: list[_Tok] = []

    def flush() -> None:
        nonlocal run
        if run:
            ent = _person(run, text, lang)
            if ent:
                out.append(ent)
        run = []

    for t in toks:
        if t.cls == "other":
            flush()
            continue
        if t.cls == "cap" and not run and lang != "kk" and is_known_common_word(t.text):
            continue  # a sentence-initial common word, not a name
        run.append(t)
        if t.cls == "cap" and _is_patronymic(t.text, lang):
            flush()
        elif t.breaks_after or sum(x.cls == "cap" for x in run) >= 3:
            flush()
    flush()
    return out


def _person(run: list[_Tok], text: str, lang: str) -> Entity | None:
    caps = [t for t in run if t.cls == "cap"]
    inits = [t for t in run if t.cls == "init"]
    # drop leading common words ("Председатель Бишимбаев ...")
    while caps and lang != "kk" and is_known_common_word(caps[0].text) and not _is_surname(caps[0].text, lang):
        caps = caps[1:]
    if not caps or len(caps) > 3:
        return None
    patr = [t for t in caps if _is_patronymic(t.text, lang)]
    surn = [t for t in caps if t not in patr and _is_surname(t.text, lang)]
    roles: dict[int, str] = {}
    if inits and len(caps) > 1:
        # "Басқарма Төрағасы Б.Б. Кузнецов" / "Кузнецов Б.Б.": the surname is the word next to the initials
        first, last = run.index(inits[0]), run.index(inits[-1])
        after = run[last + 1] if last + 1 < len(run) and run[last + 1].cls == "cap" else None
        before = run[first - 1] if first >= 1 and run[first - 1].cls == "cap" else None
        keep = after or before
        if keep is None:
            return None
        caps = [keep]
        run = [t for t in run if t is keep or t.cls == "init"]
    if inits and len(caps) == 1:
        roles[id(caps[0])] = "surname"
    elif len(caps) < 2:
        return None
    elif patr:
        roles[id(patr[-1])] = "patronymic"
        rest = [t for t in caps if t is not patr[-1]]
        if len(rest) == 2:
            roles[id(rest[0])], roles[id(rest[1])] = "surname", "given"
        elif len(rest) == 1:
            roles[id(rest[0])] = "surname" if _is_surname(rest[0].text, lang) else "given"
        else:
            return None
    elif surn:
        s = surn[0]
        if len(caps) == 3 and caps[0] is s and lang != "kk" and is_known_common_word(caps[2].text):
            caps = caps[:2]  # "Аманжолова Руслана Протокол": a common word ends the name
            run = [t for t in run if t in caps]
            roles[id(caps[0])], roles[id(caps[1])] = "surname", "given"
        elif len(caps) == 3 and caps[0] is s:
            roles[id(caps[0])], roles[id(caps[1])], roles[id(caps[2])] = "surname", "given", "patronymic"
        else:
            for t in caps:
                roles[id(t)] = "surname" if t is s else "given"
    else:
        return None
    parts = [NamePart(roles.get(id(t), "initials" if t.cls == "init" else "given"), t.text, t.span) for t in run if t in caps or t.cls == "init"]
    start = min(p.span[0] for p in parts)
    end = max(p.span[1] for p in parts)
    key = "|".join(f"{p.role}={name_key(p.text, lang) if p.role != 'initials' else fold(p.text)}" for p in parts)
    return Entity("name", text[start:end], (start, end), key, tuple(parts))


# ---------------------------------------------------------------- organisations


def organisation_zones(text: str) -> list[tuple[int, int]]:
    """Spans of quoted names: from « to the next », and from » to a next » in the same clause
    (Kazakh writes «ЕТС» Тоуар Биржасы» with the outer opening quote merged)."""
    zones: list[tuple[int, int]] = []
    for m in re.finditer(r"«[^«»]*»", text):
        zones.append((m.start(), m.end()))
    for m in re.finditer(r"»([^«»;.]{1,40})»", text):
        zones.append((m.start(1), m.end(1)))
    for m in re.finditer(r"«([^«»]{1,60})«", text):
        zones.append((m.start(1), m.end(1)))
    return sorted(zones)


def extract_organisation_words(text: str) -> list[Entity]:
    """Capitalised or upper-case words inside quoted names (each a separate entity)."""
    out: list[Entity] = []
    seen: set[tuple[int, int]] = set()
    for a, b in organisation_zones(text):
        for m in _ORG_WORD_RE.finditer(text, a, b):
            span = (m.start(), m.end())
            if span in seen:
                continue
            seen.add(span)
            out.append(Entity("organisation", m.group(0), span, fold(m.group(0))))
    return out


# ---------------------------------------------------------------- dates

_YEAR = r"((?:19|20)\d\d)"
_DATE_PATTERNS_RU = (
    ("dmy", re.compile(rf"(?<![\d.])(\d{{1,2}})\.(\d{{1,2}})\.{_YEAR}(?!\d)")),
    ("dMy", re.compile(rf"(?<!\d)(\d{{1,2}})\s+({MONTH_RU_RE})\s+{_YEAR}(?!\d)")),
    ("My", re.compile(rf"(?<![\w])({MONTH_RU_RE})\s+{_YEAR}(?!\d)")),
    ("yy", re.compile(rf"(?<![\d.]){_YEAR}\s*[-–]\s*{_YEAR}(?!\d)")),
    ("y", re.compile(rf"(?<![\d.]){_YEAR}\s*(?:г\.|года|году|год|гг\.|г(?![а-я]))")),
)
_DATE_PATTERNS_KK = (
    ("dmy", re.compile(rf"(?<![\d.])(\d{{1,2}})\.(\d{{1,2}})\.{_YEAR}(?!\d)")),
    ("yDM", re.compile(rf"(?<![\d.]){_YEAR}\s+(?:жыл[а-я]*|ж\.)\s+(\d{{1,2}})\s+({MONTH_KK_RE})[а-я]*")),
    ("yM", re.compile(rf"(?<![\d.]){_YEAR}\s+(?:жыл[а-я]*|ж\.)\s+({MONTH_KK_RE})[а-я]*")),
    ("dMy", re.compile(rf"(?<!\d)(\d{{1,2}})\s+({MONTH_KK_RE})[а-я]*\s+{_YEAR}")),
    ("yy", re.compile(rf"(?<![\d.]){_YEAR}\s*[-–]\s*{_YEAR}(?!\d)")),
    ("y", re.compile(rf"(?<![\d.]){_YEAR}\s*(?:жыл[а-я]*|ж\.)")),
)


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in taken)


def extract_dates(text: str, lang: str) -> list[Entity]:
    """Dates at the granularity written: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` keys."""
    low = fold(text)
    patterns = _DATE_PATTERNS_KK if lang == "kk" else _DATE_PATTERNS_RU
    out: list[Entity] = []
    taken: list[tuple[int, int]] = []
    for form, rx in patterns:
        for m in rx.finditer(low):
            span = (m.start(), m.end())
            if _overlaps(span, taken):
                continue
            g = m.groups()
            keys: list[tuple[str, tuple[int, int]]] = []
            if form == "dmy":
                d, mo, y = int(g[0]), int(g[1]), g[2]
                if not (1 <= d <= 31 and 1 <= mo <= 12):
                    continue
                keys.append((f"{y}-{mo:02d}-{d:02d}", span))
            elif form in ("dMy", "yDM"):
                if form == "dMy":
                    d, mon, y = g[0], g[1], g[2]
                else:
                    y, d, mon = g[0], g[1], g[2]
                mo = month_number(mon)
                if mo is None:
                    continue
                keys.append((f"{y}-{mo:02d}-{int(d):02d}", span))
            elif form in ("My", "yM"):
                mon, y = (g[0], g[1]) if form == "My" else (g[1], g[0])
                mo = month_number(mon)
                if mo is None:
                    continue
                keys.append((f"{y}-{mo:02d}", span))
            elif form == "yy":
                keys.append((g[0], (m.start(1), m.end(1))))
                keys.append((g[1], (m.start(2), m.end(2))))
            else:
                keys.append((g[0], span))
            taken.append(span)
            for key, sp in keys:
                out.append(Entity("date", text[sp[0]:sp[1]].strip(), sp, key))
    return sorted(out, key=lambda e: e.span)


# ---------------------------------------------------------------- numbers

# "№" as OCR reads it: "М09/15", "Ме09/15", "N 09/15", "No09/15" (only before digits).
_NUMERO = r"(?:№|(?<![\w№])(?:[МM][еeоo]?(?=\d)|N[oо°sе]?\.?(?=\s?\d)))"
_NUM_RE = re.compile(
    rf"{_NUMERO}\s*(?P<proto>\d+(?:/\d+)*)"
    # a protocol-like number whose "№" was lost: "06/13" (same key as "№06/13")
    r"|(?<![\w.,/])(?P<slash>\d+(?:/\d+)+)(?![\w/])"
    r"|(?<![\w.,/])(?P<num>\d{1,3}(?:\u00a0\d{3})+(?:[.,]\d+)?|\d{1,3}(?: \d{3})+(?![\d.])|\d+(?:[.,]\d+)?)(?P<pct>\s?%)?(?![\w])"
)


def extract_numbers(text: str, *, taken: list[tuple[int, int]] | None = None) -> list[Entity]:
    """Numbers outside dates: amounts (spaces or nbsp), decimals, percentages, ``№09/15``.

    Protocol numbers get one key however the "№" came out: ``№06/13``, ``06/13`` (sign lost)
    and the OCR readings ``М09/15``/``N 09/15`` all give ``№06/13``-style keys."""
    taken = taken or []
    out: list[Entity] = []
    for m in _NUM_RE.finditer(text):
        span = (m.start(), m.end())
        if _overlaps(span, taken):
            continue
        if m.group("proto") or m.group("slash"):
            key = "№" + (m.group("proto") or m.group("slash"))
        else:
            key = re.sub(r"[\s\u00a0]", "", m.group("num")).replace(",", ".")
            if m.group("pct"):
                key += "%"
        out.append(Entity("number", m.group(0), span, key))
    return out

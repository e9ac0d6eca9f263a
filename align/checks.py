"""Name, organisation, date, number and position checks over aligned RU/KK pairs.

Pair checks compare the entities of each aligned group (the concatenated text
of its segments, so a name broken across two KK paragraphs is still one name):

* **name** — persons are matched part by part (surname, given name,
  patronymic, initials). Two persons are the same person when at least one
  part is equal (candidate keys intersect: declension, Kazakh suffixes and
  Kazakh letters are legitimate variation) and every other part is *close*
  (rapidfuzz ratio ≥ ``name_ratio``); each close-but-different part is a
  finding (``Бабецов``/``Бабенов``).
* **organisation** — capitalised words inside quoted names: a Kazakh word that
  is close to a Russian one (or to the expected Kazakh form of a known Russian
  cognate, ``товар``→``тауар``) but not equal is a finding (``Жетысу``/``Жетғысу``).
  Words with no close counterpart are translations and are left alone.
* **date** / **number** — keys (dates at the granularity written) present on
  one side and not on the other; one leftover on each side is reported as one
  "differs" finding, others as "missing". A date written more coarsely on one
  side (``2014`` vs ``27.11.2014``) is not a finding.
* **position** — role words that must survive translation (``заместитель`` ↔
  ``орынбасары``): different counts in a pair are a finding.
* **missing_segment** — a 1-0 or 0-1 pair with letters or digits in it.

Document checks: the same person spelled two ways within one language (two of
three parts equal, the third close) is a finding.

Cause: ``likely_ocr`` when a differing token's OCR confidence is below
``low_conf``, or when the letters that differ form a known OCR confusion pair
(н/ц, и/н, л/п, е/с, қ/к, ш/щ, з/э, б/6, о/0) and no high confidence (≥ 90)
contradicts it; otherwise ``likely_text``. Text input (no OCR words) has no
confidence, so only the confusion pairs decide.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from align.entities import Entity, NamePart, extract_entities
from align.normalize import fold, loose_fold, name_keys, strip_kazakh_suffixes, translit_distance, translit_similarity, unfold_key
from qostil.records import BBox, Discrepancy, Mention, Pair, Segment

log = logging.getLogger(__name__)

OCR_CONFUSIONS: frozenset[frozenset[str]] = frozenset(
    frozenset(p) for p in (("н", "ц"), ("и", "н"), ("л", "п"), ("е", "с"), ("қ", "к"), ("ш", "щ"), ("з", "э"), ("б", "6"), ("о", "0"))
)
# Russian word stems whose Kazakh form is a near-cognate spelled differently (so a
# correct translation is not a finding, and a misspelt one is compared to the right form).
KK_COGNATES: dict[str, str] = {"товар": "тауар", "ипотечн": "ипотекалык", "казахстан": "казакстан", "финанс": "финанс"}
POSITION_TERMS: tuple[tuple[str, str, str], ...] = (("deputy", r"заместител", r"орынбасар"),)
_ROLE_LABEL = {"surname": "Surname", "given": "Given name", "patronymic": "Patronymic", "initials": "Initials"}
_RU_ORG_ENDINGS = ("ская", "ский", "ское", "ской", "ского", "ских", "ную", "ная", "ный", "ное", "ной", "ного", "ных", "ая", "ый", "ое", "ой", "ого", "ых", "ия", "ии", "а", "я", "у", "ы", "е", "и")
_KK_ADJ = ("лык", "лик", "дык", "дик", "тык", "тик")


@dataclass(frozen=True, slots=True)
class CheckConfig:
    name_ratio: float = 80.0
    """rapidfuzz ratio at or above which two different name words are one name misspelt."""
    same_lang_ratio: float = 80.0
    org_ratio: float = 80.0
    low_conf: float = 60.0
    high_conf: float = 90.0
    report_missing_segments: bool = True


@dataclass(frozen=True, slots=True)
class _Located:
    """An entity of a group's text, located in one segment of the part."""

    entity: Entity
    paragraph: int
    offset: int  # start of that segment's text in the group text


@dataclass(slots=True)
class _Group:
    lang: str
    idx: tuple[int, ...]
    text: str
    starts: list[int]
    entities: list[Entity]

    def locate(self, span: tuple[int, int]) -> tuple[int, tuple[int, int]]:
        k = max(n for n, s in enumerate(self.starts) if s <= span[0])
        return self.idx[k], (span[0] - self.starts[k], span[1] - self.starts[k])

    def mention(self, segs: Sequence[Segment], text: str, span: tuple[int, int]) -> Mention:
        """One side of a finding: the paragraph ``span`` of the group's text falls in, with its OCR evidence."""
        paragraph, local = self.locate(span)
        return _mention(segs, self.lang, paragraph, text, local)


def _group(segs: Sequence[Segment], idx: tuple[int, ...], lang: str) -> _Group:
    starts: list[int] = []
    parts: list[str] = []
    pos = 0
    for i in idx:
        starts.append(pos)
        parts.append(segs[i].text)
        pos += len(segs[i].text) + 1
    text = " ".join(parts)
    return _Group(lang, idx, text, starts, extract_entities(text, lang))


# ---------------------------------------------------------------- evidence


def _word_spans(seg: Segment) -> list[tuple[int, int] | None]:
    """Where each OCR word of ``seg`` lies in ``seg.text`` (None for a word the text lost).

    Words are searched in order, so a word repeated in the text maps to its own place; the
    clean stage may have joined or dehyphenated words, so a word not found is skipped."""
    out: list[tuple[int, int] | None] = []
    pos = 0
    text = seg.text
    for w in seg.words:
        t = w.text.strip()
        at = text.find(t, pos) if t else -1
        if at < 0 or at - pos > 40 + len(t):
            core = t.strip(".,;:()«»\"'-–—")
            at = text.find(core, pos) if core else -1
            if at < 0 or at - pos > 40 + len(t):
                out.append(None)
                continue
            t = core
        out.append((at, at + len(t)))
        pos = at + len(t)
    return out


def _word_evidence(seg: Segment, span: tuple[int, int]) -> tuple[int | None, BBox | None, float | None]:
    """Page, box and lowest OCR confidence of the words of ``seg`` under ``span`` (None without words)."""
    if not seg.words:
        return (seg.pages[0] if seg.pages else None), None, None
    chosen = [w for w, sp in zip(seg.words, _word_spans(seg)) if sp is not None and sp[0] < span[1] and span[0] < sp[1]]
    if not chosen:
        return (seg.pages[0] if seg.pages else None), None, seg.ocr_conf
    box = chosen[0].bbox
    for w in chosen[1:]:
        if w.page == chosen[0].page:
            box = box.union(w.bbox)
    return chosen[0].page, box, min(w.conf for w in chosen)


def _mention(segs: Sequence[Segment], lang: str, paragraph: int, text: str, span: tuple[int, int] | None) -> Mention:
    seg = segs[paragraph]
    page, box, conf = _word_evidence(seg, span) if span else ((seg.pages[0] if seg.pages else None), None, seg.ocr_conf)
    return Mention(lang=lang, paragraph=paragraph, text=text, span=span, segment_id=seg.id, page=page, bbox=box, conf=conf)


def _diff_letters(a: str, b: str) -> list[tuple[str, str]]:
    a, b = a.lower(), b.lower()
    out = []
    for op in Levenshtein.editops(a, b):
        if op.tag == "replace":
            out.append((a[op.src_pos], b[op.dest_pos]))
        elif op.tag == "delete":
            out.append((a[op.src_pos], ""))
        else:
            out.append(("", b[op.dest_pos]))
    return out


def _cause(a: str, b: str, confs: Sequence[float | None], cfg: CheckConfig) -> tuple[str, tuple[str, ...]]:
    """``likely_ocr`` or ``likely_text``, and the evidence (differing letters, OCR confidences).

    With OCR words: low confidence (< ``low_conf``) on either side, or a known OCR confusion
    among the differing letters that no high confidence (≥ ``high_conf`` on both sides)
    contradicts, means ``likely_ocr``. Without any OCR (text input) an OCR cause is
    impossible: ``likely_text``, the confusion pair still named in the evidence."""
    diffs = _diff_letters(a, b)
    known = [d for d in diffs if frozenset(d) in OCR_CONFUSIONS]
    ev = ["differing letters: " + ", ".join(f"{x or '∅'}/{y or '∅'}" for x, y in diffs)]
    seen = [c for c in confs if c is not None]
    if seen:
        ev.append("OCR confidence: " + ", ".join(f"{c:.0f}" for c in seen))
    else:
        ev.append("no OCR (text input)")
    if known:
        ev.append("known OCR confusion: " + ", ".join(f"{x}/{y}" for x, y in known))
    if not seen:
        return "likely_text", tuple(ev)
    if min(seen) < cfg.low_conf:
        return "likely_ocr", tuple(ev)
    if known and min(seen) < cfg.high_conf:
        return "likely_ocr", tuple(ev)
    return "likely_text", tuple(ev)


def _disc_id(kind: str, left: Mention, right: Mention | None) -> str:
    raw = "|".join(
        str(x)
        for x in (kind, left.lang, left.paragraph, left.text, left.span, right and right.lang, right and right.paragraph, right and right.text, right and right.span)
    )
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


def _finding(kind: str, severity: str, left: Mention, right: Mention | None, message: str, cause: str, evidence: tuple[str, ...] = ()) -> Discrepancy:
    return Discrepancy(id=_disc_id(kind, left, right), kind=kind, severity=severity, left=left, right=right, message=message, cause=cause, evidence=evidence)


def _where(m: Mention, *, with_lang: bool = True) -> str:
    page = f", page {m.page}" if m.page is not None and m.bbox is not None else ""
    return f"({m.lang.upper()}, paragraph {m.paragraph}{page})" if with_lang else f"(paragraph {m.paragraph}{page})"


# ---------------------------------------------------------------- names


def _part_keys(p: NamePart, lang: str) -> frozenset[str]:
    return name_keys(p.text, lang)


def _kk_raw_keys(p: NamePart, lang: str) -> list[str]:
    return [unfold_key(k, p.text) for k in _part_keys(p, lang) if not k.startswith("patr:")]


def _part_ratio(a: NamePart, la: str, b: NamePart, lb: str) -> float:
    ka = [k for k in _part_keys(a, la) if not k.startswith("patr:")]
    kb = [k for k in _part_keys(b, lb) if not k.startswith("patr:")]
    best = max((fuzz.ratio(x, y) for x in ka for y in kb), default=0.0)
    if la == "ru" and lb == "kk":
        best = max(best, max((translit_similarity(x, y) for x in ka for y in _kk_raw_keys(b, lb)), default=0.0))
    return best


def _same_part(pa: NamePart, la: str, pb: NamePart, lb: str) -> bool:
    """One name word: candidate keys intersect, or (RU ↔ KK) they differ only by spelling conventions."""
    ka, kb = _part_keys(pa, la), _part_keys(pb, lb)
    if ka & kb:
        return True
    if not (la == "ru" and lb == "kk"):
        return False
    return any(translit_distance(x, y) == 0 for x in ka if not x.startswith("patr:") for y in _kk_raw_keys(pb, lb))


def _initials(p: NamePart) -> str:
    return fold(p.text).replace(" ", "").replace(".", "")


def _compare_persons(a: Entity, la: str, b: Entity, lb: str, *, ratio: float) -> tuple[int, list[tuple[NamePart, NamePart, float]]] | None:
    """(number of equal parts, close-but-different parts) when a and b can be one person, else None.

    Equal initials of two letters or more (``А.А.``) count as an equal part, so
    ``Ибадуллаев А.А.`` / ``А.А. Ибадулаев`` is one person with a misspelt surname."""
    equal = 0
    differ: list[tuple[NamePart, NamePart, float]] = []
    roles_a = {p.role: p for p in a.parts}
    roles_b = {p.role: p for p in b.parts}
    for role in ("surname", "given", "patronymic"):
        pa, pb = roles_a.get(role), roles_b.get(role)
        if pa is None or pb is None:
            continue
        if _same_part(pa, la, pb, lb):
            equal += 1
            continue
        r = _part_ratio(pa, la, pb, lb)
        if r < ratio:
            return None
        differ.append((pa, pb, r))
    ia, ib = roles_a.get("initials"), roles_b.get("initials")
    for pi, other in ((ia, roles_b), (ib, roles_a)):
        if pi is not None and "given" in other:
            if _initials(pi)[:1] != fold(other["given"].text)[:1]:
                return None
            if len(_initials(pi)) > 1 and "patronymic" in other and _initials(pi)[1] != fold(other["patronymic"].text)[:1]:
                return None
    if ia is not None and ib is not None:
        if _initials(ia) != _initials(ib):
            return None
        if len(_initials(ia)) >= 2:
            equal += 1
    if equal == 0:
        return None
    return equal, differ


def _name_findings(g_ru: _Group, g_kk: _Group, ru: Sequence[Segment], kk: Sequence[Segment], cfg: CheckConfig) -> list[Discrepancy]:
    out: list[Discrepancy] = []
    ru_p = [e for e in g_ru.entities if e.kind == "name"]
    kk_p = [e for e in g_kk.entities if e.kind == "name"]
    used: set[int] = set()
    for a in ru_p:
        best: tuple[int, float, int, list[tuple[NamePart, NamePart, float]]] | None = None
        for n, b in enumerate(kk_p):
            if n in used:
                continue
            cmp = _compare_persons(a, "ru", b, "kk", ratio=cfg.name_ratio)
            if cmp is None:
                continue
            eq, diff = cmp
            score = (eq, -len(diff), n)
            if best is None or score[:2] > (best[0], best[1]):
                best = (eq, -len(diff), n, diff)
        if best is None:
            continue
        used.add(best[2])
        for pa, pb, r in best[3]:
            out.append(_name_disc(pa, g_ru, ru, "ru", pb, g_kk, kk, "kk", r, cfg))
        b = kk_p[best[2]]
        for x, gx, sx, lx, y, gy, sy, ly in ((a, g_ru, ru, "ru", b, g_kk, kk, "kk"), (b, g_kk, kk, "kk", a, g_ru, ru, "ru")):
            lost = _lost_patronymic(x, lx, y, gy, ly, cfg)
            if lost is not None:
                out.append(_missing_part_disc(lost, x, gx, sx, lx, y, gy, sy, ly))
    return out


def _lost_patronymic(x: Entity, lx: str, y: Entity, gy: _Group, ly: str, cfg: CheckConfig) -> NamePart | None:
    """The patronymic of ``x`` when its match ``y`` (surname and given name, no initials) has none
    and no word of ``y``'s text is that patronymic (an extractor miss is not a finding)."""
    roles_x = {p.role for p in x.parts}
    roles_y = {p.role for p in y.parts}
    if "patronymic" not in roles_x or "patronymic" in roles_y or "initials" in roles_y or not {"surname", "given"} <= roles_y:
        return None
    (patr,) = [p for p in x.parts if p.role == "patronymic"]
    keys = {k for k in name_keys(patr.text, lx) if not k.startswith("patr:")}
    for m in re.finditer(r"[^\W\d_]{3,}", gy.text):
        ky = {k for k in name_keys(m.group(0), ly) if not k.startswith("patr:")}
        if keys & ky or max((fuzz.ratio(p, q) for p in keys for q in ky), default=0.0) >= cfg.name_ratio:
            return None
    return patr


def _missing_part_disc(patr: NamePart, x: Entity, gx: _Group, sx: Sequence[Segment], lx: str, y: Entity, gy: _Group, sy: Sequence[Segment], ly: str) -> Discrepancy:
    left = gx.mention(sx, patr.text, patr.span)
    right = gy.mention(sy, y.text, y.span)
    msg = f"Patronymic «{patr.text}» {_where(left)} is missing from «{y.text}» {_where(right)}."
    return _finding("name", "medium", left, right, msg, "likely_text", (f"{lx.upper()} name «{x.text}», {ly.upper()} name «{y.text}»",))


def _name_disc(pa: NamePart, ga: _Group, sa: Sequence[Segment], la: str, pb: NamePart, gb: _Group, sb: Sequence[Segment], lb: str, r: float, cfg: CheckConfig, *, same_lang: bool = False) -> Discrepancy:
    left = ga.mention(sa, pa.text, pa.span)
    right = gb.mention(sb, pb.text, pb.span)
    cause, ev = _cause(pa.text, pb.text, (left.conf, right.conf), cfg)
    label = _ROLE_LABEL.get(pa.role, "Name")
    if same_lang:
        msg = f"{label} spelled two ways in the {la.upper()} part: «{pa.text}» {_where(left, with_lang=False)} vs «{pb.text}» {_where(right, with_lang=False)}."
    else:
        msg = f"{label} differs: «{pa.text}» {_where(left)} vs «{pb.text}» {_where(right)}."
    severity = "high" if pa.role == "surname" else "medium"
    return _finding("name", severity, left, right, msg, cause, ev + (f"similarity {r:.0f}",))


def _same_language_names(groups: Sequence[_Group], segs: Sequence[Segment], lang: str, cfg: CheckConfig) -> list[Discrepancy]:
    """The same person spelled two ways within one language part (two parts equal, the third close)."""
    persons = [(g, e) for g in groups for e in g.entities if e.kind == "name"]
    out: list[Discrepancy] = []
    seen: set[tuple[str, str, str]] = set()
    for x in range(len(persons)):
        ga, a = persons[x]
        for y in range(x + 1, len(persons)):
            gb, b = persons[y]
            cmp = _compare_persons(a, lang, b, lang, ratio=cfg.same_lang_ratio)
            if cmp is None:
                continue
            eq, diff = cmp
            if not diff or eq < 2 and not (eq == 1 and len(diff) == 1 and min(len(a.parts), len(b.parts)) == 2):
                continue
            for pa, pb, r in diff:
                key = (pa.role, *sorted((fold(pa.text), fold(pb.text))))
                if key in seen or any(k[0] == pa.role and {k[1], k[2]} & {fold(pa.text), fold(pb.text)} and _stem_same(k, pa, pb, lang) for k in seen):
                    continue
                seen.add(key)
                out.append(_name_disc(pa, ga, segs, lang, pb, gb, segs, lang, r, cfg, same_lang=True))
    return out


def _stem_same(k: tuple[str, str, str], pa: NamePart, pb: NamePart, lang: str) -> bool:
    """True when a reported spelling pair already covers pa/pb (the same two names, declined)."""
    ka, kb = name_keys(pa.text, lang), name_keys(pb.text, lang)
    k1, k2 = name_keys(k[1], lang), name_keys(k[2], lang)
    return bool((ka & k1 and kb & k2) or (ka & k2 and kb & k1))


# ---------------------------------------------------------------- organisations


def _org_forms_ru(word: str) -> set[str]:
    w = loose_fold(word)
    out = {w}
    for e in _RU_ORG_ENDINGS:
        if w.endswith(e) and len(w) - len(e) >= 3:
            out.add(w[: -len(e)])
    out |= {KK_COGNATES[f] for f in list(out) if f in KK_COGNATES}
    return out


def _org_forms_kk(word: str) -> set[str]:
    w = loose_fold(word)
    out = set(strip_kazakh_suffixes(w))
    out |= {f[: -len(s)] for f in list(out) for s in _KK_ADJ if f.endswith(s) and len(f) - len(s) >= 3}
    return out


def _org_findings(g_ru: _Group, g_kk: _Group, ru: Sequence[Segment], kk: Sequence[Segment], cfg: CheckConfig) -> list[Discrepancy]:
    ru_w = [e for e in g_ru.entities if e.kind == "organisation"]
    kk_w = [e for e in g_kk.entities if e.kind == "organisation"]
    if not ru_w or not kk_w:
        return []
    ru_forms: list[tuple[Entity, set[str]]] = [(e, _org_forms_ru(e.text)) for e in ru_w]
    # adjacent words written together on the other side: «Улар Умит» / «ҰларҮміт»
    for e1, e2 in zip(ru_w, ru_w[1:]):
        if g_ru.text[e1.span[1]:e2.span[0]].strip() == "":
            joined = Entity("organisation", g_ru.text[e1.span[0]:e2.span[1]], (e1.span[0], e2.span[1]), "")
            ru_forms.append((joined, {loose_fold(e1.text + e2.text)}))
    all_ru = set().union(*(f for _, f in ru_forms))
    out: list[Discrepancy] = []
    reported: set[str] = set()
    for e in kk_w:
        if len(e.text) < 4 or e.text.isupper():
            continue
        forms = _org_forms_kk(e.text) | {loose_fold(e.text).replace(" ", "")}
        if forms & all_ru:
            continue
        best: tuple[float, Entity | None] = (0.0, None)
        for re_, rf in ru_forms:
            for x in forms:
                for y in rf:
                    if len(x) >= 4 and len(y) >= 4 and x[:2] == y[:2]:
                        r = fuzz.ratio(x, y)
                        if r > best[0]:
                            best = (r, re_)
        if best[1] is None or best[0] < cfg.org_ratio or fold(e.text) in reported:
            continue
        reported.add(fold(e.text))
        ra = best[1]
        left = g_ru.mention(ru, ra.text, ra.span)
        right = g_kk.mention(kk, e.text, e.span)
        cause, ev = _cause(ra.text, e.text, (left.conf, right.conf), cfg)
        msg = f"Organisation name differs: «{ra.text}» {_where(left)} vs «{e.text}» {_where(right)}."
        out.append(_finding("organisation", "medium", left, right, msg, cause, ev + (f"similarity {best[0]:.0f}",)))
    return out


# ---------------------------------------------------------------- dates and numbers


def _bare(key: str) -> str:
    """A number key without its "№" (a sign OCR drops or misreads is not a difference)."""
    return key.lstrip("№")


_LONE_CELL_MAX = 3
"""A number alone in a table cell with at most this many characters ("0", "5%") can vanish in OCR."""


def _cell_at(text: str, pos: int) -> tuple[int, str]:
    """Column index and stripped content of the TAB-separated cell of ``text`` holding ``pos``."""
    col = text.count("\t", 0, pos)
    return col, text.split("\t")[col].strip()


def _dropped_cell(e: Entity, g: _Group, other: _Group, segs: Sequence[Segment], o_segs: Sequence[Segment]) -> bool:
    """True when ``e`` is a short number alone in a table cell whose cell on the other side is empty
    and was read by OCR: Tesseract drops lone short cells ("0"), so that is no finding."""
    i, span = g.locate(e.span)
    seg = segs[i]
    if "\t" not in seg.text or len(e.text.strip()) > _LONE_CELL_MAX:
        return False
    col, content = _cell_at(seg.text, span[0])
    if content != e.text.strip():
        return False
    for j in other.idx:
        o = o_segs[j]
        if "\t" in o.text and o.words and o.text.count("\t") == seg.text.count("\t"):
            if o.text.split("\t")[col].strip() == "":
                log.debug("number %r in an OCR-emptied cell (column %d): not a finding", e.text, col)
                return True
    return False


def _coarser(a: str, b: str) -> bool:
    return a != b and (b.startswith(a + "-") or a.startswith(b + "-"))


def _value_findings(kind: str, g_ru: _Group, g_kk: _Group, ru: Sequence[Segment], kk: Sequence[Segment], cfg: CheckConfig) -> list[Discrepancy]:
    ra = [e for e in g_ru.entities if e.kind == kind]
    ka = [e for e in g_kk.entities if e.kind == kind]
    rkeys = {_bare(e.key) for e in ra}
    kkeys = {_bare(e.key) for e in ka}
    left_over_r = [e for e in ra if _bare(e.key) not in kkeys and not (kind == "date" and any(_coarser(e.key, k) for k in kkeys))]
    left_over_k = [e for e in ka if _bare(e.key) not in rkeys and not (kind == "date" and any(_coarser(e.key, k) for k in rkeys))]
    if kind == "number":
        left_over_r = [e for e in left_over_r if not _dropped_cell(e, g_ru, g_kk, ru, kk)]
        left_over_k = [e for e in left_over_k if not _dropped_cell(e, g_kk, g_ru, kk, ru)]
    # one entity per distinct key
    left_over_r = list({e.key: e for e in reversed(left_over_r)}.values())[::-1]
    left_over_k = list({e.key: e for e in reversed(left_over_k)}.values())[::-1]
    out: list[Discrepancy] = []
    label = "Date" if kind == "date" else "Number"
    pairs: list[tuple[Entity, Entity]] = []
    if kind == "date":
        for e in list(left_over_r):
            match = next((f for f in left_over_k if len(f.key) == len(e.key) and sum(x != y for x, y in zip(e.key.split("-"), f.key.split("-"))) == 1), None)
            if match:
                pairs.append((e, match))
                left_over_r.remove(e)
                left_over_k.remove(match)
    elif len(left_over_r) == 1 and len(left_over_k) == 1:
        pairs.append((left_over_r.pop(), left_over_k.pop()))
    for e, f in pairs:
        left = g_ru.mention(ru, e.text, e.span)
        right = g_kk.mention(kk, f.text, f.span)
        cause, ev = _cause(e.key, f.key, (left.conf, right.conf), cfg)
        msg = f"{label} differs: «{e.text}» {_where(left)} vs «{f.text}» {_where(right)}."
        out.append(_finding(kind, "high", left, right, msg, cause, ev + (f"keys {e.key} vs {f.key}",)))
    for side, g, segs, lang, other, ents in (("ru", g_ru, ru, "ru", g_kk, left_over_r), ("kk", g_kk, kk, "kk", g_ru, left_over_k)):
        for e in ents:
            m = g.mention(segs, e.text, e.span)
            o_lang = "kk" if lang == "ru" else "ru"
            msg = f"{label} «{e.text}» {_where(m)} has no counterpart in {o_lang.upper()} paragraph {other.idx[0]}."
            out.append(_finding(kind, "medium", m, None, msg, "likely_text", (f"key {e.key}",)))
    return out


# ---------------------------------------------------------------- positions


def _position_findings(g_ru: _Group, g_kk: _Group, ru: Sequence[Segment], kk: Sequence[Segment], cfg: CheckConfig) -> list[Discrepancy]:
    out: list[Discrepancy] = []
    fr, fk = fold(g_ru.text), fold(g_kk.text)
    for name, rx_ru, rx_kk in POSITION_TERMS:
        mr = list(re.finditer(rx_ru + r"[а-я]*", fr))
        mk = list(re.finditer(fold(rx_kk) + r"[а-я]*", fk))
        if len(mr) == len(mk):
            continue
        if len(mr) > len(mk):
            hit, g, segs, lang, other = mr[len(mk)], g_ru, ru, "ru", g_kk
        else:
            hit, g, segs, lang, other = mk[len(mr)], g_kk, kk, "kk", g_ru
        word = g.text[hit.start():hit.end()]
        m = g.mention(segs, word, (hit.start(), hit.end()))
        o_segs, o_lang = (kk, "kk") if lang == "ru" else (ru, "ru")
        right = _mention(o_segs, o_lang, other.idx[0], "", None)
        many, few = max(len(mr), len(mk)), min(len(mr), len(mk))
        msg = (
            f"Position differs: «{word}» ({name}) appears {many} time(s) {_where(m)}, "
            f"its translation {few} time(s) in {o_lang.upper()} paragraph {other.idx[0]}."
        )
        out.append(_finding("position", "medium", m, right, msg, "likely_text", (f"term {name}: RU {len(mr)}, KK {len(mk)}",)))
    return out


# ---------------------------------------------------------------- entry point


def check_pairs(
    ru: Sequence[Segment],
    kk: Sequence[Segment],
    pairs: Sequence[Pair],
    *,
    cfg: CheckConfig = CheckConfig(),
) -> list[Discrepancy]:
    """Every finding over the aligned pairs and across each language part, in document order."""
    out: list[Discrepancy] = []
    ru_groups: list[_Group] = []
    kk_groups: list[_Group] = []
    for p in pairs:
        if p.ru and p.kk:
            g_ru, g_kk = _group(ru, p.ru, "ru"), _group(kk, p.kk, "kk")
            ru_groups.append(g_ru)
            kk_groups.append(g_kk)
            out += _name_findings(g_ru, g_kk, ru, kk, cfg)
            out += _org_findings(g_ru, g_kk, ru, kk, cfg)
            out += _value_findings("date", g_ru, g_kk, ru, kk, cfg)
            out += _value_findings("number", g_ru, g_kk, ru, kk, cfg)
            out += _position_findings(g_ru, g_kk, ru, kk, cfg)
            continue
        side, segs, idx, lang = (ru, ru, p.ru, "ru") if p.ru else (kk, kk, p.kk, "kk")
        g = _group(segs, idx, lang)
        (ru_groups if lang == "ru" else kk_groups).append(g)
        if cfg.report_missing_segments and re.search(r"[^\W_]", g.text):
            m = _mention(segs, lang, idx[0], segs[idx[0]].text[:120], (0, min(len(segs[idx[0]].text), 120)))
            other = "KK" if lang == "ru" else "RU"
            msg = f"{lang.upper()} paragraph {idx[0]} has no {other} counterpart."
            out.append(_finding("missing_segment", "medium", m, None, msg, "unknown"))
    out += _same_language_names(ru_groups, ru, "ru", cfg)
    out += _same_language_names(kk_groups, kk, "kk", cfg)
    log.info("%d findings over %d pairs", len(out), len(pairs))
    return out

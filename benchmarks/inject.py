"""Error injector for the name/date/number checks: realistic RU–KK pairs, seeded.

Sources of clean pairs (:func:`clean_pairs`):

* the sample filing's hand alignment (``tests/data/gold/sample.align.json``);
* the real act pairs of ``../shared/data/kzlaw-ministerial`` aligned with
  :func:`align.aligner.align_segments` and the project's e5 encoder, cached as
  ``tests/data/checks/kzlaw_pairs.jsonl`` (``--realign`` rebuilds it);
* name-bearing pairs made from templates (:func:`template_pairs`): ~50 real
  Kazakh and Russian names in RU and KK spellings, declined in Russian
  (``назначить Иванова Ивана Петровича``) and suffixed in Kazakh
  (``Иванов Иван Петровичті тағайындау``), with dates and numbers around them.

:func:`make_cases` turns them into :class:`Case` records: an **error** (one
injected change, its kind and span) or a **control** (a legitimate variation
that must not be reported). Sites are found by this module's own regular
expressions, never by ``align.entities``, so recall is not measured on what the
checker already sees. Every case keeps its clean pair, so a benchmark can count
only the findings the change brought.

Errors: surname letter swaps (OCR-like н/ц, и/н, л/п, е/с, others, adjacent
transpositions), dropped letters (Kazakh letters first), dropped patronymics;
changed day, month or year in numeric and worded dates; changed amounts,
percentages and protocol numbers. ``қ``→``к`` is *not* an error here: Russian
spelling of Kazakh names writes к for қ (``Куандык``/``Қуандық``), so it is a
control. Controls: declined and suffixed names (every template pair),
transliterations (Kazakh letters ↔ Russian letters), ``-овна``/``-қызы``
patronymics, dates rewritten in the other form (numeric ↔ words of that
language), amounts written with other spacing.
"""

from __future__ import annotations

import json
import logging
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "gold" / "sample.align.json"
KZLAW = ROOT.parent / "shared" / "data" / "kzlaw-ministerial"  # the shared/ folder beside the checkout
KZLAW_CACHE = ROOT / "tests" / "data" / "checks" / "kzlaw_pairs.jsonl"

KINDS = ("name", "date", "number")


@dataclass(frozen=True, slots=True)
class Case:
    """One RU–KK pair: ``clean`` texts, the ``ru``/``kk`` texts to check, and what was injected."""

    source: str  # sample, kzlaw, template
    kind: str  # name, date, number
    label: str  # "error" or "control"
    how: str  # what was done (surname-ocr-swap, date-day, ...)
    clean_ru: str
    clean_kk: str
    ru: str
    kk: str
    side: str = ""  # side changed: "ru" or "kk" ("" for untouched controls)
    span: tuple[int, int] = (0, 0)  # the changed text on that side
    other_spans: tuple[tuple[int, int], ...] = ()  # its counterpart(s) on the other side
    note: str = ""

    def to_json(self) -> dict:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


# ---------------------------------------------------------------- names

# (RU surname, KK surname, gender)
SURNAMES: tuple[tuple[str, str, str], ...] = (
    ("Жумагулов", "Жұмағұлов", "m"), ("Кусаинов", "Құсайынов", "m"), ("Нурланов", "Нұрланов", "m"),
    ("Ахметов", "Ахметов", "m"), ("Байжанов", "Байжанов", "m"), ("Есенов", "Есенов", "m"),
    ("Каримов", "Кәрімов", "m"), ("Абдрахманов", "Әбдірахманов", "m"), ("Садыков", "Садықов", "m"),
    ("Омаров", "Омаров", "m"), ("Жаксылыков", "Жақсылықов", "m"), ("Мукашев", "Мұқашев", "m"),
    ("Бекмуханов", "Бекмұханов", "m"), ("Дуйсенов", "Дүйсенов", "m"), ("Касымов", "Қасымов", "m"),
    ("Рахимов", "Рахимов", "m"), ("Ибраев", "Ибраев", "m"), ("Калиев", "Қалиев", "m"),
    ("Оспанов", "Оспанов", "m"), ("Турсунов", "Тұрсынов", "m"), ("Шалабаев", "Шалабаев", "m"),
    ("Ермеков", "Ермеков", "m"), ("Утепов", "Өтепов", "m"), ("Аманжолов", "Аманжолов", "m"),
    ("Серикбаев", "Серікбаев", "m"), ("Жакупов", "Жақыпов", "m"), ("Бишимбаев", "Бишимбаев", "m"),
    ("Мадиев", "Мадиев", "m"), ("Алтынбеков", "Алтынбеков", "m"), ("Исаев", "Исаев", "m"),
    ("Иванов", "Иванов", "m"), ("Петров", "Петров", "m"), ("Кузнецов", "Кузнецов", "m"),
    ("Соколов", "Соколов", "m"), ("Лебедев", "Лебедев", "m"), ("Новиков", "Новиков", "m"),
    ("Ахметова", "Ахметова", "f"), ("Нурланова", "Нұрланова", "f"), ("Сейтказиева", "Сейітқазиева", "f"),
    ("Жумабаева", "Жұмабаева", "f"), ("Касымова", "Қасымова", "f"), ("Омарова", "Омарова", "f"),
    ("Тулегенова", "Төлегенова", "f"), ("Иванова", "Иванова", "f"), ("Смирнова", "Смирнова", "f"),
    ("Пазылхаирова", "Пазылхаирова", "f"), ("Искакова", "Ысқақова", "f"), ("Байжанова", "Байжанова", "f"),
)
GIVEN: dict[str, tuple[tuple[str, str], ...]] = {
    "m": (
        ("Айбатыр", "Айбатыр"), ("Ерлан", "Ерлан"), ("Нурлан", "Нұрлан"), ("Кайрат", "Қайрат"), ("Асхат", "Асхат"),
        ("Бауыржан", "Бауыржан"), ("Данияр", "Данияр"), ("Ержан", "Ержан"), ("Марат", "Марат"), ("Серик", "Серік"),
        ("Талгат", "Талғат"), ("Бахыт", "Бақыт"), ("Арман", "Арман"), ("Жанат", "Жанат"), ("Азамат", "Азамат"),
        ("Руслан", "Руслан"), ("Дмитрий", "Дмитрий"), ("Николай", "Николай"), ("Сергей", "Сергей"), ("Андрей", "Андрей"),
    ),
    "f": (
        ("Алина", "Алина"), ("Гульнара", "Гүлнара"), ("Айгуль", "Айгүл"), ("Динара", "Динара"), ("Жанна", "Жанна"),
        ("Сауле", "Сәуле"), ("Мария", "Мария"), ("Елена", "Елена"), ("Ольга", "Ольга"), ("Гульбану", "Гүлбану"),
    ),
}
# father's names (RU, KK) for patronymics: Russian style -ович/-овна (both languages) or Kazakh -улы/-кызы
FATHERS: tuple[tuple[str, str], ...] = (
    ("Нурлан", "Нұрлан"), ("Серик", "Серік"), ("Бахыт", "Бақыт"), ("Марат", "Марат"), ("Ерлан", "Ерлан"),
    ("Кайрат", "Қайрат"), ("Тажибай", "Тәжібай"), ("Жалгасбай", "Жалғасбай"), ("Амантай", "Амантай"),
    ("Болат", "Болат"), ("Петр", "Петр"), ("Сергей", "Сергей"), ("Асхат", "Асхат"), ("Талгат", "Талғат"),
)


@dataclass(frozen=True, slots=True)
class Person:
    sur: tuple[str, str]  # RU, KK
    given: tuple[str, str]
    patr: tuple[str, str] | None
    gender: str
    patr_style: str = "ru"  # "ru" (-ович) or "kk" (-улы/-кызы)


def _patronymic(father: tuple[str, str], gender: str, style: str) -> tuple[str, str]:
    ru, kk = father
    if style == "kk":
        return (ru + ("улы" if gender == "m" else "кызы"), kk + ("ұлы" if gender == "m" else "қызы"))
    def ovich(f: str) -> str:
        if f.endswith("й"):
            return f[:-1] + ("евич" if gender == "m" else "евна")
        if f == "Петр":
            return "Петрович" if gender == "m" else "Петровна"
        return f + ("ович" if gender == "m" else "овна")
    return ovich(ru), ovich(kk)


def random_person(rng: random.Random) -> Person:
    sur_ru, sur_kk, g = rng.choice(SURNAMES)
    given = rng.choice(GIVEN[g])
    style = rng.choice(("ru", "ru", "kk"))
    return Person((sur_ru, sur_kk), given, _patronymic(rng.choice(FATHERS), g, style), g, style)


# Russian declension of name words (enough for these names)
_HUSH = "гкхжшчщ"


def _ru_decl(word: str, role: str, gender: str, case: str) -> str:
    if case == "nom":
        return word
    w = word
    if role == "patr" and w.endswith(("улы", "кызы", "ұлы", "қызы")):
        return w
    if gender == "m":
        if role == "given" and w.endswith("й"):
            return w[:-1] + {"gen": "я", "acc": "я", "dat": "ю", "ins": "ем"}[case]
        if w[-1] in "аяеиоуыэю":
            return w if w[-1] != "а" else w[:-1] + {"gen": "ы", "acc": "у", "dat": "е", "ins": "ой"}[case]
        ins = "ым" if role == "sur" and w.endswith(("ов", "ев", "ин", "ын")) else ("ем" if role == "patr" else "ом")
        return w + {"gen": "а", "acc": "а", "dat": "у", "ins": ins}[case]
    # feminine
    if role == "sur":
        if w.endswith(("ова", "ева", "ина")):
            return w[:-1] + {"gen": "ой", "acc": "у", "dat": "ой", "ins": "ой"}[case]
        return w
    if w.endswith("на") and role == "patr":
        return w[:-1] + {"gen": "ы", "acc": "у", "dat": "е", "ins": "ой"}[case]
    if w.endswith("а"):
        gen = "и" if w[-2] in _HUSH else "ы"
        return w[:-1] + {"gen": gen, "acc": "у", "dat": "е", "ins": "ой"}[case]
    if w.endswith("я"):
        return w[:-1] + {"gen": "и", "acc": "ю", "dat": "и", "ins": "ей"}[case]
    if w.endswith("ь"):
        return w[:-1] + {"gen": "и", "acc": "ь", "dat": "и", "ins": "ью"}[case]
    return w


_KK_BACK = set("аоұыуя")
_KK_FRONT = set("әөүіеиэю")
_VOWELS = _KK_BACK | _KK_FRONT


def _front(word: str) -> bool:
    for c in reversed(word.lower()):
        if c in _KK_FRONT:
            return True
        if c in _KK_BACK:
            return False
    return False


def kk_suffix(word: str, case: str) -> str:
    """A Kazakh case ending for ``word`` (nom, gen, acc, dat, ins) with vowel harmony."""
    if case == "nom":
        return word
    if word.endswith(("ұлы", "қызы")):  # possessive: Жалғасбайұлының, -ұлын, -ұлына, -ұлымен
        return word + {"gen": "ның", "acc": "н", "dat": "на", "ins": "мен"}[case]
    f = _front(word)
    last = word[-1].lower()
    vowel = last in _VOWELS
    sonant = last in "лрйу"
    nasal = last in "мнңзж"
    if case == "gen":
        s = ("ның", "нің") if vowel or last in "мнң" else (("дың", "дің") if sonant or last in "зж" else ("тың", "тің"))
    elif case == "acc":
        s = ("ны", "ні") if vowel else (("ды", "ді") if sonant or nasal else ("ты", "ті"))
    elif case == "dat":
        s = ("ға", "ге") if vowel or sonant or nasal else ("қа", "ке")
    else:  # instrumental
        return word + ("мен" if vowel or sonant else ("бен" if nasal else "пен"))
    return word + s[1 if f else 0]


def render_name(p: Person, lang: str, case: str, *, drop_patr: bool = False, initials: bool = False) -> str:
    """The person's name in ``lang``: Russian declined, Kazakh with the case suffix on the last word."""
    k = 0 if lang == "ru" else 1
    words = [("sur", p.sur[k]), ("given", p.given[k])]
    if p.patr and not drop_patr:
        words.append(("patr", p.patr[k]))
    if initials:
        ini = p.given[k][0] + "." + (p.patr[k][0] + "." if p.patr and not drop_patr else "")
        sur = _ru_decl(p.sur[k], "sur", p.gender, case) if lang == "ru" else kk_suffix(p.sur[k], case)
        return f"{sur} {ini}" if lang == "ru" else f"{ini} {sur}"
    if lang == "ru":
        return " ".join(_ru_decl(w, role, p.gender, case) for role, w in words)
    out = [w for _, w in words]
    out[-1] = kk_suffix(out[-1], case)
    return " ".join(out)


MONTHS_RU_GEN = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря")
MONTHS_RU_NOM = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь")
MONTHS_KK = ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан")
MONTHS_KK_LOC = (
    "қаңтардағы", "ақпандағы", "наурыздағы", "сәуірдегі", "мамырдағы", "маусымдағы",
    "шілдедегі", "тамыздағы", "қыркүйектегі", "қазандағы", "қарашадағы", "желтоқсандағы",
)
MONTHS_KK_ABL = (
    "қаңтардан", "ақпаннан", "наурыздан", "сәуірден", "мамырдан", "маусымнан",
    "шілдеден", "тамыздан", "қыркүйектен", "қазаннан", "қарашадан", "желтоқсаннан",
)


def _date(rng: random.Random) -> tuple[int, int, int]:
    return rng.randint(1, 28), rng.randint(1, 12), rng.randint(1995, 2024)


def date_text(d: int, m: int, y: int, lang: str, form: str, *, abl: bool = False) -> str:
    """A date in ``lang``: numeric, or in words (Kazakh attributive ``-дағы``, or ablative ``-дан``)."""
    if form == "num":
        return f"{d:02d}.{m:02d}.{y}" + (" жылдан" if abl and lang == "kk" else "")
    if lang == "ru":
        return f"{d} {MONTHS_RU_GEN[m - 1]} {y} года"
    return f"{y} жылғы {d} {(MONTHS_KK_ABL if abl else MONTHS_KK_LOC)[m - 1]}"


# (RU template, KK template, RU case, KK case); {n} = name, {d} = date (RU/KK form), {x} = number
TEMPLATES: tuple[tuple[str, str, str, str], ...] = (
    ("Назначить {n} на должность заместителя директора департамента с {d}.", "{n} {da} бастап департамент директорының орынбасары лауазымына тағайындалсын.", "acc", "acc"),
    ("Освободить {n} от занимаемой должности с {d} по собственному желанию.", "{n} {da} бастап өз қалауы бойынша атқаратын лауазымынан босатылсын.", "acc", "acc"),
    ("Досрочно прекратить полномочия члена Совета директоров {n} (Протокол №{x}).", "Директорлар кеңесінің мүшесі {n} өкілеттігі мерзімінен бұрын тоқтатылсын (№{x} хаттама).", "gen", "gen"),
    ("Объявить благодарность {n} за многолетний добросовестный труд.", "Көп жылғы адал еңбегі үшін {n} алғыс жариялансын.", "dat", "dat"),
    ("{n} избран членом Совета директоров решением от {d}.", "{n} {d} шешіммен Директорлар кеңесінің мүшесі болып сайланды.", "nom", "nom"),
    ("Контроль за исполнением настоящего приказа возложить на {n}.", "Осы бұйрықтың орындалуын бақылау {n} жүктелсін.", "acc", "dat"),
    ("Выплатить {n} премию в размере {x} тенге.", "{n} {x} теңге мөлшерінде сыйлықақы төленсін.", "dat", "dat"),
    ("Договор подписан с {n} {d}.", "Шарт {d} {n} қол қойылды.", "ins", "ins"),
    ("{n}, {y} г.р., избран – {d} г.", "{n} {y} ж.т., {d} ж. сайланған.", "nom", "nom"),
    ("Приказом от {d} № {x} назначен {n}.", "{d} № {x} бұйрықпен {n} тағайындалды.", "nom", "nom"),
    ("Председатель Правления {n}", "Басқарма Төрағасы {n}", "nom", "nom"),
)


def template_pairs(n: int, *, seed: int = 7) -> Iterator[tuple[str, str, Person, int, dict]]:
    """``n`` (ru, kk, person, template index, slots) pairs made from the templates and name lists."""
    rng = random.Random(seed)
    for _ in range(n):
        p = random_person(rng)
        t = rng.randrange(len(TEMPLATES))
        d = _date(rng)
        form = "num" if t in (8,) else rng.choice(("num", "words"))
        x = rng.choice((f"{rng.randint(1, 99):02d}/{rng.randint(10, 24)}", str(rng.randint(2, 450)), f"{rng.randint(1, 999)} {rng.randint(0, 999):03d}"))
        if t == 6:
            x = f"{rng.randint(10, 999)} {rng.randint(0, 999):03d}"
        elif t in (2, 9):
            x = rng.choice((f"{rng.randint(1, 99):02d}/{rng.randint(10, 24)}", str(rng.randint(1, 450))))
        slots = {"date": d, "form": form, "x": x, "y": rng.randint(1955, 1995), "initials": t == 10 or rng.random() < 0.1}
        yield (*render_template(p, t, slots), p, t, slots)


def render_template(p: Person, t: int, slots: dict, *, ru_person: Person | None = None, kk_person: Person | None = None,
                    drop_patr: str = "", ru_form: str | None = None, kk_form: str | None = None) -> tuple[str, str]:
    ru_t, kk_t, ru_case, kk_case = TEMPLATES[t]
    d = slots["date"]
    ru_d = date_text(*d, "ru", ru_form or slots["form"])
    kk_d = date_text(*d, "kk", kk_form or slots["form"])
    kk_da = date_text(*d, "kk", kk_form or slots["form"], abl=True)
    ini = slots["initials"]
    rn = render_name(ru_person or p, "ru", ru_case, drop_patr=drop_patr == "ru", initials=ini)
    kn = render_name(kk_person or p, "kk", kk_case, drop_patr=drop_patr == "kk", initials=ini)
    if t == 10 and ini:
        kn = render_name(kk_person or p, "kk", kk_case, initials=True)
    ru = ru_t.format(n=rn, d=ru_d, x=slots["x"], y=slots["y"]).replace("..", ".")
    return ru, kk_t.format(n=kn, d=kk_d, da=kk_da, x=slots["x"], y=slots["y"])


# ---------------------------------------------------------------- letter changes

OCR_SWAPS = {"н": "ц", "ц": "н", "и": "н", "л": "п", "п": "л", "е": "с", "с": "е", "ш": "щ", "щ": "ш", "з": "э", "б": "6"}
_FOLD = str.maketrans("әғқңөұүһіё", "агкноуухие")
_CONS = "бвгджзклмнпрстфхцчшщ"
_VOW = "аеиоуыэюя"
KK_DROP = "әғқңөұүһі"


def _folded(s: str) -> str:
    return s.lower().translate(_FOLD)


def misspell(word: str, rng: random.Random, *, stem_end: int | None = None) -> tuple[str, str]:
    """A realistic misspelling of ``word`` that differs after RU/KK folding: (new word, how)."""
    stem_end = stem_end or len(word)
    for _ in range(50):
        how = rng.choice(("ocr", "ocr", "swap", "transpose", "drop"))
        i = rng.randrange(1, max(2, stem_end - 1))
        c = word[i]
        if how == "ocr":
            cands = [j for j in range(1, stem_end) if word[j] in OCR_SWAPS and not (word[j] == "б")]
            if not cands:
                continue
            i = rng.choice(cands)
            new = word[:i] + OCR_SWAPS[word[i]] + word[i + 1:]
        elif how == "swap":
            pool = _VOW if c.lower() in _VOW else _CONS
            if c.lower() not in _VOW + _CONS:
                continue
            new = word[:i] + rng.choice([x for x in pool if x != c.lower()]) + word[i + 1:]
        elif how == "transpose":
            if i + 1 >= stem_end or word[i] == word[i + 1]:
                continue
            new = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        else:
            kk = [j for j in range(1, stem_end) if word[j] in KK_DROP]
            if kk and rng.random() < 0.7:
                i = rng.choice(kk)
                how = "drop-kazakh-letter"
            new = word[:i] + word[i + 1:]
        if _folded(new) != _folded(word) and len(new) >= 4:
            return new, how
    return word[0] + word[2:], "drop"


# ---------------------------------------------------------------- real pairs


def _md_blocks(md: str) -> list[str]:
    md = re.sub(r"^---\n.*?\n---\n", "", md, flags=re.S)
    out = []
    for block in re.split(r"\n\s*\n", md):
        lines = []
        for ln in block.splitlines():
            ln = re.sub(r"<[^>]+>", " ", ln)
            ln = ln.strip().lstrip("#>").strip().strip("*").strip()
            if ln and not re.fullmatch(r"[|:\- ]+", ln):
                lines.append(ln)
        if lines:
            out.append(" ".join(lines))
    return out


def build_kzlaw_pairs(*, min_score: float = 0.80) -> list[tuple[str, str, str]]:
    """Align every act pair of ``KZLAW`` with the project encoder; 1-1 pairs with a good score."""
    from align.aligner import align_segments
    from models import load_encoder
    from qostil.records import Segment

    enc = load_encoder()
    out = []
    for ru_path in sorted(KZLAW.glob("*.ru.md")):
        kk_path = ru_path.with_name(ru_path.name.replace(".ru.md", ".kk.md"))
        if not kk_path.exists():
            continue
        act = ru_path.name[: -len(".ru.md")]
        segs = {}
        for lang, path in (("ru", ru_path), ("kk", kk_path)):
            segs[lang] = [Segment(id=f"{lang}{i}", doc_id=act, lang=lang, kind="paragraph", text=t)
                          for i, t in enumerate(_md_blocks(path.read_text(encoding="utf-8")))]
        pairs = align_segments(segs["ru"], segs["kk"], encoder=enc)
        n = 0
        for p in pairs:
            if len(p.ru) == 1 and len(p.kk) == 1 and p.score >= min_score:
                out.append((act, segs["ru"][p.ru[0]].text, segs["kk"][p.kk[0]].text))
                n += 1
        log.info("%s: %d pairs kept of %d", act, n, len(pairs))
    return out


def kzlaw_pairs(*, realign: bool = False) -> list[tuple[str, str, str]]:
    if realign or not KZLAW_CACHE.exists():
        rows = build_kzlaw_pairs()
        KZLAW_CACHE.parent.mkdir(parents=True, exist_ok=True)
        KZLAW_CACHE.write_text("".join(json.dumps({"act": a, "ru": r, "kk": k}, ensure_ascii=False) + "\n" for a, r, k in rows), encoding="utf-8")
    return [(d["act"], d["ru"], d["kk"]) for d in map(json.loads, KZLAW_CACHE.read_text(encoding="utf-8").splitlines())]


def sample_pairs() -> list[tuple[str, str]]:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    return [(" ".join(p["ru"]), " ".join(p["kk"])) for p in gold["pairs"] if p["ru"] and p["kk"]]


# ---------------------------------------------------------------- sites in raw text

_MON_RU = "|".join(MONTHS_RU_GEN + MONTHS_RU_NOM + ("марте", "мае", "июне", "июле", "августе", "сентябре", "октябре", "ноябре", "декабре", "январе", "феврале", "апреле"))
_MON_KK = "|".join(MONTHS_KK)
_NUMDATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.((?:19|20)\d\d)(?!\d)")
_RU_WDATE = re.compile(rf"(?<!\d)(\d{{1,2}})\s+({_MON_RU})\s+((?:19|20)\d\d)(?!\d)")
_KK_WDATE = re.compile(rf"(?<!\d)((?:19|20)\d\d)\s+жыл(?:ғы|дың|ы)?\s+(\d{{1,2}})\s+({_MON_KK}|қыркүйег)([а-яәғқңөұүһі]*)", re.I)
_YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d.,])")
_NUMBER = re.compile(r"(?<![\w.,/№])(\d{1,3}(?:[ \u00a0]\d{3})+|\d+(?:[.,]\d+)?)(?![\w/]|[.,]\d)")
_PROTO = re.compile(r"№\s?(\d+(?:/\d+)?)")


def _month_ru(w: str) -> int:
    w = w.lower()
    for i, (g, n) in enumerate(zip(MONTHS_RU_GEN, MONTHS_RU_NOM)):
        if w in (g, n) or w[:4] == n[:4] and w[:3] != "ма" or (i == 4 and w in ("мае", "май", "мая")):
            if i == 4 and w not in ("мае", "май", "мая"):
                continue
            return i + 1
    return 0


def _month_kk(w: str) -> int:
    w = w.lower()
    for i, m in enumerate(MONTHS_KK):
        if w.startswith(m[:5]):
            return i + 1
    return 0


@dataclass(frozen=True, slots=True)
class _Date:
    ymd: tuple[int, int, int]
    span: tuple[int, int]
    form: str  # num, words
    groups: tuple[tuple[int, int], ...]  # spans of day, month, year


def find_dates(text: str, lang: str) -> list[_Date]:
    out = []
    for m in _NUMDATE.finditer(text):
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= d <= 31 and 1 <= mo <= 12:
            out.append(_Date((y, mo, d), m.span(), "num", (m.span(1), m.span(2), m.span(3))))
    if lang == "ru":
        for m in _RU_WDATE.finditer(text):
            mo = _month_ru(m.group(2))
            if mo:
                out.append(_Date((int(m.group(3)), mo, int(m.group(1))), m.span(), "words", (m.span(1), m.span(2), m.span(3))))
    else:
        for m in _KK_WDATE.finditer(text):
            mo = _month_kk(m.group(3))
            if mo:
                out.append(_Date((int(m.group(1)), mo, int(m.group(2))), m.span(), "words", (m.span(2), m.span(3), m.span(1))))
    return out


def _num_key(s: str) -> str:
    return re.sub(r"[\s\u00a0]", "", s).replace(",", ".")


def find_numbers(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Numbers outside dates and years (key, span): amounts, decimals, protocol numbers."""
    taken = [d.span for d in find_dates(text, "ru") + find_dates(text, "kk")]
    taken += [m.span() for m in _YEAR.finditer(text)]
    out = []
    for m in _PROTO.finditer(text):
        out.append(("№" + m.group(1), m.span(1)))
        taken.append(m.span())
    for m in _NUMBER.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        out.append((_num_key(m.group(1)), m.span(1)))
    return out


_SURNAME = re.compile(r"(?<![\w-])([А-ЯӘҒҚҢӨҰҮҺІ][а-яәғқңөұүһі]{3,}(?:ов|ев|ин|ова|ева|ина))([а-яәғқңөұүһі]{0,5})(?![\w-])")


# ---------------------------------------------------------------- cases


def _mutate_date(text: str, site: _Date, lang: str, rng: random.Random) -> tuple[str, tuple[int, int], str]:
    y, mo, d = site.ymd
    part = rng.choice(("day", "month", "year"))
    (ds, ms, ys) = site.groups
    if part == "day":
        nd = rng.choice([x for x in range(1, 29) if x != d])
        rep = f"{nd:02d}" if text[ds[0]:ds[1]].startswith("0") or len(text[ds[0]:ds[1]]) == 2 else str(nd)
        a, b = ds
    elif part == "year":
        ny = y + rng.choice((-3, -2, -1, 1, 2, 3))
        rep, (a, b) = str(ny), ys
    else:
        nm = rng.choice([x for x in range(1, 13) if x != mo])
        a, b = ms
        old = text[a:b]
        if site.form == "num":
            rep = f"{nm:02d}" if len(old) == 2 else str(nm)
        elif lang == "ru":
            rep = MONTHS_RU_GEN[nm - 1] if old.lower() in MONTHS_RU_GEN else MONTHS_RU_NOM[nm - 1]
        else:
            # keep the Kazakh case ending when it is the locative attribute, else take the bare month
            loc = MONTHS_KK_LOC[mo - 1]
            whole = text[a:site.span[1]]
            if whole.lower() == loc:
                rep, b = MONTHS_KK_LOC[nm - 1], site.span[1]
            else:
                rep = MONTHS_KK[nm - 1]
    new = text[:a] + rep + text[b:]
    return new, (a, a + len(rep)), f"date-{part}-{site.form}"


def _mutate_number(text: str, key: str, span: tuple[int, int], rng: random.Random) -> tuple[str, tuple[int, int], str]:
    old = text[span[0]:span[1]]
    digits = [i for i, c in enumerate(old) if c.isdigit()]
    for _ in range(20):
        how = rng.choice(("digit", "digit", "digit", "group"))
        if how == "group" and re.search(r"\d[ \u00a0]\d{3}$", old):
            rep = old[: -4] if rng.random() < 0.5 else old + old[-4] + "000"
        else:
            i = rng.choice(digits)
            nd = rng.choice([c for c in "0123456789" if c != old[i] and not (i == digits[0] and c == "0" and len(digits) > 1)])
            rep = old[:i] + nd + old[i + 1:]
            how = "digit"
        if _num_key(rep) != _num_key(old):
            return text[: span[0]] + rep + text[span[1]:], (span[0], span[0] + len(rep)), f"number-{how}" + ("-protocol" if key.startswith("№") else "")
    raise ValueError(old)


def _date_present(site: _Date, other: list[_Date]) -> list[tuple[int, int]]:
    return [o.span for o in other if o.ymd == site.ymd]


def real_cases(pairs: list[tuple[str, str, str]], rng: random.Random) -> Iterator[Case]:
    """Errors and controls on real pairs: dates and numbers (present on both sides), surnames."""
    for src, ru, kk in pairs:
        sides = {"ru": ru, "kk": kk}
        yield Case(src, "none", "control", "clean-real", ru, kk, ru, kk)
        for lang in ("ru", "kk"):
            olang = "kk" if lang == "ru" else "ru"
            text, other = sides[lang], sides[olang]
            # dates
            for site in find_dates(text, lang):
                cps = _date_present(site, find_dates(other, olang))
                if not cps:
                    continue
                new, span, how = _mutate_date(text, site, lang, rng)
                r, k = (new, kk) if lang == "ru" else (ru, new)
                yield Case(src, "date", "error", how, ru, kk, r, k, lang, span, tuple(cps))
                # control: the same date in the other form, written in this language
                y, mo, d = site.ymd
                form = "words" if site.form == "num" else "num"
                rep = date_text(d, mo, y, lang, form)
                if site.form == "num" and lang == "ru":
                    rep = f"{d} {MONTHS_RU_GEN[mo - 1]} {y}"
                new = text[: site.span[0]] + rep + text[site.span[1]:]
                r, k = (new, kk) if lang == "ru" else (ru, new)
                yield Case(src, "date", "control", f"date-rewritten-{form}", ru, kk, r, k, lang, (site.span[0], site.span[0] + len(rep)), tuple(cps))
            # numbers
            onums = find_numbers(other)
            for key, span in find_numbers(text):
                cps = [s for k2, s in onums if k2 == key]
                if not cps:
                    continue
                new, nspan, how = _mutate_number(text, key, span, rng)
                r, k = (new, kk) if lang == "ru" else (ru, new)
                yield Case(src, "number", "error", how, ru, kk, r, k, lang, nspan, tuple(cps))
                old = text[span[0]:span[1]]
                if re.fullmatch(r"\d{4,}|\d{1,3}(?:[ \u00a0]\d{3})+", old):  # control: other thousands spacing
                    sep = rng.choice((" ", "\u00a0"))
                    rep = re.sub(r"\B(?=(\d{3})+$)", sep, old) if old.isdigit() else re.sub(r"[ \u00a0]", rng.choice(("", "\u00a0" if " " in old else " ")), old)
                    new = text[: span[0]] + rep + text[span[1]:]
                    r, k = (new, kk) if lang == "ru" else (ru, new)
                    yield Case(src, "number", "control", "number-spacing", ru, kk, r, k, lang, (span[0], span[0] + len(rep)), tuple(cps))
            # surnames present on both sides
            for m in _SURNAME.finditer(text):
                stem = _folded(m.group(1))[:5]
                cps = [o.span(1) for o in _SURNAME.finditer(other) if _folded(o.group(1))[:5] == stem]
                if not cps:
                    continue
                word = m.group(1)
                new_word, how = misspell(word, rng, stem_end=len(word) - 2)
                new = text[: m.start(1)] + new_word + text[m.end(1):]
                r, k = (new, kk) if lang == "ru" else (ru, new)
                yield Case(src, "name", "error", f"surname-{how}", ru, kk, r, k, lang, (m.start(1), m.start(1) + len(new_word)), tuple(cps))


def _name_span(text: str, p: Person, lang: str) -> tuple[int, int]:
    k = 0 if lang == "ru" else 1
    stem = p.sur[k][:-2] if p.gender == "f" else p.sur[k][:-1]
    a = text.find(stem)
    if a < 0:
        a = text.find(p.sur[k][:4])
    # to the end of the name words (3 capitalised/initial tokens)
    m = re.compile(r"(?:[А-ЯӘҒҚҢӨҰҮҺІA-Z][\w.]*\s?){1,3}").match(text, a)
    return (a, m.end() if m else a + len(stem))


def template_cases(n: int, rng: random.Random, *, seed: int = 7) -> Iterator[Case]:
    """Name errors and controls (and some date/number errors) on template pairs."""
    for ru, kk, p, t, slots in template_pairs(n, seed=seed):
        src = f"template-{t}"
        # template pairs have no real difference: checked as they are (clean reference = nothing)
        yield Case(src, "name", "control", "declined-and-suffixed", "", "", ru, kk)
        side = rng.choice(("ru", "kk"))
        k = 0 if side == "ru" else 1
        roll = rng.random()
        if roll < 0.55 or not p.patr or slots["initials"]:
            # surname misspelt
            word = p.sur[k]
            new_word, how = misspell(word, rng, stem_end=len(word) - (3 if p.gender == "f" else 2))
            sur = (new_word, p.sur[1]) if side == "ru" else (p.sur[0], new_word)
            q = Person(sur, p.given, p.patr, p.gender, p.patr_style)
            how = f"surname-{how}"
        elif roll < 0.75:
            word = p.given[k]
            new_word, how = misspell(word, rng, stem_end=len(word) - 1)
            g = (new_word, p.given[1]) if side == "ru" else (p.given[0], new_word)
            q = Person(p.sur, g, p.patr, p.gender, p.patr_style)
            how = f"given-{how}"
        elif roll < 0.9:
            word = p.patr[k]
            new_word, how = misspell(word, rng, stem_end=len(word) - 4)
            pt = (new_word, p.patr[1]) if side == "ru" else (p.patr[0], new_word)
            q = Person(p.sur, p.given, pt, p.gender, p.patr_style)
            how = f"patronymic-{how}"
        else:
            q, how = None, "patronymic-dropped"
        if q is None:
            r, kx = render_template(p, t, slots, drop_patr=side)
        else:
            r, kx = render_template(p, t, slots, ru_person=q if side == "ru" else None, kk_person=q if side == "kk" else None)
        new = r if side == "ru" else kx
        yield Case(src, "name", "error", how, "", "", r, kx, side, _name_span(new, q or p, side), (_name_span(kk if side == "ru" else ru, p, "kk" if side == "ru" else "ru"),))
        # controls: transliteration (Kazakh letters folded to Russian ones on the KK side, or kept in RU)
        if any(c in KK_DROP for c in "".join(p.sur[1] + p.given[1])):
            fold_p = Person((p.sur[0], p.sur[1].translate(str.maketrans("әғқңөұүһі", "агкноуухи"))), (p.given[0], p.given[1].translate(str.maketrans("әғқңөұүһі", "агкноуухи"))), p.patr, p.gender, p.patr_style)
            r, kx = render_template(p, t, slots, kk_person=fold_p)
            yield Case(src, "name", "control", "transliteration-kk-as-ru", "", "", r, kx)
            kkp = Person((p.sur[1], p.sur[1]), (p.given[1], p.given[1]), p.patr, p.gender, p.patr_style)
            r, kx = render_template(p, t, slots, ru_person=kkp)
            yield Case(src, "name", "control", "transliteration-ru-with-kazakh-letters", "", "", r, kx)
        if p.patr and p.patr_style == "ru" and p.gender == "f" and not slots["initials"]:
            father = next(f for f in FATHERS if p.patr[0].startswith(f[0][:-1]))
            q = Person(p.sur, p.given, (p.patr[0], father[1] + "қызы"), p.gender, "kk")
            r, kx = render_template(p, t, slots, kk_person=q)
            yield Case(src, "name", "control", "patronymic-ovna-vs-kyzy", "", "", r, kx)
        if "{d}" in TEMPLATES[t][0] and TEMPLATES[t][0].count("{d}") == 1:
            other_form = "words" if slots["form"] == "num" else "num"
            if t != 8:
                r, kx = render_template(p, t, slots, kk_form=other_form)
                yield Case(src, "date", "control", f"date-kk-{other_form}", "", "", r, kx)


def make_cases(*, seed: int = 13, n_templates: int = 400, realign: bool = False, use_kzlaw: bool = True) -> list[Case]:
    """Every case of the benchmark, in a fixed order for a given seed."""
    rng = random.Random(seed)
    real: list[tuple[str, str, str]] = [("sample", r, k) for r, k in sample_pairs()]
    if use_kzlaw:
        real += [(f"kzlaw:{a}", r, k) for a, r, k in kzlaw_pairs(realign=realign)]
    cases = list(real_cases(real, rng))
    cases += list(template_cases(n_templates, rng, seed=seed))
    # template pairs also carry dates and numbers: inject there too
    cases += list(real_cases([(f"template-{t}", r, k) for r, k, _, t, _ in template_pairs(n_templates // 2, seed=seed + 1)], rng))
    return cases


if __name__ == "__main__":  # pragma: no cover
    import argparse
    import sys

    sys.path.insert(0, str(ROOT))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--realign", action="store_true", help="re-align the kzlaw act pairs with the e5 encoder")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--show", type=int, default=10, help="print this many cases")
    a = ap.parse_args()
    logging.basicConfig(level=logging.INFO)
    cs = make_cases(seed=a.seed, realign=a.realign)
    from collections import Counter

    print(Counter((c.kind, c.label) for c in cs))
    for c in random.Random(a.seed).sample(cs, min(a.show, len(cs))):
        print(json.dumps(c.to_json(), ensure_ascii=False))

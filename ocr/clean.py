"""Segments → clean segments: furniture dropped, page-break splits joined, line-end hyphens removed.

1. **Furniture.** Segments of kind ``furniture`` go, and so does any short
   segment (≤ 12 words) that is first or last on its page and whose text, digits
   aside, is first or last on at least two pages (running headers and footers).
2. **Page-break joins.** The last segment of page N and the first of page N+1
   are one when
   * both are table rows and the second row's first cell is empty, or the rows
     have the same number of cells and some cell of the first ends without
     terminal punctuation while the same cell of the second starts with a
     lowercase letter or a digit (the row went on over the page: the cells are
     joined one by one), or
   * the first is a paragraph or list item and the second a paragraph, and the
     first ends with a hyphen, or it ends without terminal punctuation
     (``.!?:;…»"``) and the second starts with a lowercase letter.
   For plain text (no page numbers), a table row whose first cell is empty
   joins the table row before it.
3. **Dehyphenation** of ``word-\\nword`` at line ends (lexicon-free): the hyphen
   is *kept* (and the line break dropped) when the part after it starts with a
   capital letter or a digit (``Самрук-\\nҚазына``), when the part before it
   ends in a digit or is in capitals (``2-\\nтарауы``, ``АҚ-\\nның``), when the
   part before it is a bound prefix that is always written with a hyphen
   (``вице``, ``экс``, ``лейб``, ``обер``, ``унтер``, ``штаб``, ``пресс``, ``бизнес``,
   ``по``), or when the same document spells the pair with a hyphen inside a
   line elsewhere (``вице-министр``) and never without; otherwise it is a
   syllable break and the halves are joined (``органи-\\nзации`` → ``организации``).
   Soft hyphens (U+00AD) are removed; dashes (– —) at a line end stay, with a space.
   Remaining line breaks become spaces (in each table cell too).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence

from qostil.records import Segment

log = logging.getLogger(__name__)

HYPHEN_PREFIXES = frozenset({"вице", "экс", "лейб", "обер", "унтер", "штаб", "пресс", "бизнес", "по", "кое", "северо", "юго"})
_TERMINAL = '.!?:;…»"'
_HYPHEN_BREAK = re.compile(r"(\w+)-[ \t]*\n[ \t]*(\w+)")
_INLINE_HYPHEN = re.compile(r"(\w+)-(\w+)")


def clean_segments(segments: Sequence[Segment]) -> list[Segment]:
    """Drop furniture, join page-break splits, dehyphenate (rules in the module docstring)."""
    kept = _drop_furniture(list(segments))
    joined = _join_breaks(kept)
    hyphenated = _hyphenated_pairs(joined)
    return [_dehyphenate_segment(s, hyphenated) for s in joined]


# --- furniture ---------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _drop_furniture(segments: list[Segment]) -> list[Segment]:
    segments = [s for s in segments if s.kind != "furniture"]
    edge_pages: dict[str, set[int]] = {}
    edge_idx: set[int] = set()
    by_page: dict[int, list[int]] = {}
    for i, s in enumerate(segments):
        if s.pages:
            by_page.setdefault(s.pages[0], []).append(i)
    for page, idxs in by_page.items():
        for i in {idxs[0], idxs[-1]}:
            s = segments[i]
            if s.kind == "table_row" or len(s.text.split()) > 12:
                continue
            edge_pages.setdefault(_norm(s.text), set()).add(page)
            edge_idx.add(i)
    drop = {i for i in edge_idx if len(edge_pages[_norm(segments[i].text)]) >= 2}
    if drop:
        log.info("dropping %d running header/footer segment(s)", len(drop))
    return [s for i, s in enumerate(segments) if i not in drop]


# --- page-break joins --------------------------------------------------------------------


def _first_letter(text: str) -> str:
    for c in text:
        if c.isalpha():
            return c
        if c.isdigit():
            return ""
    return ""


def continues(a: Segment, b: Segment) -> bool:
    """Whether ``b`` is the rest of ``a`` (see the module docstring)."""
    if a.kind == "table_row" and b.kind == "table_row":
        if len(b.cells) < 2:
            return False
        if not b.cells[0].strip():
            return True
        # a row cut by the page break: some cell stops mid-sentence and goes on in lowercase
        return any(
            x.strip() and y.strip() and x.rstrip()[-1] not in _TERMINAL and not _first_letter(y).isupper()
            and not y.lstrip().startswith(("-", "–", "—"))
            for x, y in zip(a.cells, b.cells)
        ) and len(a.cells) == len(b.cells)
    if a.kind in ("paragraph", "list_item") and b.kind == "paragraph":
        tail = a.text.rstrip()
        if tail.endswith("-") and not tail.endswith(" -"):
            return True
        first = _first_letter(b.text)
        return bool(tail) and tail[-1] not in _TERMINAL and first.islower()
    return False


def _join_breaks(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for s in segments:
        if out:
            prev = out[-1]
            across_pages = prev.pages and s.pages and s.pages[0] == prev.pages[-1] + 1
            plain_text = not prev.pages and not s.pages
            if (across_pages and continues(prev, s)) or (
                plain_text
                and prev.kind == "table_row"
                and s.kind == "table_row"
                and "\n" not in prev.text.strip("\n")
                and "\n" not in s.text.strip("\n")
                and continues(prev, s)
            ):
                out[-1] = join(prev, s)
                continue
        out.append(s)
    return out


def join(a: Segment, b: Segment) -> Segment:
    """``a`` and ``b`` as one segment (cells joined one by one for table rows)."""
    if a.kind == "table_row" and b.kind == "table_row":
        n = max(len(a.cells), len(b.cells))
        ca = a.cells + ("",) * (n - len(a.cells))
        cb = b.cells + ("",) * (n - len(b.cells))
        cells = tuple("\n".join(p for p in (x, y) if p.strip()) for x, y in zip(ca, cb))
        text = "\t".join(cells)
    else:
        cells = ()
        text = a.text.rstrip() + "\n" + b.text.lstrip()
    words = a.words + b.words
    confs = [w.conf for w in words]
    conf = round(sum(confs) / len(confs), 2) if confs else (a.ocr_conf if a.ocr_conf is not None else b.ocr_conf)
    return a.with_(
        text=text,
        cells=cells,
        pages=tuple(dict.fromkeys(a.pages + b.pages)),
        bboxes=a.bboxes + b.bboxes,
        words=words,
        ocr_conf=conf,
    )


# --- dehyphenation -----------------------------------------------------------------------


def _hyphenated_pairs(segments: Sequence[Segment]) -> set[tuple[str, str]]:
    """(left, right) pairs written with an in-line hyphen somewhere in the document, lowercased."""
    pairs: Counter[tuple[str, str]] = Counter()
    for s in segments:
        for m in _INLINE_HYPHEN.finditer(s.text):
            pairs[(m.group(1).lower(), m.group(2).lower())] += 1
    return set(pairs)


def keep_hyphen(left: str, right: str, *, known: set[tuple[str, str]] | None = None) -> bool:
    """Whether a line-end hyphen between ``left`` and ``right`` is a real one."""
    if right[:1].isupper() or right[:1].isdigit():
        return True
    if left[-1:].isdigit() or (len(left) >= 2 and left.isupper()):
        return True
    if left.lower() in HYPHEN_PREFIXES:
        return True
    return bool(known) and (left.lower(), right.lower()) in known  # type: ignore[operator]


def dehyphenate(text: str, *, known: set[tuple[str, str]] | None = None) -> str:
    """Remove syllable-break hyphens at line ends, then turn line breaks into spaces."""
    text = text.replace("\u00ad\n", "").replace("\u00ad", "")

    def fix(m: re.Match[str]) -> str:
        left, right = m.group(1), m.group(2)
        return f"{left}-{right}" if keep_hyphen(left, right, known=known) else f"{left}{right}"

    text = _HYPHEN_BREAK.sub(fix, text)
    return re.sub(r"[ \t]*\n[ \t]*", " ", text).strip()


def _dehyphenate_segment(s: Segment, known: set[tuple[str, str]]) -> Segment:
    if s.kind == "table_row" and s.cells:
        cells = tuple(dehyphenate(c, known=known) for c in s.cells)
        return s.with_(cells=cells, text="\t".join(cells))
    if "\n" not in s.text and "\u00ad" not in s.text:
        return s
    return s.with_(text=dehyphenate(s.text, known=known))

"""Pages of lines → segments: headings, paragraphs, list items, table rows and page furniture.

From OCR pages (:func:`segment_pages`):

* **Ruled tables.** When the engine found ruled cells (``Page.cells``, see
  :mod:`ocr.tables`), each word goes to the cell holding its centre; cells
  with the same top form a row, read left to right, each cell top to bottom;
  empty cells stay (as ``""``), so a row continued from the previous page
  shows its empty first cell. Items are then put in top-to-bottom order.
* **Unruled tables.** Tesseract (PSM 3) gives each table cell its own block. Blocks
  that stand side by side (their vertical extents overlap by at least half of
  the shorter one, their horizontal extents do not) are cells of one row; the
  row's cells are read left to right, each cell top to bottom.
* **Paragraphs.** The other lines are cut into paragraphs where Tesseract's
  (block, paragraph) changes, where the gap above a line is more than 0.8 of
  the median line height, where a line starts with a list marker, or where a
  line is indented after a line that ended a sentence.
* **Kinds** (:func:`classify`): ``list_item`` starts with ``1.``, ``1)``,
  ``а)``, ``-``, ``–``, ``•``; a numbered start with at most 8 words and no
  trailing ``:;,`` is a ``heading`` (``13. Члены Совета Директоров эмитента.``);
  a short line (≤ 12 words) that does not end with ``.,;:`` and is centred or
  in capitals is a ``heading``; page numbers (``5``, ``- 5 -``, ``Стр. 5 из 9``,
  ``5 бет``) and lines in the top/bottom 7 % of the page that repeat on other
  pages are ``furniture``; the rest are ``paragraph``.
* **Two columns, RU | KK** (:func:`bilingual_columns`): when every block of
  more than 2 lines lies in the left or the right half (split between 45 and
  55 % of the width), each side has at least 3 lines, and one side reads as
  Russian and the other as Kazakh, the blocks are columns, not table cells:
  the left column is read top to bottom, then the right one.
* **Stamps and signatures** (:mod:`ocr.marks`): the words inside the page's
  stamp boxes (``Page.stamps``, found by their lighter ink) are taken out of
  the flow and become one ``stamp`` segment per stamp, placed by its top; a
  name with initials in the right half of the page (``Ибадуллаев А.А.``) and
  the short title lines just above it are ``signature``.

Line breaks inside a segment are kept as ``\\n`` (cells too) so that
:mod:`ocr.clean` can dehyphenate them; ``Segment.section`` is the text of the
last heading before the segment.

From plain text (:func:`segments_from_text`): paragraphs are separated by blank
lines; a paragraph whose every line holds a TAB is a table (one ``table_row``
segment per line with ``split_rows=True``, else one segment for the block).
"""

from __future__ import annotations

import logging
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from ocr.grouping import linked_groups
from ocr.marks import signature_name_span
from qostil.records import LANG_UNKNOWN, BBox, Line, Page, Segment, Word

log = logging.getLogger(__name__)

_LIST_RE = re.compile(r"^\s*(?:\d{1,3}(?:\.\d{1,3})*[.)]\s|[a-zа-яёәғқңөұүһі]\)\s|[-–—•·▪]\s*(?=\S))", re.IGNORECASE)
_NUMBERED_RE = re.compile(r"^\s*[«\"]?\d{1,3}(?:\.\d{1,3})*\.\s+\S")
_PAGE_NO_RE = re.compile(
    r"^\W*(?:(?:стр\.?|страница|бет|page|p\.)\s*)?\d{1,4}(?:\s*(?:из|/|of)\s*\d{1,4})?\s*(?:бет|стр\.?)?\W*$",
    re.IGNORECASE,
)
_TERMINAL = ".!?:;,…"
_FURNITURE_ZONE = 0.07
_FURNITURE_SIMILARITY = 90


def segment_id(doc_id: str, index: int) -> str:
    return f"{doc_id[:12]}-{index:04d}"


def classify(text: str, *, centred: bool = False) -> str:
    """The kind of a non-table text block (rule in the module docstring)."""
    flat = " ".join(text.split())
    bold = flat.startswith("**") and flat.endswith("**")
    flat = flat.strip("*").strip()
    if not flat:
        return "paragraph"
    if _PAGE_NO_RE.match(flat):
        return "furniture"
    words = flat.split()
    if _NUMBERED_RE.match(flat):
        if len(words) <= 8 and flat[-1] not in ":;,":
            return "heading"
        return "list_item"
    if _LIST_RE.match(flat):
        return "list_item"
    letters = [c for c in flat if c.isalpha()]
    short = len(words) <= 12 and flat[-1] not in _TERMINAL
    caps = len(letters) >= 4 and all(c.isupper() for c in letters)
    if bold or (short and (centred or caps)):
        return "heading"
    return "paragraph"


# --- plain text --------------------------------------------------------------------------


def segments_from_text(text: str, *, doc_id: str, split_rows: bool = False) -> list[Segment]:
    """Plain text → segments: one per blank-line-separated paragraph (0-based order kept)."""
    chunks = [c.strip("\n") for c in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n"))]
    segments: list[Segment] = []
    section: str | None = None
    for chunk in chunks:
        if not chunk.strip():
            continue
        lines = [ln for ln in chunk.split("\n") if ln.strip()]
        if all("\t" in ln for ln in lines):
            rows = [lines] if not split_rows else [[ln] for ln in lines]
            for row in rows:
                cells = tuple(c.strip() for ln in row for c in ln.split("\t"))
                body = "\n".join(ln.rstrip() for ln in row)
                segments.append(_text_segment(doc_id, len(segments), "table_row", body, section, cells))
            continue
        body = "\n".join(ln.strip() for ln in lines)
        kind = classify(body)
        clean = body.strip().removeprefix("**").removesuffix("**").strip() if kind == "heading" else body
        segments.append(_text_segment(doc_id, len(segments), kind, clean, section, ()))
        if kind == "heading":
            section = " ".join(clean.split())[:120]
    return segments


def _text_segment(doc_id: str, index: int, kind: str, text: str, section: str | None, cells: tuple[str, ...]) -> Segment:
    return Segment(
        id=segment_id(doc_id, index), doc_id=doc_id, lang=LANG_UNKNOWN, kind=kind, text=text, section=section, cells=cells
    )


# --- OCR pages ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Block:
    lines: list[Line]
    bbox: BBox

    @classmethod
    def of(cls, lines: list[Line]) -> _Block:
        box = lines[0].bbox
        for ln in lines[1:]:
            box = box.union(ln.bbox)
        return cls(lines=lines, bbox=box)


@dataclass(slots=True)
class _Item:
    """A paragraph-like unit or a table row, before it becomes a Segment."""

    kind: str
    page: int
    lines: list[Line]
    cells: list[list[Line]] | None = None
    top: int = 0


def segment_pages(pages: Sequence[Page], *, doc_id: str) -> list[Segment]:
    """OCR pages → segments in reading order (rules in the module docstring)."""
    items: list[_Item] = []
    for page in pages:
        items.extend(_page_items(page))
    _mark_repeated_furniture(items, pages)
    segments: list[Segment] = []
    section: str | None = None
    for item in items:
        seg = _to_segment(item, doc_id=doc_id, index=len(segments), section=section)
        segments.append(seg)
        if seg.kind == "heading":
            section = " ".join(seg.text.split())[:120]
    return segments


def _page_items(page: Page) -> list[_Item]:
    if not page.lines:
        return []
    stamps: list[_Item] = []
    if page.stamps:
        page, stamps = _take_stamps(page)
    if not page.lines:
        items: list[_Item] = []
    elif page.cells:
        items = _ruled_page_items(page)
    else:
        items = _free_page_items(page, page.lines)
    _mark_signatures(items, page)
    for stamp in stamps:  # in reading order by its top
        at = next((i for i, it in enumerate(items) if it.top > stamp.top), len(items))
        items.insert(at, stamp)
    return items


def _take_stamps(page: Page) -> tuple[Page, list[_Item]]:
    """The page without the words inside its stamp boxes, and one ``stamp`` item per stamp."""
    kept: list[Line] = []
    in_stamp: dict[int, list[Word]] = {}
    for line in page.lines:
        rest = []
        for w in line.words:
            cx, cy = (w.bbox.x0 + w.bbox.x1) / 2, (w.bbox.y0 + w.bbox.y1) / 2
            hit = next((i for i, b in enumerate(page.stamps) if b.x0 <= cx <= b.x1 and b.y0 <= cy <= b.y1), None)
            if hit is None:
                rest.append(w)
            else:
                in_stamp.setdefault(hit, []).append(w)
        if len(rest) == len(line.words):
            kept.append(line)
        elif rest:
            kept.append(Line(words=tuple(rest), bbox=_union([w.bbox for w in rest]), block=line.block, par=line.par))
    items = []
    for i in sorted(in_stamp):
        lines = _words_to_lines(in_stamp[i])
        items.append(_Item("stamp", page.number, lines, top=min(ln.bbox.y0 for ln in lines)))
    return replace(page, lines=tuple(kept)), items


_SIGNATURE_TITLE_MAX_WORDS = 10


def _mark_signatures(items: list[_Item], page: Page) -> None:
    """The short title lines just above a signature's name → ``signature`` too (rule in :mod:`ocr.marks`)."""
    width = page.image_size[0]
    heights = [ln.bbox.height for it in items for ln in it.lines if ln.bbox.height > 0]
    line_h = statistics.median(heights) if heights else 30
    for i, item in enumerate(items):
        if item.kind != "signature" or not _signature_line(item.lines[-1], width):
            continue
        below = _union([ln.bbox for ln in item.lines])
        for j in range(i - 1, max(-1, i - 4), -1):
            prev = items[j]
            if prev.kind not in ("paragraph", "heading") or prev.page != item.page:
                break
            text = " ".join(ln.text for ln in prev.lines).strip().rstrip("»\"')”")
            box = _union([ln.bbox for ln in prev.lines])
            if (len(text.split()) > _SIGNATURE_TITLE_MAX_WORDS or text[-1:] in ".;:" or "," in text
                    or box.x0 > 0.45 * width or below.y0 - box.y1 > 2.5 * line_h):
                break
            prev.kind = "signature"
            below = box

def _ruled_page_items(page: Page) -> list[_Item]:
    """Words inside ruled cells become table rows (cells left to right); the rest flows as usual."""
    cells = list(page.cells)
    in_cell: dict[int, list[Word]] = {i: [] for i in range(len(cells))}
    free_lines: list[Line] = []
    for line in page.lines:
        rest = []
        for w in line.words:
            cx, cy = (w.bbox.x0 + w.bbox.x1) / 2, (w.bbox.y0 + w.bbox.y1) / 2
            hit = next((i for i, c in enumerate(cells) if c.x0 <= cx <= c.x1 and c.y0 <= cy <= c.y1), None)
            if hit is None:
                rest.append(w)
            else:
                in_cell[hit].append(w)
        if rest:
            free_lines.append(Line(words=tuple(rest), bbox=_union([w.bbox for w in rest]), block=line.block, par=line.par))
    items = _free_page_items(page, tuple(free_lines)) if free_lines else []
    for row in _cell_rows(cells):
        cell_lines = [_words_to_lines(in_cell[i]) for i in row]
        all_lines = [ln for c in cell_lines for ln in c]
        if not all_lines:
            continue
        items.append(_Item("table_row", page.number, all_lines, cell_lines, top=min(cells[i].y0 for i in row)))
    items.sort(key=lambda it: it.top)
    return items


def reading_order(page: Page) -> Page:
    """A page with ruled cells, its lines re-ordered top to bottom with each table row read
    cell by cell, left to right (what ``qostil ocr`` prints); other pages are returned as they are."""
    if not page.cells or not page.lines:
        return page
    lines: list[Line] = []
    block = 0
    for item in _ruled_page_items(page):
        block += 1
        if item.cells is None:
            lines.extend(item.lines)
            continue
        for cell in item.cells:
            lines.extend(Line(words=ln.words, bbox=ln.bbox, block=block, par=0) for ln in cell)
            block += 1
    return replace(page, lines=tuple(lines))


def _cell_rows(cells: list[BBox]) -> list[list[int]]:
    """Cell indices grouped into rows (same top within a few pixels), each row left to right."""
    rows: list[list[int]] = []
    for i in sorted(range(len(cells)), key=lambda i: (cells[i].y0, cells[i].x0)):
        if rows and abs(cells[rows[-1][0]].y0 - cells[i].y0) <= 8:
            rows[-1].append(i)
        else:
            rows.append([i])
    return [sorted(r, key=lambda i: cells[i].x0) for r in rows]


def _words_to_lines(words: list[Word]) -> list[Line]:
    """Words of one cell → lines top to bottom, words left to right."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.bbox.y0 + w.bbox.y1) / 2):
        cy = (w.bbox.y0 + w.bbox.y1) / 2
        if lines:
            last = lines[-1]
            ly = sum((x.bbox.y0 + x.bbox.y1) / 2 for x in last) / len(last)
            if abs(cy - ly) <= 0.5 * max(x.bbox.height for x in last):
                last.append(w)
                continue
        lines.append([w])
    out = []
    for ws in lines:
        ws.sort(key=lambda w: w.bbox.x0)
        out.append(Line(words=tuple(ws), bbox=_union([w.bbox for w in ws])))
    return out


def _free_page_items(page: Page, page_lines: Sequence[Line]) -> list[_Item]:
    width, height = page.image_size
    blocks: list[_Block] = []
    key = None
    for line in page_lines:
        k = line.block
        if blocks and k == key:
            blocks[-1].lines.append(line)
            blocks[-1].bbox = blocks[-1].bbox.union(line.bbox)
        else:
            blocks.append(_Block.of([line]))
        key = k
    # on a page with a ruled table, side-by-side blocks outside it are justified text, not a table;
    # a signature's title and name side by side are not a table row either; nor are RU | KK columns
    columns = None if page.cells else bilingual_columns(blocks, width=width)
    if columns is not None:
        blocks = columns
    signed = {id(b) for b in blocks if any(_signature_line(ln, width) for ln in b.lines)}
    rows = [] if page.cells or columns else _table_rows([b for b in blocks if id(b) not in signed])
    in_table = {id(b) for row in rows for b in row}
    heights = [ln.bbox.height for ln in page_lines if ln.bbox.height > 0]
    line_h = statistics.median(heights) if heights else 30
    body_left = min((ln.bbox.x0 for ln in page_lines), default=0)
    items: list[_Item] = []
    emitted_rows: set[int] = set()
    row_of = {id(b): i for i, row in enumerate(rows) for b in row}
    for block in blocks:
        if id(block) in in_table:
            r = row_of[id(block)]
            if r in emitted_rows:
                continue
            emitted_rows.add(r)
            cells = [b.lines for b in sorted(rows[r], key=lambda b: b.bbox.x0)]
            all_lines = [ln for c in cells for ln in c]
            items.append(_Item("table_row", page.number, all_lines, cells, top=min(ln.bbox.y0 for ln in all_lines)))
            continue
        for para in _paragraphs(block.lines, line_h=line_h, body_left=body_left, width=width):
            text = "\n".join(ln.text for ln in para)
            box = _union([ln.bbox for ln in para])
            left_gap, right_gap = box.x0, width - box.x1
            centred = box.x0 > body_left + 2 * line_h and abs(left_gap - right_gap) < 0.1 * width
            kind = classify(text, centred=centred)
            in_margin = box.y1 < _FURNITURE_ZONE * height or box.y0 > (1 - _FURNITURE_ZONE) * height
            if kind != "furniture" and in_margin and _PAGE_NO_RE.match(" ".join(text.split())):
                kind = "furniture"
            if _signature_line(para[-1], width):
                kind = "signature"
            items.append(_Item(kind, page.number, para, top=box.y0))
    return items


COLUMN_SPLIT = (0.45, 0.55)
_COLUMN_MIN_LINES = 3


def bilingual_columns(blocks: list[_Block], *, width: int) -> list[_Block] | None:
    """The blocks in column order (spanning blocks above the columns, the left column, the right
    column, spanning blocks below) when the page is set in two columns of different languages
    (RU | KK); None otherwise."""
    lo, hi = COLUMN_SPLIT[0] * width, COLUMN_SPLIT[1] * width
    left = [b for b in blocks if b.bbox.x1 <= hi and (b.bbox.x0 + b.bbox.x1) / 2 < width / 2]
    right = [b for b in blocks if b.bbox.x0 >= lo and (b.bbox.x0 + b.bbox.x1) / 2 >= width / 2]
    spanning = [b for b in blocks if b not in left and b not in right]
    if sum(len(b.lines) for b in left) < _COLUMN_MIN_LINES or sum(len(b.lines) for b in right) < _COLUMN_MIN_LINES:
        return None
    if any(len(b.lines) > 2 for b in spanning):
        return None
    from ocr.langid import detect_language

    def lang(group: list[_Block]) -> str:
        return detect_language(" ".join(ln.text for b in group for ln in b.lines))

    if {lang(left), lang(right)} != {"ru", "kk"}:
        return None
    top = min(b.bbox.y0 for b in left + right)
    by_y = lambda b: b.bbox.y0  # noqa: E731
    above = sorted((b for b in spanning if b.bbox.y0 < top), key=by_y)
    below = sorted((b for b in spanning if b.bbox.y0 >= top), key=by_y)
    log.info("two columns of different languages (%d | %d blocks)", len(left), len(right))
    return above + sorted(left, key=by_y) + sorted(right, key=by_y) + below


def _table_rows(blocks: list[_Block]) -> list[list[_Block]]:
    """Groups of side-by-side blocks (table rows): blocks that share most of their height and not their columns."""
    rows = [g for g in linked_groups(blocks, lambda a, b: _side_by_side(a.bbox, b.bbox)) if len(g) >= 2]
    rows.sort(key=lambda g: min(b.bbox.y0 for b in g))
    return rows


def _side_by_side(a: BBox, b: BBox) -> bool:
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    shorter = max(1, min(a.height, b.height))
    disjoint_x = a.x1 <= b.x0 or b.x1 <= a.x0
    return disjoint_x and overlap >= 0.5 * shorter


def _signature_line(line: Line, width: int) -> bool:
    return signature_name_span(line.words, width=width) is not None


def _paragraphs(lines: list[Line], *, line_h: float, body_left: int, width: int) -> list[list[Line]]:
    paras: list[list[Line]] = []
    for line in lines:
        if not paras:
            paras.append([line])
            continue
        prev = paras[-1][-1]
        gap = line.bbox.y0 - prev.bbox.y1
        prev_text = prev.text.rstrip()
        new = (
            (line.block, line.par) != (prev.block, prev.par)
            or gap > 0.8 * line_h
            or bool(_LIST_RE.match(line.text))
            or (line.bbox.x0 > prev.bbox.x0 + 1.5 * line_h and prev_text[-1:] in ".!?:;")
            or _signature_line(line, width)
            or _signature_line(prev, width)
        )
        if new:
            paras.append([line])
        else:
            paras[-1].append(line)
    return paras


def _norm_furniture(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _mark_repeated_furniture(items: list[_Item], pages: Sequence[Page]) -> None:
    """Short items in the top/bottom margin zone whose text (digits aside) repeats on other pages."""
    if len(pages) < 2:
        return
    heights = {p.number: p.image_size[1] for p in pages}
    seen: dict[str, set[int]] = {}
    candidates: list[tuple[_Item, str]] = []
    for item in items:
        if item.kind == "table_row" or len(item.lines) > 2:
            continue
        h = heights.get(item.page, 0)
        box = _union([ln.bbox for ln in item.lines])
        if not h or not (box.y1 < _FURNITURE_ZONE * h or box.y0 > (1 - _FURNITURE_ZONE) * h):
            continue
        key = _norm_furniture(" ".join(ln.text for ln in item.lines))
        if len(key.split()) > 12:
            continue
        seen.setdefault(key, set()).add(item.page)
        candidates.append((item, key))
    for item, key in candidates:
        # OCR misreads a letter now and then (АҚ / АК): a near-identical key on another page counts too
        pages_with = set(seen[key]).union(
            *(p for other, p in seen.items() if other != key and fuzz.ratio(key, other) >= _FURNITURE_SIMILARITY)
        )
        if len(pages_with) >= 2:
            item.kind = "furniture"


def _union(boxes: Sequence[BBox]) -> BBox:
    box = boxes[0]
    for b in boxes[1:]:
        box = box.union(b)
    return box


def _mean_conf(words: Sequence[Word]) -> float | None:
    return round(sum(w.conf for w in words) / len(words), 2) if words else None


def _to_segment(item: _Item, *, doc_id: str, index: int, section: str | None) -> Segment:
    words = tuple(w for ln in item.lines for w in ln.words)
    box = _union([ln.bbox for ln in item.lines])
    cells: tuple[str, ...] = ()
    if item.cells is not None:
        cells = tuple("\n".join(ln.text for ln in cell) for cell in item.cells)
        text = "\t".join(cells)
    else:
        text = "\n".join(ln.text for ln in item.lines)
    return Segment(
        id=segment_id(doc_id, index),
        doc_id=doc_id,
        lang=LANG_UNKNOWN,
        kind=item.kind,
        text=text,
        section=section,
        pages=(item.page,),
        bboxes=((item.page, box),),
        ocr_conf=_mean_conf(words),
        words=words,
        cells=cells,
    )

"""Lay blocks out on A4 pages and draw them, keeping the exact ground truth of every line.

Pages are A4 (210 x 297 mm) at ``dpi`` (300: 2480 x 3508 px; 200: 1654 x 2339 px),
grayscale, black text on white. Sizes are given in points and millimetres and
converted with the dpi, so a page at 200 DPI is the same page, smaller.

Ground truth, per page, in reading order:
- every drawn text line is one :class:`GtLine` whose ``text`` is the words as
  drawn, separated by single spaces (justification only widens the gaps);
- a table row (or the part of it on this page) is ONE line: the text of each
  non-empty cell (its wrapped lines joined by spaces), cells left to right,
  joined by a TAB; ``cells`` keeps each cell's column, text and box;
- the running header (first) and the page number (last) are lines of kind
  ``furniture``.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from qostil.records import BBox
from render.blocks import (
    BLOCK_KINDS,
    Block,
    Heading,
    ListItem,
    PageBreak,
    Paragraph,
    Signature,
    Spacer,
    Stamp,
    Table,
)
from render.fonts import Face, font_files

log = logging.getLogger(__name__)

A4_MM = (210.0, 297.0)
STAMP_GRAY = 100  # the luma of a blue stamp ink (about RGB 70, 90, 200)
SCRIBBLE_GRAY = 40


@dataclass(frozen=True, slots=True)
class Style:
    """Page geometry and type sizes (points, millimetres, line heights)."""

    body_pt: float = 11.0
    heading_pt: float = 12.0
    table_pt: float = 9.0
    furniture_pt: float = 9.0
    stamp_pt: float = 8.0
    line_spacing: float = 1.2
    para_space: float = 0.5  # lines of space after a paragraph
    margins_mm: tuple[float, float, float, float] = (25.0, 20.0, 15.0, 20.0)  # left, top, right, bottom
    header: str = ""
    header_on_first_page: bool = False
    page_numbers: bool = True
    page_number_format: str = "{n}"
    cell_pad_mm: tuple[float, float] = (2.0, 1.2)  # horizontal, vertical
    rule_mm: float = 0.25
    list_indent_mm: float = 8.0


@dataclass(frozen=True, slots=True)
class GtWord:
    """A drawn word and its ink box."""

    text: str
    bbox: BBox


@dataclass(frozen=True, slots=True)
class GtCell:
    """A table cell (or the part of it on this page): column, text as drawn, box of the cell."""

    col: int
    text: str
    bbox: BBox


@dataclass(frozen=True, slots=True)
class GtLine:
    """One line of ground truth (a table row counts as one line, see the module docstring).

    ``block`` indexes the document's block list (-1 for furniture). ``row`` is
    the table row index; ``split`` says whether this part of a row or block
    continues from the previous page (``"end"``), onto the next (``"start"``),
    both (``"middle"``) or neither (``""``).
    """

    text: str
    kind: str
    bbox: BBox
    block: int
    words: tuple[GtWord, ...] = ()
    cells: tuple[GtCell, ...] = ()
    row: int | None = None
    split: str = ""

    @property
    def furniture(self) -> bool:
        return self.kind == "furniture"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "kind": self.kind,
            "furniture": self.furniture,
            "block": self.block,
            "bbox": _box_list(self.bbox),
        }
        if self.row is not None:
            out["row"] = self.row
        if self.split:
            out["split"] = self.split
        if self.cells:
            out["cells"] = [{"col": c.col, "text": c.text, "bbox": _box_list(c.bbox)} for c in self.cells]
        out["words"] = [[w.text, *_box_list(w.bbox)] for w in self.words]
        return out


@dataclass(frozen=True, slots=True)
class GtBlock:
    """The part of one block on one page: its kind and box, and whether it runs over a page break."""

    index: int
    kind: str
    bbox: BBox
    continued: bool = False  # began on an earlier page
    continues: bool = False  # goes on to the next page

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "bbox": _box_list(self.bbox),
            "continued": self.continued,
            "continues": self.continues,
        }


@dataclass(frozen=True, slots=True, eq=False)
class RenderedPage:
    """A rendered page: the grayscale image (uint8, H x W) and its ground truth."""

    number: int
    image: np.ndarray
    dpi: int
    lines: tuple[GtLine, ...]
    blocks: tuple[GtBlock, ...]
    font: str = "DejaVuSans"
    degrade: str = "clean"
    seed: int = 0
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.image.shape[1]), int(self.image.shape[0])

    def text(self, *, furniture: bool = True) -> str:
        """The ground truth, one line per line (what ``page-NNN.gt.txt`` holds)."""
        return "\n".join(line.text for line in self.lines if furniture or not line.furniture)

    def gt_json(self) -> dict[str, Any]:
        """Everything about the page but the pixels (what ``page-NNN.gt.json`` holds)."""
        return {
            "page": self.number,
            "dpi": self.dpi,
            "size": list(self.size),
            "font": self.font,
            "degrade": self.degrade,
            "seed": self.seed,
            "degrade_params": self.params,
            "table_cell_separator": "\t",
            "lines": [line.to_json() for line in self.lines],
            "blocks": [block.to_json() for block in self.blocks],
        }


def _box_list(b: BBox) -> list[int]:
    return [b.x0, b.y0, b.x1, b.y1]


def _union(boxes: list[BBox]) -> BBox:
    return BBox(min(b.x0 for b in boxes), min(b.y0 for b in boxes), max(b.x1 for b in boxes), max(b.y1 for b in boxes))


def page_size_px(dpi: int) -> tuple[int, int]:
    """A4 in pixels at ``dpi``: (2480, 3508) at 300."""
    return round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)


# --------------------------------------------------------------------------- wrapping


def _wrap(face: Face, text: str, width: float) -> list[tuple[list[str], str]]:
    """Greedy word wrap: a list of (words, glue) where glue joins the line to the next (" " or "").

    A word wider than ``width`` is cut between letters; that is the only case with glue "".
    """
    lines: list[tuple[list[str], str]] = []
    cur: list[str] = []
    space = face.length(" ")
    cur_w = 0.0
    for word in text.split():
        w = face.length(word)
        if cur and cur_w + space + w <= width:
            cur.append(word)
            cur_w += space + w
            continue
        if cur:
            lines.append((cur, " "))
        while w > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and face.length(word[:cut]) > width:
                cut -= 1
            lines.append(([word[:cut]], ""))
            word = word[cut:]
            w = face.length(word)
        cur, cur_w = [word], w
    if cur:
        lines.append((cur, " "))
    return lines


def _join(lines: list[tuple[list[str], str]]) -> str:
    out = ""
    for i, (words, glue) in enumerate(lines):
        out += " ".join(words)
        if i < len(lines) - 1:
            out += glue
    return out


# --------------------------------------------------------------------------- the composer


@dataclass
class _PageBuild:
    number: int
    image: Image.Image
    draw: ImageDraw.ImageDraw
    lines: list[GtLine] = field(default_factory=list)
    blocks: dict[int, list[BBox]] = field(default_factory=dict)
    block_kinds: dict[int, str] = field(default_factory=dict)
    stamps: list[tuple[np.ndarray, int, int]] = field(default_factory=list)


class _Composer:
    """Places blocks top to bottom, page after page."""

    def __init__(self, *, font: str, dpi: int, style: Style, dry: bool = False) -> None:
        self.dry = dry  # measure only: place everything, draw nothing
        self.dpi = dpi
        self.style = style
        self.files = font_files(font)
        self.width, self.height = page_size_px(dpi)
        ml, mt, mr, mb = (self.mm(m) for m in style.margins_mm)
        self.left, self.top, self.right, self.bottom = ml, mt, self.width - mr, self.height - mb
        self.text_width = self.right - self.left
        self.body = self.face(style.body_pt)
        self.body_bold = self.face(style.body_pt, bold=True)
        self.heading = self.face(style.heading_pt, bold=True)
        self.cell = self.face(style.table_pt)
        self.cell_bold = self.face(style.table_pt, bold=True)
        self.furniture = self.face(style.furniture_pt)
        self.stamp_face = self.face(style.stamp_pt)
        self.rule = max(1, round(self.mm(style.rule_mm)))
        self.header = style.header
        self.pages: list[_PageBuild] = []
        self.y = 0
        self._new_page()

    # units
    def mm(self, v: float) -> int:
        return round(v / 25.4 * self.dpi)

    def px(self, pt: float) -> int:
        return round(pt / 72.0 * self.dpi)

    def face(self, pt: float, *, bold: bool = False) -> Face:
        return Face(self.files, self.px(pt), bold=bold)

    def pitch(self, face: Face) -> int:
        return round(face.size_px * self.style.line_spacing)

    def baseline_in(self, face: Face, top: int) -> int:
        pitch = self.pitch(face)
        return top + (pitch - (face.ascent + face.descent)) // 2 + face.ascent

    # pages
    @property
    def page(self) -> _PageBuild:
        return self.pages[-1]

    def _new_page(self) -> None:
        if self.pages:
            self._finish_page()
        image = Image.new("L", (1, 1) if self.dry else (self.width, self.height), 255)
        self.pages.append(_PageBuild(number=len(self.pages) + 1, image=image, draw=ImageDraw.Draw(image)))
        self.y = self.top
        if self.header and (self.page.number > 1 or self.style.header_on_first_page):
            self._furniture_line(self.header, self.mm(self.style.margins_mm[1] / 2), rule=True)

    def _finish_page(self) -> None:
        if self.style.page_numbers:
            text = self.style.page_number_format.format(n=self.page.number)
            mb = self.style.margins_mm[3]
            self._furniture_line(text, self.height - self.mm(mb / 2) - self.pitch(self.furniture))

    def _furniture_line(self, text: str, top: int, *, rule: bool = False) -> None:
        face = self.furniture
        x = self.left + (self.text_width - face.length(text)) / 2
        self._draw_words(face, text.split(), x=x, top=top, space=face.length(" "), kind="furniture", block=-1)
        if rule:
            y = top + self.pitch(face) + self.rule
            self.page.draw.rectangle((self.left, y, self.right, y + max(1, self.rule // 2)), fill=0)

    def ensure(self, height: int) -> None:
        """Start a new page unless ``height`` pixels fit below the cursor."""
        if self.y + height > self.bottom and self.y > self.top:
            self._new_page()

    def mark(self, block: int, kind: str, box: BBox) -> None:
        self.page.blocks.setdefault(block, []).append(box)
        self.page.block_kinds[block] = kind

    # drawing primitives
    def _put(
        self, face: Face, text: str, x: float, baseline: float, *, draw: Any = None, fill: int = 0
    ) -> tuple[int, int, int, int] | None:
        """Draw ``text`` and return its ink box (in a dry run: only an estimate of the box)."""
        if self.dry:
            return (int(x), int(baseline) - face.ascent, int(x + face.length(text)), int(baseline))
        face.draw(draw if draw is not None else self.page.draw, text, x, baseline, fill=fill)
        return face.ink_box(text, x, baseline)

    def _draw_words(
        self,
        face: Face,
        words: list[str],
        *,
        x: float,
        top: int,
        space: float,
        kind: str,
        block: int,
        prefix: tuple[str, float] | None = None,
    ) -> GtLine:
        """Draw one line of words from ``x`` with gaps of ``space``; record and return its ground truth."""
        baseline = self.baseline_in(face, top)
        gt_words: list[GtWord] = []
        if prefix is not None:
            label, lx = prefix
            box = self._put(face, label, lx, baseline)
            if box:
                gt_words.append(GtWord(label, BBox(*box)))
        for word in words:
            box = self._put(face, word, x, baseline)
            if box:
                gt_words.append(GtWord(word, BBox(*box)))
            x += face.length(word) + space
        text = " ".join(w.text for w in gt_words)
        line_box = _union([w.bbox for w in gt_words]) if gt_words else BBox(int(x), top, int(x), top)
        line = GtLine(text=text, kind=kind, bbox=line_box, block=block, words=tuple(gt_words))
        self.page.lines.append(line)
        return line

    def text_lines(
        self,
        face: Face,
        wrapped: list[tuple[list[str], str]],
        *,
        x0: int,
        width: int,
        align: str,
        kind: str,
        block: int,
        first_indent: int = 0,
        prefix: tuple[str, float] | None = None,
        last_is_end: bool = True,
    ) -> None:
        """Draw wrapped lines into the text column, breaking pages as needed."""
        pitch = self.pitch(face)
        space = face.length(" ")
        for i, (words, _glue) in enumerate(wrapped):
            self.ensure(pitch)
            indent = first_indent if i == 0 else 0
            avail = width - indent
            natural = sum(face.length(w) for w in words) + space * (len(words) - 1)
            x = x0 + indent
            gap = space
            last = i == len(wrapped) - 1
            if align == "justify" and not (last and last_is_end) and len(words) > 1:
                gap = (avail - sum(face.length(w) for w in words)) / (len(words) - 1)
                if gap > 4 * space:  # a line with a few long words: leave it ragged
                    gap = space
            elif align == "center":
                x += (avail - natural) / 2
            elif align == "right":
                x += avail - natural
            line = self._draw_words(
                face, words, x=x, top=self.y, space=gap, kind=kind, block=block, prefix=prefix if i == 0 else None
            )
            self.mark(block, BLOCK_KINDS_BY_LINE.get(kind, kind), line.bbox)
            self.y += pitch

    # blocks
    def add(self, index: int, block: Block) -> None:
        if isinstance(block, Heading):
            self._heading(index, block)
        elif isinstance(block, Paragraph):
            self._paragraph(index, block)
        elif isinstance(block, ListItem):
            self._list_item(index, block)
        elif isinstance(block, Table):
            self._table(index, block)
        elif isinstance(block, Signature):
            self._signature(index, block)
        elif isinstance(block, Stamp):
            self._stamp(index, block)
        elif isinstance(block, Spacer):
            self.y += self.mm(block.height_mm)
            if self.y > self.bottom:
                self._new_page()
        elif isinstance(block, PageBreak):
            if block.header is not None:
                self.header = block.header
            self._new_page()

    def _heading(self, index: int, block: Heading) -> None:
        face = self.heading
        pitch = self.pitch(face)
        wrapped = [w for line in block.lines for w in _wrap(face, line, self.text_width)]
        # keep the heading with two lines of what follows
        self.ensure(pitch * (len(wrapped) + 1) + 2 * self.pitch(self.body))
        if self.y > self.top:
            self.y += pitch // 2
        self.text_lines(face, wrapped, x0=self.left, width=self.text_width, align=block.align, kind="heading", block=index)
        self.y += pitch // 2

    def _paragraph(self, index: int, block: Paragraph) -> None:
        face = self.body_bold if block.bold else self.body
        indent = self.mm(block.indent_mm)
        for part_no, part in enumerate(block.text.split("\n")):
            wrapped = _wrap(face, part, self.text_width - (indent if part_no == 0 else 0))
            # the first line may be indented, the others are full width: rewrap the rest
            if indent and part_no == 0 and len(wrapped) > 1:
                rest = " ".join(w for words, _ in wrapped[1:] for w in words)
                wrapped = wrapped[:1] + _wrap(face, rest, self.text_width)
            self.text_lines(
                face,
                wrapped,
                x0=self.left,
                width=self.text_width,
                align=block.align,
                kind="paragraph",
                block=index,
                first_indent=indent if part_no == 0 else 0,
            )
        self.y += round(self.pitch(face) * self.style.para_space)

    def _list_item(self, index: int, block: ListItem) -> None:
        face = self.body
        hang = max(self.mm(self.style.list_indent_mm), round(face.length(block.label + " ")))
        wrapped = _wrap(face, block.text, self.text_width - hang)
        self.text_lines(
            face,
            wrapped,
            x0=self.left + hang,
            width=self.text_width - hang,
            align=block.align,
            kind="list_item",
            block=index,
            prefix=(block.label, float(self.left)),
        )
        self.y += round(self.pitch(face) * self.style.para_space)

    def _signature(self, index: int, block: Signature) -> None:
        face = self.body_bold if block.bold else self.body
        pitch = self.pitch(face)
        title = [w for line in block.title for w in _wrap(face, line, self.text_width // 2)]
        self.ensure(pitch * (len(title) + 2))
        self.y += pitch // 2
        self.text_lines(face, title, x0=self.left, width=self.text_width, align="left", kind="signature", block=index)
        name_face = self.body
        name_w = name_face.length(block.name)
        self._scribble(index, block.name, x=self.left + int(self.text_width * 0.45), y=self.y - pitch // 2, size=pitch)
        line = self._draw_words(
            name_face,
            block.name.split(),
            x=self.right - name_w,
            top=self.y,
            space=name_face.length(" "),
            kind="signature",
            block=index,
        )
        self.mark(index, "signature", line.bbox)
        self.y += pitch + round(pitch * self.style.para_space)

    def _scribble(self, index: int, seed_text: str, *, x: int, y: int, size: int) -> None:
        """A pen scribble (a signature) made from a seed of the name: deterministic, no text."""
        seed = int.from_bytes(hashlib.sha256(f"{index}:{seed_text}".encode()).digest()[:4], "big")
        rng = np.random.default_rng(seed)
        n = 40
        t = np.linspace(0, 1, n)
        xs = x + t * size * 4 + np.sin(t * math.pi * rng.uniform(4, 7)) * size * 0.3
        ys = y + size * 0.6 + np.cos(t * math.pi * rng.uniform(5, 9)) * size * 0.5 * (1 - t * 0.5)
        pts = [(float(a), float(b)) for a, b in zip(xs, ys)]
        self.page.draw.line(pts, fill=SCRIBBLE_GRAY, width=max(2, self.rule), joint="curve")

    def _stamp(self, index: int, block: Stamp) -> None:
        face = self.stamp_face
        pitch = self.pitch(face)
        pad = self.mm(2)
        ring = max(2, self.rule)
        widths = [face.length(line) for line in block.lines]
        text_h = pitch * len(block.lines)
        if block.shape == "round":
            d = int(max(max(widths) + 2 * pad, text_h + 2 * pad) * 1.12) + 4 * ring
            w = h = d
        else:
            w = int(max(widths)) + 2 * pad + 4 * ring
            h = text_h + 2 * pad + 4 * ring
        patch = Image.new("L", (w, h), 0)  # ink coverage 0..255
        pd = ImageDraw.Draw(patch)
        if block.shape == "round":
            pd.ellipse((0, 0, w - 1, h - 1), outline=255, width=ring * 2)
            pd.ellipse((ring * 3, ring * 3, w - 1 - ring * 3, h - 1 - ring * 3), outline=255, width=ring)
        else:
            pd.rectangle((0, 0, w - 1, h - 1), outline=255, width=ring * 2)
            pd.rectangle((ring * 3, ring * 3, w - 1 - ring * 3, h - 1 - ring * 3), outline=255, width=ring)
        top = (h - text_h) // 2
        local: list[tuple[str, list[tuple[str, tuple[int, int, int, int]]]]] = []
        for i, line in enumerate(block.lines):
            baseline = self.baseline_in(face, top + i * pitch)
            x = (w - widths[i]) / 2
            words = []
            space = face.length(" ")
            for word in line.split():
                box = self._put(face, word, x, baseline, draw=pd, fill=255)
                if box:
                    words.append((word, box))
                x += face.length(word) + space
            local.append((line, words))
        rotated = patch.rotate(block.angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=0)
        rw, rh = rotated.size
        if block.align == "left":
            px0 = self.left
        elif block.align == "center":
            px0 = self.left + (self.text_width - rw) // 2
        else:
            px0 = self.right - rw
        floated = False
        if self.y + rh > self.bottom:
            # no room below: beside the last lines of the page, where no text is, as a clerk would stamp it
            spot = self._free_spot(px0, rw, rh)
            if spot is None:
                self._new_page()
            else:
                floated = True
        py0 = spot if floated else self.y
        # map a point of the unrotated patch to the page (PIL rotates counter-clockwise about the centre)
        a = math.radians(block.angle)
        cx, cy = w / 2, h / 2

        def to_page(px: float, py: float) -> tuple[float, float]:
            dx, dy = px - cx, py - cy
            rx = dx * math.cos(a) + dy * math.sin(a)
            ry = -dx * math.sin(a) + dy * math.cos(a)
            return px0 + rw / 2 + rx, py0 + rh / 2 + ry

        def map_box(b: tuple[int, int, int, int]) -> BBox:
            pts = [to_page(b[0], b[1]), to_page(b[2], b[1]), to_page(b[0], b[3]), to_page(b[2], b[3])]
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            return BBox(int(min(xs)), int(min(ys)), int(math.ceil(max(xs))), int(math.ceil(max(ys))))

        for line, words in local:
            gt_words = tuple(GtWord(t, map_box(b)) for t, b in words)
            if not gt_words:
                continue
            self.page.lines.append(
                GtLine(
                    text=" ".join(wd.text for wd in gt_words),
                    kind="stamp",
                    bbox=_union([wd.bbox for wd in gt_words]),
                    block=index,
                    words=gt_words,
                )
            )
        self.page.stamps.append((np.asarray(rotated), px0, py0))
        self.mark(index, "stamp", BBox(px0, py0, px0 + rw, py0 + rh))
        if not floated:
            self.y += rh + self.pitch(self.body) // 2

    def _free_spot(self, x0: int, w: int, h: int) -> int | None:
        """The lowest top y where a w x h box at x0 touches no text or table on this page, or None."""
        gap = self.mm(2)
        boxes = [line.bbox for line in self.page.lines if not line.furniture]
        boxes += [b for i, bs in self.page.blocks.items() if self.page.block_kinds.get(i) == "table" for b in bs]
        y = self.bottom - h
        while y >= self.top:
            if not any(
                b.x0 - gap < x0 + w and x0 < b.x1 + gap and b.y0 - gap < y + h and y < b.y1 + gap for b in boxes
            ):
                return y
            y -= self.mm(1)
        return None

    # tables
    def _col_widths(self, block: Table, ncols: int) -> list[int]:
        pad_x = self.mm(self.style.cell_pad_mm[0])
        if block.col_widths is not None:
            total = sum(block.col_widths)
            return [round(self.text_width * f / total) for f in block.col_widths]
        mins = [0.0] * ncols
        chars = [0.0] * ncols
        for r, row in enumerate(block.rows):
            if _spans(row):
                continue
            face = self.cell_bold if r < block.header_rows else self.cell
            for c, text in enumerate(row[:ncols]):
                words = text.split()
                if words:
                    mins[c] = max(mins[c], max(face.length(w) for w in words) + 2 * pad_x + 2)
                if r >= block.header_rows or len(block.rows) <= block.header_rows:
                    chars[c] += len(text)
        mins = [max(m, 2 * pad_x + self.mm(8)) for m in mins]
        # share the width by the square root of each column's text, never below its longest word
        weights = [math.sqrt(ch + 1.0) for ch in chars]
        total = float(self.text_width)
        fixed: dict[int, float] = {}
        while True:
            free = total - sum(fixed.values())
            wsum = sum(w for c, w in enumerate(weights) if c not in fixed) or 1.0
            widths = [fixed.get(c, free * weights[c] / wsum) for c in range(ncols)]
            under = [c for c in range(ncols) if c not in fixed and widths[c] < mins[c]]
            if not under or len(fixed) + len(under) >= ncols:
                break
            for c in under:
                fixed[c] = mins[c]
        out = [int(w) for w in widths]
        out[-1] += self.text_width - sum(out)
        return out

    def _table(self, index: int, block: Table) -> None:
        if not block.rows:
            return
        ncols = max(len(r) for r in block.rows)
        widths = self._col_widths(block, ncols)
        xs = [self.left]
        for w in widths:
            xs.append(xs[-1] + w)
        pad_x = self.mm(self.style.cell_pad_mm[0])
        pad_y = self.mm(self.style.cell_pad_mm[1])
        for r, row in enumerate(block.rows):
            header = r < block.header_rows
            face = self.cell_bold if header else self.cell
            pitch = self.pitch(face)
            if _spans(row):
                spans = [(0, ncols)]
                texts = [row[0]]
            else:
                spans = [(c, c + 1) for c in range(ncols)]
                texts = [row[c] if c < len(row) else "" for c in range(ncols)]
            cells = []
            for (c0, c1), text in zip(spans, texts):
                width = xs[c1] - xs[c0] - 2 * pad_x
                align = "center" if header or len(text.strip()) <= 3 else "left"
                cells.append((c0, c1, _wrap(face, text, width), align))
            done = [0] * len(cells)
            total = max((len(w) for _, _, w, _ in cells), default=0)
            first_part = True
            while True:
                remaining = max(len(w) - d for (_, _, w, _), d in zip(cells, done))
                avail = (self.bottom - self.y - 2 * pad_y) // pitch
                if remaining <= avail:
                    take = remaining
                elif avail >= block.min_split_lines and remaining - avail >= 1 and total > avail:
                    take = avail
                elif self.y > self.top:
                    self._new_page()
                    continue
                else:  # taller than a page and at the top of one
                    take = max(1, avail)
                last_part = take >= remaining
                split = _split_name(not first_part, not last_part)
                self._row_part(
                    index, r, cells, done=done, take=take, xs=xs, face=face, pad_x=pad_x, pad_y=pad_y, pitch=pitch,
                    split=split,
                )
                done = [min(len(w), d + take) for (_, _, w, _), d in zip(cells, done)]
                first_part = False
                if last_part:
                    break
                self._new_page()
        self.y += self.pitch(self.body) // 2

    def _row_part(
        self,
        index: int,
        r: int,
        cells: list[tuple[int, int, list[tuple[list[str], str]], str]],
        *,
        done: list[int],
        take: int,
        xs: list[int],
        face: Face,
        pad_x: int,
        pad_y: int,
        pitch: int,
        split: str,
    ) -> None:
        top = self.y
        height = 2 * pad_y + max(1, take) * pitch
        bottom = top + height
        draw = self.page.draw
        gt_cells: list[GtCell] = []
        gt_words: list[GtWord] = []
        space = face.length(" ")
        for (c0, c1, wrapped, align), d in zip(cells, done):
            part = wrapped[d : d + take]
            cell_words: list[GtWord] = []
            for i, (words, _glue) in enumerate(part):
                natural = sum(face.length(w) for w in words) + space * (len(words) - 1)
                inner = xs[c1] - xs[c0] - 2 * pad_x
                x = xs[c0] + pad_x + ((inner - natural) / 2 if align == "center" else 0)
                baseline = self.baseline_in(face, top + pad_y + i * pitch)
                for word in words:
                    box = self._put(face, word, x, baseline)
                    if box:
                        cell_words.append(GtWord(word, BBox(*box)))
                    x += face.length(word) + space
            if part:
                text = _join(part)
                gt_cells.append(GtCell(col=c0, text=text, bbox=BBox(xs[c0], top, xs[c1], bottom)))
                gt_words.extend(cell_words)
        # the grid: row box and the column rules it crosses
        t = self.rule
        draw.rectangle((xs[0], top, xs[-1], top + t - 1), fill=0)
        draw.rectangle((xs[0], bottom - t + 1, xs[-1], bottom), fill=0)
        for c0, c1, _, _ in cells:
            for x in (xs[c0], xs[c1]):
                draw.rectangle((x - t // 2, top, x - t // 2 + t - 1, bottom), fill=0)
        row_box = BBox(xs[0], top, xs[-1], bottom + 1)
        text = "\t".join(c.text for c in gt_cells)
        self.page.lines.append(
            GtLine(
                text=text,
                kind="table_row",
                bbox=_union([w.bbox for w in gt_words]) if gt_words else row_box,
                block=index,
                words=tuple(gt_words),
                cells=tuple(gt_cells),
                row=r,
                split=split,
            )
        )
        self.mark(index, "table", row_box)
        self.y = bottom - t + 1  # the next row's top rule is this row's bottom rule

    # result
    def finish(self) -> list[tuple[np.ndarray, list[GtLine], list[GtBlock]]]:
        self._finish_page()
        out = []
        for i, page in enumerate(self.pages):
            img = np.asarray(page.image, dtype=np.uint8).copy()
            for ink, x0, y0 in page.stamps:
                _composite_ink(img, ink, x0=x0, y0=y0, gray=STAMP_GRAY)
            blocks = []
            for index, boxes in sorted(page.blocks.items()):
                if index < 0:
                    continue
                on_prev = i > 0 and index in self.pages[i - 1].blocks
                on_next = i + 1 < len(self.pages) and index in self.pages[i + 1].blocks
                blocks.append(
                    GtBlock(index, page.block_kinds[index], _union(boxes), continued=on_prev, continues=on_next)
                )
            lines = _mark_splits(page.lines, blocks)
            out.append((img, lines, blocks))
        return out


BLOCK_KINDS_BY_LINE = {"table_row": "table"}


def _spans(row: tuple[str, ...]) -> bool:
    return len(row) > 1 and bool(row[0].strip()) and not any(c.strip() for c in row[1:])


def _split_name(continued: bool, continues: bool) -> str:
    if continued and continues:
        return "middle"
    if continued:
        return "end"
    if continues:
        return "start"
    return ""


def _mark_splits(lines: list[GtLine], blocks: list[GtBlock]) -> list[GtLine]:
    """Mark the first/last non-table line of a block that runs over a page break."""
    out = list(lines)
    for b in blocks:
        if b.kind == "table" or not (b.continued or b.continues):
            continue
        idx = [i for i, line in enumerate(out) if line.block == b.index]
        if not idx:
            continue
        if b.continued:
            out[idx[0]] = replace(out[idx[0]], split="end")
        if b.continues:
            out[idx[-1]] = replace(out[idx[-1]], split="start" if not out[idx[-1]].split else "middle")
    return out


def _composite_ink(img: np.ndarray, ink: np.ndarray, *, x0: int, y0: int, gray: int) -> None:
    """Darken ``img`` with ink of luma ``gray`` where the coverage mask ``ink`` (0..255) is set."""
    h, w = ink.shape
    H, W = img.shape
    x1, y1 = min(W, x0 + w), min(H, y0 + h)
    if x1 <= x0 or y1 <= y0:
        return
    region = img[y0:y1, x0:x1].astype(np.float32)
    alpha = ink[: y1 - y0, : x1 - x0].astype(np.float32) / 255.0 * 0.9
    inked = region * (1 - alpha) + gray * alpha
    img[y0:y1, x0:x1] = np.minimum(region, inked).round().astype(np.uint8)


def layout(
    blocks: list[Block] | tuple[Block, ...],
    *,
    font: str = "DejaVuSans",
    dpi: int = 300,
    style: Style | None = None,
    dry: bool = False,
) -> list[tuple[np.ndarray, list[GtLine], list[GtBlock]]]:
    """Lay ``blocks`` out and draw them: per page, the clean image, its lines and its block boxes.

    ``dry=True`` only places things (fast; images are 1 x 1 and boxes approximate).
    """
    composer = _Composer(font=font, dpi=dpi, style=style or Style(), dry=dry)
    for index, block in enumerate(blocks):
        composer.add(index, block)
    pages = composer.finish()
    log.debug("laid out %d blocks on %d pages (%s, %d dpi)", len(blocks), len(pages), font, dpi)
    return pages


__all__ = [
    "A4_MM",
    "BLOCK_KINDS",
    "GtBlock",
    "GtCell",
    "GtLine",
    "GtWord",
    "RenderedPage",
    "Style",
    "layout",
    "page_size_px",
]

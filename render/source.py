"""Turn a filing's source text into renderer blocks.

The source format (``samples/source/*.txt``) and how each piece is drawn:

- Chunks are runs of non-blank lines. A chunk wrapped in ``**...**`` is a bold
  heading (each source line a heading line).
- A line containing a TAB is a table row, cells split on TAB. Table lines
  separated only by blank lines form one table. A row whose first cell is empty
  continues the row above (the filing's ``Мадиев`` row, whose last words were
  put on a line of their own by the conversion): its cells are appended to the
  cells above, so the renderer draws one row, which it may split over a page.
  The first row of a table is its header (bold).
- ``<p>`` and ``</p>`` tags (debris of the source's HTML conversion, found in
  the Kazakh table) are removed: a paper scan would not show them. Nothing else
  of the text is changed; :func:`source_tokens` gives the words a render must
  show.
- ``1. text`` / ``10) text`` lines are numbered list items; ``- text`` lines are
  bulleted items (label ``-``); a dash glued to its word (``-Алдамберген``)
  stays a paragraph line, as written.
- A chunk of short lines followed by a chunk that is only a name with initials
  (``Ибадуллаев А.А.``, ``А.Т. Тоқтарқожа``) is a signature block.
- A chunk with a line ``ТІРКЕДІ``/``ЗАРЕГИСТРИРОВАНО`` (a registration stamp) is
  drawn as a stamp together with the chunk before and the chunk after it.
- In a chunk of several lines, a line of 70 characters or more stands alone
  (one paragraph per line: the Kazakh part lost its blank lines in the source);
  runs of shorter lines (addresses, letterheads) stay one left-aligned
  paragraph with hard line breaks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from render.blocks import Block, Heading, ListItem, PageBreak, Paragraph, Signature, Stamp, Table

log = logging.getLogger(__name__)

UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
LOWER = "a-zа-яёәғқңөұүһі"
NAME_RE = re.compile(
    rf"^(?:[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?\s+(?:[{UPPER}]\.){{1,2}}"
    rf"|(?:[{UPPER}]\.){{1,2}}\s*[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?)$"
)
NUMBERED_RE = re.compile(r"^(\d{1,2}[.)])\s+(\S.*)$")
BULLET_RE = re.compile(r"^([-–—•])\s+(\S.*)$")
TAG_RE = re.compile(r"</?p>")
STAMP_MARKERS = ("ТІРКЕДІ", "ЗАРЕГИСТРИРОВАНО")
LONG_LINE = 70
PARAGRAPH_INDENT_MM = 12.5


def strip_markup(text: str) -> str:
    """The source text without ``**`` bold marks and ``<p>`` tags."""
    return TAG_RE.sub("", text.replace("**", ""))


def source_tokens(text: str) -> list[str]:
    """The whitespace-separated words of the source, markup removed: what a render must show."""
    return strip_markup(text).split()


@dataclass(frozen=True, slots=True)
class _Chunk:
    lines: tuple[str, ...]
    blank_before: int


def _chunks(text: str) -> list[_Chunk]:
    chunks: list[_Chunk] = []
    cur: list[str] = []
    blanks = 0
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        if not line.strip():
            if cur:
                chunks.append(_Chunk(tuple(cur), blanks))
                cur, blanks = [], 0
            blanks += 1
            continue
        cur.append(line)
    if cur:
        chunks.append(_Chunk(tuple(cur), blanks))
    return chunks


def _is_table_line(line: str) -> bool:
    return "\t" in line


def _clean(text: str) -> str:
    return " ".join(TAG_RE.sub("", text).split())


def _table(lines: list[str]) -> Table:
    rows: list[list[str]] = []
    for line in lines:
        cells = [_clean(c) for c in line.split("\t")]
        if rows and not cells[0]:  # a continuation of the row above
            prev = rows[-1]
            for i, cell in enumerate(cells[1:], start=1):
                if not cell:
                    continue
                while len(prev) <= i:
                    prev.append("")
                prev[i] = f"{prev[i]} {cell}".strip()
            continue
        rows.append(cells)
    ncols = max(len(r) for r in rows)
    rows = [r + [""] * (ncols - len(r)) for r in rows]
    return Table(rows=tuple(tuple(r) for r in rows), header_rows=1)


def _line_block(line: str) -> Block:
    m = NUMBERED_RE.match(line) or BULLET_RE.match(line)
    if m:
        return ListItem(label=m.group(1), text=m.group(2))
    return Paragraph(text=line, indent_mm=PARAGRAPH_INDENT_MM)


def _text_chunk(lines: tuple[str, ...]) -> list[Block]:
    if len(lines) == 1:
        return [_line_block(lines[0])]
    blocks: list[Block] = []
    short: list[str] = []
    for line in lines:
        if len(line) >= LONG_LINE or NUMBERED_RE.match(line) or BULLET_RE.match(line):
            if short:
                blocks.append(Paragraph(text="\n".join(short), align="left"))
                short = []
            blocks.append(_line_block(line))
        else:
            short.append(line)
    if short:
        blocks.append(Paragraph(text="\n".join(short), align="left"))
    return blocks


def _bold(lines: tuple[str, ...]) -> tuple[bool, tuple[str, ...]]:
    joined = "\n".join(lines)
    if joined.startswith("**") and joined.endswith("**"):
        return True, tuple(joined[2:-2].split("\n"))
    return False, lines


def parse_filing(text: str, *, stamp_markers: Iterable[str] = STAMP_MARKERS) -> list[Block]:
    """Blocks for a filing text in the source format (see the module docstring)."""
    chunks = _chunks(text)
    markers = tuple(stamp_markers)
    stamp_at = {i for i, c in enumerate(chunks) if any(line.strip() in markers for line in c.lines)}
    stamp_parts = {j for i in stamp_at for j in (i - 1, i, i + 1) if 0 <= j < len(chunks)}
    blocks: list[Block] = []
    table_lines: list[str] = []
    i = 0
    while i < len(chunks):
        chunk = chunks[i]
        # tables: table lines, across blank lines, until a non-table line
        if _is_table_line(chunk.lines[0]):
            k = 0
            while k < len(chunk.lines) and _is_table_line(chunk.lines[k]):
                table_lines.append(chunk.lines[k])
                k += 1
            if k < len(chunk.lines):
                blocks.append(_table(table_lines))
                table_lines = []
                blocks.extend(_text_chunk(chunk.lines[k:]))
            i += 1
            continue
        if table_lines:
            blocks.append(_table(table_lines))
            table_lines = []
        if i in stamp_at:
            lines: list[str] = []
            for j in (i - 1, i, i + 1):
                if 0 <= j < len(chunks) and j in stamp_parts:
                    lines.extend(strip_markup(x) for x in chunks[j].lines)
            blocks.append(Stamp(lines=tuple(lines), shape="rect", angle=-2.0))
            i += 2
            continue
        if i + 1 in stamp_at:  # drawn inside the stamp
            i += 1
            continue
        bold, lines_ = _bold(chunk.lines)
        nxt = chunks[i + 1] if i + 1 < len(chunks) else None
        if (
            nxt is not None
            and len(nxt.lines) == 1
            and NAME_RE.match(nxt.lines[0].strip())
            and all(len(x) < LONG_LINE for x in lines_)
            and len(lines_) <= 3
        ):
            blocks.append(Signature(title=lines_, name=nxt.lines[0].strip(), bold=bold))
            i += 2
            continue
        if bold:
            blocks.append(Heading(lines=lines_))
        else:
            blocks.extend(_text_chunk(chunk.lines))
        i += 1
    if table_lines:
        blocks.append(_table(table_lines))
    return blocks


def insert_page_breaks(blocks: list[Block], starts: dict[str, str]) -> list[Block]:
    """Insert a :class:`PageBreak` before each block whose first text line starts with a key of ``starts``.

    The value is the running header from that page on (``""`` for none).
    """
    out: list[Block] = []
    for block in blocks:
        first = _first_text(block)
        for prefix, header in starts.items():
            if first is not None and first.startswith(prefix) and out:
                out.append(PageBreak(header=header))
                break
        out.append(block)
    return out


def _first_text(block: Block) -> str | None:
    if isinstance(block, Heading):
        return block.lines[0] if block.lines else None
    if isinstance(block, Paragraph):
        return block.text
    if isinstance(block, ListItem):
        return f"{block.label} {block.text}"
    if isinstance(block, Signature):
        return block.title[0] if block.title else None
    if isinstance(block, Stamp):
        return block.lines[0] if block.lines else None
    return None

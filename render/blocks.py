"""The document model the renderer lays out: a flat list of blocks.

Blocks are plain frozen records; :mod:`render.source` builds them from a filing
text, tests and benchmarks build them by hand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Union

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Heading:
    """Centered bold lines; each given line starts a new line and is wrapped if too long."""

    lines: tuple[str, ...]
    align: str = "center"
    bold: bool = True


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Running text, word-wrapped; a ``\\n`` in ``text`` is a hard line break.

    ``align`` is ``justify`` (last line of each hard-broken part left), ``left``,
    ``center`` or ``right``; ``indent_mm`` indents the first line.
    """

    text: str
    align: str = "justify"
    indent_mm: float = 0.0
    bold: bool = False


@dataclass(frozen=True, slots=True)
class ListItem:
    """A numbered or bulleted item: ``label`` (``1.``, ``-``) then a hanging-indented text."""

    label: str
    text: str
    align: str = "justify"


@dataclass(frozen=True, slots=True)
class Table:
    """A ruled grid. A row whose cells after the first are all empty spans the full width.

    ``header_rows`` rows are bold and centered. ``col_widths`` are fractions of
    the text width (automatic from the content when None). Rows split across a
    page break when at least ``min_split_lines`` lines fit.
    """

    rows: tuple[tuple[str, ...], ...]
    header_rows: int = 0
    col_widths: tuple[float, ...] | None = None
    min_split_lines: int = 2


@dataclass(frozen=True, slots=True)
class Signature:
    """A signature block: the title lines on the left, then the name on the right with a scribble."""

    title: tuple[str, ...]
    name: str
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Stamp:
    """An inked stamp (blue on paper, mid-grey in a grayscale scan) with centered text lines."""

    lines: tuple[str, ...]
    shape: str = "rect"  # rect | round
    angle: float = 0.0  # degrees, counter-clockwise
    align: str = "right"  # left | center | right


@dataclass(frozen=True, slots=True)
class Spacer:
    """Vertical space."""

    height_mm: float


@dataclass(frozen=True, slots=True)
class PageBreak:
    """Start a new page; ``header`` replaces the running header from then on (``""``: none, None: keep)."""

    header: str | None = None


Block = Union[Heading, Paragraph, ListItem, Table, Signature, Stamp, Spacer, PageBreak]

BLOCK_KINDS: dict[type, str] = {
    Heading: "heading",
    Paragraph: "paragraph",
    ListItem: "list_item",
    Table: "table",
    Signature: "signature",
    Stamp: "stamp",
    Spacer: "spacer",
    PageBreak: "page_break",
}


def block_text_lines(block: Block) -> list[str]:
    """The text a block carries, as it would be read (table rows: cells joined by TAB)."""
    if isinstance(block, Heading):
        return list(block.lines)
    if isinstance(block, Paragraph):
        return block.text.split("\n")
    if isinstance(block, ListItem):
        return [f"{block.label} {block.text}"]
    if isinstance(block, Table):
        return ["\t".join(c for c in row if c) for row in block.rows]
    if isinstance(block, Signature):
        return [*block.title, block.name]
    if isinstance(block, Stamp):
        return list(block.lines)
    return []

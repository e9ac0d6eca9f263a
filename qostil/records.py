"""The data model shared by every stage: small frozen records with JSON round-trips.

Coordinates are pixels of the page image the OCR saw (``Page.dpi``), origin top
left. Every record keeps its provenance (page number, box) so a finding can
point back at the scan.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

T = TypeVar("T", bound="JsonRecord")

LANG_RU = "ru"
LANG_KK = "kk"
LANG_OTHER = "other"
LANG_UNKNOWN = "unknown"

SEGMENT_KINDS = ("heading", "paragraph", "list_item", "table_row", "signature", "stamp", "furniture")


class JsonRecord:
    """Mixin: ``to_json`` gives plain JSON data, ``from_json`` rebuilds the record (nested too)."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {f.name: _dump(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    @classmethod
    def from_json(cls: type[T], data: dict[str, Any]) -> T:
        kwargs = {name: load(data[name]) for name, load in _field_loaders(cls) if name in data}
        return cls(**kwargs)


@functools.cache
def _field_loaders(cls: type) -> tuple[tuple[str, Any], ...]:
    """(field name, the function that rebuilds its value from JSON) of a record class, made once per
    class: ``typing.get_type_hints`` per record made reading a published document take seconds, and
    looking at each value's type hint again (the words' boxes of every segment) was most of the rest."""
    hints = typing.get_type_hints(cls)
    return tuple((f.name, _loader(hints[f.name])) for f in dataclasses.fields(cls))  # type: ignore[arg-type]


def _dump(value: Any) -> Any:
    if isinstance(value, JsonRecord):
        return value.to_json()
    if isinstance(value, (list, tuple)):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


def _as_is(value: Any) -> Any:
    return value


@functools.cache
def _loader(hint: Any) -> typing.Callable[[Any], Any]:
    """The function that rebuilds a value of type ``hint`` from its JSON (None stays None): nested
    records from dicts, tuples from lists, anything else as it is."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        return _loader(non_none[0]) if len(non_none) == 1 else _as_is
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            each = _loader(args[0])
            if each is _as_is:
                return lambda value: None if value is None else tuple(value)
            return lambda value: None if value is None else tuple(each(v) for v in value)
        items = tuple(_loader(a) for a in args)
        return lambda value: None if value is None else tuple(f(v) for f, v in zip(items, value))
    if isinstance(hint, type) and issubclass(hint, JsonRecord):
        return lambda value: None if value is None else hint.from_json(value)
    return _as_is


@dataclass(frozen=True, slots=True)
class BBox(JsonRecord):
    """A box in page pixels: left, top, right, bottom."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    def union(self, other: BBox) -> BBox:
        return BBox(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))


@dataclass(frozen=True, slots=True)
class Word(JsonRecord):
    """One recognised word: its text, Tesseract confidence (0-100; 100 for a text layer), box and page."""

    text: str
    conf: float
    bbox: BBox
    page: int = 1


@dataclass(frozen=True, slots=True)
class Line(JsonRecord):
    """A line of words in reading order; ``block``/``par`` are Tesseract's block and paragraph numbers."""

    words: tuple[Word, ...]
    bbox: BBox
    block: int = 0
    par: int = 0

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True, slots=True)
class Page(JsonRecord):
    """One page as read: its lines, the image size it was read at, and how it was read."""

    number: int
    image_size: tuple[int, int]
    lines: tuple[Line, ...]
    dpi: int = 300
    rotation: int = 0
    skew_deg: float = 0.0
    """Degrees the page was deskewed by, after the turn (counter-clockwise positive): boxes are on that image."""
    source: str = "ocr"  # "ocr" or "text_layer"
    warnings: tuple[str, ...] = ()
    cells: tuple[BBox, ...] = ()  # ruled-table cells found on the image (ocr.tables), top-left first
    stamps: tuple[BBox, ...] = ()  # stamp regions found on the image (ocr.marks): their words are kind "stamp"

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def geometry(self) -> ReadGeometry:
        return ReadGeometry(self.number, self.dpi, self.rotation, self.skew_deg)


@dataclass(frozen=True, slots=True)
class ReadGeometry(JsonRecord):
    """How a page image was scaled and turned before it was read: a scan crop cut from the source file
    must be scaled and turned the same way, since the words' boxes are on the image that was read."""

    page: int
    dpi: int = 300
    rotation: int = 0
    """Clockwise quarter turn (0, 90, 180, 270)."""
    skew_deg: float = 0.0


@dataclass(frozen=True, slots=True)
class Segment(JsonRecord):
    """A unit of text that alignment works on: heading, paragraph, list item, table row...

    ``cells`` holds a table row's cells (left to right); ``words`` keeps every
    word with its confidence and box so a finding can show the scan.
    """

    id: str
    doc_id: str
    lang: str
    kind: str
    text: str
    section: str | None = None
    pages: tuple[int, ...] = ()
    bboxes: tuple[tuple[int, BBox], ...] = ()
    ocr_conf: float | None = None
    words: tuple[Word, ...] = ()
    cells: tuple[str, ...] = ()

    def with_(self, **changes: Any) -> Segment:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Pair(JsonRecord):
    """An alignment group: indices into the RU and KK segment lists (either may be empty)."""

    ru: tuple[int, ...]
    kk: tuple[int, ...]
    score: float
    evidence: tuple[str, ...] = ()

    @property
    def swapped(self) -> bool:
        """A 2-2 group whose two paragraphs the translator put in the other order."""
        return SWAPPED in self.evidence


SWAPPED = "order=swapped"
"""Evidence of a :class:`Pair` whose paragraphs match crossed (RU 1st with KK 2nd and vice versa)."""


@dataclass(frozen=True, slots=True)
class Mention(JsonRecord):
    """One side of a finding: where the text stands and how sure the OCR was of it."""

    lang: str
    paragraph: int
    text: str
    span: tuple[int, int] | None = None
    segment_id: str | None = None
    page: int | None = None
    bbox: BBox | None = None
    conf: float | None = None


@dataclass(frozen=True, slots=True)
class Discrepancy(JsonRecord):
    """A finding a translator reads: what differs, between which two places, and the likely cause."""

    id: str
    kind: str  # name, organisation, date, number, missing_segment
    severity: str  # high, medium, low
    left: Mention
    right: Mention | None
    message: str
    cause: str = "unknown"  # likely_ocr, likely_text, unknown
    evidence: tuple[str, ...] = field(default=())

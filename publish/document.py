"""One processed document as the publishers see it, and how to read it back from ``OUT/<doc-id>/``.

The flow hands the publishers the records it has in memory; the run-level
publishers (summary page, XLSX, Parquet) read every finished document back
from its folder, so a document skipped tonight because it was done last night
still appears in tonight's run files.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from qostil.errors import InputFileError
from qostil.records import Discrepancy, Mention, Pair, ReadGeometry, Segment

log = logging.getLogger(__name__)

PART_RU = "ru"
PART_KK = "kk"
PART_OTHER = "other"


@dataclass(frozen=True, slots=True)
class PublishedDocument:
    """Everything one document produced: its parts, the alignment and the findings."""

    doc_id: str
    source: str
    """The inbox file it was read from (page images for the crops come from here)."""
    pages: int
    ru: tuple[Segment, ...]
    kk: tuple[Segment, ...]
    other: tuple[Segment, ...] = ()
    pairs: tuple[Pair, ...] = ()
    findings: tuple[Discrepancy, ...] = ()
    dpi: int = 300
    """Resolution the page images were read at; boxes are pixels at this resolution."""
    geometry: tuple[ReadGeometry, ...] = ()
    """How each page was scaled and turned before it was read (for the scan crops)."""

    @property
    def name(self) -> str:
        return Path(self.source).name

    @property
    def short_id(self) -> str:
        return self.doc_id[:12]

    def part(self, lang: str) -> tuple[Segment, ...]:
        return self.ru if lang == PART_RU else self.kk

    def segment_of(self, mention: Mention) -> Segment | None:
        """The segment a finding's mention points at (by id, else by its paragraph index)."""
        part = self.part(mention.lang)
        if mention.segment_id:
            for seg in (*part, *self.ru, *self.kk):
                if seg.id == mention.segment_id:
                    return seg
        if 0 <= mention.paragraph < len(part):
            return part[mention.paragraph]
        return None

    def pair_of_finding(self) -> dict[str, int]:
        """Finding id → index of the pair holding its left mention (its right one when the left is in none)."""
        where: dict[tuple[str, int], int] = {}
        for n, p in enumerate(self.pairs):
            where.update({(PART_RU, i): n for i in p.ru})
            where.update({(PART_KK, i): n for i in p.kk})
        out: dict[str, int] = {}
        for f in self.findings:
            for m in (f.left, f.right):
                if m is None:
                    continue
                idx = self._index_of(m)
                if idx is not None and (m.lang, idx) in where:
                    out[f.id] = where[(m.lang, idx)]
                    break
        return out

    def _index_of(self, mention: Mention) -> int | None:
        part = self.part(mention.lang)
        if mention.segment_id:
            for i, seg in enumerate(part):
                if seg.id == mention.segment_id:
                    return i
        return mention.paragraph if 0 <= mention.paragraph < len(part) else None

    def pair_findings(self) -> dict[int, list[Discrepancy]]:
        """Pair index → the findings shown under it (findings in no pair are under key -1)."""
        where = self.pair_of_finding()
        out: dict[int, list[Discrepancy]] = {}
        for f in self.findings:
            out.setdefault(where.get(f.id, -1), []).append(f)
        return out


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_document(folder: Path, *, dpi: int = 300, words: bool = True) -> PublishedDocument:
    """Read a finished document folder back (``done.json``, ``segments.jsonl``, ``pairs.jsonl``, ``discrepancies.json``).

    ``words=False`` leaves out the segments' words and boxes (``words`` and ``bboxes`` empty): what the
    run's workbook, Parquet file and summary page need, read in a fraction of the time (the words are
    most of a document's records)."""
    try:
        done = json.loads((folder / "done.json").read_text(encoding="utf-8"))
        rows = _jsonl(folder / "segments.jsonl")
        if not words:
            rows = [{k: v for k, v in r.items() if k not in _WORD_FIELDS} for r in rows]
        findings = json.loads((folder / "discrepancies.json").read_text(encoding="utf-8"))["discrepancies"]
        if (folder / "pairs.jsonl").is_file():
            pair_rows = _jsonl(folder / "pairs.jsonl")
        else:  # written before the feed existed
            pair_rows = json.loads((folder / "pairs.json").read_text(encoding="utf-8"))["pairs"]
        geometry = tuple(ReadGeometry.from_json(g) for g in done.get("page_geometry", ()))  # none before 2026-11
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputFileError(f"{folder}: not a complete qostil result folder ({e}); run the document again.") from e
    segments = [Segment.from_json(r) for r in rows]
    n_ru, n_kk = int(done["ru_segments"]), int(done["kk_segments"])
    return PublishedDocument(
        doc_id=done["doc_id"],
        source=done["source"],
        pages=int(done["pages"]),
        ru=tuple(segments[:n_ru]),
        kk=tuple(segments[n_ru:n_ru + n_kk]),
        other=tuple(segments[n_ru + n_kk:]),
        pairs=tuple(
            Pair(ru=tuple(r["ru"]), kk=tuple(r["kk"]), score=float(r["score"]), evidence=tuple(r.get("evidence", ())))
            for r in pair_rows
        ),
        findings=tuple(Discrepancy.from_json(f) for f in findings),
        dpi=int(done.get("dpi", dpi)),
        geometry=geometry,
    )


_WORD_FIELDS = frozenset({"words", "bboxes"})


def iter_documents(out_dir: Path, *, words: bool = True) -> Iterator[PublishedDocument]:
    """Every finished document under ``out_dir`` (folders with ``done.json``), by file name then id;
    ``words`` as :func:`load_document`'s."""
    docs: list[PublishedDocument] = []
    for done in sorted(out_dir.glob("*/done.json")):
        try:
            docs.append(load_document(done.parent, words=words))
        except InputFileError as e:
            log.warning("skipping %s: %s", done.parent.name, e)
    yield from sorted(docs, key=lambda d: (d.name, d.doc_id))


def pair_shape(pair: Pair) -> str:
    """``"1-1"``, ``"2-1"``, ``"0-1"``...: how many RU and KK segments a pair joins."""
    return f"{len(pair.ru)}-{len(pair.kk)}"


def pair_texts(doc: PublishedDocument, pair: Pair) -> tuple[str, str]:
    return "\n".join(doc.ru[i].text for i in pair.ru), "\n".join(doc.kk[i].text for i in pair.kk)


def pair_pages(segs: Sequence[Segment], idx: Sequence[int]) -> list[int]:
    return sorted({p for i in idx for p in segs[i].pages})

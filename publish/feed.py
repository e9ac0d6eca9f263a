"""The cleaned feed for downstream systems: JSON Lines per document and a Parquet file per run.

Schemas: ``publish/schemas/segment.schema.json`` and ``pair.schema.json`` for
the JSON Lines, :data:`PAIRS_SCHEMA` for the Parquet file (also described in
``docs/feed.md``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from qostil.atomic import atomic_target
from publish.document import PART_KK, PART_OTHER, PART_RU, PublishedDocument, pair_pages, pair_shape, pair_texts

FEED_VERSION = 1


def schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in ``publish/schemas`` (``"segment"`` or ``"pair"``)."""
    text = resources.files("publish").joinpath("schemas", f"{name}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def segment_rows(doc: PublishedDocument) -> list[dict[str, Any]]:
    """``segments.jsonl``: every segment in part order (RU part, KK part, other), each with its ``part``."""
    rows = []
    for part, segs in ((PART_RU, doc.ru), (PART_KK, doc.kk), (PART_OTHER, doc.other)):
        for position, seg in enumerate(segs):
            rows.append({**seg.to_json(), "part": part, "position": position})
    return rows


def pair_rows(doc: PublishedDocument) -> list[dict[str, Any]]:
    """``pairs.jsonl``: one aligned group per line, with both texts and the ids of its findings."""
    where = doc.pair_of_finding()
    rows = []
    for n, p in enumerate(doc.pairs):
        ru_text, kk_text = pair_texts(doc, p)
        rows.append(
            {
                "doc_id": doc.doc_id,
                "index": n,
                "shape": pair_shape(p),
                "ru": list(p.ru),
                "kk": list(p.kk),
                "ru_ids": [doc.ru[i].id for i in p.ru],
                "kk_ids": [doc.kk[i].id for i in p.kk],
                "ru_text": ru_text,
                "kk_text": kk_text,
                "ru_pages": pair_pages(doc.ru, p.ru),
                "kk_pages": pair_pages(doc.kk, p.kk),
                "score": round(p.score, 4),
                "evidence": list(p.evidence),
                "findings": [f.id for f in doc.findings if where.get(f.id) == n],
            }
        )
    return rows


def jsonl(rows: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


# Parquet names a list's items "element": naming them so here makes the schema read back unchanged.
_LIST_STR = pa.list_(pa.field("element", pa.string(), nullable=False))
_LIST_INT = pa.list_(pa.field("element", pa.int32(), nullable=False))


def _field(name: str, type_: pa.DataType, doc: str, *, nullable: bool = False) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": doc})


#: One row per aligned pair of every document of a run.
PAIRS_SCHEMA = pa.schema(
    [
        _field("doc_id", pa.string(), "SHA-256 of the inbox file's bytes"),
        _field("source", pa.string(), "file name of the inbox file"),
        _field("pair_index", pa.int32(), "position of the pair in the document's alignment (0-based)"),
        _field("shape", pa.string(), "RU-KK segment counts of the pair: 1-1, 2-1, 1-0, 0-1..."),
        _field("ru_ids", _LIST_STR, "segment ids of the RU side, in reading order"),
        _field("kk_ids", _LIST_STR, "segment ids of the KK side, in reading order"),
        _field("ru_text", pa.string(), "RU text (segments joined by a newline; empty when none)"),
        _field("kk_text", pa.string(), "KK text (segments joined by a newline; empty when none)"),
        _field("ru_pages", _LIST_INT, "pages the RU side is on"),
        _field("kk_pages", _LIST_INT, "pages the KK side is on"),
        _field("score", pa.float64(), "alignment score (cosine similarity of the sides; 0 for 1-0 and 0-1)"),
        _field("findings", pa.int32(), "number of findings shown under this pair"),
        _field("max_severity", pa.string(), "highest severity among those findings (high, medium, low)", nullable=True),
    ],
    metadata={"qostil.feed_version": str(FEED_VERSION), "description": "qostil aligned RU/KK pairs"},
)


def pairs_table(docs: Iterable[PublishedDocument]) -> pa.Table:
    """All pairs of ``docs`` as an Arrow table with :data:`PAIRS_SCHEMA`."""
    cols: dict[str, list[Any]] = {f.name: [] for f in PAIRS_SCHEMA}
    order = {"high": 0, "medium": 1, "low": 2}
    for doc in docs:
        sev = {f.id: f.severity for f in doc.findings}
        for row in pair_rows(doc):
            levels = sorted((sev[i] for i in row["findings"]), key=lambda s: order.get(s, 9))
            values = {
                "doc_id": doc.doc_id,
                "source": doc.name,
                "pair_index": row["index"],
                "shape": row["shape"],
                "ru_ids": row["ru_ids"],
                "kk_ids": row["kk_ids"],
                "ru_text": row["ru_text"],
                "kk_text": row["kk_text"],
                "ru_pages": row["ru_pages"],
                "kk_pages": row["kk_pages"],
                "score": float(row["score"]),
                "findings": len(row["findings"]),
                "max_severity": levels[0] if levels else None,
            }
            for k, v in values.items():
                cols[k].append(v)
    return pa.Table.from_pydict(cols, schema=PAIRS_SCHEMA)


def write_pairs_parquet(path: Path, docs: Iterable[PublishedDocument]) -> Path:
    """Write the run's pairs to ``path`` (via a temporary file and a rename)."""
    with atomic_target(path) as tmp:
        pq.write_table(pairs_table(docs), tmp, compression="zstd")
    return path

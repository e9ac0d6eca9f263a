"""Writing a document's results: atomic files in ``OUT/<doc-id>/`` and the ``done.json`` marker.

A file is written to a temporary name and renamed, so a crash never leaves a
half-written result; ``done.json`` is written last, so a document is "done"
only when everything else is on disk.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qostil.records import Discrepancy, Pair, Segment

DONE_MARKER = "done.json"


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """What one processed document produced and where it went."""

    doc_id: str
    source: str
    out_dir: str
    pages: int
    ru_segments: int
    kk_segments: int
    pairs: int
    discrepancies: int


def write_atomic(path: Path, data: str) -> None:
    """Write text to ``path`` via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def segments_text(segments: Sequence[Segment]) -> str:
    """Cleaned text: one segment per paragraph, paragraphs separated by a blank line."""
    return "".join(f"{s.text}\n\n" for s in segments)


def pairs_json(pairs: Sequence[Pair], ru: Sequence[Segment], kk: Sequence[Segment]) -> dict[str, Any]:
    return {
        "pairs": [
            {
                "ru": list(p.ru),
                "kk": list(p.kk),
                "score": round(p.score, 4),
                "ru_ids": [ru[i].id for i in p.ru],
                "kk_ids": [kk[i].id for i in p.kk],
                "ru_text": "\n".join(ru[i].text for i in p.ru),
                "kk_text": "\n".join(kk[i].text for i in p.kk),
            }
            for p in pairs
        ]
    }


def discrepancies_json(findings: Sequence[Discrepancy]) -> dict[str, Any]:
    return {"discrepancies": [f.to_json() for f in findings]}


def is_done(out_dir: Path, doc_id: str) -> bool:
    return (out_dir / doc_id / DONE_MARKER).is_file()


def write_document(
    out_dir: Path,
    result: DocumentResult,
    *,
    ru: Sequence[Segment],
    kk: Sequence[Segment],
    other: Sequence[Segment],
    pairs: Sequence[Pair],
    findings: Sequence[Discrepancy],
) -> Path:
    """Write every per-document file, then the ``done.json`` marker; return the folder."""
    folder = out_dir / result.doc_id
    write_atomic(folder / "ru.txt", segments_text(ru))
    write_atomic(folder / "kk.txt", segments_text(kk))
    write_atomic(folder / "pairs.json", _json(pairs_json(pairs, ru, kk)))
    write_atomic(folder / "discrepancies.json", _json(discrepancies_json(findings)))
    segments = [*ru, *kk, *other]
    write_atomic(
        folder / "segments.jsonl",
        "".join(json.dumps(s.to_json(), ensure_ascii=False) + "\n" for s in segments),
    )
    write_atomic(folder / DONE_MARKER, _json(
        {
            "doc_id": result.doc_id,
            "source": result.source,
            "pages": result.pages,
            "ru_segments": result.ru_segments,
            "kk_segments": result.kk_segments,
            "pairs": result.pairs,
            "discrepancies": result.discrepancies,
        }
    ))
    return folder

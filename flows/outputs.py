"""Writing a document's results: atomic files in ``OUT/<doc-id>/`` and the ``done.json`` marker.

A file is written to a temporary name and renamed, so a crash never leaves a
half-written result; ``done.json`` is written last, so a document is "done"
only when everything else is on disk. The readers' files (report, TMX, feed)
come from ``publish/``; the database rows from ``store/``; the Prefect
artifacts are created here, the only module of the publishers that knows Prefect.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from publish.document import PublishedDocument
from qostil.atomic import write_atomic
from qostil.records import Discrepancy, Pair, ReadGeometry, Segment

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


def published_document(
    result: DocumentResult,
    *,
    ru: Sequence[Segment],
    kk: Sequence[Segment],
    other: Sequence[Segment],
    pairs: Sequence[Pair],
    findings: Sequence[Discrepancy],
    dpi: int = 300,
    geometry: Sequence[ReadGeometry] = (),
) -> PublishedDocument:
    """The publishers' view of one processed document."""
    return PublishedDocument(
        doc_id=result.doc_id,
        source=result.source,
        pages=result.pages,
        ru=tuple(ru),
        kk=tuple(kk),
        other=tuple(other),
        pairs=tuple(pairs),
        findings=tuple(findings),
        dpi=dpi,
        geometry=tuple(geometry),
    )


def write_document(out_dir: Path, result: DocumentResult, doc: PublishedDocument) -> Path:
    """Write every per-document file of ``doc``, then the ``done.json`` marker; return the folder.

    Files: ru.txt, kk.txt, pairs.json, discrepancies.json, segments.jsonl,
    pairs.jsonl, pairs.tmx, report.html, done.json.
    """
    from publish.feed import jsonl, segment_rows
    from publish.files import publish_document_files

    folder = out_dir / result.doc_id
    write_atomic(folder / "ru.txt", segments_text(doc.ru))
    write_atomic(folder / "kk.txt", segments_text(doc.kk))
    write_atomic(folder / "pairs.json", _json(pairs_json(doc.pairs, doc.ru, doc.kk)))
    write_atomic(folder / "discrepancies.json", _json(discrepancies_json(doc.findings)))
    write_atomic(folder / "segments.jsonl", jsonl(segment_rows(doc)))
    publish_document_files(out_dir, doc)
    write_atomic(folder / DONE_MARKER, _json(
        {
            "doc_id": result.doc_id,
            "source": result.source,
            "pages": result.pages,
            "ru_segments": result.ru_segments,
            "kk_segments": result.kk_segments,
            "pairs": result.pairs,
            "discrepancies": result.discrepancies,
            "dpi": doc.dpi,
            "page_geometry": [g.to_json() for g in doc.geometry],
        }
    ))
    return folder


def store_document(out_dir: Path, doc: PublishedDocument) -> str:
    """Store ``doc`` in the results database (``QOSTIL_DB_URL`` or ``OUT/qostil.db``); return its URL."""
    from store.db import database_url, open_store

    with open_store(database_url(out_dir)) as db:
        db.save_document(doc)
        return db.url


def publish_artifacts(doc: PublishedDocument, report: Path) -> None:
    """One keyed Prefect artifact per document: its counts, a link to its report and a table of its
    findings, as markdown. One and not three (a table artifact and a link artifact beside it said the
    same): each artifact costs the Prefect server about 40 ms of CPU, taken from the pages at 2 workers."""
    from prefect.artifacts import create_markdown_artifact

    from publish.summary import artifact_key, findings_markdown

    create_markdown_artifact(
        key=artifact_key(doc, "summary"),
        markdown=findings_markdown(doc, report_link=report.resolve().as_uri()),
        description=f"qostil findings of {doc.name}",
    )


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What a run did, file by file, for the run files and the database."""

    run_id: str
    inbox: str
    started_at: datetime | None
    processed: tuple[tuple[str, str], ...]  # (path, doc_id)
    skipped: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]  # (path, why)


def write_run(out_dir: Path, run: RunOutcome) -> Path:
    """The run's own files over every finished document in ``out_dir`` and its row in the database; the index page."""
    from flows.inbox import run_hash_cache
    from publish.files import publish_run_files
    from store.db import RunRecord, database_url, open_store

    url = database_url(out_dir)
    with open_store(url) as db:
        skipped = []
        hashes = run_hash_cache(out_dir)  # the skipped files were hashed when the inbox was sorted
        for path in run.skipped:
            try:
                skipped.append((path, hashes.sha256(Path(path))))
            except OSError:
                skipped.append((path, None))
        db.save_run(
            RunRecord(
                id=run.run_id,
                inbox=run.inbox,
                out_dir=str(out_dir),
                started_at=run.started_at,
                finished_at=datetime.now(timezone.utc),
                processed=run.processed,
                skipped=skipped,
                failed=run.failed,
            )
        )
        shown = db.url
    files = publish_run_files(out_dir, skipped=run.skipped, failed=dict(run.failed), database=shown)
    return files.index

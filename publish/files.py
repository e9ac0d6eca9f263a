"""Where each publication goes: the per-document files and the per-run files of ``OUT``.

``OUT/<doc-id>/``: ``report.html``, ``pairs.tmx``, ``pairs.jsonl`` (besides the
files ``flows.outputs`` writes). ``OUT/``: ``index.html``, ``findings.xlsx``,
``pairs.parquet``, rebuilt from every finished document folder.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from publish.document import PublishedDocument, iter_documents
from publish.feed import jsonl, pair_rows, write_pairs_parquet
from publish.html import INDEX_NAME, REPORT_NAME, RunFiles, render_index, render_report
from publish.tmx import document_tmx
from publish.xlsx import write_findings_xlsx
from qostil.atomic import write_atomic

log = logging.getLogger(__name__)

TMX_NAME = "pairs.tmx"
PAIRS_JSONL = "pairs.jsonl"
XLSX_NAME = "findings.xlsx"
PARQUET_NAME = "pairs.parquet"


def publish_document_files(out_dir: Path, doc: PublishedDocument) -> dict[str, Path]:
    """Write the document's report, TMX and pairs feed into ``out_dir/<doc-id>/``; return them by name."""
    folder = out_dir / doc.doc_id
    return {
        "report": write_atomic(folder / REPORT_NAME, render_report(doc, index_href=f"../{INDEX_NAME}")),
        "tmx": write_atomic(folder / TMX_NAME, document_tmx(doc)),
        "pairs": write_atomic(folder / PAIRS_JSONL, jsonl(pair_rows(doc))),
    }


@dataclass(frozen=True, slots=True)
class RunPublication:
    """The run-level files written and what they cover."""

    index: Path
    xlsx: Path
    parquet: Path
    documents: int
    findings: int


def publish_run_files(
    out_dir: Path,
    *,
    skipped: Sequence[str] = (),
    failed: dict[str, str] | None = None,
    database: str | None = None,
    title: str = "qostil run",
) -> RunPublication:
    """Rebuild ``index.html``, ``findings.xlsx`` and ``pairs.parquet`` over every finished document in ``out_dir``."""
    docs = list(iter_documents(out_dir))
    rows = write_findings_xlsx(out_dir / XLSX_NAME, docs)
    write_pairs_parquet(out_dir / PARQUET_NAME, docs)
    index = write_atomic(
        out_dir / INDEX_NAME,
        render_index(
            docs,
            title=title,
            files=RunFiles(xlsx=XLSX_NAME, parquet=PARQUET_NAME, database=database),
            skipped=skipped,
            failed=failed,
        ),
    )
    log.info("run files: %d document(s), %d finding(s) in %s", len(docs), rows, out_dir)
    return RunPublication(index, out_dir / XLSX_NAME, out_dir / PARQUET_NAME, len(docs), rows)

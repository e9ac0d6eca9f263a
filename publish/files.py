"""Where each publication goes: the per-document files and the per-run files of ``OUT``.

``OUT/<doc-id>/``: ``report.html``, ``pairs.tmx``, ``pairs.jsonl`` (besides the
files ``flows.outputs`` writes). ``OUT/``: ``index.html``, ``findings.xlsx``,
``pairs.parquet``, over every finished document folder (rebuilt when those change; ``.run-files.json``
says from what they were built; the translators' verdicts in the workbook are carried over:
``publish/verdicts.py``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from publish.document import PublishedDocument, iter_documents
from publish.feed import jsonl, pair_rows, write_pairs_parquet
from publish.html import INDEX_NAME, REPORT_NAME, IndexRow, RunFiles, render_index, render_report
from publish.tmx import document_tmx
from publish.verdicts import verdicts_before_rebuild
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
    """Write ``index.html`` over every finished document in ``out_dir``, and ``findings.xlsx`` and
    ``pairs.parquet`` when the finished documents changed since they were built.

    ``.run-files.json`` records which documents (their ``done.json``) the files were built from and each
    one's line on the summary page. A run that finished nothing new (a rerun, an empty inbox) renders the
    page from those lines and reads no document: over 50 finished 3-page filings, rebuilding everything
    took 5 s a run, and it grows with the outbox."""
    finished = _finished(out_dir)
    xlsx, parquet = out_dir / XLSX_NAME, out_dir / PARQUET_NAME
    kept = _read_state(out_dir, finished, _stamp(xlsx)) if parquet.is_file() else None
    if kept is not None:
        lines, findings = kept
    else:
        docs = list(iter_documents(out_dir, words=False))  # nothing here uses the words
        findings = write_findings_xlsx(xlsx, docs, verdicts=verdicts_before_rebuild(xlsx))
        write_pairs_parquet(parquet, docs)
        lines = [IndexRow.of(d) for d in docs]
        state = {"version": STATE_VERSION, "documents": finished, "workbook": _stamp(xlsx), "findings": findings,
                 "lines": [asdict(line) for line in lines]}
        write_atomic(out_dir / RUN_FILES_STATE, json.dumps(state, ensure_ascii=False))  # after the files it describes
    index = write_atomic(
        out_dir / INDEX_NAME,
        render_index(
            lines,
            title=title,
            files=RunFiles(xlsx=XLSX_NAME, parquet=PARQUET_NAME, database=database),
            skipped=skipped,
            failed=failed,
        ),
    )
    log.info("run files: %d document(s), %d finding(s) in %s", len(lines), findings, out_dir)
    return RunPublication(index, xlsx, parquet, len(lines), findings)


RUN_FILES_STATE = ".run-files.json"
STATE_VERSION = 2


def _finished(out_dir: Path) -> dict[str, list[int]]:
    """Each finished document folder's ``done.json`` as (modification time in ns, size): a document
    published again, added or removed changes this."""
    found = {done.parent.name: _stamp(done) for done in out_dir.glob("*/done.json")}
    return {name: stamp for name, stamp in sorted(found.items()) if stamp is not None}


def _stamp(path: Path) -> list[int] | None:
    """A file's (modification time in ns, size); None when it is not there."""
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size]


def _read_state(out_dir: Path, finished: dict[str, list[int]], workbook: list[int] | None) -> tuple[list[IndexRow], int] | None:
    """The kept index lines and findings count when they were built from ``finished`` and the workbook is
    the one then written (``workbook``: its stamp now); None when there is no state file, it is damaged or
    edited (not this version's JSON), the documents changed, or the workbook is gone or was saved since:
    rebuild. A workbook saved since may be a copy opened in Excel before the last rebuild and saved after
    it, without that rebuild's rows: rebuilt, it has every finding again and keeps what was typed."""
    try:
        state = json.loads((out_dir / RUN_FILES_STATE).read_text(encoding="utf-8"))
        if state["version"] != STATE_VERSION or state["documents"] != finished:
            return None
        if workbook is None or state["workbook"] != workbook:
            return None
        return [IndexRow.from_json(line) for line in state["lines"]], int(state["findings"])
    except (OSError, ValueError, KeyError, TypeError):
        return None

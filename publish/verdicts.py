"""Translators' verdicts in ``findings.xlsx``, carried over when a run rebuilds the workbook.

The workbook is rebuilt from the finished documents whenever they change (a night that finishes new
filings), and translators type their verdict and a note into its rows. So before a rebuild the verdicts
are read back, keyed by document id and finding id, and put into the same finding's new row; a verdict
whose finding is gone (its document was processed again and the finding no longer arises, or the
document's folder was removed) goes to the sheet "Earlier verdicts" with what the row said, and stays
there through later rebuilds. A workbook that cannot be read is set aside under another name, never
overwritten.
"""

from __future__ import annotations

import logging
import os
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from qostil.errors import QostilError

log = logging.getLogger(__name__)

KEPT_SHEET = "Earlier verdicts"
KEY_COLUMNS = ("Document id", "Finding")
"""The columns that say which finding a row is."""
TYPED_COLUMNS = ("Verdict", "Translator note")
"""The columns translators type into."""
CONTEXT = ("Document", "Kind", "RU text", "KK text", "Message")
"""The columns of a finding's row kept beside its verdict when the finding is gone."""
KEPT_COLUMNS = (*KEY_COLUMNS, *CONTEXT, *TYPED_COLUMNS)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a translator typed for one finding, and what its row said then."""

    doc_id: str
    finding: str
    verdict: str | None
    note: str | None
    context: tuple[str | None, ...]
    """The row's :data:`CONTEXT` columns, in that order."""

    @property
    def key(self) -> tuple[str, str]:
        return self.doc_id, self.finding

    def kept_row(self) -> tuple[str | None, ...]:
        """Its row in the sheet of earlier verdicts (:data:`KEPT_COLUMNS`)."""
        return (self.doc_id, self.finding, *self.context, self.verdict, self.note)


class UnreadableWorkbookError(QostilError):
    """The workbook is not one qostil can read verdicts from (damaged, or not an XLSX file)."""


def read_verdicts(path: Path) -> dict[tuple[str, str], Verdict]:
    """Every finding with a verdict or a note in ``path``, by (document id, finding id); the Findings
    sheet wins over the sheet of earlier verdicts. A sheet without the key columns is passed over (a
    translator's own sheet)."""
    try:
        wb = load_workbook(path, read_only=True)  # what was typed, a formula as its text
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise UnreadableWorkbookError(f"{path.name}: cannot be read as a workbook ({type(e).__name__}: {e})") from e
    found: dict[tuple[str, str], Verdict] = {}
    try:
        for name in (KEPT_SHEET, "Findings"):
            if name in wb.sheetnames:
                for v in _sheet_verdicts(wb[name]):
                    found[v.key] = v
    finally:
        wb.close()
    return found


def _sheet_verdicts(ws) -> list[Verdict]:  # noqa: ANN001 - an openpyxl read-only worksheet
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    col = {h: i for i, h in enumerate(header) if isinstance(h, str)}
    if not all(h in col for h in (*KEY_COLUMNS, *TYPED_COLUMNS)):
        return []

    def cell(row: tuple, name: str) -> str | None:  # noqa: ANN001
        i = col.get(name)
        value = row[i] if i is not None and i < len(row) else None
        return None if value is None or str(value).strip() == "" else str(value)

    out = []
    for row in rows:
        doc_id, finding = (cell(row, name) for name in KEY_COLUMNS)
        verdict, note = (cell(row, name) for name in TYPED_COLUMNS)
        if doc_id and finding and (verdict or note):
            out.append(Verdict(doc_id, finding, verdict, note, tuple(cell(row, c) for c in CONTEXT)))
    return out


def verdicts_before_rebuild(path: Path) -> dict[tuple[str, str], Verdict]:
    """The verdicts of the workbook about to be rebuilt at ``path`` (none when there is none). One that
    cannot be read is moved aside to ``findings.unreadable-<UTC time>.xlsx`` (logged), so whatever a
    translator typed into it is still there to copy by hand."""
    if not path.is_file():
        return {}
    try:
        return read_verdicts(path)
    except UnreadableWorkbookError as e:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        aside = path.with_name(f"{path.stem}.unreadable-{stamp}{path.suffix}")
        os.replace(path, aside)
        log.warning("%s; moved to %s and a new workbook written (copy any verdicts from it by hand)", e, aside.name)
        return {}


__all__ = [
    "CONTEXT", "KEPT_COLUMNS", "KEPT_SHEET", "KEY_COLUMNS", "TYPED_COLUMNS", "UnreadableWorkbookError", "Verdict",
    "read_verdicts", "verdicts_before_rebuild",
]

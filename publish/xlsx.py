"""The run's findings workbook: one row per finding, with columns for the translator's verdict.

Every text from a scan is written as a string cell: a text that starts with
``=`` stays text (no formula injection) and control characters Excel rejects
are replaced.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from publish.document import PublishedDocument
from publish.html import CAUSE_LABELS, REPORT_NAME
from publish.verdicts import KEPT_COLUMNS, KEPT_SHEET, TYPED_COLUMNS, Verdict
from qostil.atomic import atomic_target
from qostil.records import Discrepancy, Mention

VERDICTS = ("OCR error", "translation error", "fine")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

#: (header, width, wrap) of the findings sheet, in order.
COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("Document", 26, True),
    ("Finding", 18, False),
    ("Kind", 14, False),
    ("Severity", 10, False),
    ("Cause", 18, False),
    ("RU page", 8, False),
    ("KK page", 8, False),
    ("RU text", 28, True),
    ("KK text", 28, True),
    ("Message", 50, True),
    ("RU paragraph", 60, True),
    ("KK paragraph", 60, True),
    ("OCR confidence", 11, False),
    ("Report", 12, False),
    ("Verdict", 18, False),
    ("Translator note", 40, True),
    ("Document id", 20, False),
)
HEADERS = tuple(c[0] for c in COLUMNS)
_TOP, _TOP_WRAP = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
"""Made once: a new one per cell was a fifth of the workbook's time."""
_SEVERITY_FILL = {
    "high": PatternFill("solid", fgColor="FFD6D6"),
    "medium": PatternFill("solid", fgColor="FFE3C2"),
    "low": PatternFill("solid", fgColor="FFF4C2"),
}


def cell_text(text: str | None) -> str | None:
    return None if text is None else _ILLEGAL.sub(" ", text)


def _put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = cell_text(value)
        cell.data_type = "s"  # never a formula, whatever the scan said
    else:
        cell.value = value


def _sides(doc: PublishedDocument, f: Discrepancy) -> dict[str, tuple[Mention, str, str]]:
    """The finding's mentions by column (ru, kk) as (mention, prefix, paragraph text).

    A finding within one language has two mentions of that language: the second
    goes to the other column, prefixed with its language (``[RU] ``).
    """
    out: dict[str, tuple[Mention, str, str]] = {}
    for m in (f.left, f.right):
        if m is None:
            continue
        seg = doc.segment_of(m)
        col = m.lang if m.lang in ("ru", "kk") and m.lang not in out else ("kk" if "ru" in out else "ru")
        prefix = "" if col == m.lang else f"[{m.lang.upper()}] "
        out[col] = (m, prefix, seg.text if seg else "")
    return out


def finding_row(doc: PublishedDocument, f: Discrepancy, *, report_href: str) -> list[Any]:
    sides = _sides(doc, f)
    ru, kk = sides.get("ru"), sides.get("kk")

    def text(side: tuple[Mention, str, str] | None) -> str:
        return "" if side is None else side[1] + side[0].text

    def para(side: tuple[Mention, str, str] | None) -> str:
        return "" if side is None else side[1] + side[2]

    confs = [m.conf for m in (f.left, f.right) if m is not None and m.conf is not None]
    return [
        doc.name,
        f.id,
        f.kind.replace("_", " "),
        f.severity,
        CAUSE_LABELS.get(f.cause, f.cause),
        ru[0].page if ru else None,
        kk[0].page if kk else None,
        text(ru),
        text(kk),
        f.message,
        para(ru),
        para(kk),
        round(min(confs), 1) if confs else None,
        report_href,
        None,
        None,
        doc.doc_id,
    ]


def _header(ws: Worksheet, columns: Sequence[tuple[str, float, bool]]) -> None:
    for col, (header, width, _wrap) in enumerate(columns, 1):
        cell = ws.cell(row=1, column=col, value=header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="2F3B52")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width


def _sheet_findings(
    ws: Worksheet, docs: Sequence[PublishedDocument], href: str, verdicts: dict[tuple[str, str], Verdict]
) -> tuple[int, set[tuple[str, str]]]:
    """The findings, one a row, each with the verdict and note typed for it before; returns the number
    of rows and the keys of the verdicts put back."""
    ws.title = "Findings"
    _header(ws, COLUMNS)
    row = 1
    report_col = HEADERS.index("Report") + 1
    sev_col = HEADERS.index("Severity") + 1
    typed = tuple(HEADERS.index(name) for name in TYPED_COLUMNS)
    used: set[tuple[str, str]] = set()
    for doc in docs:
        for f in doc.findings:
            row += 1
            link = href.format(doc_id=doc.doc_id) + f"#f-{f.id}"
            values = finding_row(doc, f, report_href=link)
            if (kept := verdicts.get((doc.doc_id, f.id))) is not None:
                values[typed[0]], values[typed[1]] = kept.verdict, kept.note
                used.add(kept.key)
            for col, value in enumerate(values, 1):
                _put(ws, row, col, value)
                ws.cell(row=row, column=col).alignment = _TOP_WRAP if COLUMNS[col - 1][2] else _TOP
            cell = ws.cell(row=row, column=report_col, value="open")
            cell.hyperlink = link
            cell.style = "Hyperlink"
            cell.alignment = _TOP
            if f.severity in _SEVERITY_FILL:
                ws.cell(row=row, column=sev_col).fill = _SEVERITY_FILL[f.severity]
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(row, 2)}"
    verdict = DataValidation(
        type="list",
        formula1='"' + ",".join(VERDICTS) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Verdict",
        error="Choose OCR error, translation error or fine.",
        promptTitle="Verdict",
        prompt="Was this an OCR error, a translation error, or fine?",
        showInputMessage=True,
    )
    col = get_column_letter(HEADERS.index("Verdict") + 1)
    verdict.add(f"{col}2:{col}{max(row, 2) + 500}")
    ws.add_data_validation(verdict)
    return row - 1, used


def _sheet_earlier_verdicts(ws: Worksheet, verdicts: Sequence[Verdict]) -> None:
    """Verdicts whose findings are no longer in any finished document, with what their rows said."""
    spec = {c[0]: c for c in COLUMNS}  # each kept column as wide and wrapped as on the Findings sheet
    _header(ws, [spec[name] for name in KEPT_COLUMNS])
    for row, v in enumerate(sorted(verdicts, key=lambda v: v.key), 2):
        for col, value in enumerate(v.kept_row(), 1):
            _put(ws, row, col, value)
    ws.freeze_panes = "A2"


def _sheet_documents(ws: Worksheet, docs: Sequence[PublishedDocument], href: str) -> None:
    headers = ("Document", "Pages", "RU paragraphs", "KK paragraphs", "Pairs", "Findings", "High", "Report", "Document id")
    widths = (34, 8, 14, 14, 8, 10, 8, 10, 70)
    for col, (h, w) in enumerate(zip(headers, widths), 1):
        ws.cell(row=1, column=col, value=h).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = w
    for row, doc in enumerate(docs, 2):
        values = (doc.name, doc.pages, len(doc.ru), len(doc.kk), len(doc.pairs), len(doc.findings),
                  sum(f.severity == "high" for f in doc.findings), "open", doc.doc_id)
        for col, v in enumerate(values, 1):
            _put(ws, row, col, v)
        cell = ws.cell(row=row, column=8)
        cell.hyperlink = href.format(doc_id=doc.doc_id)
        cell.style = "Hyperlink"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:I{max(2, len(docs) + 1)}"


def write_findings_xlsx(
    path: Path,
    docs: Sequence[PublishedDocument],
    *,
    report_href: str = "{doc_id}/" + REPORT_NAME,
    verdicts: dict[tuple[str, str], Verdict] | None = None,
) -> int:
    """Write the workbook (sheets Findings and Documents); return the number of finding rows.

    ``verdicts`` (:func:`publish.verdicts.verdicts_before_rebuild`) go back into their findings' rows;
    those whose findings are gone fill the sheet "Earlier verdicts"."""
    verdicts = verdicts or {}
    wb = Workbook()
    rows, used = _sheet_findings(wb.active, docs, report_href, verdicts)
    _sheet_documents(wb.create_sheet("Documents"), docs, report_href)
    if orphans := [v for k, v in verdicts.items() if k not in used]:
        _sheet_earlier_verdicts(wb.create_sheet(KEPT_SHEET), orphans)
    with atomic_target(path) as tmp:
        wb.save(tmp)
    return rows

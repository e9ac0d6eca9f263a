"""The run's XLSX, each document's TMX, the JSON Lines feed and the Parquet file, read back with their own readers."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from flows.outputs import DocumentResult, write_document
from publish.demo import build_demo
from publish.document import load_document
from publish.feed import PAIRS_SCHEMA, schema
from publish.files import publish_run_files
from publish.xlsx import HEADERS, VERDICTS, write_findings_xlsx
from qostil.records import Discrepancy, Mention, Pair, Segment


def _write(out: Path, doc) -> None:  # noqa: ANN001
    result = DocumentResult(
        doc_id=doc.doc_id, source=doc.source, out_dir=str(out / doc.doc_id), pages=doc.pages,
        ru_segments=len(doc.ru), kk_segments=len(doc.kk), pairs=len(doc.pairs), discrepancies=len(doc.findings),
    )
    write_document(out, result, doc)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    doc = build_demo(tmp_path_factory.mktemp("inbox"))
    _write(out, doc)
    files = publish_run_files(out)
    return out, doc, files


def test_run_files_are_rebuilt_only_when_the_finished_documents_change(tmp_path):
    out = tmp_path / "out"
    doc = build_demo(tmp_path / "inbox")
    _write(out, doc)
    first = publish_run_files(out)
    assert first.documents == 1 and (out / ".run-files.json").is_file()
    built = (out / "findings.xlsx").stat().st_mtime_ns, (out / "pairs.parquet").stat().st_mtime_ns

    # a run that finished nothing new reads no document (a damaged one goes unnoticed) and keeps the files
    (out / doc.doc_id / "segments.jsonl").write_text("not JSON", encoding="utf-8")
    again = publish_run_files(out, skipped=["inbox/again.pdf"])
    page = (out / "index.html").read_text(encoding="utf-8")
    assert (again.documents, again.findings) == (1, first.findings)
    assert doc.name in page and "again.pdf" in page and f"<b>{len(doc.findings)}</b>" in page
    assert ((out / "findings.xlsx").stat().st_mtime_ns, (out / "pairs.parquet").stat().st_mtime_ns) == built

    # a new finished document: everything is rebuilt from the documents (the damaged one is left out)
    other = replace(doc, doc_id="b" * 64)
    _write(out, other)
    third = publish_run_files(out)
    assert third.documents == 1 and third.findings == len(other.findings)
    assert load_workbook(out / "findings.xlsx")["Findings"].max_row == 1 + len(other.findings)
    assert pq.read_table(out / "pairs.parquet").column("doc_id").to_pylist() == ["b" * 64] * len(other.pairs)

    # the page without its state file, or with a damaged one, is rebuilt too
    state = out / ".run-files.json"
    state.unlink()
    assert publish_run_files(out).documents == 1 and state.is_file()
    edited = {k: v for k, v in json.loads(state.read_text(encoding="utf-8")).items() if k != "lines"}
    state.write_text(json.dumps(edited), encoding="utf-8")
    assert publish_run_files(out).documents == 1 and len(json.loads(state.read_text(encoding="utf-8"))["lines"]) == 1


def _type_verdicts(xlsx: Path, typed: dict[str, tuple[str | None, str | None]]) -> None:
    """What a translator does: open the workbook, type a verdict and a note into some findings' rows, save."""
    wb = load_workbook(xlsx)
    ws = wb["Findings"]
    col = {h: i + 1 for i, h in enumerate(HEADERS)}
    for row in range(2, ws.max_row + 1):
        if (finding := ws.cell(row=row, column=col["Finding"]).value) in typed:
            verdict, note = typed[finding]
            ws.cell(row=row, column=col["Verdict"], value=verdict)
            ws.cell(row=row, column=col["Translator note"], value=note)
    wb.save(xlsx)


def _typed_rows(xlsx: Path, sheet: str = "Findings") -> dict[tuple[str, str], tuple[str | None, str | None]]:
    rows = list(load_workbook(xlsx)[sheet].iter_rows(values_only=True))
    body = [dict(zip(rows[0], r)) for r in rows[1:]]
    return {(r["Document id"], r["Finding"]): (r["Verdict"], r["Translator note"]) for r in body}


def test_translators_verdicts_survive_every_rebuild_of_the_workbook(tmp_path):
    out = tmp_path / "out"
    doc = build_demo(tmp_path / "inbox")
    _write(out, doc)
    publish_run_files(out)
    xlsx = out / "findings.xlsx"
    kept, gone = doc.findings[0].id, doc.findings[-1].id
    _type_verdicts(xlsx, {kept: ("OCR error", "the scan is smudged"), gone: ("translation error", "=1+1 not a formula")})

    # a new document finished: the workbook is rebuilt with both documents, the verdicts in their rows
    other = replace(doc, doc_id="b" * 64)
    _write(out, other)
    assert publish_run_files(out).findings == 2 * len(doc.findings)
    rows = _typed_rows(xlsx)
    assert rows[(doc.doc_id, kept)] == ("OCR error", "the scan is smudged")
    assert rows[(doc.doc_id, gone)] == ("translation error", "=1+1 not a formula")
    assert rows[(other.doc_id, kept)] == (None, None)  # the same finding of another document has none
    assert not [c for r in load_workbook(xlsx)["Findings"].iter_rows() for c in r if c.data_type == "f"]  # text stays text
    assert "Earlier verdicts" not in load_workbook(xlsx).sheetnames

    # the first document processed again without one of its findings: that verdict is kept apart, with its row
    _write(out, replace(doc, findings=doc.findings[:-1]))
    publish_run_files(out)
    rows = _typed_rows(xlsx)
    assert rows[(doc.doc_id, kept)] == ("OCR error", "the scan is smudged") and (doc.doc_id, gone) not in rows
    earlier = _typed_rows(xlsx, "Earlier verdicts")
    assert earlier == {(doc.doc_id, gone): ("translation error", "=1+1 not a formula")}
    row = list(load_workbook(xlsx)["Earlier verdicts"].iter_rows(values_only=True))[1]
    assert doc.name in row and doc.findings[-1].message in row

    # and it stays there through the next rebuild
    _write(out, replace(other, doc_id="c" * 64))
    publish_run_files(out)
    assert _typed_rows(xlsx, "Earlier verdicts") == earlier
    assert _typed_rows(xlsx)[(doc.doc_id, kept)] == ("OCR error", "the scan is smudged")


def test_a_workbook_saved_over_the_rebuilt_one_is_rebuilt_at_the_next_run(tmp_path):
    """A translator opens findings.xlsx, the night's run rebuilds it with a new document, then the
    translator saves the copy they had open: the next run, with nothing new, rebuilds it again, with
    both documents' rows and the verdict typed into the old copy."""
    out = tmp_path / "out"
    doc = build_demo(tmp_path / "inbox")
    _write(out, doc)
    publish_run_files(out)
    xlsx = out / "findings.xlsx"
    opened = xlsx.read_bytes()  # the copy open in Excel

    other = replace(doc, doc_id="b" * 64)
    _write(out, other)
    assert publish_run_files(out).findings == 2 * len(doc.findings)
    untouched = xlsx.stat().st_mtime_ns
    publish_run_files(out)  # nothing new, nobody saved: kept as it is
    assert xlsx.stat().st_mtime_ns == untouched

    xlsx.write_bytes(opened)  # saved over the rebuilt workbook: the new document's rows are gone
    finding = doc.findings[0].id
    _type_verdicts(xlsx, {finding: ("fine", "declension")})
    assert {d for d, _f in _typed_rows(xlsx)} == {doc.doc_id}

    assert publish_run_files(out).findings == 2 * len(doc.findings)
    rows = _typed_rows(xlsx)
    assert {d for d, _f in rows} == {doc.doc_id, other.doc_id}
    assert rows[(doc.doc_id, finding)] == ("fine", "declension")
    rebuilt = xlsx.stat().st_mtime_ns
    publish_run_files(out)  # and then kept again
    assert xlsx.stat().st_mtime_ns == rebuilt


def test_an_unreadable_workbook_is_set_aside_not_overwritten(tmp_path, caplog):
    out = tmp_path / "out"
    doc = build_demo(tmp_path / "inbox")
    _write(out, doc)
    (out / "findings.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (out / "pairs.parquet").write_bytes(b"")  # both files there, no state file: a rebuild
    assert publish_run_files(out).findings == len(doc.findings)
    (aside,) = out.glob("findings.unreadable-*.xlsx")
    assert aside.read_bytes() == b"PK\x03\x04 not really a workbook"
    assert load_workbook(out / "findings.xlsx")["Findings"].max_row == 1 + len(doc.findings)
    assert "cannot be read as a workbook" in caplog.text and aside.name in caplog.text


def test_document_folder_reads_back_as_written(run):
    out, doc, _ = run
    again = load_document(out / doc.doc_id)
    assert again == doc


def test_a_document_read_without_its_words_differs_only_by_them(run):
    """What the run's files are built from (publish_run_files reads every finished document)."""
    from publish.feed import pair_rows
    from publish.html import IndexRow
    from publish.xlsx import finding_row

    out, doc, _ = run
    light = load_document(out / doc.doc_id, words=False)
    assert any(s.words for s in doc.ru) and not any(s.words or s.bboxes for s in (*light.ru, *light.kk, *light.other))

    def bare(segs):  # noqa: ANN001, ANN202
        return tuple(s.with_(words=(), bboxes=()) for s in segs)

    assert light == replace(doc, ru=bare(doc.ru), kk=bare(doc.kk), other=bare(doc.other))
    assert pair_rows(light) == pair_rows(doc) and IndexRow.of(light) == IndexRow.of(doc)
    assert [finding_row(light, f, report_href="r") for f in light.findings] == [
        finding_row(doc, f, report_href="r") for f in doc.findings
    ]


# ---------------------------------------------------------------- XLSX


def test_xlsx_has_one_row_per_finding_with_both_texts(run):
    out, doc, files = run
    assert files.findings == len(doc.findings)
    ws = load_workbook(out / "findings.xlsx")["Findings"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    body = [dict(zip(HEADERS, r)) for r in rows[1:]]
    assert sorted(r["Finding"] for r in body) == sorted(f.id for f in doc.findings)
    name = next(r for r in body if r["Kind"] == "name")
    assert (name["RU text"], name["KK text"]) == ("Бабецов", "Бабенов")
    assert (name["RU page"], name["KK page"]) == (1, 2)
    assert name["Document"] == "demo-filing.tiff" and name["Severity"] == "high"
    assert name["RU paragraph"].startswith("Бабецов Булат") and name["KK paragraph"].startswith("Бабенов Булат")
    number = next(r for r in body if r["Kind"] == "number")
    assert number["Cause"] == "likely OCR error" and number["OCR confidence"] == 41.0
    missing = next(r for r in body if r["Kind"] == "missing segment")
    assert missing["KK text"] in ("", None) and missing["KK page"] is None


def test_xlsx_is_formatted_for_reading_and_has_a_verdict_list(run):
    out, doc, _ = run
    wb = load_workbook(out / "findings.xlsx")
    ws = wb["Findings"]
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == f"A1:Q{len(doc.findings) + 1}"
    assert ws.column_dimensions["J"].width == 50  # Message
    assert ws["J2"].alignment.wrap_text
    verdict_col = "O"
    assert ws[f"{verdict_col}1"].value == "Verdict"
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"' + ",".join(VERDICTS) + '"'
    assert f"{verdict_col}2" in dv.sqref
    link = ws["N2"].hyperlink.target
    target, _, anchor = link.partition("#")
    assert (out / target).is_file() and anchor.startswith("f-")
    assert f'id="{anchor}"' in (out / target).read_text(encoding="utf-8")
    assert [r[0] for r in wb["Documents"].iter_rows(min_row=2, values_only=True)] == ["demo-filing.tiff"]


def test_xlsx_never_turns_scan_text_into_a_formula(tmp_path, run):
    _, doc, _ = run
    seg_ru = Segment("x-0000", doc.doc_id, "ru", "paragraph", '=HYPERLINK("http://evil","click") Иванов\x07')
    seg_kk = Segment("x-0001", doc.doc_id, "kk", "paragraph", "=1+1 Иванов")
    f = Discrepancy(
        "f1", "name", "high",
        Mention("ru", 0, "=HYPERLINK(", (0, 11), "x-0000"), Mention("kk", 0, "=1+1", (0, 4), "x-0001"), "=2+2",
    )
    evil = type(doc)(doc.doc_id, "e.pdf", 1, (seg_ru,), (seg_kk,), (), (Pair((0,), (0,), 0.5),), (f,))
    write_findings_xlsx(tmp_path / "f.xlsx", [evil])
    ws = load_workbook(tmp_path / "f.xlsx")["Findings"]
    row = dict(zip(HEADERS, (c for c in ws[2])))
    for col in ("RU text", "KK text", "Message", "RU paragraph"):
        assert row[col].data_type == "s", col
    assert row["RU paragraph"].value.startswith('=HYPERLINK("http://evil"') and "\x07" not in row["RU paragraph"].value


# ---------------------------------------------------------------- TMX


def test_tmx_parses_with_translate_toolkit(run):
    from translate.storage.tmx import tmxfile

    out, doc, _ = run
    data = (out / doc.doc_id / "pairs.tmx").read_bytes()
    tmx = tmxfile(data, sourcelanguage="ru-KZ", targetlanguage="kk-KZ")
    units = [u for u in tmx.units if not u.isheader()]
    both = [p for p in doc.pairs if p.ru and p.kk]
    assert len(units) == len(both) == 4
    for unit, pair in zip(units, both):
        assert unit.source == "\n".join(doc.ru[i].text for i in pair.ru)
        assert unit.target == "\n".join(doc.kk[i].text for i in pair.kk)
    assert units[1].source.startswith("Бабецов") and units[1].target.startswith("Бабенов")
    langs = {tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in tmx.document.iter("tuv")}
    assert langs == {"ru-KZ", "kk-KZ"}
    assert tmx.document.getroot().get("version") == "1.4"


def test_tmx_keeps_markup_and_drops_control_characters():
    from translate.storage.tmx import tmxfile

    from publish.document import PublishedDocument
    from publish.tmx import document_tmx

    ru = (Segment("a-0", "a" * 64, "ru", "paragraph", "<script>alert(1)</script> & «Кузет»\x0c"),)
    kk = (Segment("a-1", "a" * 64, "kk", "paragraph", "<p>Күзет</p> & \x01"),)
    doc = PublishedDocument("a" * 64, "x.pdf", 1, ru, kk, (), (Pair((0,), (0,), 0.7),))
    (unit,) = tmxfile(document_tmx(doc).encode("utf-8")).units
    assert unit.source == "<script>alert(1)</script> & «Кузет» "
    assert unit.target == "<p>Күзет</p> &  "


# ---------------------------------------------------------------- JSON Lines and Parquet


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_feed_follows_its_schemas(run):
    out, doc, _ = run
    segments = _lines(out / doc.doc_id / "segments.jsonl")
    pairs = _lines(out / doc.doc_id / "pairs.jsonl")
    for row in segments:
        jsonschema.validate(row, schema("segment"))
    for row in pairs:
        jsonschema.validate(row, schema("pair"))
    assert len(segments) == len(doc.ru) + len(doc.kk) + len(doc.other)
    assert len(pairs) == len(doc.pairs)
    by_part = {(s["part"], s["position"]): s for s in segments}
    for p in pairs:  # the pair's positions point at the right lines of segments.jsonl
        assert [by_part[("ru", i)]["id"] for i in p["ru"]] == p["ru_ids"]
        assert [by_part[("kk", i)]["id"] for i in p["kk"]] == p["kk_ids"]
    assert sorted(f for p in pairs for f in p["findings"]) == sorted(f.id for f in doc.findings)


def test_schema_rejects_a_broken_line():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"doc_id": "nothex", "index": -1}, schema("pair"))


def test_parquet_reads_back_with_the_documented_schema(run):
    out, doc, _ = run
    table = pq.read_table(out / "pairs.parquet")
    assert table.schema.equals(PAIRS_SCHEMA, check_metadata=True)
    assert table.num_rows == len(doc.pairs)
    rows = table.to_pylist()
    assert rows[1]["ru_text"].startswith("Бабецов") and rows[1]["kk_pages"] == [2]
    assert rows[1]["findings"] == 1 and rows[1]["max_severity"] == "high"
    assert rows[0]["findings"] == 0 and rows[0]["max_severity"] is None
    assert [r["shape"] for r in rows] == ["1-1", "1-1", "1-1", "1-1", "1-0"]
    documented = (Path(__file__).resolve().parent.parent / "docs" / "feed.md").read_text(encoding="utf-8")
    for field in PAIRS_SCHEMA:
        assert f"`{field.name}`" in documented, f"docs/feed.md does not document {field.name}"

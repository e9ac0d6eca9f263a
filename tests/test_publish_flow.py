"""The publishers inside the real flows: run files, database rows and Prefect artifacts after ``nightly_ingest``."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from flows.config import RunConfig
from flows.pipeline import nightly_ingest
from publish.demo import KK_PARAGRAPHS, RU_PARAGRAPHS

# Slow like the other flow tests: a Prefect server and the sentence encoder (shared with them in one session).
pytestmark = pytest.mark.slow


async def _artifacts(prefix: str) -> dict[str, object]:
    """Key → data of the latest artifacts whose keys start with ``prefix``."""
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return {a.key: a.data for a in await client.read_artifacts() if a.key and a.key.startswith(prefix)}


def _artifact_keys(prefix: str) -> set[str]:
    return set(asyncio.run(_artifacts(prefix)))


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, prefect_server, monkeypatch_module):
    inbox = tmp_path_factory.mktemp("inbox")
    out = tmp_path_factory.mktemp("out")
    monkeypatch_module.delenv("QOSTIL_DB_URL", raising=False)
    (inbox / "filing.txt").write_text("\n\n".join([*RU_PARAGRAPHS, *KK_PARAGRAPHS]) + "\n", encoding="utf-8")
    first = nightly_ingest(str(inbox), str(out), RunConfig(workers=1))
    second = nightly_ingest(str(inbox), str(out), RunConfig(workers=1))
    return out, first, second


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_run_files_cover_the_document_even_when_skipped(ingested):
    out, first, second = ingested
    (result,) = first.processed
    assert second.skipped and not second.processed
    folder = out / result.doc_id
    for name in ("report.html", "pairs.tmx", "pairs.jsonl", "segments.jsonl", "done.json"):
        assert (folder / name).is_file(), name
    for name in ("index.html", "findings.xlsx", "pairs.parquet", "qostil.db"):
        assert (out / name).is_file(), name
    assert f'href="{result.doc_id}/report.html"' in (out / "index.html").read_text(encoding="utf-8")


def test_database_holds_the_document_once_and_both_runs(ingested):
    out, first, _ = ingested
    (result,) = first.processed
    with sqlite3.connect(out / "qostil.db") as db:
        assert db.execute("SELECT id, findings FROM documents").fetchall() == [(result.doc_id, result.discrepancies)]
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (2,)
        outcomes = db.execute("SELECT outcome, doc_id FROM run_files ORDER BY outcome").fetchall()
        assert outcomes == [("processed", result.doc_id), ("skipped", result.doc_id)]
        assert db.execute("SELECT count(*) FROM pairs WHERE doc_id = ?", (result.doc_id,)).fetchone() == (result.pairs,)


def test_prefect_artifacts_of_the_document(ingested):
    _, first, _ = ingested
    (result,) = first.processed
    assert result.discrepancies > 0
    artifacts = asyncio.run(_artifacts(f"qostil-{result.doc_id[:12]}"))
    assert set(artifacts) == {f"qostil-{result.doc_id[:12]}-summary"}  # one a document
    summary = str(artifacts[f"qostil-{result.doc_id[:12]}-summary"])
    assert f"{result.discrepancies} finding(s)" in summary and "report.html)" in summary
    findings = json.loads((Path(result.out_dir) / "discrepancies.json").read_text(encoding="utf-8"))["discrepancies"]
    assert len(findings) == result.discrepancies and all(f["id"] in summary for f in findings)
    assert "qostil-run-summary" in _artifact_keys("qostil-run")

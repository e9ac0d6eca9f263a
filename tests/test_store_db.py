"""The results database: the same tests on SQLite and on a real PostgreSQL (``QOSTIL_TEST_PG_URL``, set by .ci/run)."""

from __future__ import annotations

import dataclasses
import os
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, inspect, select, text

from publish.document import PublishedDocument
from qostil.errors import ConfigError
from qostil.records import BBox, Discrepancy, Mention, Pair, Segment, Word
from store.db import RunRecord, database_url, open_store
from store.models import Base, Document, FindingRow, PageRow, PairRow, RunFile, SegmentRow

PG_URL = os.environ.get("QOSTIL_TEST_PG_URL", "")
TABLES = {"documents", "pages", "segments", "pairs", "findings", "runs", "run_files", "alembic_version"}


def _wipe_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'qostil.db'}"
        return
    if not PG_URL:
        pytest.skip("QOSTIL_TEST_PG_URL is not set (.ci/run starts PostgreSQL and sets it)")
    url = database_url(env={"QOSTIL_DB_URL": PG_URL})
    _wipe_pg(url)
    yield url
    _wipe_pg(url)


def _doc(doc_id: str = "ab" * 32, *, surname: str = "Бабенов", findings: bool = True) -> PublishedDocument:
    def seg(n: int, lang: str, text: str, page: int, conf: float = 92.0) -> Segment:
        words = tuple(
            Word(w, conf, BBox(100 + 120 * i, 200 + 60 * n, 200 + 120 * i, 240 + 60 * n), page)
            for i, w in enumerate(text.split())
        )
        return Segment(f"{doc_id[:12]}-{n:04d}", doc_id, lang, "paragraph", text, pages=(page,),
                       bboxes=((page, BBox(100, 200 + 60 * n, 900, 240 + 60 * n)),), ocr_conf=conf, words=words)

    ru = (seg(0, "ru", "Бабецов Булат Базартаевич избран 13.02.2014 г.", 1), seg(1, "ru", "Приложение на 2 листах", 1, 40.0))
    kk = (seg(2, "kk", f"{surname} Булат Базартаевич 13.02.2014 ж. сайланған", 2),)
    pairs = (Pair((0,), (0,), 0.91, ("date 13.02.2014",)), Pair((1,), (), 0.0))
    found = (
        Discrepancy(
            "f-name", "name", "high",
            Mention("ru", 0, "Бабецов", (0, 7), ru[0].id, 1, BBox(100, 200, 200, 240), 92.0),
            Mention("kk", 0, surname, (0, len(surname)), kk[0].id, 2, BBox(100, 320, 200, 360), 92.0),
            "Surname differs.", "likely_text", ("differing letters: ц/н",),
        ),
        Discrepancy("f-miss", "missing_segment", "medium",
                    Mention("ru", 1, "Приложение на 2 листах", (0, 22), ru[1].id, 1, None, 40.0), None,
                    "RU paragraph 1 has no KK counterpart."),
    ) if findings else ()
    return PublishedDocument(doc_id, "inbox/filing.pdf", 2, ru, kk, (), pairs, found)


def _count(store, model, doc_id: str) -> int:
    with store.session() as s:
        return len(s.scalars(select(model).where(model.doc_id == doc_id)).all())


def test_open_migrates_to_the_newest_schema(db_url):
    with open_store(db_url) as store:
        names = set(inspect(store.engine).get_table_names())
        assert TABLES <= names
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    with open_store(db_url) as store:  # opening again is a no-op upgrade
        assert store.counts()["documents"] == 0


def test_document_is_stored_with_all_its_rows(db_url):
    doc = _doc()
    with open_store(db_url) as store:
        store.save_document(doc)
        counts = store.counts()
        assert counts["documents"] == 1 and counts["pages"] == 2
        assert counts["segments"] == 3 and counts["pairs"] == 2 and counts["findings"] == 2
        with store.session() as s:
            row = s.get(Document, doc.doc_id)
            assert (row.name, row.pages, row.findings, row.times_stored) == ("filing.pdf", 2, 2, 1)
            name = s.get(FindingRow, (doc.doc_id, "f-name"))
            assert (name.left_text, name.right_text, name.left_page, name.right_page) == ("Бабецов", "Бабенов", 1, 2)
            assert name.left["bbox"] == {"x0": 100, "y0": 200, "x1": 200, "y1": 240}
            assert name.pair_index == 0 and name.evidence == ["differing letters: ц/н"]
            miss = s.get(FindingRow, (doc.doc_id, "f-miss"))
            assert miss.right is None and miss.right_lang is None and miss.pair_index == 1
            seg = s.get(SegmentRow, (doc.doc_id, doc.ru[0].id))
            assert (seg.part, seg.position, seg.text) == ("ru", 0, doc.ru[0].text)
            assert seg.words[0]["bbox"]["x0"] == 100
            pair = s.get(PairRow, (doc.doc_id, 0))
            assert (pair.ru, pair.kk, pair.shape, pair.evidence) == ([0], [0], "1-1", ["date 13.02.2014"])
            page1 = s.get(PageRow, (doc.doc_id, 1))
            assert page1.segments == 2 and page1.words == 10 and page1.low_conf_words == 4


def test_document_processed_twice_is_stored_once(db_url):
    with open_store(db_url) as store:
        store.save_document(_doc())
        store.save_document(_doc())
        counts = store.counts()
        assert (counts["documents"], counts["segments"], counts["pairs"], counts["findings"]) == (1, 3, 2, 2)
        with store.session() as s:
            row = s.get(Document, "ab" * 32)
            assert row.times_stored == 2 and row.stored_at >= row.first_stored_at


def test_a_changed_result_replaces_the_old_rows(db_url):
    with open_store(db_url) as store:
        store.save_document(_doc())
        store.save_document(_doc(surname="Бабецов", findings=False))
        assert _count(store, FindingRow, "ab" * 32) == 0
        with store.session() as s:
            seg = s.get(SegmentRow, ("ab" * 32, "abababababab-0002"))
            assert seg.text.startswith("Бабецов")
            assert s.get(Document, "ab" * 32).findings == 0


def test_documents_are_kept_apart(db_url):
    with open_store(db_url) as store:
        store.save_document(_doc("ab" * 32))
        store.save_document(_doc("cd" * 32))
        store.save_document(_doc("ab" * 32, findings=False))
        assert store.counts()["documents"] == 2
        assert _count(store, FindingRow, "cd" * 32) == 2 and _count(store, FindingRow, "ab" * 32) == 0


def test_a_run_records_each_file(db_url):
    started = datetime(2026, 1, 2, 21, 0, tzinfo=timezone.utc)
    run = RunRecord(
        id="run-1", inbox="/inbox", out_dir="/out", started_at=started, finished_at=None,
        processed=[("/inbox/a.pdf", "ab" * 32)], skipped=[("/inbox/b.pdf", "cd" * 32)],
        failed=[("/inbox/c.pdf", "not a PDF <script>")],
    )
    with open_store(db_url) as store:
        store.save_run(run)
        store.save_run(dataclasses.replace(run, failed=[]))  # a rerun of the same flow run replaces it
        counts = store.counts()
        assert counts["runs"] == 1 and counts["run_files"] == 2
        with store.session() as s:
            files = s.scalars(select(RunFile).order_by(RunFile.path)).all()
            assert [(f.outcome, f.doc_id) for f in files] == [("processed", "ab" * 32), ("skipped", "cd" * 32)]
        store.save_run(dataclasses.replace(run, id="run-2"))
        with store.session() as s:
            failed = s.scalars(select(RunFile).where(RunFile.outcome == "failed")).one()
            assert failed.message == "not a PDF <script>" and failed.run.started_at.year == 2026


def test_url_from_the_environment_or_the_output_folder(tmp_path):
    assert database_url(tmp_path, env={}) == f"sqlite:///{(tmp_path / 'qostil.db').resolve()}"
    assert database_url(tmp_path, env={"QOSTIL_DB_URL": "postgresql://u:p@h/db"}) == "postgresql+psycopg://u:p@h/db"
    assert database_url(None, env={"QOSTIL_DB_URL": "sqlite:///x.db"}) == "sqlite:///x.db"
    with pytest.raises(ConfigError):
        database_url(None, env={})


@pytest.mark.parametrize(
    "url",
    ["nosuchdialect://x/y", "postgresql+psycopg://nobody:wrong@127.0.0.1:1/none"],
    ids=["unknown-dialect", "server-not-running"],
)
def test_unusable_database_is_a_config_error_that_says_what_to_fix(url):
    with pytest.raises(ConfigError) as e:
        open_store(url)
    assert "QOSTIL_DB_URL" in str(e.value) and "wrong" not in str(e.value)


def test_schema_head_is_the_newest_migration_and_a_database_at_it_is_not_migrated_again(tmp_path, monkeypatch):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from store import db

    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == db.SCHEMA_HEAD
    url = f"sqlite:///{tmp_path / 'q.db'}"
    with open_store(url) as store:
        assert db.schema_revision(store.engine) == db.SCHEMA_HEAD
    monkeypatch.setattr("alembic.command.upgrade", lambda *a, **k: pytest.fail("migrated a database at head"))
    with open_store(url) as store:  # at head: Alembic is not run
        assert inspect(store.engine).has_table("documents")
    assert db.schema_revision(create_engine(f"sqlite:///{tmp_path / 'new.db'}")) is None

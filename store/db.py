"""Opening the results database and writing a document or a run to it.

``open_store(url)`` brings the schema up to date with Alembic (programmatic
``upgrade head``) and returns a :class:`Store`. The URL is ``QOSTIL_DB_URL``
when set (``postgresql://…`` works: the psycopg 3 driver is chosen), else a
SQLite file ``OUT/qostil.db``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Engine, create_engine, delete, event, func, select, text
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from publish.document import PublishedDocument
from publish.feed import pair_rows, segment_rows
from qostil.errors import ConfigError
from store.models import Document, FindingRow, PageRow, PairRow, Run, RunFile, SegmentRow

log = logging.getLogger(__name__)

ENV_URL = "QOSTIL_DB_URL"
DEFAULT_NAME = "qostil.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: A word read below this Tesseract confidence counts as a low-confidence word on its page.
LOW_CONF = 60.0


def database_url(out_dir: Path | None = None, *, env: dict[str, str] | None = None) -> str:
    """``QOSTIL_DB_URL`` if set, else ``sqlite:///OUT/qostil.db``; ``postgresql://`` gets the psycopg driver."""
    url = (env if env is not None else os.environ).get(ENV_URL, "").strip()
    if not url:
        if out_dir is None:
            raise ConfigError(f"No database: set {ENV_URL} or give an output folder for {DEFAULT_NAME}.")
        return f"sqlite:///{(Path(out_dir) / DEFAULT_NAME).resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()


SCHEMA_HEAD = "0001"
"""The newest migration's revision (``store/migrations/versions``; a test holds them equal)."""


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it has no schema yet (a database that cannot be
    reached raises, as connecting does)."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:  # no alembic_version table: a new database
            return None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations up to ``revision`` on ``engine``.

    A database already at :data:`SCHEMA_HEAD` is left alone without loading Alembic, whose import
    (with Mako's and Pygments' behind it) takes about a second of each run's start."""
    if revision == "head" and schema_revision(engine) == SCHEMA_HEAD:
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


_MIGRATING = threading.Lock()
"""Documents are published from several threads of a run at once; two Alembic upgrades of one fresh
database at the same time would both try to create its tables."""


def open_store(url: str) -> Store:
    """Connect, migrate to the newest schema and return the store; a bad URL or unreachable server is a ConfigError."""
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError) as e:
        raise ConfigError(f"{ENV_URL}: cannot use database URL {_safe(url)!r} ({e}).") from e
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine)
        db_path = engine.url.database
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    try:
        with _MIGRATING:
            upgrade(engine)
    except OperationalError as e:
        engine.dispose()
        raise ConfigError(
            f"Cannot open the database {_safe(url)}: {e.orig or e}. Check {ENV_URL} and that the server is running."
        ) from e
    return Store(engine)


def _safe(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A run to store: when, where, and what happened to each inbox file."""

    id: str
    inbox: str
    out_dir: str
    started_at: datetime | None
    finished_at: datetime | None
    processed: Sequence[tuple[str, str]] = ()  # (path, doc_id)
    skipped: Sequence[tuple[str, str | None]] = ()  # (path, doc_id)
    failed: Sequence[tuple[str, str]] = ()  # (path, why)


class Store:
    """The results database behind one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def session(self) -> Session:
        return self._session()

    def save_document(self, doc: PublishedDocument) -> None:
        """Store ``doc`` with all its rows; a document stored before is replaced, never duplicated."""
        for attempt in (1, 2):
            try:
                with self._session.begin() as s:
                    self._save(s, doc)
                return
            except IntegrityError:
                if attempt == 2:
                    raise
                log.info("%s: stored concurrently by another process; retrying", doc.short_id)

    def _save(self, s: Session, doc: PublishedDocument) -> None:
        now = _now()
        row = s.get(Document, doc.doc_id, with_for_update=s.bind.dialect.name != "sqlite")
        if row is None:
            row = Document(id=doc.doc_id, first_stored_at=now, times_stored=0)
            s.add(row)
        else:
            for table in (FindingRow, PairRow, SegmentRow, PageRow):
                s.execute(delete(table).where(table.doc_id == doc.doc_id))
        row.source = doc.source
        row.name = doc.name
        row.pages = doc.pages
        row.ru_segments = len(doc.ru)
        row.kk_segments = len(doc.kk)
        row.pairs = len(doc.pairs)
        row.findings = len(doc.findings)
        row.stored_at = now
        row.times_stored = (row.times_stored or 0) + 1
        s.flush()
        s.add_all(_page_rows(doc))
        s.add_all(
            SegmentRow(
                doc_id=doc.doc_id, id=r["id"], part=r["part"], position=r["position"], lang=r["lang"], kind=r["kind"],
                section=r["section"], text=r["text"], pages=r["pages"], bboxes=r["bboxes"], ocr_conf=r["ocr_conf"],
                words=r["words"],
            )
            for r in segment_rows(doc)
        )
        s.add_all(
            PairRow(
                doc_id=doc.doc_id, index=r["index"], shape=r["shape"], ru=r["ru"], kk=r["kk"], ru_text=r["ru_text"],
                kk_text=r["kk_text"], score=r["score"], evidence=r["evidence"],
            )
            for r in pair_rows(doc)
        )
        where = doc.pair_of_finding()
        for f in doc.findings:
            s.add(
                FindingRow(
                    doc_id=doc.doc_id, id=f.id, kind=f.kind, severity=f.severity, cause=f.cause, message=f.message,
                    left_lang=f.left.lang, left_text=f.left.text, left_page=f.left.page, left_conf=f.left.conf,
                    right_lang=f.right.lang if f.right else None, right_text=f.right.text if f.right else None,
                    right_page=f.right.page if f.right else None, right_conf=f.right.conf if f.right else None,
                    left=f.left.to_json(), right=f.right.to_json() if f.right else None,
                    evidence=list(f.evidence), pair_index=where.get(f.id),
                )
            )

    def save_run(self, run: RunRecord) -> None:
        """Store (or replace) a run and what it did with each file."""
        with self._session.begin() as s:
            old = s.get(Run, run.id)
            if old is not None:
                s.delete(old)
                s.flush()
            row = Run(
                id=run.id, inbox=run.inbox, out_dir=run.out_dir, started_at=run.started_at,
                finished_at=run.finished_at or _now(), processed=len(run.processed), skipped=len(run.skipped),
                failed=len(run.failed),
            )
            row.files = [
                *(RunFile(path=p, doc_id=d, outcome="processed") for p, d in run.processed),
                *(RunFile(path=p, doc_id=d, outcome="skipped") for p, d in run.skipped),
                *(RunFile(path=p, outcome="failed", message=why) for p, why in run.failed),
            ]
            s.add(row)

    def counts(self) -> dict[str, int]:
        """Rows per table (for summaries and tests)."""
        with self.session() as s:
            return {
                m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
                for m in (Run, RunFile, Document, PageRow, SegmentRow, PairRow, FindingRow)
            }


def _page_rows(doc: PublishedDocument) -> list[PageRow]:
    words: dict[int, list[float]] = defaultdict(list)
    segs: dict[int, int] = defaultdict(int)
    for seg in (*doc.ru, *doc.kk, *doc.other):
        for p in seg.pages:
            segs[p] += 1
        for w in seg.words:
            words[w.page].append(w.conf)
    rows = []
    for n in range(1, doc.pages + 1):
        confs = words.get(n, [])
        rows.append(
            PageRow(
                doc_id=doc.doc_id, number=n, words=len(confs), segments=segs.get(n, 0),
                mean_conf=round(sum(confs) / len(confs), 2) if confs else None,
                low_conf_words=sum(c < LOW_CONF for c in confs),
            )
        )
    return rows


__all__ = ["ENV_URL", "RunRecord", "Store", "database_url", "open_store", "upgrade", "SQLAlchemyError"]

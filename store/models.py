"""Tables of the results database, as typed SQLAlchemy 2 models.

A document is keyed by its id (the SHA-256 of its bytes); its pages, segments,
pairs and findings are keyed by the document id plus their own number or id,
so storing a document again replaces its rows instead of adding a copy.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime(timezone=True)}


def _doc_fk() -> ForeignKey:
    return ForeignKey("documents.id", ondelete="CASCADE")


class Run(Base):
    """One nightly run over an inbox."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    inbox: Mapped[str] = mapped_column(Text)
    out_dir: Mapped[str] = mapped_column(Text)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    files: Mapped[list[RunFile]] = relationship(back_populates="run", cascade="all, delete-orphan", order_by="RunFile.id")


class RunFile(Base):
    """What a run did with one inbox file: processed, skipped (already done) or failed, and why."""

    __tablename__ = "run_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(Text)
    doc_id: Mapped[str | None] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    run: Mapped[Run] = relationship(back_populates="files")


class Document(Base):
    """A processed inbox file (stored once, whatever the number of runs that saw it)."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer)
    ru_segments: Mapped[int] = mapped_column(Integer)
    kk_segments: Mapped[int] = mapped_column(Integer)
    pairs: Mapped[int] = mapped_column(Integer)
    findings: Mapped[int] = mapped_column(Integer)
    first_stored_at: Mapped[datetime]
    stored_at: Mapped[datetime]
    times_stored: Mapped[int] = mapped_column(Integer, default=1)


class PageRow(Base):
    """One page of a document: how many words were read on it and how sure the OCR was."""

    __tablename__ = "pages"

    doc_id: Mapped[str] = mapped_column(String(64), _doc_fk(), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    words: Mapped[int] = mapped_column(Integer)
    segments: Mapped[int] = mapped_column(Integer)
    mean_conf: Mapped[float | None] = mapped_column(Float)
    low_conf_words: Mapped[int] = mapped_column(Integer)


class SegmentRow(Base):
    __tablename__ = "segments"

    doc_id: Mapped[str] = mapped_column(String(64), _doc_fk(), primary_key=True)
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    part: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer)
    lang: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    section: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    pages: Mapped[list[Any]]
    bboxes: Mapped[list[Any]]
    ocr_conf: Mapped[float | None] = mapped_column(Float)
    words: Mapped[list[Any]]


class PairRow(Base):
    __tablename__ = "pairs"

    doc_id: Mapped[str] = mapped_column(String(64), _doc_fk(), primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    shape: Mapped[str] = mapped_column(String(8))
    ru: Mapped[list[Any]]
    kk: Mapped[list[Any]]
    ru_text: Mapped[str] = mapped_column(Text)
    kk_text: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[Any]]


class FindingRow(Base):
    __tablename__ = "findings"

    doc_id: Mapped[str] = mapped_column(String(64), _doc_fk(), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    severity: Mapped[str] = mapped_column(String(16), index=True)
    cause: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    left_lang: Mapped[str] = mapped_column(String(8))
    left_text: Mapped[str] = mapped_column(Text)
    left_page: Mapped[int | None] = mapped_column(Integer)
    left_conf: Mapped[float | None] = mapped_column(Float)
    right_lang: Mapped[str | None] = mapped_column(String(8))
    right_text: Mapped[str | None] = mapped_column(Text)
    right_page: Mapped[int | None] = mapped_column(Integer)
    right_conf: Mapped[float | None] = mapped_column(Float)
    left: Mapped[dict[str, Any]]
    right: Mapped[dict[str, Any] | None]
    evidence: Mapped[list[Any]]
    pair_index: Mapped[int | None] = mapped_column(Integer)

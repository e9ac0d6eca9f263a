"""Sorting an inbox before any heavy work: what is done already, what is bad, what is to do.

Everything here is cheap: a stat, a (cached) SHA-256, and for new files the
page count and page sizes read from headers. No Tesseract, no encoder, no
Prefect task per file: an unchanged inbox of 50 filings is sorted in well
under a second on a rerun.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from flows.config import RunConfig
from flows.documents import DocumentInfo, HashCache, check_size, identify, list_inbox
from flows.outputs import is_done
from flows.recovery import state_dir
from qostil.errors import InputFileError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A file that failed the cheap checks; it goes to quarantine."""

    path: Path
    error: InputFileError
    doc_id: str | None = None


@dataclass(slots=True)
class InboxPlan:
    """The inbox sorted: documents to process, files already done, files to quarantine."""

    todo: list[DocumentInfo] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def run_hash_cache(out_dir: Path) -> HashCache:
    """The hashes of inbox files kept between runs for ``out_dir``."""
    return HashCache(state_dir(out_dir) / "hashes.json")


def plan_inbox(inbox: Path, out_dir: Path, cfg: RunConfig) -> InboxPlan:
    """Sort every file of ``inbox``: skip those whose ``OUT/<sha256>/done.json`` exists, check the rest."""
    cache = run_hash_cache(out_dir)
    plan = InboxPlan()
    seen: dict[str, Path] = {}
    for path in list_inbox(inbox):
        doc_id = None
        try:
            check_size(path, max_bytes=cfg.max_file_bytes)
            doc_id = cache.sha256(path)
            if is_done(out_dir, doc_id):
                plan.skipped.append(str(path))
                continue
            if doc_id in seen:
                log.info("%s: same bytes as %s, done once", path.name, seen[doc_id].name)
                plan.skipped.append(str(path))
                continue
            seen[doc_id] = path
            plan.todo.append(identify(
                path,
                max_bytes=cfg.max_file_bytes,
                max_pages=cfg.max_pages,
                max_page_pixels=cfg.max_page_pixels,
                dpi=cfg.dpi,
                doc_id=doc_id,
            ))
        except InputFileError as e:
            plan.rejected.append(Rejected(path=path, error=e, doc_id=doc_id))
    cache.save()
    return plan


__all__ = ["InboxPlan", "Rejected", "plan_inbox", "run_hash_cache"]

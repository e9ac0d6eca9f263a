"""Crash safety around a run: one run per output folder, and no half-written document survives a crash.

A document folder ``OUT/<doc-id>/`` counts only once its ``done.json`` is
there (written last). A folder without it is what a killed run left behind:
:func:`sweep_incomplete` removes it before the next run redoes the document.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.outputs import DONE_MARKER
from qostil.errors import AlreadyRunningError

log = logging.getLogger(__name__)

STATE_DIRNAME = ".qostil"
_DOC_ID = re.compile(r"^[0-9a-f]{64}$")


def state_dir(out_dir: Path) -> Path:
    """``OUT/.qostil``: the run lock and the hash cache."""
    folder = out_dir / STATE_DIRNAME
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def run_lock(out_dir: Path) -> Iterator[None]:
    """Hold ``OUT/.qostil/run.lock`` for the block; the kernel drops it if the process dies (even ``kill -9``)."""
    lock_path = state_dir(out_dir) / "run.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise AlreadyRunningError(
                f"another qostil run is working on {out_dir} (lock {lock_path}); wait for it to finish."
            ) from e
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)


def sweep_incomplete(out_dir: Path) -> list[str]:
    """Remove document folders without ``done.json`` (and stray temp files); return the doc ids removed."""
    removed = []
    if not out_dir.is_dir():
        return removed
    for folder in out_dir.iterdir():
        if not (folder.is_dir() and _DOC_ID.match(folder.name)):
            continue
        if (folder / DONE_MARKER).is_file():
            for stray in folder.glob(".*"):  # temp files of write_atomic never outlive a finished write
                if stray.is_file():
                    stray.unlink(missing_ok=True)
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder.name)
    if removed:
        log.warning("removed %d incomplete document folder(s) left by an interrupted run", len(removed))
    return removed


__all__ = ["STATE_DIRNAME", "run_lock", "state_dir", "sweep_incomplete"]

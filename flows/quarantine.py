"""Quarantine: a file that can never succeed leaves the inbox, with a note saying why and what to do.

Only :class:`~qostil.errors.InputFileError` and its subclasses are permanent
(empty, corrupt, encrypted, not a document, over a limit). Everything else
(a Tesseract timeout or crash, a locked database, a missing model) may pass,
so the file stays in the inbox for the next run.

The note ``<name>.reason.json`` is written before the file is moved, both
atomically, so a crash in between leaves the file in the inbox (quarantined
again next run), never a file without its reason.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from qostil.errors import (
    EncryptedInputError,
    InputFileError,
    InputTooLargeError,
    OcrEngineError,
    PageTimeoutError,
    QostilError,
)

log = logging.getLogger(__name__)

QUARANTINE_DIRNAME = "quarantine"
REASON_SUFFIX = ".reason.json"


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A file moved out of the inbox, and where its note is."""

    source: str
    """Where the file was in the inbox."""
    path: str
    """Where it is now."""
    reason_path: str
    reason: str


def is_permanent(error: BaseException) -> bool:
    """True when retrying cannot help: the file itself is the problem."""
    return isinstance(error, InputFileError)


def is_transient(error: BaseException) -> bool:
    """True for failures worth retrying with backoff: Tesseract timeouts/crashes, OS and I/O errors."""
    if is_permanent(error):
        return False
    return isinstance(error, (OcrEngineError, OSError, TimeoutError, ConnectionError))


def advice(error: BaseException) -> str:
    """What the user should do about a permanent failure."""
    if isinstance(error, EncryptedInputError):
        return "Ask the sender for a copy without a password, and put it in the inbox."
    if isinstance(error, PageTimeoutError):
        return ("Raise the per-page OCR time limit (ocr_timeout_s / QOSTIL_OCR_TIMEOUT) or send the page as a "
                "normal 300 DPI scan, then move the file back into the inbox.")
    if isinstance(error, InputTooLargeError):
        return ("Split the file or ask for a normal-size scan; or raise the limit named in the reason "
                "(in qostil.toml or its QOSTIL_* variable), then move the file back into the inbox.")
    if "empty" in str(error):
        return "Ask for the document to be sent again: the file that arrived has no content."
    return ("Open the file on your computer: if it does not open, ask for the document to be sent again; "
            "if it does, save it again as PDF, TIFF, PNG or JPEG and put that copy in the inbox.")


def safe_name(name: str) -> str:
    """A file name that stays inside its folder: no separators, no ``..``, no control characters, not hidden."""
    name = unicodedata.normalize("NFC", name)
    name = "".join("_" if (ch in "/\\\x00" or unicodedata.category(ch) == "Cc") else ch for ch in name)
    name = name.replace("..", "_").strip().lstrip(".")
    return name[:200] or "unnamed"


def quarantine_folder(inbox: Path, configured: str | None) -> Path:
    return Path(configured) if configured else inbox / QUARANTINE_DIRNAME


def _free_path(folder: Path, name: str) -> Path:
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while candidate.exists() or (folder / (candidate.name + REASON_SUFFIX)).exists():
        candidate = folder / f"{stem} ({n}){suffix}"
        n += 1
    return candidate


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().parent == folder.resolve()


def quarantine_file(
    path: Path,
    error: QostilError,
    *,
    folder: Path,
    doc_id: str | None = None,
    now: dt.datetime | None = None,
) -> Quarantined:
    """Move ``path`` into ``folder`` with ``<name>.reason.json`` beside it; return where both went."""
    from qostil.atomic import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    dest = _free_path(folder, safe_name(path.name))
    reason_path = folder / (dest.name + REASON_SUFFIX)
    if not (_inside(dest, folder) and _inside(reason_path, folder)):  # safe_name makes this impossible
        raise InputFileError(f"{path.name!r}: refusing a quarantine path outside {folder}.")
    when = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    record = {
        "file": path.name,
        "quarantined_as": dest.name,
        "doc_id": doc_id,
        "what": type(error).__name__,
        "why": str(error),
        "what_to_do": advice(error),
        "when": when,
        "exit_code": int(error.exit_code),
        "exit_code_kind": error.exit_code.name,
    }
    write_atomic(reason_path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    try:
        os.replace(path, dest)
    except OSError:  # another file system: copy then remove
        shutil.move(str(path), str(dest))
    log.warning("quarantined %s → %s: %s", path.name, dest, error)
    return Quarantined(source=str(path), path=str(dest), reason_path=str(reason_path), reason=str(error))


__all__ = [
    "QUARANTINE_DIRNAME",
    "REASON_SUFFIX",
    "Quarantined",
    "advice",
    "is_permanent",
    "is_transient",
    "quarantine_file",
    "quarantine_folder",
    "safe_name",
]

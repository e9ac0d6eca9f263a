"""What an inbox file is: its id (SHA-256 of its bytes), kind and page count, checked before heavy work."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from qostil.errors import InputFileError, InputTooLargeError

TEXT_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """An inbox file identified: ``doc_id`` is the SHA-256 of its bytes, so a rerun recognises it."""

    path: str
    doc_id: str
    kind: str  # "scan" or "text"
    pages: int


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_text_document(path: Path) -> bool:
    return path.suffix.lower() in TEXT_SUFFIXES


def identify(path: Path, *, max_bytes: int, max_pages: int) -> DocumentInfo:
    """Check the file is readable and within limits, and give it its id; raise a typed error if not."""
    from ocr.sources import count_pages

    if not path.is_file():
        raise InputFileError(f"{path}: not a file.")
    size = path.stat().st_size
    if size == 0:
        raise InputFileError(f"{path.name}: the file is empty (0 bytes); ask for the document to be sent again.")
    if size > max_bytes:
        raise InputTooLargeError(
            f"{path.name}: {size / 2**20:.0f} MiB is over the {max_bytes / 2**20:.0f} MiB limit (QOSTIL_MAX_FILE_BYTES)."
        )
    doc_id = file_sha256(path)
    if is_text_document(path):
        return DocumentInfo(str(path), doc_id, "text", 1)
    pages = count_pages(path)
    if pages > max_pages:
        raise InputTooLargeError(f"{path.name}: {pages} pages is over the {max_pages}-page limit (QOSTIL_MAX_PAGES).")
    return DocumentInfo(str(path), doc_id, "scan", pages)


def list_inbox(inbox: Path) -> list[Path]:
    """Every regular, non-hidden file directly in the inbox, in a stable order."""
    return sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))

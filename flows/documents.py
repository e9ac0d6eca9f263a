"""What an inbox file is: its id (SHA-256 of its bytes), kind and page count, checked before heavy work.

Cheap checks come first (size, then the hash, then the page count and the
page sizes read from headers), so a bad or already-done file costs almost
nothing. :class:`HashCache` remembers each file's hash by (path, size,
mtime), so an unchanged inbox is not read again on a rerun.
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

from qostil.errors import InputFileError, InputTooLargeError

log = logging.getLogger(__name__)

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


class HashCache:
    """SHA-256 of files keyed by (absolute path, size, mtime_ns), kept in a JSON file between runs."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._entries: dict[str, list] = {}
        self._dirty = False
        if path is not None and path.is_file():
            try:
                self._entries = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                log.warning("hash cache %s unreadable (%s); starting afresh", path, e)

    def sha256(self, path: Path) -> str:
        st = path.stat()
        key = str(path.resolve())
        entry = self._entries.get(key)
        if entry and entry[0] == st.st_size and entry[1] == st.st_mtime_ns:
            return str(entry[2])
        digest = file_sha256(path)
        self._entries[key] = [st.st_size, st.st_mtime_ns, digest]
        self._dirty = True
        return digest

    def save(self) -> None:
        if self.path is None or not self._dirty:
            return
        from qostil.atomic import write_atomic

        live = {k: v for k, v in self._entries.items() if Path(k).exists()}
        write_atomic(self.path, json.dumps(live))
        self._dirty = False


def is_text_document(path: Path) -> bool:
    return path.suffix.lower() in TEXT_SUFFIXES


def check_size(path: Path, *, max_bytes: int) -> int:
    """The file's size in bytes; raise when it is not a file, is empty or is over ``max_bytes``."""
    if not path.is_file():
        raise InputFileError(f"{path.name}: not a file.")
    size = path.stat().st_size
    if size == 0:
        raise InputFileError(f"{path.name}: the file is empty (0 bytes); ask for the document to be sent again.")
    if size > max_bytes:
        raise InputTooLargeError(
            f"{path.name}: {size / 2**20:.1f} MiB is over the {max_bytes / 2**20:.1f} MiB limit "
            "(max_file_bytes / QOSTIL_MAX_FILE_BYTES)."
        )
    return size


def identify(
    path: Path,
    *,
    max_bytes: int,
    max_pages: int,
    max_page_pixels: int = 90_000_000,
    dpi: int = 300,
    doc_id: str | None = None,
) -> DocumentInfo:
    """Check the file is readable and within limits, and give it its id; raise a typed error if not."""
    from ocr.sources import count_pages

    check_size(path, max_bytes=max_bytes)
    doc_id = doc_id or file_sha256(path)
    if is_text_document(path):
        return DocumentInfo(str(path), doc_id, "text", 1)
    pages = count_pages(path)
    if pages > max_pages:
        raise InputTooLargeError(
            f"{path.name}: {pages} pages is over the {max_pages}-page limit (max_pages / QOSTIL_MAX_PAGES)."
        )
    check_page_pixels(path, max_page_pixels=max_page_pixels, dpi=dpi)
    return DocumentInfo(str(path), doc_id, "scan", pages)


def check_page_pixels(path: Path, *, max_page_pixels: int, dpi: int) -> None:
    """Raise :class:`InputTooLargeError` when a page would be over ``max_page_pixels`` (read from headers only)."""
    from ocr.sources import KIND_PDF, sniff_kind

    with path.open("rb") as fh:
        kind = sniff_kind(fh.read(1024))
    for number, (w, h) in enumerate(_page_sizes(path, pdf=kind == KIND_PDF, dpi=dpi), start=1):
        if w * h > max_page_pixels:
            raise InputTooLargeError(
                f"{path.name}: page {number} is {w}×{h} = {w * h / 1e6:.0f} Mpx, over the "
                f"{max_page_pixels / 1e6:.0f} Mpx limit (max_page_pixels / QOSTIL_MAX_PAGE_PIXELS); "
                "a page this big is a decompression bomb or a mistake: ask for a normal scan (300 DPI A4 is 8.7 Mpx)."
            )


def _page_sizes(path: Path, *, pdf: bool, dpi: int) -> list[tuple[int, int]]:
    if pdf:
        import pymupdf

        with pymupdf.open(path, filetype="pdf") as doc:
            return [(round(p.rect.width * dpi / 72), round(p.rect.height * dpi / 72)) for p in doc]
    from PIL import Image, ImageSequence

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None  # only headers are read here
        try:
            with Image.open(path) as img:
                return [frame.size for frame in ImageSequence.Iterator(img)]
        except (OSError, ValueError, SyntaxError) as e:
            raise InputFileError(f"{path.name}: the image is damaged and cannot be read ({e}).") from e
        finally:
            Image.MAX_IMAGE_PIXELS = saved


def list_inbox(inbox: Path) -> list[Path]:
    """Every regular, non-hidden file directly in the inbox, in a stable order."""
    return sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))


__all__ = ["DocumentInfo", "HashCache", "check_page_pixels", "check_size", "file_sha256", "identify", "list_inbox"]

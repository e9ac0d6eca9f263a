"""Pages rendered for OCR, kept a little while for the same document's scan crops.

A document's report crops the scan around each finding's words (publish/crops.py), so it needs
its pages' images again once the document is finished, usually seconds after they were read:
rendering an A4 page at 300 DPI again costs about 45 ms (0.45 s of the bundled filing's 9 pages,
more than a tenth of what writing its reports costs). While :func:`keeping` is on (a local run),
:func:`keep` holds each page loaded for OCR and :func:`take` hands it over once, to whoever cuts
the crops; a page not taken is dropped, oldest first, once the pages held pass a byte budget.

A page is known by its file's path, size and modification time, its number and its resolution,
so a file replaced in the inbox between the two is rendered anew, never served stale. The images
are held read-only: whatever uses them makes its own copy to change.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

from ocr.sources import SourcePage

DEFAULT_BUDGET = 160 * 2**20
"""Bytes of page images held at most: 19 A4 pages at 300 DPI, grayscale (8.7 MB each)."""

_Key = tuple[str, int, int, int, int]


class KeptPages:
    """Page images by file identity and page, oldest dropped first past ``budget`` bytes; thread-safe."""

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self._pages: OrderedDict[_Key, SourcePage] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    @property
    def nbytes(self) -> int:
        return self._bytes

    def keep(self, path: str | Path, page: SourcePage, dpi: int) -> None:
        """Hold ``page`` of ``path``, loaded at ``dpi`` (what was asked: an image file keeps its own)."""
        key = _key(path, page.number, dpi)
        if key is None or page.image.nbytes > self.budget:
            return
        page.image.flags.writeable = False
        with self._lock:
            self._drop(key)
            self._pages[key] = page
            self._bytes += page.image.nbytes
            while self._bytes > self.budget:
                self._drop(next(iter(self._pages)))

    def take(self, path: str | Path, number: int, dpi: int) -> SourcePage | None:
        """The page kept for ``path``, handed over and forgotten; None when not kept (or the file changed)."""
        key = _key(path, number, dpi)
        if key is None:
            return None
        with self._lock:
            page = self._pages.get(key)
            self._drop(key)
        return page

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def _drop(self, key: _Key) -> None:
        page = self._pages.pop(key, None)
        if page is not None:
            self._bytes -= page.image.nbytes


def _key(path: str | Path, number: int, dpi: int) -> _Key | None:
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return (str(Path(path).resolve()), st.st_size, st.st_mtime_ns, number, dpi)


_kept: KeptPages | None = None
_users = 0
_users_lock = threading.Lock()


@contextlib.contextmanager
def keeping(budget: int = DEFAULT_BUDGET) -> Iterator[KeptPages]:
    """Keep the pages loaded for OCR inside the block (blocks may overlap: one store, the first budget);
    everything kept is dropped when the last block ends."""
    global _kept, _users
    with _users_lock:
        if _kept is None:
            _kept = KeptPages(budget)
        _users += 1
        kept = _kept
    try:
        yield kept
    finally:
        with _users_lock:
            _users -= 1
            if _users == 0:
                kept.clear()
                _kept = None


def keep(path: str | Path, page: SourcePage, dpi: int) -> None:
    """Hold ``page`` of ``path``, loaded at ``dpi``, for its crops when :func:`keeping` is on (else nothing)."""
    kept = _kept
    if kept is not None:
        kept.keep(path, page, dpi)


def take(path: str | Path, number: int, dpi: int) -> SourcePage | None:
    """The page kept by :func:`keep`, once; None when none is (not keeping, dropped, or the file changed)."""
    kept = _kept
    return kept.take(path, number, dpi) if kept is not None else None

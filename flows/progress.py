"""Progress bars for a run: one bar over documents, one over the pages of each document in flight.

Documents are finished on the task runner's threads, several at once; rich's
``Progress`` is thread-safe. When stdout is not a terminal the bars stay silent
and Prefect's log lines tell the story.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from collections.abc import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class RunProgress:
    """A document bar and a page bar on one rich ``Progress``."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._docs: TaskID | None = None

    def start_batch(self, total_documents: int) -> None:
        if self._progress is not None:
            self._docs = self._progress.add_task("documents", total=total_documents)

    def start_document(self, name: str, pages: int) -> TaskID | None:
        """A page bar for one document; hand it to :meth:`page_done` and :meth:`pages_done`."""
        if self._progress is None:
            return None
        return self._progress.add_task(f"  {name[:40]}", total=pages)

    def page_done(self, bar: TaskID | None) -> None:
        if self._progress is not None and bar is not None:
            self._progress.advance(bar)

    def pages_done(self, bar: TaskID | None) -> None:
        """The document's pages are read: its bar goes (the document bar advances when it is published)."""
        if self._progress is not None and bar is not None:
            self._progress.remove_task(bar)

    def document_done(self) -> None:
        if self._progress is not None and self._docs is not None:
            self._progress.advance(self._docs)


_current: ContextVar[RunProgress] = ContextVar("qostil_progress", default=RunProgress(None))


def current() -> RunProgress:
    return _current.get()


@contextmanager
def progress_bars(console: Console | None = None) -> Iterator[RunProgress]:
    """Show bars while the block runs (only on a terminal)."""
    console = console or Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    )
    run = RunProgress(progress)
    token = _current.set(run)
    try:
        with progress:
            yield run
    finally:
        _current.reset(token)

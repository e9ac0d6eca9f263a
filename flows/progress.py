"""Progress bars for a run: one bar over documents, one over the pages of the current document.

Only the flow bodies (main thread) touch the bars. When stdout is not a
terminal the bars stay silent and Prefect's log lines tell the story.
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
        self._pages: TaskID | None = None

    def start_batch(self, total_documents: int) -> None:
        if self._progress is not None:
            self._docs = self._progress.add_task("documents", total=total_documents)

    def start_document(self, name: str, pages: int) -> None:
        if self._progress is None:
            return
        if self._pages is not None:
            self._progress.remove_task(self._pages)
        self._pages = self._progress.add_task(f"  {name[:40]}", total=pages)

    def page_done(self) -> None:
        if self._progress is not None and self._pages is not None:
            self._progress.advance(self._pages)

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

"""Threads for the encoder: one per call, plus the run's idle worker threads, lent a chunk at a time.

A nightly run bounds its cores by ``workers``: each worker thread reads a page or finishes a document,
and the encoder inside a finishing task runs on one thread. When the scheduler has nothing for the
other workers (the last document of a run is being embedded, every page is read), those threads would
sit idle; :class:`IdleThreads` lends them to the encoder, which asks before each chunk of batches and
gives them back after it, so the run never uses more cores than ``workers`` for longer than a chunk.

Torch keeps its thread count per calling thread (OpenMP's ``nthreads`` is a per-thread setting), so
two finishing tasks can run the encoder side by side with different counts. ``OMP_THREAD_LIMIT`` caps
every thread of the process: set it and nothing can be lent.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Protocol


class ThreadLender(Protocol):
    """Where the encoder borrows extra threads from."""

    def borrow(self, most: int) -> int:
        """Up to ``most`` threads, now; 0 when none is free."""
        ...

    def give_back(self, count: int) -> None: ...


class IdleThreads:
    """The scheduler's idle worker threads (``set_idle``), lent out until given back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle = 0
        self._lent = 0

    def set_idle(self, count: int) -> None:
        """How many workers have no task now (the scheduler says so after each change)."""
        with self._lock:
            self._idle = max(0, count)

    def borrow(self, most: int) -> int:
        with self._lock:
            count = max(0, min(most, self._idle - self._lent))
            self._lent += count
            return count

    def give_back(self, count: int) -> None:
        with self._lock:
            self._lent = max(0, self._lent - count)

    @property
    def lent(self) -> int:
        with self._lock:
            return self._lent


class NoThreads:
    """A lender with nothing to lend: the encoder runs on its caller's thread alone."""

    def borrow(self, most: int) -> int:  # noqa: ARG002 - the protocol's signature
        return 0

    def give_back(self, count: int) -> None:
        return None


_lender: ThreadLender | None = None
_lender_guard = threading.Lock()


@contextlib.contextmanager
def lend_threads(lender: ThreadLender) -> Iterator[ThreadLender]:
    """While inside, every encoder call runs on one thread plus what ``lender`` lends it.

    Outside (a one-off ``qostil align``, the benchmarks), torch keeps its own thread count."""
    global _lender  # noqa: PLW0603 - one lender per process, set by the run that owns the workers
    with _lender_guard:
        before, _lender = _lender, lender
    try:
        yield lender
    finally:
        with _lender_guard:
            _lender = before


def current_lender() -> ThreadLender | None:
    """The lender of the run in progress, or None outside a run."""
    return _lender


@contextlib.contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Torch ops of the calling thread run on ``count`` threads inside, as before after."""
    import torch  # noqa: PLC0415

    before = torch.get_num_threads()
    if count != before:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        if count != before:
            torch.set_num_threads(before)

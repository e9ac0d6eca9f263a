"""Texts being embedded right now, so that concurrent encoder calls share the work instead of doubling it.

Two finishing tasks, or a document's early embedding (started on an idle worker while its last page is
read) and its finishing task, often ask for the same texts at about the same time. Each call claims the
texts it will embed a chunk at a time; a text another call has claimed is waited for, not embedded
again; a text another call has finished comes from the cache.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import numpy as np


class Pending:
    """One text some call is embedding: ``done`` is set when ``value`` is there (None if that call failed)."""

    __slots__ = ("done", "value")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: np.ndarray | None = None


class InFlight:
    """Cache keys claimed by a call that is embedding them now."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[bytes, Pending] = {}

    def claim(
        self, keys: Iterator[bytes], most: int, lookup: Callable[[bytes], np.ndarray | None]
    ) -> tuple[list[bytes], dict[bytes, Pending], dict[bytes, np.ndarray]]:
        """Take up to ``most`` keys from ``keys`` that no call is embedding and ``lookup`` (the cache) does
        not have; they are the caller's until :meth:`settle` or :meth:`fail`. Returns them, the keys passed
        over because another call is embedding them, and those passed over because the cache has them."""
        mine: list[bytes] = []
        theirs: dict[bytes, Pending] = {}
        cached: dict[bytes, np.ndarray] = {}
        with self._lock:
            for key in keys:
                pending = self._pending.get(key)
                if pending is not None:
                    theirs[key] = pending
                    continue
                value = lookup(key)  # finished by another call since the caller looked
                if value is not None:
                    cached[key] = value
                    continue
                self._pending[key] = Pending()
                mine.append(key)
                if len(mine) == most:
                    break
        return mine, theirs, cached

    def settle(self, values: dict[bytes, np.ndarray]) -> None:
        """The caller's keys are embedded (and already in the cache): wake whoever waits for them."""
        with self._lock:
            for key, value in values.items():
                pending = self._pending.pop(key)
                pending.value = value
                pending.done.set()

    def fail(self, keys: list[bytes]) -> None:
        """The caller could not embed its keys: waiters embed them themselves."""
        with self._lock:
            for key in keys:
                pending = self._pending.pop(key, None)
                if pending is not None:
                    pending.done.set()

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

"""Embedding cache keyed by ``sha256(model key, prompt, text)``: in memory, then on disk.

The disk part is one SQLite file (``$QOSTIL_HOME/embeddings/embeddings.sqlite3``)
in WAL mode, so several processes (Prefect workers) can share it; rows are the
raw float32 bytes of one vector. A rerun over the same texts embeds nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

DB_NAME = "embeddings.sqlite3"
_CHUNK = 500  # SQLite parameter limit is 999 on old builds


def cache_key(model_key: str, prompt: str, text: str) -> bytes:
    """The 32-byte key of one text embedded by one model with one prompt prefix."""
    h = hashlib.sha256()
    for part in (model_key, prompt, text):
        data = part.encode("utf-8")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


class MemoryCache:
    """A bounded LRU of key → vector."""

    def __init__(self, max_items: int = 100_000) -> None:
        self._items: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._max = max_items
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            for k in keys:
                v = self._items.get(k)
                if v is not None:
                    self._items.move_to_end(k)
                    found[k] = v
        return found

    def get(self, key: bytes) -> np.ndarray | None:
        return self.get_many([key]).get(key)

    def put_many(self, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        with self._lock:
            for k, v in items:
                self._items[k] = v
                self._items.move_to_end(k)
            while len(self._items) > self._max:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class DiskCache:
    """Vectors in one SQLite file, shared between processes (a forked child opens its own connection)."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / DB_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._pid = -1
        self._db: sqlite3.Connection | None = None
        with self._lock:
            conn = self._conn
            conn.execute("CREATE TABLE IF NOT EXISTS emb (key BLOB PRIMARY KEY, vec BLOB NOT NULL)")
            conn.commit()

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            self._db = sqlite3.connect(str(self.path), timeout=30.0, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._pid = os.getpid()
        return self._db

    def get_many(self, keys: Sequence[bytes], dim: int) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            try:
                for i in range(0, len(keys), _CHUNK):
                    chunk = list(keys[i : i + _CHUNK])
                    marks = ",".join("?" * len(chunk))
                    rows = self._conn.execute(f"SELECT key, vec FROM emb WHERE key IN ({marks})", chunk)
                    for key, blob in rows:
                        vec = np.frombuffer(blob, dtype=np.float32)
                        if vec.shape[0] == dim:
                            found[bytes(key)] = vec
            except sqlite3.Error as e:  # the cache only saves time; never fail a run for it
                log.warning("embedding cache %s unreadable (%s); embedding afresh", self.path, e)
        return found

    def put_many(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        if not items:
            return
        rows = [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in items]
        with self._lock:
            try:
                self._conn.executemany("INSERT OR REPLACE INTO emb (key, vec) VALUES (?, ?)", rows)
                self._conn.commit()
            except sqlite3.Error as e:
                log.warning("embedding cache %s not written (%s)", self.path, e)

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM emb").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

"""The results database: documents, pages, segments, pairs, findings and runs (SQLAlchemy 2 + Alembic)."""

from store.db import Store, database_url, open_store

__all__ = ["Store", "database_url", "open_store"]

"""Where qostil keeps what it builds: ``$QOSTIL_HOME`` (default ``~/.cache/qostil``)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIRNAME = "multilingual-e5-small-qostil"
INT8_DIRNAME = "multilingual-e5-small-qostil-int8"


def qostil_home() -> Path:
    """``$QOSTIL_HOME``, or ``~/.cache/qostil``."""
    raw = os.environ.get("QOSTIL_HOME", "").strip()
    return Path(raw).expanduser() if raw else Path.home() / ".cache" / "qostil"


def models_dir() -> Path:
    """Where built models live: ``$QOSTIL_HOME/models``."""
    return qostil_home() / "models"


def default_model_dir(cache_dir: Path | None = None) -> Path:
    """The folder of the default encoder inside ``cache_dir`` (default :func:`models_dir`)."""
    return Path(cache_dir or models_dir()) / DEFAULT_MODEL_DIRNAME


def int8_model_dir(cache_dir: Path | None = None) -> Path:
    """The folder of the default encoder's int8 export (:mod:`models.int8`), beside it in ``cache_dir``."""
    return Path(cache_dir or models_dir()) / INT8_DIRNAME


def embeddings_dir() -> Path:
    """Where the on-disk embedding cache lives: ``$QOSTIL_HOME/embeddings``."""
    return qostil_home() / "embeddings"

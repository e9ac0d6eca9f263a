"""Run settings, read from the environment (and later a config file) in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from qostil.errors import ConfigError


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as e:
        raise ConfigError(f"{name}={raw!r} is not a whole number.") from e


@dataclass(frozen=True, slots=True)
class RunConfig:
    """Everything a run may be told. Environment variables override the defaults."""

    model: str | None = None
    ocr_lang: str = "rus+kaz+eng"  # eng: Latin names (Deutsche Bank) stop turning into Cyrillic look-alikes
    dpi: int = 300
    ocr_timeout_s: int = 180
    max_pages: int = 1000
    max_file_bytes: int = 500 * 1024 * 1024
    workers: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))

    @classmethod
    def from_env(cls) -> RunConfig:
        base = cls()
        return cls(
            model=os.environ.get("QOSTIL_MODEL") or None,
            ocr_lang=os.environ.get("QOSTIL_OCR_LANG", base.ocr_lang),
            dpi=_env_int("QOSTIL_DPI", base.dpi),
            ocr_timeout_s=_env_int("QOSTIL_OCR_TIMEOUT", base.ocr_timeout_s),
            max_pages=_env_int("QOSTIL_MAX_PAGES", base.max_pages),
            max_file_bytes=_env_int("QOSTIL_MAX_FILE_BYTES", base.max_file_bytes),
            workers=_env_int("QOSTIL_WORKERS", base.workers),
        )

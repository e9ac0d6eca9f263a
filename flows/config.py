"""Run settings: defaults, then a config file (:mod:`flows.settings`), then environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from qostil.errors import ConfigError


def _env_int(name: str, default: int, environ: Mapping[str, str] | None = None) -> int:
    raw = (os.environ if environ is None else environ).get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as e:
        raise ConfigError(f"{name}={raw!r} is not a whole number.") from e


#: Environment variable → RunConfig field (whole numbers are parsed as such).
ENV_FIELDS: dict[str, str] = {
    "QOSTIL_MODEL": "model",
    "QOSTIL_OCR_LANG": "ocr_lang",
    "QOSTIL_LANGUAGES": "ocr_lang",
    "QOSTIL_DPI": "dpi",
    "QOSTIL_OCR_TIMEOUT": "ocr_timeout_s",
    "QOSTIL_OCR_RETRIES": "ocr_retries",
    "QOSTIL_RETRY_DELAY": "retry_delay_s",
    "QOSTIL_MAX_PAGES": "max_pages",
    "QOSTIL_MAX_FILE_BYTES": "max_file_bytes",
    "QOSTIL_MAX_PAGE_PIXELS": "max_page_pixels",
    "QOSTIL_WORKERS": "workers",
    "QOSTIL_DASK_ADDRESS": "dask_address",
    "QOSTIL_QUARANTINE": "quarantine_dir",
    "QOSTIL_DATABASE_URL": "database_url",
}


@dataclass(frozen=True, slots=True)
class RunConfig:
    """Everything a run may be told. A config file and environment variables override the defaults."""

    model: str | None = None
    ocr_lang: str = "rus+kaz+eng"
    dpi: int = 300
    ocr_timeout_s: int = 180
    """Per-page Tesseract time limit (seconds); a page over it is retried, then the file is quarantined."""
    ocr_retries: int = 2
    """Retries of a page after a transient failure (Tesseract timeout or crash, an OS error), with backoff."""
    retry_delay_s: int = 5
    """First retry delay; each further retry waits twice as long (with jitter)."""
    max_pages: int = 1000
    max_file_bytes: int = 500 * 1024 * 1024
    max_page_pixels: int = 90_000_000
    """Largest page (width × height at the render DPI) read; bigger pages are decompression bombs."""
    workers: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    """Pages OCR'd at once (threads, each with its own single-threaded Tesseract engine)."""
    dask_address: str | None = None
    """Run the OCR tasks on this existing Dask cluster (``tcp://host:8786``) instead of local threads."""
    quarantine_dir: str | None = None
    """Where permanently bad files go; default ``INBOX/quarantine``."""
    database_url: str | None = None
    """Where results are recorded (SQLAlchemy URL); None: files only."""

    @classmethod
    def from_env(cls, base: RunConfig | None = None, *, environ: Mapping[str, str] | None = None) -> RunConfig:
        """``base`` (default: the defaults) with every ``QOSTIL_*`` variable that is set applied."""
        env = os.environ if environ is None else environ
        base = base or cls()
        changes: dict[str, Any] = {}
        for name, attr in ENV_FIELDS.items():
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            default = getattr(cls(), attr)
            changes[attr] = _env_int(name, 0, env) if isinstance(default, int) else raw
        return replace(base, **changes).validated()

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, where: str = "config") -> RunConfig:
        """A RunConfig from a dict (a config file's keys); unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        aliases = {"languages": "ocr_lang", "concurrency": "workers", "ocr_timeout": "ocr_timeout_s"}
        changes: dict[str, Any] = {}
        for key, value in values.items():
            attr = aliases.get(key, key)
            if attr not in known:
                raise ConfigError(f"{where}: unknown setting {key!r} (known: {', '.join(sorted(known))}).")
            changes[attr] = value
        try:
            return replace(cls(), **changes).validated()
        except TypeError as e:
            raise ConfigError(f"{where}: {e}") from e

    def validated(self) -> RunConfig:
        for name in ("dpi", "ocr_timeout_s", "max_pages", "max_file_bytes", "max_page_pixels", "workers"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{name}={value!r} must be a whole number of at least 1.")
        if not isinstance(self.ocr_retries, int) or self.ocr_retries < 0:
            raise ConfigError(f"ocr_retries={self.ocr_retries!r} must be a whole number of at least 0.")
        return self

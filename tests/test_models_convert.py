"""The q4 reader, Q4_0 dequantization, vocabulary trimming and the manifest (no torch needed)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from models.convert import default_sources, keep_piece_ids, trim_tokenizer
from models.manifest import (
    MANIFEST_NAME,
    ModelManifest,
    check_files,
    read_manifest,
    verify_checksums,
    write_manifest,
)
from models.q4file import dequantize_q4_0, read_q4_file
from qostil.errors import ModelLoadError

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "source" / "kzhk-prospectus-amendment-2015.txt"
KZLAW = REPO.parent / "shared" / "data" / "kzlaw-ministerial"


@pytest.fixture(scope="module")
def sources():
    return default_sources()


@pytest.fixture(scope="module")
def q4(sources):
    return read_q4_file(sources.q4_path)


def _block(scale: float, nibbles: list[int]) -> bytes:
    """One Q4_0 block: fp16 scale, byte j = nibble j (low) | nibble j+16 (high)."""
    qs = bytes((nibbles[j] & 0x0F) | ((nibbles[j + 16] & 0x0F) << 4) for j in range(16))
    return np.float16(scale).tobytes() + qs


@pytest.mark.parametrize(
    ("scale", "nibbles"),
    [
        (1.0, list(range(16)) + list(range(16))),  # low and high halves hold the same ramp
        (0.5, [8] * 32),  # nibble 8 is zero
        (-0.25, [0, 15] * 16),  # negative scale flips signs
        (2.0**-10, list(range(15, -1, -1)) * 2),
    ],
)
def test_dequantize_q4_0_block_layout(scale, nibbles):
    got = dequantize_q4_0(_block(scale, nibbles), 32)
    want = (np.array(nibbles, dtype=np.float32) - 8) * np.float32(np.float16(scale))
    np.testing.assert_array_equal(got, want)


def test_dequantize_two_blocks_in_order():
    raw = _block(1.0, [9] * 32) + _block(1.0, [7] * 32)
    got = dequantize_q4_0(raw, 64)
    assert got[:32].tolist() == [1.0] * 32 and got[32:].tolist() == [-1.0] * 32


def test_header_of_the_shipped_model(q4):
    hp = q4.hparams
    assert (hp.hidden, hp.layers, hp.heads, hp.ffn) == (384, 12, 12, 1536)
    assert (hp.vocab_rows, hp.max_positions, hp.type_vocab, hp.block) == (250037, 512, 2, 32)
    assert hp.ln_eps == pytest.approx(1e-12)
    assert len(q4.pieces) == 250002
    assert (q4.bos_id, q4.pad_id, q4.eos_id, q4.unk_id) == (0, 1, 2, 3)
    assert q4.pieces[:4] == ("<s>", "<pad>", "</s>", "<unk>")
    assert q4.tensors["emb.word"].count == 250037 * 384
    assert f"l{hp.layers - 1}.oln.b" in q4.tensors


def test_dequantized_weights_look_like_a_trained_bert(q4):
    ln = q4.tensor("emb.ln.w")
    assert ln.shape == (384,) and 0.1 < float(np.mean(np.abs(ln))) < 10
    w = q4.tensor("l0.q.w").reshape(384, 384)
    assert np.isfinite(w).all() and 0.001 < float(np.std(w)) < 1


def test_tokenizer_json_matches_the_q4_vocabulary(sources, q4):
    tok = json.loads(sources.tokenizer_json.read_text(encoding="utf-8"))
    assert tuple(p for p, _ in tok["model"]["vocab"]) == q4.pieces
    np.testing.assert_array_equal(np.array([s for _, s in tok["model"]["vocab"]], dtype=np.float32), q4.scores)


def _lines() -> list[str]:
    files = [SAMPLE, *sorted(KZLAW.glob("*.md"))[:12]]
    out: list[str] = []
    for f in files:
        out += [line for line in f.read_text(encoding="utf-8").split("\n") if line.strip()]
    return out


def test_trimming_keeps_ru_kk_tokenization(sources, q4):
    from tokenizers import Tokenizer

    tok = json.loads(sources.tokenizer_json.read_text(encoding="utf-8"))
    special = {0, 1, 2, 3, 250001}
    keep = keep_piece_ids(q4.pieces, q4.scores, special)
    assert 130_000 < len(keep) < 160_000
    assert special <= set(keep.tolist())
    full = Tokenizer.from_str(json.dumps(tok))
    trimmed = Tokenizer.from_str(json.dumps(trim_tokenizer(tok, keep)))
    lines = _lines()
    assert len(lines) > 500
    n_tokens = 0
    for a, b in zip(full.encode_batch(lines), trimmed.encode_batch(lines)):
        assert a.ids == keep[b.ids].tolist(), a.tokens
        n_tokens += len(a.ids)
    assert n_tokens > 10_000


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("▁Қазақстан", True),
        ("▁ұлттық", True),
        ("▁Директор", True),
        ("▁2014", True),
        ("▁«", True),
        ("—", True),
        ("北京", False),
        ("▁في", False),
        ("▁के", False),
    ],
)
def test_trimming_keeps_cyrillic_latin_digits_punct(q4, text, kept):
    keep = set(keep_piece_ids(q4.pieces, q4.scores, {0, 1, 2, 3}).tolist())
    index = {p: i for i, p in enumerate(q4.pieces)}
    assert (index[text] in keep) is kept


def _small_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "m"
    (folder / "1_Pooling").mkdir(parents=True)
    (folder / "config.json").write_text("{}", encoding="utf-8")
    (folder / "1_Pooling" / "config.json").write_text('{"a": 1}', encoding="utf-8")
    manifest = ModelManifest(
        name="t", version="1", dim=4, normalize=True, languages=("ru", "kk"),
        prompts={"passage": "passage: "}, default_prompt="passage", max_seq_length=8,
    )  # fmt: skip
    write_manifest(folder, manifest)
    return folder


def test_manifest_round_trip_and_checksums(tmp_path):
    folder = _small_folder(tmp_path)
    m = read_manifest(folder)
    assert m is not None and m.languages == ("ru", "kk") and set(m.files) == {"config.json", "1_Pooling/config.json"}
    verify_checksums(folder, m)
    (folder / "1_Pooling" / "config.json").write_text('{"a": 2}', encoding="utf-8")
    with pytest.raises(ModelLoadError, match="1_Pooling/config.json"):
        verify_checksums(folder, m)


def test_manifest_names_missing_files(tmp_path):
    folder = _small_folder(tmp_path)
    (folder / "config.json").unlink()
    with pytest.raises(ModelLoadError, match="missing: config.json"):
        check_files(folder, read_manifest(folder))


def test_manifest_from_the_future_is_refused(tmp_path):
    folder = _small_folder(tmp_path)
    data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    data["format"] = 99
    (folder / MANIFEST_NAME).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="newer"):
        read_manifest(folder)


def test_bad_q4_file_is_a_model_load_error(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"NOPE" + struct.pack("<I", 1))
    with pytest.raises(ModelLoadError, match="magic"):
        read_q4_file(bad)

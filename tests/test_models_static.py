"""The static model's vocabulary keeps RU/KK tokenization; its PCA is a real projection.

Distilling itself takes minutes on two cores, so it runs in ``benchmarks/bench_encoder.py``,
not here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from models.convert import default_sources, keep_piece_ids, trim_tokenizer
from models.q4file import read_q4_file
from models.static import pca, static_piece_ids

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "source" / "kzhk-prospectus-amendment-2015.txt"
KZLAW = REPO.parent / "shared" / "data" / "kzlaw-ministerial"


def test_static_vocabulary_keeps_cyrillic_tokenization():
    from tokenizers import Tokenizer

    src = default_sources()
    q4 = read_q4_file(src.q4_path)
    tok = json.loads(src.tokenizer_json.read_text(encoding="utf-8"))
    trimmed = trim_tokenizer(tok, keep_piece_ids(q4.pieces, q4.scores, {0, 1, 2, 3, 250001}))
    vocab = [(p, s) for p, s in trimmed["model"]["vocab"]]
    keep = static_piece_ids(vocab, special={0, 1, 2, 3, len(vocab) - 1})
    assert 30_000 < len(keep) < 60_000
    small = Tokenizer.from_str(json.dumps(trim_tokenizer(trimmed, keep)))
    big = Tokenizer.from_str(json.dumps(trimmed))
    lines = [
        line
        for f in [SAMPLE, *sorted(KZLAW.glob("*.md"))[:6]]
        for line in f.read_text(encoding="utf-8").split("\n")
        if line.strip() and not any("a" <= c.lower() <= "z" for c in line)  # Cyrillic-only lines
    ]
    assert len(lines) > 200
    for a, b in zip(big.encode_batch(lines), small.encode_batch(lines)):
        assert a.ids == keep[b.ids].tolist(), a.tokens


def test_pca_keeps_the_leading_directions():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 3)) * np.array([10.0, 1.0, 0.1])
    y = pca(x.astype(np.float32), 2)
    assert y.shape == (500, 2)
    assert np.std(y[:, 0]) > 5 * np.std(y[:, 1]) > 0

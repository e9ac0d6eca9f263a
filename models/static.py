"""A static RU+KK encoder distilled from the default transformer (model2vec's recipe, in numpy).

Every vocabulary piece a Russian or Kazakh text can produce (pieces with Cyrillic
letters, pieces without letters, short and frequent Latin pieces) is run through
the transformer alone (``<s> piece </s>``, mean-pooled), the vectors are reduced
by PCA, and each is weighted by ``a / (a + p(piece))`` with ``p`` the piece's
Unigram probability (SIF). A sentence is then the normalized mean of its piece
vectors: no attention, so encoding is a table look-up.

model2vec's own ``distill`` needs ``model2vec[distill]``, which would pin
transformers < 5.4 and replace the project's; this does the same steps here and
saves a sentence-transformers ``StaticEmbedding`` folder, which
:func:`models.encoder.load_encoder` loads like any other.
"""

from __future__ import annotations

import json
import logging
import time
import unicodedata
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from models.build import build_into, is_built
from models.convert import trim_tokenizer
from models.manifest import read_manifest, write_manifest
from models.paths import models_dir
from qostil.errors import ModelLoadError

log = logging.getLogger(__name__)

STATIC_DIRNAME = "multilingual-e5-small-qostil-static"
STATIC_VERSION = "1.0.0"


def _letters(piece: str) -> list[str]:
    return [unicodedata.name(c, "") for c in piece if unicodedata.category(c)[0] == "L"]


def static_piece_ids(vocab: list[tuple[str, float]], *, special: set[int], latin_top: int = 8000) -> np.ndarray:
    """Ids (in ``vocab``) of the pieces the static model keeps.

    Every piece that can match inside Cyrillic text (it has Cyrillic letters or no
    letters at all) is kept, so RU/KK tokenization does not change; Latin pieces
    are kept when at most two letters long or among the ``latin_top`` most probable.
    """
    scores = np.array([s for _, s in vocab], dtype=np.float64)
    keep = set(special) | {int(np.argmin(scores))}
    latin: list[int] = []
    for i, (piece, _) in enumerate(vocab):
        names = _letters(piece)
        if not names or any(n.startswith("CYRILLIC") for n in names) or len(names) <= 2:
            keep.add(i)
        else:
            latin.append(i)
    latin.sort(key=lambda i: -scores[i])
    keep.update(latin[:latin_top])
    return np.array(sorted(keep), dtype=np.int64)


def piece_vectors(model_dir: Path, ids: np.ndarray, *, batch_size: int = 2048) -> np.ndarray:
    """Mean-pooled transformer output of ``<s> piece </s>`` for every piece id (float32)."""
    import torch  # noqa: PLC0415

    from models.encoder import load_sentence_transformer  # noqa: PLC0415

    st = load_sentence_transformer(str(model_dir), device="cpu")
    bert = st[0].auto_model
    tok = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    bos = next(a["id"] for a in tok["added_tokens"] if a["content"] == "<s>")
    eos = next(a["id"] for a in tok["added_tokens"] if a["content"] == "</s>")
    out = np.zeros((len(ids), bert.config.hidden_size), dtype=np.float32)
    t0 = time.perf_counter()
    with torch.inference_mode():
        for start in range(0, len(ids), batch_size):
            chunk = torch.as_tensor(ids[start : start + batch_size], dtype=torch.long)
            inp = torch.stack([torch.full_like(chunk, bos), chunk, torch.full_like(chunk, eos)], dim=1)
            hidden = bert(input_ids=inp, attention_mask=torch.ones_like(inp)).last_hidden_state
            out[start : start + len(chunk)] = hidden.mean(dim=1).float().numpy()
            if start // batch_size % 5 == 0:
                log.info("distilled %d/%d pieces (%.0f s)", start + len(chunk), len(ids), time.perf_counter() - t0)
    return out


def pca(x: np.ndarray, dim: int) -> np.ndarray:
    """Project the rows of ``x`` on their first ``dim`` principal components."""
    centered = x - x.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(centered.astype(np.float64), full_matrices=False)
    return (centered @ vt[:dim].T).astype(np.float32)


def build_static_encoder(
    transformer_dir: Path | None = None,
    cache_dir: Path | None = None,
    *,
    force: bool = False,
    dim: int = 256,
    sif: float = 1e-4,
    latin_top: int = 8000,
) -> Path:
    """Distil the default encoder (built first if needed) into ``cache_dir/…-static``; return the folder."""
    if transformer_dir is None:
        from models.build import build_default_encoder  # noqa: PLC0415

        transformer_dir = build_default_encoder()
    transformer_dir = Path(transformer_dir)
    target = Path(cache_dir or models_dir()) / STATIC_DIRNAME
    return build_into(target, lambda tmp: _distil(transformer_dir, tmp, dim=dim, sif=sif, latin_top=latin_top),
                      current=lambda: is_built(target), force=force)


def _distil(transformer_dir: Path, out: Path, *, dim: int, sif: float, latin_top: int) -> None:
    from sentence_transformers import SentenceTransformer  # noqa: PLC0415
    from sentence_transformers.models import Normalize, StaticEmbedding  # noqa: PLC0415
    from tokenizers import Tokenizer  # noqa: PLC0415

    t0 = time.perf_counter()
    base = read_manifest(transformer_dir)
    if base is None:
        raise ModelLoadError(f"{transformer_dir} has no qostil manifest; build the default encoder first.")
    tok = json.loads((transformer_dir / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = [(p, float(s)) for p, s in tok["model"]["vocab"]]
    special = {int(a["id"]) for a in tok["added_tokens"]}
    keep = static_piece_ids(vocab, special=special, latin_top=latin_top)
    log.info("static model: %d of %d pieces", len(keep), len(vocab))

    vecs = pca(piece_vectors(transformer_dir, keep), dim)
    probs = np.exp(np.array([vocab[int(i)][1] for i in keep], dtype=np.float64))
    vecs *= (sif / (sif + probs)).astype(np.float32)[:, None]
    specials_new = [j for j, i in enumerate(keep) if int(i) in special]
    vecs[specials_new] = 0.0

    small = trim_tokenizer(tok, keep)
    tokenizer = Tokenizer.from_str(json.dumps(small, ensure_ascii=False))
    model = SentenceTransformer(
        modules=[StaticEmbedding(tokenizer, embedding_weights=vecs.astype(np.float32)), Normalize()], device="cpu"
    )
    model.save(str(out))
    from models.manifest import ModelManifest  # noqa: PLC0415

    manifest = ModelManifest(
        name=STATIC_DIRNAME,
        version=STATIC_VERSION,
        dim=dim,
        normalize=True,
        languages=("ru", "kk"),
        prompts={},
        default_prompt=None,
        max_seq_length=0,
        upstream=base.name,
        source=f"distilled from {base.name} {base.version} (PCA {dim}, SIF a={sif})",
        vocab_size=len(keep),
        trimmed=True,
        dtype="float32",
    )
    manifest = write_manifest(out, manifest)
    manifest = replace(
        manifest,
        build={
            "seconds": round(time.perf_counter() - t0, 1),
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        },
    )
    write_manifest(out, manifest, rehash=False)

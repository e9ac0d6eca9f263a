"""OCR accuracy measures shared by the benchmarks: CER, WER and Kazakh-letter recall."""

from __future__ import annotations

import platform
import subprocess
from collections import Counter

from rapidfuzz.distance import Levenshtein

KAZAKH_LETTERS = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"


def normalize_for_cer(text: str) -> str:
    """Compare text, not layout: fold runs of white space (line breaks, tabs) to one space."""
    return " ".join(text.split())


def cer(reference: str, hypothesis: str) -> float:
    ref, hyp = normalize_for_cer(reference), normalize_for_cer(hypothesis)
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = reference.split(), hypothesis.split()
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))


def kazakh_letters_kept(reference: str, hypothesis: str) -> tuple[int, int]:
    """(kept, total): the reference's Kazakh-only letters, and how many the hypothesis kept (multiset overlap).

    Pool these over pages before dividing: a Russian page with three Kazakh letters must not
    weigh as much as a Kazakh page with three hundred.
    """
    ref = Counter(ch for ch in reference if ch in KAZAKH_LETTERS)
    hyp = Counter(ch for ch in hypothesis if ch in KAZAKH_LETTERS)
    return sum((ref & hyp).values()), sum(ref.values())


def kazakh_letter_recall(reference: str, hypothesis: str) -> float:
    """Share of the reference's Kazakh-only letters that the hypothesis kept."""
    kept, total = kazakh_letters_kept(reference, hypothesis)
    return 1.0 if total == 0 else kept / total


def machine_description() -> str:
    """CPU model, core count and Tesseract version, for RESULTS.md."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import os

    cli, library = tesseract_versions()
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, tesseract {cli} (the CLI), "
            f"tesseract {library} through tesserocr (qostil)")


def tesseract_versions() -> tuple[str, str]:
    """The ``tesseract`` command's version (the baselines run it) and the library's that qostil reads with."""
    from ocr import _tesseract

    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.split()
    return (out[1] if len(out) > 1 else "?"), _tesseract.version()

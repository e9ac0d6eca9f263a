"""Rebuild the segment lists of ``sample.align.json`` from the sample filing's text.

Run from the repository root: ``python tests/data/gold/build_sample.py``. It writes
``sample.segments.json`` (the whole document, one record per segment, with kind and
language); the hand-made pairs in ``sample.align.json`` refer to segment *texts*, so
they survive a different splitter.

Splitting rule (text input): blank lines separate blocks; a block whose lines hold TABs
gives one ``table_row`` per line (cells = the TAB fields); otherwise a new segment starts
at a line that begins with a list marker (``1.``, ``-``) or after a line ending in
``. ; : !`` (quotes and ``**`` aside), so a Kazakh list written without blank lines
still gives one segment per item. Language: Kazakh when at least 15 % of the words
hold a Kazakh-only letter, Russian for other Cyrillic, ``unknown`` without letters.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "samples/source/kzhk-prospectus-amendment-2015.txt"
KK = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def lang_of(text: str) -> str:
    words = re.findall(r"[^\W\d_]+", text)
    if not words:
        return "unknown"
    if not any(re.search("[а-яА-ЯёЁ]", w) or set(w) & KK for w in words):
        return "other"
    kk = sum(1 for w in words if set(w) & KK)
    return "kk" if kk / len(words) >= 0.15 else "ru"


def kind_of(text: str) -> str:
    t = text.strip().lstrip("«*")
    if re.match(r"^(\d+\.|-|–)\s*\S", t):
        return "list_item"
    if text.startswith("**"):
        return "heading"
    return "paragraph"


def segments(text: str) -> list[dict]:
    out: list[dict] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        if any("\t" in ln for ln in lines):
            for ln in lines:
                cells = [c.strip() for c in ln.split("\t")]
                out.append({"text": ln.strip("\n"), "kind": "table_row", "cells": cells})
            continue
        cur: list[str] = []
        for ln in lines:
            starts_item = re.match(r"^\s*[«*]*\s*(\d+\.|-|–)\s*\S", ln) is not None
            prev_ends = bool(cur) and re.search(r"[.;:!?][»*\"]*\s*$", cur[-1]) is not None
            if cur and (starts_item or prev_ends):
                out.append({"text": "\n".join(cur), "kind": kind_of("\n".join(cur))})
                cur = []
            cur.append(ln)
        if cur:
            out.append({"text": "\n".join(cur), "kind": kind_of("\n".join(cur))})
    for s in out:
        s["lang"] = lang_of(s["text"])
    return out


def main() -> int:
    segs = segments(SAMPLE.read_text(encoding="utf-8"))
    dest = Path(__file__).with_name("sample.segments.json")
    dest.write_text(json.dumps(segs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(segs)} segments -> {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

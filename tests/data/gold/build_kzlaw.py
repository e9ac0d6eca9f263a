"""Segment the real RU/KK act pairs of ``kzlaw-ministerial`` the way the gold alignments expect.

Run from the repository root: ``python tests/data/gold/build_kzlaw.py [ACT_ID ...]``. For each act it
writes ``kzlaw-<code>.segments.json`` (``{"ru": [...], "kk": [...]}``, one record per segment with
text, kind and cells); the hand-made pairs in ``kzlaw-<code>.align.json`` list every segment's text
of both sides in order, so a loader walks both files together.

Segmentation (markdown → the plain-text form that :func:`ocr.layout.segments_from_text` reads,
then that function with ``split_rows=True``):

* YAML front matter is dropped; ``#`` headings become ``**bold**`` lines (so they are headings);
  ``>`` quote marks, ``*italic*`` marks, code fences and HTML tags other than tables go;
* a paragraph is a blank-line-separated block (a numbered item ``1.``/``1)`` is its own block
  in these texts); lines inside a block are kept;
* an HTML table gives one ``table_row`` per ``<tr>``: its ``<td>``/``<th>`` cells joined by TAB,
  the lines inside a cell joined by a space (so a row is one line).
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "kzlaw-ministerial"  # the shared/ folder beside the checkout
ACTS = (
    "20241114-ob-utverzhdenii-razmerov-tarifov-za-uslugi-predostavliaemye-gosu-202646",
    "0828-ob-utverzhdenii-perechnia-personalnykh-dannykh-neobkhodimogo-i-d-74437",
    "0228-ob-utverzhdenii-minimalnogo-kolichestva-notariusov-v-notarialnom-129429",
)


def _cell(raw: str) -> str:
    text = re.sub(r"<br\s*/?>", "\n", raw, flags=re.I)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return " ".join(text.split())


def _table(raw: str) -> str:
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", raw, flags=re.S | re.I):
        cells = [_cell(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, flags=re.S | re.I)]
        if any(cells):
            rows.append("\t".join(cells) if len(cells) > 1 else cells[0] + "\t")
    return "\n\n" + "\n".join(rows) + "\n\n"


def markdown_to_text(md: str) -> str:
    """The act's markdown as plain text: paragraphs by blank lines, table rows as TAB lines."""
    md = md.replace("\r\n", "\n")
    md = re.sub(r"\A---\n.*?\n---\n", "", md, flags=re.S)
    md = re.sub(r"<table[^>]*>.*?</table>", lambda m: _table(m.group(0)), md, flags=re.S | re.I)
    out: list[str] = []
    for line in md.split("\n"):
        if line.strip().startswith("```"):
            out.append("")
            continue
        if "\t" in line:
            out.append(line)
            continue
        s = line.strip()
        s = re.sub(r"^>\s?", "", s).strip()
        m = re.match(r"^#{1,6}\s+(.*)$", s)
        if m:
            s = f"**{m.group(1).strip()}**"
        s = re.sub(r"(?<!\*)\*(?!\*)([^*]+)(?<!\*)\*(?!\*)", r"\1", s)
        s = html.unescape(re.sub(r"</?(?:p|span|div|sup|sub|b|i|u|a)[^>]*>", "", s, flags=re.I))
        out.append(s)
    return "\n".join(out)


def segment_records(md: str) -> list[dict]:
    from ocr.layout import segments_from_text

    segs = segments_from_text(markdown_to_text(md), doc_id="kzlaw", split_rows=True)
    return [{"text": s.text, "kind": s.kind, **({"cells": list(s.cells)} if s.cells else {})} for s in segs]


def code_of(act: str) -> str:
    return act.rsplit("-", 1)[-1]


def main(argv: list[str]) -> int:
    for act in argv or ACTS:
        rec = {
            "act": act,
            "ru": segment_records((DATA / f"{act}.ru.md").read_text(encoding="utf-8")),
            "kk": segment_records((DATA / f"{act}.kk.md").read_text(encoding="utf-8")),
        }
        dest = HERE / f"kzlaw-{code_of(act)}.segments.json"
        dest.write_text(json.dumps(rec, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{act}: {len(rec['ru'])} RU, {len(rec['kk'])} KK segments -> {dest.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A small synthetic bilingual filing: rendered scan pages plus the records the pipeline would make.

Used by the tests and to refresh ``docs/report-screenshot.png`` without the
full OCR run. The page image is drawn by the project's renderer; segments and
words come from the renderer's exact ground truth (boxes included), the pairs
are 1-1 in order, and the findings are the real ``align.checks`` over them.

``python -m publish.demo OUT`` writes ``OUT/<doc-id>/`` and ``OUT/index.html``.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from publish.document import PublishedDocument
from qostil.records import BBox, Pair, Segment, Word

log = logging.getLogger(__name__)

RU_PARAGRAPHS = (
    "Совет директоров эмитента состоит из 7 (семи) членов, каждый из которых имеет один голос.",
    "Бабецов Булат Базартаевич, 1975 г.р., избран членом Совета директоров 13.02.2014 г.",
    "Размер вознаграждения независимого директора составляет 1 250 000 тенге в год.",
    "Протокол заседания Совета директоров №09/15 от 27.11.2014 года.",
    "Приложение: копия решения на 2 листах.",
)
KK_PARAGRAPHS = (
    "Эмитенттің Директорлар кеңесі 7 (жеті) мүшеден тұрады, олардың әрқайсысының бір дауысы бар.",
    "Бабенов Булат Базартаевич, 1975 ж.т., 2014 жылғы 13 ақпанда Директорлар кеңесінің мүшесі болып сайланған.",
    "Тәуелсіз директордың сыйақы мөлшері жылына 1 280 000 теңгені құрайды.",
    "Директорлар кеңесі отырысының 2014 жылғы 27 қарашадағы №09/15 хаттамасы.",
)
#: Words read with low confidence in the demo (as a smudged scan would give them).
LOW_CONFIDENCE = {"1 280 000": 41.0}


def _segments(page, *, doc_id: str, lang: str, first: int, low: dict[str, float]) -> list[Segment]:
    by_block: dict[int, list] = {}
    for line in page.lines:
        if not line.furniture:
            by_block.setdefault(line.block, []).append(line)
    out = []
    for n, (block, lines) in enumerate(sorted(by_block.items())):
        words = [Word(w.text, 95.0, w.bbox, page.number) for line in lines for w in line.words]
        text = " ".join(w.text for w in words)
        for needle, conf in low.items():
            if needle in text:
                k = len(text[: text.index(needle)].split())
                hit = set(range(k, k + len(needle.split())))
                words = [Word(w.text, conf, w.bbox, w.page) if i in hit else w for i, w in enumerate(words)]
        box = words[0].bbox
        for w in words[1:]:
            box = box.union(w.bbox)
        out.append(
            Segment(
                id=f"{doc_id[:12]}-{first + n:04d}",
                doc_id=doc_id,
                lang=lang,
                kind="paragraph",
                text=text,
                pages=(page.number,),
                bboxes=((page.number, BBox(box.x0, box.y0, box.x1, box.y1)),),
                ocr_conf=round(sum(w.conf for w in words) / len(words), 2),
                words=tuple(words),
            )
        )
    return out


def build_demo(
    folder: Path,
    *,
    ru: Sequence[str] = RU_PARAGRAPHS,
    kk: Sequence[str] = KK_PARAGRAPHS,
    low_confidence: dict[str, float] | None = None,
    name: str = "demo-filing.tiff",
) -> PublishedDocument:
    """Render ``ru`` on page 1 and ``kk`` on page 2 into ``folder/name``; return the document with real findings."""
    from align.checks import check_pairs
    from render.document import render_text_page
    from render.files import write_tiff

    low = LOW_CONFIDENCE if low_confidence is None else low_confidence
    pages = [render_text_page("\n\n".join(ru), degrade="clean"), render_text_page("\n\n".join(kk), degrade="clean")]
    pages = [pages[0], _renumber(pages[1], 2)]
    path = write_tiff(folder / name, pages, compression="tiff_lzw")
    doc_id = hashlib.sha256(path.read_bytes()).hexdigest()
    ru_segs = _segments(pages[0], doc_id=doc_id, lang="ru", first=0, low=low)
    kk_segs = _segments(pages[1], doc_id=doc_id, lang="kk", first=len(ru_segs), low=low)
    n = min(len(ru_segs), len(kk_segs))
    pairs = [Pair((i,), (i,), 0.9) for i in range(n)]
    pairs += [Pair((i,), (), 0.0) for i in range(n, len(ru_segs))]
    pairs += [Pair((), (i,), 0.0) for i in range(n, len(kk_segs))]
    findings = check_pairs(ru_segs, kk_segs, pairs)
    return PublishedDocument(
        doc_id=doc_id,
        source=str(path),
        pages=2,
        ru=tuple(ru_segs),
        kk=tuple(kk_segs),
        pairs=tuple(pairs),
        findings=tuple(findings),
        dpi=pages[0].dpi,
    )


def _renumber(page, number: int):
    import dataclasses

    return dataclasses.replace(page, number=number)


def write_demo(out: Path) -> PublishedDocument:
    """Build the demo document into ``out/inbox`` and publish it into ``out`` as the flow would."""
    from flows.outputs import DocumentResult, write_document
    from publish.files import publish_run_files

    doc = build_demo(out / "inbox")
    result = DocumentResult(
        doc_id=doc.doc_id, source=doc.source, out_dir=str(out / doc.doc_id), pages=doc.pages,
        ru_segments=len(doc.ru), kk_segments=len(doc.kk), pairs=len(doc.pairs), discrepancies=len(doc.findings),
    )
    write_document(out, result, doc)
    publish_run_files(out)
    return doc


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    out = Path(args[0] if args else "demo-out")
    doc = write_demo(out)
    print(out / doc.doc_id / "report.html")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

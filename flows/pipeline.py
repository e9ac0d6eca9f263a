"""The Prefect flows: ``process_document`` (one file) and ``nightly_ingest`` (a whole inbox).

The flow bodies read like a table of contents; each task wraps one pure
function from ``ocr/`` or ``align/``. Only the I/O steps retry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.logging import get_run_logger

from align.aligner import align_segments
from align.checks import check_pairs
from align.split import BilingualParts, split_parts
from flows import progress
from flows.config import RunConfig
from flows.documents import DocumentInfo, identify, list_inbox
from flows.outputs import DocumentResult, is_done, write_document
from qostil.errors import QostilError
from qostil.records import Discrepancy, Page, Pair, Segment


@task(name="identify-document", cache_policy=NO_CACHE)
def identify_document(path: str, cfg: RunConfig) -> DocumentInfo:
    return identify(Path(path), max_bytes=cfg.max_file_bytes, max_pages=cfg.max_pages)


@task(name="ocr-page", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 10])
def ocr_page(path: str, number: int, cfg: RunConfig) -> Page:
    from ocr.engine import OcrConfig, recognize_page
    from ocr.sources import load_page

    source = load_page(Path(path), number, dpi=cfg.dpi)
    page = recognize_page(source, OcrConfig(lang=cfg.ocr_lang, timeout_s=cfg.ocr_timeout_s, dpi=cfg.dpi))
    get_run_logger().info("page %d: %d lines (%s)", number, len(page.lines), page.source)
    return page


@task(name="segment-pages", cache_policy=NO_CACHE)
def segment_document(pages: list[Page], doc_id: str) -> list[Segment]:
    from ocr.layout import segment_pages

    return segment_pages(pages, doc_id=doc_id)


@task(name="read-text", cache_policy=NO_CACHE)
def read_text_document(path: str, doc_id: str) -> list[Segment]:
    from ocr.layout import segments_from_text

    return segments_from_text(Path(path).read_text(encoding="utf-8"), doc_id=doc_id)


@task(name="label-languages", cache_policy=NO_CACHE)
def label_languages(segments: list[Segment]) -> list[Segment]:
    from ocr.langid import label_languages as label

    return label(segments)


@task(name="clean-segments", cache_policy=NO_CACHE)
def clean_document(segments: list[Segment]) -> list[Segment]:
    from ocr.clean import clean_segments

    return clean_segments(segments)


@task(name="split-parts", cache_policy=NO_CACHE)
def split_document(segments: list[Segment]) -> BilingualParts:
    return split_parts(segments)


@task(name="align-parts", cache_policy=NO_CACHE)
def align_document(parts: BilingualParts, model: str | None) -> list[Pair]:
    from models import load_encoder

    return align_segments(parts.ru, parts.kk, encoder=load_encoder(model))


@task(name="check-pairs", cache_policy=NO_CACHE)
def check_document(parts: BilingualParts, pairs: list[Pair]) -> list[Discrepancy]:
    return check_pairs(parts.ru, parts.kk, pairs)


@task(name="publish-document", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def publish_document(
    info: DocumentInfo, parts: BilingualParts, pairs: list[Pair], findings: list[Discrepancy], out_dir: str
) -> DocumentResult:
    result = DocumentResult(
        doc_id=info.doc_id,
        source=info.path,
        out_dir=str(Path(out_dir) / info.doc_id),
        pages=info.pages,
        ru_segments=len(parts.ru),
        kk_segments=len(parts.kk),
        pairs=len(pairs),
        discrepancies=len(findings),
    )
    write_document(Path(out_dir), result, ru=parts.ru, kk=parts.kk, other=parts.other, pairs=pairs, findings=findings)
    return result


def _ocr_all_pages(info: DocumentInfo, cfg: RunConfig) -> list[Page]:
    """OCR mapped over the pages; the page bar advances as each page finishes."""
    bars = progress.current()
    bars.start_document(Path(info.path).name, info.pages)
    futures = ocr_page.map(unmapped(info.path), list(range(1, info.pages + 1)), unmapped(cfg))
    for _ in as_completed(futures):
        bars.page_done()
    return sorted(futures.result(), key=lambda p: p.number)


@flow(name="process-document", log_prints=True)
def process_document(path: str, out_dir: str, config: RunConfig | None = None) -> DocumentResult:
    """One inbox file → ``OUT/<doc-id>/`` with ru.txt, kk.txt, pairs.json, discrepancies.json."""
    cfg = config or RunConfig.from_env()
    info = identify_document(path, cfg)
    if info.kind == "text":
        segments = read_text_document(info.path, info.doc_id)
    else:
        pages = _ocr_all_pages(info, cfg)
        segments = segment_document(pages, info.doc_id)
    segments = label_languages(segments)
    segments = clean_document(segments)
    parts = split_document(segments)
    pairs = align_document(parts, cfg.model)
    findings = check_document(parts, pairs)
    result = publish_document(info, parts, pairs, findings, out_dir)
    get_run_logger().info(
        "%s: %d RU / %d KK segments, %d pairs, %d findings → %s",
        Path(path).name, result.ru_segments, result.kk_segments, result.pairs, result.discrepancies, result.out_dir,
    )
    return result


@dataclass(slots=True)
class IngestSummary:
    """The outcome of a run over an inbox, file by file."""

    processed: list[DocumentResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


@flow(name="nightly-ingest", log_prints=True)
def nightly_ingest(inbox: str, out_dir: str, config: RunConfig | None = None) -> IngestSummary:
    """Every file in ``inbox`` once; a bad file is reported and the rest go on."""
    cfg = config or RunConfig.from_env()
    log = get_run_logger()
    files = list_inbox(Path(inbox))
    summary = IngestSummary()
    bars = progress.current()
    bars.start_batch(len(files))
    log.info("%d file(s) in %s", len(files), inbox)
    for path in files:
        try:
            summary_entry = _process_or_skip(path, Path(out_dir), cfg)
            if summary_entry is None:
                summary.skipped.append(str(path))
            else:
                summary.processed.append(summary_entry)
        except QostilError as e:
            log.error("%s: %s", path.name, e)
            summary.failed[str(path)] = str(e)
        bars.document_done()
    log.info(
        "processed %d, skipped %d (already done), failed %d",
        len(summary.processed), len(summary.skipped), len(summary.failed),
    )
    return summary


def _process_or_skip(path: Path, out_dir: Path, cfg: RunConfig) -> DocumentResult | None:
    from flows.documents import file_sha256

    if is_done(out_dir, file_sha256(path)):
        get_run_logger().info("%s: already processed, skipped", path.name)
        return None
    return process_document(str(path), str(out_dir), cfg)

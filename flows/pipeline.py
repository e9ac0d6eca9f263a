"""The Prefect flows: ``process_document`` (one file) and ``nightly_ingest`` (a whole inbox).

The flow bodies read like a table of contents; each task wraps one pure
function from ``ocr/`` or ``align/``. Only the I/O steps retry.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from prefect import Flow, flow, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed
from prefect.logging import get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from align.aligner import align_segments, embed_ahead
from align.checks import check_pairs
from align.split import BilingualParts, split_parts
from flows import progress
from flows.config import RunConfig
from flows.documents import DocumentInfo, identify
from flows.inbox import plan_inbox
from flows.outputs import (
    DocumentResult, RunOutcome, publish_artifacts, published_document, store_document, write_document, write_run,
)
from flows.quarantine import Quarantined, is_permanent, is_transient, quarantine_file, quarantine_folder
from flows.recovery import run_lock, sweep_incomplete
from models.threads import IdleThreads, NoThreads, lend_threads
from ocr import kept_pages
from ocr.preprocess import opencv_threads
from qostil.errors import ExitCode, OcrTimeoutError, PageTimeoutError, QostilError
from qostil.records import Discrepancy, Page, Pair, ReadGeometry


@task(name="identify-document", cache_policy=NO_CACHE)
def identify_document(path: str, cfg: RunConfig) -> DocumentInfo:
    return identify(
        Path(path), max_bytes=cfg.max_file_bytes, max_pages=cfg.max_pages,
        max_page_pixels=cfg.max_page_pixels, dpi=cfg.dpi,
    )


def _retry_transient(task, task_run, state) -> bool:  # noqa: ANN001 - Prefect's retry_condition_fn signature
    """Retry a page only when the failure may pass (Tesseract timeout or crash, an OS error)."""
    error = state.data if isinstance(state.data, BaseException) else state.result(raise_on_failure=False)
    return isinstance(error, BaseException) and is_transient(error)


def _timed_out(page: Page) -> bool:
    return page.source == "ocr" and any("ran over" in w or "timed out" in w for w in page.warnings)


@task(name="ocr-page", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 10], retry_condition_fn=_retry_transient)
def ocr_page(path: str, number: int, cfg: RunConfig) -> Page:
    """One page: load, OCR (or its text layer). A Tesseract timeout is retried, then quarantines the file."""
    from prefect.runtime import task_run

    from ocr.engine import OcrConfig, recognize_page
    from ocr.sources import load_page

    source = load_page(Path(path), number, dpi=cfg.dpi)
    kept_pages.keep(path, source, cfg.dpi)  # for the document's scan crops, when the run keeps pages
    page = recognize_page(source, OcrConfig(lang=cfg.ocr_lang, timeout_s=cfg.ocr_timeout_s, dpi=cfg.dpi))
    if _timed_out(page):
        attempt, attempts = task_run.run_count or 1, cfg.ocr_retries + 1
        if attempt < attempts:
            raise OcrTimeoutError(
                f"{Path(path).name}: page {number}: Tesseract ran over {cfg.ocr_timeout_s} s "
                f"(attempt {attempt} of {attempts}); trying again."
            )
        raise PageTimeoutError(
            f"{Path(path).name}: page {number}: Tesseract ran over the {cfg.ocr_timeout_s}-second per-page limit "
            f"on all {attempts} attempts (ocr_timeout_s / QOSTIL_OCR_TIMEOUT)."
        )
    get_run_logger().info("page %d: %d lines (%s)", number, len(page.lines), page.source)
    return page


def ocr_page_task(cfg: RunConfig):  # -> Task
    """``ocr_page`` with the configured retries and exponential backoff (with jitter)."""
    delays = [cfg.retry_delay_s * 2**i for i in range(max(1, cfg.ocr_retries))]
    return ocr_page.with_options(retries=cfg.ocr_retries, retry_delay_seconds=delays, retry_jitter_factor=0.5)


def _document_parts(pages: list[Page] | None, path: str, doc_id: str) -> BilingualParts:
    """Pages (None: a text file) → segments, labelled RU/KK, cleaned, split into the two parts."""
    from ocr.clean import clean_segments
    from ocr.langid import label_languages
    from ocr.layout import segment_pages, segments_from_text

    if pages is None:
        segments = segments_from_text(Path(path).read_text(encoding="utf-8"), doc_id=doc_id, split_rows=True)
    else:
        segments = segment_pages(pages, doc_id=doc_id)
    return split_parts(clean_segments(label_languages(segments)))


@task(name="embed-ahead", cache_policy=NO_CACHE)
def embed_ahead_task(
    info: DocumentInfo, read: list[PrefectFuture[Page]], model: str | None, finishing: threading.Event
) -> int:
    """On a worker the scheduler has nothing else for: embed the texts of the pages of a document read so
    far, while its last pages are read, so that its finishing task finds them cached (or shares the work
    with it: models/inflight.py); pairs of neighbours only until ``finishing`` is set (the finishing task
    may need few of them, and this worker is then better lent to it). Only time is at stake: a failure
    here is logged and forgotten."""
    from models import load_encoder

    try:
        results = (f.result(raise_on_failure=False) for f in read)  # a page that failed is left out here
        pages = sorted((p for p in results if isinstance(p, Page)), key=lambda p: p.number)
        parts = _document_parts(pages, info.path, info.doc_id)
        embedded = embed_ahead(parts.ru, parts.kk, encoder=load_encoder(model), stop=finishing.is_set)
    except (QostilError, OSError, ValueError) as e:
        get_run_logger().warning("%s: embedding ahead stopped (%s); the document is embedded when finished",
                                 Path(info.path).name, e)
        return 0
    get_run_logger().info("%s: %d texts embedded ahead from %d of %d pages", Path(info.path).name, embedded,
                          len(pages), info.pages)
    return embedded


def _align_parts(parts: BilingualParts, model: str | None) -> list[Pair]:
    from models import load_encoder

    return align_segments(parts.ru, parts.kk, encoder=load_encoder(model))


PUBLISH_RETRY_DELAYS = (1.0, 5.0)
"""Seconds before the second and third tries of publishing a document, after a failure that may pass."""


def _may_pass(error: BaseException) -> bool:
    """A publishing failure worth another try: an OS error (a full or busy disk, a network share) or the
    database's own operational errors (locked past its busy timeout, a dropped PostgreSQL connection)."""
    from sqlalchemy.exc import OperationalError

    return is_transient(error) or isinstance(error, OperationalError)


def publish_document(
    info: DocumentInfo,
    parts: BilingualParts,
    pairs: list[Pair],
    findings: list[Discrepancy],
    out_dir: str,
    dpi: int = 300,
    geometry: list[ReadGeometry] | None = None,
) -> DocumentResult:
    """Store the document, write its files (``done.json`` last) and its Prefect artifact, trying again
    after a failure that may pass (:data:`PUBLISH_RETRY_DELAYS`): every step replaces what an earlier
    try left, so a retry is safe.

    ``dpi`` is the resolution the pages were read at and ``geometry`` how each was scaled and turned: the
    report crops the scan where the words' boxes are. Not a task of its own: it runs inside the task (or
    flow) that finishes the document, since a task run costs the Prefect server about 65 ms of CPU, taken
    from the pages at 2 workers."""
    for delay in PUBLISH_RETRY_DELAYS:
        try:
            return _publish_once(info, parts, pairs, findings, out_dir, dpi, geometry)
        except Exception as e:  # noqa: BLE001 - sorted by _may_pass; what will not pass is raised as is
            if not _may_pass(e):
                raise
            get_run_logger().warning("%s: publishing failed (%s: %s); trying again in %.0f s",
                                     Path(info.path).name, type(e).__name__, e, delay)
            time.sleep(delay)
    return _publish_once(info, parts, pairs, findings, out_dir, dpi, geometry)  # the last try


def _publish_once(
    info: DocumentInfo,
    parts: BilingualParts,
    pairs: list[Pair],
    findings: list[Discrepancy],
    out_dir: str,
    dpi: int,
    geometry: list[ReadGeometry] | None,
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
    doc = published_document(
        result, ru=parts.ru, kk=parts.kk, other=parts.other, pairs=pairs, findings=findings, dpi=dpi,
        geometry=geometry or (),
    )
    store_document(Path(out_dir), doc)  # before done.json: a rerun of a document stored but not written re-stores it
    write_document(Path(out_dir), result, doc)
    publish_artifacts(doc, Path(result.out_dir) / "report.html")
    return result


@task(name="publish-run", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def publish_run(summary: IngestSummary, inbox: str, out_dir: str) -> str:
    """The run's summary page, XLSX, Parquet and database row, over every finished document in ``out_dir``."""
    from prefect.artifacts import create_link_artifact
    from prefect.runtime import flow_run

    run = RunOutcome(
        run_id=str(flow_run.id or uuid.uuid4()),
        inbox=inbox,
        started_at=flow_run.scheduled_start_time,
        processed=tuple((r.source, r.doc_id) for r in summary.processed),
        skipped=tuple(summary.skipped),
        failed=(*summary.failed.items(), *((q.source, q.reason) for q in summary.quarantined)),
    )
    index = write_run(Path(out_dir), run)
    create_link_artifact(key="qostil-run-summary", link=index.resolve().as_uri(), link_text="qostil run summary")
    return str(index)


def _submit_pages(info: DocumentInfo, cfg: RunConfig) -> list[PrefectFuture[Page]]:
    """OCR of every page of a document handed to the task runner (threads or a Dask cluster)."""
    return list(ocr_page_task(cfg).map(unmapped(info.path), list(range(1, info.pages + 1)), unmapped(cfg)))


def _collect_pages(info: DocumentInfo, futures: list[PrefectFuture[Page]], *, bars: bool = True) -> list[Page]:
    """Wait for a document's pages (its page bar advances as each finishes); the first error is raised."""
    if bars:
        run_bars = progress.current()
        bar = run_bars.start_document(Path(info.path).name, info.pages)
        try:
            for _ in as_completed(futures):
                run_bars.page_done(bar)
        finally:
            run_bars.pages_done(bar)
    return sorted((f.result() for f in futures), key=lambda p: p.number)


def _ocr_all_pages(info: DocumentInfo, cfg: RunConfig) -> list[Page]:
    """OCR mapped over the pages; the page bar advances as each page finishes."""
    return _collect_pages(info, _submit_pages(info, cfg))


@flow(name="process-document", log_prints=True)
def process_document(path: str, out_dir: str, config: RunConfig | None = None) -> DocumentResult:
    """One inbox file → ``OUT/<doc-id>/`` with ru.txt, kk.txt, pairs.json, discrepancies.json."""
    cfg = config or RunConfig.from_env()
    info = identify_document(path, cfg)
    with kept_pages.keeping():  # the pages read here are cut for the report's crops below
        pages = None if info.kind == "text" else _ocr_all_pages(info, cfg)
        return finish_document(info, pages, out_dir, cfg)


def finish_document(info: DocumentInfo, pages: list[Page] | None, out_dir: str, cfg: RunConfig) -> DocumentResult:
    """A document's pages (None for a text file) → segments → pairs → findings → published; the steps after OCR.

    Segmenting, aligning and checking run inside the caller's task (or flow), each timed in the log line,
    not as tasks of their own: a task run costs about 0.1 s of CPU between this process and the Prefect
    server (the server alone: 65 ms a task, measured on 60 empty ones), which on a night of short filings
    was more than the three steps' own time outside the encoder, and took a core's share from the pages
    at 2 workers. Publishing too, with its own retries (:func:`publish_document`)."""
    clock = _StepClock()
    with clock("segments"):
        parts = _document_parts(pages, info.path, info.doc_id)
    with clock("alignment"):
        pairs = _align_parts(parts, cfg.model)
    with clock("checks"):
        findings = check_pairs(parts.ru, parts.kk, pairs)
    geometry = [p.geometry for p in pages or ()]
    with clock("publishing"):
        result = publish_document(info, parts, pairs, findings, out_dir, cfg.dpi, geometry)
    get_run_logger().info(
        "%s: %d RU / %d KK segments, %d pairs, %d findings → %s (%s)",
        Path(info.path).name, result.ru_segments, result.kk_segments, result.pairs, result.discrepancies,
        result.out_dir, clock,
    )
    return result


class _StepClock:
    """Seconds per step of a document, for its log line: ``segments 0.3 s, alignment 2.1 s, checks 0.1 s``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[step] = time.perf_counter() - started

    def __str__(self) -> str:
        return ", ".join(f"{step} {s:.1f} s" for step, s in self.seconds.items())


@dataclass(frozen=True, slots=True)
class DocumentOutcome:
    """What became of one inbox file: processed (``result``), ``quarantined``, or ``failed`` (may pass)."""

    path: str
    result: DocumentResult | None = None
    quarantined: Quarantined | None = None
    failed: str | None = None


@dataclass(slots=True)
class IngestSummary:
    """The outcome of a run over an inbox, file by file."""

    processed: list[DocumentResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Files whose document is already done (or a copy of one in this run)."""
    quarantined: list[Quarantined] = field(default_factory=list)
    """Files that can never succeed, moved out of the inbox with a ``.reason.json``."""
    failed: dict[str, str] = field(default_factory=dict)
    """Files that failed for a reason that may pass; left in the inbox for the next run."""

    @property
    def ok(self) -> bool:
        return not self.failed and not self.quarantined

    @property
    def exit_code(self) -> ExitCode:
        if self.failed:
            return ExitCode.batch_incomplete
        if self.quarantined:
            return ExitCode.quarantined
        return ExitCode.ok

    def add(self, outcome: DocumentOutcome) -> None:
        if outcome.result is not None:
            self.processed.append(outcome.result)
        elif outcome.quarantined is not None:
            self.quarantined.append(outcome.quarantined)
        else:
            self.failed[outcome.path] = outcome.failed or "unknown failure"


@task(name="finish-document", cache_policy=NO_CACHE)
def finish_document_task(
    info: DocumentInfo, pages: list[PrefectFuture[Page]], out_dir: str, cfg: RunConfig, inbox: str
) -> DocumentOutcome:
    """One document whose pages are read, finished on a thread of the task runner."""
    return _finish_one(info, pages, out_dir, cfg, inbox=Path(inbox), bars=False)


@dataclass(slots=True)
class _Scheduled:
    info: DocumentInfo
    pages: list[PrefectFuture[Page]] = field(default_factory=list)
    read: list[PrefectFuture[Page]] = field(default_factory=list)
    """Pages done, in the order they were done."""
    bar: object = None
    finish: PrefectFuture[DocumentOutcome] | None = None
    ahead: bool = False
    finishing: threading.Event = field(default_factory=threading.Event)


def _run_local(todo: list[DocumentInfo], out_dir: str, cfg: RunConfig, inbox: Path) -> list[PrefectFuture[DocumentOutcome]]:
    """Pages and finishing tasks on the local threads, ``workers`` at a time: a document is finished as
    soon as its pages are read (ahead of the pages still waiting), so no thread waits on another's page
    and a crash loses little. Documents start longest first (:func:`longest_first`), so the night ends
    on a short one. A worker with nothing else to do embeds a document whose last pages are being read
    (:func:`embed_ahead_task`), or is lent to the encoder of a task in flight (models/threads.py).
    Returns the finishing tasks, in ``todo``'s order."""
    bars = progress.current()
    docs = [_Scheduled(info) for info in todo]
    order = longest_first(docs)
    waiting = deque((d, n) for d in order if d.info.kind != "text" for n in range(1, d.info.pages + 1))
    ready = deque(d for d in order if d.info.kind == "text")
    running: dict[PrefectFuture, _Scheduled | None] = {}  # None: not a page
    read_page = ocr_page_task(cfg)
    idle = IdleThreads()
    # a worker is a core: OpenCV does not split a page across two; pages read are kept for their crops
    with lend_threads(idle), opencv_threads(1), kept_pages.keeping():
        while waiting or ready or running:
            while len(running) < cfg.workers and (ready or waiting):
                if ready:
                    d = ready.popleft()
                    d.finishing.set()
                    d.finish = finish_document_task.submit(d.info, quote(d.pages), out_dir, cfg, str(inbox))
                    running[d.finish] = None
                    continue
                d, number = waiting.popleft()
                if not d.pages:
                    d.bar = bars.start_document(Path(d.info.path).name, d.info.pages)
                future = read_page.submit(d.info.path, number, cfg)
                d.pages.append(future)
                running[future] = d
            while len(running) < cfg.workers and (d := _worth_embedding_ahead(order)) is not None:
                d.ahead = True
                running[embed_ahead_task.submit(d.info, quote(list(d.read)), cfg.model, quote(d.finishing))] = None
            idle.set_idle(cfg.workers - len(running))
            done = next(iter(as_completed(list(running))))
            d = running.pop(done)
            if d is not None:  # a page
                d.read.append(done)
                bars.page_done(d.bar)
                if len(d.read) == d.info.pages:
                    bars.pages_done(d.bar)
                    ready.append(d)
    return [d.finish for d in docs]


def longest_first(docs: list[_Scheduled]) -> list[_Scheduled]:
    """The documents by page count, most first (inbox order among equals): the longest-processing-time
    rule. What ends a run at 2 workers and more is the last document's own finishing (its alignment,
    on one thread with what the idle workers lend it, and its publishing); started last, a short
    document keeps that tail short. Measured on the benchmark's night of 8 filings, whose largest
    comes last in inbox order: see benchmarks/RESULTS-ops-night.md."""
    return sorted(docs, key=lambda d: -d.info.pages)


def _worth_embedding_ahead(docs: list[_Scheduled]) -> _Scheduled | None:
    """The first document with pages read and pages still being read, not yet embedded ahead."""
    return next((d for d in docs if d.read and len(d.read) < d.info.pages and not d.ahead and d.finish is None), None)


@flow(name="nightly-ingest", log_prints=True)
def nightly_ingest(inbox: str, out_dir: str, config: RunConfig | None = None) -> IngestSummary:
    """Every file in ``inbox`` once: done ones skipped, bad ones quarantined, the rest processed.

    The inbox is sorted first with cheap checks only (:func:`flows.inbox.plan_inbox`). With local
    threads, pages and the tasks that finish documents (segments, alignment, checks, publishing) share
    the runner's ``workers`` threads (:func:`_run_local`): ``workers`` bounds the cores a run uses; one
    worker reads and finishes the documents one after the other, more read pages and finish documents
    side by side. On a Dask cluster every page goes out at once and the documents are finished here,
    in inbox order, where the encoder and the output folder are.
    """
    cfg = config or RunConfig.from_env()
    inbox_dir, out = Path(inbox), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with run_lock(out):
        sweep_incomplete(out)
        plan = plan_inbox(inbox_dir, out, cfg)
        summary = IngestSummary(skipped=plan.skipped)
        _log_plan(plan, inbox)
        for bad in plan.rejected:
            summary.quarantined.append(_quarantine(bad.path, bad.error, inbox_dir, cfg, doc_id=bad.doc_id))
        bars = progress.current()
        bars.start_batch(len(plan.todo))
        if cfg.dask_address:
            submitted = [(info, [] if info.kind == "text" else _submit_pages(info, cfg)) for info in plan.todo]
            outcomes = (_finish_one(info, pages, out_dir, cfg, inbox=inbox_dir) for info, pages in submitted)
        else:
            finishing = _run_local(plan.todo, out_dir, cfg, inbox_dir)
            outcomes = (_task_outcome(info, task) for info, task in zip(plan.todo, finishing))
        with lend_threads(NoThreads()):  # the Dask path finishes here, one document at a time, on one core
            for outcome in outcomes:  # in inbox order
                summary.add(outcome)
                bars.document_done()
        publish_run(summary, inbox, out_dir)
    get_run_logger().info(
        "processed %d, skipped %d (already done), quarantined %d, failed %d",
        len(summary.processed), len(summary.skipped), len(summary.quarantined), len(summary.failed),
    )
    return summary


def _task_outcome(info: DocumentInfo, finishing: PrefectFuture[DocumentOutcome]) -> DocumentOutcome:
    """The outcome its finishing task gives; a task that broke itself leaves the file for the next run."""
    try:
        return finishing.result()
    except Exception as e:  # noqa: BLE001 - the finishing task itself broke: the file stays for the next run
        get_run_logger().exception("%s: %s (left in the inbox for the next run)", Path(info.path).name, e)
        return DocumentOutcome(info.path, failed=f"{type(e).__name__}: {e}")


def _log_plan(plan, inbox: str) -> None:  # noqa: ANN001
    get_run_logger().info(
        "%s: %d to process, %d already done, %d rejected by the checks",
        inbox, len(plan.todo), len(plan.skipped), len(plan.rejected),
    )


def _finish_one(
    info: DocumentInfo, futures: list[PrefectFuture[Page]], out_dir: str, cfg: RunConfig, *, inbox: Path,
    bars: bool = True,
) -> DocumentOutcome:
    """Finish one document; its outcome is processed, quarantined (permanent) or failed (may pass)."""
    path = Path(info.path)
    try:
        pages = None if info.kind == "text" else _collect_pages(info, futures, bars=bars)
        return DocumentOutcome(info.path, result=finish_document(info, pages, out_dir, cfg))
    except QostilError as e:
        if is_permanent(e):
            return DocumentOutcome(info.path, quarantined=_quarantine(path, e, inbox, cfg, doc_id=info.doc_id))
        get_run_logger().error("%s: %s (left in the inbox for the next run)", path.name, e)
        return DocumentOutcome(info.path, failed=str(e))
    except Exception as e:  # noqa: BLE001 - an OS error or a bug on one file must not stop the night's run
        get_run_logger().exception("%s: %s (left in the inbox for the next run)", path.name, e)
        return DocumentOutcome(info.path, failed=f"{type(e).__name__}: {e}")


def _quarantine(path: Path, error: QostilError, inbox: Path, cfg: RunConfig, *, doc_id: str | None) -> Quarantined:
    moved = quarantine_file(path, error, folder=quarantine_folder(inbox, cfg.quarantine_dir), doc_id=doc_id)
    get_run_logger().warning("%s: quarantined: %s", path.name, error)
    return moved


def task_runner_for(cfg: RunConfig):  # -> TaskRunner
    """Local threads (each with its own single-threaded Tesseract engine) or an existing Dask cluster."""
    if cfg.dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=cfg.dask_address)
    return ThreadPoolTaskRunner(max_workers=cfg.workers)


def ingest_flow(cfg: RunConfig) -> Flow:
    """``nightly_ingest`` with the task runner ``cfg`` asks for."""
    return nightly_ingest.with_options(task_runner=task_runner_for(cfg))


def run_nightly(inbox: str, out_dir: str, cfg: RunConfig) -> IngestSummary:
    """One ``nightly_ingest`` run from this process (``qostil run``, the benchmarks), its task runner from ``cfg``."""
    with heartbeats_only_with_a_server():
        return ingest_flow(cfg)(inbox, out_dir, cfg)


@contextlib.contextmanager
def heartbeats_only_with_a_server() -> Iterator[None]:
    """Prefect's flow-run heartbeats off for the block when no Prefect server is configured (no
    ``PREFECT_API_URL``: the run talks to a server it starts itself and stops when it ends).

    Heartbeats let a server that outlives the run mark it crashed; a server that lives only as long as
    the run cannot, and each flow run ended by waiting up to 1 s for the heartbeat thread's sleep (an
    empty inbox's run 1.1–1.2 s with them, 0.3–0.5 s without). With a server (``qostil serve``, a
    work pool's worker, the tests' server) they stay as configured."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, get_current_settings, temporary_settings

    if get_current_settings().api.url:
        yield
        return
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield

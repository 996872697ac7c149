"""The CPU-bound part of a file's journey, run inside a worker process.

It knows nothing of databases or queues: bytes in, messages out. The runner in the
parent turns each message into a status write, so a worker that is killed mid-file
leaves nothing half-written.

:func:`read_report` is the one way a file becomes a report (the worker, ``labintake
extract`` and the accuracy benchmark all call it): extract, parse, validate, and when
the report fails validation, extract and parse again with the next strategy (the other
image path, then OCR at a higher resolution), up to three attempts, before
``parse_validation_failed``.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.settings import Settings

log = logging.getLogger(__name__)

TEXT_CACHE_CHARS = 1000


@dataclass(frozen=True, slots=True)
class StageContext:
    """What the stages may use, fixed for a run: the limits and options from ``Settings``.
    Built once (``from_settings``) and passed in; no stage reads settings or copies a default."""

    max_pages: int
    max_pixels: int
    ocr_dpi: int
    # Optional vision-LLM extractor (None: local OCR and parsing only).
    vision: Any = None  # labintake.extract.vision.VisionConfig
    # onnxruntime threads for OCR in this worker process (None: every core). With N
    # worker processes on C cores, C // N avoids oversubscription; applied before the
    # process's first OCR only (the engine is created once per process).
    ocr_threads: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> StageContext:
        from labintake.extract.vision import VisionConfig

        return cls(
            max_pages=settings.max_pages, max_pixels=settings.max_image_pixels, ocr_dpi=settings.ocr_dpi,
            vision=VisionConfig.from_settings(settings) if settings.vision_enabled else None,
            ocr_threads=max(1, (os.cpu_count() or 1) // max(1, settings.workers)),
        )

    @classmethod
    def defaults(cls) -> StageContext:
        """The settings' documented defaults, without reading the environment (benchmarks, tests)."""
        fields = Settings.model_fields
        return cls(max_pages=fields["max_pages"].default, max_pixels=fields["max_image_pixels"].default,
                   ocr_dpi=fields["ocr_dpi"].default)


@dataclass(frozen=True, slots=True)
class Job:
    """Everything a worker needs for one file; picklable, no ORM objects."""

    fps_id: str
    path: str
    file_type: str
    context: StageContext
    # Pages an earlier attempt read with OCR, by strategy and page number (Page.to_dict()
    # data): they are not read again.
    cached: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Reading:
    """What reading one file produced, and what it took."""

    document: Any  # labintake.extract.Document
    outcome: Any  # labintake.parse.ParseOutcome
    attempts: list[dict] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def report(self):
        return self.outcome.report

    @property
    def metadata(self) -> dict:
        """For parsing_metadata: the parse's own figures plus the attempts made."""
        meta = dict(self.outcome.metadata)
        meta["extraction_attempts"] = self.attempts
        meta["pages"] = len(self.document.pages)
        meta["ocr_pages"] = sum(p.source == "ocr" for p in self.document.pages)
        meta["ocr_pages_reused"] = sum(p.from_cache for p in self.document.pages)
        # Where each OCR'd page's word boxes were measured (web/ui/render.py shows that page).
        meta["page_frames"] = {str(p.number): p.frame for p in self.document.pages if p.frame}
        # Each page's size in points, the frame of its word boxes: the review page scales a box
        # by the served image's own size over this, whatever scale the image was rendered at.
        meta["page_sizes"] = {str(p.number): [round(p.width, 2), round(p.height, 2)] for p in self.document.pages}
        meta["timings"] = {k: round(v, 4) for k, v in self.timings.items()}
        return meta


def configure_worker(workers: int) -> None:
    """Give each of ``workers`` processes its share of the cores for OCR (call once per
    process, before the first OCR)."""
    from labintake.extract import ocr

    cores = os.cpu_count() or 1
    ocr.configure(threads=max(1, cores // max(1, workers)))


def read_report(
    data: bytes,
    file_type: str,
    context: StageContext | None = None,
    *,
    on_page: Callable[[str, int, int, Any], None] | None = None,
    on_extracted: Callable[[Any], None] | None = None,
    on_reextract: Callable[[str], None] | None = None,
    cached: dict[str, dict[int, Any]] | None = None,
    usage: dict[str, int] | None = None,
) -> Reading:
    """Extract and parse ``data``, retrying with the next strategy when validation fails.

    ``on_page(strategy, done, total, page)``: see ``extract_document``'s ``on_page``.
    ``cached``: pages already read with OCR (``Page`` objects), by strategy and page number.

    Raises ``LabIntakeError``: any extraction code, ``not_a_lab_report`` when no attempt
    found a result row, ``parse_validation_failed`` when every attempt found rows but
    none passed validation.
    """
    from labintake.extract import STRATEGIES, extract_document
    from labintake.parse import parse_outcome

    ctx = context or StageContext.defaults()
    max_pages, max_pixels, ocr_dpi, vision = ctx.max_pages, ctx.max_pixels, ctx.ocr_dpi, ctx.vision

    attempts: list[dict] = []
    timings: dict[str, float] = {}
    best: Reading | None = None
    last_error: LabIntakeError | None = None
    for number, strategy in enumerate(STRATEGIES, start=1):
        if number > 1 and on_reextract is not None:
            on_reextract(strategy)  # reading the file again: the status says so
        t0 = time.perf_counter()
        doc = extract_document(
            data, file_type, max_pages=max_pages, max_pixels=max_pixels, ocr_dpi=ocr_dpi,
            on_page=partial(on_page, strategy) if on_page is not None else None, strategy=strategy,
            cached=(cached or {}).get(strategy),
        )
        t1 = time.perf_counter()
        if on_extracted is not None:
            on_extracted(doc)
        try:
            outcome = parse_outcome(doc)
        except LabIntakeError as exc:
            if exc.code != ErrorCode.NOT_A_LAB_REPORT:
                raise
            outcome, last_error = None, exc
        t2 = time.perf_counter()
        _add(timings, "extract", t1 - t0)
        _add(timings, "parse", t2 - t1)
        for page in doc.pages:
            for stage, seconds in page.timings.items():
                _add(timings, stage, seconds)
        record = {"strategy": strategy, "extractor": doc.extractor, "seconds": round(t2 - t0, 3)}
        if outcome is None:
            record.update(results=0, failed=True)
            attempts.append(record)
        else:
            record.update(results=len(outcome.report.results), failed=outcome.failed,
                          problems=len(outcome.problems))
            attempts.append(record)
            reading = Reading(doc, outcome, attempts, timings)
            if best is None or outcome.score > best.outcome.score:
                best = reading
            if outcome.validated:  # a good reading: no next strategy (a kept one may not be)
                best = reading if not best.outcome.validated else best
                break
        if not _worth_retrying(doc, strategy, outcome):
            break
    if vision is not None and getattr(vision, "enabled", False) and (best is None or best.outcome.failed):
        best = _try_vision(data, file_type, vision, best, attempts, timings, max_pages, max_pixels, usage)
    if best is None:
        raise last_error or LabIntakeError(ErrorCode.NOT_A_LAB_REPORT)
    best.attempts, best.timings = attempts, timings
    if best.outcome.failed:
        raise LabIntakeError(
            ErrorCode.PARSE_VALIDATION_FAILED,
            attempts=len(attempts), problems=best.outcome.problems[:10],
        )
    return best


def _worth_retrying(doc, strategy: str, outcome) -> bool:
    # A digital PDF whose text layer parsed badly is worth OCR ("alternate" forces it);
    # after that, and for scans, each strategy reads the pixels differently. A clean
    # text layer with no result row at all is a document that is not a lab report:
    # reading its pixels would not find rows its text does not have, unless that text
    # holds not one word of a lab report (a font whose map to letters is wrong).
    from labintake.extract import STRATEGIES  # the order they are tried in
    from labintake.parse import reads_as_lab_words

    if strategy == STRATEGIES[-1]:
        return False
    if outcome is None and all(p.source == "text" and not p.scanned_image for p in doc.pages):
        return not reads_as_lab_words(doc)
    return True


def _try_vision(data, file_type, vision, best, attempts, timings, max_pages, max_pixels, usage=None):
    from labintake.pipeline.vision import read_with_vision

    t0 = time.perf_counter()
    try:
        doc, outcome = read_with_vision(data, file_type, vision, max_pages=max_pages, max_pixels=max_pixels,
                                        usage=usage)
    except LabIntakeError as exc:
        attempts.append({"strategy": "vision", "error": exc.code.value})
        return best
    _add(timings, "vision", time.perf_counter() - t0)
    attempts.append({"strategy": "vision", "extractor": doc.extractor, "results": len(outcome.report.results),
                     "failed": outcome.failed, "problems": len(outcome.problems)})
    reading = Reading(doc, outcome, attempts, timings)
    if best is None or (best.outcome.failed and not outcome.failed) or outcome.score > best.outcome.score:
        return reading
    return best


def _add(timings: dict[str, float], key: str, seconds: float) -> None:
    timings[key] = timings.get(key, 0.0) + seconds


# --- the worker protocol: what a worker process sends back for one job, in order ------------
# PageDone* Extracted, then (Reextracting, PageDone* Extracted)* while readings fail validation,
# then Parsed; or Failed at any point; Done after every job.


@dataclass(frozen=True, slots=True)
class Cost:
    """What the job used in the worker: its process's CPU time (every thread, OCR's included)
    and the vision-LLM tokens it was billed for. Sent with the job's ``Parsed`` or ``Failed``."""

    cpu_seconds: float
    vision_input_tokens: int = 0
    vision_output_tokens: int = 0

    @classmethod
    def since(cls, cpu_started: float, usage: dict[str, int]) -> Cost:
        return cls(round(max(0.0, time.process_time() - cpu_started), 4),
                   int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0)))


@dataclass(frozen=True, slots=True)
class Extracted:
    """The first reading is done: the row moves to ``parsing`` with these."""

    text: str  # the first TEXT_CACHE_CHARS characters (file_processing_status.extracted_text)
    model: str  # the extractor that read it
    pages: int
    ocr_pages: int
    ocr_pages_reused: int = 0  # of ocr_pages, those kept from an earlier attempt (not read again)


@dataclass(frozen=True, slots=True)
class PageDone:
    """``done`` of ``total`` pages read (``done`` 0: the page count is known, nothing read yet).
    ``page``: the page just read, when it was read with OCR in this attempt (``Page.to_dict()``
    data), for the page cache; None for text-layer pages and pages reused from the cache."""

    strategy: str
    done: int
    total: int
    page: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Reextracting:
    """The report failed validation: the file is being read again with the next strategy (the
    row moves back to ``extracting``; an ``Extracted`` follows when that reading is done)."""

    strategy: str


@dataclass(frozen=True, slots=True)
class Parsed:
    """The report (DESIGN §4 JSON) and its parsing_metadata: the row moves to ``saving``."""

    report: dict[str, Any]
    metadata: dict[str, Any]
    cost: Cost | None = None


@dataclass(frozen=True, slots=True)
class Failed:
    """The job failed with a stable code (at any point)."""

    code: str
    message: str | None
    details: dict[str, Any]
    cost: Cost | None = None


@dataclass(frozen=True, slots=True)
class Ready:
    """A new worker process has imported what it needs (its first message)."""

    pid: int


@dataclass(frozen=True, slots=True)
class Done:
    """The worker is free for the next job (after every job)."""


Message = PageDone | Extracted | Reextracting | Parsed | Failed | Ready | Done
Send = Callable[[Message], None]


def run_job(job: Job, send: Send) -> None:
    # CPU time of this process only: the worker runs one job at a time, so the difference is
    # this file's (the cost estimate's CPU-seconds).
    cpu_started = time.process_time()
    usage: dict[str, int] = {}
    try:
        _run(job, send, cpu_started, usage)
    except LabIntakeError as exc:
        send(Failed(exc.code.value, exc.message, exc.details, Cost.since(cpu_started, usage)))
    except MemoryError:
        send(Failed(ErrorCode.INTERNAL_ERROR.value, None, {"exception": "MemoryError"}, Cost.since(cpu_started, usage)))
    except Exception as exc:  # noqa: BLE001 - the boundary: anything unexpected becomes a code
        # The type and where it happened go to the log (debug), never the message text,
        # which could quote document content.
        log.debug("unexpected error in worker: %s", traceback.format_exc())
        send(Failed(ErrorCode.INTERNAL_ERROR.value, None, {"exception": type(exc).__name__},
                    Cost.since(cpu_started, usage)))


def _run(job: Job, send: Send, cpu_started: float, usage: dict[str, int]) -> None:
    if job.context.ocr_threads is not None:
        from labintake.extract import ocr

        if ocr._engine is None:
            ocr.configure(threads=job.context.ocr_threads)
    try:
        data = Path(job.path).read_bytes()
    except OSError as exc:
        raise LabIntakeError(ErrorCode.STORAGE_UNAVAILABLE, detail=type(exc).__name__) from exc
    from labintake.pipeline import faults

    faults.trip(data)  # a test's planted crash or hang; nothing outside pytest

    def extracted(doc: Any) -> None:
        send(Extracted(doc.text[:TEXT_CACHE_CHARS], doc.extractor, len(doc.pages),
                       sum(p.source == "ocr" for p in doc.pages), sum(p.from_cache for p in doc.pages)))

    def page_done(strategy: str, done: int, total: int, page: Any) -> None:
        fresh = page is not None and page.source == "ocr" and not page.from_cache
        send(PageDone(strategy, done, total, page.to_dict() if fresh else None))

    from labintake.extract import Page

    cached = {strategy: {int(n): Page.from_dict(d) for n, d in pages.items()}
              for strategy, pages in job.cached.items()}
    reading = read_report(
        data, job.file_type, job.context, on_page=page_done, on_extracted=extracted,
        on_reextract=lambda strategy: send(Reextracting(strategy)), cached=cached, usage=usage,
    )
    report = reading.report
    meta = reading.metadata
    meta.update(
        results=len(report.results),
        needs_review=sum(r.needs_review for r in report.results),
        flags_derived=sum(r.flag_source == "derived" for r in report.results),
        sections=sorted({r.section for r in report.results if r.section}),
    )
    send(Parsed(report.model_dump(mode="json"), meta, Cost.since(cpu_started, usage)))

"""The runner: one claimed file through its stages.

Happy path, six writes per file in all: the upload's insert, then
``pending→downloading`` (the claim), ``→extracting``, ``→parsing``, ``→saving``, and
``→completed`` together with the saved results. A file parsed within ``COALESCE_SECONDS``
of its reading (a text PDF) takes four: ``→parsing``, ``→saving`` and ``→completed`` go in
one transaction with the results, still one event per transition, each stamped when it
happened. Every write is compare-and-set: if the file was cancelled meanwhile the write
does not apply and the runner drops the file.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from labintake import metrics
from labintake.db import pages as page_cache
from labintake.db import recovery, search
from labintake.db import transitions as tx
from labintake.db.costs import added_cost
from labintake.db.engine import Database
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.results import save_report
from labintake.db.transitions import Claim, Moved
from labintake.domain import schemas
from labintake.domain.clock import utcnow
from labintake.domain.cost import Prices
from labintake.domain.errors import ErrorCode, LabIntakeError, backoff_seconds
from labintake.domain.status import ACTIVE_STATUSES, FileStatus
from labintake.pipeline import faults
from labintake.pipeline.pages import PageProgress
from labintake.pipeline.procpool import WorkerDied, WorkerProcess
from labintake.pipeline.work import (
    Cost,
    Done,
    Extracted,
    Failed,
    Job,
    Message,
    PageDone,
    Parsed,
    Reextracting,
    StageContext,
)
from labintake.settings import Settings
from labintake.storage import Storage

log = logging.getLogger(__name__)

WORKER_START_TIMEOUT = 120.0  # a cold worker imports onnxruntime and friends
# How long the ``→parsing`` write waits for the parse: a parse that arrives within it is saved
# with it in one transaction. Longer than a text PDF's parse on a busy machine, short enough
# that a slow parse shows ``parsing`` live.
COALESCE_SECONDS = 0.25


@dataclass(slots=True)
class Outcome:
    status: FileStatus | None  # the status the file ended in (None: dropped, e.g. cancelled)
    worker_replaced: bool = False


class Dropped(Exception):
    """A compare-and-set write did not apply: someone else (cancel, recovery) owns the file now."""


class FileRunner:
    def __init__(
        self,
        db: Database,
        storage: Storage,
        settings: Settings,
        on_event: Callable[[Moved], None] = lambda m: None,
        owner: str | None = None,
    ) -> None:
        self.db = db
        self.owner = owner  # the worker id our claims hold the files under: every write checks it
        self.storage = storage
        self.settings = settings
        self.on_event = on_event
        self._clocks: dict[str, list[float]] = {}
        # Each worker process gets its share of the cores for OCR (see StageContext).
        self._context = StageContext.from_settings(settings)
        self._prices = Prices.from_settings(settings)

    def _cost(self, cost: Cost | None) -> dict:
        """The row's cost columns plus this attempt's use (nothing when the worker sent none)."""
        if cost is None:
            return {}
        return added_cost(self._prices, cost.cpu_seconds, cost.vision_input_tokens, cost.vision_output_tokens)

    def _move(self, claim: Claim, expected: FileStatus, target: FileStatus, *,
              keep: list[tuple[str, int, dict]] | None = None, **fields) -> None:
        """One transition in its own transaction (with ``keep``: OCR'd pages kept in the same one)."""
        with self.db.transaction() as s:
            moved = tx.transition(s, claim.fps_id, expected, target, owner=self.owner, **fields)
            if moved is not None and keep:
                page_cache.keep_pages(s, file_id=claim.file_id, user_id=claim.user_id, pages=keep)
        if moved is None:
            raise Dropped(claim.fps_id)
        self._announce(moved, expected, claim)

    def _observe(self, claim: Claim, previous: FileStatus, status: FileStatus, at: float | None = None) -> float:
        """Metrics for one transition (made at monotonic time ``at``, default now): the stage
        just left, and the file's ending if it ended. Returns the seconds spent in the stage just left."""
        now = time.monotonic() if at is None else at
        kind = metrics.kind_of(claim.file_type)
        clock = self._clocks.setdefault(claim.fps_id, [now, now])  # [claimed, stage entered]
        seconds = now - clock[1]
        metrics.STAGE_SECONDS.labels(previous.value, kind).observe(seconds)
        clock[1] = now
        if status.is_terminal or status is FileStatus.PENDING:
            self._clocks.pop(claim.fps_id, None)
        if status is FileStatus.COMPLETED:
            metrics.PROCESSING_SECONDS.labels(kind).observe(now - clock[0])
        if status.is_terminal:
            metrics.FILES_FINISHED.labels(status.value, kind).inc()
            if claim.attempt > 1:
                metrics.RETRY_OUTCOMES.labels(status.value).inc()
        return seconds

    def _announce(self, moved: Moved, previous: FileStatus, claim: Claim, at: float | None = None) -> None:
        seconds = self._observe(claim, previous, moved.status, at)
        # One line per transition: ids, codes and numbers only, never document content.
        log.info(
            "file %s -> %s", previous, moved.status,
            extra={"session_id": moved.session_id, "file_id": moved.file_id, "status": moved.status.value,
                   "attempt": claim.attempt, "stage_seconds": round(seconds, 4)},
        )
        self.on_event(moved)

    def run(self, claim: Claim, worker: WorkerProcess) -> Outcome:
        """Run a claimed file (already ``downloading``) to a terminal status or back to pending."""
        stage = FileStatus.DOWNLOADING
        model: str | None = None
        spent: Cost | None = None  # a failed job's use, stored with its failure
        now = time.monotonic()
        self._clocks[claim.fps_id] = [now, now]
        pages = PageProgress(variant=self._variant)
        limit = self.settings.file_timeout_seconds
        try:
            path = self._fetch(claim)
            job = Job(claim.fps_id, str(path), claim.file_type, self._context, self._cached(claim))
            worker.wait_ready(WORKER_START_TIMEOUT)
            self._move(claim, stage, FileStatus.EXTRACTING, pages_done=0, pages_total=None)
            stage = FileStatus.EXTRACTING
            pages.restart()
            submitted = time.monotonic()
            deadline = submitted + limit
            worker.submit(job)
            held: Message | None = None  # a message read ahead while a parse was awaited
            coalesce = not faults.stalls_saving(str(path))
            while True:
                if held is not None:
                    msg, held = held, None
                else:
                    write_at = pages.next_write() if stage is FileStatus.EXTRACTING else None
                    try:
                        msg = worker.recv(min(deadline, write_at or deadline) - time.monotonic())
                    except TimeoutError:
                        if time.monotonic() < deadline:  # a trailing page-progress write is due
                            self._write_pages(claim, pages)
                            continue
                        raise
                if isinstance(msg, PageDone):
                    if msg.done == 0 and msg.total > 1 and limit == self.settings.file_timeout_seconds:
                        # The page count is known: the limit grows with it (once per file).
                        limit += self.settings.file_timeout_per_page_seconds * (msg.total - 1)
                        deadline = submitted + limit
                    pages.add(msg)
                    if pages.due:
                        self._write_pages(claim, pages)
                elif isinstance(msg, Extracted):
                    fields: dict[str, object] = {"pages_done": msg.pages, "pages_total": msg.pages}
                    if model is None:  # the first reading is the one the row keeps
                        model = msg.model
                        fields.update(extracted_text=msg.text, extraction_model=msg.model)
                    if msg.ocr_pages:  # what OCR cost this time (pages kept from an earlier attempt are free)
                        fields["payload"] = {"ocr_pages": msg.ocr_pages, "ocr_pages_reused": msg.ocr_pages_reused}
                    read_at = (utcnow(), time.monotonic())
                    if coalesce:
                        held = worker.recv_within(min(COALESCE_SECONDS, deadline - read_at[1]))
                    if isinstance(held, Parsed):  # parsed already: one transaction from here to completed
                        worker.finish()
                        stage = FileStatus.SAVING  # the worker is done with the file (nothing to replace)
                        self._save(claim, held, model, forget_pages=bool(job.cached) or pages.ocr_read, before=(
                            (FileStatus.EXTRACTING, FileStatus.PARSING, {**fields, "now": read_at[0]}, read_at[1]),
                            (FileStatus.PARSING, FileStatus.SAVING, {}, None)))
                        return Outcome(FileStatus.COMPLETED)
                    self._move(claim, stage, FileStatus.PARSING, keep=pages.take_pages(), now=read_at[0], **fields)
                    stage = FileStatus.PARSING
                elif isinstance(msg, Reextracting):
                    self._move(claim, stage, FileStatus.EXTRACTING, payload={"strategy": msg.strategy},
                               pages_done=0)
                    stage = FileStatus.EXTRACTING
                    pages.restart()
                elif isinstance(msg, Parsed):
                    worker.finish()  # the worker is free again before we touch the database
                    self._move(claim, stage, FileStatus.SAVING)
                    stage = FileStatus.SAVING
                    faults.stall_saving(str(path), lambda: self._still_ours(claim, FileStatus.SAVING))
                    self._save(claim, msg, model, forget_pages=bool(job.cached) or pages.ocr_read)
                    return Outcome(FileStatus.COMPLETED)
                elif isinstance(msg, Failed):
                    spent = msg.cost
                    worker.finish()
                    raise LabIntakeError(msg.code, msg.message, **(msg.details or {}))
                elif isinstance(msg, Done):
                    raise LabIntakeError(ErrorCode.INTERNAL_ERROR, exception="worker finished without a result")
        except Dropped:
            self._clocks.pop(claim.fps_id, None)
            log.info("file dropped: no longer ours", extra={"file_id": claim.fps_id})
            return Outcome(None, worker_replaced=self._discard(worker, stage))
        except TimeoutError:
            worker.replace()
            self._keep_pages(claim, pages.take_pages())  # what was read before the kill is kept
            error = LabIntakeError(ErrorCode.FILE_TIMEOUT, limit_seconds=limit, stage=stage.value)
            return Outcome(self._finish_failed(claim, stage, error, FileStatus.TIMEOUT), True)
        except WorkerDied as exc:
            worker.replace()
            self._keep_pages(claim, pages.take_pages())
            return Outcome(self._worker_crashed(claim, stage, str(exc)), True)
        except LabIntakeError as error:
            return Outcome(self._finish_failed(claim, stage, error, cost=spent))

    def _fetch(self, claim: Claim) -> Path:
        """The file's bytes on this machine. While the store cannot be reached the file waits,
        ``downloading`` with its lease renewed, up to the per-file time limit: an outage of the
        store is not the file's fault and costs no attempt. Past the limit (or for any other
        storage error) it is ``storage_unavailable`` as usual; cancelled or handed back
        meanwhile, it is dropped."""
        give_up = time.monotonic() + self.settings.file_timeout_seconds
        delay = 0.5
        while True:
            try:
                return self.storage.fetch(claim.storage_key)
            except LabIntakeError as exc:
                if not exc.details.get("unreachable") or time.monotonic() + delay > give_up:
                    raise
                log.warning("file store unreachable; waiting %.1f s", delay, extra={"file_id": claim.fps_id})
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
            if not self._still_ours(claim, FileStatus.DOWNLOADING):
                raise Dropped(claim.fps_id)

    def _still_ours(self, claim: Claim, status: FileStatus) -> bool:
        """The file is still in ``status`` under our claim (a test fault's question)."""
        with self.db.read() as s:
            row = s.execute(select(FPS.status, FPS.worker_id).where(FPS.id == claim.fps_id)).first()
        return row is not None and row.status == status.value and row.worker_id == self.owner

    def _variant(self, strategy: str) -> str:
        """The page cache's key for a strategy: a page read at another dpi is another reading."""
        return f"{strategy}@{self._context.ocr_dpi}"

    def _cached(self, claim: Claim) -> dict[str, dict[int, dict]]:
        """The pages an earlier attempt read with OCR, by strategy (this dpi's only)."""
        with self.db.read() as s:
            kept = page_cache.cached_pages(s, claim.file_id)
        suffix = self._variant("")
        return {key.removesuffix(suffix): found for key, found in kept.items() if key.endswith(suffix)}

    def _write_pages(self, claim: Claim, pages: PageProgress) -> None:
        """One transaction: the file's page progress with its event, and the OCR'd pages read
        since the last write."""
        done, total, read = pages.take()
        with self.db.transaction() as s:
            moved = page_cache.record_pages(s, claim.fps_id, done=done, total=total)
            if moved is None:
                raise Dropped(claim.fps_id)
            page_cache.keep_pages(s, file_id=claim.file_id, user_id=claim.user_id, pages=read)

    def _keep_pages(self, claim: Claim, read: list[tuple[str, int, dict]]) -> None:
        """Keep OCR'd pages not yet written (the reading ended, or its worker died)."""
        if not read:
            return
        try:
            with self.db.transaction() as s:
                page_cache.keep_pages(s, file_id=claim.file_id, user_id=claim.user_id, pages=read)
        except LabIntakeError as exc:  # the database is down: the pages are read again next time
            log.warning("could not keep %d pages: %s", len(read), exc.code, extra={"file_id": claim.fps_id})

    def _discard(self, worker: WorkerProcess, stage: FileStatus) -> bool:
        """The file is no longer ours: a worker still busy with it is replaced."""
        if stage in (FileStatus.EXTRACTING, FileStatus.PARSING):
            worker.replace()
            return True
        return False

    def _save(self, claim: Claim, parsed: Parsed, model: str | None, *, forget_pages: bool,
              before: tuple[tuple[FileStatus, FileStatus, dict, float | None], ...] = ()) -> None:
        """Results and ``completed`` in one transaction, with the transitions ``before`` it
        (source, target, fields, monotonic time it happened) if any. The results go first and
        the transitions last: a transition's summary trigger takes the session's summary row
        lock (on PostgreSQL, until the commit), so it is held only for the closing statements
        and not for the results' inserts. A transition that no longer applies (cancelled,
        handed back) rolls the results back with it. ``forget_pages``: OCR'd pages may have been
        kept for this file (read now or by an earlier attempt); saved, they are dropped."""
        report = schemas.LabReport.model_validate(parsed.report)
        done: list[tuple[Moved, FileStatus, float | None]] = []
        with self.db.transaction() as s:
            save_report(
                s, user_id=claim.user_id, session_id=claim.session_id, file_id=claim.file_id,
                report=report, extraction_model=model,
            )
            if forget_pages:
                page_cache.forget_pages(s, claim.file_id)
            for source, target, fields, at in before:
                step = tx.transition(s, claim.fps_id, source, target, owner=self.owner, **fields)
                if step is None:
                    raise Dropped(claim.fps_id)
                done.append((step, source, at))
            moved = tx.transition(
                s, claim.fps_id, FileStatus.SAVING, FileStatus.COMPLETED, owner=self.owner,
                parsing_metadata=parsed.metadata, is_retryable=False, **self._cost(parsed.cost),
            )
            if moved is None:
                raise Dropped(claim.fps_id)
            search.refresh_file(s, claim.fps_id)  # now findable by patient and lab name
        for step, source, at in done:
            self._announce(step, source, claim, at)
        self._announce(moved, FileStatus.SAVING, claim)

    def _finish_failed(
        self, claim: Claim, stage: FileStatus, error: LabIntakeError,
        status: FileStatus = FileStatus.FAILED, cost: Cost | None = None,
    ) -> FileStatus | None:
        """Store the error: an automatic retry (transient, attempts left) or a final failure."""
        expected = set(ACTIVE_STATUSES)
        try:
            with self.db.transaction() as s:
                if error.auto_retry and claim.attempt < claim.max_attempts:
                    delay = backoff_seconds(claim.attempt, self.settings.retry_backoff_seconds)
                    moved = tx.retry_later(s, claim.fps_id, expected, error, delay, owner=self.owner, **self._cost(cost))
                else:
                    moved = tx.fail(s, claim.fps_id, expected, error, status=status, owner=self.owner, **self._cost(cost))
        except LabIntakeError:
            # The database itself is down: the lease will expire and recovery retries the file.
            log.exception("could not store failure %s", error.code,
                          extra={"file_id": claim.fps_id, "error_code": error.code})
            return None
        if moved is None:  # no longer ours (handed back at shutdown, cancelled, recovered)
            log.info("file no longer ours after %s at %s", error.code, stage, extra={"file_id": claim.fps_id})
            return None
        log.warning(
            "file failed at %s: %s", stage, error.code,
            extra={"session_id": claim.session_id, "file_id": claim.fps_id, "error_code": error.code},
        )
        if moved.status is FileStatus.PENDING:
            metrics.RETRIES.labels("automatic", error.code.value).inc()
        else:
            metrics.FAILURES.labels(error.code.value).inc()
            if error.code in (ErrorCode.FILE_TIMEOUT, ErrorCode.SESSION_TIMEOUT):
                metrics.TIMEOUTS.labels("file" if error.code is ErrorCode.FILE_TIMEOUT else "session").inc()
        self._announce(moved, stage, claim)
        return moved.status

    def _worker_crashed(self, claim: Claim, stage: FileStatus, detail: str) -> FileStatus | None:
        """The file's worker process died while we live: same attempt, one more recovery, or
        ``worker_lost`` once it has happened ``recovery.WORKER_CRASH_LIMIT`` times (a poison pill)."""
        try:
            with self.db.transaction() as s:
                moved = recovery.worker_crashed(s, claim.fps_id, self.owner or "", stage=stage.value,
                                                detail=detail)
        except LabIntakeError:
            log.exception("could not store a worker crash", extra={"file_id": claim.fps_id})
            return None
        if moved is None:  # killed on purpose: cancelled, timed out, handed back, recovered elsewhere
            log.info("worker stopped for a file no longer ours at %s", stage, extra={"file_id": claim.fps_id})
            return None
        log.warning("worker process died at %s", stage,
                    extra={"session_id": claim.session_id, "file_id": claim.fps_id, "status": moved.status.value})
        if moved.status is FileStatus.PENDING:
            metrics.RETRIES.labels("worker_crash", ErrorCode.WORKER_LOST.value).inc()
        else:
            metrics.FAILURES.labels(ErrorCode.WORKER_LOST.value).inc()
        self._announce(moved, stage, claim)
        return moved.status

"""Scale-out: files run as procrastinate jobs on any number of ``labintake worker`` machines.

Admission (pending -> downloading within the per-session and global caps) and the
deferral of the file's job happen in ONE transaction: the job row is inserted by
procrastinate's own SQL function on our connection, so the queue and the file rows
can never disagree. Admission is serialised across every process by an advisory lock
(see ``transitions.claim``), so the caps hold across all workers together.

A job takes its file (compare-and-set on the owner), runs it on a local worker process
with the hard per-file timeout, and:
- on a transient failure with attempts left, the file goes back to pending and the job
  raises, so procrastinate's retry strategy (exponential backoff) runs it again;
- on a permanent failure, the job ends normally: it is never retried.
Leases and the reaper are ours: procrastinate leaves a dead worker's job in ``doing``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from labintake.db import transitions as tx
from labintake.db.engine import Database, conninfo
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import UploadedFile, utcnow
from labintake.db.transitions import Claim, Moved
from labintake.domain.status import FileStatus
from labintake.executors.core import ExecutorCore, observe_claims
from labintake.settings import Settings
from labintake.storage import Storage

log = logging.getLogger(__name__)

QUEUE = "labintake"
TASK_NAME = "labintake.run_file"
QUEUED = tx.QUEUED


class TransientFailure(Exception):
    """Raised by a job so procrastinate retries it (the file is already back to pending)."""

    def __init__(self, fps_id: str, delay_seconds: float = 0.0) -> None:
        super().__init__(fps_id)
        self.delay_seconds = delay_seconds


def retry_strategy(max_attempts: int) -> Any:
    """procrastinate retries a job when its file's own backoff is due: the delay the runner stored
    (``next_attempt_at``, exponential from LABINTAKE_RETRY_BACKOFF_SECONDS), to the millisecond.
    (procrastinate's own RetryStrategy counts whole seconds: a 0.1 s base became 0.)"""
    import procrastinate
    from procrastinate.retry import RetryDecision

    class FileBackoff(procrastinate.BaseRetryStrategy):
        def get_retry_decision(self, *, exception: BaseException, job: Any) -> RetryDecision | None:
            if not isinstance(exception, TransientFailure) or job.attempts >= max_attempts:
                return None
            return RetryDecision(retry_at=datetime.now(UTC) + timedelta(seconds=exception.delay_seconds))

    return FileBackoff()


def defer(s: Session, fps_ids: list[str]) -> list[int]:
    """Insert one job per file through procrastinate's SQL function, in the caller's transaction."""
    if not fps_ids:
        return []
    params = {f"a{i}": json.dumps({"fps_id": fps_id}) for i, fps_id in enumerate(fps_ids)}
    rows = ", ".join(
        f"ROW('{QUEUE}', '{TASK_NAME}', 0, NULL, NULL, CAST(:a{i} AS jsonb), NULL)::procrastinate_job_to_defer_v1"
        for i in range(len(fps_ids))
    )
    return list(s.execute(text(f"SELECT procrastinate_defer_jobs_v1(ARRAY[{rows}])"), params).scalar_one())


def admit(db: Database, settings: Settings) -> list[Claim]:
    """Admit what the caps allow and defer a job for each admitted file, in one transaction."""
    with db.transaction(system=True) as s:  # admission acts for every user, even from a request
        claims = tx.claim(
            s, worker_id=QUEUED, slots=settings.workers, global_cap=settings.workers,
            per_session_cap=settings.per_session_concurrency, lease_seconds=settings.lease_seconds,
        )
        defer(s, [c.fps_id for c in claims])
    observe_claims(claims)
    return claims


def take(s: Session, fps_id: str, worker_id: str, lease_seconds: float) -> Claim | None:
    """A job takes its admitted file from the queue placeholder (compare-and-set on the owner)."""
    now = utcnow()
    row = s.execute(
        update(FPS)
        .where(FPS.id == fps_id, FPS.status == FileStatus.DOWNLOADING.value, FPS.worker_id == QUEUED)
        .values(worker_id=worker_id, heartbeat_at=now, lease_expires_at=now + timedelta(seconds=lease_seconds))
        .returning(FPS.file_id, FPS.session_id, FPS.user_id, FPS.attempt_number, FPS.max_retry_attempts,
                   FPS.file_type)
    ).first()
    if row is None:
        return None
    storage_key = s.execute(select(UploadedFile.storage_key).where(UploadedFile.id == row.file_id)).scalar_one()
    return Claim(fps_id, row.file_id, row.session_id, row.user_id, row.attempt_number, row.max_retry_attempts,
                 row.file_type, storage_key)


def make_app(settings: Settings):
    import procrastinate

    return procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(settings.db_url)))


class DistributedWorker(ExecutorCore):
    """``labintake worker``: procrastinate's worker loop plus our admission, heartbeats and reaper."""

    def __init__(
        self, db: Database, storage: Storage, settings: Settings, *, concurrency: int | None = None,
        on_event: Callable[[Moved], None] | None = None,
    ) -> None:
        super().__init__(db, storage, settings, capacity=concurrency or settings.workers, on_event=on_event,
                         kind="w")

        self.app = make_app(settings)
        retry = retry_strategy(max(0, settings.max_retry_attempts - 1))
        self.app.task(name=TASK_NAME, queue=QUEUE, retry=retry)(self.run_file)
        self._aio: asyncio.AbstractEventLoop | None = None
        self._worker_task: asyncio.Task[Any] | None = None

    # --- the job ----------------------------------------------------------------------------

    def run_file(self, fps_id: str) -> str:
        with self.db.transaction() as s:
            claim = take(s, fps_id, self.worker_id, self.settings.lease_seconds)
            if claim is None:
                # A retry of ours: the file waits in pending; take it back if the caps allow.
                claim = self._reclaim(s, fps_id)
        if claim is None:
            return "dropped"
        self._event(Moved(claim.fps_id, claim.session_id, claim.user_id, FileStatus.DOWNLOADING, 0))
        outcome = self.run_claim(claim)
        if outcome.status is FileStatus.PENDING:
            raise TransientFailure(fps_id, self._due_in(fps_id))
        return outcome.status.value if outcome.status else "dropped"

    def _due_in(self, fps_id: str) -> float:
        """Seconds until the file's retry is due (its backoff), 0 if due now."""
        with self.db.read() as s:
            due = s.execute(select(FPS.next_attempt_at).where(FPS.id == fps_id)).scalar_one_or_none()
        return max(0.0, (due - utcnow()).total_seconds()) if due is not None else 0.0

    def _reclaim(self, s: Session, fps_id: str) -> Claim | None:
        status = s.execute(select(FPS.status).where(FPS.id == fps_id)).scalar_one_or_none()
        if status != FileStatus.PENDING.value:
            return None
        for claim in tx.claim(
            s, worker_id=self.worker_id, slots=self.settings.workers, global_cap=self.settings.workers,
            per_session_cap=self.settings.per_session_concurrency, lease_seconds=self.settings.lease_seconds,
            only=[fps_id],
        ):
            observe_claims([claim])
            return claim
        return None

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        self.recover()
        self.start_workers()
        self._spawn(lambda: self._loop("admission", self.settings.poll_interval_seconds * 5, self._admit_round),
                    "admission")
        ready = threading.Event()
        self._spawn(lambda: self._procrastinate(ready), "procrastinate")
        ready.wait(30)
        log.info("worker started", extra={"worker_id": self.worker_id, "concurrency": self.capacity})

    def _procrastinate(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._aio = loop
        asyncio.set_event_loop(loop)

        async def main() -> None:
            # procrastinate's loop ends with an error when the database goes away; a worker
            # must outlive an outage, so it starts again (the reaper recovers what was running).
            self._worker_task = asyncio.current_task()
            while not self._stop.is_set():
                try:
                    async with self.app.open_async():
                        ready.set()
                        await self.app.run_worker_async(
                            queues=[QUEUE], concurrency=self.capacity, install_signal_handlers=False,
                            fetch_job_polling_interval=1.0, shutdown_graceful_timeout=5.0,
                        )
                except asyncio.CancelledError:
                    return
                except Exception as exc:  # noqa: BLE001 - connection errors, whatever the driver raises
                    log.warning("job queue connection lost (%s); reconnecting", type(exc).__name__)
                    await asyncio.sleep(1.0)

        try:
            loop.run_until_complete(main())
        finally:
            ready.set()
            loop.close()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._aio is not None and self._worker_task is not None and not self._aio.is_closed():
            self._aio.call_soon_threadsafe(self._worker_task.cancel)
        self.stop_workers()

    def on_slot_free(self) -> None:
        self._wake.set()

    def _admit_round(self) -> None:
        with self.db.read() as s:
            if not tx.has_admissible(s):
                return
        for claim in admit(self.db, self.settings):
            self._event(Moved(claim.fps_id, claim.session_id, claim.user_id, FileStatus.DOWNLOADING, claim.event_id))

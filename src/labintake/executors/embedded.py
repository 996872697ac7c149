"""The embedded executor: admission, leases, heartbeats and worker processes inside one process.

A scheduler thread admits files (compare-and-set claims within the per-session and
global caps) and hands each to a runner thread that owns one worker process. On start,
files left running by a dead process are recovered.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from labintake.db import transitions as tx
from labintake.db.engine import Database
from labintake.db.transitions import Claim, Moved
from labintake.domain.status import FileStatus
from labintake.executors.core import ExecutorCore, observe_claims
from labintake.settings import Settings
from labintake.storage import Storage

log = logging.getLogger(__name__)


class EmbeddedExecutor(ExecutorCore):
    def __init__(self, db: Database, storage: Storage, settings: Settings, *, on_event=None) -> None:
        super().__init__(db, storage, settings, capacity=settings.workers, on_event=on_event)
        self._pool: ThreadPoolExecutor | None = None
        self._claimed = 0  # claims handed to runner threads, not yet finished
        self.started = False

    def start(self) -> None:
        self.recover()
        self.start_workers()
        self._pool = ThreadPoolExecutor(self.capacity, thread_name_prefix="labintake-run")
        self._spawn(lambda: self._loop("scheduler", self.settings.poll_interval_seconds, self._admit), "scheduler")
        self.started = True
        log.info("executor started", extra={"worker_id": self.worker_id, "workers": self.capacity})

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._pool:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self.stop_workers()
        if self._pool:
            self._pool.shutdown(wait=True)
        self.started = False

    def on_slot_free(self) -> None:
        self._wake.set()

    def _event(self, moved: Moved) -> None:
        super()._event(moved)
        if moved.status.is_terminal or moved.status is FileStatus.PENDING:
            self._wake.set()

    def recover(self) -> list[Moved]:
        moved = super().recover()
        if moved:
            self._wake.set()
        return moved

    def _admit(self) -> None:
        with self._lock:
            free = self.capacity - self._claimed
        if free <= 0:
            return
        # A cheap read first: an idle poll must not take SQLite's write lock.
        with self.db.read() as s:
            if not tx.has_admissible(s):
                return
        with self.db.transaction() as s:
            claims = tx.claim(
                s, worker_id=self.worker_id, slots=free, global_cap=self.settings.workers,
                per_session_cap=self.settings.per_session_concurrency,
                lease_seconds=self.settings.lease_seconds,
            )
        observe_claims(claims)
        for claim in claims:
            with self._lock:
                self._claimed += 1
            self._event(Moved(claim.fps_id, claim.session_id, claim.user_id, FileStatus.DOWNLOADING, claim.event_id))
            assert self._pool is not None
            self._pool.submit(self._run, claim)

    def _run(self, claim: Claim) -> None:
        try:
            self.run_claim(claim)
        except Exception:  # noqa: BLE001 - one file's bug must not take a slot away for good
            log.exception("runner crashed", extra={"file_id": claim.fps_id})
        finally:
            with self._lock:
                self._claimed -= 1
            self._wake.set()

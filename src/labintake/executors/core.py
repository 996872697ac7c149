"""What every executor shares: worker processes, the files running here, heartbeats, recovery.

The embedded executor adds a scheduler thread that admits files; the procrastinate
worker gets its files from the job queue. Both run each file with the same runner in a
worker process of their own, renew leases the same way, and recover dead workers' files
the same way.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from queue import Queue

from sqlalchemy import select

from labintake import metrics
from labintake.db import recovery
from labintake.db import transitions as tx
from labintake.db.engine import Database
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.transitions import Claim, Moved
from labintake.domain.errors import LabIntakeError
from labintake.domain.status import ACTIVE_STATUSES, FileStatus
from labintake.pipeline.procpool import WorkerProcess
from labintake.pipeline.runner import FileRunner, Outcome
from labintake.settings import Settings
from labintake.storage import Storage

log = logging.getLogger(__name__)

HOST = socket.gethostname()
ACTIVE = sorted(ACTIVE_STATUSES)  # for IN (…) clauses


def new_worker_id(kind: str = "") -> str:
    """host:pid:random — the host and pid let a restarted process on the same host recover at once."""
    return f"{HOST}:{os.getpid()}:{kind}{uuid.uuid4().hex[:8]}"


def dead_local_workers(worker_ids: set[str]) -> set[str]:
    """Lease holders on this host whose process no longer exists: recover them without waiting."""
    dead = set()
    for wid in worker_ids:
        host, _, rest = wid.partition(":")
        pid_text = rest.partition(":")[0]
        if host != HOST or not pid_text.isdigit():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            dead.add(wid)
        except PermissionError:
            pass
    return dead


def observe_claims(claims: list[Claim]) -> None:
    """Admission's metrics: how long each file waited, and a session's time to first progress."""
    for claim in claims:
        if claim.waited_seconds is not None:
            metrics.QUEUE_WAIT_SECONDS.observe(claim.waited_seconds)
        if claim.first_progress_seconds is not None:
            metrics.FIRST_PROGRESS_SECONDS.observe(claim.first_progress_seconds)


class ExecutorCore:
    def __init__(
        self,
        db: Database,
        storage: Storage,
        settings: Settings,
        *,
        capacity: int,
        on_event: Callable[[Moved], None] | None = None,
        kind: str = "",
    ) -> None:
        self.db = db
        self.settings = settings
        self.capacity = capacity
        self.worker_id = new_worker_id(kind)
        self._on_event = on_event or (lambda moved: None)
        self.runner = FileRunner(db, storage, settings, on_event=self._event, owner=self.worker_id)
        self._idle: Queue[WorkerProcess] = Queue()
        self._workers: list[WorkerProcess] = []
        self._running: dict[str, tuple[Claim, WorkerProcess]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- lifecycle ------------------------------------------------------------------------

    def start_workers(self) -> None:
        for _ in range(self.capacity):
            worker = WorkerProcess()
            self._workers.append(worker)
            self._idle.put(worker)
        self._spawn(self._heartbeat_loop, "heartbeat")

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=f"labintake-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop_workers(self) -> None:
        """Kill the workers and hand running files back (pending, same attempt)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        for worker in self._workers:
            worker.retire()
        with self._lock:
            running = list(self._running.items())
        # The files first: a runner that loses the race then finds its file no longer its own
        # instead of recording the kill below as worker_lost (which would cost an attempt).
        try:
            with self.db.transaction() as s:
                for fps_id, _ in running:
                    tx.transition(
                        s, fps_id, ACTIVE_STATUSES, FileStatus.PENDING, progress=0, owner=self.worker_id,
                        worker_id=None, lease_expires_at=None, payload={"reason": "shutdown"},
                    )
        except LabIntakeError:
            log.warning("could not release running files; their leases will expire")
        for worker in self._workers:
            worker.stop()

    def wake(self) -> None:
        """Look for work now (new files, a resumed session, a retry) instead of at the next poll."""
        self._wake.set()

    def _loop(self, name: str, interval: float, work: Callable[[], None]) -> None:
        """Every ``interval`` (or when woken): the reaper when it is due, then ``work``.

        The loop outlives any one bad round: the database being down is logged by code and
        retried a second later.
        """
        last_recovery = time.monotonic()
        while not self._stop.is_set():
            self._wake.wait(interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                if time.monotonic() - last_recovery > min(5.0, self.settings.lease_seconds / 2):
                    self.recover()
                    last_recovery = time.monotonic()
                work()
            except LabIntakeError as exc:
                log.warning("%s: %s", name, exc.code)
                time.sleep(1.0)
            except Exception:  # noqa: BLE001 - the loop must outlive any one bad round
                log.exception("%s round failed", name)
                time.sleep(1.0)

    # --- running one file -----------------------------------------------------------------

    def run_claim(self, claim: Claim) -> Outcome:
        """Run a claimed file on an idle worker process (blocks until one is free)."""
        worker = self._idle.get()
        with self._lock:
            self._running[claim.fps_id] = (claim, worker)
            metrics.RUNNING_FILES.set(len(self._running))
        try:
            return self.runner.run(claim, worker)
        finally:
            worker.release()
            with self._lock:
                self._running.pop(claim.fps_id, None)
                metrics.RUNNING_FILES.set(len(self._running))
            self._idle.put(worker)
            self.on_slot_free()

    def on_slot_free(self) -> None:
        """Hook: a worker process became idle."""

    @property
    def running_count(self) -> int:
        with self._lock:
            return len(self._running)

    # --- leases ---------------------------------------------------------------------------

    def recover(self) -> list[Moved]:
        """Files of dead servers: back to pending on the same attempt (see ``db.recovery``); expired sessions."""
        with self.db.transaction() as s:
            holders = set(
                s.execute(
                    select(FPS.worker_id).where(FPS.status.in_(ACTIVE), FPS.worker_id.is_not(None)).distinct()
                ).scalars()
            )
            holders.discard(self.worker_id)
            moved = recovery.recover_expired(s, dead_workers=dead_local_workers({h for h in holders if h is not None}))
            moved += recovery.expire_sessions(s)
        for m in moved:
            log.info("recovered file", extra={"file_id": m.file_id, "status": m.status})
            self._event(m)
        return moved

    def _heartbeat_loop(self) -> None:
        interval = max(0.2, self.settings.lease_seconds / 3)
        while not self._stop.wait(interval):
            with self._lock:
                running = dict(self._running)
            if not running:
                continue
            try:
                with self.db.transaction() as s:
                    tx.heartbeat(s, self.worker_id, running, self.settings.lease_seconds)
                    still = set(
                        s.execute(
                            select(FPS.id).where(
                                FPS.id.in_(list(running)), FPS.status.in_(ACTIVE), FPS.worker_id == self.worker_id
                            )
                        ).scalars()
                    )
            except LabIntakeError as exc:
                log.warning("heartbeat: %s", exc.code)
                continue
            for fps_id, (_, worker) in running.items():
                if fps_id not in still:
                    # Cancelled, timed out or recovered elsewhere: stop working on it.
                    log.info("stopping file no longer ours", extra={"file_id": fps_id})
                    worker.interrupt(fps_id)

    def cancel_running(self, session_id: str) -> None:
        """Kill the workers of a cancelled session's running files (the database already says cancelled)."""
        with self._lock:
            running = [(c.fps_id, w) for c, w in self._running.values() if c.session_id == session_id]
        for fps_id, worker in running:
            worker.interrupt(fps_id)

    def _event(self, moved: Moved) -> None:
        try:
            self._on_event(moved)
        except Exception:  # noqa: BLE001 - a listener must never break the pipeline
            log.exception("event listener failed")

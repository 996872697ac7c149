"""The embedded executor: admission, leases, heartbeats and worker processes inside one process.

One scheduler thread admits files (compare-and-set claims within the per-session and
global caps) and hands each to a runner thread that owns one worker process. A
heartbeat thread renews the leases of running files and notices files that were
cancelled elsewhere. On start, files left running by a dead process are recovered.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from queue import Empty, Queue

from sqlalchemy import select

from labintake.db import transitions as tx
from labintake.db.engine import Database
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.transitions import Claim, Moved
from labintake.domain.errors import LabIntakeError
from labintake.domain.status import ACTIVE_STATUSES
from labintake.executors.procpool import WorkerProcess
from labintake.pipeline.runner import FileRunner
from labintake.settings import Settings
from labintake.storage import LocalStorage

log = logging.getLogger(__name__)

HOST = socket.gethostname()


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


class EmbeddedExecutor:
    def __init__(
        self,
        db: Database,
        storage: LocalStorage,
        settings: Settings,
        *,
        on_event=None,  # type: ignore[no-untyped-def]
    ) -> None:
        self.db = db
        self.settings = settings
        self.worker_id = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._on_event = on_event or (lambda moved: None)
        self.runner = FileRunner(db, storage, settings, on_event=self._event)
        self.capacity = settings.workers
        self._idle: Queue[WorkerProcess] = Queue()
        self._workers: list[WorkerProcess] = []
        self._running: dict[str, tuple[Claim, WorkerProcess]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._pool: ThreadPoolExecutor | None = None
        self.started = False

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        self.recover()
        for _ in range(self.capacity):
            worker = WorkerProcess()
            self._workers.append(worker)
            self._idle.put(worker)
        self._pool = ThreadPoolExecutor(self.capacity, thread_name_prefix="labintake-run")
        for target, name in ((self._schedule_loop, "scheduler"), (self._heartbeat_loop, "heartbeat")):
            thread = threading.Thread(target=target, name=f"labintake-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        self.started = True
        log.info("executor started", extra={"worker_id": self.worker_id, "workers": self.capacity})

    def stop(self) -> None:
        """Stop admitting, kill the workers, and hand running files back (pending, same attempt)."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=5)
        with self._lock:
            running = list(self._running.items())
        for _, (_, worker) in running:
            worker.kill()
        if self._pool:
            self._pool.shutdown(wait=True, cancel_futures=True)
        try:
            with self.db.transaction() as s:
                for fps_id, (claim, _) in running:
                    tx.transition(
                        s, fps_id, ACTIVE_STATUSES, tx.FileStatus.PENDING, progress=0,
                        worker_id=None, lease_expires_at=None, payload={"reason": "shutdown"},
                    )
        except LabIntakeError:
            log.warning("could not release running files; their leases will expire")
        for worker in self._workers:
            worker.stop()
        self.started = False

    def wake(self) -> None:
        """Look for work now (new files, a resumed session, a retry) instead of at the next poll."""
        self._wake.set()

    # --- recovery -------------------------------------------------------------------------

    def recover(self) -> list[Moved]:
        with self.db.transaction() as s:
            holders = set(
                s.execute(
                    select(FPS.worker_id).where(
                        FPS.status.in_([a.value for a in ACTIVE_STATUSES]), FPS.worker_id.is_not(None)
                    ).distinct()
                ).scalars()
            )
            holders.discard(self.worker_id)
            moved = tx.recover_expired(s, dead_workers=dead_local_workers(holders))
            moved += tx.expire_sessions(s)
        for m in moved:
            log.info("recovered file", extra={"file_id": m.file_id, "status": m.status})
            self._event(m)
        return moved

    # --- loops ----------------------------------------------------------------------------

    def _schedule_loop(self) -> None:
        last_recovery = time.monotonic()
        while not self._stop.is_set():
            self._wake.wait(self.settings.poll_interval_seconds)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                if time.monotonic() - last_recovery > min(5.0, self.settings.lease_seconds / 2):
                    self.recover()
                    last_recovery = time.monotonic()
                self._admit()
            except LabIntakeError as exc:
                log.warning("scheduler: %s", exc.code)
                time.sleep(1.0)
            except Exception:  # noqa: BLE001 - the scheduler must outlive any one bad round
                log.exception("scheduler round failed")
                time.sleep(1.0)

    def _admit(self) -> None:
        free = self._idle.qsize()
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
        for claim in claims:
            worker = self._idle.get_nowait()
            with self._lock:
                self._running[claim.fps_id] = (claim, worker)
            self._event(Moved(claim.fps_id, claim.session_id, claim.user_id, tx.FileStatus.DOWNLOADING, 0))
            assert self._pool is not None
            self._pool.submit(self._run, claim, worker)

    def _run(self, claim: Claim, worker: WorkerProcess) -> None:
        try:
            self.runner.run(claim, worker)
        except Exception:  # noqa: BLE001 - one file's bug must not take a slot away for good
            log.exception("runner crashed", extra={"file_id": claim.fps_id})
        finally:
            worker.release()
            with self._lock:
                self._running.pop(claim.fps_id, None)
            self._idle.put(worker)
            self._wake.set()

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
                                FPS.id.in_(list(running)),
                                FPS.status.in_([a.value for a in ACTIVE_STATUSES]),
                                FPS.worker_id == self.worker_id,
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
        if moved.status.is_terminal or moved.status is tx.FileStatus.PENDING:
            self._wake.set()

    @property
    def running_count(self) -> int:
        with self._lock:
            return len(self._running)

"""Recovery: files whose server died, files whose own worker process died, sessions past their deadline.

Two kinds of death, told apart by who notices:

- **The server died** (a ``kill -9``, a crash, a power cut, a replica whose lease expired): the
  files it held are noticed by a reaper — at start-up for a dead process on this host, or when
  their lease expires. The file was not at fault: it goes back to pending on the SAME attempt,
  with no error and no poison count, and runs again from the start.
- **The file's own worker process died** while the server around it lived (a segfault in a
  native library, the OOM killer): the runner that owned it notices. That too costs no attempt,
  but it counts in ``recoveries``; the file whose worker dies ``WORKER_CRASH_LIMIT`` times is a
  poison pill and fails ``worker_lost`` with a message that says so.

A server death never counts toward the poison limit: the runner (in the server) is the only one
who can tell a file's worker died, and a dead server tells nothing. (Whatever kills a whole
server — the OOM killer picks the biggest process, the worker — is seen as a worker death.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import ProcessingSession, SessionProcessingSummary, utcnow
from labintake.db.transitions import ACTIVE, QUEUED, Moved, fail, hold_open_files, transition
from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.status import ACTIVE_STATUSES, FileStatus, SessionState

WORKER_CRASH_LIMIT = 3  # a file whose own worker process died this many times is not run again


# Why a file went back to pending on the same attempt, as its event says: its server died or
# stopped mid-file, or its own worker process crashed ("not_taken": admitted, never started).
RECOVERY_REASONS = frozenset({"server_lost", "worker_crashed", "shutdown"})

def recover_expired(
    s: Session, *, now: datetime | None = None, dead_workers: Iterable[str] = ()
) -> list[Moved]:
    """Files whose server (or replica) died: back to pending on the same attempt, no error.

    Held by a process on this host that no longer exists (``dead_workers``), or a lease that
    expired (its heartbeat stopped: the server holding it is gone or cut off)."""
    now = now or utcnow()
    dead = list(dead_workers)
    condition = FPS.lease_expires_at < now
    if dead:
        condition = condition | FPS.worker_id.in_(dead)
    rows = s.execute(
        select(FPS.id, FPS.status, FPS.worker_id)
        .where(FPS.status.in_(ACTIVE), condition)
        .with_for_update(skip_locked=True)
    ).all()
    moved: list[Moved] = []
    for row in rows:
        # Admitted but never taken by a worker (none running?), or its server died mid-file.
        reason = "not_taken" if row.worker_id == QUEUED else "server_lost"
        m = transition(
            s, row.id, FileStatus(row.status), FileStatus.PENDING, progress=0, worker_id=None,
            lease_expires_at=None, heartbeat_at=None, next_attempt_at=None, payload={"reason": reason},
        )
        if m:
            moved.append(m)
    return moved


def crash_message(times: int) -> str:
    return (
        f"The worker process reading this file died {times} times while the rest of the system kept "
        "running, so the file was stopped: something in the file itself makes the reader crash. "
        "Retry it once, or check the file."
    )


def worker_crashed(s: Session, fps_id: str, owner: str, *, stage: str, detail: str) -> Moved | None:
    """The file's own worker process died while ``owner`` (this server) lived: pending again on the
    same attempt with one more recovery, or ``worker_lost`` at the limit. None: not ours any more."""
    count = s.execute(
        select(FPS.recoveries).where(FPS.id == fps_id, FPS.worker_id == owner, FPS.status.in_(ACTIVE))
    ).scalar_one_or_none()
    if count is None:
        return None  # cancelled, timed out, handed back at shutdown or recovered elsewhere
    times = count + 1
    if times >= WORKER_CRASH_LIMIT:
        error = LabIntakeError(ErrorCode.WORKER_LOST, crash_message(times), crashes=times, stage=stage,
                               detail=detail)
        return transition(
            s, fps_id, ACTIVE_STATUSES, FileStatus.FAILED, owner=owner, recoveries=times,
            error_code=error.code.value, error_message=error.message, error_details=error.details,
            is_retryable=error.is_retryable,
        )
    return transition(
        s, fps_id, ACTIVE_STATUSES, FileStatus.PENDING, owner=owner, progress=0,
        recoveries=FPS.recoveries + 1, worker_id=None, lease_expires_at=None, next_attempt_at=None,
        payload={"reason": "worker_crashed", "recoveries": times, "stage": stage},
    )


def expire_sessions(s: Session, *, now: datetime | None = None) -> list[Moved]:
    """Sessions past their deadline: every unfinished file ends ``timeout`` (session_timeout)."""
    now = now or utcnow()
    expired = s.execute(
        select(ProcessingSession.id).where(
            ProcessingSession.deadline_at < now,
            ProcessingSession.state.in_([SessionState.RUNNING.value, SessionState.PAUSED.value]),
        )
    ).scalars().all()
    moved: list[Moved] = []
    for session_id in expired:
        open_files = hold_open_files(s, session_id)  # before the summary: see its lock order
        s.execute(
            update(SessionProcessingSummary)
            .where(SessionProcessingSummary.session_id == session_id)
            .values(timed_out=True)
        )
        error = LabIntakeError(ErrorCode.SESSION_TIMEOUT)
        for fps_id, status in open_files:
            m = fail(s, fps_id, status, error, status=FileStatus.TIMEOUT)
            if m:
                moved.append(m)
    return moved

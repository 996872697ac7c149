"""Compare-and-set status writes, each with its ``session_events`` row, in the caller's transaction.

A write applies only if the file is still in one of the expected statuses, so two
workers can never both own a file, and a cancelled file is never resurrected by a
worker that finishes late. The caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from labintake.db.engine import EVENTS_KEY
from labintake.db.models import (
    FileProcessingStatus as FPS,
)
from labintake.db.models import (
    ProcessingSession,
    SessionEvent,
    SessionProcessingSummary,
    utcnow,
)
from labintake.db.outbox import enqueue_session_end
from labintake.domain.errors import LabIntakeError
from labintake.domain.status import (
    ACTIVE_STATUSES,
    OPEN_STATUSES,
    TERMINAL_STATUSES,
    EventKind,
    FileStatus,
    SessionState,
    SessionStatus,
    check_transition,
)

ACTIVE = sorted(ACTIVE_STATUSES)  # for IN (…) clauses
QUEUED = "queued"  # worker_id of a file admitted to the job queue, not yet taken by a worker


@dataclass(frozen=True, slots=True)
class Moved:
    """A transition that applied: the row's ids and the event it produced."""

    file_id: str  # file_processing_status.id
    session_id: str
    user_id: str
    status: FileStatus
    event_id: int


def transition(
    s: Session,
    fps_id: str,
    expected: FileStatus | Iterable[FileStatus],
    target: FileStatus,
    *,
    progress: int | None = None,
    payload: dict[str, Any] | None = None,
    owner: str | None = None,
    now: datetime | None = None,
    **fields: Any,
) -> Moved | None:
    """Move one file ``expected -> target`` if it is still in ``expected`` (and, given ``owner``,
    still held by that worker); None if it was not. ``now`` stamps the row and its event alike."""
    sources = {FileStatus(expected)} if isinstance(expected, (str, FileStatus)) else set(expected)
    for source in sources:
        check_transition(source, target)
    now = now or utcnow()
    values: dict[str, Any] = {
        "status": target.value,
        "progress": target.progress if progress is None else progress,
        "updated_at": now,
        **fields,
    }
    if target in TERMINAL_STATUSES:
        values.setdefault("processing_completed_at", now)
        values.setdefault("lease_expires_at", None)
        values.setdefault("worker_id", None)
        if target is not FileStatus.COMPLETED:
            values.pop("progress")  # a failure keeps the progress it reached
    row = s.execute(
        update(FPS)
        .where(FPS.id == fps_id, FPS.status.in_([x.value for x in sources]),
               *([FPS.worker_id == owner] if owner is not None else []))
        .values(values)
        .returning(FPS.session_id, FPS.user_id, FPS.progress, FPS.processing_started_at)
    ).first()
    if row is None:
        return None
    session_id, user_id, new_progress, started = row
    if target in TERMINAL_STATUSES and started is not None and "processing_duration_ms" not in fields:
        duration = int((now - started).total_seconds() * 1000)
        s.execute(update(FPS).where(FPS.id == fps_id).values(processing_duration_ms=duration))
    event_payload = dict(payload or {})
    if fields.get("error_code"):
        event_payload.setdefault("error_code", fields["error_code"])
    event_id = add_event(
        s, session_id, user_id, EventKind.FILE, file_id=fps_id, status=target.value,
        progress=new_progress, payload=event_payload or None, created_at=now,
    )
    if target in TERMINAL_STATUSES:
        note_session_end(s, session_id, user_id)
    return Moved(fps_id, session_id, user_id, target, event_id)


def add_event(
    s: Session,
    session_id: str,
    user_id: str,
    kind: EventKind,
    *,
    file_id: str | None = None,
    status: str | None = None,
    progress: int | None = None,
    payload: dict[str, Any] | None = None,
    created_at: datetime | None = None,
) -> int:
    event_id = s.execute(
        insert(SessionEvent)
        .values(
            session_id=session_id, user_id=user_id, file_id=file_id, kind=kind,
            status=status, progress=progress, payload=payload, created_at=created_at or utcnow(),
        )
        .returning(SessionEvent.id)
    ).scalar_one()
    # Rung once the transaction has committed (see Database.transaction): every event, always.
    s.info.setdefault(EVENTS_KEY, []).append((session_id, event_id))
    return event_id


def note_session_end(s: Session, session_id: str, user_id: str) -> None:
    """Write a ``session`` event when the session's files have all finished.

    The trigger has already updated the summary in this transaction, so the status read
    here is exact; push clients learn the session is done from this one event.
    """
    S = SessionProcessingSummary
    row = s.execute(
        select(S.session_status, S.overall_progress, S.pending_files, S.processing_files, ProcessingSession.state)
        .join(ProcessingSession, ProcessingSession.id == S.session_id)
        .where(S.session_id == session_id)
    ).first()
    # Only a started session ends (files refused at upload don't end a session being filled),
    # and only once every file has finished (cancelling many files writes one final event).
    if (
        row is not None
        and row.state != SessionState.OPEN.value
        and row.pending_files + row.processing_files == 0
        and SessionStatus(row.session_status).is_terminal
    ):
        event_id = add_event(s, session_id, user_id, EventKind.SESSION, status=row.session_status,
                             progress=row.overall_progress)
        enqueue_session_end(s, session_id, user_id, event_id)  # email and webhooks: same transaction


def hold_open_files(s: Session, session_id: str, user_id: str | None = None) -> list[tuple[str, FileStatus]]:
    """Lock a session and its unfinished files, in the one order every writer keeps, before a
    bulk change (cancel, deadline) moves them; returns the files (id, status), by id.

    PostgreSQL's lock order here is session row, then file rows (by id), then the summary row
    (which the status trigger updates). A worker's single-file transition takes its file, then
    the summary; admission takes the session (FOR SHARE), then files. ``user_id``: only if the
    session is that user's (none of its files otherwise). A bulk change that wrote
    the session first would hold the summary (its trigger) while waiting for a file a worker
    holds, and the worker waits for the summary: a deadlock. ``FOR NO KEY UPDATE`` leaves the
    key-share locks of event rows being inserted (foreign keys) free. SQLite serialises writers.
    """
    owned = [] if user_id is None else [ProcessingSession.user_id == user_id]
    held = s.execute(
        select(ProcessingSession.id).where(ProcessingSession.id == session_id, *owned)
        .with_for_update(key_share=True)
    ).first()
    if held is None:
        return []
    rows = s.execute(
        select(FPS.id, FPS.status)
        .where(FPS.session_id == session_id, FPS.status.in_(sorted(OPEN_STATUSES)))
        .order_by(FPS.id)
        .with_for_update(key_share=True)
    ).all()
    return [(row.id, FileStatus(row.status)) for row in rows]


# --- admission ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claim:
    fps_id: str
    file_id: str
    session_id: str
    user_id: str
    attempt: int
    max_attempts: int
    file_type: str
    storage_key: str
    event_id: int = 0  # the claim's own event (pending -> downloading)
    # For the metrics: seconds since the file became admissible (uploaded or retried, and its
    # session started), and, for a session's first file to leave pending since it was started,
    # seconds since that start.
    waited_seconds: float | None = None
    first_progress_seconds: float | None = None


def claim(
    s: Session,
    *,
    worker_id: str,
    slots: int,
    global_cap: int,
    per_session_cap: int,
    lease_seconds: float,
    now: datetime | None = None,
    only: list[str] | None = None,
) -> list[Claim]:
    """Admit up to ``slots`` pending files (pending -> downloading) within both caps.

    On PostgreSQL admission is serialised by a transaction-scoped advisory lock so the
    caps hold across every process; SQLite's BEGIN IMMEDIATE already serialises writers.
    """
    from labintake.db.models import UploadedFile  # local: keeps the import list readable

    if slots <= 0:
        return []
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(7405001)"))
    now = now or utcnow()
    running_total = s.execute(select(func.count()).where(FPS.status.in_(ACTIVE))).scalar_one()
    room = min(slots, global_cap - running_total)
    if room <= 0:
        return []
    candidates = s.execute(
        select(FPS.id, FPS.session_id, FPS.updated_at, ProcessingSession.started_at)
        .join(ProcessingSession, ProcessingSession.id == FPS.session_id)
        .where(
            FPS.status == FileStatus.PENDING.value,
            ProcessingSession.state == SessionState.RUNNING.value,
            (FPS.next_attempt_at.is_(None)) | (FPS.next_attempt_at <= now),
            *([FPS.id.in_(only)] if only is not None else []),
        )
        .order_by(FPS.created_at, FPS.id)
        .limit(max(room * 4, 32))
    ).all()
    if not candidates:
        return []
    sessions = {c.session_id for c in candidates}
    # Lock the sessions we admit for (FOR SHARE): a pause or cancel committing meanwhile
    # either waits for this admission or, if it came first, excludes its session here.
    sessions = set(
        s.execute(
            select(ProcessingSession.id)
            .where(ProcessingSession.id.in_(sessions), ProcessingSession.state == SessionState.RUNNING.value)
            .with_for_update(read=True)
        ).scalars()
    )
    candidates = [c for c in candidates if c.session_id in sessions]
    running = dict(
        s.execute(
            select(FPS.session_id, func.count())
            .where(FPS.status.in_(ACTIVE), FPS.session_id.in_(sessions))
            .group_by(FPS.session_id)
        ).all()
    )
    chosen: list[str] = []
    for c in candidates:
        if len(chosen) >= room:
            break
        if running.get(c.session_id, 0) < per_session_cap:
            running[c.session_id] = running.get(c.session_id, 0) + 1
            chosen.append(c.id)
    if not chosen:
        return []
    queued = {c.id: max(c.updated_at, c.started_at or c.updated_at) for c in candidates}
    started = {c.session_id: c.started_at for c in candidates}
    # Sessions none of whose files has left pending since the session was (last) started.
    fresh = set(s.execute(
        select(ProcessingSession.id).where(
            ProcessingSession.id.in_({c.session_id for c in candidates if c.id in queued and c.id in chosen}),
            ~select(FPS.id).where(FPS.session_id == ProcessingSession.id,
                                  FPS.processing_started_at >= ProcessingSession.started_at).exists(),
        )
    ).scalars())
    claims: list[Claim] = []
    lease = now + timedelta(seconds=lease_seconds)
    for fps_id in chosen:
        moved = transition(
            s, fps_id, FileStatus.PENDING, FileStatus.DOWNLOADING,
            worker_id=worker_id, lease_expires_at=lease, heartbeat_at=now,
            processing_started_at=now, processing_completed_at=None,
            processing_duration_ms=None, next_attempt_at=None,
            error_code=None, error_message=None, error_details=None,
        )
        if moved is None:
            continue
        row = s.execute(
            select(FPS.file_id, FPS.attempt_number, FPS.max_retry_attempts, FPS.file_type,
                   UploadedFile.storage_key)
            .join(UploadedFile, UploadedFile.id == FPS.file_id)
            .where(FPS.id == fps_id)
        ).one()
        first = None
        if moved.session_id in fresh and started.get(moved.session_id) is not None:
            fresh.discard(moved.session_id)
            first = max(0.0, (now - started[moved.session_id]).total_seconds())
        claims.append(
            Claim(fps_id, row.file_id, moved.session_id, moved.user_id, row.attempt_number,
                  row.max_retry_attempts, row.file_type, row.storage_key, moved.event_id,
                  waited_seconds=max(0.0, (now - queued[fps_id]).total_seconds()), first_progress_seconds=first)
        )
    return claims


def has_admissible(s: Session, now: datetime | None = None) -> bool:
    """Is any pending file of a running session due? (An index probe, no locks.)"""
    now = now or utcnow()
    return (
        s.execute(
            select(FPS.id)
            .join(ProcessingSession, ProcessingSession.id == FPS.session_id)
            .where(
                FPS.status == FileStatus.PENDING.value,
                ProcessingSession.state == SessionState.RUNNING.value,
                (FPS.next_attempt_at.is_(None)) | (FPS.next_attempt_at <= now),
            )
            .limit(1)
        ).first()
        is not None
    )


def heartbeat(s: Session, worker_id: str, fps_ids: Iterable[str], lease_seconds: float) -> int:
    """Renew the leases of the files this worker runs; one statement for all of them."""
    ids = list(fps_ids)
    if not ids:
        return 0
    now = utcnow()
    result = s.execute(
        update(FPS)
        .where(FPS.id.in_(ids), FPS.worker_id == worker_id, FPS.status.in_(ACTIVE))
        .values(heartbeat_at=now, lease_expires_at=now + timedelta(seconds=lease_seconds))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]  # a DML result is a CursorResult


def fail(
    s: Session,
    fps_id: str,
    expected: FileStatus | Iterable[FileStatus],
    error: LabIntakeError,
    *,
    status: FileStatus = FileStatus.FAILED,
    owner: str | None = None,
    **fields: Any,
) -> Moved | None:
    return transition(
        s, fps_id, expected, status, owner=owner,
        error_code=error.code.value, error_message=error.message,
        error_details=error.details or None, is_retryable=error.is_retryable, **fields,
    )


def retry_later(
    s: Session, fps_id: str, expected: FileStatus | Iterable[FileStatus], error: LabIntakeError,
    delay_seconds: float, *, owner: str | None = None, **fields: Any,
) -> Moved | None:
    """Back to pending for an automatic retry: attempt + 1, admitted again no sooner than the
    delay after the failure its event records (one clock reading for both)."""
    now = utcnow()
    return transition(
        s, fps_id, expected, FileStatus.PENDING, owner=owner, now=now,
        progress=0,
        attempt_number=FPS.attempt_number + 1,
        next_attempt_at=now + timedelta(seconds=delay_seconds),
        worker_id=None, lease_expires_at=None,
        error_code=error.code.value, error_message=error.message,
        error_details=error.details or None, is_retryable=True,
        payload={"retry_in_s": round(delay_seconds, 3)}, **fields,
    )

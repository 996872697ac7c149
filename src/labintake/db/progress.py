"""Reading a session's progress in the seed's response shape (DESIGN §7)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import ProcessingSession, SessionEvent, SessionProcessingSummary, utcnow
from labintake.domain.clock import iso
from labintake.domain.status import (
    ACTIVE_STATUSES,
    FAILURE_STATUSES,
    USER_RETRYABLE_STATUSES,
    FileStatus,
    SessionState,
    overall_progress,
    summarize,
)

# Built once: constructing a select() costs more than running it on a 5-file session.
_SESSION_AND_SUMMARY = (
    select(
        # The latest event id, read first and in the same statement: a snapshot built from the
        # rows read after it contains at least that event (see ProgressCache).
        select(func.max(SessionEvent.id)).where(SessionEvent.session_id == ProcessingSession.id)
        .scalar_subquery().label("last_event_id"),
        ProcessingSession.state,
        SessionProcessingSummary.total_files, SessionProcessingSummary.completed_files,
        SessionProcessingSummary.failed_files, SessionProcessingSummary.processing_files,
        SessionProcessingSummary.pending_files, SessionProcessingSummary.overall_progress,
        SessionProcessingSummary.session_status, SessionProcessingSummary.timeout_threshold_ms,
    )
    .select_from(ProcessingSession)
    .outerjoin(SessionProcessingSummary, SessionProcessingSummary.session_id == ProcessingSession.id)
    .where(ProcessingSession.id == bindparam("session_id"), ProcessingSession.user_id == bindparam("user_id"))
)
# The baseline's head (use_summary=False): the session's state only, no summary, no event id.
_SESSION_STATE = select(ProcessingSession.state).where(
    ProcessingSession.id == bindparam("session_id"), ProcessingSession.user_id == bindparam("user_id")
)
_FILES = (
    select(
        FPS.id, FPS.file_name, FPS.file_type, FPS.status, FPS.progress, FPS.error_code,
        FPS.error_message, FPS.processing_duration_ms, FPS.processing_started_at,
        FPS.attempt_number, FPS.is_retryable, FPS.pages_done, FPS.pages_total,
        # "completed, N to check": the rows kept but marked for review (parsing_metadata).
        FPS.parsing_metadata["needs_review"].as_integer().label("to_check"),
    )
    .where(FPS.session_id == bindparam("session_id"), FPS.user_id == bindparam("user_id"))
    .order_by(FPS.created_at, FPS.id)
)
# Only the files with an event after ``since`` (a delta poll): the (session_id, id) index finds them.
_FILES_SINCE = _FILES.where(
    FPS.id.in_(
        select(SessionEvent.file_id).where(
            SessionEvent.session_id == bindparam("session_id"), SessionEvent.id > bindparam("since"),
            SessionEvent.file_id.is_not(None),
        )
    )
)
# The same file rows with the id of the last event each row reflects (the page's snapshot).
_LAST_FILE_EVENT = (
    select(SessionEvent.file_id, func.max(SessionEvent.id).label("event_id"))
    .where(SessionEvent.session_id == bindparam("session_id"), SessionEvent.file_id.is_not(None))
    .group_by(SessionEvent.file_id)
    .subquery()
)
_FILES_WITH_EVENTS = (
    _FILES.add_columns(_LAST_FILE_EVENT.c.event_id)
    .outerjoin(_LAST_FILE_EVENT, _LAST_FILE_EVENT.c.file_id == FPS.id)
)
_SUMMARY_KEYS = ("total_files", "completed_files", "failed_files", "processing_files", "pending_files",
                 "overall_progress", "session_status")


def session_progress(
    s: Session, session_id: str, user_id: str, *, use_summary: bool = True
) -> dict[str, Any] | None:
    """The seed's progress object, or None if the session is not this user's.

    Two indexed reads: the session with its trigger-maintained summary, and its files. A
    session without a summary yet (no files) is answered from its file rows, as the seed's
    fallback did. ``use_summary=False`` always aggregates (the benchmark's baseline).
    """
    found = progress_snapshot(s, session_id, user_id, use_summary=use_summary)
    return found[1] if found else None


def progress_snapshot(
    s: Session, session_id: str, user_id: str, *, use_summary: bool = True, since: int | None = None
) -> tuple[int, dict[str, Any]] | None:
    """``session_progress`` with the id of the latest event it already reflects (for caching).

    The object carries that id as ``lastEventId``. With ``since`` it is a delta: only the files
    with an event after that id (and ``since`` itself); the summary is always whole. The event
    id is read before the rows, so every change up to ``lastEventId`` is in them: a client that
    polls again with ``since=lastEventId`` misses nothing (it may see a file twice).
    """
    conn = s.connection()
    params: dict[str, Any] = {"session_id": session_id, "user_id": user_id}
    head = conn.execute(_SESSION_AND_SUMMARY if use_summary else _SESSION_STATE, params).first()
    if head is None:
        return None
    if since is None:
        files = conn.execute(_FILES, params).all()
    else:
        files = conn.execute(_FILES_SINCE, {**params, "since": since}).all()
    event_id = (head.last_event_id or 0) if use_summary else 0
    snap = _shape(session_id, head, files, use_summary)
    snap["lastEventId"] = event_id
    if since is not None:
        snap["since"] = since
    return event_id, snap


def page_snapshot(s: Session, session_id: str, user_id: str) -> dict[str, Any] | None:
    """The progress object extended for the live page: the session's ``state``, each file's
    ``eventId`` (the last event its row reflects, read in the same statement as the row) and
    ``lastEventId`` (the newest event, read before the rows, so the rows are at least as new).

    The page applies a pushed event only if its id is newer than what it shows for that file,
    so a snapshot and the event stream can be merged in any order without going backwards.
    """
    conn = s.connection()
    params = {"session_id": session_id, "user_id": user_id}
    head = conn.execute(_SESSION_AND_SUMMARY, params).first()
    if head is None:
        return None
    files = conn.execute(_FILES_WITH_EVENTS, params).all()
    snap = _shape(session_id, head, files, True)
    for out, row in zip(snap["files"], files, strict=True):
        out["eventId"] = row.event_id or 0
    return {"sessionId": session_id, "state": head.state, "summary": snap["summary"], "files": snap["files"],
            "lastEventId": head.last_event_id or 0, "timestamp": snap["timestamp"],
            # The deadline that applies (seconds), for the page's explanation when it passes.
            "timeoutSeconds": head.timeout_threshold_ms / 1000 if head.timeout_threshold_ms else None}


def _shape(session_id: str, head: Any, files: Sequence[Any], use_summary: bool) -> dict[str, Any]:
    if use_summary and head.total_files is not None:
        summary = {key: getattr(head, key) for key in _SUMMARY_KEYS}
    else:
        summary = aggregate_summary([FileStatus(f.status) for f in files], head.state)
    now = utcnow()
    return {
        "sessionId": session_id,
        "summary": summary,
        "files": [
            {
                "fileId": f.id,
                "fileName": f.file_name,
                "fileType": f.file_type,
                "status": f.status,
                "progress": f.progress,
                "error": f.error_message if f.status in USER_RETRYABLE_STATUSES else None,
                "errorCode": f.error_code if f.status in USER_RETRYABLE_STATUSES else None,
                "processingTime": f.processing_duration_ms
                if f.processing_duration_ms is not None
                else _elapsed_ms(f, now),
                "attemptNumber": f.attempt_number,
                "isRetryable": bool(f.is_retryable),
                "toCheck": f.to_check if f.status == FileStatus.COMPLETED else None,
                "pagesDone": f.pages_done,
                "pagesTotal": f.pages_total,
            }
            for f in files
        ],
        "timestamp": iso(now),
    }


def _elapsed_ms(f: Any, now: Any) -> int | None:
    if f.status in ACTIVE_STATUSES and f.processing_started_at is not None:
        return int((now - f.processing_started_at).total_seconds() * 1000)
    return None


def aggregate_summary(statuses: list[FileStatus], state: str) -> dict[str, Any]:
    """The summary computed from file statuses on the fly (fallback, and the benchmark baseline)."""
    total = len(statuses)
    completed = sum(x == FileStatus.COMPLETED for x in statuses)
    return {
        "total_files": total,
        "completed_files": completed,
        "failed_files": sum(x in FAILURE_STATUSES for x in statuses),
        "processing_files": sum(x in ACTIVE_STATUSES for x in statuses),
        "pending_files": sum(x == FileStatus.PENDING for x in statuses),
        "overall_progress": overall_progress(total, completed),
        "session_status": summarize(statuses, SessionState(state)).value,
    }


def queue_depth(s: Session) -> int:
    """Pending files of running sessions (waiting for a slot, or for their retry's backoff)."""
    return int(s.execute(
        select(func.count()).select_from(FPS)
        .join(ProcessingSession, ProcessingSession.id == FPS.session_id)
        .where(FPS.status == FileStatus.PENDING.value, ProcessingSession.state == SessionState.RUNNING.value)
    ).scalar_one())

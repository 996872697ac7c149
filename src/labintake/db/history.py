"""The user's view of past work: owned-row lookups, the sessions list, analytics, deletion.

Every function takes the user id and filters on it; a row of another user is
indistinguishable from a row that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, delete, exists, func, or_, select, text, update
from sqlalchemy.orm import Session

from labintake.db import search
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import (
    ProcessingSession,
    SessionEvent,
    SessionProcessingSummary,
    UploadedFile,
)
from labintake.domain import labels
from labintake.domain.clock import iso
from labintake.domain.status import FileStatus, SessionStatus

Summary = SessionProcessingSummary


# --- ownership ------------------------------------------------------------------------------


def session_state(s: Session, session_id: str, user_id: str) -> str | None:
    """The session's state (open, running, …) if it is this user's, else None."""
    return s.execute(
        select(ProcessingSession.state).where(
            ProcessingSession.id == session_id, ProcessingSession.user_id == user_id
        )
    ).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class OwnedFile:
    fps_id: str
    file_id: str  # uploaded_files.id
    session_id: str
    status: str
    file_name: str


def owned_file(s: Session, fps_id: str, user_id: str) -> OwnedFile | None:
    row = s.execute(
        select(FPS.id, FPS.file_id, FPS.session_id, FPS.status, FPS.file_name).where(
            FPS.id == fps_id, FPS.user_id == user_id
        )
    ).first()
    return OwnedFile(*row) if row else None


def duplicate_in_session(s: Session, session_id: str, user_id: str, sha256: str) -> str | None:
    """The status id (``fileId``) of a file with these bytes already in the session."""
    return s.execute(
        select(FPS.id)
        .join(UploadedFile, UploadedFile.id == FPS.file_id)
        .where(
            UploadedFile.session_id == session_id,
            UploadedFile.user_id == user_id,
            UploadedFile.sha256 == sha256,
        )
        .order_by(UploadedFile.created_at, UploadedFile.id)
        .limit(1)
    ).scalar_one_or_none()


def session_files(s: Session, session_id: str, user_id: str) -> list[OwnedFile]:
    rows = s.execute(
        select(FPS.id, FPS.file_id, FPS.session_id, FPS.status, FPS.file_name)
        .where(FPS.session_id == session_id, FPS.user_id == user_id)
        .order_by(FPS.created_at, FPS.id)
    ).all()
    return [OwnedFile(*r) for r in rows]


# --- events ---------------------------------------------------------------------------------


# --- the sessions list ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionFilter:
    since: date | None = None
    until: date | None = None  # inclusive
    status: SessionStatus | None = None
    file_type: str | None = None  # a MIME type (application/pdf) or its prefix (image/)
    query: str | None = None  # in a file name, patient name or lab name (db/search.py)


def list_sessions(
    s: Session, user_id: str, f: SessionFilter, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the user's sessions, newest first, and the total matching the filter."""
    status = func.coalesce(Summary.session_status, SessionStatus.PENDING.value)
    conditions = [ProcessingSession.user_id == user_id]
    if f.since is not None:
        conditions.append(ProcessingSession.created_at >= datetime.combine(f.since, time.min))
    if f.until is not None:
        conditions.append(ProcessingSession.created_at < datetime.combine(f.until + timedelta(days=1), time.min))
    if f.status is not None:
        conditions.append(status == f.status.value)
    if f.file_type:
        type_match = (
            UploadedFile.file_type.startswith(f.file_type)
            if f.file_type.endswith("/")
            else UploadedFile.file_type == f.file_type
        )
        # Through the session (the user's, so are its files), not the files' user_id: see search.session_condition.
        conditions.append(exists().where(UploadedFile.session_id == ProcessingSession.id, type_match))
    if f.query:
        match = search.session_condition(s.get_bind().dialect.name, f.query, ProcessingSession.id)
        if match is not None:
            conditions.append(match)
    # The total rides on the page's rows (a window count): the filter, a search's included, is
    # evaluated once, not once to count and again to page.
    rows = s.execute(
        select(
            ProcessingSession.id, ProcessingSession.name, ProcessingSession.state,
            ProcessingSession.created_at, ProcessingSession.started_at, status.label("session_status"),
            Summary.total_files, Summary.completed_files, Summary.failed_files, Summary.processing_files,
            Summary.pending_files, Summary.overall_progress, Summary.processing_completed_at,
            Summary.total_processing_time_ms, func.count().over().label("total"),
        )
        .outerjoin(Summary, Summary.session_id == ProcessingSession.id)
        .where(and_(*conditions))
        .order_by(ProcessingSession.created_at.desc(), ProcessingSession.id)
        .limit(limit)
        .offset(offset)
    ).all()
    if rows:
        total = int(rows[0].total)
    elif offset == 0:
        total = 0
    else:  # a page past the end: count on its own
        base = select(ProcessingSession.id).outerjoin(Summary, Summary.session_id == ProcessingSession.id)
        total = s.execute(select(func.count()).select_from(base.where(and_(*conditions)).subquery())).scalar_one()
    types: dict[str, list[str]] = {}
    if rows:
        for sid, ftype in s.execute(
            select(UploadedFile.session_id, UploadedFile.file_type)
            .where(UploadedFile.session_id.in_(_owned(user_id, [r.id for r in rows])))
            .distinct()
        ).all():
            types.setdefault(sid, []).append(ftype)
    defaults = default_names(s, [r.id for r in rows if not r.name], user_id)
    items = [
        {
            "id": r.id,
            "name": r.name or defaults.get(r.id, ""),
            "state": r.state,
            "createdAt": iso(r.created_at),
            "startedAt": iso(r.started_at),
            "completedAt": iso(r.processing_completed_at),
            "totalProcessingTimeMs": r.total_processing_time_ms,
            "fileTypes": sorted(types.get(r.id, [])),
            "summary": {
                "total_files": r.total_files or 0,
                "completed_files": r.completed_files or 0,
                "failed_files": r.failed_files or 0,
                "processing_files": r.processing_files or 0,
                "pending_files": r.pending_files or 0,
                "overall_progress": r.overall_progress or 0,
                "session_status": r.session_status,
            },
        }
        for r in rows
    ]
    return items, total


def _owned(user_id: str, session_ids: list[str]) -> Select[str]:
    """Those of ``session_ids`` that are the user's. Files are filtered through this, not by their
    own user_id: SQLite without statistics would walk ``ix_uploaded_files_user_id`` (every file,
    when one person owns them all) rather than ``session_id`` for a page of 20 sessions."""
    return select(ProcessingSession.id).where(ProcessingSession.id.in_(session_ids),
                                              ProcessingSession.user_id == user_id)


def default_names(s: Session, session_ids: list[str], user_id: str) -> dict[str, str]:
    """A name for sessions nobody named: the first file's name and how many more ("scan.pdf + 4 more")."""
    if not session_ids:
        return {}
    files: dict[str, list[str]] = {}
    for sid, name in s.execute(
        select(UploadedFile.session_id, UploadedFile.file_name)
        .where(UploadedFile.session_id.in_(_owned(user_id, session_ids)))
        .order_by(UploadedFile.created_at, UploadedFile.id)
    ).all():
        files.setdefault(sid, []).append(name)
    return {sid: names[0] + (f" + {len(names) - 1} more" if len(names) > 1 else "") for sid, names in files.items()}


def session_name(s: Session, session_id: str, user_id: str) -> str | None:
    """The session's name, or its default (``default_names``); None if it is not this user's."""
    name = s.execute(
        select(ProcessingSession.name).where(ProcessingSession.id == session_id, ProcessingSession.user_id == user_id)
    ).scalar_one_or_none()
    if name is None:
        return None
    return name or default_names(s, [session_id], user_id).get(session_id, "")


def rename_session(s: Session, session_id: str, user_id: str, name: str) -> bool:
    """Give the session a name ("" goes back to the default); False if it is not this user's."""
    changed = s.execute(
        update(ProcessingSession).where(ProcessingSession.id == session_id, ProcessingSession.user_id == user_id)
        .values(name=name)
    ).rowcount  # type: ignore[attr-defined]  # a DML result is a CursorResult
    return bool(changed)


# --- analytics ------------------------------------------------------------------------------


def analytics(s: Session, user_id: str, since: date | None = None, until: date | None = None) -> dict[str, Any]:
    """Per-user figures over the user's files (DESIGN §7, issue 4 §6). With ``since``/``until``
    (inclusive UTC days): the files that ended in the range (the day the series count them),
    or were uploaded in it and have not ended; the sessions created in it or with such a file."""
    mine = FPS.user_id == user_id
    session_mine = ProcessingSession.user_id == user_id
    when = func.coalesce(FPS.processing_completed_at, FPS.created_at)
    if since is not None:
        mine = and_(mine, when >= datetime.combine(since, time.min))
        session_mine = and_(session_mine, ProcessingSession.created_at >= datetime.combine(since, time.min))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time.min)
        mine = and_(mine, when < end)
        session_mine = and_(session_mine, ProcessingSession.created_at < end)
    done = FPS.status.in_(["completed", "failed", "timeout"])
    is_completed = case((FPS.status == "completed", 1), else_=0)
    is_failed = case((FPS.status.in_(["failed", "timeout"]), 1), else_=0)
    by_type = [
        {
            "fileType": r.file_type,
            "label": labels.file_type(r.file_type),
            "files": r.files,
            "completed": int(r.completed or 0),
            "failed": int(r.failed or 0),
            "avgProcessingMs": round(float(r.avg_ms)) if r.avg_ms is not None else None,
            "maxProcessingMs": r.max_ms,
        }
        for r in s.execute(
            select(
                FPS.file_type, func.count().label("files"), func.sum(is_completed).label("completed"),
                func.sum(is_failed).label("failed"),
                func.avg(case((FPS.status == "completed", FPS.processing_duration_ms))).label("avg_ms"),
                func.max(case((FPS.status == "completed", FPS.processing_duration_ms))).label("max_ms"),
            )
            .where(mine)
            .group_by(FPS.file_type)
            .order_by(FPS.file_type)
        ).all()
    ]
    totals = s.execute(
        select(
            func.count(), func.sum(is_completed), func.sum(is_failed),
            func.sum(case((FPS.status == FileStatus.TIMEOUT, 1), else_=0)),
            func.sum(case((FPS.status == FileStatus.CANCELLED, 1), else_=0)),
        ).where(mine)
    ).one()
    files, completed, failed, timeouts, cancelled = (int(v or 0) for v in totals)
    retried = s.execute(
        select(func.count(), func.sum(is_completed)).where(mine, done, FPS.attempt_number > 1)
    ).one()
    failures = [
        {"errorCode": code, "label": labels.error_title(code), "count": n}
        for code, n in s.execute(
            select(FPS.error_code, func.count())
            .where(mine, FPS.status.in_(["failed", "timeout"]), FPS.error_code.is_not(None))
            .group_by(FPS.error_code)
            .order_by(func.count().desc(), FPS.error_code)
        ).all()
    ]
    sessions = s.execute(
        select(func.count()).select_from(ProcessingSession).where(
            ProcessingSession.user_id == user_id,
            or_(session_mine, ProcessingSession.id.in_(select(FPS.session_id).where(mine))))
    ).scalar_one()
    finished = completed + failed
    retried_total, retried_ok = int(retried[0] or 0), int(retried[1] or 0)
    return {
        "sessions": sessions,
        "files": files,
        "completed": completed,
        "failed": failed,
        "timeouts": timeouts,
        "cancelled": cancelled,
        "successRate": round(completed / finished, 4) if finished else None,
        "timeoutRate": round(timeouts / finished, 4) if finished else None,
        "retriedFiles": retried_total,
        "retrySuccessRate": round(retried_ok / retried_total, 4) if retried_total else None,
        "byFileType": by_type,
        "failuresByErrorCode": failures,
    }


# --- deletion -------------------------------------------------------------------------------


def delete_session(s: Session, session_id: str, user_id: str) -> list[str] | None:
    """Delete the session; its files, statuses, events and results go with it (ON DELETE CASCADE).

    Returns the storage keys its files used (the caller removes bytes nothing else uses),
    or None if the session is not this user's.
    """
    if session_state(s, session_id, user_id) is None:
        return None
    keys = list(
        s.execute(
            select(UploadedFile.storage_key)
            .where(UploadedFile.session_id == session_id, UploadedFile.user_id == user_id)
            .distinct()
        ).scalars()
    )
    s.execute(delete(ProcessingSession).where(ProcessingSession.id == session_id, ProcessingSession.user_id == user_id))
    if s.get_bind().dialect.name == "postgresql":
        # No event says "deleted" (they go with the session): ring other processes' doorbells
        # with an id no event will reach, so their caches drop the session for good.
        s.execute(text("SELECT pg_notify('labintake_events', :payload)"),
                  {"payload": f"{session_id}:{SESSION_GONE}"})
    return keys


# The event id rung for a deleted session: above every real id, so nothing cached survives it.
SESSION_GONE = 2**62


def events_since(s: Session, after: int, limit: int = 5000) -> list[Any]:
    """(id, session_id) of every event with id > ``after``, in id order (for the SQLite watcher)."""
    return list(
        s.execute(
            select(SessionEvent.id, SessionEvent.session_id).where(SessionEvent.id > after)
            .order_by(SessionEvent.id).limit(limit)
        ).all()
    )


def last_event_id_any(s: Session) -> int:
    return s.execute(select(func.max(SessionEvent.id))).scalar() or 0


def unreferenced_keys(s: Session, keys: list[str]) -> list[str]:
    """Those of ``keys`` no uploaded file (of any user) points at any more."""
    if not keys:
        return []
    used = set(s.execute(select(UploadedFile.storage_key).where(UploadedFile.storage_key.in_(keys))).scalars())
    return [k for k in keys if k not in used]

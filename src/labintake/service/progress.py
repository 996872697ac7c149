"""Progress use cases: the seed's progress object for a session, whole or as a delta, and a
session's status. Reads come from memory (``progress_cache``) when nothing changed since the
last read, else from the trigger-maintained summary (``db.progress``)."""

from __future__ import annotations

from typing import Any

from labintake.db.models import SessionProcessingSummary
from labintake.db.progress import progress_snapshot
from labintake.domain.status import SessionStatus
from labintake.progress_cache import merge
from labintake.service.app import LabIntake, looks_like_id


def read(li: LabIntake, session_id: str, user_id: str, since: int | None = None) -> dict[str, Any] | None:
    """The seed's progress object (None: not this user's session), from memory when the
    session has not changed since it was last read (see ``progress_cache``). With ``since``
    (an event id) only the files changed after it are listed (``db.progress``)."""
    if not looks_like_id(session_id):
        return None  # e.g. a NUL byte, which PostgreSQL refuses in text: simply no such session
    hit = cached(li, session_id, user_id, since)
    if hit is not None:
        return hit
    # No delta asked, but an outdated snapshot is at hand: read only what changed after it.
    base = li.progress_cache.outdated(session_id, user_id) if since is None else None
    with li.db.read() as s:
        # The event id is read first: a change committed between the two reads makes the
        # entry older than the snapshot, never newer, so it can only be rebuilt too early.
        found = progress_snapshot(s, session_id, user_id, since=base[0] if base else since)
    if found is None:
        return None
    event_id, snapshot = found
    if base is not None:
        snapshot = merge(base[1], snapshot)
    if since is None:  # a delta is not the whole picture: only whole snapshots are kept
        li.progress_cache.put(session_id, user_id, event_id, snapshot)
    return snapshot


def cached(li: LabIntake, session_id: str, user_id: str, since: int | None = None) -> dict[str, Any] | None:
    """Only what memory holds: lets the web answer a poll without a thread hop. A delta is
    answered from memory only when nothing changed after ``since`` (an empty file list)."""
    snap = li.progress_cache.get(session_id, user_id)
    if snap is None or since is None:
        return snap
    if snap["lastEventId"] > since:
        return None  # some files changed after ``since``: the delta read finds which
    return {**snap, "files": [], "since": since}


def session_status(li: LabIntake, session_id: str) -> SessionStatus | None:
    """The session's status from its summary row (None: no such session)."""
    with li.db.read() as s:
        status = s.query(SessionProcessingSummary.session_status).filter_by(session_id=session_id).scalar()
    return SessionStatus(status) if status else None

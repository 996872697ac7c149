"""The event log as push reads it: a stream's start and what came after an id.

Prebuilt statements run on the connection, without the ORM: opening a stream is the one read
a thousand reconnecting clients all make at once, and building a ``select()`` per call cost
more than running it (the same choice as ``db.progress``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from labintake.db.models import ProcessingSession, SessionEvent, SessionProcessingSummary

E = SessionEvent
_AFTER = (
    select(E.id, E.kind, E.file_id, E.status, E.progress, E.payload, E.created_at)
    .where(E.session_id == bindparam("session_id"), E.user_id == bindparam("user_id"), E.id > bindparam("after"))
    .order_by(E.id)
    .limit(bindparam("limit"))
)
# The session's state and its summary's status in one statement (None: not this user's session;
# no summary yet: no files).
_HEAD = (
    select(ProcessingSession.state, SessionProcessingSummary.session_status, SessionProcessingSummary.overall_progress)
    .select_from(ProcessingSession)
    .outerjoin(SessionProcessingSummary, SessionProcessingSummary.session_id == ProcessingSession.id)
    .where(ProcessingSession.id == bindparam("session_id"), ProcessingSession.user_id == bindparam("user_id"))
)


def events_after(s: Session, session_id: str, user_id: str, after: int, limit: int) -> list[Any]:
    """The session's events with id > ``after``, in id order, at most ``limit``."""
    params = {"session_id": session_id, "user_id": user_id, "after": after, "limit": limit}
    return list(s.connection().execute(_AFTER, params).all())


def head(s: Session, session_id: str, user_id: str) -> Any | None:
    """``(state, session_status, overall_progress)`` of the user's session; None if not theirs.
    ``session_status`` is None while the session has no files."""
    return s.connection().execute(_HEAD, {"session_id": session_id, "user_id": user_id}).first()

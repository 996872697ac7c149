"""Reading a session's event log for push: the events after an id, and whether it is over."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from labintake.db import events as log
from labintake.domain.status import SessionState, SessionStatus
from labintake.service.app import LabIntake

BATCH = 500  # events per read


class Stage(Enum):
    """Where a session is, for a stream that follows it."""

    RUNNING = "running"  # not finished (or still open for uploads)
    DONE = "done"  # every file finished: ``SessionEnd.status`` is the terminal session status
    GONE = "gone"  # not (or no longer) this user's session


@dataclass(frozen=True, slots=True)
class SessionEnd:
    stage: Stage
    status: str = ""
    progress: int = 0


RUNNING = SessionEnd(Stage.RUNNING)
GONE = SessionEnd(Stage.GONE)


def read(li: LabIntake, session_id: str, user_id: str, after: int) -> list[Any]:
    """Up to ``BATCH`` events of the session with ids after ``after``, in id order."""
    with li.db.read() as s:
        return log.events_after(s, session_id, user_id, after, BATCH)


def end_of(li: LabIntake, session_id: str, user_id: str) -> SessionEnd:
    """DONE if the session was started (or cancelled) and its files add up to a terminal
    status; RUNNING while it is not; GONE if it is not this user's."""
    with li.db.read() as s:
        return _end_in(s, session_id, user_id)


def _end_in(s: Any, session_id: str, user_id: str) -> SessionEnd:
    found = log.head(s, session_id, user_id)
    if found is None:
        return GONE
    state, status, progress = found
    if state == SessionState.OPEN:
        return RUNNING  # more files may still be uploaded
    if status is None:  # no files at all
        return SessionEnd(Stage.DONE, SessionStatus.CANCELLED.value, 0) if state == SessionState.CANCELLED else RUNNING
    return SessionEnd(Stage.DONE, str(status), progress) if SessionStatus(status).is_terminal else RUNNING


def catch_up(li: LabIntake, session_id: str, user_id: str, after: int, keep: int,
             *, pages: int | None = None) -> tuple[SessionEnd, int, list[Any]]:
    """The session's end and the events after ``after`` up to the present (or ``pages`` pages of
    ``BATCH``), of which the last ``keep`` are returned with the id before them: ``(end, base,
    rows)``, every event with ``base < id`` is in ``rows``. The end is read *before* the events,
    in one read: "done, and nothing after N" means a client at N has seen the final event."""
    base = after
    with li.db.read() as s:
        end = _end_in(s, session_id, user_id)
        if end is GONE:
            return end, base, []
        rows: list[Any] = []
        cursor, full, read = after, True, 0
        while full and (pages is None or read < pages):
            page = log.events_after(s, session_id, user_id, cursor, BATCH)
            full, read = len(page) == BATCH, read + 1
            if page:
                rows += page
                cursor = page[-1].id
            if len(rows) > keep:
                base = rows[-keep - 1].id
                del rows[:-keep]
    return end, base, rows


def first_page(li: LabIntake, session_id: str, user_id: str, after: int) -> tuple[SessionEnd, list[Any]]:
    """The session's end and the first ``BATCH`` events after ``after``, in one read (a stream
    behind its session's shared feed starts from this)."""
    end, _, rows = catch_up(li, session_id, user_id, after, BATCH, pages=1)
    return end, rows

"""Session use cases: create, list, upload, start/pause/resume/cancel, results.

Each function takes the application (``LabIntake``) and the acting user, opens its own unit of
work, and returns a typed object or raises a ``LabIntakeError`` (``not_found``, ``conflict``…)
that every interface renders in its own way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import BinaryIO

from labintake.db import history
from labintake.db.results import load_report
from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.status import (
    FileStatus,
    IllegalSessionControl,
    SessionState,
    SessionStatus,
    check_session_control,
)
from labintake.service.app import LabIntake
from labintake.service.models import (
    Created,
    FileResult,
    Named,
    SessionPage,
    SessionResults,
    UploadedItem,
    UploadResult,
)


def state_of(li: LabIntake, session_id: str, user_id: str) -> SessionState:
    """The session's state; ``not_found`` when it is not this user's."""
    with li.db.read() as s:
        state = history.session_state(s, session_id, user_id)
    if state is None:
        raise LabIntakeError(ErrorCode.NOT_FOUND, "No such session.")
    return SessionState(state)


def create(li: LabIntake, user_id: str, name: str = "", *, timeout_seconds: float | None = None) -> Created:
    """A new session; ``timeout_seconds`` overrides ``LABINTAKE_SESSION_TIMEOUT_SECONDS`` for it."""
    return Created(id=li.create_session(user_id, name.strip(), timeout_seconds=timeout_seconds))


def name_of(li: LabIntake, session_id: str, user_id: str) -> str:
    """The session's name, or by default its first file's name and how many more."""
    with li.db.read() as s:
        name = history.session_name(s, session_id, user_id)
    if name is None:
        raise LabIntakeError(ErrorCode.NOT_FOUND, "No such session.")
    return name


def rename(li: LabIntake, session_id: str, user_id: str, name: str) -> Named:
    """Rename a session; an empty name goes back to the default."""
    with li.db.transaction() as s:
        if not history.rename_session(s, session_id, user_id, name.strip()):
            raise LabIntakeError(ErrorCode.NOT_FOUND, "No such session.")
    return Named(id=session_id, name=name_of(li, session_id, user_id))


def list_page(
    li: LabIntake, user_id: str, *, since: date | None = None, until: date | None = None,
    status: SessionStatus | None = None, file_type: str | None = None, limit: int = 20, offset: int = 0,
    query: str | None = None,
) -> SessionPage:
    """One page of the user's sessions (history), newest first."""
    with li.db.read() as s:
        items, total = history.list_sessions(
            s, user_id, history.SessionFilter(since, until, status, file_type or None, query or None), limit=limit, offset=offset
        )
    return SessionPage.model_validate({"items": items, "total": total, "limit": limit, "offset": offset})


def upload(
    li: LabIntake, session_id: str, user_id: str, files: Iterable[tuple[BinaryIO, str]]
) -> UploadResult:
    """Store and queue each file; each one is inspected before it is queued, and a refused file
    gets its own error code without affecting the others. A cancelled session takes none."""
    if state_of(li, session_id, user_id) is SessionState.CANCELLED:
        raise LabIntakeError(ErrorCode.CONFLICT, "The session was cancelled; create a new one.")
    out = []
    for stream, name in files:
        added = li.upload(session_id, user_id, stream, name)
        out.append(UploadedItem(
            fileId=added.file_id, fileName=added.file_name, status=added.status,
            errorCode=added.error_code, error=added.error_message, duplicateOf=added.duplicate_of,
        ))
    return UploadResult(sessionId=session_id, files=out)


def control(li: LabIntake, session_id: str, user_id: str, target: SessionState) -> SessionState:
    """Start, pause, resume or cancel as the user asked (``domain.status.SESSION_CONTROL``): the
    state the session is in afterwards. A change the table does not allow: ``conflict``."""
    try:
        changed = check_session_control(state_of(li, session_id, user_id), target)
    except IllegalSessionControl as exc:
        raise LabIntakeError(ErrorCode.CONFLICT, str(exc)) from None
    if changed:
        li.set_state(session_id, user_id, target)
    return target


def delete(li: LabIntake, session_id: str, user_id: str) -> None:
    if not li.delete_session(session_id, user_id):
        raise LabIntakeError(ErrorCode.NOT_FOUND, "No such session.")


def results(li: LabIntake, session_id: str, user_id: str) -> SessionResults:
    """Every file of the session with its extracted report once completed."""
    with li.db.read() as s:
        if history.session_state(s, session_id, user_id) is None:
            raise LabIntakeError(ErrorCode.NOT_FOUND, "No such session.")
        files = []
        for f in history.session_files(s, session_id, user_id):
            report = load_report(s, f.file_id, user_id) if f.status == FileStatus.COMPLETED else None
            files.append(FileResult(fileId=f.fps_id, fileName=f.file_name, status=FileStatus(f.status),
                                    result=report.model_dump(mode="json") if report else None))
    return SessionResults(sessionId=session_id, files=files)

"""Session use cases: create, list, upload, start/pause/resume/cancel, results.

Each function takes the application (``LabIntake``) and the acting user, opens its own unit of
work, and returns a typed object or raises a ``LabIntakeError`` (``not_found``, ``conflict``…)
that every interface renders in its own way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from labintake import metrics
from labintake.db import history
from labintake.db import sessions as repo
from labintake.db import transitions as tx
from labintake.db.models import ProcessingSession
from labintake.db.results import load_report
from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.status import (
    FileStatus,
    IllegalSessionControl,
    SessionState,
    SessionStatus,
    check_session_control,
)
from labintake.service import blobs
from labintake.service.app import LabIntake, sanitize_name
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
    with li.db.transaction() as s:
        return Created(id=repo.create_session(s, user_id, name.strip(), timeout_seconds=timeout_seconds).id)


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
        added = store(li, session_id, user_id, stream, name)
        out.append(UploadedItem(
            fileId=added.file_id, fileName=added.file_name, status=added.status,
            errorCode=added.error_code, error=added.error_message, duplicateOf=added.duplicate_of,
        ))
    return UploadResult(sessionId=session_id, files=out)


@dataclass(frozen=True, slots=True)
class Upload:
    """What became of one uploaded file: queued (pending), failed at once, rejected, or a duplicate."""

    file_id: str | None  # file_processing_status.id; None when nothing was added
    file_name: str
    status: str  # pending | failed | rejected | duplicate
    error_code: str | None
    error_message: str | None
    duplicate_of: str | None = None


def store(li: LabIntake, session_id: str, user_id: str, stream: BinaryIO, file_name: str, *,
          dedupe: bool = True) -> Upload:
    """Store one upload and queue it; every check that can run before queueing runs here.

    Too large: rejected, nothing stored. Wrong type, or the inspection (page/pixel limits,
    corrupt or encrypted PDF: ``extract.inspect``) refuses it: stored as failed with its code. With
    ``dedupe``, the same bytes already in this session are not added again; ``duplicate_of`` names
    the first copy.
    """
    name = sanitize_name(file_name)
    try:
        stored = li.storage.put(stream, max_bytes=li.settings.max_file_bytes)
    except LabIntakeError as exc:
        if exc.code is not ErrorCode.FILE_TOO_LARGE:
            raise
        return Upload(None, name, "rejected", exc.code.value, exc.message)
    file_type, page_count, error = blobs.inspect(li, stored.key)
    with li.db.transaction() as s:
        session = s.get(ProcessingSession, session_id)
        if session is None or session.user_id != user_id:
            raise LabIntakeError(ErrorCode.INTERNAL_ERROR, "no such session")
        first = history.duplicate_in_session(s, session_id, user_id, stored.sha256) if dedupe else None
        if first is None:
            new = repo.NewFile(stored.key, stored.sha256, name, file_type, stored.size, page_count)
            _, status = repo.add_file(s, session, new, max_retry_attempts=li.settings.max_retry_attempts)
            if error:
                tx.fail(s, status.id, FileStatus.PENDING, error)
    if first is not None:
        return Upload(None, name, "duplicate", None, None, duplicate_of=first)
    li.files_queued()
    if error is not None:
        metrics.FILES_FINISHED.labels(FileStatus.FAILED.value, metrics.kind_of(file_type)).inc()
        metrics.FAILURES.labels(error.code.value).inc()
        return Upload(status.id, name, FileStatus.FAILED.value, error.code.value, error.message)
    return Upload(status.id, name, FileStatus.PENDING.value, None, None)


def add_file(li: LabIntake, session_id: str, user_id: str, stream: BinaryIO, file_name: str) -> str:
    """Store one file and queue it, even if the session already has the same bytes (the CLI).

    A file that fails a check is stored as failed at once. Returns the file's status id
    (``fileId`` in progress responses).
    """
    added = store(li, session_id, user_id, stream, file_name, dedupe=False)
    if added.file_id is None:  # too large: nothing was stored
        raise LabIntakeError(added.error_code or ErrorCode.INTERNAL_ERROR, added.error_message)
    return added.file_id


def add_path(li: LabIntake, session_id: str, user_id: str, path: Path) -> str:
    with path.open("rb") as fh:
        return add_file(li, session_id, user_id, fh, path.name)


def control(li: LabIntake, session_id: str, user_id: str, target: SessionState) -> SessionState:
    """Start, pause, resume or cancel as the user asked (``domain.status.SESSION_CONTROL``): the
    state the session is in afterwards. A change the table does not allow: ``conflict``."""
    try:
        changed = check_session_control(state_of(li, session_id, user_id), target)
    except IllegalSessionControl as exc:
        raise LabIntakeError(ErrorCode.CONFLICT, str(exc)) from None
    if changed:
        set_state(li, session_id, user_id, target)
    return target


def set_state(li: LabIntake, session_id: str, user_id: str, state: SessionState) -> None:
    """Move the session to ``state`` without asking the user-control table (``control`` does):
    the CLI's cancel on Ctrl-C, the intake folder's start. Cancelling stops this process's workers."""
    with li.db.transaction() as s:
        if state is SessionState.CANCELLED:
            repo.cancel(s, session_id, user_id)
        else:
            repo.set_state(s, session_id, user_id, state, timeout_seconds=li.settings.session_timeout_seconds)
    if state is SessionState.CANCELLED:
        li.stop_running(session_id)
    li.files_queued()


def start(li: LabIntake, session_id: str, user_id: str) -> None:
    set_state(li, session_id, user_id, SessionState.RUNNING)


def delete(li: LabIntake, session_id: str, user_id: str) -> None:
    """Delete a session with its files, events and results; stored bytes nothing else uses go too.

    Running files are stopped first; their workers' late writes find no row and are dropped.
    """
    state_of(li, session_id, user_id)  # not_found when it is not this user's
    li.stop_running(session_id)
    with li.db.transaction() as s:
        keys = history.delete_session(s, session_id, user_id)
    li.progress_cache.forget(session_id)
    if keys is None:
        raise LabIntakeError(ErrorCode.NOT_FOUND, "No such session.")
    # A concurrent upload of the same bytes could re-reference a key between this check and
    # the unlink; storage is content-addressed, so its worker would fail storage_unavailable
    # and the user can upload again. Rare enough not to lock uploads for.
    blobs.drop_unused(li, keys)  # other users' uploads may share the bytes


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

"""Users, upload sessions and their files: creation and the user's controls (start, pause, …)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from labintake.db.models import (
    FileProcessingStatus as FPS,
)
from labintake.db.models import (
    ProcessingSession,
    SessionProcessingSummary,
    UploadedFile,
    User,
    utcnow,
)
from labintake.db.transitions import Moved, add_event, hold_open_files, note_session_end, transition
from labintake.domain.errors import ERRORS, ErrorCode
from labintake.domain.search import searchable
from labintake.domain.status import USER_RETRYABLE_STATUSES, EventKind, FileStatus, SessionState

LOCAL_USER_EMAIL = "local@localhost"


def get_or_create_user(s: Session, email: str) -> User:
    user = s.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = User(email=email)
        s.add(user)
        s.flush()
    return user


def create_session(
    s: Session, user_id: str, name: str = "", *, timeout_seconds: float | None = None
) -> ProcessingSession:
    """A new open session; ``timeout_seconds``: its own deadline (else the setting's applies)."""
    session = ProcessingSession(user_id=user_id, name=name, state=SessionState.OPEN.value,
                                timeout_seconds=timeout_seconds)
    s.add(session)
    s.flush()
    return session


@dataclass(frozen=True, slots=True)
class NewFile:
    storage_key: str
    sha256: str
    file_name: str
    file_type: str
    file_size_bytes: int
    page_count: int | None = None


def add_file(
    s: Session, session: ProcessingSession, new: NewFile, *, max_retry_attempts: int
) -> tuple[UploadedFile, FPS]:
    """One uploaded file and its status row (pending), with its first event."""
    upload = UploadedFile(
        user_id=session.user_id, session_id=session.id, storage_key=new.storage_key,
        sha256=new.sha256, file_name=new.file_name, file_type=new.file_type,
        file_size_bytes=new.file_size_bytes, page_count=new.page_count,
    )
    s.add(upload)
    s.flush()
    status = FPS(
        file_id=upload.id, session_id=session.id, user_id=session.user_id,
        status=FileStatus.PENDING.value, progress=0, attempt_number=1,
        max_retry_attempts=max_retry_attempts, is_retryable=True,
        file_name=new.file_name, file_type=new.file_type, file_size_bytes=new.file_size_bytes,
        search_text=searchable(new.file_name),
    )
    s.add(status)
    s.flush()
    add_event(s, session.id, session.user_id, EventKind.FILE, file_id=status.id,
              status=FileStatus.PENDING.value, progress=0)
    return upload, status


def set_state(s: Session, session_id: str, user_id: str, state: SessionState, *,
              timeout_seconds: float | None = None) -> bool:
    """Change what the user asked of a session; False if it was already in that state.

    The first start sets the session's deadline: its own ``timeout_seconds`` (from
    ``POST /api/sessions``) or ``timeout_seconds`` here (``LABINTAKE_SESSION_TIMEOUT_SECONDS``),
    counted from then; a pause does not stop that clock, a resume does not restart it. The
    summary's ``timeout_threshold_ms`` reports the deadline that applies.
    """
    values: dict[str, object] = {"state": state.value}
    if state is SessionState.RUNNING:
        now = utcnow()
        values["started_at"] = now
        own = s.execute(
            select(ProcessingSession.timeout_seconds).where(ProcessingSession.id == session_id)
        ).scalar_one_or_none()
        seconds = own or timeout_seconds
        if seconds:
            values["deadline_at"] = func.coalesce(ProcessingSession.deadline_at, now + timedelta(seconds=seconds))
            s.execute(update(SessionProcessingSummary).where(SessionProcessingSummary.session_id == session_id)
                      .values(timeout_threshold_ms=func.coalesce(SessionProcessingSummary.timeout_threshold_ms,
                                                                 int(seconds * 1000))))
    changed = s.execute(
        update(ProcessingSession)
        .where(
            ProcessingSession.id == session_id,
            ProcessingSession.user_id == user_id,
            ProcessingSession.state != state.value,
        )
        .values(values)
    ).rowcount  # type: ignore[attr-defined]  # a DML result is a CursorResult
    if changed:
        add_event(s, session_id, user_id, EventKind.SESSION_STATE, status=state.value)
        if state is SessionState.RUNNING:
            # Started with every file already finished (all refused at upload): it ends now.
            note_session_end(s, session_id, user_id)
    return bool(changed)


def cancel(s: Session, session_id: str, user_id: str) -> list[Moved]:
    """Cancel a session: pending files become cancelled; running ones are cancelled here and
    their workers, seeing the compare-and-set fail, drop their work (the executor also kills them).
    """
    open_files = hold_open_files(s, session_id, user_id)
    set_state(s, session_id, user_id, SessionState.CANCELLED)
    moved = []
    for fps_id, status in open_files:
        m = transition(
            s, fps_id, status, FileStatus.CANCELLED,
            error_code=ErrorCode.CANCELLED, error_message=ERRORS[ErrorCode.CANCELLED].message,
            is_retryable=True,
        )
        if m:
            moved.append(m)
    return moved


def retry_file(s: Session, fps_id: str, user_id: str) -> Moved | None:
    """The user's retry of a failed, timed-out or cancelled file: pending, attempt + 1."""
    row = s.execute(
        select(FPS.status, FPS.session_id).where(FPS.id == fps_id, FPS.user_id == user_id)
    ).first()
    if row is None:
        return None
    current = FileStatus(row.status)
    if current not in USER_RETRYABLE_STATUSES:
        return None
    moved = transition(
        s, fps_id, current, FileStatus.PENDING,
        attempt_number=FPS.attempt_number + 1, next_attempt_at=None,
        max_retry_attempts=FPS.attempt_number + FPS.max_retry_attempts, recoveries=0,
        error_code=None, error_message=None, error_details=None, is_retryable=True,
        processing_completed_at=None, processing_duration_ms=None,
        payload={"manual": True},
    )
    # A retried file needs a running session to be admitted again.
    session = s.get(ProcessingSession, row.session_id)
    if moved and session is not None and session.state != SessionState.RUNNING.value:
        set_state(s, row.session_id, user_id, SessionState.RUNNING)
    return moved

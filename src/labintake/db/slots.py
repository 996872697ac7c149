"""A file's place in its session: taken out (remove) or given a new copy of the file (replace).

Both apply only while no worker holds the file (``REMOVABLE_STATUSES``), checked by
compare-and-set like every status write, so a file admitted meanwhile is left alone and the
caller answers ``conflict``. The caller commits and removes bytes nothing uses any more.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from labintake.db.corrections import Correction, ReportReview
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import LabReport, ParsedDocument, ProcessingSession, UploadedFile
from labintake.db.sessions import NewFile, set_state
from labintake.db.transitions import Moved, add_event, note_session_end, transition
from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.status import REMOVABLE_STATUSES, USER_RETRYABLE_STATUSES, EventKind, FileStatus, SessionState


@dataclass(frozen=True, slots=True)
class Slot:
    """One of the user's files as retry, replace and remove need it."""

    fps_id: str
    file_id: str  # uploaded_files.id
    session_id: str
    status: FileStatus
    error_code: str | None
    is_retryable: bool
    storage_key: str


def slot(s: Session, fps_id: str, user_id: str) -> Slot | None:
    row = s.execute(
        select(FPS.id, FPS.file_id, FPS.session_id, FPS.status, FPS.error_code, FPS.is_retryable,
               UploadedFile.storage_key)
        .join(UploadedFile, UploadedFile.id == FPS.file_id)
        .where(FPS.id == fps_id, FPS.user_id == user_id)
    ).first()
    if row is None:
        return None
    return Slot(row.id, row.file_id, row.session_id, FileStatus(row.status), row.error_code,
                bool(row.is_retryable), row.storage_key)


def _changed() -> LabIntakeError:
    return LabIntakeError(ErrorCode.CONFLICT, "The file changed meanwhile (it may have started); reload its status.")


def remove(s: Session, found: Slot, user_id: str) -> None:
    """Take a waiting or finished-without-result file out of its session, with its event."""
    gone = s.execute(
        delete(FPS).where(FPS.id == found.fps_id, FPS.user_id == user_id,
                          FPS.status.in_(sorted(REMOVABLE_STATUSES)))
    ).rowcount  # type: ignore[attr-defined]  # a DML result is a CursorResult
    if not gone:
        raise _changed()
    s.execute(delete(UploadedFile).where(UploadedFile.id == found.file_id, UploadedFile.user_id == user_id))
    add_event(s, found.session_id, user_id, EventKind.FILE_REMOVED, file_id=found.fps_id)
    # The removed file may have been the last one the session was waiting for.
    note_session_end(s, found.session_id, user_id)


def replace(s: Session, found: Slot, user_id: str, new: NewFile, *, max_retry_attempts: int) -> Moved:
    """Put ``new`` bytes into the file's place: the same row, back to pending as a first
    attempt, its old result, corrections and confirmation dropped. A session that is not
    open or running is started again, as a retry does."""
    if found.status not in USER_RETRYABLE_STATUSES:
        raise _changed()
    s.execute(
        update(UploadedFile).where(UploadedFile.id == found.file_id, UploadedFile.user_id == user_id)
        .values(storage_key=new.storage_key, sha256=new.sha256, file_name=new.file_name, file_type=new.file_type,
                file_size_bytes=new.file_size_bytes, page_count=new.page_count)
    )
    for table in (LabReport, ParsedDocument, Correction, ReportReview):
        s.execute(delete(table).where(table.file_id == found.file_id, table.user_id == user_id))
    moved = transition(
        s, found.fps_id, found.status, FileStatus.PENDING,
        attempt_number=1, max_retry_attempts=max_retry_attempts, next_attempt_at=None,
        error_code=None, error_message=None, error_details=None, is_retryable=True,
        processing_started_at=None, processing_completed_at=None, processing_duration_ms=None,
        extracted_text=None, extraction_model=None, parsing_metadata=None,
        file_name=new.file_name, file_type=new.file_type, file_size_bytes=new.file_size_bytes,
        payload={"replaced": True},
    )
    if moved is None:
        raise _changed()
    state = s.execute(select(ProcessingSession.state).where(ProcessingSession.id == found.session_id)).scalar_one()
    if state not in (SessionState.OPEN, SessionState.RUNNING):
        set_state(s, found.session_id, user_id, SessionState.RUNNING)
    return moved

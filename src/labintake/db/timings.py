"""What the live page needs to tell time honestly: this installation's recent speed per file
type and page, each file's page count, and which files were handed back after an interruption."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import SessionEvent, UploadedFile
from labintake.db.recovery import RECOVERY_REASONS
from labintake.domain.status import EventKind, FileStatus

RECENT_FILES = 200  # completed files read, newest first
PER_TYPE = 20  # of which at most this many per file type: the recent pace, not the all-time mean


def recent_ms_per_page(s: Session) -> dict[str, float]:
    """Milliseconds per page by file type over the most recent completed files (all users: a
    pace of the installation, no health data). A scanned page takes a hundred times a text
    page, so the time left is estimated per type and per page, never from one mean."""
    rows = s.execute(
        select(FPS.file_type, FPS.processing_duration_ms, UploadedFile.page_count)
        .join(UploadedFile, UploadedFile.id == FPS.file_id)
        .where(FPS.status == FileStatus.COMPLETED.value, FPS.processing_duration_ms.is_not(None))
        .order_by(FPS.processing_completed_at.desc())
        .limit(RECENT_FILES)
    ).all()
    taken: dict[str, list[tuple[int, int]]] = {}
    for file_type, ms, pages in rows:
        seen = taken.setdefault(file_type, [])
        if ms is not None and len(seen) < PER_TYPE:
            seen.append((int(ms), max(1, pages or 1)))
    return {t: round(sum(ms for ms, _ in v) / sum(p for _, p in v), 1) for t, v in taken.items()}


def page_counts(s: Session, session_id: str, user_id: str) -> dict[str, int]:
    """Each file's page count (``fileId`` -> pages) where the upload inspection knew it."""
    rows = s.execute(
        select(FPS.id, UploadedFile.page_count)
        .join(UploadedFile, UploadedFile.id == FPS.file_id)
        .where(FPS.session_id == session_id, FPS.user_id == user_id, UploadedFile.page_count.is_not(None))
    ).all()
    return {fps_id: int(pages) for fps_id, pages in rows if pages is not None}


def resumed_files(s: Session, session_id: str, user_id: str) -> set[str]:
    """Files whose latest return to pending was a recovery: their server died (a restart, a
    lost replica) or their worker process crashed, and the file was handed back on the same
    attempt (``db.recovery``: the event's ``reason``), as opposed to a person's retry, an
    automatic retry after an error, or a first upload."""
    E = SessionEvent
    latest = (
        select(E.file_id, func.max(E.id).label("id"))
        .where(E.session_id == session_id, E.user_id == user_id, E.kind == EventKind.FILE,
               E.status == FileStatus.PENDING.value, E.file_id.is_not(None))
        .group_by(E.file_id)
        .subquery()
    )
    rows = s.execute(select(E.file_id, E.payload).join(latest, latest.c.id == E.id)).all()
    return {f for f, payload in rows if (payload or {}).get("reason") in RECOVERY_REASONS}

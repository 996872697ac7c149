"""What the analytics over time read: the user's finished files in a date range, and the
timestamps of their stage changes.

Plain rows only; ``service/analytics.py`` turns them into series, percentiles and costs in
Python, the same on both databases (SQLite has no percentile function).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import SessionEvent, UploadedFile
from labintake.domain.status import FAILURE_STATUSES, FileStatus

FINISHED = sorted({FileStatus.COMPLETED.value, *(s.value for s in FAILURE_STATUSES)})


@dataclass(frozen=True, slots=True)
class FinishedFile:
    id: str
    session_id: str
    file_type: str
    status: str
    error_code: str | None
    completed_at: datetime
    duration_ms: int | None
    pages: int | None
    cpu_seconds: float | None
    compute_cost: float | None
    vision_cost: float | None
    vision_input_tokens: int | None
    vision_output_tokens: int | None


def _bounds(since: date, until: date) -> tuple[datetime, datetime]:
    return datetime.combine(since, time.min), datetime.combine(until + timedelta(days=1), time.min)


def finished_files(s: Session, user_id: str, since: date, until: date) -> list[FinishedFile]:
    """The user's files that ended (completed, failed, timed out) between ``since`` and
    ``until`` (inclusive, UTC days), oldest first."""
    start, end = _bounds(since, until)
    rows = s.execute(
        select(FPS.id, FPS.session_id, FPS.file_type, FPS.status, FPS.error_code, FPS.processing_completed_at,
               FPS.processing_duration_ms, UploadedFile.page_count, FPS.cpu_seconds, FPS.compute_cost,
               FPS.vision_cost, FPS.vision_input_tokens, FPS.vision_output_tokens)
        .join(UploadedFile, UploadedFile.id == FPS.file_id)
        .where(FPS.user_id == user_id, FPS.status.in_(FINISHED),
               FPS.processing_completed_at >= start, FPS.processing_completed_at < end)
        .order_by(FPS.processing_completed_at)
    ).all()
    return [
        FinishedFile(id=r[0], session_id=r[1], file_type=r[2], status=str(r[3]), error_code=r[4], completed_at=r[5] or start,
                     duration_ms=r[6], pages=r[7], cpu_seconds=r[8], compute_cost=r[9], vision_cost=r[10],
                     vision_input_tokens=r[11], vision_output_tokens=r[12])
        for r in rows
    ]


def status_changes(s: Session, user_id: str, files: list[FinishedFile]) -> dict[str, list[tuple[str, datetime]]]:
    """Each file's (status, when) events in order: the time between two is time in a stage.

    Read by session (``ix_session_events_session_id_id``; events have no file index)."""
    wanted = {f.id for f in files}
    sessions = sorted({f.session_id for f in files})
    out: dict[str, list[tuple[str, datetime]]] = {}
    for start in range(0, len(sessions), 500):  # IN lists stay short on both databases
        rows = s.execute(
            select(SessionEvent.file_id, SessionEvent.status, SessionEvent.created_at)
            .where(SessionEvent.session_id.in_(sessions[start:start + 500]), SessionEvent.user_id == user_id,
                   SessionEvent.file_id.is_not(None), SessionEvent.status.is_not(None))
            .order_by(SessionEvent.id)
        ).all()
        for file_id, status, when in rows:
            if file_id in wanted and status is not None:
                out.setdefault(file_id, []).append((status, when))
    return out

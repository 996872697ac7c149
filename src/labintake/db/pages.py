"""Page progress within extracting, and the page cache that lets a retry resume.

A long scan is read one page at a time in a worker process; every page it finishes is
reported to the runner. The runner writes the file's ``pages_done``/``pages_total`` and
an event (throttled: at most one such write per second per file), and in the same
transaction keeps each page read with OCR in ``page_cache``, so a retry after a timeout
or a crash starts after the last page kept instead of at page 1. Text-layer pages are
not kept: reading them again costs milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, delete, select, tuple_, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from labintake.db.models import Base, FileProcessingStatus, SessionProcessingSummary, user_fk, utcnow
from labintake.db.transitions import Moved, add_event
from labintake.domain.status import EventKind, FileStatus

FPS = FileProcessingStatus


class CachedPage(Base):
    """One page of an uploaded file as OCR read it (``Page.to_dict()`` data), per strategy."""

    __tablename__ = "page_cache"
    file_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("uploaded_files.id", ondelete="CASCADE"), primary_key=True
    )
    strategy: Mapped[str] = mapped_column(String(16), primary_key=True)
    page: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = user_fk()
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)


def extracting_progress(done: int, total: int) -> int:
    """The file's progress while ``done`` of ``total`` pages are read: from extracting's 30
    towards parsing's 60, never reaching it."""
    low, high = FileStatus.EXTRACTING.progress, FileStatus.PARSING.progress
    if total <= 0:
        return low
    return low + (high - 1 - low) * min(done, total) // total


def record_pages(s: Session, fps_id: str, *, done: int, total: int) -> Moved | None:
    """Move the file's page progress to ``done`` of ``total``, with a ``file`` event (the
    status stays extracting; the progress moves from 30 towards 60).

    Compare-and-set like every status write: None when the file is no longer extracting
    (cancelled, recovered), and then nothing is written.
    """
    row = s.execute(
        update(FPS)
        .where(FPS.id == fps_id, FPS.status == FileStatus.EXTRACTING.value)
        .values(pages_done=done, pages_total=total, progress=extracting_progress(done, total), updated_at=utcnow())
        .returning(FPS.session_id, FPS.user_id, FPS.progress)
    ).first()
    if row is None:
        return None
    # The event is written holding the session's summary row lock, as a status change's is (its
    # trigger takes it): a session's event ids stay in commit order (see web/feed.py).
    s.execute(select(SessionProcessingSummary.id).where(SessionProcessingSummary.session_id == row.session_id)
              .with_for_update())
    event_id = add_event(
        s, row.session_id, row.user_id, EventKind.FILE, file_id=fps_id, status=FileStatus.EXTRACTING.value,
        progress=row.progress, payload={"pages_done": done, "pages_total": total},
    )
    return Moved(fps_id, row.session_id, row.user_id, FileStatus.EXTRACTING, event_id)


def keep_pages(s: Session, *, file_id: str, user_id: str, pages: Sequence[tuple[str, int, dict[str, Any]]]) -> None:
    """Keep OCR'd ``pages`` (strategy, number, ``Page.to_dict()`` data) of an uploaded file.

    Not compare-and-set: a page's reading depends only on the file's bytes and the
    strategy, so keeping it is right whoever holds the file now."""
    if not pages:
        return
    keys = [(strategy, number) for strategy, number, _ in pages]
    s.execute(delete(CachedPage).where(
        CachedPage.file_id == file_id, tuple_(CachedPage.strategy, CachedPage.page).in_(keys)))
    s.add_all(CachedPage(file_id=file_id, strategy=strategy, page=number, user_id=user_id, data=data)
              for strategy, number, data in pages)
    s.flush()


def cached_pages(s: Session, file_id: str) -> dict[str, dict[int, dict[str, Any]]]:
    """The pages kept for a file, by strategy and page number."""
    out: dict[str, dict[int, dict[str, Any]]] = {}
    rows = s.execute(
        select(CachedPage.strategy, CachedPage.page, CachedPage.data).where(CachedPage.file_id == file_id)
    ).all()
    for strategy, number, data in rows:
        out.setdefault(strategy, {})[number] = data
    return out


def forget_pages(s: Session, file_id: str) -> None:
    """Drop a file's kept pages (its results are saved: they are not needed again)."""
    s.execute(delete(CachedPage).where(CachedPage.file_id == file_id))

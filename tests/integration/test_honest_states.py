"""Telling states honestly: a file handed back after its worker was lost says so, and the time
left is estimated from this installation's recent pace per file type and page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from labintake.db import recovery, timings
from labintake.db import transitions as tx
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import UploadedFile, utcnow
from labintake.domain.status import FileStatus
from labintake.service import LabIntake, accounts, reading
from tests.conftest import make_settings
from tests.fixtures.reports import make_pdf, sample_report
from tests.integration.helpers import upload


def test_a_file_handed_back_after_its_worker_was_lost_is_resumed(tmp_path: Path, db_url: str) -> None:
    """Given two running files, when the worker of one is found dead (as after a restart), then
    that file is pending again on the same attempt and the page's snapshot marks it resumed; a
    person's retry of a failed file afterwards is not a resumption."""
    li = LabIntake(make_settings(tmp_path, db_url))
    try:
        user = accounts.local_user_id(li)
        pdf = make_pdf(sample_report())
        session_id, ids = upload(li, user, tmp_path, {"a.pdf": pdf, "b.pdf": pdf + b"\n"})
        with li.db.transaction() as s:
            for fps_id, worker in zip(ids, ("dead-worker", "live-worker"), strict=True):
                assert tx.transition(s, fps_id, FileStatus.PENDING, FileStatus.DOWNLOADING, worker_id=worker,
                                     lease_expires_at=utcnow() + timedelta(minutes=5))
            [moved] = recovery.recover_expired(s, dead_workers=["dead-worker"])
        assert moved.file_id == ids[0] and moved.status is FileStatus.PENDING
        snap = reading.snapshot(li, session_id, user)
        assert snap is not None
        by_id = {f["fileId"]: f for f in snap["files"]}
        assert by_id[ids[0]]["resumed"] is True and by_id[ids[0]]["attemptNumber"] == 1
        assert by_id[ids[1]]["resumed"] is False

        from labintake.db import sessions as repo
        from labintake.domain.errors import ErrorCode, LabIntakeError

        with li.db.transaction() as s:
            assert tx.fail(s, ids[0], FileStatus.PENDING, LabIntakeError(ErrorCode.FILE_TIMEOUT), status=FileStatus.TIMEOUT)
            assert repo.retry_file(s, ids[0], user)
        snap = reading.snapshot(li, session_id, user)
        assert snap is not None
        assert next(f for f in snap["files"] if f["fileId"] == ids[0])["resumed"] is False
    finally:
        li.stop()


def test_time_left_uses_recent_pace_per_type_and_page(tmp_path: Path, db_url: str, monkeypatch: Any) -> None:
    """Given completed PDFs of 1 and 3 pages at 100 ms a page and PNGs at 1.5 s a page, when the
    pace is read, then it is per type and per page (not one mean of all files), the newest files
    count, and the session's page counts come with it."""
    monkeypatch.setattr(timings, "PER_TYPE", 3)  # the newest 3 files of a type
    li = LabIntake(make_settings(tmp_path, db_url))
    try:
        user = accounts.local_user_id(li)
        pdf = make_pdf(sample_report())
        files = {f"p{i}.pdf": pdf + b"\n" * i for i in range(4)}
        files.update({f"i{i}.png": b"\x89PNG\r\n\x1a\n" + bytes([i]) * 64 for i in range(2)})
        session_id, ids = upload(li, user, tmp_path, files)
        old = utcnow() - timedelta(days=30)
        with li.db.transaction() as s:
            for k, fps_id in enumerate(ids):
                is_pdf = k < 4
                pages = 3 if k % 2 else 1
                # The oldest PDF was slow (a busy day a month ago): past the window, it does not count.
                ms = (1000 if k == 0 else 100 if is_pdf else 1500) * pages
                s.execute(update(FPS).where(FPS.id == fps_id).values(
                    status=FileStatus.COMPLETED.value, progress=100, processing_duration_ms=ms,
                    file_type="application/pdf" if is_pdf else "image/png",
                    processing_completed_at=old + timedelta(minutes=k)))
                file_id = s.get(FPS, fps_id).file_id  # type: ignore[union-attr]
                s.execute(update(UploadedFile).where(UploadedFile.id == file_id).values(page_count=pages))
        with li.db.read() as s:
            pace = timings.recent_ms_per_page(s)
        assert pace == {"application/pdf": 100.0, "image/png": 1500.0}
        got = reading.pace(li, session_id, user)
        assert got["msPerPage"] == pace
        assert sorted(got["pages"].values()) == [1, 1, 1, 3, 3, 3]
    finally:
        li.stop()

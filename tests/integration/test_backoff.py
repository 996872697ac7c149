"""Automatic retries wait their backoff, on every executor, sub-second bases included: the gap
between an attempt's failure and the next attempt's claim, read from the event log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from labintake.db import transitions as tx
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import SessionEvent, UploadedFile
from labintake.domain.errors import ErrorCode, LabIntakeError, backoff_seconds
from labintake.domain.status import FileStatus
from labintake.service import LabIntake, accounts, sessions
from tests.conftest import make_settings, start_processing
from tests.fixtures.reports import make_pdf, sample_report
from tests.integration.helpers import upload, wait_finished

BASE = 0.4  # below a second: procrastinate's own strategy used to round it to 0


def test_retries_wait_their_exponential_backoff(tmp_path: Path, backend: dict[str, str]) -> None:
    """Given a file whose stored bytes vanished (storage_unavailable, transient) and a backoff base
    of 0.4 s, when it runs, then it is tried 3 times, and the second and third attempts are
    claimed no sooner than 0.4 s and 0.8 s after the failure before them."""
    li = LabIntake(make_settings(tmp_path, backend["database_url"], executor=backend["executor"],
                                 retry_backoff_seconds=BASE))
    start_processing(li)
    try:
        user = accounts.local_user_id(li)
        session_id, ids = upload(li, user, tmp_path, {"gone.pdf": make_pdf(sample_report())})
        with li.db.read() as s:
            key = s.execute(select(UploadedFile.storage_key).join(FPS, FPS.file_id == UploadedFile.id)).scalar_one()
        li.storage.path(key).unlink()
        sessions.start(li, session_id, user)
        final = wait_finished(li, session_id, user)
        f = final["files"][0]
        assert (f["status"], f["errorCode"], f["attemptNumber"]) == ("failed", "storage_unavailable", 3)
        with li.db.read() as s:
            evts = s.execute(select(SessionEvent.status, SessionEvent.created_at, SessionEvent.payload)
                             .where(SessionEvent.file_id == ids[0]).order_by(SessionEvent.id)).all()
        statuses = [e.status for e in evts]
        assert statuses == ["pending", "downloading", "pending", "downloading", "pending", "downloading", "failed"]
        retries = [i for i, e in enumerate(evts) if e.status == "pending" and i > 0]
        expected = [backoff_seconds(n, BASE) for n in (1, 2)]
        assert [evts[i].payload["retry_in_s"] for i in retries] == pytest.approx(expected)
        gaps = [(evts[i + 1].created_at - evts[i].created_at).total_seconds() for i in retries]
        assert all(gap >= want for gap, want in zip(gaps, expected, strict=True)), (gaps, expected)
    finally:
        li.stop()


def test_a_retry_is_due_its_whole_delay_after_the_failure_its_event_records(
    tmp_path: Path, backend: dict[str, str]
) -> None:
    """The retry's due time and its event's timestamp are one clock reading: the delay was
    counted from a reading taken before the row update, so a slow update (a loaded database)
    made the recorded gap shorter than the backoff (0.356 s for 0.4 s in CI)."""
    li = LabIntake(make_settings(tmp_path, backend["database_url"], executor=backend["executor"]))
    try:
        user = accounts.local_user_id(li)
        session_id, ids = upload(li, user, tmp_path, {"a.pdf": make_pdf(sample_report())})
        with li.db.transaction(system=True) as s:
            assert tx.transition(s, ids[0], FileStatus.PENDING, FileStatus.DOWNLOADING) is not None
            gone = LabIntakeError(ErrorCode.STORAGE_UNAVAILABLE, detail="gone")
            moved = tx.retry_later(s, ids[0], FileStatus.DOWNLOADING, gone, 0.4)
            assert moved is not None
        with li.db.read() as s:
            due = s.execute(select(FPS.next_attempt_at).where(FPS.id == ids[0])).scalar_one()
            logged = s.execute(select(SessionEvent.created_at).where(SessionEvent.id == moved.event_id)).scalar_one()
        assert due - logged == timedelta(seconds=0.4)
    finally:
        li.stop()


def test_procrastinate_retries_a_job_when_its_sub_second_backoff_is_due() -> None:
    """The job's retry is scheduled at the file's own backoff, to the millisecond (it was
    procrastinate's whole-second exponential wait: round(0.4) = 0, so every retry ran at once)."""
    from procrastinate.jobs import Job

    from labintake.executors.distributed import TransientFailure, retry_strategy

    strategy = retry_strategy(max_attempts=2)
    job = Job(queue="labintake", lock=None, queueing_lock=None, task_name="labintake.run_file", attempts=0)
    before = datetime.now(UTC)
    decision = strategy.get_retry_decision(exception=TransientFailure("f", 0.4), job=job)
    after = datetime.now(UTC)
    assert decision is not None and decision.retry_at is not None
    delay = timedelta(seconds=0.4)
    assert before + delay <= decision.retry_at <= after + delay  # neither at once nor whole seconds
    assert strategy.get_retry_decision(exception=RuntimeError("bug"), job=job) is None  # only our transient failures
    spent = Job(queue="labintake", lock=None, queueing_lock=None, task_name="labintake.run_file", attempts=2)
    assert strategy.get_retry_decision(exception=TransientFailure("f", 0.4), job=spent) is None

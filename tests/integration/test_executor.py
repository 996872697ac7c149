"""The executor contract, on real files, against every executor: the embedded one on SQLite and
PostgreSQL, and procrastinate workers on PostgreSQL: caps, failures, timeouts, retries,
pause/resume/cancel."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from labintake.db.models import FileProcessingStatus, LabReport, TestResult
from labintake.domain.errors import LabIntakeError
from labintake.domain.status import FileStatus, SessionState
from labintake.service import LabIntake, accounts, files, progress, sessions
from tests.conftest import make_settings, start_processing
from tests.fixtures.reports import corrupt_pdf_bytes, make_pdf, make_png, sample_report
from tests.integration.helpers import (
    deadline_passes_now,
    events,
    max_running,
    status_paths,
    upload,
    wait_finished,
    wait_until,
)

HAPPY = ["pending", "downloading", "extracting", "parsing", "saving", "completed"]


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return make_pdf(sample_report())


def make_app(tmp_path: Path, backend: dict[str, str], **overrides: object) -> LabIntake:
    li = LabIntake(make_settings(tmp_path, backend["database_url"], executor=backend["executor"], **overrides))
    start_processing(li)
    return li


@pytest.fixture
def app(tmp_path: Path, backend: dict[str, str]) -> Iterator[LabIntake]:
    li = make_app(tmp_path, backend, workers=4)
    yield li
    li.stop()


def test_ten_files_never_more_than_three_running_and_all_complete(app: LabIntake, tmp_path: Path, pdf: bytes) -> None:
    """Given 10 files in one session and 4 workers, when it runs, then the event log never shows
    more than 3 of them running at once, every file walks the six stages in order, and all complete."""
    user = accounts.local_user_id(app)
    session_id, ids = upload(app, user, tmp_path, {f"report-{i}.pdf": pdf for i in range(10)})
    sessions.start(app, session_id, user)
    final = wait_finished(app, session_id, user)
    assert final["summary"]["session_status"] == "completed"
    assert final["summary"]["completed_files"] == 10
    assert final["summary"]["overall_progress"] == 100
    evts = events(app, session_id)
    assert max_running(evts) == 3
    assert all(path == HAPPY for path in status_paths(evts).values())
    assert evts[-1].kind == "session" and evts[-1].status == "completed"
    with app.db.read() as s:
        assert s.execute(select(func.count()).select_from(LabReport)).scalar_one() == 10
        assert s.execute(select(func.count()).select_from(TestResult)).scalar_one() == 10 * len(sample_report().rows)
        row = s.execute(select(FileProcessingStatus).where(FileProcessingStatus.id == ids[0])).scalar_one()
        assert row.extraction_model and row.extracted_text and len(row.extracted_text) <= 1000
        assert row.processing_duration_ms is not None and row.progress == 100
        assert row.parsing_metadata["results"] == len(sample_report().rows)


def test_bad_files_fail_with_their_own_codes_and_the_rest_complete(app: LabIntake, tmp_path: Path, pdf: bytes) -> None:
    user = accounts.local_user_id(app)
    session_id, ids = upload(app, user, tmp_path, {
        "good-1.pdf": pdf,
        "broken.pdf": corrupt_pdf_bytes(),
        "empty.pdf": b"",
        "notes.pdf": b"PK\x03\x04 this is a zip file, not a report",
        "good-2.pdf": pdf,
    })
    sessions.start(app, session_id, user)
    final = wait_finished(app, session_id, user)
    by_name = {f["fileName"]: f for f in final["files"]}
    assert {n: f["status"] for n, f in by_name.items()} == {
        "good-1.pdf": "completed", "broken.pdf": "failed", "empty.pdf": "failed",
        "notes.pdf": "failed", "good-2.pdf": "completed",
    }
    assert by_name["broken.pdf"]["errorCode"] == "corrupt_pdf"
    assert by_name["empty.pdf"]["errorCode"] == "empty_file"
    assert by_name["notes.pdf"]["errorCode"] == "unsupported_type"
    assert all(by_name[n]["error"] for n in ("broken.pdf", "empty.pdf", "notes.pdf"))
    assert final["summary"]["session_status"] == "partial"


def test_seed_test_three_counts(app: LabIntake, tmp_path: Path, pdf: bytes) -> None:
    """The seed's test 3: two valid files and one corrupt -> 2 completed, 1 failed, 66 %, partial."""
    user = accounts.local_user_id(app)
    session_id, _ = upload(app, user, tmp_path, {"a.pdf": pdf, "b.pdf": corrupt_pdf_bytes(), "c.pdf": pdf})
    sessions.start(app, session_id, user)
    summary = wait_finished(app, session_id, user)["summary"]
    assert summary == {
        "total_files": 3, "completed_files": 2, "failed_files": 1, "processing_files": 0,
        "pending_files": 0, "overall_progress": 66, "session_status": "partial",
    }


def test_transient_errors_retry_with_backoff_then_fail(app: LabIntake, tmp_path: Path, pdf: bytes) -> None:
    """Given a file whose stored bytes vanished (storage_unavailable, transient), it is retried
    automatically up to max_retry_attempts and then fails with that code."""
    user = accounts.local_user_id(app)
    session_id, ids = upload(app, user, tmp_path, {"gone.png": make_png(sample_report(), dpi=60)})
    with app.db.read() as s:
        key = s.execute(select(FileProcessingStatus.file_id)).scalar_one()
        from labintake.db.models import UploadedFile

        storage_key = s.get(UploadedFile, key).storage_key  # type: ignore[union-attr]
    app.storage.path(storage_key).unlink()
    sessions.start(app, session_id, user)
    final = wait_finished(app, session_id, user)
    f = final["files"][0]
    assert (f["status"], f["errorCode"], f["attemptNumber"]) == ("failed", "storage_unavailable", 3)
    paths = status_paths(events(app, session_id))[ids[0]]
    assert paths == ["pending", "downloading", "pending", "downloading", "pending", "downloading", "failed"]


def test_manual_retry_increments_the_attempt(app: LabIntake, tmp_path: Path, pdf: bytes) -> None:
    """A cancelled file retried goes back to pending on attempt 2 and completes; a failure a retry
    cannot fix (a damaged PDF, refused at upload) is refused, and an unknown file is not found."""
    user = accounts.local_user_id(app)
    session_id, (good, broken) = upload(app, user, tmp_path, {"r.pdf": pdf, "broken.pdf": corrupt_pdf_bytes()})
    sessions.set_state(app, session_id, user, SessionState.CANCELLED)
    assert files.retry(app, good, user).status is FileStatus.PENDING
    for file_id, code in ((broken, "not_retryable"), (str(uuid.uuid4()), "not_found")):
        with pytest.raises(LabIntakeError) as refused:
            files.retry(app, file_id, user)
        assert refused.value.code == code
    final = wait_until(app, session_id, user, lambda p: p["summary"]["session_status"] == "partial")
    by_name = {f["fileName"]: f for f in final["files"]}
    assert (by_name["r.pdf"]["status"], by_name["r.pdf"]["attemptNumber"]) == ("completed", 2)
    assert (by_name["broken.pdf"]["errorCode"], by_name["broken.pdf"]["attemptNumber"]) == ("corrupt_pdf", 1)


def test_pause_stops_admission_resume_continues(tmp_path: Path, backend: dict[str, str], pdf: bytes) -> None:
    li = make_app(tmp_path, backend, workers=1, per_session_concurrency=1)
    try:
        user = accounts.local_user_id(li)
        session_id, _ = upload(li, user, tmp_path, {f"r{i}.pdf": pdf for i in range(6)})
        sessions.start(li, session_id, user)
        wait_until(li, session_id, user, lambda p: p["summary"]["completed_files"] >= 1)
        sessions.set_state(li, session_id, user, SessionState.PAUSED)
        paused = wait_until(li, session_id, user, lambda p: p["summary"]["processing_files"] == 0)
        assert paused["summary"]["session_status"] == "paused"
        done_at_pause = paused["summary"]["completed_files"]
        assert done_at_pause < 6
        # Nothing is admissible while paused (the scheduler's own question), and nothing moved.
        from labintake.db import transitions as tx

        with li.db.read() as s:
            assert not tx.has_admissible(s)
        still = progress.read(li, session_id, user)
        assert still is not None and still["summary"]["completed_files"] == done_at_pause
        assert still["summary"]["pending_files"] == 6 - done_at_pause
        sessions.set_state(li, session_id, user, SessionState.RUNNING)
        final = wait_finished(li, session_id, user)
        assert final["summary"]["session_status"] == "completed"
    finally:
        li.stop()


def test_cancel_marks_pending_files_cancelled(tmp_path: Path, backend: dict[str, str], pdf: bytes) -> None:
    li = make_app(tmp_path, backend, workers=1, per_session_concurrency=1)
    try:
        user = accounts.local_user_id(li)
        session_id, _ = upload(li, user, tmp_path, {f"r{i}.pdf": pdf for i in range(6)})
        sessions.start(li, session_id, user)
        wait_until(li, session_id, user, lambda p: p["summary"]["completed_files"] >= 1)
        sessions.set_state(li, session_id, user, SessionState.CANCELLED)
        final = wait_finished(li, session_id, user)
        statuses = [f["status"] for f in final["files"]]
        assert final["summary"]["session_status"] == "cancelled"
        assert "cancelled" in statuses and "pending" not in statuses
        assert set(statuses) <= {"completed", "cancelled"}
    finally:
        li.stop()


def test_stopping_mid_file_hands_it_back_without_costing_an_attempt(
    tmp_path: Path, backend: dict[str, str], pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a file in the middle of its reading (a planted hang: it is still there whatever the
    machine's speed), when the process stops (a restart, a deploy), then the file is pending
    again on the same attempt with no error, and a fresh start finishes it."""
    monkeypatch.setenv("LABINTAKE_TEST_FAULT", "hang:NEVER-ENDS")
    li = make_app(tmp_path, backend, workers=2)
    user = accounts.local_user_id(li)
    try:
        session_id, _ = upload(li, user, tmp_path, {"slow.pdf": pdf + b"\n% NEVER-ENDS\n"})
        sessions.start(li, session_id, user)
        wait_until(li, session_id, user, lambda p: p["files"][0]["status"] == "extracting")
    finally:
        li.stop()
    monkeypatch.delenv("LABINTAKE_TEST_FAULT")  # the new process reads the file normally
    after = LabIntake(make_settings(tmp_path, backend["database_url"], executor=backend["executor"]))
    try:
        state = progress.read(after, session_id, user)
        assert state is not None
        f = state["files"][0]
        assert (f["status"], f["attemptNumber"], f["errorCode"]) == ("pending", 1, None), f
        start_processing(after)
        final = wait_finished(after, session_id, user, timeout=180)
        assert final["files"][0]["status"] == "completed" and final["files"][0]["attemptNumber"] == 1
    finally:
        after.stop()


def test_the_session_deadline_ends_unfinished_files_and_keeps_finished_ones(
    tmp_path: Path, backend: dict[str, str], pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given LABINTAKE_SESSION_TIMEOUT_SECONDS set, two digital reports and two files whose
    reading never ends (a planted hang), when the deadline passes after the reports completed,
    then the unfinished files end `timeout` with `session_timeout`, the finished ones keep their
    results, nothing is left running, and the session ends `timeout` with its threshold reported."""
    monkeypatch.setenv("LABINTAKE_TEST_FAULT", "hang:NEVER-ENDS")
    li = make_app(tmp_path, backend, workers=3, session_timeout_seconds=3600.0, lease_seconds=1.0)
    try:
        user = accounts.local_user_id(li)
        files = {"a.pdf": pdf, "b.pdf": pdf + b"\n% b\n"}
        files.update({f"stuck-{i}.pdf": pdf + f"\n% NEVER-ENDS {i}\n".encode() for i in range(2)})
        session_id, _ = upload(li, user, tmp_path, files)
        sessions.start(li, session_id, user)
        wait_until(li, session_id, user, lambda p: p["summary"]["completed_files"] == 2
                   and p["summary"]["processing_files"] + p["summary"]["pending_files"] == 2)
        deadline_passes_now(li, session_id)
        final = wait_finished(li, session_id, user, timeout=180)
        assert final["summary"]["session_status"] == "timeout"
        by_name = {f["fileName"]: f for f in final["files"]}
        assert by_name["a.pdf"]["status"] == by_name["b.pdf"]["status"] == "completed"
        assert [(by_name[n]["status"], by_name[n]["errorCode"]) for n in ("stuck-0.pdf", "stuck-1.pdf")] == [
            ("timeout", "session_timeout")] * 2
        with li.db.read() as s:
            saved = s.execute(select(func.count()).select_from(LabReport)).scalar_one()
            threshold = s.execute(text("SELECT timeout_threshold_ms FROM session_processing_summary")).scalar_one()
        assert saved == 2 and threshold == 3_600_000
    finally:
        li.stop()


def test_a_session_of_its_own_deadline_overrides_the_setting(
    tmp_path: Path, backend: dict[str, str], pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the setting's deadline of an hour and a session created with its own 2 s, the
    session's own deadline is the one that ends its never-ending file."""
    monkeypatch.setenv("LABINTAKE_TEST_FAULT", "hang:NEVER-ENDS")
    li = make_app(tmp_path, backend, workers=2, session_timeout_seconds=3600.0, lease_seconds=1.0)
    try:
        user = accounts.local_user_id(li)
        session_id = sessions.create(li, user, "own deadline", timeout_seconds=2.0).id
        path = tmp_path / "stuck.pdf"
        path.write_bytes(pdf + b"\n% NEVER-ENDS\n")
        sessions.add_path(li, session_id, user, path)
        sessions.start(li, session_id, user)
        final = wait_finished(li, session_id, user, timeout=180)
        assert (final["summary"]["session_status"], final["files"][0]["errorCode"]) == ("timeout", "session_timeout")
        with li.db.read() as s:
            threshold = s.execute(text("SELECT timeout_threshold_ms FROM session_processing_summary")).scalar_one()
        assert threshold == 2000
    finally:
        li.stop()

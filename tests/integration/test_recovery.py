"""Recovery costs no attempt; a poison pill is stopped: on every executor, in process.

The worker crash is real (SIGKILL of the worker process) and planted by the test through
``LABINTAKE_TEST_FAULT`` (see ``pipeline.faults``), so nothing depends on OCR speed."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from sqlalchemy import select

from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.recovery import WORKER_CRASH_LIMIT
from labintake.domain.status import FileStatus
from labintake.service import LabIntake, accounts, files, sessions
from tests.conftest import make_settings, start_processing
from tests.fixtures.reports import make_pdf, sample_report
from tests.integration.helpers import events, status_paths, upload, wait_finished


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return make_pdf(sample_report())


def make_app(tmp_path: Path, backend: dict[str, str], **overrides: object) -> LabIntake:
    li = LabIntake(make_settings(tmp_path, backend["database_url"], executor=backend["executor"], **overrides))
    start_processing(li)
    return li


def test_a_file_whose_worker_dies_three_times_fails_worker_lost_and_says_so(
    tmp_path: Path, backend: dict[str, str], pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a file that kills its worker process every time it is read, and a good file beside
    it, when the session runs, then the poison file runs three times on attempt 1 (a crash costs
    no attempt), then fails `worker_lost` with a message saying its worker died 3 times while the
    rest kept running; the good file completes; a manual retry starts the count afresh."""
    monkeypatch.setenv("LABINTAKE_TEST_FAULT", "crash:POISON-PILL")
    li = make_app(tmp_path, backend, workers=2)
    try:
        user = accounts.local_user_id(li)
        session_id, ids = upload(li, user, tmp_path, {"poison.pdf": pdf + b"\n% POISON-PILL\n", "good.pdf": pdf})
        sessions.start(li, session_id, user)
        final = wait_finished(li, session_id, user, timeout=180)
        by_name = {f["fileName"]: f for f in final["files"]}
        poison = by_name["poison.pdf"]
        assert (poison["status"], poison["errorCode"], poison["attemptNumber"]) == ("failed", "worker_lost", 1)
        assert f"died {WORKER_CRASH_LIMIT} times" in poison["error"] and "kept running" in poison["error"]
        assert by_name["good.pdf"]["status"] == "completed"
        assert final["summary"]["session_status"] == "partial"
        evts = events(li, session_id)
        path = status_paths(evts)[ids[0]]
        assert path.count("extracting") == WORKER_CRASH_LIMIT and path[-1] == "failed"
        crashes = [e.payload for e in evts if e.file_id == ids[0] and e.payload
                   and e.payload.get("reason") == "worker_crashed"]
        assert [p["recoveries"] for p in crashes] == list(range(1, WORKER_CRASH_LIMIT))
        with li.db.read() as s:
            assert s.execute(select(FPS.recoveries).where(FPS.id == ids[0])).scalar_one() == WORKER_CRASH_LIMIT
        assert files.retry(li, ids[0], user).status is FileStatus.PENDING
        with li.db.read() as s:
            assert s.execute(select(FPS.recoveries).where(FPS.id == ids[0])).scalar_one() == 0
    finally:
        li.stop()


def test_a_worker_process_that_died_while_idle_costs_no_attempt(
    tmp_path: Path, backend: dict[str, str], pdf: bytes
) -> None:
    """Given the only worker process killed while it waits for work, when a file arrives, then the
    file runs again on a fresh worker and completes on attempt 1 (one recovery counted)."""
    li = make_app(tmp_path, backend, workers=1)
    try:
        worker = li.executor._workers[0]  # type: ignore[union-attr]
        worker.wait_ready(60)
        os.kill(worker.pid, signal.SIGKILL)
        worker.process.join(10)
        user = accounts.local_user_id(li)
        session_id, ids = upload(li, user, tmp_path, {"a.pdf": pdf})
        sessions.start(li, session_id, user)
        final = wait_finished(li, session_id, user, timeout=60)
        assert (final["files"][0]["status"], final["files"][0]["attemptNumber"]) == ("completed", 1)
        with li.db.read() as s:
            assert s.execute(select(FPS.recoveries).where(FPS.id == ids[0])).scalar_one() == 1
    finally:
        li.stop()


def test_a_runaway_file_times_out_its_worker_is_replaced_and_others_complete(
    tmp_path: Path, backend: dict[str, str], pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given an 8 s limit and a file whose reading never ends, it is killed and marked `timeout`
    (`file_timeout`, retryable); its worker process is replaced; the other files complete."""
    monkeypatch.setenv("LABINTAKE_TEST_FAULT", "hang:RUNAWAY")
    li = make_app(tmp_path, backend, workers=2, file_timeout_seconds=8.0)
    try:
        pids_before = {w.pid for w in li.executor._workers}  # type: ignore[union-attr]
        user = accounts.local_user_id(li)
        session_id, _ = upload(li, user, tmp_path, {
            "runaway.pdf": pdf + b"\n% RUNAWAY\n", "a.pdf": pdf, "b.pdf": pdf + b"\n% b\n"})
        sessions.start(li, session_id, user)
        final = wait_finished(li, session_id, user)
        by_name = {f["fileName"]: f for f in final["files"]}
        runaway = by_name["runaway.pdf"]
        assert (runaway["status"], runaway["errorCode"], runaway["isRetryable"]) == ("timeout", "file_timeout", True)
        assert by_name["a.pdf"]["status"] == by_name["b.pdf"]["status"] == "completed"
        pids_after = {w.pid for w in li.executor._workers}  # type: ignore[union-attr]
        assert pids_after != pids_before and len(pids_after) == 2
    finally:
        li.stop()

"""Worker processes: a worker that has finished a file is never killed on that file's account."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from labintake.pipeline.procpool import WorkerDied, WorkerProcess
from labintake.pipeline.runner import _drain_done
from labintake.pipeline.work import Extracted, Job, PageDone, Parsed, StageContext
from tests.fixtures.reports import make_pdf, sample_report


def test_stopping_a_file_after_its_worker_finished_leaves_the_worker_alive(tmp_path: Path) -> None:
    """Given a worker that sent its result and "done", when the heartbeat then finds the file no
    longer running (completed meanwhile) and interrupts it, the worker is not killed (it used to
    be: the next file then failed with worker_lost)."""
    path = tmp_path / "r.pdf"
    path.write_bytes(make_pdf(sample_report()))
    worker = WorkerProcess()
    try:
        worker.wait_ready(120)
        worker.submit(Job("file-1", str(path), "application/pdf", StageContext.defaults()))
        kinds: list[object] = []
        while not kinds or not isinstance(kinds[-1], Parsed):
            kinds.append(worker.recv(60))
        _drain_done(worker)
        pid = worker.pid
        worker.interrupt("file-1")
        assert worker.process.is_alive() and worker.pid == pid
        worker.submit(Job("file-2", str(path), "application/pdf", StageContext.defaults()))
        first = worker.recv(60)
        while isinstance(first, PageDone):  # page progress comes before the reading is done
            first = worker.recv(60)
        assert isinstance(first, Extracted)
    finally:
        worker.stop()


def test_stopping_a_busy_worker_leaves_its_pipe_to_the_reader_and_starts_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a worker busy with a long OCR and a runner thread waiting on its pipe, when the
    executor stops the worker, the runner sees it die and cleans up without an error, and no
    replacement process is started. (Both threads used to close the pipe: the second close
    failed with EBADF, and the runner's replace() started a new process during shutdown.)"""
    monkeypatch.setenv("LABINTAKE_TEST_FAULT", "hang:NEVER-ENDS")  # busy for good, whatever the CPU
    path = tmp_path / "stuck.pdf"
    path.write_bytes(make_pdf(sample_report()) + b"\n% NEVER-ENDS\n")
    worker = WorkerProcess()
    worker.wait_ready(120)
    seen: list[BaseException] = []

    def runner() -> None:
        try:
            while True:
                worker.recv(60)
        except WorkerDied as exc:
            seen.append(exc)
            worker.replace()
        except BaseException as exc:  # noqa: BLE001 - the test reports whatever escaped
            seen.append(exc)

    worker.submit(Job("file-1", str(path), "application/pdf", StageContext.defaults()))
    thread = threading.Thread(target=runner)
    thread.start()
    pid = worker.pid
    worker.stop()
    thread.join(30)
    assert not thread.is_alive()
    assert len(seen) == 1 and isinstance(seen[0], WorkerDied), seen
    assert worker.pid == pid and not worker.process.is_alive()
    assert worker.conn.closed
    worker.stop()  # a second stop is harmless

"""Worker processes: a worker that has finished a file is never killed on that file's account."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from labintake.pipeline.procpool import WorkerDied, WorkerProcess
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
        worker.finish()
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


_PARENT = """
import sys, time
from labintake.pipeline.procpool import WorkerProcess
from labintake.pipeline.work import Job, StageContext
worker = WorkerProcess()
worker.wait_ready(120)
worker.submit(Job("file-1", sys.argv[1], "application/pdf", StageContext.defaults()))
print(worker.pid, flush=True)
time.sleep(600)
"""


def test_a_worker_busy_with_a_runaway_file_dies_with_its_parent(tmp_path: Path) -> None:
    """Given a worker hanging on a file (a runaway), when its parent is killed with SIGKILL
    (no chance to stop it), then the worker exits too instead of running on as an orphan (a
    UI test server's hung worker was found alive half an hour after its server)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "hang.pdf"
    path.write_bytes(make_pdf(sample_report()) + b"%LI-ORPHAN-HANG")
    env = {**os.environ, "LABINTAKE_TEST_FAULT": "hang:LI-ORPHAN-HANG"}
    with subprocess.Popen([sys.executable, "-c", _PARENT, str(path)], stdout=subprocess.PIPE, text=True,
                          env=env) as parent:
        assert parent.stdout is not None
        worker_pid = int(parent.stdout.readline())
        time.sleep(2)  # the worker is inside the hung file now
        os.kill(worker_pid, 0)  # alive
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(worker_pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            os.kill(worker_pid, signal.SIGKILL)
            pytest.fail("the worker outlived its parent")

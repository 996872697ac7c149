"""Worker processes: a worker that has finished a file is never killed on that file's account."""

from __future__ import annotations

from pathlib import Path

from labintake.executors.procpool import WorkerProcess
from labintake.pipeline.runner import _drain_done
from labintake.pipeline.work import Job
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
        worker.submit(Job("file-1", str(path), "application/pdf", 50, 60_000_000, 200))
        kinds = []
        while not kinds or kinds[-1] != "parsed":
            kinds.append(worker.recv(60)[0])
        _drain_done(worker)
        pid = worker.pid
        worker.interrupt("file-1")
        assert worker.process.is_alive() and worker.pid == pid
        worker.submit(Job("file-2", str(path), "application/pdf", 50, 60_000_000, 200))
        assert worker.recv(60)[0] == "extracted"
    finally:
        worker.stop()

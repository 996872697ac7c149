"""SIGTERM while a file is saving: the process that runs the files (`labintake serve` on the
embedded executor, `labintake worker` on procrastinate) is told to stop while a file is
certainly in the ``saving`` stage (the ``stall-saving`` test fault holds it there), and after a
restart every file completes exactly once."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from labintake.db.engine import Database
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import LabReport
from tests.e2e.faultkit import Proc, all_terminal, assert_settled, clean_env, deployed, make_token, serve, wait_until
from tests.fixtures.reports import make_pdf, sample_report

pytestmark = pytest.mark.slow

MARKER = "LI-STALL-SAVING"


@pytest.fixture(params=["embedded", pytest.param("procrastinate", marks=pytest.mark.postgres)])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = clean_env(LABINTAKE_DATA_DIR=str(tmp_path / "data"), LABINTAKE_WORKERS="2",
                    LABINTAKE_LEASE_SECONDS="5", LABINTAKE_EXECUTOR=request.param)
    yield from deployed(env)


def start(env: dict[str, str], tmp_path: Path, fault: bool) -> tuple[Proc, Proc | None, str]:
    """(the process that runs files, the API process if separate, the API's URL)."""
    run_env = {**env, "LABINTAKE_TEST_FAULT": f"stall-saving:{MARKER}"} if fault else env
    if env["LABINTAKE_EXECUTOR"] == "embedded":
        proc, url = serve(run_env, tmp_path / "serve.log")
        return proc, None, url
    api, url = serve(env, tmp_path / "api.log", "--no-executor")
    worker = Proc(["worker", "--concurrency", "2"], run_env, tmp_path / "worker.log").start()
    return worker, api, url


def test_sigterm_while_a_file_is_saving_then_a_restart_completes_it_once(
    deployment: dict[str, str], tmp_path: Path
) -> None:
    """Given three reports, one of which stalls in ``saving``, when the process running the files
    gets SIGTERM while that file is saving, then it exits by itself, the file is handed back
    (pending, attempt 1, nothing saved), and after a restart all three complete, each saved once,
    with a coherent event log."""
    env = deployment
    token = make_token(env)
    runner, api, url = start(env, tmp_path, fault=True)
    db = Database(env.get("LABINTAKE_DATABASE_URL") or f"sqlite:///{tmp_path / 'data' / 'labintake.db'}")
    procs = [p for p in (runner, api) if p is not None]
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            session_id = client.post("/api/sessions", json={"name": "sigterm"}).json()["id"]
            base = make_pdf(sample_report())
            sent = [("files", (f"r{i}.pdf", base + f"\n% copy {i}\n".encode(), "application/pdf")) for i in range(2)]
            sent.append(("files", ("stalls.pdf", base + f"\n% {MARKER}\n".encode(), "application/pdf")))
            uploaded = client.post(f"/api/sessions/{session_id}/files", files=sent).json()["files"]
            stalled = next(f["fileId"] for f in uploaded if f["fileName"] == "stalls.pdf")
            assert client.post(f"/api/sessions/{session_id}/start").status_code == 200
        wait_until(db, lambda rows: rows.get(stalled) == "saving", "the file in saving", timeout=240)

        runner.proc.send_signal(signal.SIGTERM)  # type: ignore[union-attr]  # the main process, as systemd or docker do
        assert runner.wait(60) == 0, runner.tail()
        with db.read() as s:
            row = s.execute(select(FPS.status, FPS.attempt_number, FPS.file_id).where(FPS.id == stalled)).one()
            saved = s.execute(select(func.count()).select_from(LabReport)
                              .where(LabReport.file_id == row.file_id)).scalar_one()
        assert (row.status, row.attempt_number, saved) == ("pending", 1, 0), runner.tail()

        if api is None:
            runner = start(env, tmp_path, fault=False)[0]
        else:  # the API stayed up: only the worker restarts
            runner = Proc(["worker", "--concurrency", "2"], env, tmp_path / "worker.log").start()
        procs = [p for p in (runner, api) if p is not None]
        rows = wait_until(db, all_terminal, "every file after the restart", timeout=300)
        assert sorted(rows.values()) == ["completed"] * 3, runner.tail()
        assert_settled(db)
        with db.read() as s:
            assert set(s.execute(select(FPS.attempt_number)).scalars()) == {1}
    finally:
        for proc in procs:
            proc.stop()
        db.dispose()

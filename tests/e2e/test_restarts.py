"""A restart never costs an attempt: the whole server killed with SIGKILL again and again during
OCR, on the embedded executor (`labintake serve` on SQLite) and on procrastinate (`labintake serve`
and `labintake worker` on PostgreSQL), and every file still completes on attempt 1, saved once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import LabReport
from labintake.domain.status import FileStatus
from labintake.service import LabIntake, accounts, sessions
from labintake.settings import Settings
from tests.e2e.faultkit import deployed
from tests.fixtures.reports import make_png, sample_report

pytestmark = pytest.mark.slow

LABINTAKE = [sys.executable, "-m", "labintake.cli"]
KILLS = 5
FILES = 4


@pytest.fixture(params=["embedded", pytest.param("procrastinate", marks=pytest.mark.postgres)])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABINTAKE_")}
    env.update({"LABINTAKE_DATA_DIR": str(tmp_path / "data"), "LABINTAKE_WORKERS": "2",
                "LABINTAKE_POLL_INTERVAL_SECONDS": "0.1", "LABINTAKE_LEASE_SECONDS": "5",
                "LABINTAKE_LOG_LEVEL": "WARNING"})
    env["LABINTAKE_EXECUTOR"] = request.param
    yield from deployed(env)


def settings_of(env: dict[str, str]) -> Settings:
    return Settings(
        data_dir=Path(env["LABINTAKE_DATA_DIR"]), database_url=env.get("LABINTAKE_DATABASE_URL"),
        executor=env["LABINTAKE_EXECUTOR"], workers=2,  # type: ignore[arg-type]
    )


def start_server(env: dict[str, str], log: Path) -> list[subprocess.Popen[bytes]]:
    """The whole server: `serve` (which runs the files itself on the embedded executor), plus on
    procrastinate the `worker` that runs them. Each in its own process group, with its workers."""
    out = log.open("ab")
    procs = [subprocess.Popen([*LABINTAKE, "serve", "--port", "0"], env=env, stdout=out,
                              stderr=subprocess.STDOUT, start_new_session=True)]
    if env["LABINTAKE_EXECUTOR"] == "procrastinate":
        procs.append(subprocess.Popen([*LABINTAKE, "worker", "--concurrency", "2"], env=env, stdout=out,
                                      stderr=subprocess.STDOUT, start_new_session=True))
    out.close()
    return procs


def kill(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the process and its worker processes
    for proc in procs:
        proc.wait(timeout=30)


def statuses(li: LabIntake) -> list[tuple[str, int]]:
    with li.db.read() as s:
        return [(row.status, row.attempt_number) for row in s.execute(select(FPS.status, FPS.attempt_number))]


def wait_for(li: LabIntake, predicate, what: str, timeout: float = 180) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        rows = statuses(li)
        if predicate(rows):
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {rows}")
        time.sleep(0.1)


def test_kill_9_of_the_whole_server_during_ocr_never_costs_an_attempt(
    deployment: dict[str, str], tmp_path: Path
) -> None:
    """Given 4 scanned reports in a running session, when the whole server is killed with SIGKILL
    five times, each time while files are being OCR'd, and started again, then every file
    completes on attempt 1, none is stuck, and each is saved exactly once."""
    li = LabIntake(settings_of(deployment))  # the test's own handle: uploads and reads, runs nothing
    log = tmp_path / "server.log"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        user = accounts.local_user_id(li)
        session_id = sessions.create(li, user, "restarts").id
        png = make_png(sample_report())
        for i in range(FILES):
            path = tmp_path / f"scan-{i}.png"
            path.write_bytes(png + bytes([i]))
            sessions.add_path(li, session_id, user, path)
        sessions.start(li, session_id, user)
        kills = 0
        while kills < KILLS:
            procs = start_server(deployment, log)
            rows = wait_for(li, lambda r: any(st == "extracting" for st, _ in r)
                            or all(FileStatus(st).is_terminal for st, _ in r), "a file in OCR")
            if all(FileStatus(st).is_terminal for st, _ in rows):
                break
            kill(procs)
            kills += 1
            interrupted = [st for st, _ in statuses(li) if FileStatus(st) not in (FileStatus.PENDING,)
                           and not FileStatus(st).is_terminal]
            assert interrupted, "the kill left no file mid-stage"
        assert kills >= 3, f"only {kills} kills before everything finished; the test proves little"
        if procs and all(p.poll() is not None for p in procs):
            procs = start_server(deployment, log)
        final = wait_for(li, lambda r: all(FileStatus(st).is_terminal for st, _ in r), "every file", timeout=300)
        assert final == [("completed", 1)] * FILES, (final, log.read_text()[-3000:])
        with li.db.read() as s:
            saved = dict(s.execute(select(LabReport.file_id, func.count()).group_by(LabReport.file_id)).all())
            lost = s.execute(select(func.count()).where(FPS.error_code.is_not(None))).scalar_one()
        assert len(saved) == FILES and set(saved.values()) == {1}
        assert lost == 0
    finally:
        kill(procs)
        li.stop()

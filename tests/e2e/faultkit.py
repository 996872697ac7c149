"""What the fault tests share: real `labintake` processes over real HTTP, and the end state read
from the database — every file terminal, results saved once, the event log coherent."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
from sqlalchemy import func, select

from labintake.db.engine import Database
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import LabReport, SessionEvent, SessionProcessingSummary
from labintake.db.progress import aggregate_summary
from labintake.domain.status import FileStatus, IllegalTransition, check_transition
from tests.conftest import pg_database

LABINTAKE = [sys.executable, "-m", "labintake.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**values: str) -> dict[str, str]:
    """The test process's environment without its LABINTAKE_* settings, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABINTAKE_")}
    env.update({"LABINTAKE_LOG_LEVEL": "WARNING", "LABINTAKE_POLL_INTERVAL_SECONDS": "0.1"}, **values)
    return env


def run_cli(env: dict[str, str], *args: str) -> str:
    return subprocess.run([*LABINTAKE, *args], env=env, capture_output=True, text=True, timeout=120,
                          check=True).stdout


def make_token(env: dict[str, str]) -> str:
    """A user and a bearer token for it (the CLI, as an operator would)."""
    run_cli(env, "db", "upgrade")
    run_cli(env, "users", "create", "faults@example.test", "--password", "correct horse battery")
    return run_cli(env, "tokens", "create", "faults@example.test").strip()


@dataclass
class Proc:
    """One `labintake` process in its own process group (it and its worker processes)."""

    args: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    _out: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> Proc:
        self._out = self.log.open("ab")
        self.proc = subprocess.Popen([*LABINTAKE, *self.args], env=self.env, stdout=self._out,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def signal(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)

    def wait(self, timeout: float = 60) -> int:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            if self._out is not None:
                self._out.close()
                self._out = None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not end (teardown)."""
        if self.proc is None or self.proc.poll() is not None:
            if self._out is not None:
                self._out.close()
            return
        self.signal(signal.SIGTERM)
        try:
            self.wait(30)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.wait(30)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def serve(env: dict[str, str], log: Path, *extra: str) -> tuple[Proc, str]:
    """`labintake serve` on a free port, once it answers /healthz."""
    port = free_port()
    proc = Proc(["serve", "--host", "127.0.0.1", "--port", str(port), *extra], env, log).start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        assert proc.proc is not None
        if proc.proc.poll() is not None or time.monotonic() > deadline:
            proc.stop()
            raise AssertionError(f"labintake serve did not start:\n{proc.tail()}")
        time.sleep(0.2)


def statuses(db: Database) -> dict[str, str]:
    with db.read() as s:
        return dict(s.execute(select(FPS.id, FPS.status)).all())


def wait_until(db: Database, predicate: Any, what: str, timeout: float = 300) -> dict[str, str]:
    """Poll the file rows until ``predicate(statuses)`` holds (a condition, not a time window)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = statuses(db)
        if predicate(rows):
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {rows}")
        time.sleep(0.1)


def all_terminal(rows: dict[str, str]) -> bool:
    return bool(rows) and all(FileStatus(st).is_terminal for st in rows.values())


def assert_settled(db: Database) -> dict[str, str]:
    """No file lost, stuck or saved twice, from the database alone:

    - every file is terminal (none left pending or mid-stage);
    - a completed file has exactly one saved report, any other none;
    - each file's event log is a legal walk through the status table that ends where its row
      is, with one ``completed`` event for a completed file and none otherwise;
    - every session's summary row equals its files' statuses.
    """
    with db.read() as s:
        files = s.execute(select(FPS.id, FPS.file_id, FPS.status, FPS.session_id)).all()
        saved = dict(s.execute(select(LabReport.file_id, func.count()).group_by(LabReport.file_id)).all())
        events = s.execute(select(SessionEvent.file_id, SessionEvent.status).where(SessionEvent.kind == "file")
                           .order_by(SessionEvent.id)).all()
        S = SessionProcessingSummary
        summaries = {row.session_id: row for row in s.execute(select(
            S.session_id, S.total_files, S.completed_files, S.failed_files, S.processing_files,
            S.pending_files)).all()}
    assert files, "no files at all"
    stuck = {f.id: f.status for f in files if not FileStatus(f.status).is_terminal}
    assert not stuck, f"files not terminal: {stuck}"
    for f in files:
        assert saved.get(f.file_id, 0) == (1 if f.status == "completed" else 0), (f.status, saved.get(f.file_id))
    walks: dict[str, list[str]] = {}
    for file_id, status in events:
        if file_id is not None and status is not None:
            walks.setdefault(file_id, []).append(status)
    for f in files:
        walk = walks.get(f.id, [])
        assert walk and walk[-1] == f.status, (f.id, f.status, walk)
        assert walk.count("completed") == (1 if f.status == "completed" else 0), walk
        for before, after in zip(walk, walk[1:], strict=False):
            if before == after:
                continue  # page progress within a stage
            try:
                check_transition(before, after)
            except IllegalTransition as exc:
                raise AssertionError(f"event log of {f.id} has {before} -> {after}: {walk}") from exc
    by_session: dict[str, list[FileStatus]] = {}
    for f in files:
        by_session.setdefault(f.session_id, []).append(FileStatus(f.status))
    for session_id, got in by_session.items():
        expected = aggregate_summary(got, "running")
        row = summaries[session_id]
        assert {k: getattr(row, k) for k in expected if hasattr(row, k) and k != "session_status"} == \
            {k: v for k, v in expected.items() if k != "session_status" and hasattr(row, k)}
    return {f.id: f.status for f in files}


def deployed(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """``env`` as the fixture's deployment: embedded as given; procrastinate on a fresh
    PostgreSQL database of its own, dropped afterwards (skipped where there is none)."""
    if env["LABINTAKE_EXECUTOR"] == "embedded":
        yield env
        return
    with pg_database() as url:
        yield {**env, "LABINTAKE_DATABASE_URL": url}

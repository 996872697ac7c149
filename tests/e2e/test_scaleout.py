"""Scale-out on PostgreSQL, as docs/deploy.md describes it: API replicas (`serve --no-executor`)
and procrastinate workers (`labintake worker`) as separate processes over one database and a
shared storage directory."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from labintake.db.engine import Database
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import LabReport, SessionEvent, SessionProcessingSummary
from labintake.db.progress import aggregate_summary
from labintake.domain.status import ACTIVE_STATUSES, FileStatus
from tests.conftest import pg_database
from tests.fixtures.reports import make_pdf, make_png, sample_report

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

LABINTAKE = [sys.executable, "-m", "labintake.cli"]
TERMINAL = {"completed", "partial", "failed", "timeout", "cancelled"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    db_url: str
    env: dict[str, str]
    tmp: Path
    token: str = ""
    apis: dict[str, tuple[subprocess.Popen[bytes], str]] = field(default_factory=dict)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Any] = field(default_factory=list)
    clients: list[httpx.Client] = field(default_factory=list)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        data_dir = self.tmp / name  # each process its own machine-local folder
        log = (self.tmp / f"{name}.log").open("wb")
        self.logs.append(log)
        env = {**self.env, "LABINTAKE_DATA_DIR": str(data_dir)}
        return subprocess.Popen([*LABINTAKE, *args], env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def start_api(self, name: str) -> str:
        port = free_port()
        proc = self._spawn(name, ["serve", "--no-executor", "--host", "127.0.0.1", "--port", str(port)])
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError(f"{name} did not start: {(self.tmp / f'{name}.log').read_text()[-2000:]}")
        self.apis[name] = (proc, url)
        return url

    def start_worker(self, name: str, concurrency: int = 1) -> subprocess.Popen[bytes]:
        proc = self._spawn(name, ["worker", "--concurrency", str(concurrency)])
        self.workers.append(proc)
        return proc

    def client(self, api: str) -> httpx.Client:
        client = httpx.Client(base_url=self.apis[api][1], headers={"Authorization": f"Bearer {self.token}"},
                              timeout=60)
        self.clients.append(client)
        return client

    def stop(self) -> None:
        for client in self.clients:
            client.close()
        for proc in [p for p, _ in self.apis.values()] + self.workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in [p for p, _ in self.apis.values()] + self.workers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        for log in self.logs:
            log.close()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    with pg_database() as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LABINTAKE_")}
        env.update({
            "LABINTAKE_DATABASE_URL": url,
            "LABINTAKE_STORAGE_URL": f"file://{tmp_path / 'shared-files'}",
            "LABINTAKE_WORKERS": "3",  # the global cap = the sum of the workers' concurrency
            "LABINTAKE_LEASE_SECONDS": "3",
            "LABINTAKE_POLL_INTERVAL_SECONDS": "0.1",
            "LABINTAKE_RETRY_BACKOFF_SECONDS": "1",
            "LABINTAKE_LOG_LEVEL": "WARNING",
        })
        c = Cluster(url, env, tmp_path)
        run = lambda *args: subprocess.run([*LABINTAKE, *args], env={**env, "LABINTAKE_DATA_DIR": str(tmp_path / "admin")},  # noqa: E731
                                           capture_output=True, text=True, timeout=120, check=True)
        run("db", "upgrade")
        run("users", "create", "clinic@example.test", "--password", "correct horse battery")
        c.token = run("tokens", "create", "clinic@example.test").stdout.strip()
        try:
            yield c
        finally:
            c.stop()


def distinct_pdfs(n: int) -> list[bytes]:
    """n different files of the same report (a unique trailing comment: still a valid PDF)."""
    base = make_pdf(sample_report())
    return [base + f"\n% copy {i}\n".encode() for i in range(n)]


def new_session(client: httpx.Client, files: list[tuple[str, bytes]]) -> str:
    session_id = client.post("/api/sessions", json={"name": "scale-out"}).json()["id"]
    response = client.post(f"/api/sessions/{session_id}/files",
                           files=[("files", (name, data, "application/pdf")) for name, data in files])
    assert response.status_code == 200, response.text
    assert client.post(f"/api/sessions/{session_id}/start").status_code in (200, 202, 204)
    return session_id


def read_events(client: httpx.Client, session_id: str, out: list[tuple[float, dict[str, Any], int]],
                last_event_id: int | None = None, stop: threading.Event | None = None) -> None:
    """Append (arrival time, data, id) for every SSE event until the stream ends or breaks."""
    headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
    fields: dict[str, str] = {}
    try:
        with client.stream("GET", f"/api/sessions/{session_id}/events", headers=headers,
                           timeout=httpx.Timeout(120, read=120)) as response:
            for line in response.iter_lines():
                if stop is not None and stop.is_set():
                    return
                if line == "":
                    if "data" in fields and "id" in fields:
                        out.append((time.time(), json.loads(fields["data"]), int(fields["id"])))
                    fields = {}
                elif not line.startswith(":"):
                    name, _, value = line.partition(":")
                    fields[name] = value[1:] if value.startswith(" ") else value
    except httpx.HTTPError:
        return


def wait_all_terminal(db: Database, timeout: float = 300) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        with db.read() as s:
            statuses = list(s.execute(select(FPS.status)).scalars())
        if statuses and all(FileStatus(st).is_terminal for st in statuses):
            return statuses
        if time.monotonic() > deadline:
            raise AssertionError(f"not finished: { {st: statuses.count(st) for st in set(statuses)} }")
        time.sleep(0.5)


def check_invariants(db: Database) -> None:
    """Every file saved at most once (exactly once if completed), ≤ 3 running per session across
    all workers (replayed from the event log), every summary equal to its file rows."""
    with db.read() as s:
        reports = dict(s.execute(select(LabReport.file_id, func.count()).group_by(LabReport.file_id)).all())
        files = s.execute(select(FPS.file_id, FPS.status, FPS.session_id)).all()
        events = s.execute(select(SessionEvent.session_id, SessionEvent.file_id, SessionEvent.status)
                           .where(SessionEvent.kind == "file").order_by(SessionEvent.id)).all()
        S = SessionProcessingSummary
        summaries = {row.session_id: row for row in s.execute(select(
            S.session_id, S.total_files, S.completed_files, S.failed_files, S.processing_files, S.pending_files,
            S.overall_progress, S.session_status)).all()}
    for f in files:
        assert reports.get(f.file_id, 0) == (1 if f.status == "completed" else 0)
    running: dict[str, set[str]] = {}
    for e in events:
        active = running.setdefault(e.session_id, set())
        if e.status in {a.value for a in ACTIVE_STATUSES}:
            active.add(e.file_id)
        else:
            active.discard(e.file_id)
        assert len(active) <= 3
    by_session: dict[str, list[FileStatus]] = {}
    for f in files:
        by_session.setdefault(f.session_id, []).append(FileStatus(f.status))
    for session_id, statuses in by_session.items():
        row = summaries[session_id]
        expected = aggregate_summary(statuses, "running")
        got = {k: getattr(row, k) for k in expected if k != "session_status"}
        assert got == {k: v for k, v in expected.items() if k != "session_status"}
        assert row.session_status == expected["session_status"]


def test_two_replicas_three_workers_fifty_sessions(cluster: Cluster) -> None:
    """Given 2 API replicas and 3 workers, when 50 sessions × 5 files are uploaded through both
    replicas, then every file completes exactly once, never more than 3 run per session across
    all workers, every summary equals its file rows, and an SSE client on replica A receives
    every event of its session, the ones workers produce included, in order and once. (How
    fast they arrive is measured by `make bench`, not asserted here: a loaded machine makes
    any wall-clock bound flaky.)"""
    cluster.start_api("api-a")
    cluster.start_api("api-b")
    for i in range(3):
        cluster.start_worker(f"worker-{i}")
    a, b = cluster.client("api-a"), cluster.client("api-b")
    pdfs = distinct_pdfs(5)
    # Watch the first session on replica A from before its files are uploaded.
    watched = a.post("/api/sessions", json={"name": "watched"}).json()["id"]
    received: list[tuple[float, dict[str, Any], int]] = []
    reader = threading.Thread(target=read_events, args=(cluster.client("api-a"), watched, received))
    reader.start()
    time.sleep(0.5)
    a.post(f"/api/sessions/{watched}/files", files=[("files", (f"w{i}.pdf", d, "application/pdf"))
                                                    for i, d in enumerate(pdfs)])
    a.post(f"/api/sessions/{watched}/start")
    sessions = [watched] + [new_session(a if i % 2 else b, [(f"r{j}.pdf", d) for j, d in enumerate(pdfs)])
                            for i in range(49)]
    db = Database(cluster.db_url)
    try:
        statuses = wait_all_terminal(db)
        assert len(statuses) == 250 and set(statuses) == {"completed"}
        check_invariants(db)
        reader.join(timeout=30)
        with db.read() as s:
            created = dict(s.execute(select(SessionEvent.id, SessionEvent.created_at)
                                     .where(SessionEvent.session_id == watched)).all())
    finally:
        db.dispose()
    ids = [event_id for _, _, event_id in received]
    assert ids == sorted(created), "the stream carries every event of the session, in order, once"
    # The events workers produce (the replica's own upload and start events are not pushed across).
    produced_by_workers = [(arrived, i) for arrived, data, i in received
                           if data["kind"] == "file" and data["status"] in ("extracting", "parsing", "saving", "completed")]
    assert len(produced_by_workers) == 5 * 4
    assert len(sessions) == 50


def test_kill_9_of_a_worker_mid_file_is_finished_by_another(cluster: Cluster) -> None:
    """Given a worker killed with SIGKILL while it runs a file, then after its lease expires another
    worker finishes the file: nothing stuck, nothing saved twice."""
    cluster.start_api("api-a")
    victims = [cluster.start_worker(f"worker-{i}") for i in range(2)]
    client = cluster.client("api-a")
    png = make_png(sample_report(), dpi=100)
    new_session(client, [("scan-1.png", png), ("scan-2.png", png + b"\0")])
    db = Database(cluster.db_url)
    try:
        deadline = time.monotonic() + 120
        holder = None
        while holder is None and time.monotonic() < deadline:
            with db.read() as s:
                holder = s.execute(select(FPS.id, FPS.worker_id).where(
                    FPS.status.in_(["extracting", "parsing"]), FPS.worker_id.like("%:%"))).first()
            time.sleep(0.1)
        assert holder is not None, "no file reached a running stage"
        pid = int(holder.worker_id.split(":")[1])
        victim = next(p for p in victims if p.pid == pid)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        statuses = wait_all_terminal(db, timeout=180)
        assert statuses == ["completed", "completed"]
        check_invariants(db)
        with db.read() as s:
            attempt = s.execute(select(FPS.attempt_number).where(FPS.id == holder.id)).scalar_one()
        assert attempt == 1  # the worker's death was not the file's fault: no attempt charged
    finally:
        db.dispose()


def test_kill_9_of_an_api_replica_clients_resume_on_the_other(cluster: Cluster) -> None:
    """Given an SSE client on replica A, when A is killed with SIGKILL mid-session, then the client
    reconnects to B with Last-Event-ID and the union of both streams is the event table, once each."""
    cluster.start_api("api-a")
    cluster.start_api("api-b")
    cluster.start_worker("worker-0")
    client_a = cluster.client("api-a")
    png = make_png(sample_report(), dpi=100)
    session_id = new_session(client_a, [(f"s{i}.png", png + bytes([i])) for i in range(3)])
    first: list[tuple[float, dict[str, Any], int]] = []
    reader = threading.Thread(target=read_events, args=(client_a, session_id, first))
    reader.start()
    deadline = time.monotonic() + 60
    while len(first) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(cluster.apis["api-a"][0].pid, signal.SIGKILL)
    reader.join(timeout=30)
    assert first, "no events before the kill"
    second: list[tuple[float, dict[str, Any], int]] = []
    read_events(cluster.client("api-b"), session_id, second, last_event_id=first[-1][2])
    db = Database(cluster.db_url)
    try:
        with db.read() as s:
            table = list(s.execute(select(SessionEvent.id).where(SessionEvent.session_id == session_id)
                                   .order_by(SessionEvent.id)).scalars())
    finally:
        db.dispose()
    union = [i for _, _, i in first] + [i for _, _, i in second]
    assert union == table


def _cluster_ctl(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action, *(
        ["-m", "fast"] if action == "stop" else [])], check=True, capture_output=True, timeout=60)


@pytest.mark.skipif(not (Path("/etc/postgresql").is_dir() and shutil.which("pg_ctlcluster") and os.geteuid() == 0),
                    reason="needs the local PostgreSQL cluster and root to stop and start it")
def test_postgresql_down_for_ten_seconds_everything_recovers(cluster: Cluster) -> None:
    """Given a running session, when PostgreSQL stops for 10 s, then readyz fails and the API
    answers 503 database_unavailable with the error shape, and after it comes back the API and the
    workers recover by themselves and every file reaches a terminal status."""
    api = cluster.start_api("api-a")
    cluster.start_worker("worker-0")
    client = cluster.client("api-a")
    png = make_png(sample_report(), dpi=100)
    session_id = new_session(client, [(f"p{i}.png", png + bytes([i])) for i in range(3)]
                             + [(f"d{i}.pdf", d) for i, d in enumerate(distinct_pdfs(3))])
    time.sleep(1.0)
    _cluster_ctl("stop")
    try:
        time.sleep(2.0)
        ready = httpx.get(f"{api}/readyz", timeout=10)
        assert ready.status_code == 503
        progress = client.get(f"/api/sessions/{session_id}/progress")
        assert progress.status_code == 503
        assert progress.json()["error"]["code"] == "database_unavailable"
        time.sleep(8.0)
    finally:
        _cluster_ctl("start")
    deadline = time.monotonic() + 60
    while httpx.get(f"{api}/readyz", timeout=10).status_code != 200:
        assert time.monotonic() < deadline, "readyz did not recover"
        time.sleep(0.5)
    deadline = time.monotonic() + 240
    while True:
        snap = client.get(f"/api/sessions/{session_id}/progress").json()
        if snap["summary"]["session_status"] in TERMINAL:
            break
        assert time.monotonic() < deadline, f"session did not finish: {snap['summary']}"
        time.sleep(0.5)
    assert snap["summary"]["total_files"] == 6
    assert snap["summary"]["completed_files"] == 6, snap
    db = Database(cluster.db_url)
    try:
        check_invariants(db)
    finally:
        db.dispose()


def test_three_workers_of_two_hold_the_per_session_cap_of_three_under_contention(cluster: Cluster) -> None:
    """Given 3 workers with `--concurrency 2` (a global capacity of 6) and a per-session cap of 3,
    when two sessions of 6 scans start together, then the event log shows 3 files of a session
    running at once but never 4, while more than 3 ran in all: the cap, not the capacity, held
    each session (a test whose global capacity equals the cap could not tell them apart)."""
    cluster.env.update({"LABINTAKE_WORKERS": "6", "LABINTAKE_PER_SESSION_CONCURRENCY": "3"})
    cluster.start_api("api-a")
    for i in range(3):
        cluster.start_worker(f"worker-{i}", concurrency=2)
    client = cluster.client("api-a")
    png = make_png(sample_report(), dpi=100)
    sessions = []
    for k in range(2):
        session_id = client.post("/api/sessions", json={"name": f"contention-{k}"}).json()["id"]
        files = [("files", (f"scan-{k}-{i}.png", png + bytes([k, i]), "image/png")) for i in range(6)]
        assert client.post(f"/api/sessions/{session_id}/files", files=files).status_code == 200
        sessions.append(session_id)
    for session_id in sessions:
        assert client.post(f"/api/sessions/{session_id}/start").status_code == 200
    db = Database(cluster.db_url)
    try:
        statuses = wait_all_terminal(db, timeout=600)
        assert statuses == ["completed"] * 12
        check_invariants(db)  # ≤ 3 per session at every event, summaries exact, saved once
        with db.read() as s:
            events = s.execute(select(SessionEvent.session_id, SessionEvent.file_id, SessionEvent.status)
                               .where(SessionEvent.kind == "file").order_by(SessionEvent.id)).all()
        active_statuses = {a.value for a in ACTIVE_STATUSES}
        running: dict[str, set[str]] = {}
        peak = dict.fromkeys(sessions, 0)
        peak_all = 0
        for e in events:
            active = running.setdefault(e.session_id, set())
            (active.add if e.status in active_statuses else active.discard)(e.file_id)
            peak[e.session_id] = max(peak[e.session_id], len(active))
            peak_all = max(peak_all, sum(len(a) for a in running.values()))
        assert peak == dict.fromkeys(sessions, 3), peak
        assert 3 < peak_all <= 6, peak_all
    finally:
        db.dispose()

"""Scale-out: files per minute with 1, 2 and 4 `labintake worker` processes over PostgreSQL,
one API replica (`serve --no-executor`), 60 digital PDFs in 12 sessions. The 1-worker run is
the baseline; on this 2-core machine the ratio flattens at 2 (CPU-bound extraction).

Only completed files count, and a run in which any file ends otherwise (failed, timeout,
cancelled: a session ``partial`` or ``failed``) fails the benchmark with what went wrong."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.common import Row
from bench.progress_http import free_port
from tests.fixtures.reports import make_pdf, sample_report

TERMINAL = ("completed", "partial", "failed", "timeout", "cancelled")
PG_URL = os.environ.get("LABINTAKE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _database() -> str:
    name = f"labintake_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _drop(url: str) -> None:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)"))
    engine.dispose()


def _files_per_minute(workers: int, files: int) -> float:
    url = _database()
    tmp = Path(tempfile.mkdtemp(prefix="labintake-bench-scale-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABINTAKE_")}
    env.update(LABINTAKE_DATABASE_URL=url, LABINTAKE_STORAGE_URL=f"file://{tmp / 'shared'}",
               LABINTAKE_WORKERS=str(workers), LABINTAKE_LOG_LEVEL="WARNING", LABINTAKE_DATA_DIR=str(tmp / "api"))
    cli = [sys.executable, "-m", "labintake.cli"]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([*cli, "users", "create", "scale@example.test", "--password", "scale test password"], env=env,
                       check=True, capture_output=True)
        token = subprocess.run([*cli, "tokens", "create", "scale@example.test"], env=env, check=True,
                               capture_output=True, text=True).stdout.strip()
        port = free_port()
        procs.append(subprocess.Popen([*cli, "serve", "--no-executor", "--port", str(port)], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        for i in range(workers):
            procs.append(subprocess.Popen([*cli, "worker", "--concurrency", "1"],
                                          env={**env, "LABINTAKE_DATA_DIR": str(tmp / f"w{i}")},
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"},
                              timeout=60)
        deadline = time.monotonic() + 60
        while True:
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("API replica did not start")
            time.sleep(0.3)
        time.sleep(3.0)  # let the workers warm their processes
        base = make_pdf(sample_report())
        sessions = []
        for s in range(files // 5):
            sid = client.post("/api/sessions", json={}).json()["id"]
            client.post(f"/api/sessions/{sid}/files",
                        files=[("files", (f"{i}.pdf", base + f"\n% {s}-{i}".encode(), "application/pdf"))
                               for i in range(5)])
            sessions.append(sid)
        t = time.monotonic()
        for sid in sessions:
            client.post(f"/api/sessions/{sid}/start")
        pending = set(sessions)
        finished: dict[str, dict[str, object]] = {}
        while pending:
            for sid in list(pending):
                summary = client.get(f"/api/sessions/{sid}/progress").json()["summary"]
                if summary["session_status"] in TERMINAL:
                    finished[sid] = summary
                    pending.discard(sid)
            if time.monotonic() - t > 600:
                raise RuntimeError("scale-out run did not finish")
            time.sleep(0.2)
        elapsed = time.monotonic() - t
        completed = sum(int(str(s["completed_files"])) for s in finished.values())
        bad = {sid: s for sid, s in finished.items() if s["session_status"] != "completed"}
        if bad or completed != files:
            raise RuntimeError(f"scale-out with {workers} workers: {completed} of {files} files completed; "
                               f"sessions not completed: {bad}")
        client.close()
        return completed / elapsed * 60
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        _drop(url)


def run(quick: bool = False) -> list[Row]:
    files = 30 if quick else 60
    one = _files_per_minute(1, files)
    rows = [Row("scale-out (PostgreSQL)", f"files/min, 1 worker process, {files} digital PDFs", one, "files/min")]
    for n in (2, 4):
        rate = _files_per_minute(n, files)
        rows.append(Row("scale-out (PostgreSQL)", f"files/min, {n} worker processes vs 1", rate, "files/min", one,
                        lower_is_better=False))
    return rows

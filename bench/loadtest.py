"""The seed's load test: concurrent sessions each uploading 5 files and following their progress
to the end, against a real `labintake serve` (embedded default: SQLite, default workers).

Checks, not just times: every file reaches a terminal status, none is stuck, and every
session's summary equals its file rows. Reports total time, files per minute, and the time
from a session's start to its first progress update (p50/p95), pushed (SSE) against the
seed's 2-second polling on half of the sessions each.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from bench.common import Row, median, percentile
from bench.progress_http import free_port
from labintake.db.engine import Database
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import SessionProcessingSummary
from labintake.db.progress import aggregate_summary
from labintake.domain.status import FileStatus
from tests.fixtures.reports import make_pdf, sample_report

TERMINAL = {"completed", "partial", "failed", "timeout", "cancelled"}


def _serve(data: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABINTAKE_")}
    env.update(LABINTAKE_DATA_DIR=str(data), LABINTAKE_LOG_LEVEL="WARNING")
    cli = [sys.executable, "-m", "labintake.cli"]
    subprocess.run([*cli, "users", "create", "load@example.test", "--password", "load test pw"], env=env,
                   check=True, capture_output=True)
    token = subprocess.run([*cli, "tokens", "create", "load@example.test"], env=env, check=True,
                           capture_output=True, text=True).stdout.strip()
    port = free_port()
    log = (data / "serve.log").open("wb")
    proc = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return proc, url, token
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError("labintake serve did not become ready")


async def _upload(client: httpx.AsyncClient, session_id: str, pdfs: list[bytes], refused: list[int]) -> None:
    """Upload as a well-behaved client does: a 429 (one user's uploads in flight are capped,
    ``max_concurrent_uploads``) is retried after its Retry-After, and counted."""
    files = [("files", (f"r{i}.pdf", data, "application/pdf")) for i, data in enumerate(pdfs)]
    while True:
        response = await client.post(f"/api/sessions/{session_id}/files", files=files)
        if response.status_code != 429:
            assert response.status_code == 200, (response.status_code, response.text[:200])
            return
        refused.append(1)
        await asyncio.sleep(float(response.headers.get("Retry-After", "1")))


async def _session(client: httpx.AsyncClient, pdfs: list[bytes], push: bool, firsts: list[float],
                   refused: list[int]) -> str:
    session_id = (await client.post("/api/sessions", json={"name": "load"})).json()["id"]
    await _upload(client, session_id, pdfs, refused)
    started = time.monotonic()
    await client.post(f"/api/sessions/{session_id}/start")
    first: float | None = None
    if push:
        async with client.stream("GET", f"/api/sessions/{session_id}/events",
                                 timeout=httpx.Timeout(30, read=None)) as response:
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    data = json.loads(line[5:])
                    if first is None and data["kind"] == "file" and data["status"] != "pending":
                        first = time.monotonic() - started
    else:
        while True:
            snap = (await client.get(f"/api/sessions/{session_id}/progress")).json()
            if first is None and any(f["status"] != "pending" for f in snap["files"]):
                first = time.monotonic() - started
            if snap["summary"]["session_status"] in TERMINAL:
                break
            await asyncio.sleep(2.0)
    if first is not None:
        firsts.append(first)
    return session_id


async def _drive(url: str, token: str, sessions: int) -> tuple[float, list[float], list[float], int]:
    base = make_pdf(sample_report())
    # Idle connections are dropped by the client before the server's keep-alive timeout (uvicorn:
    # 5 s) can close them under a request in flight (that race ended a run with ReadError).
    limits = httpx.Limits(max_connections=sessions * 2, max_keepalive_connections=sessions * 2, keepalive_expiry=2.0)
    pushed: list[float] = []
    polled: list[float] = []
    refused: list[int] = []
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120,
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        t = time.monotonic()
        await asyncio.gather(*(
            _session(client, [base + f"\n% {s}-{i}\n".encode() for i in range(5)], s % 2 == 0,
                     pushed if s % 2 == 0 else polled, refused)
            for s in range(sessions)
        ))
        return time.monotonic() - t, pushed, polled, len(refused)


def _verify(data: Path, expected_files: int) -> None:
    db = Database(f"sqlite:///{data / 'labintake.db'}")
    try:
        with db.read() as s:
            files = s.execute(select(FPS.session_id, FPS.status)).all()
            S = SessionProcessingSummary
            summaries = s.execute(select(S.session_id, S.total_files, S.completed_files, S.failed_files,
                                         S.processing_files, S.pending_files, S.overall_progress,
                                         S.session_status)).all()
    finally:
        db.dispose()
    assert len(files) == expected_files, (len(files), expected_files)
    assert all(FileStatus(f.status).is_terminal for f in files), "a file is stuck"
    # Files per minute counts completed files: any other ending fails the benchmark.
    failed = [f.status for f in files if FileStatus(f.status) is not FileStatus.COMPLETED]
    assert not failed, f"{len(failed)} files did not complete: {sorted(set(failed))}"
    by_session: dict[str, list[FileStatus]] = {}
    for f in files:
        by_session.setdefault(f.session_id, []).append(FileStatus(f.status))
    for row in summaries:
        expected = aggregate_summary(by_session[row.session_id], "running")
        assert {k: getattr(row, k) for k in expected} == expected, row


def run(quick: bool = False) -> list[Row]:
    sessions = 20 if quick else 100
    data = Path(tempfile.mkdtemp(prefix="labintake-bench-load-"))
    proc, url, token = _serve(data)
    try:
        elapsed, pushed, polled, refused = asyncio.run(_drive(url, token, sessions))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    _verify(data, sessions * 5)
    label = f"{sessions} sessions × 5 digital PDFs"
    return [
        Row("load test", f"total, {label}, all completed, summaries = file rows", elapsed, "s"),
        Row("load test", f"files per minute, {label}", sessions * 5 / elapsed * 60, "files/min"),
        Row("load test", "uploads answered 429 and retried after Retry-After (one user, uploads in flight capped)",
            refused, ""),
        Row("load test", "start → first progress update, p50, SSE vs 2 s polling", median(pushed), "s",
            median(polled)),
        Row("load test", "start → first progress update, p95, SSE vs 2 s polling", percentile(pushed, 95), "s",
            percentile(polled, 95)),
    ]

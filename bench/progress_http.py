"""Progress read over real HTTP: p50/p95/p99 at a fixed offered load, and throughput at saturation.

The server (``bench.server``) runs in its own process with files changing status in the
background; the baseline is the same server answering progress by aggregating the file rows
on the fly. Both run in the same benchmark run, one after the other, on the same data.
"""

from __future__ import annotations

import asyncio
from functools import partial
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench import rawhttp
from bench.common import Row, percentile


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BenchServer:
    def __init__(self, sessions: int, baseline: bool, churn: float = 50.0) -> None:
        self.data = Path(tempfile.mkdtemp(prefix="labintake-bench-http-"))
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("LABINTAKE_")}
        args = [sys.executable, "-m", "bench.server", "--data", str(self.data), "--port", str(self.port),
                "--sessions", str(sessions), "--churn", str(churn)]
        if baseline:
            args.append("--baseline")
        self.log = (self.data / "server.log").open("wb")
        self.proc = subprocess.Popen(args, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> BenchServer:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if (self.data / "bench.json").exists():
                try:
                    if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                        info = json.loads((self.data / "bench.json").read_text())
                        self.token, self.sessions = info["token"], info["sessions"]
                        return self
                except httpx.TransportError:
                    pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError("bench server did not start: " + (self.data / "server.log").read_text()[-2000:])

    def __exit__(self, *exc: object) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


async def _poll_each(server: BenchServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    conn = rawhttp.Connection(reader, writer)
    try:
        for session_id in server.sessions:
            await conn.get(f"/api/sessions/{session_id}/progress", f"Authorization: Bearer {server.token}\r\n")
    finally:
        writer.close()


def measure(sessions: int, baseline: bool, seconds: float) -> dict[str, float]:
    with BenchServer(sessions, baseline) as server:
        def paths(rng: random.Random) -> str:
            return f"/api/sessions/{rng.choice(server.sessions)}/progress"

        run = partial(rawhttp.fixed_rate, "127.0.0.1", server.port, server.token, paths)
        # Warm-up: every session polled once, as the pages of active sessions poll all along;
        # a cache that has never seen a session is a start-up state, not the steady one.
        asyncio.run(_poll_each(server))
        latencies, errors = asyncio.run(run(200, seconds))
        rps = asyncio.run(rawhttp.saturate("127.0.0.1", server.port, server.token, paths, 8, seconds / 2))
    return {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "p99": percentile(latencies, 99),
            "errors": errors, "rps": rps}


def run(quick: bool = False) -> list[Row]:
    rows = []
    seconds = 4.0 if quick else 10.0
    for sessions in ((100,) if quick else (100, 1000)):
        ours = measure(sessions, False, seconds)
        base = measure(sessions, True, seconds)
        label = f"{sessions} sessions × 5 files, churn 50/s"
        for p in ("p50", "p95", "p99"):
            rows.append(Row("progress API (HTTP)", f"{p} at 200 req/s, {label}", ours[p], "ms", base[p]))
        rows.append(Row("progress API (HTTP)", f"saturation, 8 clients, {label}", ours["rps"], "req/s",
                        base["rps"], lower_is_better=False))
        assert ours["errors"] == 0 and base["errors"] == 0
    return rows

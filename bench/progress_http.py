"""Progress read over real HTTP: p50/p95/p99 at a fixed offered load, and throughput at saturation.

The server (``bench.server``) runs in its own process with files changing status in the
background; the baseline is the same server answering progress by aggregating the file rows
on the fly. Both run in the same benchmark run, one after the other, on the same data.
"""

from __future__ import annotations

import asyncio
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


async def _fixed_rate(server: BenchServer, rate: float, seconds: float) -> tuple[list[float], int]:
    """Open loop: a request every 1/rate s whatever the answers do; latency per request in ms."""
    rng = random.Random(3)
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=30,
                                 headers={"Authorization": f"Bearer {server.token}"}) as client:
        async def one(session_id: str) -> None:
            nonlocal errors
            t = time.perf_counter()
            response = await client.get(f"/api/sessions/{session_id}/progress")
            latencies.append((time.perf_counter() - t) * 1000)
            if response.status_code != 200:
                errors += 1

        tasks = []
        start = time.perf_counter()
        n = int(rate * seconds)
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(rng.choice(server.sessions))))
        await asyncio.gather(*tasks)
    return latencies, errors


async def _saturate(server: BenchServer, workers: int, seconds: float) -> float:
    """Closed loop: ``workers`` clients back to back; requests per second."""
    rng = random.Random(5)
    done = 0
    async with httpx.AsyncClient(base_url=server.url, timeout=30,
                                 headers={"Authorization": f"Bearer {server.token}"}) as client:
        deadline = time.perf_counter() + seconds

        async def loop() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                await client.get(f"/api/sessions/{rng.choice(server.sessions)}/progress")
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(workers)))
        return done / (time.perf_counter() - start)


def measure(sessions: int, baseline: bool, seconds: float) -> dict[str, float]:
    with BenchServer(sessions, baseline) as server:
        asyncio.run(_fixed_rate(server, 50, 1.0))  # warm-up
        latencies, errors = asyncio.run(_fixed_rate(server, 200, seconds))
        rps = asyncio.run(_saturate(server, 8, seconds / 2))
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

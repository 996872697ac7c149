"""Progress read over real HTTP, two questions measured apart, each on the same footing:

(a) the trigger-maintained summary row against aggregating the file rows on the fly, both
    without the in-memory snapshots (every poll goes through the threadpool to the database);
(b) the in-memory snapshots on against off, on the same read (the summary row).

One server process per session size (5, 100 and 1,000 files a session) with a writer thread
changing statuses all along; the three variants are switched on that same server
(``bench.server``'s ``/bench/mode``) and measured alternating, three runs each (medians, with
the lowest–highest in brackets). Every variant gets the same warm-up (one poll per session).
Latency is measured at a fixed offered load (open loop, from each request's scheduled time);
saturation counts only 200 answers, and every other answer is reported.
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
from functools import partial
from pathlib import Path

import httpx

from bench import rawhttp
from bench.common import Row, alternate, percentile, runs_row


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BenchServer:
    def __init__(self, sessions: int, files: int = 5, churn: float = 50.0, cycle: bool = False) -> None:
        self.data = Path(tempfile.mkdtemp(prefix="labintake-bench-http-"))
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("LABINTAKE_")}
        args = [sys.executable, "-m", "bench.server", "--data", str(self.data), "--port", str(self.port),
                "--sessions", str(sessions), "--files", str(files), "--churn", str(churn)]
        if cycle:
            args.append("--cycle")
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
                        self.token, self.sessions, self.pid = info["token"], info["sessions"], info["pid"]
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


# files a session -> (sessions, offered load in req/s): the bigger the answer, the lighter the load
SIZES = {5: (100, 200), 100: (5, 100), 1000: (1, 50)}
VARIANTS = {  # name -> (read, cache)
    "summary": ("summary", "off"),
    "aggregate": ("aggregate", "off"),
    "cached": ("summary", "on"),
}


def _segment(server: BenchServer, read: str, cache: str, rate: float, seconds: float) -> dict[str, float]:
    httpx.post(f"{server.url}/bench/mode", params={"read": read, "cache": cache}, timeout=10).raise_for_status()
    asyncio.run(_poll_each(server))  # the same warm-up for every variant

    def paths(rng: random.Random) -> str:
        return f"/api/sessions/{rng.choice(server.sessions)}/progress"

    latencies, errors = asyncio.run(rawhttp.fixed_rate("127.0.0.1", server.port, server.token, paths, rate, seconds))
    rps, refused = asyncio.run(rawhttp.saturate("127.0.0.1", server.port, server.token, paths, 8, seconds / 2))
    return {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "rps": rps,
            "errors": float(errors + refused)}


def measure(files: int, seconds: float, runs: int = 3) -> dict[str, dict[str, list[float]]]:
    sessions, rate = SIZES[files]
    with BenchServer(sessions, files, churn=50, cycle=True) as server:
        return alternate({name: partial(_segment, server, read, cache, rate, seconds)
                          for name, (read, cache) in VARIANTS.items()}, runs)


def run(quick: bool = False) -> list[Row]:
    rows = []
    seconds = 1.0 if quick else 4.0
    for files in ((5, 1000) if quick else (5, 100, 1000)):
        sessions, rate = SIZES[files]
        got = measure(files, seconds)
        summary, aggregate, cached = got["summary"], got["aggregate"], got["cached"]
        label = f"{sessions} session{'s' if sessions > 1 else ''} × {files} files, writer 50/s"
        bench_a = "progress HTTP (a) summary row vs aggregate, no cache"
        for p in ("p50", "p99"):
            rows.append(runs_row(bench_a, f"{p} at {rate} req/s, {label}", summary[p], "ms", aggregate[p]))
        rows.append(runs_row(bench_a, f"saturation (200s only), 8 clients, {label}", summary["rps"], "req/s",
                             aggregate["rps"], lower_is_better=False))
        bench_b = "progress HTTP (b) cache on vs off, summary row"
        for p in ("p50", "p99"):
            rows.append(runs_row(bench_b, f"{p} at {rate} req/s, {label}", cached[p], "ms", summary[p]))
        rows.append(runs_row(bench_b, f"saturation (200s only), 8 clients, {label}", cached["rps"], "req/s",
                             summary["rps"], lower_is_better=False))
        errors = sum(sum(v["errors"]) for v in got.values())
        rows.append(Row("progress HTTP", f"non-200 answers, all variants and runs, {label}", errors, ""))
    return rows

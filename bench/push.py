"""Push at scale: opening N SSE streams at once, status write committed → SSE event at the client
with N streams open, and the server's memory per open stream; and completion: the last file
completing → the client knowing the session is done, against 2-second polling (the seed's way)
measured on the same sessions.

The load generator (this process: asyncio, one connection per stream) runs on the same 2-core
machine as the server, so it takes CPU from it: the figures are what one replica does while
sharing its cores with 10,000 clients' worth of parsing."""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import rawhttp
from bench.common import Row, median, percentile
from bench.progress_http import BenchServer, _poll_each


def rss_bytes(pid: int) -> int:
    """The resident set of a process (its whole tree is one process here: the bench server)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Streams:
    latencies: list[float]  # ms, events committed once every stream was open
    done_push: list[float]
    done_poll: list[float]
    open_seconds: float  # until every stream had its first line
    opened: int
    bytes_per_stream: float  # server RSS growth with every stream open, divided by the streams
    cpu_per_open: float  # server CPU seconds from the first connect to the last stream open, per stream


def _parse_at(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=UTC).timestamp()


async def _streams(server: BenchServer, n: int, seconds: float, wave: int | None = None) -> Streams:
    """Open ``n`` SSE streams (spread over the sessions) and, on the same sessions, a 2-second poller
    each; read for ``seconds``. Returns event latencies, completion delays by push and by poll (ms),
    and the seconds it took to open every stream. Only events committed once every stream was open
    count: the storm of connections opening is measured apart, as its own figure. With ``wave``,
    streams open that many at a time, each wave once the one before is open (a replica taking
    back its clients after a restart sees them spread by their retry delays)."""
    latencies: list[float] = []
    done_push: list[float] = []
    done_poll: list[float] = []
    completed_at: dict[str, float] = {}
    headers = f"Authorization: Bearer {server.token}\r\n"
    begun = time.monotonic()
    stop = begun + 900  # until every stream is open (then: ``seconds`` more); 15 minutes at most
    opened: list[float] = []
    all_open_at = [math.inf]  # wall-clock time the last stream opened

    async def stream(session_id: str) -> None:
        nonlocal stop
        connected: float | None = None
        async for line in rawhttp.sse_lines("127.0.0.1", server.port, f"/api/sessions/{session_id}/events",
                                            headers):
            if time.monotonic() > stop:
                return
            if connected is None:
                connected = time.time()  # the stream's first line ("retry:") is sent on connect
                opened.append(time.monotonic() - begun)
                if len(opened) == n:
                    all_open_at[0] = time.time()
                    stop = time.monotonic() + seconds
            # An event received before the last stream opened was committed before it, so it
            # cannot count: not parsing the replays keeps the load generator's CPU for the server.
            if line.startswith("data:") and all_open_at[0] != math.inf:
                data = json.loads(line[5:])
                at = _parse_at(data["at"])
                age = (time.time() - at) * 1000
                # Only events written once every stream was open: replayed history is old by design.
                if at >= all_open_at[0]:
                    latencies.append(age)
                    if data["kind"] == "session":
                        completed_at[session_id] = _parse_at(data["at"])
                        done_push.append(age)

    async def poll(session_id: str) -> None:
        nonlocal stop
        conn = rawhttp.Connection(*await asyncio.open_connection("127.0.0.1", server.port))
        await asyncio.sleep(random.random() * 2)  # pollers are not in phase with anything
        try:
            while time.monotonic() < stop:
                _, body = await conn.get_body(f"/api/sessions/{session_id}/progress", headers)
                status = json.loads(body)["summary"]["session_status"]
                if status in ("completed", "partial", "failed", "timeout", "cancelled"):
                    if session_id in completed_at:
                        done_poll.append((time.time() - completed_at[session_id]) * 1000)
                    return
                await asyncio.sleep(2.0)
        finally:
            conn.writer.close()

    sessions = server.sessions
    await _poll_each(server)  # the threadpool and the database's caches warm before the memory is read
    rss_before, cpu_before = rss_bytes(server.pid), cpu_seconds(server.pid)
    tasks = [asyncio.create_task(poll(sid)) for sid in sessions]
    for start in range(0, n, wave or n):
        tasks += [asyncio.create_task(stream(sessions[i % len(sessions)])) for i in range(start, min(n, start + (wave or n)))]
        while len(opened) < min(n, start + (wave or n)) and time.monotonic() < stop:
            await asyncio.sleep(0.05)
    rss_open = cpu_open = float("nan")
    if len(opened) < n:  # the deadline passed: measure what did open
        all_open_at[0] = time.time()
        stop = time.monotonic() + seconds
    while time.monotonic() < stop + 1:
        if math.isnan(rss_open):
            rss_open, cpu_open = rss_bytes(server.pid), cpu_seconds(server.pid)
        await asyncio.sleep(0.1)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    count = max(1, len(opened))
    return Streams(latencies, done_push, done_poll, max(opened) if len(opened) == n else float("nan"),
                   len(opened), (rss_open - rss_before) / count, (cpu_open - cpu_before) / count)


def measure(n: int, seconds: float, wave: int | None = None) -> Streams:
    # Opening many thousands takes long enough for every session to finish (their streams then
    # end): files are kept cycling instead, so the streams stay open and events keep coming.
    with BenchServer(sessions=100, churn=50, cycle=wave is not None) as server:
        return asyncio.run(_streams(server, n, seconds, wave))


def run(quick: bool = False, sizes: tuple[int, ...] | None = None) -> list[Row]:
    rows = []
    for n in sizes or ((1000,) if quick else (100, 1000)):
        wave = 1000 if n > 1000 else None
        got = measure(n, 5 if quick else 15, wave)
        how = f"in waves of {wave}" if wave else "at once"
        if got.opened < n:  # reported, not hidden: the rest of the figures are for those that opened
            rows.append(Row("push (SSE)", f"streams opened of {n} {how}, within 15 minutes", got.opened, ""))
        rows.append(Row("push (SSE)", f"open {n} streams {how} (connect, auth, replay)", got.open_seconds * 1000,
                        "ms"))
        rows.append(Row("push (SSE)", f"server CPU per stream opened ({n} {how}; steadier than time on a busy machine)",
                        got.cpu_per_open * 1000, "ms"))
        rows.append(Row("push (SSE)", f"server memory per open stream ({n} open)", got.bytes_per_stream / 1024,
                        "KiB"))
        rows.append(Row("push (SSE)", f"commit → event, p50, {n} streams, 50 changes/s", median(got.latencies),
                        "ms"))
        rows.append(Row("push (SSE)", f"commit → event, p99, {n} streams ({len(got.latencies)} events)",
                        percentile(got.latencies, 99), "ms"))
        if got.done_push and got.done_poll:
            rows.append(Row("push (SSE)", f"session done → client knows, median, vs 2 s polling ({n} streams)",
                            median(got.done_push), "ms", median(got.done_poll)))
            rows.append(Row("push (SSE)", f"session done → client knows, max, vs 2 s polling ({n} streams)",
                            max(got.done_push), "ms", max(got.done_poll)))
    return rows


def run_scale(quick: bool = False) -> list[Row]:
    """10,000 streams on one replica (full runs only: opening them takes minutes on 2 shared cores)."""
    return [] if quick else run(sizes=(10_000,))

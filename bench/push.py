"""Push latency: status write committed → SSE event at the client, with 100 and 1,000 open streams;
and completion: the last file completing → the client knowing the session is done, against
2-second polling (the seed's way) measured on the same sessions."""

from __future__ import annotations

import asyncio
import json
import random
import time
from datetime import UTC, datetime

from bench import rawhttp
from bench.common import Row, median, percentile
from bench.progress_http import BenchServer


def _parse_at(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=UTC).timestamp()


async def _streams(
    server: BenchServer, n: int, seconds: float
) -> tuple[list[float], list[float], list[float], float]:
    """Open ``n`` SSE streams (spread over the sessions) and, on the same sessions, a 2-second poller
    each; read for ``seconds``. Returns event latencies, completion delays by push and by poll (ms),
    and the seconds it took to open every stream. Only events committed once every stream was open
    count: the storm of connections opening is measured apart, as its own figure."""
    latencies: list[float] = []
    done_push: list[float] = []
    done_poll: list[float] = []
    completed_at: dict[str, float] = {}
    headers = f"Authorization: Bearer {server.token}\r\n"
    begun = time.monotonic()
    stop = begun + seconds
    opened: list[float] = []
    all_open_at = [float("inf")]  # wall-clock time the last stream opened

    async def stream(session_id: str) -> None:
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
            if line.startswith("data:"):
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
    tasks = [asyncio.create_task(stream(sessions[i % len(sessions)])) for i in range(n)]
    tasks += [asyncio.create_task(poll(sid)) for sid in sessions]
    await asyncio.sleep(seconds + 1)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return latencies, done_push, done_poll, max(opened) if len(opened) == n else float("nan")


def run(quick: bool = False) -> list[Row]:
    rows = []
    for n in ((100,) if quick else (100, 1000)):
        with BenchServer(sessions=100, churn=50) as server:
            latencies, done_push, done_poll, open_seconds = asyncio.run(_streams(server, n, 8 if quick else 15))
        rows.append(Row("push (SSE)", f"open {n} streams at once (connect, auth, replay)", open_seconds * 1000, "ms"))
        rows.append(Row("push (SSE)", f"commit → event, p50, {n} streams, 50 changes/s", median(latencies), "ms"))
        rows.append(Row("push (SSE)", f"commit → event, p99, {n} streams ({len(latencies)} events)",
                        percentile(latencies, 99), "ms"))
        if done_push and done_poll:
            rows.append(Row("push (SSE)", f"session done → client knows, median, vs 2 s polling ({n} streams)",
                            median(done_push), "ms", median(done_poll)))
            rows.append(Row("push (SSE)", f"session done → client knows, max, vs 2 s polling ({n} streams)",
                            max(done_push), "ms", max(done_poll)))
    return rows

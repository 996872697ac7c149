"""A lean HTTP/1.1 load generator on asyncio streams: keep-alive connections, Content-Length
bodies, nothing else. A general-purpose client (httpx) costs about a millisecond of CPU per
request, which on a 2-core machine would be measured as server latency."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def get(self, path: str, headers: str) -> int:
        return (await self.get_body(path, headers))[0]

    async def get_body(self, path: str, headers: str) -> tuple[int, bytes]:
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n{headers}\r\n".encode())
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await self.reader.readexactly(length)
        return int(status_line.split()[1]), body


async def sse_lines(host: str, port: int, path: str, headers: str):  # type: ignore[no-untyped-def]
    """The lines of a Server-Sent Events stream (chunked transfer decoded), as they arrive."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n{headers}\r\n".encode())
        while (await reader.readline()) not in (b"\r\n", b""):
            pass  # status line and headers
        buffer = b""
        while True:
            size_line = await reader.readline()
            if not size_line:
                return
            size = int(size_line.strip() or b"0", 16)
            if size == 0:
                return
            buffer += await reader.readexactly(size)
            await reader.readexactly(2)
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                yield line.decode()
    finally:
        writer.close()


async def open_pool(host: str, port: int, size: int) -> asyncio.Queue[Connection]:
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(size):
        pool.put_nowait(Connection(*await asyncio.open_connection(host, port)))
    return pool


async def fixed_rate(host: str, port: int, token: str, paths: Callable[[random.Random], str], rate: float,
                     seconds: float, connections: int = 32) -> tuple[list[float], int]:
    """Open loop: a request every 1/rate s; latency from its scheduled time (client queueing counts)."""
    pool = await open_pool(host, port, connections)
    headers = f"Authorization: Bearer {token}\r\n"
    rng = random.Random(3)
    latencies: list[float] = []
    errors = 0

    async def one(scheduled: float, path: str) -> None:
        nonlocal errors
        conn = await pool.get()
        try:
            status = await conn.get(path, headers)
        finally:
            pool.put_nowait(conn)
        latencies.append((time.perf_counter() - scheduled) * 1000)
        if status != 200:
            errors += 1

    tasks = []
    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled, paths(rng))))
    await asyncio.gather(*tasks)
    while not pool.empty():
        pool.get_nowait().writer.close()
    return latencies, errors


async def saturate(host: str, port: int, token: str, paths: Callable[[random.Random], str], clients: int,
                   seconds: float) -> tuple[float, int]:
    """Closed loop: ``clients`` connections back to back. Returns 200 answers per second (only
    those count) and how many answers were anything else."""
    pool = await open_pool(host, port, clients)
    headers = f"Authorization: Bearer {token}\r\n"
    rng = random.Random(5)
    ok = errors = 0
    deadline = time.perf_counter() + seconds

    async def loop() -> None:
        nonlocal ok, errors
        conn = await pool.get()
        while time.perf_counter() < deadline:
            if await conn.get(paths(rng), headers) == 200:
                ok += 1
            else:
                errors += 1
        conn.writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    return ok / (time.perf_counter() - start), errors

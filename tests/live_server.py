"""uvicorn in a thread on a free loopback port, plain or HTTPS: the one live server the tests run.

TLS goes through asyncio's memory-BIO transport, not ``ssl.SSLSocket``: a stdlib server that wraps
its listening socket leaks the accepted socket when a client resets before the handshake, which a
test that refuses the certificate does on purpose (CPython's ``SSLSocket._create`` raises without
closing it), and the leak surfaced as an unraisable ``ResourceWarning`` in whichever test ran next.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn


class Server:
    """uvicorn in a thread, bound to a free port before it starts (so the port is known);
    ``tls``: (cert, key) — it speaks HTTPS."""

    def __init__(self, app: Any, tls: tuple[Path, Path] | None = None) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.tls = tls
        certs = {"ssl_certfile": str(tls[0]), "ssl_keyfile": str(tls[1])} if tls else {}
        config = uvicorn.Config(app, log_config=None, lifespan="off", ws="websockets-sansio",
                                timeout_graceful_shutdown=1, **certs)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()

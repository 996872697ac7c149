"""`labintake serve` believes X-Forwarded-For only from LABINTAKE_TRUSTED_PROXIES (issue 13, item
2): the client address decides what /metrics answers (loopback only), so a forged header from
an untrusted peer must not change who the client is, and a trusted proxy's must."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.e2e.test_cli import LABINTAKE, env_for

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


@contextmanager
def _serve(tmp_path: Path, **env: str) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tmp_path.mkdir(parents=True)
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen([*LABINTAKE, "serve", "--port", str(port), "--no-executor"],
                                  env=env_for(tmp_path / "data", **env), stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):  # bounded: at most a minute
                try:
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert server.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.2)
            yield url
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def test_forwarded_headers_count_only_from_trusted_proxies(tmp_path: Path) -> None:
    """Given no trusted proxies, when a loopback client sends X-Forwarded-For, then it is still the
    loopback client (/metrics answers); given 127.0.0.1 trusted, the forwarded address is the
    client (/metrics refuses it) and a request without the header is loopback again.
    And the documented production setup (item 2): bound to loopback behind the proxy, with an
    https LABINTAKE_PUBLIC_URL the cookies are Secure and HSTS is sent; without it, neither."""
    with _serve(tmp_path / "untrusted") as url:
        assert httpx.get(f"{url}/metrics", headers=FORWARDED, timeout=10).status_code == 200
        plain = httpx.get(f"{url}/login", timeout=10)
        assert "secure" not in plain.headers["set-cookie"].lower()
        assert "strict-transport-security" not in plain.headers
    with _serve(tmp_path / "trusted", LABINTAKE_TRUSTED_PROXIES='["127.0.0.1"]',
                LABINTAKE_PUBLIC_URL="https://labs.example.org") as url:
        refused = httpx.get(f"{url}/metrics", headers=FORWARDED, timeout=10)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        assert httpx.get(f"{url}/metrics", timeout=10).status_code == 200
        login = httpx.get(f"{url}/login", timeout=10)
        assert "; secure" in login.headers["set-cookie"].lower(), login.headers["set-cookie"]
        assert login.headers["strict-transport-security"].startswith("max-age=")

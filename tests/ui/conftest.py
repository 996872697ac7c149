"""Browser tests: Debian's Chromium driven by Playwright against a real ``labintake serve``.

The server runs as a subprocess on a free port with its own data directory; a user is
made with ``labintake users create``. Chromium is the system one (``apt-get install
chromium``): Playwright never downloads a browser here. Screenshots go to
``test-artifacts/`` at the repository root.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("LABINTAKE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
EMAIL, PASSWORD = "ui@example.com", "correct horse battery"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


NEVER_ENDS = "LI-UI-NEVER-ENDS"


def _skip_reason() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclasses.dataclass
class Served:
    url: str
    data_dir: Path
    proc: subprocess.Popen[bytes]
    log: Path
    database: str
    db_url: str = ""  # the server's database, for tests that set up a state no click can make


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([str(BIN / "labintake"), *args], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``labintake serve`` on the embedded default (SQLite, in-process workers), and the
    scale-out deployment: an API replica on PostgreSQL with a separate ``labintake worker``."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    database = request.param
    data = tmp_path_factory.mktemp(f"ui-server-{database}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABINTAKE_")}
    env = {**env, "LABINTAKE_DATA_DIR": str(data), "LABINTAKE_WORKERS": "4", "LABINTAKE_LOG_LEVEL": "INFO",
           # Notifications: the tests' webhook receivers listen on loopback; the mail server is one
           # nobody listens on (session-end emails wait and retry, processing goes on regardless).
           "LABINTAKE_WEBHOOK_ALLOW_HOSTS": '["127.0.0.1"]', "LABINTAKE_SMTP_URL": f"smtp://127.0.0.1:{_free_port()}"}
    # A file carrying this marker never finishes (pipeline.faults; honoured only under pytest).
    env["LABINTAKE_TEST_FAULT"] = f"hang:{NEVER_ENDS}"
    pg_url = None
    if database == "postgresql":
        from tests.conftest import fresh_pg_database, postgres_available

        pg_reason = postgres_available()
        if pg_reason:
            pytest.skip(pg_reason)
        pg_url = fresh_pg_database()
        env["LABINTAKE_DATABASE_URL"] = pg_url
    subprocess.run([str(BIN / "labintake"), "users", "create", EMAIL, "--password", PASSWORD],
                   env=env, check=True, capture_output=True, cwd=ROOT)
    port = _free_port()
    log = data / "server.log"
    procs = []
    if pg_url:
        args = ["serve", "--port", str(port), "--no-executor"]
        procs.append(_spawn(["worker", "--concurrency", "4"], env, data / "worker.log"))
    else:
        args = ["serve", "--port", str(port)]
    proc = _spawn(args, env, log)
    procs.append(proc)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
                raise RuntimeError("labintake did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.2)
        yield Served(url, data, proc, log, database, pg_url or f"sqlite:///{data / 'labintake.db'}")
    finally:
        for p in procs:
            _stop(p)
        if pg_url:
            from tests.conftest import drop_pg_database

            drop_pg_database(pg_url)


@pytest.fixture(scope="session")
def browser(server: Served) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def login(page: Any, base: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/upload")


@pytest.fixture
def context_args() -> dict[str, Any]:
    return {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def page(browser: Any, server: Served, context_args: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[Any]:
    ctx = browser.new_context(base_url=server.url, **context_args)
    ctx.set_default_timeout(20_000)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    login(pg, server.url)
    try:
        yield pg
        assert not errors, f"JavaScript errors: {errors}"
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"), full_page=True)
        except Exception:  # noqa: BLE001 - a screenshot is a nicety; the test result stands
            pass
        ctx.close()


@pytest.fixture
def files(tmp_path: Path) -> Any:
    """Write named bytes to files and return their paths (for the file picker)."""

    def write(*named: tuple[str, bytes]) -> list[str]:
        out = []
        for name, blob in named:
            p = tmp_path / name
            p.write_bytes(blob)
            out.append(str(p))
        return out

    return write


def report(n: int) -> Any:
    """The sample report with its own MRN, so each file has different bytes (no duplicates)."""
    from tests.fixtures.reports import sample_report

    return dataclasses.replace(sample_report(), mrn=f"00077{n:02d}")


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def upload_and_process(page: Any, paths: list[str]) -> str:
    """Upload through the upload page and press Process; returns the session id."""
    page.goto("/upload")
    page.set_input_files("#file-input", paths)
    page.wait_for_function("() => !document.getElementById('process').disabled", timeout=30_000)
    page.click("[data-testid=process]")
    page.wait_for_url("**/sessions/*", timeout=15_000)
    return page.url.rsplit("/sessions/", 1)[1].split("?")[0].split("/")[0]


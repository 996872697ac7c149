"""S3 storage unreachable for 10 s during processing: moto's S3 server (in this test process, on
loopback) is stopped and started again while `labintake` processes run a session."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from labintake.db.engine import Database
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import SessionEvent
from tests.e2e.faultkit import (
    Proc,
    all_terminal,
    assert_settled,
    clean_env,
    deployed,
    free_port,
    make_token,
    serve,
    wait_until,
)
from tests.fixtures.reports import make_pdf, sample_report

pytestmark = pytest.mark.slow

OUTAGE_SECONDS = 10.0


class S3:
    """moto's S3 server on a fixed port; its buckets live in this process, so they outlast a stop."""

    def __init__(self) -> None:
        self.moto = pytest.importorskip("moto.server", reason="moto[server] is in the test extra")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: Any = None

    def start(self) -> None:
        self.server = self.moto.ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[S3]:
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    server = S3()
    server.start()
    boto3.client("s3", endpoint_url=server.url, region_name="us-east-1").create_bucket(Bucket="reports")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["embedded", pytest.param("procrastinate", marks=pytest.mark.postgres)])
def deployment(request: pytest.FixtureRequest, s3: S3) -> Iterator[dict[str, str]]:
    env = clean_env(LABINTAKE_STORAGE_URL=f"s3://reports/uploads?endpoint_url={s3.url}",
                    LABINTAKE_EXECUTOR=request.param, LABINTAKE_WORKERS="2", LABINTAKE_LEASE_SECONDS="5")
    yield from deployed(env)


def test_s3_unreachable_for_ten_seconds_every_file_still_completes_once(
    deployment: dict[str, str], s3: S3, tmp_path: Path
) -> None:
    """Given four uploaded reports, when the S3 server goes away for 10 s as the session starts,
    then an upload during the outage is 503 `storage_unavailable` with no row left behind, the
    files wait for the store instead of using up their attempts, and once it is back every file
    completes on attempt 1, saved once, with a coherent event log. On procrastinate the worker is
    another machine (its own cache folder), so it must download each file from S3."""
    env = deployment
    distributed = env["LABINTAKE_EXECUTOR"] == "procrastinate"
    admin = {**env, "LABINTAKE_DATA_DIR": str(tmp_path / "api")}
    token = make_token(admin)
    procs: list[Proc] = []
    api, url = serve(admin, tmp_path / "api.log", *(["--no-executor"] if distributed else []))
    procs.append(api)
    if distributed:
        procs.append(Proc(["worker", "--concurrency", "2"], {**env, "LABINTAKE_DATA_DIR": str(tmp_path / "worker")},
                          tmp_path / "worker.log").start())
    db = Database(env.get("LABINTAKE_DATABASE_URL") or f"sqlite:///{tmp_path / 'api' / 'labintake.db'}")
    base = make_pdf(sample_report())
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            # A first report while the store is up: the worker is running and warm.
            warm = client.post("/api/sessions", json={"name": "warm-up"}).json()["id"]
            client.post(f"/api/sessions/{warm}/files", files=[("files", ("warm.pdf", base, "application/pdf"))])
            assert client.post(f"/api/sessions/{warm}/start").status_code == 200
            wait_until(db, lambda rows: list(rows.values()) == ["completed"], "the warm-up report", 300)

            session_id = client.post("/api/sessions", json={"name": "s3 outage"}).json()["id"]
            sent = [("files", (f"r{i}.pdf", base + f"\n% copy {i}\n".encode(), "application/pdf")) for i in range(4)]
            assert client.post(f"/api/sessions/{session_id}/files", files=sent).status_code == 200

            s3.stop()
            down_since = time.monotonic()
            assert client.post(f"/api/sessions/{session_id}/start").status_code == 200
            late = client.post(f"/api/sessions/{session_id}/files",
                               files=[("files", ("late.pdf", base + b"\n% late\n", "application/pdf"))])
            assert late.status_code == 503, late.text
            assert late.json()["error"]["code"] == "storage_unavailable"
            with db.read() as s:
                assert s.execute(select(func.count()).select_from(FPS)).scalar_one() == 5  # no half-made row
            time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_since)))
            during = _counts(db)
            # The outage reaches processing: the session started after the store went away, so
            # every file that began downloading did so during the outage (on procrastinate the
            # worker must fetch it from S3 and waits; the embedded server has it cached). Read
            # from the event log, not a snapshot: a fast machine finishes cached files at once.
            assert _downloading(db, session_id), f"no file began downloading during the outage: {during}"
            s3.start()

            rows = wait_until(db, all_terminal, "every file after the outage", timeout=300)
            logs = "\n".join(p.tail() for p in procs)
            assert sorted(rows.values()) == ["completed"] * 5, (during, rows, logs)
            assert_settled(db)
            with db.read() as s:
                assert set(s.execute(select(FPS.attempt_number)).scalars()) == {1}, "the outage cost attempts"
            # And uploads work again.
            again = client.post(f"/api/sessions/{session_id}/files",
                                files=[("files", ("late.pdf", base + b"\n% late\n", "application/pdf"))])
            assert again.status_code == 200 and again.json()["files"][0]["status"] == "pending"
    finally:
        for proc in procs:
            proc.stop()
        db.dispose()


def _counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return dict(s.execute(select(FPS.status, func.count()).group_by(FPS.status)).all())  # type: ignore[arg-type]


def _downloading(db: Database, session_id: str) -> set[str]:
    """The session's files whose log shows them taken by a worker (moved to downloading)."""
    with db.read() as s:
        return set(s.execute(select(SessionEvent.file_id).where(
            SessionEvent.session_id == session_id, SessionEvent.kind == "file",
            SessionEvent.status == "downloading")).scalars())

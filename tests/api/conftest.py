"""A real server for API tests: LabIntake + its executor behind uvicorn on a free port, per backend."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from labintake import auth
from labintake.service import LabIntake
from labintake.web import WebConfig, create_app
from tests.conftest import make_settings, migrated_database, start_processing
from tests.live_server import Server

HAPPY = ["pending", "downloading", "extracting", "parsing", "saving", "completed"]


@dataclass
class Api:
    """The running service and a way to make users who can call it."""

    li: LabIntake
    url: str
    clients: list[httpx.Client] = field(default_factory=list)

    def user(self, email: str, password: str = "correct horse battery") -> tuple[str, httpx.Client]:
        """A new user and an httpx client that sends their bearer token."""
        with self.li.db.transaction() as s:
            user_id = auth.create_user(s, email, password)
            token = auth.create_token(s, user_id, "tests")
        client = httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        self.clients.append(client)
        return user_id, client

    def anonymous(self) -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=30)
        self.clients.append(client)
        return client

    def token_of(self, client: httpx.Client) -> str:
        return client.headers["Authorization"].split(" ", 1)[1]


API_SETTINGS: dict[str, object] = {
    "workers": 4,  # more than the per-session cap, so the cap is what limits a session
    "max_file_bytes": 5 * 1024 * 1024,
    "max_request_bytes": 16 * 1024 * 1024,  # room for one over-size file and the others of a request
}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One server per test module and backend (the executor's worker processes are slow to start)."""
    tmp = tmp_path_factory.mktemp("api")
    gen = migrated_database(request.param, tmp)
    url = next(gen)
    li = LabIntake(make_settings(tmp, url, **API_SETTINGS))
    start_processing(li)  # on PostgreSQL: a procrastinate worker in this process
    app = create_app(li, WebConfig(cookie_secure=False, heartbeat_seconds=0.5))
    api = Api(li, "")
    try:
        with Server(app) as server:
            api.url = server.url
            yield api
    finally:
        for client in api.clients:
            client.close()
        li.stop()
        for _ in gen:
            pass


# --- helpers ----------------------------------------------------------------------------------


def upload(client: httpx.Client, session_id: str, files: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
    response = client.post(
        f"/api/sessions/{session_id}/files",
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
    )
    assert response.status_code == 200, response.text
    return response.json()["files"]  # type: ignore[no-any-return]


def new_session(client: httpx.Client, files: list[tuple[str, bytes]] = ()) -> tuple[str, list[dict[str, Any]]]:  # type: ignore[assignment]
    response = client.post("/api/sessions", json={"name": "test"})
    assert response.status_code == 201, response.text
    session_id = response.json()["id"]
    return session_id, upload(client, session_id, list(files)) if files else []


def wait_finished(client: httpx.Client, session_id: str, timeout: float = 180.0,
                  interval: float = 0.2) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Poll progress until the session is terminal; returns the last snapshot and all snapshots."""
    snaps = []
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/api/sessions/{session_id}/progress")
        assert response.status_code == 200, response.text
        snap = response.json()
        snaps.append(snap)
        if snap["summary"]["session_status"] in ("completed", "partial", "failed", "timeout", "cancelled"):
            return snap, snaps
        if time.monotonic() > deadline:
            raise AssertionError(f"session did not finish: {snap}")
        time.sleep(interval)


@dataclass
class SseEvent:
    id: int | None
    event: str
    data: dict[str, Any]


def read_sse(client: httpx.Client, session_id: str, *, last_event_id: int | None = None,
             stop_after: int | None = None, timeout: float = 180.0) -> tuple[list[SseEvent], int, int]:
    """Read the event stream until the server closes it (or ``stop_after`` events, then hang up).

    Returns the events, the number of heartbeat comments seen, and the HTTP status.
    """
    headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
    events: list[SseEvent] = []
    heartbeats = 0
    fields: dict[str, str] = {}
    with client.stream("GET", f"/api/sessions/{session_id}/events", headers=headers,
                       timeout=httpx.Timeout(timeout, read=timeout)) as response:
        if response.status_code != 200:
            return events, heartbeats, response.status_code
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line == "":
                if "data" in fields:
                    events.append(SseEvent(int(fields["id"]) if "id" in fields else None,
                                           fields.get("event", "message"), json.loads(fields["data"])))
                    if stop_after is not None and len(events) >= stop_after:
                        break
                fields = {}
            elif line.startswith(":"):
                heartbeats += 1
            else:
                name, _, value = line.partition(":")
                fields[name] = value[1:] if value.startswith(" ") else value
    return events, heartbeats, 200


def max_running(events: list[dict[str, Any]]) -> int:
    """The most files in a running stage at once, replayed from events (dicts with fileId/status)."""
    running: set[str] = set()
    peak = 0
    for e in events:
        if e["kind"] != "file":
            continue
        if e["status"] in ("downloading", "extracting", "parsing", "saving"):
            running.add(e["fileId"])
        else:
            running.discard(e["fileId"])
        peak = max(peak, len(running))
    return peak


def paths(events: list[dict[str, Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in events:
        if e["kind"] == "file":
            out.setdefault(e["fileId"], []).append(e["status"])
    return out

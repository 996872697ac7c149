"""Push channels: SSE resume with Last-Event-ID, heartbeats, the end of a stream, the WebSocket."""

from __future__ import annotations

import dataclasses
import json

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.api.conftest import HAPPY, Api, new_session, paths, read_sse, wait_finished
from tests.fixtures.reports import make_pdf, sample_report
from tests.integration.helpers import events as event_rows


@pytest.fixture(scope="module")
def pdfs() -> list[tuple[str, bytes]]:
    return [(f"r{i}.pdf", make_pdf(dataclasses.replace(sample_report(), mrn=f"77{i:04d}"))) for i in range(6)]


def test_sse_resume_with_last_event_id_misses_nothing_and_repeats_nothing(api: Api, pdfs) -> None:  # type: ignore[no-untyped-def]
    """Given a client that hangs up mid-session, when it reconnects with Last-Event-ID, then the
    union of both streams is exactly the session's event table, in order, without duplicates."""
    _, client = api.user("resume@example.org")
    session_id, _ = new_session(client, pdfs)
    client.post(f"/api/sessions/{session_id}/start")
    first, _, status = read_sse(client, session_id, stop_after=10)
    assert status == 200 and len(first) == 10
    assert first[-1].event != "session"  # it really was mid-session
    second, _, status = read_sse(client, session_id, last_event_id=first[-1].id)
    assert status == 200
    assert second[-1].event == "session" and second[-1].data["status"] == "completed"
    ids = [e.id for e in first + second]
    assert ids == sorted(set(ids))
    assert ids == [row.id for row in event_rows(api.li, session_id)]
    assert all(p == HAPPY for p in paths([e.data for e in first + second]).values())
    # The same through ?after= (clients that cannot set headers).
    via_query = client.get(f"/api/sessions/{session_id}/events", params={"after": first[-1].id})
    assert via_query.status_code == 200
    assert via_query.text.count("\nevent: ") + via_query.text.startswith("event: ") == len(second)


def test_a_finished_stream_answers_204_so_eventsource_stops(api: Api, pdfs) -> None:  # type: ignore[no-untyped-def]
    _, client = api.user("finished@example.org")
    session_id, _ = new_session(client, pdfs[:1])
    client.post(f"/api/sessions/{session_id}/start")
    wait_finished(client, session_id)
    events, _, status = read_sse(client, session_id)
    assert status == 200 and events[-1].event == "session"
    _, _, status = read_sse(client, session_id, last_event_id=events[-1].id)
    assert status == 204


def test_heartbeats_keep_an_idle_stream_open(api: Api) -> None:
    _, client = api.user("heartbeat@example.org")
    session_id, _ = new_session(client)
    beats = 0
    with client.stream("GET", f"/api/sessions/{session_id}/events") as response:
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"  # events carry health data
        for line in response.iter_lines():
            if line.startswith(":"):
                beats += 1
                if beats == 2:
                    break
    assert beats == 2


def test_events_carry_codes_never_exception_text(api: Api) -> None:
    _, client = api.user("codes@example.org")
    session_id, _ = new_session(client, [("notes.pdf", b"PK\x03\x04 a zip file with a .pdf name")])
    client.post(f"/api/sessions/{session_id}/start")
    wait_finished(client, session_id)
    events, _, _ = read_sse(client, session_id)
    failed = [e.data for e in events if e.data["status"] == "failed"]
    assert failed and failed[0]["errorCode"] == "unsupported_type"
    assert set(failed[0]) == {"id", "kind", "sessionId", "fileId", "status", "progress", "errorCode", "at"}


def _ws_url(api: Api, session_id: str, **params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"ws://{api.url.removeprefix('http://')}/api/sessions/{session_id}/ws" + (f"?{query}" if query else "")


def _ws_token(token: str) -> dict[str, object]:
    """The bearer token as a browser can send it: offered as subprotocols, never in the URL."""
    return {"subprotocols": ["labintake.bearer", token]}


def _ws_messages(url: str, **kwargs: object) -> tuple[list[dict], int | None]:  # type: ignore[type-arg]
    messages = []
    with connect(url, open_timeout=10, **kwargs) as ws:  # type: ignore[arg-type]
        try:
            while True:
                messages.append(json.loads(ws.recv(timeout=60)))
        except ConnectionClosed as exc:
            return messages, exc.rcvd.code if exc.rcvd else None


def test_websocket_carries_the_same_events(api: Api, pdfs) -> None:  # type: ignore[no-untyped-def]
    _, client = api.user("ws@example.org")
    session_id, _ = new_session(client, pdfs[:3])
    client.post(f"/api/sessions/{session_id}/start")
    messages, code = _ws_messages(_ws_url(api, session_id), **_ws_token(api.token_of(client)))
    assert code == 1000
    events = [m for m in messages if m.get("kind") != "heartbeat"]
    assert [m["id"] for m in events] == [row.id for row in event_rows(api.li, session_id)]
    assert events[-1]["kind"] == "session" and events[-1]["status"] == "completed"
    # Resuming after an id, with the token in the Authorization header instead.
    later, _ = _ws_messages(_ws_url(api, session_id, after=events[5]["id"]),
                            additional_headers={"Authorization": f"Bearer {api.token_of(client)}"})
    assert [m["id"] for m in later] == [m["id"] for m in events[6:]]


def test_websocket_refuses_strangers(api: Api) -> None:
    _, owner = api.user("ws-owner@example.org")
    _, other = api.user("ws-other@example.org")
    session_id, _ = new_session(owner)
    messages, code = _ws_messages(_ws_url(api, session_id), **_ws_token(api.token_of(other)))
    assert code == 4404 and messages[0]["error"]["code"] == "not_found"
    messages, code = _ws_messages(_ws_url(api, session_id))
    assert code == 4401 and messages[0]["error"]["code"] == "unauthorized"
    messages, code = _ws_messages(_ws_url(api, session_id), **_ws_token("li_not-a-token"))
    assert code == 4401
    # A token in the URL is not read (URLs end up in logs): no credentials, 401.
    messages, code = _ws_messages(_ws_url(api, session_id, token=api.token_of(owner)))
    assert code == 4401


def test_sse_of_someone_elses_session_is_404(api: Api) -> None:
    _, owner = api.user("sse-owner@example.org")
    _, other = api.user("sse-other@example.org")
    session_id, _ = new_session(owner)
    response = other.get(f"/api/sessions/{session_id}/events")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert httpx.get(f"{api.url}/api/sessions/{session_id}/events").status_code == 401

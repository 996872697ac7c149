"""The webhook and notification routes over real HTTP, on both databases: create (201 {"id"}),
list, delete, the address refusal, per-user isolation, and a session uploaded through the API
whose end reaches a real receiver, signed."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from labintake.service import LabIntake
from labintake.web import WebConfig, create_app
from tests.api.conftest import Api, Server, new_session, wait_finished
from tests.conftest import make_settings, migrated_database
from tests.integration.notify_helpers import Receiver, http_receiver

SECRET = "api-test-secret"


def test_create_list_delete_and_isolation(api: Api) -> None:
    _, ada = api.user("wh-ada@example.test")
    _, bob = api.user("wh-bob@example.test")
    created = ada.post("/api/webhooks", json={"url": "https://93.184.216.34/hook", "secret": SECRET})
    assert created.status_code == 201, created.text
    hook_id = created.json()["id"]
    listed = ada.get("/api/webhooks").json()
    assert [(h["id"], h["url"], h["deliveries"]) for h in listed] == [(hook_id, "https://93.184.216.34/hook", [])]
    assert "secret" not in listed[0]
    assert bob.get("/api/webhooks").json() == []
    assert bob.delete(f"/api/webhooks/{hook_id}").status_code == 404
    assert ada.delete(f"/api/webhooks/{hook_id}").status_code == 204
    assert ada.delete(f"/api/webhooks/{hook_id}").status_code == 404
    assert ada.get("/api/webhooks").json() == []
    assert api.anonymous().get("/api/webhooks").status_code == 401


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x", "http://localhost/x", "http://[::1]/", "http://10.0.0.1/",
                                 "file:///etc/passwd", "not a url"])
def test_addresses_that_are_not_public_are_refused(api: Api, url: str) -> None:
    _, ada = api.user(f"wh-refused-{abs(hash(url))}@example.test")
    response = ada.post("/api/webhooks", json={"url": url, "secret": SECRET})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation"


def test_a_short_secret_is_refused(api: Api) -> None:
    _, ada = api.user("wh-short@example.test")
    response = ada.post("/api/webhooks", json={"url": "https://93.184.216.34/", "secret": "x"})
    assert response.status_code == 422


def test_email_preference_round_trip(api: Api) -> None:
    _, ada = api.user("wh-pref@example.test")
    assert ada.get("/api/notifications").json() == {"emailOnFinish": True, "emailAvailable": False}
    assert ada.put("/api/notifications", json={"emailOnFinish": False}).json()["emailOnFinish"] is False
    assert ada.get("/api/notifications").json()["emailOnFinish"] is False


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def allowing_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    """A server whose allow-list has 127.0.0.1, so the test's receiver may be called."""
    gen = migrated_database(request.param, tmp_path)
    url = next(gen)
    li = LabIntake(make_settings(tmp_path, url, webhook_allow_hosts=("127.0.0.1",), notify_retry_seconds=0.1))
    li.start_processing()
    api = Api(li, "")
    try:
        with Server(create_app(li, WebConfig(cookie_secure=False))) as server:
            api.url = server.url
            yield api
    finally:
        for client in api.clients:
            client.close()
        li.stop()
        for _ in gen:
            pass


def test_a_session_uploaded_through_the_api_reaches_the_receiver_signed(allowing_api: Api) -> None:
    """Given a webhook, when a session uploaded over the API ends, the receiver gets one POST
    whose signature verifies with the secret, and the delivery log shows it delivered."""
    _, ada = allowing_api.user("wh-e2e@example.test")
    receiver = Receiver()
    with http_receiver(receiver) as hook_url:
        assert ada.post("/api/webhooks", json={"url": hook_url, "secret": SECRET}).status_code == 201
        session_id, _ = new_session(ada, [("notes.txt", b"not a report")])
        assert ada.post(f"/api/sessions/{session_id}/start").status_code == 200
        wait_finished(ada, session_id)
        assert receiver.got.wait(30)
        deadline = time.monotonic() + 30
        while ada.get("/api/webhooks").json()[0]["deliveries"][0]["status"] != "delivered":
            assert time.monotonic() < deadline
            time.sleep(0.05)
    [got] = receiver.requests
    timestamp = got.headers["X-LabIntake-Timestamp"]
    mac = hmac.new(SECRET.encode(), timestamp.encode() + b"." + got.body, hashlib.sha256).hexdigest()
    assert got.headers["X-LabIntake-Signature"] == f"sha256={mac}"
    assert got.json["sessionId"] == session_id and got.json["status"] == "failed"

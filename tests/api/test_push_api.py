"""The Web Push routes over real HTTP, on both databases: the VAPID public key (the same on every
call), subscribe (201 {"id"}, the same endpoint again the same id), list, unsubscribe, refusals
and per-user isolation."""

from __future__ import annotations

import base64

import pytest

from tests.api.conftest import Api
from tests.integration.test_notify_push import Browser

ENDPOINT = "https://93.184.216.34/push/v1/abc"  # a public address: no DNS needed


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_subscribe_list_unsubscribe_and_isolation(api: Api) -> None:
    _, ada = api.user("push-ada@example.test")
    _, bob = api.user("push-bob@example.test")
    first = ada.get("/api/push").json()
    key = _b64d(first["publicKey"])
    assert len(key) == 65 and key[0] == 4 and first["subscriptions"] == []
    assert bob.get("/api/push").json()["publicKey"] == first["publicKey"]  # one server key
    body = Browser(ENDPOINT).subscription.model_dump()
    created = ada.post("/api/push/subscriptions", json=body)
    assert created.status_code == 201, created.text
    sub_id = created.json()["id"]
    assert ada.post("/api/push/subscriptions", json=body).json()["id"] == sub_id
    [listed] = ada.get("/api/push").json()["subscriptions"]
    assert listed["id"] == sub_id and listed["service"] == "93.184.216.34" and "endpoint" not in listed
    assert bob.get("/api/push").json()["subscriptions"] == []
    assert bob.delete(f"/api/push/subscriptions/{sub_id}").status_code == 404
    assert ada.delete(f"/api/push/subscriptions/{sub_id}").status_code == 204
    assert ada.get("/api/push").json()["subscriptions"] == []
    assert api.anonymous().get("/api/push").status_code == 401


@pytest.mark.parametrize("endpoint", ["http://93.184.216.34/push", "https://127.0.0.1/push", "https://10.1.2.3/p",
                                      "not a url"])
def test_endpoints_that_are_not_public_https_are_refused(api: Api, endpoint: str) -> None:
    _, ada = api.user(f"push-refused-{abs(hash(endpoint))}@example.test")
    response = ada.post("/api/push/subscriptions", json=Browser(endpoint).subscription.model_dump())
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation"


def test_keys_that_are_not_a_p256_key_and_a_16_byte_secret_are_refused(api: Api) -> None:
    _, ada = api.user("push-keys@example.test")
    body = Browser(ENDPOINT).subscription.model_dump()
    for keys in ({**body["keys"], "auth": "c2hvcnQ"}, {**body["keys"], "p256dh": "AAAA"}):
        response = ada.post("/api/push/subscriptions", json={**body, "keys": keys})
        assert response.status_code == 422, keys

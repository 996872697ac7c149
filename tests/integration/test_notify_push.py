"""Web Push against a real HTTPS receiver acting as the push service, on both databases.

The receiver checks what a real push service would: a VAPID token (RFC 8292) whose ES256
signature verifies with the public key the server hands browsers, for the endpoint's origin;
and a body that decrypts (RFC 8291, aes128gcm, http_ece) with the browser's private key to the
message: outcome and counts only. 404/410 removes the subscription; other failures retry.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from labintake.db.scope import acting_as
from labintake.domain.errors import LabIntakeError
from labintake.service import LabIntake, notifications
from labintake.service.notifications import PushKeys, PushSubscriptionIn
from tests.conftest import make_settings
from tests.integration.notify_helpers import Received, Receiver, http_receiver, self_signed
from tests.integration.test_notify_email import end_session, log_of, user, wait_for


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Browser:
    """What a browser keeps for one push subscription: its P-256 key pair and auth secret."""

    def __init__(self, endpoint: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        public = self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                    serialization.PublicFormat.UncompressedPoint)
        self.subscription = PushSubscriptionIn(endpoint=endpoint, keys=PushKeys(p256dh=b64e(public),
                                                                                auth=b64e(self.auth)))

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        return json.loads(plain)  # type: ignore[no-any-return]


def verify_vapid(got: Received, server_public_key: str, origin: str) -> dict[str, Any]:
    """The push service's check: ``Authorization: vapid t=<JWT>, k=<key>``, k the server's key, the
    JWT's ES256 signature valid for k, its audience this origin and not expired. Its claims."""
    scheme, _, params = got.headers["Authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == server_public_key
    head, claims, signature = fields["t"].split(".")
    assert json.loads(b64d(head)) == {"typ": "JWT", "alg": "ES256"}
    raw = b64d(signature)
    assert len(raw) == 64
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(fields["k"]))
    key.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
               f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    decoded: dict[str, Any] = json.loads(b64d(claims))
    assert decoded["aud"] == origin
    assert time.time() < decoded["exp"] <= time.time() + 24 * 3600
    assert decoded["sub"].startswith(("mailto:", "https://"))
    return decoded


@pytest.fixture
def tls(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed(tmp_path)


@pytest.fixture
def make_li(db_url: str, tmp_path: Path, tls: tuple[Path, Path]) -> Iterator[Callable[..., LabIntake]]:
    made: list[LabIntake] = []

    def make(**overrides: object) -> LabIntake:
        values: dict[str, object] = {"notify_retry_seconds": 0.1, "webhook_allow_hosts": ("localhost",),
                                     "webhook_ca_file": tls[0], "public_url": "https://labs.example.org"}
        values.update(overrides)
        li = LabIntake(make_settings(tmp_path, db_url, **values))
        made.append(li)
        return li

    yield make
    for li in made:
        li.stop()


def pushes(li: LabIntake, user_id: str) -> list[tuple[str, str | None, int]]:
    return [(d.status, d.lastError, d.attempts) for d in log_of(li, user_id) if d.kind == "push"]


def test_a_session_end_is_pushed_signed_and_encrypted_to_each_browser(make_li, tls) -> None:
    """Given two browsers that turned push on, when a session ends, the push service gets one POST
    per browser: VAPID-signed with the key browsers were given, and a body only that browser can
    decrypt, saying the outcome and counts, never the session's name or its files'."""
    receiver = Receiver()
    with http_receiver(receiver, tls=tls) as url:
        origin = url.split("/hooks")[0]
        li = make_li()
        ada = user(li)
        phone, laptop = Browser(url.replace("x=1", "d=phone")), Browser(url.replace("x=1", "d=laptop"))
        for browser in (phone, laptop):
            notifications.subscribe_push(li, ada, browser.subscription)
        server_key = notifications.push_settings(li, ada).publicKey
        session_id = end_session(li, ada, refused=2)
        li.start_notifier()
        wait_for(lambda: [p[0] for p in pushes(li, ada)] == ["delivered", "delivered"])
    assert len(receiver.requests) == 2
    expected = {"title": "0 ready, 2 need attention", "body": "LabIntake: a session of 2 files has ended.",
                "tag": f"session-{session_id}", "url": f"/sessions/{session_id}/review"}
    for got in receiver.requests:
        claims = verify_vapid(got, server_key, origin)
        assert claims["sub"] == "https://labs.example.org"
        assert got.headers["Content-Encoding"] == "aes128gcm" and int(got.headers["TTL"]) > 0
        assert got.headers["Host"] == origin.removeprefix("https://")
    decrypted = []
    for got in receiver.requests:
        for browser in (phone, laptop):
            try:
                decrypted.append((browser, browser.decrypt(got.body)))
            except Exception:  # noqa: BLE001 - encrypted to the other browser
                continue
    assert sorted(id(b) for b, _ in decrypted) == sorted([id(phone), id(laptop)])
    for _, message in decrypted:
        assert message == expected
    # the same public key a second time: it was made once and kept
    assert notifications.push_settings(li, ada).publicKey == server_key


def test_a_gone_subscription_is_removed_and_a_failing_push_service_is_retried(make_li, tls) -> None:
    """Given a push service that answers 503 then 201 for one browser and 410 for another: the
    first is retried to one delivery, the second is removed and gets nothing at the next end."""
    receiver = Receiver(statuses=[503])
    with http_receiver(receiver, tls=tls) as url:
        li = make_li()
        ada = user(li)
        alive = Browser(url)
        notifications.subscribe_push(li, ada, alive.subscription)
        end_session(li, ada)
        li.start_notifier()
        wait_for(lambda: pushes(li, ada) == [("delivered", None, 2)])
        assert len(receiver.requests) == 2 and alive.decrypt(receiver.requests[1].body)["title"] == "0 ready, 1 needs attention"

        gone = Browser(url.replace("x=1", "x=gone"))
        gone_id = notifications.subscribe_push(li, ada, gone.subscription).id
        notifications.unsubscribe_push(li, ada, notifications.subscribe_push(li, ada, alive.subscription).id)
        receiver.statuses.extend([410])
        end_session(li, ada)
        wait_for(lambda: ("failed", "push_gone", 1) in pushes(li, ada))
        assert [s.id for s in notifications.push_settings(li, ada).subscriptions] == []
        [failed] = [d for d in log_of(li, ada) if d.kind == "push" and d.status == "failed"]
        assert failed.lastHttpStatus == 410 and "removed" in (failed.lastErrorMessage or "")
        end_session(li, ada)  # nobody subscribed now: no push delivery at all
        time.sleep(0.5)
    assert len(receiver.requests) == 3
    assert len(pushes(li, ada)) == 2
    assert gone_id not in {d.webhookId for d in log_of(li, ada)}


def test_an_untrusted_certificate_is_a_retried_tls_failure(make_li, tls) -> None:
    """Given the push service's self-signed certificate not in LABINTAKE_WEBHOOK_CA_FILE: no message
    is sent (the handshake fails), and the delivery stays pending with tls_failed."""
    receiver = Receiver()
    with http_receiver(receiver, tls=tls) as url:
        li = make_li(webhook_ca_file=None)
        ada = user(li)
        notifications.subscribe_push(li, ada, Browser(url).subscription)
        end_session(li, ada)
        li.start_notifier()
        wait_for(lambda: any(p[1] == "tls_failed" for p in pushes(li, ada)))
    assert receiver.requests == []
    [(status, _, _)] = pushes(li, ada)
    assert status == "pending"


def test_subscriptions_are_checked_and_per_user(make_li, tls) -> None:
    """Only an https endpoint on a public (or allow-listed) host, with a P-256 key and a 16-byte
    secret; the same endpoint again is the same subscription; each person sees and removes only
    their own (row-level security on PostgreSQL)."""
    li = make_li()  # localhost allow-listed (no DNS here to resolve a public name)
    ada, bob = user(li), user(li, "bob@example.test")
    good = Browser("https://localhost:8443/send/abc")
    with acting_as(ada):
        for endpoint in ("http://localhost:8443/x", "https://127.0.0.1/x", "https://[::1]/x",
                         "https://10.0.0.8/x", "ftp://localhost/"):
            with pytest.raises(LabIntakeError) as caught:
                notifications.subscribe_push(li, ada, Browser(endpoint).subscription)
            assert caught.value.code == "validation", endpoint
        bad_key = good.subscription.model_copy(update={"keys": PushKeys(p256dh=b64e(b"\x04" + b"1" * 10),
                                                                         auth=good.subscription.keys.auth)})
        with pytest.raises(LabIntakeError):
            notifications.subscribe_push(li, ada, bad_key)
        first = notifications.subscribe_push(li, ada, good.subscription).id
        assert notifications.subscribe_push(li, ada, good.subscription).id == first
        [listed] = notifications.push_settings(li, ada).subscriptions
        assert listed.id == first and listed.service == "localhost"
    with acting_as(bob):
        assert notifications.push_settings(li, bob).subscriptions == []
        with pytest.raises(LabIntakeError) as caught:
            notifications.unsubscribe_push(li, bob, first)
        assert caught.value.code == "not_found"
    with acting_as(ada):
        notifications.unsubscribe_push(li, ada, first)
        assert notifications.push_settings(li, ada).subscriptions == []


def test_the_vapid_key_is_made_once_even_by_racing_processes(make_li) -> None:
    """Given no key yet, four callers at once (the API and workers starting together) all end up
    with the one key that was stored first."""
    from concurrent.futures import ThreadPoolExecutor

    from labintake.service import push_send

    li = make_li()
    with ThreadPoolExecutor(4) as pool:
        keys = set(pool.map(lambda _: push_send.public_key(push_send.server_key(li.db)), range(4)))
    assert len(keys) == 1
    assert keys == {push_send.public_key(push_send.server_key(li.db))}

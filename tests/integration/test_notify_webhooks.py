"""Webhooks against a real HTTP receiver on both databases: signed session-end POSTs, retries with
backoff to one success, the address check after DNS resolution (127.0.0.1 refused unless
allow-listed, at creation and at delivery), and the owner policies on PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from labintake.db import webhooks as repo
from labintake.db.scope import acting_as
from labintake.domain.errors import LabIntakeError
from labintake.service import LabIntake, notifications
from labintake.service.notifications import WebhookIn
from labintake.service.webhook_send import refused
from tests.conftest import make_settings
from tests.integration.notify_helpers import Receiver, http_receiver
from tests.integration.test_notify_email import end_session, log_of, user, wait_for

SECRET = "s3cret-for-tests"


@pytest.fixture
def make_li(db_url: str, tmp_path: Path) -> Iterator[Callable[..., LabIntake]]:
    made: list[LabIntake] = []

    def make(**overrides: object) -> LabIntake:
        values: dict[str, object] = {"notify_retry_seconds": 0.1, "webhook_allow_hosts": ("127.0.0.1",)}
        values.update(overrides)
        li = LabIntake(make_settings(tmp_path, db_url, **values))
        made.append(li)
        return li

    yield make
    for li in made:
        li.stop()


def verify(received_headers: dict[str, str], body: bytes) -> None:
    timestamp = received_headers["X-LabIntake-Timestamp"]
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received_headers["X-LabIntake-Signature"], f"sha256={expected}")
    assert abs(time.time() - int(timestamp)) < 300


def test_a_session_end_is_posted_signed_to_each_webhook(make_li) -> None:
    """Given a webhook, when a session ends, the receiver gets one signed POST with the event,
    the session, its status, the counts and when it finished — and no file names."""
    receiver = Receiver()
    with http_receiver(receiver) as url:
        li = make_li()
        ada = user(li)
        hook_id = notifications.add_webhook(li, ada, WebhookIn(url=url, secret=SECRET)).id
        session_id = end_session(li, ada, refused=2)
        li.start_notifier()
        assert receiver.got.wait(30)
        wait_for(lambda: [d.status for d in log_of(li, ada) if d.kind == "webhook"] == ["delivered"])
    [got] = receiver.requests
    verify(got.headers, got.body)
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Host"].startswith("127.0.0.1:")
    event = got.json
    assert event["event"] == "session.finished" and event["sessionId"] == session_id
    assert event["status"] == "failed" and event["finishedAt"].endswith("Z")
    assert event["summary"]["total_files"] == 2 and event["summary"]["failed_files"] == 2
    assert "Jane" not in got.body.decode() and ".txt" not in got.body.decode()
    [hook] = notifications.list_webhooks(li, ada)
    assert hook.id == hook_id and hook.url == url
    assert [(d.status, d.attempts, d.lastHttpStatus) for d in hook.deliveries] == [("delivered", 1, 200)]


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers_2xx(make_li) -> None:
    """Given a receiver that answers 500, then 503, then 200: three signed attempts, one success,
    and the delivery log shows the attempts."""
    receiver = Receiver(statuses=[500, 503])
    with http_receiver(receiver) as url:
        li = make_li()
        ada = user(li)
        notifications.add_webhook(li, ada, WebhookIn(url=url, secret=SECRET))
        end_session(li, ada)
        li.start_notifier()
        wait_for(lambda: [d.status for d in log_of(li, ada) if d.kind == "webhook"] == ["delivered"])
    assert len(receiver.requests) == 3
    for got in receiver.requests:
        verify(got.headers, got.body)
    assert len({r.body for r in receiver.requests}) == 1  # the same event each time
    assert len({r.headers["X-LabIntake-Delivery"] for r in receiver.requests}) == 1  # one delivery, retried
    [delivery] = [d for d in log_of(li, ada) if d.kind == "webhook"]
    assert delivery.attempts == 3 and delivery.lastHttpStatus == 200


def test_loopback_is_refused_without_the_allow_list_at_creation_and_at_delivery(make_li) -> None:
    """Given no allow-list, adding http://127.0.0.1 is refused; a webhook already stored with that
    address (say, its DNS changed) is refused at delivery after resolution and never called."""
    receiver = Receiver()
    with http_receiver(receiver) as url:
        li = make_li(webhook_allow_hosts=())
        ada = user(li)
        for bad in (url, url.replace("127.0.0.1", "localhost"), "http://[::1]/x", "http://169.254.169.254/",
                    "http://10.0.0.5/", "ftp://example.org/", "http://user:pw@example.org/"):
            with pytest.raises(LabIntakeError) as caught:
                notifications.add_webhook(li, ada, WebhookIn(url=bad, secret=SECRET))
            assert caught.value.code == "validation"
        with li.db.transaction() as s:
            repo.add_webhook(s, ada, url, SECRET)
        end_session(li, ada)
        li.start_notifier()
        wait_for(lambda: [d.status for d in log_of(li, ada) if d.kind == "webhook"] == ["failed"])
    assert receiver.requests == []
    [delivery] = [d for d in log_of(li, ada) if d.kind == "webhook"]
    assert delivery.lastError == "address_refused" and delivery.attempts == 1
    assert "LABINTAKE_WEBHOOK_ALLOW_HOSTS" in (delivery.lastErrorMessage or "")


def test_address_classes() -> None:
    for ip in ("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "::1",
               "fe80::1", "fc00::1", "224.0.0.1", "240.0.0.1", "100.64.0.1", "::ffff:127.0.0.1"):
        assert refused(ip), ip
    for ip in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"):
        assert not refused(ip), ip


def test_webhooks_are_per_user_and_deleted_with_their_deliveries(make_li) -> None:
    """Each person sees and deletes only their own webhooks; on PostgreSQL this holds under the
    row-level-security role, session end included (its deliveries are written in that scope)."""
    receiver = Receiver()
    with http_receiver(receiver) as url:
        li = make_li()
        ada, bob = user(li), user(li, "bob@example.test")
        with acting_as(ada):
            hook = notifications.add_webhook(li, ada, WebhookIn(url=url, secret=SECRET)).id
            end_session(li, ada)  # the session end (and its outbox rows) written as ada
        with acting_as(bob):
            assert notifications.list_webhooks(li, bob) == []
            with pytest.raises(LabIntakeError) as caught:
                notifications.delete_webhook(li, bob, hook)
            assert caught.value.code == "not_found"
            assert log_of(li, bob) == []
        with acting_as(ada):
            assert sorted(d.kind for d in log_of(li, ada)) == ["email", "webhook"]
            notifications.delete_webhook(li, ada, hook)
            assert notifications.list_webhooks(li, ada) == []
            assert [d.kind for d in log_of(li, ada)] == ["email"]


def test_an_allow_listed_name_is_connected_to_at_its_checked_address_with_its_own_host_header() -> None:
    """The request goes to the resolved, checked address; the receiver still sees the name."""
    from labintake.service import webhook_send

    receiver = Receiver()
    with http_receiver(receiver) as url:
        named = url.replace("127.0.0.1", "localhost")
        port = named.split(":")[2].split("/")[0]
        assert set(webhook_send.resolve(named, ("localhost",)).ips) <= {"127.0.0.1", "::1"}
        assert webhook_send.post(named, SECRET, {"event": "session.finished"}, allow_hosts=("localhost",)) == 200
        with pytest.raises(webhook_send.DeliveryError) as caught:
            webhook_send.post(named, SECRET, {"event": "x"}, allow_hosts=())
        assert caught.value.code == "address_refused" and caught.value.permanent
    [got] = receiver.requests
    assert got.headers["Host"] == f"localhost:{port}"
    verify(got.headers, got.body)

"""Webhooks over TLS to a real local HTTPS receiver (a self-signed certificate, trusted only through
LABINTAKE_WEBHOOK_CA_FILE), and DNS rebinding: a name that resolved to a public address when the
webhook was added and resolves to 127.0.0.1 at delivery is refused at delivery.

DNS answers come from a resolver installed in ``socket.getaddrinfo`` for the test's own names
(``*.rebind.test``): this machine's resolver is shared and cannot be pointed at a test DNS server.
Every other name, and every connection, is real.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from labintake.service import LabIntake, notifications, webhook_send
from labintake.service.notifications import WebhookIn
from labintake.service.webhook_send import DeliveryError
from tests.conftest import make_settings
from tests.integration.notify_helpers import Receiver, http_receiver, self_signed
from tests.integration.test_notify_email import end_session, log_of, user, wait_for
from tests.integration.test_notify_webhooks import SECRET, verify


@pytest.fixture
def make_li(db_url: str, tmp_path: Path) -> Iterator[Callable[..., LabIntake]]:
    made: list[LabIntake] = []

    def make(**overrides: object) -> LabIntake:
        values: dict[str, object] = {"notify_retry_seconds": 0.1}
        values.update(overrides)
        li = LabIntake(make_settings(tmp_path, db_url, **values))
        made.append(li)
        return li

    yield make
    for li in made:
        li.stop()


class Dns:
    """Answers for ``*.rebind.test``: each lookup pops the next list of addresses (the last stays)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []
        real = socket.getaddrinfo

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            if not (isinstance(host, str) and host.endswith(".rebind.test")):
                return real(host, port, *args, **kwargs)
            self.asked.append(host)
            ips = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, int(port))) for ip in ips]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_an_https_receiver_is_delivered_to_when_its_ca_is_trusted(make_li, tmp_path: Path) -> None:
    """Given an https receiver whose certificate only LABINTAKE_WEBHOOK_CA_FILE vouches for, the
    session end is delivered over TLS, signed, with the receiver's name in Host."""
    cert, key = self_signed(tmp_path)
    receiver = Receiver()
    with http_receiver(receiver, tls=(cert, key)) as url:
        li = make_li(webhook_allow_hosts=("localhost",), webhook_ca_file=cert)
        ada = user(li)
        notifications.add_webhook(li, ada, WebhookIn(url=url, secret=SECRET))
        session_id = end_session(li, ada)
        li.start_notifier()
        wait_for(lambda: [d.status for d in log_of(li, ada) if d.kind == "webhook"] == ["delivered"])
    [got] = receiver.requests
    verify(got.headers, got.body)
    assert got.headers["Host"] == url.split("/")[2]
    assert got.json["sessionId"] == session_id


def test_an_untrusted_or_misnamed_certificate_is_refused_and_retried(make_li, tmp_path: Path) -> None:
    """Without the CA, or with a trusted certificate issued for another name, nothing is sent: the
    delivery says tls_failed and stays pending for its next try."""
    cert, key = self_signed(tmp_path)
    other_cert, other_key = self_signed(tmp_path, host="other.example")
    receiver = Receiver()
    with http_receiver(receiver, tls=(cert, key)) as url:
        with pytest.raises(DeliveryError) as caught:
            webhook_send.post(url, SECRET, {"event": "x"}, allow_hosts=("localhost",))
        assert caught.value.code == "tls_failed" and not caught.value.permanent
        li = make_li(webhook_allow_hosts=("localhost",))  # no CA file
        ada = user(li)
        notifications.add_webhook(li, ada, WebhookIn(url=url, secret=SECRET))
        end_session(li, ada)
        li.start_notifier()
        wait_for(lambda: [(d.status, d.lastError) for d in log_of(li, ada) if d.kind == "webhook"]
                 == [("pending", "tls_failed")])
        [delivery] = [d for d in log_of(li, ada) if d.kind == "webhook"]
        assert "LABINTAKE_WEBHOOK_CA_FILE" in (delivery.lastErrorMessage or "")
    with http_receiver(receiver, tls=(other_cert, other_key)) as url:  # trusted CA, wrong name
        with pytest.raises(DeliveryError) as caught:
            webhook_send.post(url, SECRET, {"event": "x"}, allow_hosts=("localhost",), ca_file=other_cert)
        assert caught.value.code == "tls_failed"
    assert receiver.requests == []


def test_a_name_rebound_to_loopback_after_it_was_added_is_refused_at_delivery(
    make_li, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given hooks.rebind.test resolved to a public address when the webhook was added, and to
    127.0.0.1 (where a receiver listens) at delivery: the delivery is refused after resolution,
    never sent, and not retried."""
    receiver = Receiver()
    with http_receiver(receiver) as local_url:
        port = local_url.split(":")[2].split("/")[0]
        dns = Dns(monkeypatch, ["93.184.216.34"], ["127.0.0.1"])
        li = make_li(webhook_allow_hosts=())
        ada = user(li)
        url = f"http://hooks.rebind.test:{port}/hook"
        notifications.add_webhook(li, ada, WebhookIn(url=url, secret=SECRET))  # public then: accepted
        end_session(li, ada)
        li.start_notifier()
        wait_for(lambda: [d.status for d in log_of(li, ada) if d.kind == "webhook"] == ["failed"])
    [delivery] = [d for d in log_of(li, ada) if d.kind == "webhook"]
    assert delivery.lastError == "address_refused" and delivery.attempts == 1
    assert receiver.requests == []
    assert len(dns.asked) == 2  # once when added, once at delivery


def test_the_connection_goes_to_the_address_that_was_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a name allow-listed whose first answer is 127.0.0.1 and every later answer 10.255.0.9:
    one delivery resolves once and connects to the checked 127.0.0.1 (a second lookup, as a
    client that resolves again would make, would have gone to the other address)."""
    receiver = Receiver()
    with http_receiver(receiver) as local_url:
        port = local_url.split(":")[2].split("/")[0]
        dns = Dns(monkeypatch, ["127.0.0.1"], ["10.255.0.9"])
        url = f"http://hooks.rebind.test:{port}/hook"
        assert webhook_send.post(url, SECRET, {"event": "x"}, allow_hosts=("hooks.rebind.test",), timeout=3) == 200
    [got] = receiver.requests
    assert got.headers["Host"] == f"hooks.rebind.test:{port}"
    assert dns.asked == ["hooks.rebind.test"]

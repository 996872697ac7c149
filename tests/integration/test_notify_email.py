"""Session-end email against a real SMTP server (aiosmtpd) on both databases: one message per
session end, outcome and counts only, a refusing or down server retried until it takes exactly
one message, and processing never held up by the mail server."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from labintake import auth
from labintake.service import LabIntake, notifications, progress, sessions
from labintake.service.notifications import DeliveryOut
from tests.conftest import make_settings
from tests.fixtures.reports import make_pdf, sample_report
from tests.integration.notify_helpers import Mailbox, free_port, smtp_server


def wait_for(what: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def user(li: LabIntake, email: str = "ada@example.test") -> str:
    with li.db.transaction() as s:
        return auth.create_user(s, email, "correct horse battery")


def end_session(li: LabIntake, user_id: str, refused: int = 1) -> str:
    """A started session whose files were all refused at upload: it ends at once, no worker needed."""
    session_id = sessions.create(li, user_id, "Jane Doe's labs").id
    for i in range(refused):
        sessions.store(li, session_id, user_id, io.BytesIO(f"plain text {i}".encode()), f"Jane Doe potassium {i}.txt")
    sessions.start(li, session_id, user_id)
    return session_id


def attempts_metric(outcome: str) -> float:
    found = REGISTRY.get_sample_value("labintake_notification_attempts_total", {"kind": "email", "outcome": outcome})
    return found or 0.0


def log_of(li: LabIntake, user_id: str) -> list[DeliveryOut]:
    return notifications.deliveries(li, user_id)


@pytest.fixture
def make_li(db_url: str, tmp_path: Path) -> Iterator[Callable[..., LabIntake]]:
    made: list[LabIntake] = []

    def make(**overrides: object) -> LabIntake:
        values: dict[str, object] = {"notify_retry_seconds": 0.1, "public_url": "https://labs.example.org",
                                     "mail_from": "labintake@labs.example.org", "executor": "embedded"}
        values.update(overrides)
        li = LabIntake(make_settings(tmp_path, db_url, **values))
        made.append(li)
        return li

    yield make
    for li in made:
        li.stop()


def test_one_email_per_session_end_with_outcome_counts_and_link_but_no_health_data(make_li) -> None:
    """Given SMTP configured, when a session ends with one refused file, then its owner gets one
    email whose subject says the outcome and whose body has counts and the review link only."""
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        li = make_li(smtp_url=f"smtp://127.0.0.1:{port}")
        ada = user(li)
        session_id = end_session(li, ada)
        li.start_notifier()
        assert mailbox.got.wait(30)
        wait_for(lambda: [d.status for d in log_of(li, ada)] == ["delivered"])
    [msg] = mailbox.messages
    assert msg["To"] == "ada@example.test" and msg["From"] == "labintake@labs.example.org"
    assert msg["Subject"] == "LabIntake: 0 ready, 1 needs attention"
    body = msg.get_payload(decode=True).decode()
    assert f"https://labs.example.org/sessions/{session_id}/review" in body
    assert "Ready: 0" in body and "Need attention: 1" in body
    everything = str(msg) + body
    for health in ("Jane", "Doe", "potassium", ".txt"):
        assert health not in everything
    [delivery] = log_of(li, ada)
    assert delivery.kind == "email" and delivery.attempts == 1 and delivery.sessionId == session_id


def test_a_completed_session_says_how_many_reports_are_ready(make_li) -> None:
    """Given a real PDF processed by the executor, the email subject is "1 report ready"."""
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        li = make_li(smtp_url=f"smtp://127.0.0.1:{port}")
        ada = user(li)
        session_id = sessions.create(li, ada).id
        sessions.store(li, session_id, ada, io.BytesIO(make_pdf(sample_report())), "report.pdf")
        li.start_processing()
        sessions.start(li, session_id, ada)
        assert mailbox.got.wait(120)
        wait_for(lambda: [d.status for d in log_of(li, ada)] == ["delivered"])
    assert [m["Subject"] for m in mailbox.messages] == ["LabIntake: 1 report ready"]


def test_a_refusing_mail_server_is_retried_and_exactly_one_mail_is_delivered(make_li) -> None:
    """Given a server that answers 451 twice, the delivery is retried with backoff and the third
    attempt delivers: exactly one message arrives, and the log says three attempts."""
    mailbox = Mailbox(answers=["451 4.3.0 Try again later", "451 4.3.0 Try again later"])
    before = {o: attempts_metric(o) for o in ("retry", "delivered")}
    with smtp_server(mailbox) as port:
        li = make_li(smtp_url=f"smtp://127.0.0.1:{port}")
        ada = user(li)
        end_session(li, ada)
        li.start_notifier()
        wait_for(lambda: [d.status for d in log_of(li, ada)] == ["delivered"])
    assert mailbox.refused == 2 and len(mailbox.messages) == 1
    [delivery] = log_of(li, ada)
    assert delivery.attempts == 3 and delivery.lastError is None
    assert {o: attempts_metric(o) - n for o, n in before.items()} == {"retry": 2, "delivered": 1}


def test_a_down_mail_server_never_holds_up_processing_and_is_retried_once_it_is_back(make_li) -> None:
    """Given no mail server listening, the session still ends (the delivery waits, marked
    smtp_unreachable); once the server comes up on that port, exactly one mail is delivered."""
    port = free_port()
    li = make_li(smtp_url=f"smtp://127.0.0.1:{port}", notify_retry_seconds=0.2)
    ada = user(li)
    session_id = end_session(li, ada, refused=2)
    assert str(progress.session_status(li, session_id)) == "failed"  # ended at once, whatever the mail server does
    li.start_notifier()
    wait_for(lambda: any(d.lastError == "smtp_unreachable" for d in log_of(li, ada)))
    assert log_of(li, ada)[0].status == "pending"
    mailbox = Mailbox()
    with smtp_server(mailbox, port):
        wait_for(lambda: [d.status for d in log_of(li, ada)] == ["delivered"])
    assert len(mailbox.messages) == 1
    assert mailbox.messages[0]["Subject"] == "LabIntake: 0 ready, 2 need attention"


def test_no_email_when_the_person_turned_it_off_or_no_server_is_configured(make_li) -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        li = make_li(smtp_url=f"smtp://127.0.0.1:{port}")
        ada, bob = user(li), user(li, "bob@example.test")
        assert notifications.settings_of(li, ada).emailOnFinish is True  # on by default
        assert notifications.set_email_on_finish(li, ada, False).emailOnFinish is False
        end_session(li, ada)
        end_session(li, bob)
        li.start_notifier()
        wait_for(lambda: [d.status for d in log_of(li, bob)] == ["delivered"])
    assert [m["To"] for m in mailbox.messages] == ["bob@example.test"]
    assert log_of(li, ada) == []


def test_without_smtp_settings_the_email_delivery_is_skipped(make_li) -> None:
    li = make_li()
    ada = user(li)
    assert notifications.settings_of(li, ada).emailAvailable is False
    end_session(li, ada)
    li.start_notifier()
    wait_for(lambda: [d.status for d in log_of(li, ada)] == ["skipped"])
    assert log_of(li, ada)[0].lastError == "smtp_not_configured"


def test_nothing_is_sent_for_an_empty_cancelled_session(make_li) -> None:
    from labintake.domain.status import SessionState

    li = make_li()
    ada = user(li)
    session_id = sessions.create(li, ada).id
    sessions.start(li, session_id, ada)
    sessions.set_state(li, session_id, ada, SessionState.CANCELLED)
    assert log_of(li, ada) == []

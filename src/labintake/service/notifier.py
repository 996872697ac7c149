"""The notifier: a background thread in ``labintake serve`` and ``labintake worker`` that sends
the outbox's session-end deliveries (email, webhooks, Web Push) and retries failures with backoff.

It runs beside processing, never inside it: a down mail server or receiver only leaves rows
pending. The doorbell wakes it when anything commits; otherwise it sleeps until the next
delivery is due (at most ``IDLE_SECONDS``, to see rows other processes wrote).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from py_vapid import Vapid02

from labintake import metrics
from labintake.db import outbox
from labintake.db import push_subscriptions as push_repo
from labintake.db.engine import Database
from labintake.domain.clock import utcnow
from labintake.domain.errors import LabIntakeError
from labintake.domain.notifications import DeliveryError, DeliveryKind, DeliveryStatus, push_message
from labintake.notify import Doorbell
from labintake.service import mailer, push_send, webhook_send
from labintake.settings import Settings

log = logging.getLogger(__name__)

IDLE_SECONDS = 5.0
LEASE_SECONDS = 120.0  # longer than one attempt's timeouts: a claimed row is not sent twice
MAX_DELAY_SECONDS = 3600.0


class Notifier:
    def __init__(self, db: Database, settings: Settings, doorbell: Doorbell) -> None:
        self.db = db
        self.settings = settings
        self.smtp = mailer.smtp_config(settings)
        self._vapid: Vapid02 | None = None  # read (or made) at the first push
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._unsubscribe = doorbell.subscribe(None, lambda _sid, _eid: self._wake.set())
        self._thread = threading.Thread(target=self._run, name="labintake-notifier", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._unsubscribe()
        self._stop.set()
        self._wake.set()
        self._thread.join(30)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                while self.run_once() and not self._stop.is_set():
                    pass
                wait = self._until_next_due()
            except LabIntakeError as exc:  # the database is away: try again later, never exit
                log.warning("notifier: %s; retrying", exc.code)
                wait = IDLE_SECONDS
            except Exception:  # noqa: BLE001 - a bug here must not end notifications for the process's life
                log.exception("notifier: unexpected error; retrying")
                wait = IDLE_SECONDS
            self._wake.wait(wait)

    def _until_next_due(self) -> float:
        with self.db.read(system=True) as s:
            due = outbox.next_due(s)
        if due is None:
            return IDLE_SECONDS
        return max(0.0, min(IDLE_SECONDS, (due - utcnow()).total_seconds()))

    def run_once(self) -> int:
        """Send what is due now; returns how many were tried."""
        with self.db.read(system=True) as s:  # most wake-ups find nothing due: no write transaction
            due_at = outbox.next_due(s)
        if due_at is None or due_at > utcnow():
            return 0
        with self.db.transaction(system=True) as s:
            due = outbox.claim_due(s, lease_seconds=LEASE_SECONDS)
        for item in due:
            self._attempt(item)
        return len(due)

    def _attempt(self, item: outbox.Due) -> None:
        unsendable = ("smtp_not_configured" if item.kind is DeliveryKind.EMAIL and self.smtp is None else
                      "push_unsubscribed" if item.kind is DeliveryKind.PUSH and item.push_keys is None else None)
        if unsendable:
            with self.db.transaction(system=True) as s:
                outbox.record(s, item.id, DeliveryStatus.SKIPPED, attempted=False, error=unsendable)
            metrics.NOTIFICATION_ATTEMPTS.labels(item.kind.value, "skipped").inc()
            return
        try:
            http_status = self._send(item)
        except DeliveryError as exc:
            self._failed(item, exc)
            return
        except Exception:  # noqa: BLE001 - a bug in one delivery must not stop the loop
            log.exception("notifier: delivery %s failed unexpectedly", item.id)
            self._failed(item, DeliveryError("internal_error"))
            return
        with self.db.transaction(system=True) as s:
            outbox.record(s, item.id, DeliveryStatus.DELIVERED, http_status=http_status)
        metrics.NOTIFICATION_ATTEMPTS.labels(item.kind.value, "delivered").inc()
        log.info("notifier: %s delivery %s delivered (attempt %d)", item.kind, item.id, item.attempts + 1)

    def _send(self, item: outbox.Due) -> int | None:
        if item.kind is DeliveryKind.EMAIL:
            assert self.smtp is not None  # checked by _attempt
            if not item.email or "@" not in item.email:
                raise DeliveryError("no_recipient", permanent=True)
            msg = mailer.compose(self.smtp, item.email, item.payload, self.settings.public_url)
            mailer.send(self.smtp, msg)
            return None
        if item.kind is DeliveryKind.PUSH:
            assert item.url is not None and item.push_keys is not None  # checked by _attempt
            if self._vapid is None:
                self._vapid = push_send.server_key(self.db)
            subject = push_send.contact(self.settings.public_url, self.settings.mail_from, self.settings.push_contact)
            return push_send.send(push_send.Subscription(item.url, *item.push_keys), push_message(item.payload),
                                  self._vapid, subject, allow_hosts=self.settings.webhook_allow_hosts,
                                  ca_file=self.settings.webhook_ca_file)
        if not item.url or item.secret is None:  # the webhook was deleted meanwhile
            raise DeliveryError("address_refused", permanent=True)
        return webhook_send.post(item.url, item.secret, item.payload, delivery_id=item.id,
                                 allow_hosts=self.settings.webhook_allow_hosts, ca_file=self.settings.webhook_ca_file)

    def _failed(self, item: outbox.Due, exc: DeliveryError) -> None:
        attempts = item.attempts + 1
        delay = min(MAX_DELAY_SECONDS, self.settings.notify_retry_seconds * 2 ** (attempts - 1))
        retry_at = utcnow() + timedelta(seconds=delay)
        give_up = exc.permanent or retry_at > item.created_at + timedelta(hours=self.settings.notify_retry_hours)
        log.warning("notifier: %s delivery %s attempt %d failed: %s%s", item.kind, item.id, attempts, exc.code,
                    " (giving up)" if give_up else "")
        with self.db.transaction(system=True) as s:
            outbox.record(s, item.id, DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING,
                          error=exc.code, http_status=exc.http_status, retry_at=None if give_up else retry_at)
            if exc.code == "push_gone":  # the browser unsubscribed or the push service forgot it
                push_repo.remove(s, item.target)
        metrics.NOTIFICATION_ATTEMPTS.labels(item.kind.value, "failed" if give_up else "retry").inc()

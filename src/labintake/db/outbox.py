"""The notification outbox: deliveries written in the transaction that ends a session, claimed
by the notifier loop (compare-and-set on ``next_attempt_at``, so two processes never send the
same row at once), and their attempts recorded. Nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.orm import Session

from labintake.db.models import SessionProcessingSummary, User, new_id
from labintake.db.notify_models import Delivery, NotificationPreference, PushSubscription, Webhook
from labintake.domain.clock import iso, utcnow
from labintake.domain.notifications import WEBHOOK_EVENT, DeliveryKind, DeliveryStatus

SUMMARY_KEYS = ("total_files", "completed_files", "failed_files", "processing_files", "pending_files",
                "cancelled_files", "overall_progress", "session_status")


def enqueue_session_end(s: Session, session_id: str, user_id: str, event_id: int) -> None:
    """One delivery per destination of this session end: the owner's email (unless they turned
    it off), each of their webhooks and each browser they turned push on in. The payload is fixed now, so a later retry of a file
    does not change what this end reports; it holds counts only, never health data."""
    S = SessionProcessingSummary
    row = s.execute(select(S).where(S.session_id == session_id)).scalar_one_or_none()
    if row is None or row.total_files == 0:  # an empty session cancelled: nothing to report
        return
    now = utcnow()
    summary = {key: getattr(row, key) for key in SUMMARY_KEYS}
    summary["session_status"] = str(row.session_status)
    payload = {"event": WEBHOOK_EVENT, "sessionId": session_id, "status": str(row.session_status),
               "summary": summary, "finishedAt": iso(row.processing_completed_at or now)}
    email_on = s.execute(
        select(NotificationPreference.email_on_finish).where(NotificationPreference.user_id == user_id)
    ).scalar_one_or_none()
    rows: list[dict[str, Any]] = []
    if email_on is None or email_on:
        rows.append({"kind": DeliveryKind.EMAIL, "target": DeliveryKind.EMAIL.value, "webhook_id": None})
    for hook_id in s.execute(select(Webhook.id).where(Webhook.user_id == user_id)).scalars():
        rows.append({"kind": DeliveryKind.WEBHOOK, "target": hook_id, "webhook_id": hook_id})
    for sub_id in s.execute(select(PushSubscription.id).where(PushSubscription.user_id == user_id)).scalars():
        rows.append({"kind": DeliveryKind.PUSH, "target": sub_id, "webhook_id": None})
    if not rows:
        return
    s.execute(insert(Delivery), [
        {**r, "id": new_id(), "user_id": user_id, "session_id": session_id, "event_id": event_id,
         "status": DeliveryStatus.PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now,
         "payload": payload}
        for r in rows
    ])


@dataclass(frozen=True, slots=True)
class Due:
    """A claimed delivery: what the sender needs, no ORM object."""

    id: str
    kind: DeliveryKind
    user_id: str
    attempts: int
    created_at: datetime
    payload: dict[str, Any]
    email: str | None  # the owner's address (email deliveries)
    url: str | None  # the webhook's, or the push subscription's endpoint (None: deleted meanwhile)
    secret: str | None
    push_keys: tuple[str, str] | None = None  # the subscription's (p256dh, auth)
    target: str = ""  # "email", the webhook's id or the push subscription's


def claim_due(s: Session, *, lease_seconds: float, limit: int = 20, now: datetime | None = None) -> list[Due]:
    """Pending deliveries whose time has come, each pushed ``lease_seconds`` ahead so no other
    process takes it while it is being sent (a process that dies mid-send leaves it to retry)."""
    now = now or utcnow()
    D = Delivery
    rows = s.execute(
        select(D.id, D.kind, D.target, D.user_id, D.attempts, D.created_at, D.payload, D.next_attempt_at,
               User.email, Webhook.url, Webhook.secret,
               PushSubscription.endpoint, PushSubscription.p256dh, PushSubscription.auth)
        .join(User, User.id == D.user_id)
        .outerjoin(Webhook, Webhook.id == D.webhook_id)
        .outerjoin(PushSubscription, and_(D.kind == DeliveryKind.PUSH.value, PushSubscription.id == D.target))
        .where(D.status == DeliveryStatus.PENDING.value, D.next_attempt_at <= now)
        .order_by(D.next_attempt_at)
        .limit(limit)
    ).all()
    claimed = []
    for r in rows:
        taken = s.execute(
            update(D).where(D.id == r.id, D.status == DeliveryStatus.PENDING.value,
                            D.next_attempt_at == r.next_attempt_at)
            .values(next_attempt_at=now + timedelta(seconds=lease_seconds))
        ).rowcount  # type: ignore[attr-defined]  # a DML result is a CursorResult
        if not taken:
            continue
        kind = DeliveryKind(r.kind)
        if kind is DeliveryKind.PUSH:
            keys = (r.p256dh, r.auth) if r.endpoint else None
            claimed.append(Due(r.id, kind, r.user_id, r.attempts, r.created_at, r.payload, r.email, r.endpoint,
                               None, keys, r.target))
        else:
            claimed.append(Due(r.id, kind, r.user_id, r.attempts, r.created_at, r.payload, r.email, r.url,
                               r.secret, None, r.target))
    return claimed


def record(s: Session, delivery_id: str, status: DeliveryStatus, *, attempted: bool = True,
           error: str | None = None, http_status: int | None = None, retry_at: datetime | None = None) -> None:
    """The outcome of one attempt: delivered, failed for good, skipped, or pending until ``retry_at``."""
    now = utcnow()
    values: dict[str, Any] = {"status": status, "last_error": error, "last_http_status": http_status}
    if attempted:
        values["attempts"] = Delivery.attempts + 1
    if status is DeliveryStatus.DELIVERED:
        values["delivered_at"] = now
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    s.execute(update(Delivery).where(Delivery.id == delivery_id).values(values))


def next_due(s: Session) -> datetime | None:
    """When the earliest pending delivery is due (the notifier sleeps until then)."""
    return s.execute(
        select(Delivery.next_attempt_at).where(Delivery.status == DeliveryStatus.PENDING.value)
        .order_by(Delivery.next_attempt_at).limit(1)
    ).scalar_one_or_none()

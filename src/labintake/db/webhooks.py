"""Webhooks, the email preference and the delivery log, for one user. Nothing here commits."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from labintake.db.notify_models import Delivery, NotificationPreference, Webhook
from labintake.domain.clock import utcnow


def add_webhook(s: Session, user_id: str, url: str, secret: str) -> str:
    hook = Webhook(user_id=user_id, url=url, secret=secret)
    s.add(hook)
    s.flush()
    return hook.id


def webhooks(s: Session, user_id: str) -> list[Webhook]:
    return list(s.execute(
        select(Webhook).where(Webhook.user_id == user_id).order_by(Webhook.created_at, Webhook.id)
    ).scalars())


def delete_webhook(s: Session, user_id: str, webhook_id: str) -> bool:
    """False: no such webhook of this user. Its deliveries go with it."""
    gone = s.execute(delete(Webhook).where(Webhook.id == webhook_id, Webhook.user_id == user_id))
    return bool(gone.rowcount)  # type: ignore[attr-defined]  # a DML result is a CursorResult


def deliveries(s: Session, user_id: str, *, limit: int = 200) -> list[Delivery]:
    """The newest deliveries of this user, email and webhooks."""
    return list(s.execute(
        select(Delivery).where(Delivery.user_id == user_id)
        .order_by(Delivery.created_at.desc(), Delivery.id).limit(limit)
    ).scalars())


def email_on_finish(s: Session, user_id: str) -> bool:
    found = s.execute(
        select(NotificationPreference.email_on_finish).where(NotificationPreference.user_id == user_id)
    ).scalar_one_or_none()
    return True if found is None else bool(found)


def set_email_on_finish(s: Session, user_id: str, on: bool) -> None:
    pref = s.get(NotificationPreference, user_id)
    if pref is None:
        s.add(NotificationPreference(user_id=user_id, email_on_finish=on, updated_at=utcnow()))
    else:
        pref.email_on_finish = on
        pref.updated_at = utcnow()


"""Web Push subscriptions of one user, and the server's VAPID key. Nothing here commits."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from labintake.db.notify_models import PushKey, PushSubscription
from labintake.domain.clock import utcnow

KEY_ROW = 1


def subscribe(s: Session, user_id: str, endpoint: str, p256dh: str, auth: str) -> str:
    """Store (or refresh the keys of) this user's subscription at ``endpoint``; its id."""
    found = s.execute(
        select(PushSubscription).where(PushSubscription.user_id == user_id, PushSubscription.endpoint == endpoint)
    ).scalar_one_or_none()
    if found is None:
        found = PushSubscription(user_id=user_id, endpoint=endpoint, p256dh=p256dh, auth=auth, created_at=utcnow())
        s.add(found)
        s.flush()
    else:
        found.p256dh, found.auth = p256dh, auth
    return found.id


def subscriptions(s: Session, user_id: str) -> list[PushSubscription]:
    return list(s.execute(
        select(PushSubscription).where(PushSubscription.user_id == user_id)
        .order_by(PushSubscription.created_at, PushSubscription.id)
    ).scalars())


def unsubscribe(s: Session, user_id: str, subscription_id: str) -> bool:
    """False: no such subscription of this user."""
    gone = s.execute(delete(PushSubscription).where(
        PushSubscription.id == subscription_id, PushSubscription.user_id == user_id))
    return bool(gone.rowcount)  # type: ignore[attr-defined]  # a DML result is a CursorResult


def remove(s: Session, subscription_id: str) -> None:
    """The push service said the subscription has ended (404/410): forget it (system scope)."""
    s.execute(delete(PushSubscription).where(PushSubscription.id == subscription_id))


def vapid_pem(s: Session) -> str | None:
    return s.execute(select(PushKey.private_pem).where(PushKey.id == KEY_ROW)).scalar_one_or_none()


def store_vapid_pem(s: Session, pem: str) -> None:
    """The first key made; a second process racing to make one fails on the primary key."""
    s.add(PushKey(id=KEY_ROW, private_pem=pem, created_at=utcnow()))
    s.flush()

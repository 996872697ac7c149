"""Tables of session-end notifications: a user's email preference, their webhooks, their browsers'
Web Push subscriptions, the server's VAPID key, and the
outbox of deliveries (one row per session end and destination, written in the session end's
own transaction, so a delivery is never lost between the two)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from labintake.db.models import Base, EnumText, _in, id_column, user_fk
from labintake.domain.clock import utcnow
from labintake.domain.notifications import DeliveryKind, DeliveryStatus


class NotificationPreference(Base):
    """No row: the defaults (email on)."""

    __tablename__ = "notification_preferences"
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email_on_finish: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Webhook(Base):
    __tablename__ = "webhooks"
    id: Mapped[str] = id_column()
    user_id: Mapped[str] = user_fk()
    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(255))  # kept as given: it signs every delivery (HMAC)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PushSubscription(Base):
    """One browser (or installed web app) of a user that asked for Web Push: its push service
    endpoint and the keys its messages are encrypted to (RFC 8291). Removed when the person turns
    push off there, or when the push service answers 404/410 (the subscription has ended)."""

    __tablename__ = "push_subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "endpoint", name="uq_push_subscriptions_user_id_endpoint"),)
    id: Mapped[str] = id_column()
    user_id: Mapped[str] = user_fk()
    endpoint: Mapped[str] = mapped_column(String(2000))  # a capability URL of the push service
    p256dh: Mapped[str] = mapped_column(String(128))  # the browser's P-256 public key, base64url
    auth: Mapped[str] = mapped_column(String(64))  # its 16-byte auth secret, base64url
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PushKey(Base):
    """The server's VAPID key pair (RFC 8292): one row, made on first use and kept, because every
    subscription is bound to its public key. In the database, not the data directory, so the API
    (which hands browsers the public key) and every worker (which signs) share it. No user owns
    it: it is read in system scope only (no row-level policy, no grant to the app role)."""

    __tablename__ = "push_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # always 1
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One notification of one session end to one destination, with its attempts."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(DeliveryStatus)})", name="status"),
        CheckConstraint(f"kind IN ({_in(DeliveryKind)})", name="kind"),
        UniqueConstraint("event_id", "target", name="uq_notification_deliveries_event_id_target"),
        Index("ix_notification_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )
    id: Mapped[str] = id_column()
    user_id: Mapped[str] = user_fk()
    session_id: Mapped[str] = mapped_column(String(36))  # no FK: the log outlives a deleted session
    event_id: Mapped[int] = mapped_column(BigInteger)  # the session_events row of the end
    kind: Mapped[DeliveryKind] = mapped_column(EnumText(DeliveryKind))
    target: Mapped[str] = mapped_column(String(36))  # "email", the webhook's id or the push subscription's
    webhook_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[DeliveryStatus] = mapped_column(EnumText(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(32))  # domain.notifications.DELIVERY_ERRORS
    last_http_status: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]]

"""Tables of session-end notifications: a user's email preference, their webhooks, and the
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
    target: Mapped[str] = mapped_column(String(36))  # "email" or the webhook's id
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

"""Notification use cases: a person's webhooks, their email preference, their browsers' Web Push
subscriptions, and the delivery log.

Each function is one unit of work for the acting user; delivering is the notifier's job
(``service.notifier``), which reads what these write.
"""

from __future__ import annotations

import base64
import binascii
import socket
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from labintake.db import push_subscriptions as push_repo
from labintake.db import webhooks as repo
from labintake.db.notify_models import Delivery
from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.notifications import DELIVERY_ERRORS
from labintake.service import push_send, webhook_send
from labintake.service.app import LabIntake
from labintake.service.models import Created, NoNul


class WebhookIn(BaseModel):
    url: Annotated[str, NoNul] = Field(max_length=2000, description="http(s) address that receives the POSTs.")
    secret: Annotated[str, NoNul] = Field(
        min_length=8, max_length=255, description="Shared secret: every delivery is signed with it (HMAC-SHA256)."
    )


class PushKeys(BaseModel):
    p256dh: Annotated[str, NoNul] = Field(max_length=128, description="The browser's P-256 public key, base64url.")
    auth: Annotated[str, NoNul] = Field(max_length=64, description="Its 16-byte auth secret, base64url.")


class PushSubscriptionIn(BaseModel):
    """What the browser's ``PushSubscription.toJSON()`` returns."""

    endpoint: Annotated[str, NoNul] = Field(max_length=2000, description="The push service's https address.")
    keys: PushKeys
    expirationTime: int | None = None


class PushSubscriptionOut(BaseModel):
    id: str
    service: str = Field(description="The push service's host (the endpoint itself is a secret).")
    createdAt: datetime


class PushSettings(BaseModel):
    publicKey: str = Field(description="The server's VAPID public key: the applicationServerKey to subscribe with.")
    subscriptions: list[PushSubscriptionOut] = Field(description="Your browsers that get session-end pushes.")


class DeliveryOut(BaseModel):
    id: str
    kind: str = Field(description="email, webhook or push")
    webhookId: str | None
    sessionId: str
    status: str = Field(description="pending, delivered, failed (given up) or skipped")
    attempts: int
    lastError: str | None = Field(description="Stable code of the last failure.")
    lastErrorMessage: str | None
    lastHttpStatus: int | None
    createdAt: datetime
    deliveredAt: datetime | None
    nextAttemptAt: datetime | None = Field(description="When a pending delivery is tried again.")


class WebhookOut(BaseModel):
    id: str
    url: str
    createdAt: datetime
    deliveries: list[DeliveryOut] = Field(description="The newest deliveries to this webhook.")


class NotificationSettings(BaseModel):
    emailOnFinish: bool = Field(description="Email me when a session ends.")
    emailAvailable: bool = Field(description="A mail server is configured (LABINTAKE_SMTP_URL).")


class NotificationSettingsIn(BaseModel):
    emailOnFinish: bool


def _delivery(d: Delivery) -> DeliveryOut:
    error = d.last_error
    return DeliveryOut(
        id=d.id, kind=str(d.kind), webhookId=d.webhook_id, sessionId=d.session_id, status=str(d.status),
        attempts=d.attempts, lastError=error, lastErrorMessage=DELIVERY_ERRORS.get(error) if error else None,
        lastHttpStatus=d.last_http_status, createdAt=d.created_at, deliveredAt=d.delivered_at,
        nextAttemptAt=d.next_attempt_at if str(d.status) == "pending" else None,
    )


def check_webhook_url(li: LabIntake, url: str, *, https_only: bool = False) -> None:
    """Refuse at once what delivery would refuse: not http(s), or an address that is not public
    (unless allow-listed). Delivery checks again, after its own resolution."""
    try:
        scheme, host, port = webhook_send.parse_url(url)
    except ValueError as exc:
        raise LabIntakeError(ErrorCode.VALIDATION, str(exc)) from exc
    if https_only and scheme != "https":
        raise LabIntakeError(ErrorCode.VALIDATION, "A push service's endpoint is an https:// address.")
    if host in {h.lower() for h in li.settings.webhook_allow_hosts}:
        return
    try:
        ips = {str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError) as exc:
        raise LabIntakeError(ErrorCode.VALIDATION, f"The webhook host {host!r} cannot be resolved.") from exc
    if any(webhook_send.refused(ip) for ip in ips):
        raise LabIntakeError(ErrorCode.VALIDATION, DELIVERY_ERRORS["address_refused"])


def add_webhook(li: LabIntake, user_id: str, body: WebhookIn) -> Created:
    url = body.url.strip()
    check_webhook_url(li, url)
    with li.db.transaction() as s:
        return Created(id=repo.add_webhook(s, user_id, url, body.secret))


def list_webhooks(li: LabIntake, user_id: str) -> list[WebhookOut]:
    with li.db.read() as s:
        hooks = repo.webhooks(s, user_id)
        log = repo.deliveries(s, user_id)
        return [
            WebhookOut(id=h.id, url=h.url, createdAt=h.created_at,
                       deliveries=[_delivery(d) for d in log if d.webhook_id == h.id][:20])
            for h in hooks
        ]


def delete_webhook(li: LabIntake, user_id: str, webhook_id: str) -> None:
    with li.db.transaction() as s:
        if not repo.delete_webhook(s, user_id, webhook_id):
            raise LabIntakeError(ErrorCode.NOT_FOUND, "No such webhook.")


def deliveries(li: LabIntake, user_id: str, limit: int = 50) -> list[DeliveryOut]:
    with li.db.read() as s:
        return [_delivery(d) for d in repo.deliveries(s, user_id, limit=limit)]


def settings_of(li: LabIntake, user_id: str) -> NotificationSettings:
    with li.db.read() as s:
        on = repo.email_on_finish(s, user_id)
    return NotificationSettings(emailOnFinish=on, emailAvailable=li.settings.smtp_url is not None)


def set_email_on_finish(li: LabIntake, user_id: str, on: bool) -> NotificationSettings:
    with li.db.transaction() as s:
        repo.set_email_on_finish(s, user_id, on)
    return settings_of(li, user_id)


def _b64url_bytes(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return b""


def push_settings(li: LabIntake, user_id: str) -> PushSettings:
    vapid = push_send.server_key(li.db)
    with li.db.read() as s:
        subs = push_repo.subscriptions(s, user_id)
        listed = [PushSubscriptionOut(id=p.id, service=webhook_send.parse_url(p.endpoint)[1], createdAt=p.created_at)
                  for p in subs]
    return PushSettings(publicKey=push_send.public_key(vapid), subscriptions=listed)


def subscribe_push(li: LabIntake, user_id: str, body: PushSubscriptionIn) -> Created:
    """Session ends are pushed to this browser from now on (the same endpoint again: its keys refreshed)."""
    key, auth = _b64url_bytes(body.keys.p256dh), _b64url_bytes(body.keys.auth)
    if len(key) != 65 or key[0] != 4 or len(auth) != 16:
        raise LabIntakeError(ErrorCode.VALIDATION, "The subscription's keys are not a P-256 public key and a "
                             "16-byte auth secret (base64url).")
    endpoint = body.endpoint.strip()
    check_webhook_url(li, endpoint, https_only=True)
    with li.db.transaction() as s:
        return Created(id=push_repo.subscribe(s, user_id, endpoint, body.keys.p256dh, body.keys.auth))


def unsubscribe_push(li: LabIntake, user_id: str, subscription_id: str) -> None:
    with li.db.transaction() as s:
        if not push_repo.unsubscribe(s, user_id, subscription_id):
            raise LabIntakeError(ErrorCode.NOT_FOUND, "No such push subscription.")

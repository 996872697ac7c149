"""Webhooks and notification preferences: the routes of DESIGN §7 (`POST|GET /api/webhooks`,
`DELETE /api/webhooks/{id}`), the email switch the settings page uses, and Web Push
subscriptions (`GET /api/push`, `POST /api/push/subscriptions`, `DELETE /api/push/subscriptions/{id}`)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from labintake.service import notifications
from labintake.service.models import Created
from labintake.service.notifications import (
    DeliveryOut,
    NotificationSettings,
    NotificationSettingsIn,
    PushSettings,
    PushSubscriptionIn,
    WebhookIn,
    WebhookOut,
)
from labintake.web.deps import LI, CurrentUser
from labintake.web.errors import ERROR_RESPONSES, ErrorBody

router = APIRouter(prefix="/api", tags=["notifications"], responses=ERROR_RESPONSES)


@router.post(
    "/webhooks", status_code=201, response_model=Created, summary="Add a webhook",
    responses={422: {"model": ErrorBody, "description": "Not an http(s) URL, or its host resolves to a "
                     "loopback, private, link-local or reserved address (`validation`)."}},
)
def add_webhook(body: WebhookIn, li: LI, user_id: CurrentUser) -> Created:
    """Each session end is POSTed to `url` as `{"event": "session.finished", "sessionId", "status",
    "summary", "finishedAt"}`, signed: `X-LabIntake-Signature: sha256=<hex HMAC-SHA256(secret,
    "{X-LabIntake-Timestamp}.{raw body}")>`. Failures are retried with backoff for 24 hours."""
    return notifications.add_webhook(li, user_id, body)


@router.get("/webhooks", response_model=list[WebhookOut], summary="Your webhooks, each with its newest deliveries")
def list_webhooks(li: LI, user_id: CurrentUser) -> list[WebhookOut]:
    return notifications.list_webhooks(li, user_id)


@router.delete("/webhooks/{webhook_id}", status_code=204, response_class=Response, summary="Delete a webhook")
def delete_webhook(webhook_id: str, li: LI, user_id: CurrentUser) -> Response:
    notifications.delete_webhook(li, user_id, webhook_id)
    return Response(status_code=204)


@router.get("/notifications", response_model=NotificationSettings, summary="Your notification settings")
def get_settings(li: LI, user_id: CurrentUser) -> NotificationSettings:
    return notifications.settings_of(li, user_id)


@router.put("/notifications", response_model=NotificationSettings, summary="Turn session-end email on or off")
def put_settings(body: NotificationSettingsIn, li: LI, user_id: CurrentUser) -> NotificationSettings:
    return notifications.set_email_on_finish(li, user_id, body.emailOnFinish)


@router.get("/notifications/deliveries", response_model=list[DeliveryOut],
            summary="Your newest email and webhook deliveries")
def deliveries(li: LI, user_id: CurrentUser) -> list[DeliveryOut]:
    return notifications.deliveries(li, user_id)


@router.get("/push", response_model=PushSettings, summary="The VAPID public key, and your browsers that get pushes")
def push_settings(li: LI, user_id: CurrentUser) -> PushSettings:
    return notifications.push_settings(li, user_id)


@router.post(
    "/push/subscriptions", status_code=201, response_model=Created, summary="Push session ends to this browser",
    responses={422: {"model": ErrorBody, "description": "Not an https endpoint, its host is not public, or the "
                     "keys are not a P-256 key and a 16-byte secret (`validation`)."}},
)
def subscribe_push(body: PushSubscriptionIn, li: LI, user_id: CurrentUser) -> Created:
    """Send the browser's `PushSubscription.toJSON()` (made with `applicationServerKey` = `GET /api/push`'s
    `publicKey`). Each session end is then pushed to it (Web Push, RFC 8030/8291/8292) as
    `{"title", "body", "tag", "url"}`: outcome and counts only. The same endpoint again returns its id."""
    return notifications.subscribe_push(li, user_id, body)


@router.delete("/push/subscriptions/{subscription_id}", status_code=204, response_class=Response,
               summary="Stop pushing to a browser")
def unsubscribe_push(subscription_id: str, li: LI, user_id: CurrentUser) -> Response:
    notifications.unsubscribe_push(li, user_id, subscription_id)
    return Response(status_code=204)

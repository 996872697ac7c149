"""One Web Push delivery attempt (RFC 8030): the message encrypted to the browser's keys
(RFC 8291, ``aes128gcm``, by pywebpush and http_ece), a VAPID token signed with the server's
key (RFC 8292, py-vapid), and the POST to the push service's endpoint, which leaves through
``webhook_send.pinned_post``: the same address check after DNS resolution as a webhook.

The server's VAPID key is made once and kept in the database (``db.push_subscriptions``), so
the API that hands browsers its public key and every worker that signs use the same one.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02
from pywebpush import WebPusher, WebPushException
from sqlalchemy.exc import IntegrityError

from labintake.db import push_subscriptions as repo
from labintake.db.engine import Database
from labintake.domain.notifications import DeliveryError
from labintake.service.webhook_send import pinned_post

TTL_SECONDS = 24 * 3600  # a phone that is off for a day still gets the news when it wakes
TOKEN_SECONDS = 12 * 3600  # a VAPID token's life; push services refuse more than 24 hours
GONE = (404, 410)  # the subscription has ended: remove it
REFUSED = (400, 401, 403, 413)  # a message this server built wrong: retrying would not help


@dataclass(frozen=True, slots=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def server_key(db: Database) -> Vapid02:
    """The VAPID key pair, made and stored on first use (a racing process's key wins if first)."""
    with db.read(system=True) as s:
        pem = repo.vapid_pem(s)
    if pem is None:
        made = Vapid02()
        made.generate_keys()
        try:
            with db.transaction(system=True) as s:
                repo.store_vapid_pem(s, made.private_pem().decode())
        except IntegrityError:
            pass  # another process stored its key first: use that one
        with db.read(system=True) as s:
            pem = repo.vapid_pem(s)
    assert pem is not None
    return Vapid02.from_pem(pem.encode())


def public_key(vapid: Vapid02) -> str:
    """The ``applicationServerKey`` a browser subscribes with: the uncompressed P-256 point, base64url."""
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(raw)


def contact(public_url: str | None, mail_from: str | None, configured: str | None) -> str:
    """The VAPID ``sub`` claim: how a push service's operator reaches whoever runs this server."""
    if configured:
        return configured
    if public_url and public_url.startswith("https://"):
        return public_url
    return f"mailto:{mail_from or 'labintake@localhost'}"


def encrypt(sub: Subscription, message: dict[str, str]) -> bytes:
    """The message as JSON, encrypted to the subscription's keys (``aes128gcm``)."""
    data = json.dumps(message, separators=(",", ":")).encode()
    try:
        pusher = WebPusher({"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}})
        return bytes(pusher.encode(data, content_encoding="aes128gcm")["body"])
    except (WebPushException, ValueError) as exc:  # keys that are not a P-256 point and 16 bytes
        raise DeliveryError("push_refused", permanent=True) from exc


def send(sub: Subscription, message: dict[str, str], vapid: Vapid02, subject: str, *,
         allow_hosts: tuple[str, ...], ca_file: Path | None = None, timeout: float = 10.0) -> int:
    """One push; the push service's status on 2xx, else ``DeliveryError`` (``push_gone`` on 404/410)."""
    parts = urlsplit(sub.endpoint)
    if parts.scheme != "https":
        raise DeliveryError("push_refused", permanent=True)
    claims = {"sub": subject, "aud": f"{parts.scheme}://{parts.netloc}", "exp": int(time.time()) + TOKEN_SECONDS}
    headers = {**vapid.sign(claims), "Content-Encoding": "aes128gcm", "Content-Type": "application/octet-stream",
               "TTL": str(TTL_SECONDS), "Urgency": "normal"}
    response = pinned_post(sub.endpoint, encrypt(sub, message), headers, allow_hosts=allow_hosts,
                           ca_file=ca_file, timeout=timeout)
    status = response.status_code
    if status in GONE:
        raise DeliveryError("push_gone", permanent=True, http_status=status)
    if status in REFUSED:
        raise DeliveryError("push_refused", permanent=True, http_status=status)
    if not 200 <= status < 300:
        raise DeliveryError("http_error", http_status=status)
    return status

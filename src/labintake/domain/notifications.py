"""Session-end notifications: delivery kinds and statuses, what a delivery failure is called,
and the outcome line an email subject and a browser notification say.

An outcome says counts only: no patient names, no values, no file names.
"""

from __future__ import annotations

from enum import StrEnum


class DeliveryKind(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"
    PUSH = "push"  # Web Push to one browser or installed web app (one subscription)


class DeliveryStatus(StrEnum):
    """``pending`` (waiting for its next attempt) → ``delivered`` | ``failed`` (gave up) |
    ``skipped`` (nothing to send it with: email without SMTP settings)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    SKIPPED = "skipped"


# A delivery attempt's failure: stable code -> what to tell the person reading the delivery log.
DELIVERY_ERRORS: dict[str, str] = {
    "address_refused": "The webhook's host resolves to a private, loopback, link-local, multicast or reserved "
    "address. List the host in LABINTAKE_WEBHOOK_ALLOW_HOSTS to allow it.",
    "unresolvable_host": "The webhook's host name could not be resolved.",
    "connection_failed": "The receiver could not be reached (connection refused, reset or timed out).",
    "tls_failed": "The receiver's TLS certificate is not trusted or not for its host name. A certificate of a "
    "private CA is trusted once that CA is in LABINTAKE_WEBHOOK_CA_FILE.",
    "http_error": "The receiver answered with a status other than 2xx.",
    "push_gone": "The push service says this browser's subscription has ended; it was removed.",
    "push_refused": "The push service refused the message (bad request, authorization or size); not retried.",
    "push_unsubscribed": "Push notifications were turned off on that browser before this was sent.",
    "smtp_refused": "The mail server refused the message for now.",
    "smtp_unreachable": "The mail server could not be reached.",
    "smtp_not_configured": "No mail server is configured (LABINTAKE_SMTP_URL).",
    "no_recipient": "The account has no email address to send to.",
    "internal_error": "An unexpected error occurred while sending; it is retried.",
}

WEBHOOK_EVENT = "session.finished"


class DeliveryError(Exception):
    """One delivery attempt failed; ``code`` is a key of ``DELIVERY_ERRORS``. ``permanent``: no retry."""

    def __init__(self, code: str, *, permanent: bool = False, http_status: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.permanent = permanent
        self.http_status = http_status


def push_message(payload: dict[str, object]) -> dict[str, str]:
    """What a Web Push notification shows for a session-end payload (``db.outbox``): the outcome
    and counts, and where a click leads. Never the session's name: a person may have named it
    after a patient, and a phone shows notifications on its lock screen."""
    summary = payload.get("summary")
    counts = summary if isinstance(summary, dict) else {}
    done, failed = int(counts.get("completed_files", 0)), int(counts.get("failed_files", 0))
    cancelled, total = int(counts.get("cancelled_files", 0)), int(counts.get("total_files", 0))
    session_id = str(payload.get("sessionId", ""))
    return {"title": outcome(done, failed, cancelled),
            "body": f"LabIntake: a session of {total} file{'' if total == 1 else 's'} has ended.",
            "tag": f"session-{session_id}", "url": f"/sessions/{session_id}/review"}


def outcome(completed: int, failed: int, cancelled: int = 0) -> str:
    """``12 reports ready`` · ``11 ready, 1 needs attention`` · ``0 ready, 2 need attention, 1 cancelled``."""
    if failed == 0 and cancelled == 0:
        return f"{completed} report{'' if completed == 1 else 's'} ready"
    parts = [f"{completed} ready"]
    if failed:
        parts.append(f"{failed} need{'s' if failed == 1 else ''} attention")
    if cancelled:
        parts.append(f"{cancelled} cancelled")
    return ", ".join(parts)

"""Session-end email: the SMTP settings, the message (counts and a link, never health data), and
one send attempt whose failures are translated into delivery error codes."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

from labintake.domain.notifications import DeliveryError, outcome
from labintake.settings import Settings


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    implicit_tls: bool  # smtps://
    user: str | None
    password: str | None
    sender: str


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """None when no mail server is configured."""
    if settings.smtp_url is None:
        return None
    parts = urlsplit(settings.smtp_url.get_secret_value())
    implicit = parts.scheme == "smtps"
    host = parts.hostname or "localhost"
    user = unquote(parts.username) if parts.username else settings.smtp_user
    password = unquote(parts.password) if parts.password else (
        settings.smtp_password.get_secret_value() if settings.smtp_password else None
    )
    return SmtpConfig(host, parts.port or (465 if implicit else 587), implicit, user, password,
                      settings.mail_from or f"labintake@{host}")


def compose(config: SmtpConfig, to: str, payload: dict[str, Any], public_url: str | None) -> EmailMessage:
    """The message for one session end: outcome in the subject, counts and the review link in the body."""
    summary = payload.get("summary", {})
    completed, failed = int(summary.get("completed_files", 0)), int(summary.get("failed_files", 0))
    cancelled = int(summary.get("cancelled_files", 0))
    total = int(summary.get("total_files", completed + failed + cancelled))
    line = outcome(completed, failed, cancelled)
    link = f"{public_url or ''}/sessions/{payload['sessionId']}/review"
    lines = [
        f"Your upload session has finished: {line}.",
        "",
        f"Files: {total}",
        f"Ready: {completed}",
        f"Need attention: {failed}",
    ]
    if cancelled:
        lines.append(f"Cancelled: {cancelled}")
    lines += ["", f"Review them: {link}", "",
              "You get this email because session-end emails are on in your LabIntake settings."]
    msg = EmailMessage()
    msg["Subject"] = f"LabIntake: {line}"
    msg["From"] = config.sender
    msg["To"] = to
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(domain=config.sender.rsplit("@", 1)[-1])
    msg.set_content("\n".join(lines) + "\n")
    return msg


def send(config: SmtpConfig, msg: EmailMessage, *, timeout: float = 20.0) -> None:
    """One attempt; raises ``DeliveryError`` (``smtp_refused`` / ``smtp_unreachable``)."""
    try:
        if config.implicit_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=timeout,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=timeout)
        with client:
            client.ehlo()
            if not config.implicit_tls and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if config.user:
                client.login(config.user, config.password or "")
            client.send_message(msg)
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        # 4xx and 5xx alike are retried: a refusal is usually a full queue, greylisting or a
        # misconfiguration someone will fix, and the retry window is bounded.
        raise DeliveryError("smtp_refused") from exc
    except (smtplib.SMTPException, OSError) as exc:  # connection refused, reset, TLS failure, timeout
        raise DeliveryError("smtp_unreachable") from exc

"""Notification texts and settings, without IO: outcome wording, the signature scheme the README
documents, SMTP settings from the URL or separate settings, an email without health data."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest
from pydantic import ValidationError

from labintake.domain.notifications import outcome
from labintake.service.mailer import compose, smtp_config
from labintake.service.webhook_send import parse_url, sign
from labintake.settings import Settings


def test_outcome_wording() -> None:
    assert outcome(12, 0) == "12 reports ready"
    assert outcome(1, 0) == "1 report ready"
    assert outcome(11, 1) == "11 ready, 1 needs attention"
    assert outcome(0, 3) == "0 ready, 3 need attention"
    assert outcome(2, 0, 1) == "2 ready, 1 cancelled"


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"event":"session.finished"}'
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign("k", "1700000000", body) == f"sha256={expected}"
    assert sign("k", "1700000001", body) != sign("k", "1700000000", body)  # the timestamp is signed


def test_smtp_settings_from_the_url_or_separately(tmp_path: Path) -> None:
    in_url = smtp_config(Settings(data_dir=tmp_path, smtp_url="smtps://ann%40x.org:p%2Fw@mail.x.org"))
    assert in_url is not None
    assert (in_url.host, in_url.port, in_url.implicit_tls, in_url.user, in_url.password, in_url.sender) == (
        "mail.x.org", 465, True, "ann@x.org", "p/w", "labintake@mail.x.org")
    apart = smtp_config(Settings(data_dir=tmp_path, smtp_url="smtp://mail.x.org:2525", smtp_user="u",
                                 smtp_password="pw", mail_from="labs@x.org"))
    assert apart is not None
    assert (apart.port, apart.implicit_tls, apart.user, apart.password, apart.sender) == (
        2525, False, "u", "pw", "labs@x.org")
    assert smtp_config(Settings(data_dir=tmp_path)) is None
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, smtp_url="http://mail.x.org")


def test_an_email_has_counts_and_the_link_only(tmp_path: Path) -> None:
    config = smtp_config(Settings(data_dir=tmp_path, smtp_url="smtp://mail.x.org"))
    assert config is not None
    payload = {"sessionId": "s-1", "summary": {"total_files": 12, "completed_files": 11, "failed_files": 1}}
    msg = compose(config, "ann@x.org", payload, "https://labs.x.org")
    assert msg["Subject"] == "LabIntake: 11 ready, 1 needs attention"
    body = msg.get_content()
    assert "https://labs.x.org/sessions/s-1/review" in body
    assert "Files: 12" in body and "Ready: 11" in body and "Need attention: 1" in body


@pytest.mark.parametrize("url", ["ftp://x.org/", "http:///path", "https://u:p@x.org/", "https://x.org:99999/"])
def test_webhook_urls_that_are_not_plain_http_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        parse_url(url)

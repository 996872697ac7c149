"""The only place the environment is read. Everything else receives a ``Settings``."""

from __future__ import annotations

import os
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """LabIntake's configuration; every field can be set as ``LABINTAKE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="LABINTAKE_", extra="ignore", frozen=True)

    data_dir: Path = Field(Path("./var"), description="SQLite database and uploaded files live here.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; default sqlite under data_dir. A postgresql+psycopg:// URL selects PostgreSQL.",
    )
    migration_database_url: str | None = Field(
        None, description="PostgreSQL: the URL migrations run with, as the role that owns the tables, when "
        "database_url logs in as a separate role that does not (docs/deploy.md). Default database_url.",
    )
    storage_url: str | None = Field(
        None,
        description="Where uploads live: default a directory under data_dir; file:///shared/dir for a "
        "directory every machine mounts, or s3://bucket/prefix?endpoint_url=… for S3-compatible storage.",
    )
    per_session_concurrency: int = Field(3, ge=1, description="Files of one session running at once.")
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, description="Files running at once, globally."
    )
    max_retry_attempts: int = Field(3, ge=1, description="Attempts per file before a transient error is final.")
    retry_backoff_seconds: float = Field(2.0, ge=0, description="First automatic retry delay; doubles each attempt.")
    file_timeout_seconds: float = Field(
        120.0, gt=0, description="Hard limit for a one-page file; the worker is killed. Each further page "
        "adds file_timeout_per_page_seconds.",
    )
    file_timeout_per_page_seconds: float = Field(
        10.0, ge=0, description="Seconds a file's limit grows by for each page after the first (an OCR page "
        "takes seconds, and a report that fails validation is read up to three times).",
    )
    session_timeout_seconds: float | None = Field(None, gt=0, description="Optional deadline for a whole session.")
    lease_seconds: float = Field(30.0, gt=0, description="A running file is recovered when its lease expires.")
    poll_interval_seconds: float = Field(0.2, gt=0, description="How often the executor looks for work when idle.")
    max_file_bytes: int = Field(50 * 1024 * 1024, gt=0, description="Upload size limit.")
    max_request_bytes: int = Field(
        1024 * 1024 * 1024, gt=0,
        description="Limit for one HTTP request's body (all files of one upload together). A larger "
        "request is refused with 413 as soon as its Content-Length says so, before anything is read.",
    )
    max_concurrent_uploads: int = Field(
        4, gt=0, description="Upload requests (uploads and replacements) one user may have in flight at once, per "
        "server process; one more gets 429 too_many_requests with Retry-After before its body is read.",
    )
    max_json_bytes: int = Field(
        1024 * 1024, gt=0, description="Limit for a request body that is not a multipart upload (JSON, forms): "
        "413 as soon as its Content-Length says so, or once that much of it has arrived.",
    )
    max_connections: int = Field(
        10_000, gt=0, description="Open connections (push streams included) one server process serves at once; "
        "a request beyond them gets 503 at once instead of queueing.",
    )
    keep_alive_seconds: int = Field(5, gt=0, description="An idle keep-alive connection is closed after this many seconds.")
    max_pages: int = Field(500, gt=0, description="PDF page limit (pages, or frames of an image).")
    max_image_pixels: int = Field(60_000_000, gt=0, description="Image pixel limit (width x height).")
    max_render_pixels: int = Field(
        25_000_000, gt=0, description="Largest page image the review page is sent (width x height); "
        "a bigger page is rendered at a smaller scale.",
    )
    ocr_dpi: int = Field(200, ge=72, le=600, description="Resolution PDF pages are rendered at for OCR.")
    log_level: str = Field("INFO", description="Python log level.")
    cors_origins: tuple[str, ...] = Field(
        (), description="Origins allowed to call the API from a browser (CORS); none by default. "
        'As JSON: LABINTAKE_CORS_ORIGINS=\'["https://app.example.org"]\'.',
    )
    session_idle_hours: float = Field(8.0, gt=0, description="A browser session not used this long ends.")
    token_ttl_days: int = Field(90, ge=1, description="Default lifetime of a new API token (`tokens create --days`).")
    public_url: str | None = Field(
        None, description="The address people use (https://labs.example.org). With https, cookies are Secure "
        "and HSTS is sent, whatever the app binds to behind its proxy; links in emails use it.",
    )
    trusted_proxies: tuple[str, ...] = Field(
        (), description="Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed; "
        'none by default. As JSON: LABINTAKE_TRUSTED_PROXIES=\'["127.0.0.1"]\'.',
    )
    metrics_token: SecretStr | None = Field(
        None, description="Bearer token /metrics requires. Unset: /metrics answers loopback clients only.",
    )
    executor: Literal["auto", "embedded", "procrastinate"] = Field(
        "auto",
        description="auto: procrastinate on PostgreSQL, the in-process executor on SQLite. "
        "'embedded' forces the in-process one (small installs on PostgreSQL).",
    )
    intake_dir: Path | None = Field(
        None, description="An intake folder that `labintake serve` watches: files dropped in are processed "
        "and moved to done/ or failed/ (`labintake watch DIR` does the same on its own).",
    )
    intake_user: str | None = Field(
        None, description="Email of the account intake-folder files belong to; default the local account."
    )
    intake_settle_seconds: float = Field(
        2.0, ge=0, description="An intake file is picked up once its size and mtime held still this long."
    )
    intake_poll_seconds: float = Field(1.0, gt=0, description="How often the intake folder is scanned.")
    vision_enabled: bool = Field(
        False, description="Use the optional vision-LLM extractor when local OCR and parsing fail validation."
    )
    vision_base_url: str | None = Field(
        None, description="OpenAI-compatible API base URL for the vision extractor (…/v1)."
    )
    vision_api_key: SecretStr | None = Field(None, description="Bearer key for the vision extractor's endpoint.")
    vision_model: str | None = Field(None, description="Model name sent to the vision extractor's endpoint.")
    vision_timeout_seconds: float = Field(60.0, gt=0, description="Time limit for one vision-extractor request.")
    # Cost estimates (analytics): stored per file when it ends, so history keeps the prices of its day.
    cost_per_cpu_hour: float = Field(
        0.04, ge=0, description="Price of one CPU-hour of local processing (a cloud vCPU-hour is about 0.04 USD)."
    )
    vision_price_input_per_mtok: float = Field(
        0.0, ge=0, description="Price of a million vision-LLM input (prompt) tokens."
    )
    vision_price_output_per_mtok: float = Field(
        0.0, ge=0, description="Price of a million vision-LLM output (completion) tokens."
    )
    cost_currency: str = Field("USD", max_length=8, description="Currency the cost prices are in (shown beside costs).")

    smtp_url: SecretStr | None = Field(
        None, description="Mail server for session-end emails: smtp://host:587 (STARTTLS when offered) or "
        "smtps://host:465, with user:password@ in the URL or in the two settings below. Unset: no email.",
    )
    smtp_user: str | None = Field(None, description="SMTP login, if not in LABINTAKE_SMTP_URL.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password, if not in LABINTAKE_SMTP_URL.")
    mail_from: str | None = Field(
        None, description="Sender address of session-end emails (default labintake@ the SMTP host)."
    )
    webhook_allow_hosts: tuple[str, ...] = Field(
        (), description="Webhook and push-service hosts allowed although they resolve to a loopback, private, link-local or "
        'reserved address (refused otherwise). As JSON: LABINTAKE_WEBHOOK_ALLOW_HOSTS=\'["hooks.internal"]\'.',
    )
    webhook_ca_file: Path | None = Field(
        None, description="PEM file of CA certificates trusted, besides the public ones, for https webhooks and push "
        "services (a receiver whose certificate a private CA issued). The host name is always checked.",
    )
    push_contact: str | None = Field(
        None, description="mailto: or https: address push services may contact the operator at (the VAPID "
        "'sub'); default LABINTAKE_PUBLIC_URL when https, else mailto: LABINTAKE_MAIL_FROM.",
    )
    notify_retry_seconds: float = Field(
        30.0, gt=0, description="First retry delay of an email, webhook or push delivery; doubles each attempt (at most "
        "an hour apart).",
    )
    notify_retry_hours: float = Field(
        24.0, gt=0, description="An email, webhook or push delivery not delivered within this time is given up.",
    )

    @field_validator("cors_origins")
    @classmethod
    def _no_wildcard(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # With credentials allowed, "*" would let any site read a logged-in user's health data.
        if any("*" in origin for origin in value):
            raise ValueError(
                "LABINTAKE_CORS_ORIGINS may not contain '*': list the exact origins that may call the API "
                '(e.g. \'["https://app.example.org"]\')'
            )
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("LABINTAKE_PUBLIC_URL must start with https:// (or http:// for local use)")
        return value.rstrip("/") if value else value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("smtp://", "smtps://")):
            raise ValueError("LABINTAKE_SMTP_URL must start with smtp:// or smtps://")
        return value

    @property
    def session_idle(self) -> timedelta:
        return timedelta(hours=self.session_idle_hours)

    @property
    def https(self) -> bool:
        """People reach us over TLS (the proxy terminates it): cookies Secure, HSTS on."""
        return bool(self.public_url and self.public_url.startswith("https://"))

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @cached_property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'labintake.db'}"

    @property
    def is_postgres(self) -> bool:
        return self.db_url.startswith("postgresql")

    @property
    def distributed(self) -> bool:
        """Files run on procrastinate workers (``labintake worker``), not inside ``serve``."""
        if self.executor == "auto":
            return self.is_postgres
        return self.executor == "procrastinate"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

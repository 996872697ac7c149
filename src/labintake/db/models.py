"""SQLAlchemy models: the tables of DESIGN §2. Every row a user owns carries ``user_id``.

Timestamps are naive UTC (``utcnow()``); the API renders them with a ``Z``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from labintake.domain.clock import utcnow
from labintake.domain.status import EventKind, FileStatus, SessionState, SessionStatus

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    return str(uuid.uuid4())


def _in(values: Any) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E], Generic[E]):
    """A status column: VARCHAR in the database (checked by a CHECK constraint built from the
    enum), the domain's enum in Python. Plain strings are accepted when writing and comparing."""

    impl = String(16)
    cache_ok = True

    def __init__(self, enum: type[E], length: int = 16) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, datetime: DateTime()}


Id = Mapped[str]


def id_column() -> Mapped[str]:
    return mapped_column(String(36), primary_key=True, default=new_id)


def user_fk() -> Mapped[str]:
    return mapped_column(String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True)


class User(Base):
    __tablename__ = "users"
    id: Id = id_column()
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Id = id_column()
    user_id: Mapped[str] = user_fk()
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]  # None: made before expiry existed, valid until revoked
    revoked_at: Mapped[datetime | None]


class BrowserSession(Base):
    __tablename__ = "browser_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie value
    user_id: Mapped[str] = user_fk()
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime | None]  # idle timeout: written at most once a minute


class AuthEpoch(Base):
    """One row: bumped by every revocation, disable and password change, so every process
    drops the credentials it cached (see ``auth.TokenCache``)."""

    __tablename__ = "auth_epoch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger, default=0)


class ProcessingSession(Base):
    __tablename__ = "processing_sessions"
    __table_args__ = (CheckConstraint(f"state IN ({_in(SessionState)})", name="state"),)
    id: Id = id_column()
    user_id: Mapped[str] = user_fk()
    name: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[SessionState] = mapped_column(EnumText(SessionState), default=SessionState.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    deadline_at: Mapped[datetime | None]  # optional per-session timeout
    # The session's own deadline from ``POST /api/sessions`` (0008); None: the setting's.
    timeout_seconds: Mapped[float | None]


class UploadedFile(Base):
    __tablename__ = "uploaded_files"
    id: Id = id_column()
    user_id: Mapped[str] = user_fk()
    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("processing_sessions.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_type: Mapped[str] = mapped_column(String(100))
    file_size_bytes: Mapped[int] = mapped_column(BigInteger)
    page_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FileProcessingStatus(Base):
    __tablename__ = "file_processing_status"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(FileStatus)})", name="status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        Index("ix_file_processing_status_admission", "status", "next_attempt_at"),
    )
    id: Id = id_column()
    file_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("uploaded_files.id", ondelete="CASCADE"), unique=True
    )
    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("processing_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = user_fk()
    status: Mapped[FileStatus] = mapped_column(EnumText(FileStatus), default=FileStatus.PENDING, index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    processing_started_at: Mapped[datetime | None]
    processing_completed_at: Mapped[datetime | None]
    processing_duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    attempt_number: Mapped[int] = mapped_column(Integer, default=1)
    max_retry_attempts: Mapped[int] = mapped_column(Integer, default=3)
    # Worker processes that died on this file while the server lived (poison pills; 0008).
    recoveries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_retryable: Mapped[bool] = mapped_column(Boolean, default=True)
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_details: Mapped[dict[str, Any] | None]
    file_name: Mapped[str] = mapped_column(String(255))
    file_type: Mapped[str] = mapped_column(String(100))
    file_size_bytes: Mapped[int] = mapped_column(BigInteger)
    extracted_text: Mapped[str | None] = mapped_column(Text)  # first 1000 characters
    extraction_model: Mapped[str | None] = mapped_column(String(100))
    parsing_metadata: Mapped[dict[str, Any] | None]
    # Pages read of the current reading, and how many there are (progress within extracting).
    pages_done: Mapped[int | None] = mapped_column(Integer)
    pages_total: Mapped[int | None] = mapped_column(Integer)
    # What the file cost (migration 0011): worker CPU-seconds over every attempt, vision-LLM
    # tokens, and both as money at the prices configured when it ended (estimates).
    cpu_seconds: Mapped[float | None] = mapped_column(Float)
    vision_input_tokens: Mapped[int | None] = mapped_column(Integer)
    vision_output_tokens: Mapped[int | None] = mapped_column(Integer)
    compute_cost: Mapped[float | None] = mapped_column(Float)
    vision_cost: Mapped[float | None] = mapped_column(Float)
    # File name, patient name and lab name, normalised (domain.search); indexed per dialect
    # (pg_trgm GIN on PostgreSQL, an FTS5 trigram table on SQLite; migration 0011).
    search_text: Mapped[str | None] = mapped_column(Text)
    # Execution: who holds the file and until when.
    worker_id: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SessionProcessingSummary(Base):
    """Maintained by triggers on ``file_processing_status`` (see ``db/triggers.py``)."""

    __tablename__ = "session_processing_summary"
    __table_args__ = (CheckConstraint(f"session_status IN ({_in(SessionStatus)})", name="status"),)
    id: Id = id_column()
    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("processing_sessions.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[str] = user_fk()
    total_files: Mapped[int] = mapped_column(Integer, default=0)
    pending_files: Mapped[int] = mapped_column(Integer, default=0)
    processing_files: Mapped[int] = mapped_column(Integer, default=0)
    completed_files: Mapped[int] = mapped_column(Integer, default=0)
    failed_files: Mapped[int] = mapped_column(Integer, default=0)  # failed + timeout
    timeout_files: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_files: Mapped[int] = mapped_column(Integer, default=0)
    overall_progress: Mapped[int] = mapped_column(Integer, default=0)
    session_status: Mapped[SessionStatus] = mapped_column(
        EnumText(SessionStatus), default=SessionStatus.PENDING
    )
    processing_started_at: Mapped[datetime | None]
    processing_completed_at: Mapped[datetime | None]
    total_processing_time_ms: Mapped[int | None] = mapped_column(BigInteger)
    timed_out: Mapped[bool] = mapped_column(Boolean, default=False)
    timeout_threshold_ms: Mapped[int | None] = mapped_column(BigInteger)
    continuation_token: Mapped[str | None] = mapped_column(String(100))
    can_resume: Mapped[bool] = mapped_column(Boolean, default=True)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON)
    updated_at: Mapped[datetime | None]


class SessionEvent(Base):
    """The replayable log behind push. Ids are monotonic; clients resume after an id."""

    __tablename__ = "session_events"
    __table_args__ = (Index("ix_session_events_session_id_id", "session_id", "id"),)
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("processing_sessions.id", ondelete="CASCADE")
    )
    user_id: Mapped[str] = user_fk()
    file_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[EventKind] = mapped_column(EnumText(EventKind, 32))
    status: Mapped[str | None] = mapped_column(String(16))
    progress: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Patient(Base):
    __tablename__ = "patients"
    id: Id = id_column()
    user_id: Mapped[str] = user_fk()
    name: Mapped[str | None] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(10))
    mrn: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LabReport(Base):
    __tablename__ = "lab_reports"
    id: Id = id_column()
    user_id: Mapped[str] = user_fk()
    patient_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("patients.id", ondelete="SET NULL"), index=True
    )
    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("processing_sessions.id", ondelete="CASCADE"), index=True
    )
    # One report per file: saving twice is impossible, not just unlikely.
    file_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("uploaded_files.id", ondelete="CASCADE"), unique=True
    )
    lab_name: Mapped[str | None] = mapped_column(String(200))
    collected_at: Mapped[date | None] = mapped_column(Date)
    reported_at: Mapped[date | None] = mapped_column(Date)
    ordering_provider: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TestResult(Base):
    __tablename__ = "test_results"
    __test__ = False  # not a pytest class
    id: Id = id_column()
    user_id: Mapped[str] = user_fk()
    report_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("lab_reports.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    name_as_printed: Mapped[str | None] = mapped_column(String(200))
    loinc: Mapped[str | None] = mapped_column(String(16), index=True)
    value: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str | None] = mapped_column(String(50))
    reference_low: Mapped[float | None] = mapped_column(Float)
    reference_high: Mapped[float | None] = mapped_column(Float)
    reference_text: Mapped[str | None] = mapped_column(String(100))
    flag: Mapped[str | None] = mapped_column(String(10))
    flag_source: Mapped[str | None] = mapped_column(String(10))
    section: Mapped[str | None] = mapped_column(String(100))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    review_reason: Mapped[str | None] = mapped_column(String(100))
    page: Mapped[int | None] = mapped_column(Integer)
    bbox: Mapped[list[float] | None] = mapped_column(JSON)
    confidence: Mapped[float | None] = mapped_column(Float)


class ParsedDocument(Base):
    """The whole extracted object as the extractor produced it, kept apart from corrections."""

    __tablename__ = "parsed_documents"
    id: Id = id_column()
    user_id: Mapped[str] = user_fk()
    file_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("uploaded_files.id", ondelete="CASCADE"), unique=True
    )
    report_id: Mapped[str] = mapped_column(String(36), ForeignKey("lab_reports.id", ondelete="CASCADE"))
    extraction_model: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

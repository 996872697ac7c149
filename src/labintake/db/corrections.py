"""A person's corrections to an extracted report, kept apart from what was extracted.

``parsed_documents`` holds the report exactly as the extractor produced it and is never
written again; a correction is one row per corrected field (``target``, e.g.
``patient.name`` or ``results.3.value_text``) with the new value and the value it
replaced. The reviewed report is the extracted one with the corrections laid over it, so
either can always be shown, exported or audited. Confirming a report is a separate row.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from labintake.db.models import Base, id_column, user_fk, utcnow
from labintake.domain import schemas


class Correction(Base):
    __tablename__ = "corrections"
    __table_args__ = (UniqueConstraint("file_id", "target", name="uq_corrections_file_id_target"),)
    id: Mapped[str] = id_column()
    user_id: Mapped[str] = user_fk()
    file_id: Mapped[str] = mapped_column(String(36), ForeignKey("uploaded_files.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    original: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)


class ReportReview(Base):
    __tablename__ = "report_reviews"
    id: Mapped[str] = id_column()
    user_id: Mapped[str] = user_fk()
    file_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("uploaded_files.id", ondelete="CASCADE"), unique=True
    )
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)


HEADER_FIELDS = {
    "patient": ("name", "date_of_birth", "sex", "mrn"),
    "report": ("lab_name", "collected_at", "reported_at", "ordering_provider"),
}
RESULT_FIELDS = ("name", "value_text", "unit", "flag", "loinc", "reference_range.text")
DATE_FIELDS = {"date_of_birth", "collected_at", "reported_at"}
_RESULT_TARGET = re.compile(r"^results\.(\d{1,4})\.(name|value_text|unit|flag|loinc|reference_range\.text)$")
_NUMBER = re.compile(r"^\s*(?:<=|>=|<|>|≤|≥)?\s*(-?\d+(?:[.,]\d+)?)\s*$")


class BadCorrection(ValueError):
    """The target does not name a correctable field, or the value does not fit it."""


def check(report: schemas.LabReport, target: str, value: str | None) -> tuple[str | None, Any]:
    """The normalised value for ``target`` and the extracted value it replaces; raises BadCorrection."""
    value = value.strip() if isinstance(value, str) else value
    value = value or None
    section, _, field = target.partition(".")
    if section in HEADER_FIELDS and field in HEADER_FIELDS[section]:
        original = getattr(getattr(report, section), field)
        if field in DATE_FIELDS and value is not None:
            try:
                value = date.fromisoformat(value).isoformat()
            except ValueError as exc:
                raise BadCorrection("Dates are YYYY-MM-DD.") from exc
        if field == "sex" and value not in (None, "male", "female", "other"):
            raise BadCorrection("Sex is male, female or other.")
        return value, original.isoformat() if isinstance(original, date) else original
    match = _RESULT_TARGET.match(target)
    if match is None:
        raise BadCorrection(f"{target!r} is not a correctable field.")
    index, field = int(match.group(1)), match.group(2)
    if index >= len(report.results):
        raise BadCorrection("No such result row.")
    row = report.results[index]
    if field == "reference_range.text":
        original = row.reference_range.text if row.reference_range else None
    else:
        original = getattr(row, field)
    if field == "flag" and value not in (None, "high", "low", "normal", "abnormal"):
        raise BadCorrection("Flag is high, low, normal or abnormal.")
    if field in ("name", "value_text") and value is None:
        raise BadCorrection("This field cannot be empty.")
    return value, original


def corrections(s: Session, file_id: str, user_id: str) -> dict[str, dict[str, Any]]:
    rows = s.execute(
        select(Correction).where(Correction.file_id == file_id, Correction.user_id == user_id)
    ).scalars()
    return {
        r.target: {"value": r.value, "original": r.original, "updatedAt": r.updated_at.isoformat() + "Z"}
        for r in rows
    }


def save(s: Session, *, user_id: str, file_id: str, target: str, value: Any, original: Any) -> bool:
    """Record (or replace) one correction; a value equal to the extracted one removes it.

    Returns True when a correction is now in place.
    """
    s.execute(delete(Correction).where(Correction.file_id == file_id, Correction.user_id == user_id,
                                       Correction.target == target))
    if value == original:
        return False
    s.add(Correction(user_id=user_id, file_id=file_id, target=target, value=value, original=original))
    return True


def confirm(s: Session, *, user_id: str, file_id: str) -> datetime:
    row = s.execute(
        select(ReportReview).where(ReportReview.file_id == file_id, ReportReview.user_id == user_id)
    ).scalar_one_or_none()
    now = utcnow()
    if row is None:
        s.add(ReportReview(user_id=user_id, file_id=file_id, confirmed_at=now))
    else:
        row.confirmed_at = now
    return now


def confirmed_at(s: Session, file_id: str, user_id: str) -> datetime | None:
    return s.execute(
        select(ReportReview.confirmed_at).where(ReportReview.file_id == file_id, ReportReview.user_id == user_id)
    ).scalar_one_or_none()


def apply_value(value_text: str | None) -> float | None:
    """The number in a corrected value as printed (``<0,5`` -> 0.5), or None if qualitative."""
    number = _NUMBER.match(value_text or "")
    return float(number.group(1).replace(",", ".")) if number else None


def apply(report: schemas.LabReport, fixes: dict[str, dict[str, Any]]) -> schemas.LabReport:
    """The report with corrections laid over it (the extracted report is not modified)."""
    data = report.model_dump(mode="json")
    for target, fix in fixes.items():
        value = fix["value"]
        section, _, field = target.partition(".")
        if section in HEADER_FIELDS and field in HEADER_FIELDS[section]:
            data[section][field] = value
            continue
        match = _RESULT_TARGET.match(target)
        if match is None or int(match.group(1)) >= len(data["results"]):
            continue
        row = data["results"][int(match.group(1))]
        field = match.group(2)
        if field == "reference_range.text":
            row["reference_range"] = {**(row.get("reference_range") or {}), "text": value}
        else:
            row[field] = value
        if field == "value_text":
            row["value"] = apply_value(value)
        row["needs_review"] = False  # a person has looked at it
        row["review_reason"] = None
        row["corrected"] = True
    return schemas.LabReport.model_validate(data)

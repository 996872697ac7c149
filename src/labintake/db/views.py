"""What the pages read: review data, patient series, daily figures.

Every function takes the user id and filters on it, like ``db/history.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, cast, func, select
from sqlalchemy.orm import Session

from labintake.db import corrections as corr
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import LabReport as ReportRow
from labintake.db.models import (
    Patient,
    TestResult,
    UploadedFile,
)
from labintake.db.results import load_report
from labintake.domain.clock import iso
from labintake.domain.status import (
    FileStatus,
)

# --- review ---------------------------------------------------------------------------------


def review_files(s: Session, session_id: str, user_id: str) -> list[dict[str, Any]]:
    """Every completed file of the session with its report, corrections and review state."""
    rows = s.execute(
        select(FPS.id, FPS.file_id, FPS.file_name, FPS.file_type, FPS.status, UploadedFile.page_count,
               ReportRow.patient_id, FPS.parsing_metadata)
        .join(UploadedFile, UploadedFile.id == FPS.file_id)
        .outerjoin(ReportRow, ReportRow.file_id == FPS.file_id)
        .where(FPS.session_id == session_id, FPS.user_id == user_id, FPS.status == FileStatus.COMPLETED.value)
        .order_by(FPS.created_at, FPS.id)
    ).all()
    out = []
    for r in rows:
        report = load_report(s, r.file_id, user_id)
        if report is None:
            continue
        confirmed = corr.confirmed_at(s, r.file_id, user_id)
        out.append({
            "fileId": r.id,
            "fileName": r.file_name,
            "fileType": r.file_type,
            "pageCount": r.page_count,
            "patientId": r.patient_id,
            "report": report.model_dump(mode="json"),
            "corrections": corr.corrections(s, r.file_id, user_id),
            "confirmedAt": iso(confirmed),
            "pageSizes": (r.parsing_metadata or {}).get("page_sizes") or {},
        })
    return out


def stored_file(s: Session, fps_id: str, user_id: str) -> Any | None:
    """Storage key, type and uploaded-file id of one of the user's files (and how it was read)."""
    return s.execute(
        select(UploadedFile.id, UploadedFile.storage_key, UploadedFile.file_type, UploadedFile.page_count,
               FPS.status, FPS.parsing_metadata)
        .join(FPS, FPS.file_id == UploadedFile.id)
        .where(FPS.id == fps_id, FPS.user_id == user_id)
    ).first()


# --- patients -------------------------------------------------------------------------------


def patients(s: Session, user_id: str) -> list[dict[str, Any]]:
    rows = s.execute(
        select(Patient.id, Patient.name, Patient.date_of_birth, Patient.sex, Patient.mrn,
               func.count(ReportRow.id).label("reports"))
        .outerjoin(ReportRow, ReportRow.patient_id == Patient.id)
        .where(Patient.user_id == user_id)
        .group_by(Patient.id, Patient.name, Patient.date_of_birth, Patient.sex, Patient.mrn)
        .order_by(Patient.name)
    ).all()
    return [{"id": r.id, "name": r.name, "dateOfBirth": r.date_of_birth.isoformat() if r.date_of_birth else None,
             "sex": r.sex, "mrn": r.mrn, "reports": r.reports} for r in rows]


def patient(s: Session, patient_id: str, user_id: str) -> Any | None:
    """A row, not an ORM object: it is read after the session has ended (a read ends in a
    rollback, which expires ORM objects; the template then failed with DetachedInstanceError)."""
    return s.execute(
        select(Patient.id, Patient.name, Patient.date_of_birth, Patient.mrn)
        .where(Patient.id == patient_id, Patient.user_id == user_id)
    ).first()


def patient_analytes(s: Session, patient_id: str, user_id: str) -> list[dict[str, Any]]:
    rows = s.execute(
        select(TestResult.name, TestResult.loinc, func.count().label("n"))
        .join(ReportRow, ReportRow.id == TestResult.report_id)
        .where(ReportRow.patient_id == patient_id, ReportRow.user_id == user_id)
        .group_by(TestResult.name, TestResult.loinc)
        .order_by(func.count().desc(), TestResult.name)
    ).all()
    return [{"name": r.name, "loinc": r.loinc, "count": r.n} for r in rows]


def patient_series(s: Session, patient_id: str, user_id: str, analyte: str) -> list[dict[str, Any]]:
    """One analyte (LOINC code or name) across the patient's reports, oldest first.

    A person's correction of a value, unit or name wins over the extracted value.
    """
    match = TestResult.loinc == analyte if "-" in analyte and analyte[0].isdigit() else TestResult.name == analyte
    when = func.coalesce(ReportRow.collected_at, ReportRow.reported_at, cast(ReportRow.created_at, Date))
    rows = s.execute(
        select(TestResult.position, TestResult.name, TestResult.value, TestResult.value_text, TestResult.unit,
               TestResult.reference_low, TestResult.reference_high, TestResult.flag, when.label("on"),
               ReportRow.file_id, FPS.id.label("fps_id"), FPS.session_id)
        .join(ReportRow, ReportRow.id == TestResult.report_id)
        .join(FPS, FPS.file_id == ReportRow.file_id)
        .where(ReportRow.patient_id == patient_id, ReportRow.user_id == user_id, match)
        .order_by(when, ReportRow.created_at)
    ).all()
    out = []
    for r in rows:
        fixes = corr.corrections(s, r.file_id, user_id)
        value, value_text, unit = r.value, r.value_text, r.unit
        fix = fixes.get(f"results.{r.position}.value_text")
        if fix is not None:
            corrected = corr.apply_value(fix["value"])
            value, value_text = corrected, fix["value"]
        if f"results.{r.position}.unit" in fixes:
            unit = fixes[f"results.{r.position}.unit"]["value"]
        on = r.on if isinstance(r.on, date) else (date.fromisoformat(str(r.on)[:10]) if r.on else None)
        out.append({
            "date": on.isoformat() if on else None, "value": value, "valueText": value_text, "unit": unit,
            "low": r.reference_low, "high": r.reference_high, "flag": r.flag,
            "fileId": r.fps_id, "sessionId": r.session_id, "corrected": fix is not None,
        })
    return out


def select_one() -> Any:
    """The cheapest statement that proves the database answers (readiness)."""
    from sqlalchemy import text

    return text("SELECT 1")

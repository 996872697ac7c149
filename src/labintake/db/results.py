"""Saving a parsed report (patients, lab_reports, test_results, parsed_documents) and reading it back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from labintake.db.models import LabReport as LabReportRow
from labintake.db.models import ParsedDocument, Patient, TestResult
from labintake.domain import schemas


def save_report(
    s: Session,
    *,
    user_id: str,
    session_id: str,
    file_id: str,
    report: schemas.LabReport,
    extraction_model: str | None,
) -> LabReportRow:
    """Insert the report and its results. ``lab_reports.file_id`` is unique: a file is never saved twice."""
    patient = _patient(s, user_id, report.patient)
    row = LabReportRow(
        user_id=user_id, session_id=session_id, file_id=file_id,
        patient_id=patient.id if patient else None,
        lab_name=report.report.lab_name, collected_at=report.report.collected_at,
        reported_at=report.report.reported_at, ordering_provider=report.report.ordering_provider,
    )
    s.add(row)
    s.flush()
    s.add_all(
        TestResult(
            user_id=user_id, report_id=row.id, position=i, name=r.name, name_as_printed=r.name_as_printed, loinc=r.loinc,
            value=r.value, value_text=r.value_text, unit=r.unit,
            reference_low=r.reference_range.low if r.reference_range else None,
            reference_high=r.reference_range.high if r.reference_range else None,
            reference_text=r.reference_range.text if r.reference_range else None,
            flag=r.flag, flag_source=r.flag_source, section=r.section,
            needs_review=r.needs_review, review_reason=r.review_reason, page=r.page,
            bbox=list(r.bbox) if r.bbox else None, confidence=r.confidence,
        )
        for i, r in enumerate(report.results)
    )
    s.add(
        ParsedDocument(
            user_id=user_id, file_id=file_id, report_id=row.id,
            extraction_model=extraction_model, data=report.model_dump(mode="json"),
        )
    )
    return row


def _patient(s: Session, user_id: str, p: schemas.Patient) -> Patient | None:
    """The user's existing patient with this name and birth date, or a new one."""
    if not (p.name or p.mrn):
        return None
    query = select(Patient).where(Patient.user_id == user_id)
    if p.mrn:
        query = query.where(Patient.mrn == p.mrn)
    else:
        query = query.where(Patient.name == p.name, Patient.date_of_birth == p.date_of_birth)
    existing = s.execute(query.limit(1)).scalar_one_or_none()
    if existing is not None:
        return existing
    patient = Patient(user_id=user_id, name=p.name, date_of_birth=p.date_of_birth, sex=p.sex, mrn=p.mrn)
    s.add(patient)
    s.flush()
    return patient


def load_report(s: Session, file_id: str, user_id: str) -> schemas.LabReport | None:
    """The report as extracted (the ``parsed_documents`` copy), scoped to its owner."""
    data = s.execute(
        select(ParsedDocument.data).where(
            ParsedDocument.file_id == file_id, ParsedDocument.user_id == user_id
        )
    ).scalar_one_or_none()
    return schemas.LabReport.model_validate(data) if data is not None else None

"""Patient records follow review: a person's correction of a report's patient (name, date of
birth, sex, MRN) moves the report to the patient it names, so the patients list and the trend
views show what the person confirmed. The extracted report itself is never rewritten."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labintake.db.models import LabReport, Patient
from labintake.domain import schemas


def _match(s: Session, user_id: str, p: schemas.Patient) -> Patient | None:
    """The user's patient this reading names: by MRN when there is one, else by name and birth date
    (the rule ``results.save_report`` files new reports by)."""
    query = select(Patient).where(Patient.user_id == user_id)
    if p.mrn:
        query = query.where(Patient.mrn == p.mrn)
    else:
        query = query.where(Patient.name == p.name, Patient.date_of_birth == p.date_of_birth)
    return s.execute(query.order_by(Patient.id).limit(1)).scalar_one_or_none()


def _reports_of(s: Session, patient_id: str) -> int:
    return s.execute(select(func.count()).select_from(LabReport).where(LabReport.patient_id == patient_id)).scalar_one()


def follow_review(s: Session, user_id: str, file_id: str, reviewed: schemas.Patient) -> str | None:
    """File the report of ``file_id`` under the patient ``reviewed`` names, updating that
    patient's record; a patient left without reports goes. Returns the patient id (None when
    the reviewed report names nobody)."""
    report = s.execute(
        select(LabReport).where(LabReport.file_id == file_id, LabReport.user_id == user_id)
    ).scalar_one_or_none()
    if report is None:
        return None
    old = s.get(Patient, report.patient_id) if report.patient_id else None
    target: Patient | None = None
    if reviewed.name or reviewed.mrn:
        target = _match(s, user_id, reviewed)
        if target is None and old is not None and _reports_of(s, old.id) == 1:
            target = old  # the patient exists through this report only: it becomes what the person says
        if target is None:
            target = Patient(user_id=user_id)
            s.add(target)
        target.name, target.date_of_birth, target.mrn = reviewed.name, reviewed.date_of_birth, reviewed.mrn
        if reviewed.sex:
            target.sex = reviewed.sex
        s.flush()
    report.patient_id = target.id if target else None
    s.flush()
    if old is not None and (target is None or old.id != target.id) and _reports_of(s, old.id) == 0:
        s.delete(old)
    return report.patient_id

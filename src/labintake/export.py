"""Render a parsed report as JSON (DESIGN §4), CSV (one row per result) or a FHIR R4 Bundle."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

from labintake.domain.schemas import LabReport

FORMATS = ("json", "csv", "fhir")

CSV_COLUMNS = [
    "patient_name", "date_of_birth", "collected_at", "name", "loinc", "value", "value_text",
    "unit", "reference_low", "reference_high", "reference_text", "flag", "flag_source",
    "needs_review", "page", "confidence",
]


def to_json(report: LabReport) -> str:
    return report.model_dump_json(indent=2)


def to_csv(report: LabReport) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in report.results:
        rr = r.reference_range
        writer.writerow(
            {
                "patient_name": report.patient.name,
                "date_of_birth": report.patient.date_of_birth,
                "collected_at": report.report.collected_at,
                "name": r.name, "loinc": r.loinc, "value": r.value, "value_text": r.value_text,
                "unit": r.unit,
                "reference_low": rr.low if rr else None,
                "reference_high": rr.high if rr else None,
                "reference_text": rr.text if rr else None,
                "flag": r.flag, "flag_source": r.flag_source, "needs_review": r.needs_review,
                "page": r.page, "confidence": r.confidence,
            }
        )
    return out.getvalue()


_INTERPRETATION = {"high": ("H", "High"), "low": ("L", "Low"), "normal": ("N", "Normal"),
                   "abnormal": ("A", "Abnormal")}
_V3_INTERP = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
_UCUM = "http://unitsofmeasure.org"
_LOINC = "http://loinc.org"


def _quantity(value: float, unit: str | None, ucum: dict[str, str]) -> dict[str, Any]:
    """A FHIR Quantity; ``system``/``code`` only when the unit has a UCUM code (a unit
    printed on the report but unknown to the catalog keeps just its text)."""
    q: dict[str, Any] = {"value": value}
    if unit:
        q["unit"] = unit
        code = ucum.get(unit)
        if code:
            q.update(system=_UCUM, code=code)
    return q


def to_fhir(report: LabReport, *, bundle_id: str | None = None) -> dict[str, Any]:
    """A FHIR R4 collection Bundle: Patient, DiagnosticReport and one Observation per result.

    Observations carry the LOINC code, the value as a UCUM Quantity (or a string for
    qualitative results), the reference range and the interpretation code (v3
    ObservationInterpretation H/L/N/A). Valid against the ``fhir.resources`` R4 models
    (tests/unit/test_fhir.py).
    """
    from labintake.parse.catalog import get_catalog

    ucum = get_catalog().ucum
    ids = uuid.uuid5(uuid.NAMESPACE_URL, bundle_id or report.model_dump_json())
    patient_id = str(uuid.uuid5(ids, "patient"))
    report_id = str(uuid.uuid5(ids, "report"))
    patient: dict[str, Any] = {"resourceType": "Patient", "id": patient_id}
    p = report.patient
    if p.name:
        parts = p.name.split()
        name: dict[str, Any] = {"text": p.name}
        if len(parts) > 1:
            name.update(family=parts[-1], given=parts[:-1])
        patient["name"] = [name]
    if p.date_of_birth:
        patient["birthDate"] = p.date_of_birth.isoformat()
    if p.sex:
        patient["gender"] = p.sex
    if p.mrn:
        patient["identifier"] = [{
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}],
                     "text": "MRN"},
            "value": p.mrn,
        }]
    observations = []
    for i, r in enumerate(report.results):
        code: dict[str, Any] = {"text": r.name}
        if r.loinc:
            code["coding"] = [{"system": _LOINC, "code": r.loinc, "display": r.name}]
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "id": str(uuid.uuid5(ids, f"obs-{i}")),
            "status": "preliminary" if r.needs_review else "final",
            "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "laboratory", "display": "Laboratory"}]}],
            "code": code,
            "subject": {"reference": f"urn:uuid:{patient_id}"},
        }
        if report.report.collected_at:
            obs["effectiveDateTime"] = report.report.collected_at.isoformat()
        if r.value is not None:
            quantity = _quantity(r.value, r.unit, ucum)
            literal = r.value_text.strip()
            for c in ("<=", ">=", "<", ">", "≤", "≥"):
                if literal.startswith(c):
                    quantity["comparator"] = {"≤": "<=", "≥": ">="}.get(c, c)
                    break
            obs["valueQuantity"] = quantity
        else:
            obs["valueString"] = r.value_text
        rr = r.reference_range
        if rr and (rr.low is not None or rr.high is not None or rr.text):
            rng: dict[str, Any] = {}
            if rr.low is not None:
                rng["low"] = _quantity(rr.low, r.unit, ucum)
            if rr.high is not None:
                rng["high"] = _quantity(rr.high, r.unit, ucum)
            if rr.text:
                rng["text"] = rr.text
            obs["referenceRange"] = [rng]
        if r.flag:
            c, display = _INTERPRETATION[r.flag]
            obs["interpretation"] = [{"coding": [{"system": _V3_INTERP, "code": c, "display": display}]}]
        observations.append(obs)
    diagnostic: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "id": report_id,
        "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "LAB",
                                  "display": "Laboratory"}]}],
        "code": {"coding": [{"system": _LOINC, "code": "11502-2", "display": "Laboratory report"}],
                 "text": "Laboratory report"},
        "subject": {"reference": f"urn:uuid:{patient_id}"},
        "result": [{"reference": f"urn:uuid:{o['id']}"} for o in observations],
    }
    if report.report.collected_at:
        diagnostic["effectiveDateTime"] = report.report.collected_at.isoformat()
    if report.report.reported_at:
        diagnostic["issued"] = report.report.reported_at.isoformat() + "T00:00:00Z"
    if report.report.lab_name:
        diagnostic["performer"] = [{"display": report.report.lab_name}]
    resources = [patient, diagnostic, *observations]
    return {
        "resourceType": "Bundle",
        "id": str(ids),
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


def render(report: LabReport, fmt: str) -> str:
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "fhir":
        return json.dumps(to_fhir(report), indent=2)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")

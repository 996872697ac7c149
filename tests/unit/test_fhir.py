"""FHIR R4 export: the Bundle validates against the fhir.resources R4 (R4B) models."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from labintake.domain.schemas import LabReport, Patient, ReferenceRange, Report, Result
from labintake.export import to_fhir

pytest.importorskip("fhir.resources")
from fhir.resources.R4B.bundle import Bundle  # noqa: E402
from fhir.resources.R4B.observation import Observation  # noqa: E402


def _report() -> LabReport:
    return LabReport(
        patient=Patient(name="Jane Q Doe", date_of_birth=date(1980, 2, 14), sex="female", mrn="000123"),
        report=Report(lab_name="Northwind", collected_at=date(2025, 3, 4), reported_at=date(2025, 3, 5)),
        results=[
            Result(name="Hemoglobin", loinc="718-7", value=13.5, value_text="13.5", unit="g/dL",
                   reference_range=ReferenceRange(low=12.0, high=16.0, text="12.0-16.0"), flag="normal",
                   page=1, bbox=(1, 2, 3, 4), confidence=0.99),
            Result(name="CRP", loinc="1988-5", value=0.5, value_text="<0.5", unit="mg/L",
                   reference_range=ReferenceRange(high=5.0, text="<5.0"), flag="normal"),
            Result(name="WBC", loinc="6690-2", value=12.1, value_text="12.1", unit="10^3/uL",
                   reference_range=ReferenceRange(low=4.0, high=11.0, text="4.0-11.0"), flag="high"),
            Result(name="Urine Protein (Dipstick)", loinc="5804-0", value=None, value_text="Trace",
                   reference_range=ReferenceRange(text="Negative"), flag="abnormal", needs_review=True),
            Result(name="Mystery", value=3.0, value_text="3", unit="furlongs"),
        ],
    )


def _observations(bundle: dict) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]


def test_bundle_validates_against_r4_models():
    bundle = to_fhir(_report(), bundle_id="file-1")
    parsed = Bundle.model_validate(bundle)
    kinds = [e.resource.__resource_type__ for e in parsed.entry]
    assert kinds == ["Patient", "DiagnosticReport", *["Observation"] * 5]
    for obs in _observations(bundle):
        Observation.model_validate(obs)


def test_observations_carry_loinc_ucum_ranges_and_interpretation():
    hgb, crp, wbc, protein, mystery = _observations(to_fhir(_report()))
    assert hgb["code"]["coding"][0] == {"system": "http://loinc.org", "code": "718-7",
                                        "display": "Hemoglobin [Mass/volume] in Blood"}
    assert hgb["valueQuantity"] == {"value": 13.5, "unit": "g/dL", "system": "http://unitsofmeasure.org",
                                    "code": "g/dL"}
    assert hgb["referenceRange"][0]["low"]["value"] == 12.0
    assert hgb["interpretation"][0]["coding"][0]["code"] == "N"
    assert crp["valueQuantity"]["comparator"] == "<"
    assert wbc["valueQuantity"]["code"] == "10*3/uL"  # the UCUM code, not the display spelling
    assert wbc["interpretation"][0]["coding"][0]["code"] == "H"
    assert protein["valueString"] == "Trace" and protein["status"] == "preliminary"
    assert "system" not in mystery["valueQuantity"]  # no UCUM code for an unknown unit
    assert "coding" not in mystery["code"]


def test_ids_are_stable_per_bundle_id():
    when = datetime(2025, 3, 6, 9, 30, tzinfo=UTC)
    assert to_fhir(_report(), bundle_id="x", timestamp=when) == to_fhir(_report(), bundle_id="x", timestamp=when)

"""What a FHIR client acts on: codes and displays, units, ranges with strict bounds,
dates, status, narrative and identity (issue 17)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from labintake.domain.schemas import LabReport, Patient, ReferenceRange, Report, Result
from labintake.export import to_csv, to_fhir

pytest.importorskip("fhir.resources")
from fhir.resources.R4B.bundle import Bundle


def _report(**kw) -> LabReport:
    results = kw.pop("results", None) or [
        Result(name="WBC", name_as_printed="WBC", loinc="6690-2", value=7.1, value_text="7.1", unit="10^3/uL",
               reference_range=ReferenceRange(low=4.0, high=11.0, text="4.0-11.0"), flag="normal"),
        Result(name="Cholesterol/HDL Ratio", name_as_printed="Chol/HDL", loinc="9830-1", value=5.0,
               value_text="5.0", unit=None, reference_range=ReferenceRange(high=5.0, text="<5.0",
                                                                           high_comparator="<"), flag="high"),
        Result(name="Glucose", name_as_printed="GLU", loinc="14749-6", value=5.4, value_text="5.4",
               unit="mmol/L", reference_range=ReferenceRange(high=5.5, text="≤5.5", high_comparator="<="),
               flag="normal"),
        Result(name="Plateletcrit", name_as_printed="PCT", value=0.26, value_text="0.26", unit="%",
               needs_review=True, review_reason="unit_not_coded"),
    ]
    return LabReport(patient=kw.pop("patient", Patient(name="DOE, JANE Q", mrn="A-17")),
                     report=kw.pop("report", Report(collected_at=date(2025, 3, 4), reported_at=date(2025, 3, 5))),
                     results=results)


def _resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_code_text_is_the_printed_label_and_display_the_loinc_name():
    wbc, ratio, glucose, pct = _resources(to_fhir(_report()), "Observation")
    assert wbc["code"]["text"] == "WBC"
    assert wbc["code"]["coding"][0]["display"] == "Leukocytes [#/volume] in Blood by Automated count"
    assert glucose["code"]["coding"][0] == {"system": "http://loinc.org", "code": "14749-6",
                                            "display": "Glucose [Moles/volume] in Serum or Plasma"}
    assert pct["code"] == {"text": "PCT"}  # no code: no coding at all
    assert "display" not in ratio["code"]["coding"][0] or ratio["code"]["coding"][0]["display"] != "Chol/HDL"


def test_strict_bound_is_text_only_and_inclusive_bound_is_emitted():
    _, ratio, glucose, _ = _resources(to_fhir(_report()), "Observation")
    assert ratio["referenceRange"] == [{"text": "<5.0"}]  # 5.0 itself is outside "<5.0"
    assert glucose["referenceRange"][0]["high"]["value"] == 5.5 and glucose["referenceRange"][0]["text"] == "≤5.5"
    assert "low" not in glucose["referenceRange"][0]


def test_strict_bound_inferred_from_the_printed_text_when_no_comparator_is_stored():
    r = Result(name="CRP", loinc="1988-5", value=1.0, value_text="1.0", unit="mg/L",
               reference_range=ReferenceRange(high=5.0, text="< 5.0"))
    (obs,) = _resources(to_fhir(_report(results=[r])), "Observation")
    assert obs["referenceRange"] == [{"text": "< 5.0"}]


def test_ratio_without_unit_carries_ratio_ucum():
    _, ratio, _, _ = _resources(to_fhir(_report()), "Observation")
    assert ratio["valueQuantity"]["code"] == "{ratio}" and ratio["valueQuantity"]["system"] == "http://unitsofmeasure.org"


def test_a_unitless_ph_and_specific_gravity_carry_their_ucum_unit_and_no_invented_text():
    ph = Result(name="Urine pH", name_as_printed="pH", loinc="5803-2", value=6.0, value_text="6.0",
                reference_range=ReferenceRange(low=5.0, high=8.0, text="5.0-8.0"))
    sg = Result(name="Urine Specific Gravity", name_as_printed="SG", loinc="5811-5", value=1.02,
                value_text="1.020", reference_range=ReferenceRange(low=1.005, high=1.03, text="1.005-1.030"))
    ph_obs, sg_obs = _resources(to_fhir(_report(results=[ph, sg])), "Observation")
    for obs, code in ((ph_obs, "[pH]"), (sg_obs, "1")):
        value, rng = obs["valueQuantity"], obs["referenceRange"][0]
        assert value["code"] == code and value["system"] == "http://unitsofmeasure.org"
        assert "unit" not in value
        assert rng["low"]["code"] == rng["high"]["code"] == code


def test_a_printed_unit_on_a_ph_is_kept_and_not_replaced():
    ph = Result(name="Urine pH", loinc="5803-2", value=6.0, value_text="6.0", unit="mmol/L")
    (obs,) = _resources(to_fhir(_report(results=[ph])), "Observation")
    assert obs["valueQuantity"]["unit"] == "mmol/L" and obs["valueQuantity"].get("code") != "[pH]"


def test_lab_unit_spellings_get_ucum_and_keep_the_unit_text():
    r = Result(name="NRBC", loinc="58413-6", value=2.0, value_text="2", unit="/100 WBC")
    (obs,) = _resources(to_fhir(_report(results=[r])), "Observation")
    assert obs["valueQuantity"]["unit"] == "/100 WBC" and obs["valueQuantity"]["code"] == "/100{WBCs}"


def test_dates_effective_is_collection_and_no_invented_issued_instant():
    bundle = to_fhir(_report())
    (report,) = _resources(bundle, "DiagnosticReport")
    assert report["effectiveDateTime"] == "2025-03-04"
    assert "issued" not in report
    for obs in _resources(bundle, "Observation"):
        assert obs["effectiveDateTime"] == "2025-03-04"


def test_status_preliminary_while_rows_need_review_final_once_confirmed():
    bundle = to_fhir(_report())
    (report,) = _resources(bundle, "DiagnosticReport")
    assert report["status"] == "preliminary"
    assert [o["status"] for o in _resources(bundle, "Observation")] == ["final", "final", "final", "preliminary"]
    confirmed = to_fhir(_report(), confirmed=True)
    assert _resources(confirmed, "DiagnosticReport")[0]["status"] == "final"
    assert {o["status"] for o in _resources(confirmed, "Observation")} == {"final"}
    clean = _report(results=_report().results[:3])
    assert _resources(to_fhir(clean), "DiagnosticReport")[0]["status"] == "final"


def test_narrative_bundle_identity_and_patient():
    when = datetime(2025, 3, 6, 9, 30, tzinfo=UTC)
    bundle = to_fhir(_report(), bundle_id="file-9", timestamp=when)
    Bundle.model_validate(bundle)
    assert bundle["timestamp"] == "2025-03-06T09:30:00Z"
    assert bundle["identifier"]["value"] == f"urn:uuid:{bundle['id']}"
    (report,) = _resources(bundle, "DiagnosticReport")
    assert report["text"]["status"] == "generated"
    assert "<table>" in report["text"]["div"] and "GLU" in report["text"]["div"]
    (patient,) = _resources(bundle, "Patient")
    assert patient["identifier"][0]["value"] == "A-17"
    assert patient["name"][0] == {"text": "DOE, JANE Q", "family": "DOE", "given": ["JANE", "Q"]}


def test_narrative_escapes_printed_text():
    r = Result(name="<script>", value=None, value_text="<b>Positive</b>")
    (report,) = _resources(to_fhir(_report(results=[r])), "DiagnosticReport")
    assert "<script>" not in report["text"]["div"] and "&lt;script&gt;" in report["text"]["div"]


def test_unidentified_patient_says_so():
    bundle = to_fhir(_report(patient=Patient()))
    (patient,) = _resources(bundle, "Patient")
    assert "identifier" not in patient and "name" not in patient
    assert "No patient name" in patient["text"]["div"]
    Bundle.model_validate(bundle)


def test_csv_neutralises_formulas_but_keeps_negative_numbers():
    rows = [Result(name="=HYPERLINK(\"http://x\")", value=None, value_text="@SUM(A1)"),
            Result(name="Base Excess", value=-0.5, value_text="-0.5", unit="mmol/L"),
            Result(name="+cmd", value=None, value_text="\tTrace")]
    out = list(csv.DictReader(io.StringIO(to_csv(_report(results=rows)))))
    assert out[0]["name"].startswith("'=") and out[0]["value_text"] == "'@SUM(A1)"
    assert out[1]["value"] == "-0.5" and out[1]["value_text"] == "-0.5"
    assert out[2]["name"] == "'+cmd" and out[2]["value_text"] == "'\tTrace"


def test_every_catalog_code_has_its_loinc_long_common_name_but_one_left_unsure():
    """``coding.display`` is the LOINC long common name; the one code whose name differs
    between LOINC releases in a way we could not settle offline is left without one."""
    from labintake.parse.catalog import get_catalog

    codes = [c for a in get_catalog().analytes for c in a.codes]
    assert [c.loinc for c in codes if not c.display] == ["5894-1"]


def test_vitamin_b1_is_thiamine_and_vitamin_b6_is_left_uncoded():
    """10592-4 is a semen cell count, not thiamine; 2900-9 could not be confirmed as a
    vitamin B6 code, and a wrong code is worse than none."""
    from labintake.parse.catalog import get_catalog
    from labintake.parse.coding import resolve

    cat = get_catalog()
    b1 = resolve(cat, "Vitamin B1", "nmol/L")
    assert b1.loinc == "32554-8"
    r = Result(name="Vitamin B1", name_as_printed="Thiamine", loinc=b1.loinc, value=120.0, value_text="120",
               unit="nmol/L")
    (obs,) = _resources(to_fhir(_report(results=[r])), "Observation")
    assert obs["code"] == {"text": "Thiamine", "coding": [{"system": "http://loinc.org", "code": "32554-8",
                                                          "display": "Thiamine [Moles/volume] in Blood"}]}
    b6 = resolve(cat, "Vitamin B6", "ng/mL")
    assert b6.analyte is not None and b6.analyte.name == "Vitamin B6" and b6.loinc is None

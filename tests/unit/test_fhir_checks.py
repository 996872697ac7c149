"""The FHIR bundles we emit validate against HL7's official R4 JSON schema (vendored,
offline), and the checks a client's trust rests on (tests/fhir_checks.py) catch what
they claim to catch. The same checks run over the whole generated corpus in
tests/integration/test_fhir_corpus.py."""

from __future__ import annotations

import copy
from functools import cache

import pytest

from labintake.domain.schemas import LabReport, Patient, ReferenceRange, Result
from labintake.export import to_fhir
from labintake.extract import extract_document
from labintake.parse import parse_document
from tests.fhir_checks import edge_cases, schema_errors, semantic_problems
from tests.fixtures.reports import make_pdf, sample_report
from tests.unit import test_fhir, test_fhir_semantics


@cache
def _parsed_sample() -> dict:
    return to_fhir(parse_document(extract_document(make_pdf(sample_report()), "application/pdf")), bundle_id="s")


def _corrected() -> LabReport:
    """A reviewed report: one value changed by a person (meta.tag and note), then confirmed."""
    report = test_fhir_semantics._report()
    report.results[0] = report.results[0].model_copy(update={"value": 7.4, "value_text": "7.4", "corrected": True})
    return report


BUNDLES = {
    "corrected-confirmed": lambda: to_fhir(_corrected(), bundle_id="r", confirmed=True),
    "models": lambda: to_fhir(test_fhir._report(), bundle_id="m"),
    "semantics": lambda: to_fhir(test_fhir_semantics._report(), bundle_id="s"),
    "confirmed": lambda: to_fhir(test_fhir_semantics._report(), bundle_id="c", confirmed=True),
    "no-patient": lambda: to_fhir(test_fhir_semantics._report(patient=Patient()), bundle_id="p"),
    "edge-cases": lambda: to_fhir(edge_cases(), bundle_id="e"),
    "parsed-pdf": _parsed_sample,
}


@pytest.mark.parametrize("name", list(BUNDLES))
def test_bundle_validates_against_the_official_r4_schema(name):
    bundle = BUNDLES[name]()
    assert schema_errors(bundle) == []


def test_whole_bundle_against_the_schema_root_agrees():
    """The fast check (each entry against its own definition) gives the root's verdict."""
    bundle = BUNDLES["semantics"]()
    assert schema_errors(bundle, whole=True) == []
    broken = copy.deepcopy(bundle)
    broken["entry"][2]["resource"]["status"] = "done"
    assert schema_errors(broken, whole=True) != []
    assert schema_errors(broken) != []


@pytest.mark.parametrize(
    ("where", "change", "complaint"),
    [
        ("obs", lambda o: o.update(status="done"), "'done' is not one of"),
        ("obs", lambda o: o.update(valueInteger=3, valueQuantity={"value": "7.1"}), "'7.1' is not of type 'number'"),
        ("obs", lambda o: o.update(effectiveDateTime="2025-03-04T10:00"), "does not match"),
        ("obs", lambda o: o.update(flag="H"), "Additional properties are not allowed ('flag'"),
        ("obs", lambda o: o["valueQuantity"].update(comparator="=="), "'==' is not one of"),
        ("patient", lambda p: p.update(gender="f"), "'f' is not one of"),
        ("bundle", lambda b: b.update(type="bag"), "'bag' is not one of"),
        ("bundle", lambda b: b["entry"][0].update(fullUrl=3), "3 is not of type 'string'"),
    ],
)
def test_the_schema_check_catches_a_violation(where, change, complaint):
    bundle = BUNDLES["semantics"]()
    target = {"bundle": bundle, "patient": bundle["entry"][0]["resource"], "obs": bundle["entry"][2]["resource"]}
    change(target[where])
    assert any(complaint in e for e in schema_errors(bundle)), schema_errors(bundle)


@pytest.mark.parametrize("name", list(BUNDLES))
def test_bundle_has_no_semantic_problem(name):
    assert semantic_problems(BUNDLES[name]()) == []


def _one(result: Result) -> list[str]:
    return semantic_problems(to_fhir(LabReport(results=[result])))


@pytest.mark.parametrize(
    ("result", "complaint"),
    [
        # issue 17's findings, one each: a mass code on a molar unit ...
        (Result(name="Glucose", loinc="2345-7", value=5.4, value_text="5.4", unit="mmol/L"),
         "2345-7 (mass, mg/dL) with mmol/L (substance)"),
        # ... a percentage code on an absolute count ...
        (Result(name="Neutrophils", loinc="770-8", value=4.1, value_text="4.1", unit="10^3/uL"),
         "770-8 (fraction, %) with 10*3/uL (count)"),
        # ... a count code on a percentage ...
        (Result(name="Neutrophils", loinc="751-8", value=55.0, value_text="55", unit="%"), "751-8 (count"),
        # ... a coded quantity without a unit ...
        (Result(name="Glucose", loinc="2345-7", value=95.0, value_text="95"), "on a value with no UCUM unit"),
        # ... debris from an interpretation table ...
        (Result(name="| Risk Group |", value=None, value_text="High"), "debris row"),
        (Result(name="| Extreme", value=50.0, value_text="50"), "debris row"),
        # ... a flag against its range (5.0 is outside "<5.0"; 11.0 is inside 4.0-11.0) ...
        (Result(name="Cholesterol/HDL Ratio", loinc="9830-1", value=5.0, value_text="5.0",
                reference_range=ReferenceRange(high=5.0, text="<5.0", high_comparator="<"), flag="normal"),
         "flag N but 5 against <5.0 is H"),
        (Result(name="WBC", loinc="6690-2", value=11.0, value_text="11.0", unit="10^3/uL",
                reference_range=ReferenceRange(low=4.0, high=11.0, text="4.0-11.0"), flag="high"),
         "flag H but 11 against 4.0-11.0 is N"),
        (Result(name="WBC", loinc="6690-2", value=3.0, value_text="3.0", unit="10^3/uL",
                reference_range=ReferenceRange(low=4.0, high=11.0, text="4.0-11.0"), flag="normal"),
         "flag N but 3 against 4.0-11.0 is L"),
        # ... a code that is not LOINC at all.
        (Result(name="Glucose", loinc="2345-8", value=95.0, value_text="95", unit="mg/dL"),
         "2345-8 is not a valid catalog LOINC code"),
    ],
)
def test_the_semantic_check_catches(result, complaint):
    problems = _one(result)
    assert any(complaint in p for p in problems), problems


def test_the_semantic_check_catches_a_label_or_no_name_as_display_and_a_bad_ucum_code():
    bundle = to_fhir(LabReport(results=[Result(name="WBC", name_as_printed="WBC", loinc="6690-2", value=7.1,
                                               value_text="7.1", unit="10^3/uL")]))
    obs = bundle["entry"][2]["resource"]
    obs["code"]["coding"][0]["display"] = "WBC"
    obs["valueQuantity"]["code"] = "thou/mm3"
    problems = semantic_problems(bundle)
    del obs["code"]["coding"][0]["display"]
    assert any("no display though the LOINC long common name is known" in p for p in semantic_problems(bundle))
    assert any("display is the printed label" in p for p in problems), problems
    assert any("'thou/mm3' is not a valid UCUM code" in p for p in problems), problems


def test_the_semantic_check_catches_a_known_unit_left_without_its_ucum_code():
    bundle = to_fhir(LabReport(results=[Result(name="WBC", loinc="6690-2", value=7.1, value_text="7.1",
                                               unit="10^3/uL")]))
    q = bundle["entry"][2]["resource"]["valueQuantity"]
    del q["system"], q["code"]
    assert any("has UCUM '10*3/uL' but no code" in p for p in semantic_problems(bundle))
    q["unit"] = "mg/dL"  # UCUM as printed, whatever the catalog knows
    assert any("no code" in p for p in semantic_problems(bundle))


def test_the_semantic_check_catches_a_dangling_reference():
    bundle = BUNDLES["semantics"]()
    bundle["entry"][1]["resource"]["result"][0]["reference"] = "urn:uuid:nowhere"
    assert semantic_problems(bundle) == ["reference 'urn:uuid:nowhere' resolves to no entry of the bundle"]

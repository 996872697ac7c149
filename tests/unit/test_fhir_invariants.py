"""The FHIR bundles we emit satisfy the R4 FHIRPath invariants of the resources in them
(checked with fhirpathpy, an implementation independent of our code), on a report
parsed from a digital PDF built here and on hand-made edge cases.

The invariants are quoted from the R4 specification (Bundle, Observation, Quantity,
Reference, Narrative, DomainResource); ``txt-1``/``txt-2`` (``htmlChecks()``) are not
implemented by fhirpathpy and are approximated by parsing the div as XHTML.
"""

from __future__ import annotations

from datetime import date

import fhirpathpy

from labintake.domain.schemas import LabReport, Patient, ReferenceRange, Report, Result
from labintake.export import to_fhir
from labintake.extract import extract_document
from labintake.parse import parse_document
from tests.fhir_checks import INVARIANTS, R4, invariant_failures
from tests.fixtures.reports import make_pdf, sample_report


def test_the_invariant_checker_catches_a_violation():
    bad = {"resourceType": "Observation", "id": "x", "status": "final", "code": {"text": "x"},
           "valueQuantity": {"value": 1, "code": "mg"}, "referenceRange": [{}]}
    failures = []
    for kind, key, expr in INVARIANTS:
        if kind in ("*", "Observation") and fhirpathpy.evaluate(bad, expr, {"resource": bad}, R4) != [True]:
            failures.append(key)
    assert {"qty-3", "qty-3b", "obs-3"} <= set(failures)


def test_bundle_of_a_parsed_digital_pdf_meets_the_invariants():
    doc = extract_document(make_pdf(sample_report()), "application/pdf")
    bundle = to_fhir(parse_document(doc), bundle_id="sample")
    assert invariant_failures(bundle) == []


def test_edge_cases_meet_the_invariants():
    report = LabReport(
        patient=Patient(),
        report=Report(collected_at=date(2025, 1, 2)),
        results=[
            Result(name="CRP", loinc="1988-5", value=0.5, value_text="<0.5", unit="mg/L",
                   reference_range=ReferenceRange(high=5.0, text="<5.0", high_comparator="<"), flag="normal"),
            Result(name="Urine Glucose", loinc="5792-7", value=None, value_text="Negative",
                   reference_range=ReferenceRange(text="Negative")),
            Result(name="A/G Ratio", loinc="1759-0", value=1.4, value_text="1.4",
                   reference_range=ReferenceRange(low=1.0, high=2.2, text="1.0-2.2")),
            Result(name="Mystery & <Co>", value=3.0, value_text="3", unit="furlongs", needs_review=True),
        ],
    )
    assert invariant_failures(to_fhir(report)) == []



"""The FHIR bundles we emit satisfy the R4 FHIRPath invariants of the resources in them
(checked with fhirpathpy, an implementation independent of our code), on a report
parsed from a digital PDF built here and on hand-made edge cases.

The invariants are quoted from the R4 specification (Bundle, Observation, Quantity,
Reference, Narrative, DomainResource); ``txt-1``/``txt-2`` (``htmlChecks()``) are not
implemented by fhirpathpy and are approximated by parsing the div as XHTML.
"""

from __future__ import annotations

import fhirpathpy

from labintake.export import to_fhir
from labintake.extract import extract_document
from labintake.parse import parse_document
from tests.fhir_checks import INVARIANTS, R4, edge_cases, invariant_failures
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
    report = edge_cases()
    assert invariant_failures(to_fhir(report)) == []



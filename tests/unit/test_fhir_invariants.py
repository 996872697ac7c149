"""The FHIR bundles we emit satisfy the R4 FHIRPath invariants of the resources in them
(checked with fhirpathpy, an implementation independent of our code), on a report
parsed from a digital PDF built here and on hand-made edge cases.

The invariants are quoted from the R4 specification (Bundle, Observation, Quantity,
Reference, Narrative, DomainResource); ``txt-1``/``txt-2`` (``htmlChecks()``) are not
implemented by fhirpathpy and are approximated by parsing the div as XHTML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import fhirpathpy
from fhirpathpy.models import models

from labintake.domain.schemas import LabReport, Patient, ReferenceRange, Report, Result
from labintake.export import to_fhir
from labintake.extract import extract_document
from labintake.parse import parse_document
from tests.fixtures.reports import make_pdf, sample_report

R4 = models["r4"]  # the R4 model: choice types (value[x]) and type tests (ofType) resolve

# (resource type or "*", key, expression)
INVARIANTS = [
    ("Bundle", "bdl-1", "total.empty() or (type = 'searchset') or (type = 'history')"),
    ("Bundle", "bdl-2", "entry.search.empty() or (type = 'searchset')"),
    ("Bundle", "bdl-3", ("entry.all(request.exists() = (%resource.type = 'batch' or %resource.type = 'transaction'"
                         " or %resource.type = 'history'))")),
    ("Bundle", "bdl-4", ("entry.all(response.exists() = (%resource.type = 'batch-response'"
                         " or %resource.type = 'transaction-response' or %resource.type = 'history'))")),
    ("Bundle", "bdl-7", "(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl).isDistinct()"),
    ("Bundle", "bdl-9", "type = 'document' implies (identifier.system.exists() and identifier.value.exists())"),
    ("Bundle", "bdl-10", "type = 'document' implies timestamp.exists()"),  # hasValue(): not in fhirpathpy
    ("Bundle", "bdl-8", "entry.all(fullUrl.contains('/_history/').not())"),
    ("*", "dom-2", "contained.contained.empty()"),
    ("*", "dom-3", "contained.empty()"),
    ("*", "dom-4", "contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()"),
    ("*", "dom-5", "contained.meta.security.empty()"),
    ("DiagnosticReport", "dom-6", "text.`div`.exists()"),
    ("Observation", "obs-6", "dataAbsentReason.empty() or value.empty()"),
    ("Observation", "obs-7", ("value.empty() or component.code.where(coding.intersect(%resource.code.coding)"
                              ".exists()).empty()")),
    ("Observation", "obs-3", "referenceRange.all(low.exists() or high.exists() or text.exists())"),
    ("Observation", "qty-3", "descendants().ofType(Quantity).all(code.empty() or system.exists())"),
    ("Observation", "qty-3b", "value.ofType(Quantity).all(code.empty() or system.exists())"),
    ("Observation", "qty-3c", ("referenceRange.all((low.code.empty() or low.system.exists())"
                               " and (high.code.empty() or high.system.exists()))")),
    ("*", "ref-1", "descendants().select(reference).all($this.startsWith('#').not())"),
]


def _ele_1(node, path="") -> list[str]:
    """ele-1 (``hasValue() or children().count() > id.count()``, and fhirpathpy lacks
    hasValue()): no element is empty, null or an empty list."""
    if node is None or node == "" or node == [] or node == {}:
        return [f"ele-1 at {path or '/'}"]
    if isinstance(node, dict):
        return [f for k, v in node.items() for f in _ele_1(v, f"{path}/{k}")]
    if isinstance(node, list):
        return [f for i, v in enumerate(node) for f in _ele_1(v, f"{path}/{i}")]
    return []


def _check(bundle: dict) -> list[str]:
    failures = _ele_1(bundle)
    resources = [bundle] + [e["resource"] for e in bundle["entry"]]
    for res in resources:
        for kind, key, expr in INVARIANTS:
            if kind not in ("*", res["resourceType"]):
                continue
            if res["resourceType"] == "Bundle" and key.startswith(("dom-", "ref-")):
                continue
            got = fhirpathpy.evaluate(res, expr, {"resource": res}, R4)
            if got != [True]:
                failures.append(f"{res['resourceType']}/{res.get('id')}: {key} -> {got}")
        div = res.get("text", {}).get("div")
        if div is not None:
            root = ET.fromstring(div)  # well-formed XHTML in the XHTML namespace (txt-1/txt-2, roughly)
            assert root.tag == "{http://www.w3.org/1999/xhtml}div"
    return failures


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
    assert _check(bundle) == []


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
    assert _check(to_fhir(report)) == []


# --- semantic checks a validator cannot make (issue 17 item 7) -----------------------

def _semantic_problems(bundle: dict) -> list[str]:
    """LOINC property vs unit: a coded Quantity's UCUM unit has the dimension kind of the
    code; interpretation vs range: H/L never contradict an inclusive range."""
    from labintake.parse.catalog import get_catalog

    cat = get_catalog()
    kind_of_ucum = {u: cat.unit_kind[d] for d, u in cat.ucum.items()}
    problems = []
    for e in bundle["entry"]:
        obs = e["resource"]
        if obs["resourceType"] != "Observation":
            continue
        q = obs.get("valueQuantity")
        for coding in obs["code"].get("coding", []):
            code = cat.code(coding["code"])
            if code is None:
                problems.append(f"{coding['code']}: not a catalog code")
            elif q and q.get("code") and code.kind != "none":
                same = {"ratio": "fraction"}
                unit_kind = kind_of_ucum.get(q["code"])
                if same.get(unit_kind, unit_kind) != same.get(code.kind, code.kind):
                    problems.append(f"{coding['code']} ({code.kind}) with {q['code']} ({unit_kind})")
        interp = [c["code"] for i in obs.get("interpretation", []) for c in i["coding"]]
        for rng in obs.get("referenceRange", []):
            if q is None or "comparator" in q:
                continue
            low, high = rng.get("low", {}).get("value"), rng.get("high", {}).get("value")
            inside = (low is None or q["value"] >= low) and (high is None or q["value"] <= high)
            if (low is not None or high is not None) and inside and interp and interp[0] in ("H", "L"):
                problems.append(f"{obs['code'].get('text')}: {interp[0]} inside its range")
    return problems


def test_parsed_reports_have_codes_that_fit_their_units_and_flags_that_fit_their_ranges():
    doc = extract_document(make_pdf(sample_report()), "application/pdf")
    assert _semantic_problems(to_fhir(parse_document(doc))) == []


def test_semantic_check_catches_a_mass_code_on_a_molar_unit():
    report = LabReport(results=[Result(name="Glucose", loinc="2345-7", value=5.4, value_text="5.4", unit="mmol/L")])
    assert _semantic_problems(to_fhir(report)) == ["2345-7 (mass) with mmol/L (substance)"]

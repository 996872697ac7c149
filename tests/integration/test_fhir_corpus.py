"""FHIR over the whole generated corpus (issue 17): every digital report of the
development set and of the held-back set is read, exported as a FHIR Bundle, and the
Bundle is checked against the official R4 JSON schema, the R4 FHIRPath invariants and
the semantic checks of tests/fhir_checks.py (LOINC property vs unit, flag vs range,
UCUM, debris, display, label), and against the report's ground truth (every
Observation is a result the report prints, under its printed label, on its collection date).

As in bench/accuracy.py, the held-back set's failures are reported by kind and count
only, never by label: nobody should tune the parser against it.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from bench.corpus import build
from bench.corpus.score import _same_value, same_analyte
from labintake.export import to_fhir
from labintake.extract import sniff_type
from labintake.pipeline.work import read_report
from tests.fhir_checks import invariant_failures, schema_errors, semantic_problems

pytest.importorskip("jsonschema")
pytest.importorskip("ucumvert")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """(item, truth, report, bundle) for every digital PDF of the dev and held-back sets."""
    out = tmp_path_factory.mktemp("fhir-corpus")
    rows = []
    for item in build(out, formats=("digital_pdf",), sets=("dev", "held_back")):
        data = (out / item.path).read_bytes()
        report = read_report(data, sniff_type(data)).report
        truth = json.loads((out / item.truth).read_text(encoding="utf-8"))
        rows.append((item, truth, report, to_fhir(report, bundle_id=item.name)))
    return rows


def _observations(bundle: dict) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]


def _truth_problems(truth: dict, report, bundle: dict) -> list[str]:
    """Each Observation is one truth row (no debris, no phantom), ``code.text`` is the
    label the parser read, and dates and status are what FHIR means by them."""
    problems = []
    used: set[int] = set()
    obs = _observations(bundle)
    for o, r in zip(obs, report.results, strict=True):
        q = o.get("valueQuantity")
        as_pred = {"name": r.name, "name_as_printed": o["code"]["text"], "loinc": r.loinc,
                   "value": q["value"] if q else None, "value_text": o.get("valueString") or r.value_text}
        match = next((i for i, t in enumerate(truth["results"])
                      if i not in used and same_analyte(t, as_pred) and _same_value(t, as_pred)), None)
        if match is None:
            problems.append(f"{o['code']['text']!r}: an Observation the report does not print as a result")
        else:
            used.add(match)
        if o["code"]["text"] != (r.name_as_printed or r.name):
            problems.append(f"{o['code']['text']!r}: code.text is not the printed label {r.name_as_printed!r}")
    (diagnostic,) = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "DiagnosticReport"]
    collected = truth["report"]["collected_at"]
    if collected and report.report.collected_at and report.report.collected_at.isoformat() == collected:
        for res in (diagnostic, *obs):
            if res.get("effectiveDateTime") != collected:
                problems.append(f"{res['resourceType']}: effectiveDateTime {res.get('effectiveDateTime')} "
                                f"is not the collection date {collected}")
    if "issued" in diagnostic and "T" not in diagnostic["issued"]:
        problems.append("DiagnosticReport: issued without a time of day")
    if diagnostic["status"] == "final" and any(o["status"] != "final" for o in obs):
        problems.append("an Observation is preliminary under a final DiagnosticReport")
    if diagnostic["status"] == ("final" if any(r.needs_review for r in report.results) else "preliminary"):
        problems.append(f"DiagnosticReport is {diagnostic['status']} against its rows' review state")
    return problems


def _kind(problem: str) -> str:
    """A problem without its label or values: what the held-back set may show."""
    return re.sub(r"\d+(?:\.\d+)?", "#", problem.split(": ", 1)[-1])


def test_every_corpus_bundle_is_valid_and_means_what_the_report_says(exported):
    sets = Counter(item.set for item, *_ in exported)
    assert sets["dev"] > 0 and sets["held_back"] > 0, sets
    n_obs = sum(len(_observations(bundle)) for *_, bundle in exported)
    assert n_obs > 1000  # the whole corpus, not a sample: each report has a couple of dozen results
    shown, hidden = [], Counter()
    for item, truth, report, bundle in exported:
        problems = (schema_errors(bundle) + invariant_failures(bundle) + semantic_problems(bundle)
                    + _truth_problems(truth, report, bundle))
        if item.set == "held_back":
            hidden.update(_kind(p) for p in problems)
        else:
            shown += [f"{item.name}: {p}" for p in problems]
    assert shown == [] and not hidden, (len(shown) + sum(hidden.values()), shown, dict(hidden))


def test_the_corpus_check_fails_on_a_corrupted_bundle(exported):
    """The checks above can fail: the same bundle with a debris row, a mass code on a
    molar unit and a wrong effective date is caught by each."""
    item, truth, report, bundle = next(row for row in exported if row[0].set == "dev")
    bundle = json.loads(json.dumps(bundle))
    first, second = _observations(bundle)[:2]
    first["code"]["text"] = "| Risk Group |"
    second["effectiveDateTime"] = "1999-01-01"
    problems = semantic_problems(bundle) + _truth_problems(truth, report, bundle)
    assert any("debris" in p for p in problems), problems
    assert any("report does not print" in p or "not the printed label" in p for p in problems), problems
    if truth["report"]["collected_at"]:
        assert any("not the collection date" in p for p in problems), problems

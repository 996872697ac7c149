"""Checks of the FHIR bundles we emit, independent of the code that builds them (issue 17).

- :func:`schema_errors`: the official HL7 FHIR R4 JSON schema (``fhir.schema.json``,
  vendored in tests/fixtures/fhir with its provenance), checked with ``jsonschema``.
- :func:`semantic_problems`: what a schema cannot see and a FHIR client acts on: the
  LOINC code's property against the unit, the interpretation against the range, UCUM
  codes, debris rows, ``coding.display`` and ``code.text``.

The semantic checks use the catalog only for what it states about a code (its
property and canonical unit); whether a unit is UCUM and what dimension it has is
decided by ucumvert (UCUM's own grammar and unit table), not by the catalog.
"""

from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import fhirpathpy
from fhirpathpy.models import models

from labintake.domain.schemas import LabReport, Patient, ReferenceRange, Report, Result

SCHEMA_PATH = Path(__file__).parent / "fixtures" / "fhir" / "fhir.schema.json.gz"
UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"


@cache
def _schema() -> dict[str, Any]:
    """The schema, itself checked once against its meta-schema (draft-06)."""
    import jsonschema

    schema = json.loads(gzip.decompress(SCHEMA_PATH.read_bytes()))
    jsonschema.validators.validator_for(schema).check_schema(schema)
    return schema


@cache
def _validator(definition: str | None):
    """A Draft-6 validator (the schema's ``$schema``) of the whole schema, or of one of
    its definitions (``#/definitions/Observation``) with every other definition in reach."""
    import jsonschema

    schema = _schema()
    if definition is not None:
        schema = {k: v for k, v in schema.items() if k not in ("oneOf", "discriminator")}
        schema["$ref"] = f"#/definitions/{definition}"
    return jsonschema.validators.validator_for(schema)(schema)


def _messages(validator, instance: Any, where: str) -> list[str]:
    return [f"{where}/{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
            for e in validator.iter_errors(instance)]


def schema_errors(bundle: dict[str, Any], *, whole: bool = False) -> list[str]:
    """Errors of ``bundle`` against the official R4 schema.

    ``whole=True`` validates the bundle against the schema's root (``oneOf`` every
    resource type: slow, a few seconds a bundle, and its errors say little). The default
    gives the same verdict faster and with precise messages: the schema's own
    ``discriminator`` (``resourceType`` -> definition) picks each entry's definition,
    and the Bundle is checked against ``#/definitions/Bundle`` with its entries'
    resources taken out (``Bundle.entry.resource`` is optional in the schema).
    """
    if whole:
        return _messages(_validator(None), bundle, "Bundle")
    mapping = _schema()["discriminator"]["mapping"]
    errors: list[str] = []
    shell = {**bundle, "entry": [{k: v for k, v in e.items() if k != "resource"} for e in bundle.get("entry", [])]}
    errors += _messages(_validator("Bundle"), shell, "Bundle")
    for i, entry in enumerate(bundle.get("entry", [])):
        resource = entry.get("resource")
        if resource is None:
            continue
        kind = resource.get("resourceType")
        if kind not in mapping:
            errors.append(f"entry/{i}: unknown resourceType {kind!r}")
            continue
        errors += _messages(_validator(mapping[kind].rsplit("/", 1)[-1]), resource, f"entry/{i}/{kind}")
    return errors


# --- FHIRPath invariants (fhirpathpy) -------------------------------------------------

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


@cache
def _compiled(expr: str):
    """An invariant parsed once (parsing is most of fhirpathpy's time)."""
    return fhirpathpy.compile(expr, R4)


def invariant_failures(bundle: dict) -> list[str]:
    """Every R4 FHIRPath invariant of the resources in ``bundle`` that fails (empty: none)."""
    failures = _ele_1(bundle)
    resources = [bundle] + [e["resource"] for e in bundle["entry"]]
    for res in resources:
        for kind, key, expr in INVARIANTS:
            if kind not in ("*", res["resourceType"]):
                continue
            if res["resourceType"] == "Bundle" and key.startswith(("dom-", "ref-")):
                continue
            got = _compiled(expr)(res, {"resource": res})
            if got != [True]:
                failures.append(f"{res['resourceType']}/{res.get('id')}: {key} -> {got}")
        div = res.get("text", {}).get("div")
        if div is not None:
            root = ET.fromstring(div)  # well-formed XHTML in the XHTML namespace (txt-1/txt-2, roughly)
            if root.tag != "{http://www.w3.org/1999/xhtml}div":
                failures.append(f"{res['resourceType']}/{res.get('id')}: txt-1 div is {root.tag}")
    return failures



# --- semantics --------------------------------------------------------------------------

# A label that is table furniture, not a test: pipes and rules, or the words of an
# interpretation or risk table.
_DEBRIS = re.compile(r"[|¦]|^[\W\d_]*$|(?i:\brisk\s*group\b|\binterpretation\b|\bextreme\b|\bin\s*%$)")
# Kinds of LOINC property that share a dimension with another for this purpose.
_SAME_KIND = {"ratio": "fraction"}
_STRICT = re.compile(r"^\s*(<|>)(?!=)\s*(-?\d+(?:[.,]\d+)?)\s*$")
_BOUNDS = (("<=", "≤"), (">=", "≥"))


@cache
def _ureg():
    import ucumvert

    return ucumvert.PintUcumRegistry()


@cache
def ucum_dimension(code: str) -> dict[str, int] | None:
    """The pint dimensionality of a UCUM code, or None when it is not valid UCUM."""
    if re.fullmatch(r"\{[^{}]*\}", code):
        return {}  # an annotation alone ({ratio}) is the unit 1
    if code == "[pH]":
        return {}  # UCUM's special unit pH: dimensionless (logarithmic), unknown to pint
    try:
        q = _ureg().from_ucum(code)
    except Exception:  # ucumvert raises lark and pint errors of several kinds
        return None
    return {k: v for k, v in dict(q.dimensionality).items() if v}


def _strict_bound(text: str | None) -> tuple[str, float] | None:
    m = _STRICT.match(text or "")
    return (m.group(1), float(m.group(2).replace(",", "."))) if m else None


def _flag_problem(obs: dict[str, Any]) -> str | None:
    """H/L/N that the (inclusive) FHIR bounds or the printed strict bound contradict."""
    q = obs.get("valueQuantity")
    interp = [c["code"] for i in obs.get("interpretation", []) for c in i.get("coding", [])]
    if not q or "comparator" in q or not interp or interp[0] not in ("H", "L", "N"):
        return None
    value, flag = q["value"], interp[0]
    for rng in obs.get("referenceRange", []):
        low, high = rng.get("low", {}).get("value"), rng.get("high", {}).get("value")
        strict = _strict_bound(rng.get("text")) if low is None and high is None else None
        if strict is not None:
            op, bound = strict
            above, below = (value >= bound, False) if op == "<" else (False, value <= bound)
        elif low is not None or high is not None:
            above, below = high is not None and value > high, low is not None and value < low
        else:
            continue
        expected = "H" if above else "L" if below else "N"
        if flag != expected:
            return f"flag {flag} but {value:g} against {rng.get('text') or (low, high)} is {expected}"
    return None


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return own + [r for v in node.values() for r in _references(v)]
    if isinstance(node, list):
        return [r for v in node for r in _references(v)]
    return []


def semantic_problems(bundle: dict[str, Any]) -> list[str]:
    """Every problem a FHIR client would act on, one line each (empty: none)."""
    from labintake.parse.catalog import get_catalog
    from labintake.parse.loinc import loinc_is_valid

    cat = get_catalog()
    problems = [f"reference {ref!r} resolves to no entry of the bundle" for ref in _references(bundle)
                if ref not in {e.get("fullUrl") for e in bundle["entry"]}]
    for entry in bundle["entry"]:
        obs = entry["resource"]
        if obs["resourceType"] != "Observation":
            continue
        label = obs["code"].get("text") or ""
        where = f"{label!r}"
        if not label.strip():
            problems.append(f"{where}: no code.text (the printed label)")
        if _DEBRIS.search(label):
            problems.append(f"{where}: debris row became an Observation")
        quantities = [obs.get("valueQuantity")] + [r.get(k) for r in obs.get("referenceRange", [])
                                                   for k in ("low", "high")]
        for q in filter(None, quantities):
            if "code" in q:
                if q.get("system") != UCUM or ucum_dimension(q["code"]) is None:
                    problems.append(f"{where}: {q['code']!r} is not a valid UCUM code")
            elif q.get("unit") and q["unit"] in cat.ucum:
                problems.append(f"{where}: unit {q['unit']!r} has UCUM {cat.ucum[q['unit']]!r} but no code")
            elif q.get("unit") and ucum_dimension(q["unit"]) is not None:
                problems.append(f"{where}: unit {q['unit']!r} is UCUM itself but has no code")
        q = obs.get("valueQuantity")
        for coding in obs["code"].get("coding", []):
            if coding.get("system") != LOINC:
                continue
            code = cat.code(coding["code"])
            if not loinc_is_valid(coding["code"]) or code is None:
                problems.append(f"{where}: {coding['code']} is not a valid catalog LOINC code")
                continue
            display = coding.get("display")
            if display is None and code.display:
                problems.append(f"{where}: no display though the LOINC long common name is known")
            if display is not None and display != code.display:
                problems.append(f"{where}: display {display!r} is not the LOINC long common name")
            if display is not None and display == label and display != code.display:
                problems.append(f"{where}: display is the printed label")
            if q is None or code.kind == "none":
                continue
            if "code" not in q:
                problems.append(f"{where}: {coding['code']} ({code.kind}) on a value with no UCUM unit")
                continue
            want, got = ucum_dimension(code.ucum or ""), ucum_dimension(q["code"])
            kind = cat.unit_kind.get(q.get("unit", ""))
            if want != got or (kind and _SAME_KIND.get(kind, kind) != _SAME_KIND.get(code.kind, code.kind)):
                problems.append(f"{where}: {coding['code']} ({code.kind}, {code.ucum}) with {q['code']} ({kind})")
        flag = _flag_problem(obs)
        if flag:
            problems.append(f"{where}: {flag}")
    return problems


def edge_cases() -> LabReport:
    """A report with the rows FHIR finds hardest: a censored value, a qualitative one, a
    unitless ratio, an unknown name with markup in it and a unit UCUM does not know."""
    return LabReport(
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

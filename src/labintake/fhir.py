"""A parsed report as a FHIR R4 collection Bundle: Patient, DiagnosticReport, Observations.

What a FHIR client can rely on:

- ``Observation.code``: ``text`` is the label as printed on the report; ``coding`` holds
  the LOINC code only when the catalog gave one (name *and* unit agree), with the LOINC
  long common name as ``display`` or no display when the catalog does not know it.
- ``valueQuantity``: ``unit`` is the report's unit, ``system``/``code`` its UCUM code when
  it has one; a ratio printed without a unit carries ``{ratio}``, a pH ``[pH]`` and a
  specific gravity ``1`` (UCUM's unity), with no unit text where none was printed.
- ``referenceRange``: ``text`` is the range as printed. FHIR's ``low``/``high`` are
  inclusive, so a bound is emitted only when the printed range includes it (``a - b``,
  ``≤ x``, ``≥ x``). A strict one-sided range (``< 5.0``, ``> 60``) has no numeric bound
  at all: the printed ``text`` is the range. (Emitting ``high = 5.0`` for ``< 5.0`` would
  tell the client 5.0 is normal when the lab says it is not.)
- ``effectiveDateTime`` is the collection date at date precision; ``issued`` is given only
  with a time of day, which a date-only report does not have (no invented midnight).
- Status: the DiagnosticReport is ``preliminary`` while any row needs review and ``final``
  otherwise (or once confirmed). Rows that need review are ``preliminary`` Observations,
  the others ``final`` (FHIR's "preliminary" report: verified early results, not all
  final); no Observation is ``preliminary`` under a ``final`` report.
- The DiagnosticReport carries a generated narrative (a results table); the Bundle an
  ``identifier`` and a ``timestamp``; the Patient an ``identifier`` from the MRN and a
  ``name`` when extracted, and a narrative saying so when nothing identifies the patient.
"""

from __future__ import annotations

import html
import uuid
from datetime import UTC, datetime
from typing import Any

from labintake.domain.schemas import LabReport, Result
from labintake.parse.catalog import Catalog, get_catalog

_INTERPRETATION = {"high": ("H", "High"), "low": ("L", "Low"), "normal": ("N", "Normal"),
                   "abnormal": ("A", "Abnormal")}
_V3_INTERP = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
_UCUM = "http://unitsofmeasure.org"
_LOINC = "http://loinc.org"
_XHTML = "http://www.w3.org/1999/xhtml"
_COMPARATORS = (("<=", "<="), (">=", ">="), ("≤", "<="), ("≥", ">="), ("<", "<"), (">", ">"))


def _quantity(value: float, unit: str | None, catalog: Catalog,
              unitless: str | None = None) -> dict[str, Any]:
    """A FHIR Quantity; ``system``/``code`` only when the unit has a UCUM code (a unit
    printed on the report but unknown to the catalog keeps just its text). ``unitless`` is
    the UCUM code of a result printed without a unit ([pH], 1), given with no unit text."""
    q: dict[str, Any] = {"value": value}
    if unit:
        q["unit"] = unit
        code = catalog.ucum.get(unit)
        if code:
            q.update(system=_UCUM, code=code)
    elif unitless:
        q.update(system=_UCUM, code=unitless)
    return q


def _unitless_code(r: Result, unit: str | None, catalog: Catalog) -> str | None:
    """The UCUM unit of a coded result that has no unit at all (a pH, a specific gravity)."""
    code = catalog.code(r.loinc) if r.loinc and not unit else None
    return code.ucum if code is not None and code.kind == "none" else None


def _unit(r: Result, catalog: Catalog) -> str | None:
    """The result's unit; a ratio or INR printed bare gets its dimensionless unit."""
    if r.unit:
        return r.unit
    analyte = catalog.by_name(r.name)
    if analyte is not None and analyte.unit in ("ratio", "INR"):
        return analyte.unit
    return None


def _comparator(text: str | None) -> str | None:
    literal = (text or "").strip()
    for printed, fhir in _COMPARATORS:
        if literal.startswith(printed):
            return fhir
    return None


def _reference_range(r: Result, unit: str | None, catalog: Catalog,
                     unitless: str | None = None) -> dict[str, Any] | None:
    rr = r.reference_range
    if rr is None or (rr.low is None and rr.high is None and not rr.text):
        return None
    one_sided = (rr.low is None) != (rr.high is None)
    printed = _comparator(rr.text) if one_sided else None
    low_cmp = rr.low_comparator or (printed if rr.low is not None else None)
    high_cmp = rr.high_comparator or (printed if rr.high is not None else None)
    rng: dict[str, Any] = {}
    if rr.low is not None and low_cmp != ">":
        rng["low"] = _quantity(rr.low, unit, catalog, unitless)
    if rr.high is not None and high_cmp != "<":
        rng["high"] = _quantity(rr.high, unit, catalog, unitless)
    if rr.text:
        rng["text"] = rr.text
    elif "low" not in rng and "high" not in rng:
        # A strict bound with no printed text: say it in words rather than drop it.
        rng["text"] = f"> {rr.low:g}" if rr.low is not None else f"< {rr.high:g}"
    return rng


REVIEW_TAG_SYSTEM = "https://labintake.org/fhir/review"


def _observation(r: Result, obs_id: str, patient_ref: str, report: LabReport, status: str,
                 catalog: Catalog) -> dict[str, Any]:
    code: dict[str, Any] = {"text": r.name_as_printed or r.name}
    if r.loinc:
        coding: dict[str, Any] = {"system": _LOINC, "code": r.loinc}
        known = catalog.code(r.loinc)
        if known is not None and known.display:
            coding["display"] = known.display
        code["coding"] = [coding]
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": obs_id,
        "status": status,
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "laboratory", "display": "Laboratory"}]}],
        "code": code,
        "subject": {"reference": patient_ref},
    }
    if report.report.collected_at:
        obs["effectiveDateTime"] = report.report.collected_at.isoformat()
    unit = _unit(r, catalog)
    unitless = _unitless_code(r, unit, catalog)
    if r.value is not None:
        quantity = _quantity(r.value, unit, catalog, unitless)
        comparator = _comparator(r.value_text)
        if comparator:
            quantity["comparator"] = comparator
        obs["valueQuantity"] = quantity
    else:
        obs["valueString"] = r.value_text
    rng = _reference_range(r, unit, catalog, unitless)
    if rng:
        obs["referenceRange"] = [rng]
    if r.flag:
        c, display = _INTERPRETATION[r.flag]
        obs["interpretation"] = [{"coding": [{"system": _V3_INTERP, "code": c, "display": display}]}]
    if r.corrected:
        # A person changed what was read from the page: say so where a client will look.
        obs["meta"] = {"tag": [{"system": REVIEW_TAG_SYSTEM, "code": "corrected",
                                "display": "Corrected by a person in review"}]}
        obs["note"] = [{"text": "Corrected by a person in review; the value read from the report differed."}]
    return obs


def _patient(report: LabReport, patient_id: str) -> dict[str, Any]:
    p = report.patient
    patient: dict[str, Any] = {"resourceType": "Patient", "id": patient_id}
    if p.mrn:
        patient["identifier"] = [{
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}],
                     "text": "MRN"},
            "value": p.mrn,
        }]
    if p.name:
        patient["name"] = [_human_name(p.name)]
    if p.date_of_birth:
        patient["birthDate"] = p.date_of_birth.isoformat()
    if p.sex:
        patient["gender"] = p.sex
    if not (p.name or p.mrn):
        # dom-6: say in words that the report named nobody we could read.
        patient["text"] = {"status": "generated",
                           "div": f'<div xmlns="{_XHTML}"><p>No patient name or record number was extracted '
                                  "from the report.</p></div>"}
    return patient


def _human_name(text: str) -> dict[str, Any]:
    """``LAST, FIRST M`` or ``First Last``: family and given names where the order is clear."""
    name: dict[str, Any] = {"text": text}
    if "," in text:
        family, _, given = text.partition(",")
        if family.strip() and given.strip():
            name.update(family=family.strip(), given=given.split())
        return name
    parts = text.split()
    if len(parts) > 1:
        name.update(family=parts[-1], given=parts[:-1])
    return name


def _narrative(report: LabReport) -> str:
    """A minimal XHTML results table for DiagnosticReport.text (dom-6)."""
    esc = html.escape
    rows = []
    for r in report.results:
        rr = r.reference_range
        cells = (r.name_as_printed or r.name, r.value_text, r.unit or "", (rr.text if rr else None) or "",
                 r.flag or "", "yes" if r.needs_review else "")
        rows.append("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("Test", "Result", "Unit", "Reference range", "Flag", "To check"))
    return (f'<div xmlns="{_XHTML}"><table><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def to_fhir(report: LabReport, *, bundle_id: str | None = None, confirmed: bool = False,
            timestamp: datetime | None = None) -> dict[str, Any]:
    """The Bundle. ``bundle_id`` (the file id) makes resource ids stable; ``confirmed``
    (a person reviewed the report) makes it ``final`` whatever rows were flagged;
    ``timestamp`` is when the Bundle was assembled (now by default)."""
    catalog = get_catalog()
    ids = uuid.uuid5(uuid.NAMESPACE_URL, bundle_id or report.model_dump_json())
    patient_id = str(uuid.uuid5(ids, "patient"))
    report_id = str(uuid.uuid5(ids, "report"))
    patient_ref = f"urn:uuid:{patient_id}"
    preliminary = not confirmed and any(r.needs_review for r in report.results)
    observations = [
        _observation(r, str(uuid.uuid5(ids, f"obs-{i}")), patient_ref, report,
                     "preliminary" if preliminary and r.needs_review else "final", catalog)
        for i, r in enumerate(report.results)
    ]
    diagnostic: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "id": report_id,
        "text": {"status": "generated", "div": _narrative(report)},
        "status": "preliminary" if preliminary else "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "LAB",
                                  "display": "Laboratory"}]}],
        "code": {"coding": [{"system": _LOINC, "code": "11502-2", "display": "Laboratory report"}],
                 "text": "Laboratory report"},
        "subject": {"reference": patient_ref},
        "result": [{"reference": f"urn:uuid:{o['id']}"} for o in observations],
    }
    if report.report.collected_at:
        diagnostic["effectiveDateTime"] = report.report.collected_at.isoformat()
    if report.report.lab_name:
        diagnostic["performer"] = [{"display": report.report.lab_name}]
    resources = [_patient(report, patient_id), diagnostic, *observations]
    stamp = (timestamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return {
        "resourceType": "Bundle",
        "id": str(ids),
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{ids}"},
        "type": "collection",
        "timestamp": stamp.isoformat().replace("+00:00", "Z"),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }

"""Render a parsed report as JSON (DESIGN §4), CSV (one row per result) or a FHIR R4 Bundle
(:mod:`labintake.fhir`)."""

from __future__ import annotations

import csv
import io
import json
import re

from labintake.domain.schemas import LabReport
from labintake.fhir import to_fhir

__all__ = ["CSV_COLUMNS", "FORMATS", "render", "to_csv", "to_fhir", "to_json"]

FORMATS = ("json", "csv", "fhir")

CSV_COLUMNS = [
    "patient_name", "date_of_birth", "collected_at", "name", "loinc", "value", "value_text",
    "unit", "reference_low", "reference_high", "reference_text", "flag", "flag_source",
    "needs_review", "page", "confidence", "name_as_printed", "review_reason", "corrected",
]

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection):
# "=HYPERLINK(...)" printed as a test name must arrive as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def _cell(value: object) -> object:
    """``value`` safe to open in a spreadsheet: text that would start a formula gets a
    leading ``'``; a plain number (``-0.5``, a base excess) stays a number."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


safe_cell = _cell  # the same guard for the other CSV exports (analytics)


def to_json(report: LabReport) -> str:
    return report.model_dump_json(indent=2)


def to_csv(report: LabReport) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in report.results:
        rr = r.reference_range
        row = {
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
            "name_as_printed": r.name_as_printed, "review_reason": r.review_reason,
            "corrected": "yes" if r.corrected else "",
        }
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def render(report: LabReport, fmt: str) -> str:
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "fhir":
        return json.dumps(to_fhir(report), indent=2, ensure_ascii=False)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")

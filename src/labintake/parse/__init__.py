"""Document in, LabReport out: header fields, result rows, analytes, values and flags.

``parse_document`` is the public entry point. It tries the column strategy first and
falls back to the pattern strategy (see :mod:`labintake.parse.table`), keeping the
attempt whose rows validate best; ``parse_outcome`` also returns what happened, for
``parsing_metadata``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.schemas import LabReport, Result
from labintake.extract.document import Document
from labintake.parse import values
from labintake.parse.catalog import Catalog, get_catalog
from labintake.parse.header import parse_header
from labintake.parse.lines import Line, build_lines
from labintake.parse.table import RawRow, parse_rows

__all__ = ["ParseOutcome", "parse_document", "parse_outcome", "validation_problems"]

STRATEGIES = ("columns", "patterns")
# Below this OCR confidence a value is shown for review rather than trusted.
LOW_CONFIDENCE = 0.80


@dataclass
class ParseOutcome:
    report: LabReport
    strategy: str
    attempts: int
    problems: list[str] = field(default_factory=list)

    @property
    def metadata(self) -> dict:
        """For ``file_processing_status.parsing_metadata``: no patient data, no values."""
        flags = {"printed": 0, "derived": 0}
        for r in self.report.results:
            if r.flag_source:
                flags[r.flag_source] += 1
        return {
            "strategy": self.strategy,
            "attempts": self.attempts,
            "results": len(self.report.results),
            "matched": sum(r.loinc is not None for r in self.report.results),
            "needs_review": sum(r.needs_review for r in self.report.results),
            "flag_source": flags,
            "problems": self.problems[:20],
        }


def parse_document(doc: Document) -> LabReport:
    """The structured report, or ``not_a_lab_report`` when no result row is found."""
    return parse_outcome(doc).report


def parse_outcome(doc: Document) -> ParseOutcome:
    catalog = get_catalog()
    lines: list[Line] = []
    for page in doc.pages:
        lines.extend(build_lines(page.words, page.number))
    patient, report_info = parse_header(lines)

    best: ParseOutcome | None = None
    for attempt, strategy in enumerate(STRATEGIES, start=1):
        rows = parse_rows(lines, catalog, use_columns=strategy == "columns")
        results = [to_result(row, catalog) for row in rows]
        report = LabReport(patient=patient, report=report_info, results=results)
        outcome = ParseOutcome(report, strategy, attempt, validation_problems(report))
        if best is None or _score(outcome) > _score(best):
            best = outcome
        if results and not best.problems:
            break
    assert best is not None
    best.attempts = attempt
    if not best.report.results:
        raise LabIntakeError(ErrorCode.NOT_A_LAB_REPORT)
    return best


def _score(outcome: ParseOutcome) -> float:
    rows = outcome.report.results
    return len(rows) - 2 * sum(r.needs_review for r in rows)


def to_result(row: RawRow, catalog: Catalog) -> Result:
    unit = catalog.normalise_unit(row.unit)
    analyte, score = catalog.match(row.name, unit)
    if analyte is not None:
        unit = catalog.normalise_unit(row.unit, analyte)
    value = row.value
    if row.flag is not None:
        flag, source = row.flag, "printed"
    else:
        flag = values.derive_flag(value, row.range)
        source = "derived" if flag is not None else None

    confidence = min((w.confidence for w in row.value_words), default=None)
    bbox = None
    if row.value_words:
        ws = row.value_words
        bbox = (min(w.x0 for w in ws), min(w.y0 for w in ws), max(w.x1 for w in ws), max(w.y1 for w in ws))
        bbox = tuple(round(v, 2) for v in bbox)

    review = (
        (analyte is not None and score < 100)
        or (analyte is not None and unit is not None and unit not in analyte.accepted_units)
        or (analyte is not None and value.value is not None and not analyte.plausible(value.value, unit))
        or not values.flag_consistent(flag, value, row.range)
        or (confidence is not None and confidence < LOW_CONFIDENCE)
    )
    return Result(
        name=analyte.name if analyte else " ".join(row.name.split()),
        loinc=analyte.loinc if analyte else None,
        value=value.value,
        value_text=value.text,
        unit=unit,
        reference_range=row.range,
        flag=flag,
        page=row.page,
        bbox=bbox,
        confidence=None if confidence is None else round(min(max(confidence, 0.0), 1.0), 4),
        flag_source=source,
        section=row.section,
        needs_review=bool(review),
    )


def validation_problems(report: LabReport) -> list[str]:
    """What looks wrong, as short codes with the row index (never values or names)."""
    problems: list[str] = []
    catalog = get_catalog()
    for i, r in enumerate(report.results):
        analyte = catalog.by_loinc(r.loinc) if r.loinc else None
        if analyte is not None and r.unit is not None and r.unit not in analyte.accepted_units:
            problems.append(f"row {i}: unit not accepted for analyte")
        if analyte is not None and r.unit is None:
            problems.append(f"row {i}: no unit")
        if r.reference_range is None:
            problems.append(f"row {i}: no reference range")
        if analyte is not None and r.value is not None and not analyte.plausible(r.value, r.unit):
            problems.append(f"row {i}: implausible value")
        if r.needs_review:
            problems.append(f"row {i}: needs review")
    return problems

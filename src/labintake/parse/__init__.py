"""Document in, LabReport out: header fields, result rows, analytes, values and flags.

``parse_document`` is the public entry point. It tries the column strategy first and
falls back to the pattern strategy (see :mod:`labintake.parse.table`), keeping the
attempt whose rows validate best; ``parse_outcome`` also returns what happened, for
``parsing_metadata``. Parsing never raises ``parse_validation_failed`` itself: the
pipeline decides that after its extraction retries.

Two verdicts, for two questions:

* ``ParseOutcome.validated``: is the reading good enough that no other strategy need
  run? (few rows with hard problems)
* ``ParseOutcome.failed``: was not one plausible result row found (a row with no hard
  problem: unit accepted, value plausible, printed flag consistent)? Only then is a
  readable file lost (``parse_validation_failed``); otherwise the file completes with
  its best reading, doubtful rows marked ``needs_review`` with a ``review_reason``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.schemas import LabReport, Patient, ReferenceRange, Report, Result
from labintake.extract.document import Document
from labintake.parse import debris, misreads, values
from labintake.parse.catalog import Catalog, get_catalog
from labintake.parse.coding import Coding, resolve
from labintake.parse.columns import join_cjk
from labintake.parse.header import parse_header
from labintake.parse.lines import Line, build_lines
from labintake.parse.names import misread_restored
from labintake.parse.table import RawRow, parse_rows
from labintake.parse.urine import urine_runs

__all__ = ["ParseOutcome", "parse_document", "parse_outcome", "reads_as_lab_words", "validation_problems"]

STRATEGIES = ("columns", "patterns")
# Below this OCR confidence a value is shown for review rather than trusted.
LOW_CONFIDENCE = 0.80
# When more than this share of values is bold (or coloured), that is the table's style, not a flag.
_STYLE_SHARE = 0.6
_URINE = re.compile(r"urin|uroan[aá]lis|urian[aá]lis|harn|orina|urine|\bua\b|dipstick|bandelette|teststreifen|sediment|idrar|mocz|尿常规|尿液",
                    re.IGNORECASE)
_CONTINUED = re.compile(r"\s*[\(\[]?\s*(?:continued|cont\.?|fortsetzung|forts\.|suite|continuación|continua)\s*[\)\]]?\s*$",
                        re.IGNORECASE)
_HARD = ("unit not accepted", "implausible value", "flag inconsistent")


@dataclass
class ParseOutcome:
    report: LabReport
    strategy: str
    attempts: int
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """No plausible result row at all: only then is a readable file lost
        (``parse_validation_failed``). Doubtful rows are kept, marked for review."""
        rows = self.report.results
        hard = {p.split(":")[0] for p in self.problems if any(h in p for h in _HARD)}
        plausible = [r for i, r in enumerate(rows) if f"row {i}" not in hard]
        if not plausible:
            return True
        # One or two unrecognised "rows" is what a misread page looks like (an upside-
        # down or wrongly dewarped image), not a lab report.
        return len(rows) < 3 and not any(r.loinc for r in plausible)

    @property
    def validated(self) -> bool:
        """The reading is good enough that no other strategy need run: few rows with
        hard problems and none marked for review. A reading that is not validated may
        still be kept (see ``failed``)."""
        rows = self.report.results
        if self.failed:
            return False
        hard = {p.split(":")[0] for p in self.problems if any(h in p for h in _HARD)}
        return len(hard) <= max(1, len(rows) // 3)

    @property
    def score(self) -> float:
        # Rows the catalog recognises count for a little more: of two readings with as
        # many rows, the one whose names were read whole is the better one.
        rows = self.report.results
        return len(rows) + 0.5 * sum(r.loinc is not None for r in rows) - 2 * sum(r.needs_review for r in rows)

    @property
    def metadata(self) -> dict:
        """For ``file_processing_status.parsing_metadata``: no patient data, no values."""
        flags = {"printed": 0, "derived": 0}
        for r in self.report.results:
            if r.flag_source:
                flags[r.flag_source] += 1
        sections: list[str] = []
        for r in self.report.results:
            if r.section and r.section not in sections:
                sections.append(r.section)
        return {
            "strategy": self.strategy,
            "attempts": self.attempts,
            "results": len(self.report.results),
            "matched": sum(r.loinc is not None for r in self.report.results),
            "needs_review": sum(r.needs_review for r in self.report.results),
            "flag_source": flags,
            "sections": sections,
            "failed_validation": self.failed,
            "validated": self.validated,
            "review_reasons": _count_reasons(self.report.results),
            "problems": self.problems[:20],
        }


def parse_document(doc: Document) -> LabReport:
    """The structured report, or ``not_a_lab_report`` when no result row is found."""
    return parse_outcome(doc).report


def reads_as_lab_words(doc: Document) -> bool:
    """Whether a document's text holds any word a lab report uses: a header label or a test
    name the catalogue knows. A text layer with none, from a font whose map to letters is
    wrong ("ZlyBt zvkpBt" for "Serum sodium"), says nothing about what its page shows."""
    from labintake.parse.header_labels import LABEL_RE

    catalog = get_catalog()
    return any(LABEL_RE.search(" ".join(w.text for w in page.words))
               or any(len(w.text) >= 3 and w.text.isalpha() and catalog.knows(w.text) for w in page.words)
               for page in doc.pages)


def parse_outcome(doc: Document) -> ParseOutcome:
    catalog = get_catalog()
    lines: list[Line] = []
    for page in doc.pages:
        lines.extend(build_lines(page.words, page.number))
    patient, report_info = parse_header(lines)

    best: ParseOutcome | None = None
    attempt = 0
    adult = _is_adult(patient, report_info)
    tokens = [w.text for ln in lines for s in ln.segments for w in s.words]
    recognised = any(p.source != "text" for p in doc.pages)
    comma_decimals = values.writes_decimal_commas(tokens, recognised=recognised)
    # Arrows glued to values, one read as such: OCR may have read others as a "1".
    arrows = recognised and any(re.fullmatch(r"[↑↓▲▼][<>]?\d+(?:[.,]\d+)?", t) for t in tokens)
    for attempt, strategy in enumerate(STRATEGIES, start=1):
        with values.dot_thousands(comma_decimals):
            rows = parse_rows(lines, catalog, use_columns=strategy == "columns")
            bold_flags = sum(r.bold for r in rows) <= _STYLE_SHARE * max(1, len(rows))
            colour_flags = sum(r.coloured for r in rows) <= _STYLE_SHARE * max(1, len(rows))

            result_of = partial(to_result, catalog=catalog, bold_flags=bold_flags, colour_flags=colour_flags,
                                sex=patient.sex, adult=adult)
            in_urine = urine_runs(rows, catalog, partial(_label, catalog=catalog))
            results = [result_of(row, arrows=arrows, urine=u) for row, u in zip(rows, in_urine, strict=True)]
            if recognised and not arrows and any(map(_arrow_put_back, rows, results)):
                # A value plausible only without its leading "1" ("186" g/L of total protein) was
                # an arrow OCR read as a one: the report glues arrows, though none was read as such.
                arrows = True
                results = [result_of(row, arrows=arrows, urine=u) for row, u in zip(rows, in_urine, strict=True)]
        report = LabReport(patient=patient, report=report_info, results=results)
        outcome = ParseOutcome(report, strategy, attempt, validation_problems(report))
        if best is None or outcome.score > best.score:
            best = outcome
        if results and outcome.validated and not any(r.needs_review for r in results):
            break  # a validated first reading: no second strategy runs
    assert best is not None
    best.attempts = attempt
    if not best.report.results:
        raise LabIntakeError(ErrorCode.NOT_A_LAB_REPORT)
    return best


def _is_adult(patient: Patient, report: Report) -> bool | None:
    """Whether the patient was 18 or older on the report's date (None: not known)."""
    born, on = patient.date_of_birth, report.collected_at or report.reported_at
    if born is None or on is None:
        return None
    return (on.year - born.year - ((on.month, on.day) < (born.month, born.day))) >= 18


def clean_section(text: str | None) -> str | None:
    if not text:
        return None
    return _CONTINUED.sub("", text).strip(" :-") or None


# Codes printed with a test name ("FT3 (ICD-9: O55)", "[CPT 84443]"): not part of the name.
_NAME_CODE = re.compile(r"\s*[\(\[]\s*(?:icd|cpt|loinc|code|kod|código|codice|nr)\b[^\)\]]*[\)\]]", re.IGNORECASE)


# "Glucose (mg/dL)", "Hemoglobin [g/L]", "Sodium, mmol/L": the unit printed in the name's cell.
_UNIT_IN_NAME = re.compile(r"^(?P<name>.*?\S)\s*(?:[(\[](?P<a>[^()\[\]]+)[)\]]|,\s*(?P<b>\S+))$")


def _unit_in_name(name: str, unit: str | None, catalog: Catalog) -> tuple[str, str | None]:
    """The name and unit to code with: a row with no unit cell whose name ends in a known
    unit (in brackets or after a comma) has that unit; the printed label keeps it."""
    if unit is not None:
        return name, unit
    m = _UNIT_IN_NAME.match(name)
    found = m and (m.group("a") or m.group("b"))
    if not m or not found or values.parse_value(found):
        return name, unit
    if catalog.is_known_unit(found):
        return m.group("name"), found.strip()
    # OCR damage ("Ferritina (ng/imL)"): repaired against the units of the analyte named.
    analyte = catalog.match(m.group("name"))[0]
    repaired = catalog.normalise_unit(found, analyte) if analyte is not None else None
    return (m.group("name"), repaired) if analyte is not None and repaired in analyte.accepted_units else (name, unit)


# A list marker before the name ("• Glucose", "▪ HbA1c", "- Sodium"): layout, not label.
_BULLET = re.compile(r"^[•·▪▫■□◦●○►▶‣⁃*>\-–]+\s*(?=\w)")


# A speck OCR reads after a label: after a bracket or a CJK character, or apart from the last
# word ("Eosinophils (ICD-9: V27).", "总胆红素 ."). A point against a word stays ("Alk. Phos.").
_TRAILING_SPECK = re.compile(r"(?:(?<=[)\u3400-\u4dbf\u4e00-\u9fff])\s*|\s+)[.,'`]$")
# And before it, apart from the first word (". Ferritin" on a dusty scan): no label starts so.
_LEADING_SPECK = re.compile(r"^[.,'`]+\s+(?=\w)")


def printed_label(name: str) -> str:
    """The label as printed, white space folded (and the spaces OCR puts between CJK
    characters removed), without a list marker before it or a speck before or after it."""
    label = _BULLET.sub("", _LEADING_SPECK.sub("", join_cjk(" ".join(name.split()))))
    return _TRAILING_SPECK.sub("", label)


def _arrow_put_back(row: RawRow, result: Result) -> bool:
    """Whether reading ``row`` took a leading "1" off its value as an arrow OCR misread."""
    text = row.value.text
    return text.startswith("1") and result.value_text == text[1:] and result.flag in ("high", "low", "abnormal")


def _label(name: str, catalog: Catalog) -> str:
    """The name a row is coded by: the printed label, a misread put back, a code printed with it off."""
    return _NAME_CODE.sub("", misread_restored(printed_label(name), partial(_knows, catalog)))


def _knows(catalog: Catalog, label: str) -> bool:
    """A catalogue name, with a code printed beside it or not ("Eiweiß (ICD-9: W68)")."""
    return catalog.knows(_NAME_CODE.sub("", label))


def to_result(row: RawRow, catalog: Catalog, *, bold_flags: bool = True, colour_flags: bool = True,
              sex: str | None = None, adult: bool | None = None, arrows: bool = False, urine: bool = False) -> Result:
    """``urine``: the row is in a urinalysis the page does not head as one (see ``urine.urine_runs``)."""
    section = clean_section(row.section)
    urine = urine or bool(section and _URINE.search(section))
    label = misread_restored(printed_label(row.name), partial(_knows, catalog))
    name, printed_unit = _unit_in_name(_NAME_CODE.sub("", label), row.unit, catalog)

    def coded(value: values.Value) -> Coding:
        return resolve(catalog, name, printed_unit, urine=urine, value_text=value.text, section=section,
                       value=value.value)

    coding = coded(row.value)
    analyte, score, unit = coding.analyte, coding.score, coding.unit
    value = misreads.plausible_reading(row.value, analyte, unit)
    rng = _range_for(row, sex, adult)
    if arrows and row.flag is None and value is row.value:
        value = misreads.arrow_read_as_one(value, rng, analyte, unit)
    if value is row.value:
        value = misreads.speck_read_as_point(value, rng)
    if value is not row.value and analyte is not None and unit not in analyte.accepted_units:
        # A cut-off unit ("g/") is completed by the value's plausibility: the value read right.
        coding = coded(value)
        analyte, score, unit = coding.analyte, coding.score, coding.unit
    if rng is not None and rng.low is not None and rng.high is not None and 0 < -rng.low < rng.high \
            and analyte is not None and analyte.bounds is not None and analyte.bounds[0] >= 0:
        rng = rng.model_copy(update={"low": -rng.low})  # "-57--111": a speck read as a minus
    if value is not row.value and value.text == row.value.text and rng is not None and rng.text:
        with values.dot_thousands(False):  # the range is read the way its value was
            rng = values.parse_range(rng.text.replace(",", ".")) or rng
    flag, source = row.flag, "printed" if row.flag is not None else None
    if flag is None and value is not row.value and value.glued_flag is not None:
        flag, source = value.glued_flag, "printed"  # the mark the second reading found
    marked = (bold_flags and row.bold) or (colour_flags and row.coloured)
    if flag is None and marked and value.value is not None:
        flag, source = "abnormal", "printed"  # bold or colour: a mark without a direction
    flag = values.direction(flag, value, rng)
    if flag is None:
        flag = values.derive_flag(value, rng)
        source = "derived" if flag is not None else None

    confidence = min((w.confidence for w in row.value_words), default=None)
    bbox: tuple[float, float, float, float] | None = None
    if row.value_words:
        ws = row.value_words
        bbox = (round(min(w.x0 for w in ws), 2), round(min(w.y0 for w in ws), 2),
                round(max(w.x1 for w in ws), 2), round(max(w.y1 for w in ws), 2))

    reason = _review_reason(analyte, score, unit, value, flag, rng, confidence) or coding.review_reason
    return Result(
        name=analyte.name if analyte else label,
        name_as_printed=label,
        loinc=coding.loinc,
        value=value.value,
        value_text=value.text,
        unit=unit,
        reference_range=rng,
        flag=flag,
        page=row.page,
        bbox=bbox,
        confidence=None if confidence is None else round(min(max(confidence, 0.0), 1.0), 4),
        flag_source=source,
        section=section,
        needs_review=reason is not None,
        review_reason=reason,
    )


def _range_for(row: RawRow, sex: str | None, adult: bool | None = None):
    """The row's range; when ranges for both sexes are printed, the patient's, and none
    when the patient's sex is not known (none rather than a wrong one). A single range
    labelled with one sex is what the page says and is kept; ranges by age group give
    the adults' when the report shows the patient is one (``adult``), else none."""
    first = row.range or misreads.range_in_pieces(row) or misreads.dash_read_as_point(row)
    ranges = [r for r in [first, *row.other_ranges] if r is not None]
    # "E: 4,50 - 5,90 / K: 3,90 - 5,20": the second range follows a separator.
    extra = " ".join(row.extra).lstrip("/;|, ")
    if extra:
        more = values.parse_range(extra)
        if more is not None and more.text and values.sex_of_range(more.text)[0] is not None:
            ranges.append(more)
    labelled = [(values.sex_of_range(r.text or "")[0], r) for r in ranges]
    letters = [values.hm_letter(r.text) for r in ranges]
    if "h" in letters and "m" in letters:
        # "H: 135-175 / M: 120-160": hombre/mujer (homem/mulher), so M is female here.
        labelled = [("female" if k == "m" else s, r) for (s, r), k in zip(labelled, letters, strict=True)]
    if any(s is None for s, _ in labelled[1:]):
        # Ranges by age or another group: which one applies is not known here. Bands of the
        # value ("Desirable: < 200", "Borderline: 200 - 239"): the one the page calls normal.
        labels = [debris.band_label(r.text) for r in ranges]
        labels[0] = labels[0] or debris.band_label(" ".join(row.extra))
        normal = [r for label, r in zip(labels, ranges, strict=True) if debris.is_normal_band(label)]
        grown = [r for label, r in zip(labels, ranges, strict=True) if debris.is_adult_band(label)]
        if not normal and adult and len(grown) == 1:
            return grown[0]  # by age group, and the report says the patient is an adult
        return normal[0] if len(normal) == 1 else None
    if len(ranges) < 2 or not any(s for s, _ in labelled):
        return first
    mine = [r for s, r in labelled if s is not None and s == sex]
    if mine:
        return mine[0]
    # The patient's sex is not known: what the page says, with no bound that may be the wrong one.
    return ReferenceRange(text=" / ".join(r.text for r in ranges if r.text) or None)


def _review_reason(analyte, score, unit, value, flag, rng, confidence) -> str | None:
    """Why a person should look at this row (a stable short code), or None."""
    if analyte is not None and unit is not None and not analyte.accepts(unit):
        return "unit_not_accepted"
    if analyte is not None and value.value is not None and not analyte.plausible(value.value, unit):
        return "implausible_value"
    if not values.flag_consistent(flag, value, rng):
        return "flag_inconsistent"
    if confidence is not None and confidence < LOW_CONFIDENCE:
        return "low_confidence"
    if analyte is not None and score < 100:
        return "uncertain_name"
    return None


def _count_reasons(results: list[Result]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in results:
        if r.review_reason:
            counts[r.review_reason] = counts.get(r.review_reason, 0) + 1
    return counts


def validation_problems(report: LabReport) -> list[str]:
    """What looks wrong, as short codes with the row index (never values or names)."""
    problems: list[str] = []
    catalog = get_catalog()
    for i, r in enumerate(report.results):
        analyte = catalog.by_loinc(r.loinc) if r.loinc else catalog.by_name(r.name)
        if analyte is not None and r.unit is not None and not analyte.accepts(r.unit):
            problems.append(f"row {i}: unit not accepted for analyte")
        if analyte is not None and r.unit is None and analyte.unit is not None and r.value is not None:
            problems.append(f"row {i}: no unit")
        if r.reference_range is None:
            problems.append(f"row {i}: no reference range")
        if analyte is not None and r.value is not None and not analyte.plausible(r.value, r.unit):
            problems.append(f"row {i}: implausible value")
        value = values.Value(r.value, r.value_text)
        if r.flag_source == "printed" and not values.flag_consistent(r.flag, value, r.reference_range):
            problems.append(f"row {i}: flag inconsistent with range")
        if r.needs_review:
            problems.append(f"row {i}: needs review")
    return problems

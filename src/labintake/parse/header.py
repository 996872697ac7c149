"""Header fields: patient, dates, lab, ordering provider.

Reports print them in many ways, all read here by general rules:
- ``Label: value`` pairs, several on a line (two- and three-column headers); each value
  runs up to the next known label. Inline labels need a ``:`` or ``#`` after them, so
  the word "Patient" inside a sentence is not taken for a field.
- grids of cells, a label alone in its cell and its value in the next cell (no colon);
- labels stacked above their values (the value is the cell below the label);
- no label at all (:mod:`labintake.parse.header_unlabelled`): the name as the first line
  under a "Patient Information" heading, the first field of a ``Jane Doe | DOB: … | MRN: …``
  line, a ``DOE, JANE`` line at the top, a name right above the patient's sex and age.

The unlabelled forms are read only above the first result table of each page, so a
header value is never taken from the results or a footer. Labels are listed per language
in :mod:`labintake.parse.header_labels`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from labintake.domain.schemas import Patient, Report
from labintake.parse import header_labels as hl
from labintake.parse.dates import date_order_evidence, parse_date
from labintake.parse.dates import day_first_convention as _day_first_from_texts
from labintake.parse.header_cells import (
    Cell,
    HeaderLine,
    bare_label,
    compound,
    embedded,
    has_labels,
    labelish,
    misread_label,
    normalise,
    prefixed,
    prepare,
    table_starts,
)
from labintake.parse.header_unlabelled import unlabelled_name, unlabelled_sex
from labintake.parse.lines import Line
from labintake.parse.person import (
    looks_like_name,
    parse_person_name,
    parse_sex,
    sex_from_honorific,
)

__all__ = ["day_first_convention", "labelled_fields", "parse_date", "parse_header", "parse_person_name",
           "parse_sex"]

_LAB_WORDS = re.compile(
    r"\b(laborator(?:y|ies)|lab|labs|pathlabs?|diagnostics?|diagn[oó]stic[oa]s?|patholog(?:y|ists?)|clinical|"
    r"medical center|laboratori(?:um|o)|laboratoire|laborat[oó]rio|laboratuvar[ıi]?|labor|biologie m[ée]dicale|"
    r"cl[ií]nica|klinik(?:um)?|hospital|h[ôo]pital|ospedale|policlinico|poliambulatorio|szpital|hastanesi|"
    r"an[aá]lises cl[ií]nicas|an[aá]lisis cl[ií]nicos|analisi cliniche|mvz)\b|医院|检验科|检验中心|实验室|"
    r"(?-i:\bLab[A-Z]\w*|\b[A-Z]\w*Labs?\b)",  # one word: "LabCorp", "BioLab", "MedLabs"
    re.IGNORECASE,
)

# A report's title names the kind of report, not the lab ("COMPREHENSIVE LAB REPORT").
_TITLE_WORDS = re.compile(r"\b(?:report|bericht|befund|compte rendu|informe|referto|relatório|rapport|raport|"
                          r"rapor|uitslag)\b|报告", re.IGNORECASE)


# A report title printed after the lab's name on one line.
_TITLE_TAIL = re.compile(r"(?:\s*[-–—:|]\s*|\s+)(?:(?:laboratory|lab|test|pathology|medical|final|cumulative|interim)\s+)?"
                         r"(?:report|results?)\s*$|(?:检验|检查|化验)?报告单?$", re.IGNORECASE)


@dataclass(slots=True)
class _Found:
    values: dict[str, list[str]]
    labels: set[str]


def labelled_fields(lines: list[Line], labels_seen: set[str] | None = None) -> dict[str, str]:
    """First value seen for each field, in reading order."""
    prepared = prepare(lines)
    found = _collect(prepared, table_starts(prepared))
    if labels_seen is not None:
        labels_seen.update(found.labels)
    return {f: vs[0] for f, vs in found.values.items() if vs}


# Fields whose value is a date: a cell with no digit in it cannot be one.
_DATE_FIELDS = frozenset({"dob", "collected", "received", "reported"})


def _collect(lines: list[HeaderLine], starts: dict[int, int]) -> _Found:
    found = _Found({}, set())

    def in_zone(i: int) -> bool:
        return i < starts.get(lines[i].page, len(lines))

    def add(field: str | None, label: str, value: str, *, weak: bool = False) -> None:
        found.labels.add(hl.label_key(label))
        value = value.strip(" :#-|\t")
        # A cell next to or under a label without a colon is weaker evidence: as a name
        # it must look like one ("Patient || Specimen Details" is two headings).
        if weak and field == "name" and not looks_like_name(value):
            return
        if field and value:
            found.values.setdefault(field, []).append(value)

    for i, line in enumerate(lines):
        zone = in_zone(i)
        cells = line.cells
        used: set[int] = set()
        for j, cell in enumerate(cells):
            if j in used:
                continue
            nxt = cells[j + 1] if j + 1 < len(cells) else None
            free_next = nxt is not None and not labelish(nxt.text)
            # The next cell's text up to a label printed in it ("MUSTERMANN, HIROSHI A Fecha de
            # extracción:", a value run into the next column's label): that label is read in turn.
            lead = _before_label(nxt.text) if free_next and nxt is not None else None
            bare = bare_label(cell.text) if zone else None
            if bare is not None:
                field = hl.field_of(bare)
                if field in _DATE_FIELDS and nxt is not None and not any(ch.isdigit() for ch in nxt.text):
                    free_next = False  # a date's neighbour without a digit is the next stacked label
                if free_next and nxt is not None:
                    add(field, bare, lead or nxt.text, weak=True)
                    if lead is None:
                        used.add(j + 1)
                else:
                    add(field, bare, _below(lines, i, cell, in_zone), weak=True)
                continue
            if zone and compound(cell.text, add):
                continue
            matches = list(hl.LABEL_RE.finditer(cell.text)) if has_labels(cell.text) else []
            if not matches and zone:
                if not prefixed(cell.text, add):
                    misread_label(cell.text, add)
                continue
            for k, m in enumerate(matches):
                end = matches[k + 1].start() if k + 1 < len(matches) else len(cell.text)
                value = cell.text[m.end() : end].strip(" :#-|\t")
                field = hl.field_of(m.group(1))
                if not value and k == len(matches) - 1:
                    # "Patient Name:" with the value in the next cell, or below it.
                    if free_next and nxt is not None:
                        value = lead or nxt.text
                        if lead is None:
                            used.add(j + 1)
                    elif zone:
                        value = _below(lines, i, cell, in_zone)
                        add(field, m.group(1), value, weak=True)
                        continue
                add(field, m.group(1), embedded(value, add))
    return found


def _before_label(text: str) -> str | None:
    """The text before a label inside ``text``, when one is there after some text."""
    m = hl.LABEL_RE.search(text) if has_labels(text) else None
    return (text[: m.start()].strip() or None) if m is not None else None


def _below(lines: list[HeaderLine], i: int, label: Cell, in_zone) -> str:
    """The value under a label: the cell of the next line(s) overlapping it most."""
    line = lines[i]
    for k in range(i + 1, min(i + 3, len(lines))):
        below = lines[k]
        if below.page != line.page or not in_zone(k) or below.y0 - line.y1 > 2.5 * line.height:
            return ""
        best, overlap = None, 0.0
        for c in below.cells:
            o = min(c.x1, label.x1) - max(c.x0, label.x0)
            if o > overlap:
                best, overlap = c, o
        if best is not None:
            return "" if labelish(best.text) else best.text
    return ""


def day_first_convention(lines: list[Line], labels_seen: set[str]) -> bool:
    """Whether ``04/03/2025`` means 4 March on this report (see :mod:`labintake.parse.dates`)."""
    return _day_first_from_texts((normalise(ln.text) for ln in lines),
                                 local_language=bool({hl.label_key(s) for s in labels_seen} & hl.DAY_FIRST))


def parse_header(lines: list[Line]) -> tuple[Patient, Report]:
    prepared = prepare(lines)
    starts = table_starts(prepared)
    found = _collect(prepared, starts)
    values = found.values
    evidence = date_order_evidence((ln.text for ln in prepared), local_language=bool(found.labels & hl.DAY_FIRST))
    day_first = evidence if evidence is not None else _order_from_report_dates(values)

    def first_date(*fields: str, birth: bool = False, day_first: bool = day_first):
        for v in (v for f in fields for v in values.get(f, [])):
            d = parse_date(v, birth=birth, day_first=day_first)
            if d is not None:
                return d
        return None

    name = next((n for n in map(parse_person_name, values.get("name", [])) if n), None)
    given, surname = _first(values, "given"), _first(values, "surname")
    if given and (surname or name) and given.lower() not in (surname or name or "").lower():
        # "Surname: DOE" and "Forename: JANE" (or "Nom :" and "Prénom :") print one name.
        name = parse_person_name(f"{given} {surname or name}") or name
    elif surname and (name is None or surname.lower() not in name.lower()):
        # "Nombre: Ana" and "Apellidos: García López": the name field held the given name.
        raw = next((v for v in values.get("name", []) if parse_person_name(v)), "")
        name = parse_person_name(f"{raw} {surname}".strip()) or name
    unlabelled = unlabelled_name(prepared, starts) if name is None else None
    if unlabelled:
        name = parse_person_name(unlabelled)
    sexes = values.get("sex", []) + values.get("age_sex", []) + values.get("dob_sex", [])
    sex = next((s for s in map(parse_sex, sexes) if s), None)
    if sex is None:
        sex = next((s for s in map(sex_from_honorific, values.get("name", []) + [unlabelled or ""]) if s), None)
    if sex is None:
        sex = unlabelled_sex(prepared, starts)
    patient = Patient(
        name=name,
        date_of_birth=first_date("dob", "dob_age", "dob_sex", birth=True),
        sex=sex,
        mrn=_identifier(_first(values, "mrn", "mrn_fallback")),
    )
    report = Report(
        lab_name=_clean(_first(values, "lab")) or _lab_from_letterhead(prepared),
        collected_at=first_date("collected"),
        reported_at=first_date("reported"),
        ordering_provider=_clean(_first(values, "provider")),
    )
    return patient, report


def _order_from_report_dates(values: dict[str, list[str]]) -> bool:
    """With nothing else to go on, the reading under which the specimen was collected
    before the report was issued, and closest to it (``10/01`` and ``12/01`` are two days
    apart read day first, two months read month first)."""

    def first(field: str, day_first: bool):
        return next((d for v in values.get(field, []) if (d := parse_date(v, day_first=day_first))), None)

    def gap(day_first: bool) -> float:
        start = first("collected", day_first) or first("received", day_first)
        end = first("reported", day_first)
        if start is None or end is None:
            return float("inf")
        days = (end - start).days
        return days if days >= 0 else float("inf")

    month_gap, day_gap = gap(False), gap(True)
    return day_gap < month_gap


def _first(values: dict[str, list[str]], *fields: str) -> str | None:
    """The first value printed for the first of ``fields`` that has one."""
    return next((found[0] for f in fields if (found := values.get(f))), None)


def _identifier(text: str | None) -> str | None:
    if not text:
        return None
    grouped = _DIGIT_GROUPS.match(text.strip())
    if grouped:  # "485 777 3456": an NHS number (and others) printed in groups is one identifier
        return grouped.group(0)
    token = text.split()[0].strip(".,;")
    return token or None


# Groups of digits, single-spaced, ending the identifier: "485 777 3456", "1234 5678".
_DIGIT_GROUPS = re.compile(r"\d{2,5}(?: \d{2,5}){1,3}(?=\s{2,}|$)")


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    return " ".join(text.split()).strip(" ,;") or None


def _lab_from_letterhead(lines: list[HeaderLine]) -> str | None:
    """Unlabelled lab name: a line near the top of page 1 that names a laboratory."""
    first_page = [ln for ln in lines if ln.page == 1]
    for line in first_page[:8]:
        if hl.LABEL_RE.search(line.text):
            continue
        seg = line.cells[0].text
        if _TITLE_WORDS.search(seg):
            # "某某市人民医院检验报告单", "Apollo Diagnostics - Laboratory Report": the lab, then the title.
            seg = _TITLE_TAIL.sub("", seg)
        if seg and _LAB_WORDS.search(seg) and not re.search(r"\d", seg) and not _TITLE_WORDS.search(seg):
            return " ".join(seg.split())
    return None

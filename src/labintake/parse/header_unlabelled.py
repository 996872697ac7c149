"""Header fields printed with no label: where a report gives the patient's name or sex
only by where it stands.

- the first line under a "Patient Information" heading;
- the first field of a ``Jane Doe | DOB: … | MRN: …`` line (bars, bullets or gaps);
- a ``DOE, JANE`` line, or a patient's title before a name (``Mme DUPONT Marie``), at the top;
- a name directly above the patient's sex, age or date of birth (``Emily Carter`` over
  ``Female, 45 years``);
- a sex word standing alone as a field, or spelled out before the age.

Each rule is read only above the first result table of a page (the caller's ``starts``).
"""

from __future__ import annotations

import re

from labintake.parse import header_labels as hl
from labintake.parse.header_cells import HeaderLine, has_labels, labelish
from labintake.parse.person import looks_like_name, name_after_title, parse_sex

__all__ = ["unlabelled_name", "unlabelled_sex"]


def unlabelled_name(lines: list[HeaderLine], starts: dict[int, int]) -> str | None:
    zone = [ln for i, ln in enumerate(lines) if i < starts.get(ln.page, len(lines))]
    for name in (_name_under_heading(zone), _name_before_pipe(zone), _last_first_at_top(zone),
                 _titled_name_at_top(zone), _name_above_demographics(zone)):
        if name:
            return name
    return None


def _name_under_heading(zone: list[HeaderLine]) -> str | None:
    for i, line in enumerate(zone):
        for j, cell in enumerate(line.cells):
            if not hl.PATIENT_HEADING.search(cell.text):
                continue
            col_end = line.cells[j + 1].x0 if j + 1 < len(line.cells) else float("inf")
            for below in zone[i + 1 : i + 4]:
                if below.page != line.page or below.y0 - line.y1 > 4 * line.height:
                    break
                first = next((c for c in below.cells if cell.x0 - 1.5 * line.height <= c.x0 < col_end), None)
                if first is None:
                    continue
                if not labelish(first.text) and not _starts_with_other_label(first.text) \
                        and looks_like_name(first.text):
                    return first.text
                break
    return None


def _starts_with_other_label(text: str) -> bool:
    m = hl.PREFIX_LABEL_RE.match(text)
    return m is not None and hl.field_of(m.group(1)) != "name"


def _name_before_pipe(zone: list[HeaderLine]) -> str | None:
    """``Jane Doe | DOB: 02/14/1980 | MRN: 000123`` (or the same without the bars): the
    unlabelled first field of a line whose other fields are the patient's."""
    for line in zone:
        text = line.text
        parts = [p.strip() for p in re.split(r"\s[•·]\s", text)]
        first_label = hl.LABEL_RE.search(text) if has_labels(text) else None
        if len(parts) < 2 and len(line.cells) > 1:  # fields apart by gaps or bars
            parts = [c.text for c in line.cells]
        if len(parts) < 2 and first_label is not None and first_label.start() > 0:
            parts = [text[: first_label.start()].strip(), text[first_label.start() :]]
        if len(parts) < 2 and text.count(",") >= 2:  # "Emily Carter, 45 y, Female"
            parts = [p.strip() for p in text.split(",")]
        if len(parts) < 2 or not parts[0] or labelish(parts[0]) or not looks_like_name(parts[0]):
            continue
        # "DOB: 02/14/1980", or "DOB 02/14/1980" as a field of its own; or the age, or the sex
        # spelled out, as fields of their own.
        fields = {hl.field_of(m.group(1)) for p in parts[1:]
                  for m in [*hl.LABEL_RE.finditer(p), hl.PREFIX_LABEL_RE.match(p)] if m is not None}
        if fields & {"dob", "sex", "age_sex", "dob_age", "dob_sex", "mrn"} or any(
                _AGE_FIELD.fullmatch(p) or (p.isalpha() and len(p) > 1 and parse_sex(p)) for p in parts[1:]):
            return parts[0]
    return None


# An age's unit, in the header languages: "45 y", "45 yrs.", "45 ans", "45 Jahre", "45 lat".
_AGE_UNITS = r"(?:y|yr|yrs|years?|a|ans|j|jahre|años|anos|lat|yaş)\.?"
_AGE_FIELD = re.compile(r"\d{1,3}\s*" + _AGE_UNITS + r"(?:\s+old)?", re.IGNORECASE)


def unlabelled_sex(lines: list[HeaderLine], starts: dict[int, int]) -> str | None:
    """``Jane Doe | 02/14/1980 | Female``: a sex word standing alone as a field of the header
    (a whole cell, or a field between bars or commas), spelled out: a lone letter says too
    little, but for an age and a letter beside an unlabelled name (``45 Y / F``)."""
    zone = [ln for i, ln in enumerate(lines) if i < starts.get(ln.page, len(lines))]
    for line in zone:
        for cell in line.cells:
            for part in re.split(r"\s[|¦•·]\s|\||,", cell.text):
                word = part.strip()
                # Letters only: "K/uL" is a unit whose "K" would read as kadın (Turkish: female).
                if len(word) > 1 and word.isalpha() and not _CJK_TEXT.search(word) and parse_sex(word):
                    return parse_sex(word)
                # "Female, 45 years", "Male / 62 y": the sex spelled out before the age.
                if (m := _SEX_BEFORE_AGE.match(word)) and not _CJK_TEXT.search(m.group(1)) and parse_sex(m.group(1)):
                    return parse_sex(m.group(1))
        if (sex := _letter_beside_name(line)) is not None:
            return sex
    return None


# A sex word, then a comma or slash and the age: "Female, 45 years", "Male / 62 Y".
_SEX_BEFORE_AGE = re.compile(r"([^\W\d_]{3,})\s*[,/]\s*\d{1,3}\s*(?:[^\W\d_]+\.?)?$")


def _letter_beside_name(line: HeaderLine) -> str | None:
    """``Jane Doe | F | 45 y | DOB …``: on a line whose first field is a name and whose fields
    are apart, a field that is the letter M or F alone is the sex."""
    cells = line.cells
    if len(cells) < 3 or labelish(cells[0].text) or not looks_like_name(cells[0].text):
        return None
    for c in cells[1:]:
        t = c.text.strip()
        if t.upper() in ("M", "F"):
            return parse_sex(t)
        if (m := _AGE_AND_LETTER.fullmatch(t)) is not None:  # "45/F", "45 Y / F", "F/45"
            return parse_sex(m.group(1) or m.group(2))
    return None


_AGE_UNIT = r"(?:\s*" + _AGE_UNITS + r")?"
_AGE_AND_LETTER = re.compile(r"\d{1,3}" + _AGE_UNIT + r"\s*/\s*([MF])|([MF])\s*/\s*\d{1,3}" + _AGE_UNIT, re.IGNORECASE)


def _name_above_demographics(zone: list[HeaderLine]) -> str | None:
    """``Emily R. Carter`` over ``Female, 45 years`` (or ``Born 03/12/1981``): an unlabelled
    cell that looks like a name, directly above a cell at its left edge that starts with the
    patient's sex, age or date of birth."""
    for i, line in enumerate(zone[:-1]):
        below = zone[i + 1]
        if below.page != line.page or below.y0 - line.y1 > 1.5 * line.height:
            continue
        for cell in line.cells:
            if labelish(cell.text) or len(cell.text.split()) < 2 or not looks_like_name(cell.text):
                continue
            under = next((c for c in below.cells if abs(c.x0 - cell.x0) <= line.height), None)
            if under is not None and _demographic(under.text):
                return cell.text
    return None


def _demographic(text: str) -> bool:
    """Whether a cell starts with the patient's sex, age or date of birth."""
    first = re.split(r"[\s,/|]+", text.strip(), maxsplit=1)[0]
    if len(first) > 2 and parse_sex(first):
        return True
    if _AGE_WORD.match(text):
        return True
    m = hl.LABEL_RE.match(text) or hl.PREFIX_LABEL_RE.match(text)
    return m is not None and hl.field_of(m.group(1)) in ("dob", "dob_age", "dob_sex", "age_sex")


_AGE_WORD = re.compile(r"(?:age|alter|edad|età|idade|âge|leeftijd|wiek|yaş)\b\W*\d", re.IGNORECASE)


_CJK_TEXT = re.compile(r"[\u4e00-\u9fff]")


def _last_first_at_top(zone: list[HeaderLine]) -> str | None:
    """An unlabelled ``DOE, JANE`` cell near the top of page 1: a family name in capitals
    before a comma is how reports print the patient, and nothing else looks so."""
    for line in [ln for ln in zone if ln.page == 1][:10]:
        for cell in line.cells:
            t = cell.text.strip()
            if t.count(",") != 1 or labelish(t) or not looks_like_name(t):
                continue
            last, first = (p.strip() for p in t.split(","))
            given = first.split() or [""]  # "DOE," with the given name lost
            # "SPRINGFIELD, IL" is a place: a given name is more than two capitals.
            if last.isupper() and len(last) > 1 and given[0][:1].isupper() and (len(given) > 1 or len(given[0]) > 2):
                return t
    return None


def _titled_name_at_top(zone: list[HeaderLine]) -> str | None:
    """An unlabelled ``Mme DUPONT Marie`` or ``Mr. John Smith`` cell near the top of page 1:
    a patient's title (not a doctor's) before a name."""
    for line in [ln for ln in zone if ln.page == 1][:12]:
        for cell in line.cells:
            if not labelish(cell.text) and (found := name_after_title(cell.text)):
                return found
    return None

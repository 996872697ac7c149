"""Header fields from labelled text: patient, dates, lab, ordering provider.

A line may hold several ``Label: value`` pairs (two-column headers); each value runs up
to the next known label. Labels need a ``:`` or ``#`` after them, so the word
"Patient" inside a sentence is not taken for a field.
"""

from __future__ import annotations

import re
from datetime import date

from labintake.domain.schemas import Patient, Report
from labintake.parse.lines import Line

LABELS: dict[str, tuple[str, ...]] = {
    "name": ("patient name", "patient", "name", "pt name", "nombre", "patient's name"),
    "dob": ("date of birth", "dob", "d.o.b.", "d.o.b", "birth date", "birthdate", "born"),
    "sex": ("sex", "gender"),
    "age_sex": ("age/sex", "age / sex", "sex/age"),
    "mrn": ("mrn", "medical record number", "medical record #", "medical record no",
            "mr#", "mr #", "patient id", "patient #", "chart #", "record #"),
    "collected": ("collected", "collection date", "date collected", "specimen collected",
                  "collected on", "collection date/time", "collection", "date of collection",
                  "specimen date", "sample date", "drawn"),
    "reported": ("reported", "report date", "date reported", "reported on", "resulted",
                 "result date", "report status date", "final report date", "printed"),
    "received": ("received", "date received", "received on"),
    "provider": ("ordering provider", "ordering physician", "ordering doctor", "ordered by",
                 "referring physician", "referring provider", "physician", "provider",
                 "doctor", "requesting physician"),
    "lab": ("laboratory", "lab", "performing lab", "performing laboratory", "lab name"),
    "account": ("account", "account #", "acct #", "specimen id", "accession", "accession #",
                "age", "phone", "address", "fax", "page", "status", "specimen", "fasting"),
}
_ALL = sorted(((lab, field) for field, labs in LABELS.items() for lab in labs),
              key=lambda p: -len(p[0]))
_LABEL_RE = re.compile(
    r"(?<![A-Za-z])(" + "|".join(re.escape(lab) for lab, _ in _ALL) + r")\s*(?::|#(?=\s*\w)|-(?=\s))",
    re.IGNORECASE,
)
_FIELD = {lab: field for lab, field in _ALL}

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MON = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_DATE_PATTERNS = [
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d{2})\b"),
    re.compile(r"(?P<a>\d{1,2})[/-](?P<b>\d{1,2})[/-](?P<y>\d{4}|\d{2})\b"),
    re.compile(_MON + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})", re.IGNORECASE),
    re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s-]+" + _MON + r"[\s,-]+(?P<y>\d{4})", re.IGNORECASE),
]
_LAB_WORDS = re.compile(
    r"\b(laborator(?:y|ies)|lab|labs|diagnostics?|patholog(?:y|ists?)|clinical|medical center)\b",
    re.IGNORECASE,
)


def parse_date(text: str, *, birth: bool = False) -> date | None:
    """The first date in ``text``; ``MM/DD/YYYY`` unless the first part cannot be a month.

    Two-digit years are put in the past century when that would make a birth date lie in
    the future (``02/14/80`` -> 1980).
    """
    for pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        g = m.groupdict()
        try:
            if "a" in g and g.get("a") is not None:
                a, b = int(g["a"]), int(g["b"])
                month, day = (a, b) if a <= 12 else (b, a)
            elif g.get("mon"):
                month, day = _MONTHS[g["mon"].lower()[:3]], int(g["d"])
            else:
                month, day = int(g["m"]), int(g["d"])
            year = _year(int(g["y"]), len(g["y"]), birth)
            return date(year, month, day)
        except ValueError:
            continue
    return None


def _year(y: int, digits: int, birth: bool) -> int:
    if digits == 4:
        return y
    # Two-digit years: this century unless that lies in the future (a birth date) or
    # more than a year ahead (a collection date).
    latest = date.today().year + (0 if birth else 1)
    return 2000 + y if 2000 + y <= latest else 1900 + y


def parse_sex(text: str) -> str | None:
    t = text.strip().lower()
    for token in re.split(r"[\s/,]+", t):
        if token in ("f", "female", "w", "woman", "weiblich", "femenino", "femme"):
            return "female"
        if token in ("m", "male", "man", "männlich", "masculino", "homme"):
            return "male"
        if token in ("x", "other", "nonbinary", "non-binary", "intersex"):
            return "other"
    return None


def parse_person_name(text: str) -> str | None:
    """``DOE, JANE Q`` -> ``Jane Q Doe``; ``Jane Q Doe`` unchanged."""
    t = " ".join(text.replace("\u00a0", " ").split()).strip(" ,;:")
    if not t or not re.search(r"[A-Za-z]", t):
        return None
    if t.count(",") == 1:
        last, first = (p.strip() for p in t.split(","))
        if last and first and not re.search(r"\b(md|do|phd|np|pa|rn)\b\.?", first, re.I):
            t = f"{first} {last}"
    if t.isupper():
        t = " ".join(p.capitalize() if len(p) > 1 else p for p in t.split())
    return t


def labelled_fields(lines: list[Line]) -> dict[str, str]:
    """First value seen for each field, in reading order."""
    found: dict[str, str] = {}
    for line in lines:
        text = line.text
        matches = list(_LABEL_RE.finditer(text))
        for i, m in enumerate(matches):
            field = _FIELD[m.group(1).lower()]
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            value = text[m.end() : end].strip(" :#-|\t")
            if value and field not in found:
                found[field] = value
    return found


def parse_header(lines: list[Line]) -> tuple[Patient, Report]:
    fields = labelled_fields(lines)
    sex = parse_sex(fields["sex"]) if "sex" in fields else None
    if sex is None and "age_sex" in fields:
        sex = parse_sex(fields["age_sex"])
    patient = Patient(
        name=parse_person_name(fields["name"]) if "name" in fields else None,
        date_of_birth=parse_date(fields["dob"], birth=True) if "dob" in fields else None,
        sex=sex,
        mrn=_identifier(fields.get("mrn")),
    )
    report = Report(
        lab_name=_clean(fields.get("lab")) or _lab_from_letterhead(lines),
        collected_at=parse_date(fields["collected"]) if "collected" in fields else None,
        reported_at=parse_date(fields["reported"]) if "reported" in fields else None,
        ordering_provider=_clean(fields.get("provider")),
    )
    return patient, report


def _identifier(text: str | None) -> str | None:
    if not text:
        return None
    token = text.split()[0].strip(".,;")
    return token or None


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    return " ".join(text.split()).strip(" ,;") or None


def _lab_from_letterhead(lines: list[Line]) -> str | None:
    """Unlabelled lab name: a line near the top of page 1 that names a laboratory."""
    first_page = [ln for ln in lines if ln.page == 1]
    if not first_page:
        return None
    for line in first_page[:8]:
        if _LABEL_RE.search(line.text):
            continue
        seg = line.segments[0].text if line.segments else line.text
        if _LAB_WORDS.search(seg) and not re.search(r"\d", seg):
            return " ".join(seg.split())
    return None

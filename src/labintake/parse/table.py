"""Lines to result rows: name, value, flag, unit and range cells.

Two strategies share one row reader:

* ``columns``: a header row ("Test | Result | Flag | Units | Reference Range" and its
  many spellings) gives column spans; each cell's position hints at what it is.
* ``patterns``: no header (or the header misled us): cells are recognised by what they
  look like (a number, a flag letter, a range, a unit), in any order.

Either way the first cell of a row is the analyte name, and a row is only kept if it
has a value and something that makes it a lab result (a catalogued name, a known unit
or a reference range), which keeps header lines such as ``MRN: 000123`` out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from labintake.domain.schemas import ReferenceRange
from labintake.extract.document import Word
from labintake.parse import values
from labintake.parse.catalog import Catalog, normalise_name
from labintake.parse.lines import Line, Segment

HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "name": ("test", "test name", "tests", "analyte", "component", "parameter", "investigation",
             "description", "test description", "examination", "procedure", "determination"),
    "value": ("result", "results", "value", "your value", "observed value", "result value",
              "patient result", "in range", "current result"),
    "flag": ("flag", "flags", "abnormal", "abn", "h/l", "indicator", "out of range", "status"),
    "unit": ("units", "unit", "uom", "unit of measure"),
    "range": ("reference range", "reference interval", "ref range", "ref. range", "normal range",
              "reference", "range", "ref interval", "biological reference interval",
              "reference value", "reference values", "expected range", "standard range",
              "normal values", "ref. interval"),
}
_HEADER_LOOKUP = {normalise_name(w): kind for kind, ws in HEADER_WORDS.items() for w in ws}
_UNIT_SHAPE = re.compile(r"^(?:[a-zA-Zµμ%#/^*\[\]{}().0-9²³]+)$")


@dataclass(slots=True)
class Column:
    kind: str
    x0: float
    x1: float


@dataclass(slots=True)
class RawRow:
    page: int
    name: str
    value: values.Value
    value_words: list[Word]
    flag: str | None = None  # normalised printed flag
    unit: str | None = None  # as printed
    range: ReferenceRange | None = None
    section: str | None = None
    extra: list[str] = field(default_factory=list)


def find_header(line: Line) -> list[Column] | None:
    """Columns if ``line`` is a table header (a name and a value column, and 3+ known)."""
    cols: list[Column] = []
    for seg in line.segments:
        kind = _HEADER_LOOKUP.get(normalise_name(seg.text))
        if kind is not None:
            cols.append(Column(kind, seg.x0, seg.x1))
            continue
        for w in seg.words:  # "Result Flag" read as one segment
            kind = _HEADER_LOOKUP.get(normalise_name(w.text))
            if kind is None:
                return None
            cols.append(Column(kind, w.x0, w.x1))
    kinds = [c.kind for c in cols]
    if len(cols) < 3 or "value" not in kinds or len(set(kinds)) < 3:
        return None
    if "name" not in kinds:
        # Some layouts leave the name column unlabelled: it starts at the page margin.
        cols.insert(0, Column("name", 0.0, 0.0))
    return sorted(cols, key=lambda c: c.x0)


def _column_of(x0: float, cols: list[Column]) -> str:
    kind = cols[0].kind
    for prev, col in zip(cols, cols[1:]):
        boundary = (prev.x1 + col.x0) / 2 if prev.x1 > prev.x0 else col.x0 - 2
        if x0 >= boundary:
            kind = col.kind
    return kind


def parse_rows(lines: list[Line], catalog: Catalog, *, use_columns: bool = True) -> list[RawRow]:
    rows: list[RawRow] = []
    cols: list[Column] | None = None
    saw_header = False
    section: str | None = None
    pending_name: str | None = None
    for line in lines:
        header = find_header(line)
        if header is not None:
            saw_header = True
            cols = header if use_columns else None
            pending_name = None
            continue
        row = read_row(line, cols, catalog)
        if row is not None:
            if not row.name and pending_name:
                row.name = pending_name
            pending_name = None
            if row.name:
                row.section = section
                rows.append(row)
            continue
        heading = _section_heading(line)
        if heading is not None and (saw_header or not rows):
            section, pending_name = heading, None
        elif len(line.segments) == 1 and not re.search(r"\d", line.text) and not line.text.endswith(":"):
            pending_name = line.text  # a name wrapped onto its own line
        else:
            pending_name = None
    return rows


def read_row(line: Line, cols: list[Column] | None, catalog: Catalog) -> RawRow | None:
    segs = line.segments
    if not segs:
        return None
    hints = [(_column_of(s.x0, cols) if cols else None) for s in segs]
    # The name: leading segments in the name column, or the first segment.
    name_parts: list[Segment] = []
    i = 0
    while i < len(segs) and (hints[i] == "name" or (i == 0 and hints[i] is None)):
        if values.parse_value(segs[i].text) is not None and name_parts:
            break
        name_parts.append(segs[i])
        i += 1
    name = " ".join(s.text for s in name_parts).strip()
    if name and values.parse_value(name) is not None:
        name_parts, name, i = [], "", 0  # a value with no name: maybe a wrapped row
    if name.endswith(":") or (name and not re.search(r"[A-Za-z]", name)):
        return None
    cells = _classify(segs[i:], hints[i:])
    if cells is None:
        return None
    value, value_words, flag, unit, rng, extra = cells
    known_name = catalog.match(name)[0] is not None if name else False
    if not (known_name or catalog.is_known_unit(unit) or rng is not None):
        return None
    if not name and not (catalog.is_known_unit(unit) or rng is not None):
        return None
    return RawRow(line.page, name, value, value_words, flag, unit, rng, None, extra)


def _classify(segs: list[Segment], hints: list[str | None]):
    value: values.Value | None = None
    value_words: list[Word] = []
    flag: str | None = None
    unit: str | None = None
    rng: ReferenceRange | None = None
    extra: list[str] = []

    def take(text: str, words: list[Word], hint: str | None) -> bool:
        nonlocal value, value_words, flag, unit, rng
        order = ("value", "flag", "range", "unit")
        if hint in order:
            order = (hint, *[k for k in order if k != hint])
        for kind in order:
            if kind == "value" and value is None and hint not in ("range", "unit"):
                v = values.parse_value(text)
                if v is not None:
                    value, value_words = v, words
                    if v.glued_flag and flag is None:
                        flag = v.glued_flag
                    return True
            elif kind == "flag" and flag is None and value is not None:
                f = values.parse_flag(text)
                if f is not None and (hint == "flag" or len(text) <= 4 or text.isalpha()):
                    flag = f
                    return True
            elif kind == "range" and rng is None and (value is not None or hint == "range"):
                r = values.parse_range(text)
                if r is not None:
                    rng = r
                    return True
            elif kind == "unit" and unit is None and value is not None:
                if _UNIT_SHAPE.match(text.replace(" ", "")) and not _is_number(text):
                    unit = text
                    return True
        return False

    for seg, hint in zip(segs, hints):
        if take(seg.text, seg.words, hint):
            continue
        # A segment holding several cells ("112 H", "6.8 x10E3/uL"): word by word.
        for w in seg.words:
            if not take(w.text, [w], hint):
                extra.append(w.text)
    if value is None:
        return None
    return value, value_words, flag, unit, rng, extra


def _is_number(text: str) -> bool:
    v = values.parse_value(text)
    return v is not None and v.value is not None


def _section_heading(line: Line) -> str | None:
    """A panel heading: one short phrase, no digits, in capitals or bold."""
    if len(line.segments) != 1:
        return None
    text = line.text.strip()
    if not text or re.search(r"\d", text) or text.endswith(":") or len(text) > 60:
        return None
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 3:
        return None
    if all(c.isupper() for c in letters) or line.segments[0].bold:
        return text
    return None

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
from itertools import pairwise

from labintake.domain.schemas import ReferenceRange
from labintake.extract.document import Word
from labintake.parse import debris, inline, marks, values
from labintake.parse.catalog import Catalog
from labintake.parse.cells import (
    classify,
    is_label,
    is_row_number,
    peel_values,
    range_from_bounds,
    split_at_columns,
    value_and_unit,
)
from labintake.parse.columns import (
    CJK,
    IGNORED_KINDS,
    Column,
    column_of,
    find_header,
    join_cjk,
    reading_streams,
)
from labintake.parse.header_labels import field_of
from labintake.parse.lines import Line, Segment
from labintake.parse.pairs import pair_up
from labintake.parse.wraps import (
    better_joined,
    continues_name,
    continues_unit,
    name_text,
    range_below,
    range_under,
    split_at_value,
    tight,
)


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
    cells: list[tuple[str, float, float]] = field(default_factory=list)  # (kind, x0, x1)
    # More ranges printed for the row, each for one sex ("M: 13.5-17.5" / "F: 12.0-15.5").
    other_ranges: list[ReferenceRange] = field(default_factory=list)
    # The row's second result, printed on the same line ("Neutrophiles 72,1 %  8,15 G/L").
    twin: RawRow | None = None

    @property
    def bold(self) -> bool:
        """The value is printed in bold (many LIS mark out-of-range values so)."""
        return bool(self.value_words) and all(w.bold for w in self.value_words)

    @property
    def coloured(self) -> bool:
        """The value is printed in a colour (red for high, say), with or without a letter."""
        return bool(self.value_words) and all(w.coloured for w in self.value_words)


def parse_rows(lines: list[Line], catalog: Catalog, *, use_columns: bool = True) -> list[RawRow]:
    """Result rows in reading order: each column of a two-column page in turn, page
    furniture repeated on every page (headers, footers) left out."""
    rows: list[RawRow] = []
    skip = repeated_lines(lines, catalog)
    for stream in reading_streams([ln for ln in lines if id(ln) not in skip]):
        rows.extend(_parse_stream(inline.split_results(inline.join_stacked_cells(stream), catalog), catalog, use_columns))
    return rows


def _parse_stream(lines: list[Line], catalog: Catalog, use_columns: bool) -> list[RawRow]:
    rows: list[RawRow] = []
    # Until a header row says otherwise, columns come from where the cells line up.
    cols: list[Column] | None = infer_columns(lines, catalog) if use_columns else None
    saw_header = False
    section: str | None = None
    pending: Line | None = None  # a name wrapped onto its own line, above its values
    prev: tuple[Line, RawRow] | None = None  # the last row and the line it came from
    notes: Line | None = None  # the last line of an interpretation table being read past
    # The last heading, the section before it and the card's last line so far: a heading
    # right above a nameless row is that row's name, where each test is a card ("Ferritin" /
    # "Result: 9 ng/mL  Reference: …"), with perhaps its specimen or method line between.
    titled: tuple[Line, str | None, Line] | None = None
    for line in lines:
        header = find_header(line)
        if header is not None:
            saw_header = True
            cols = header if use_columns else None
            pending = prev = notes = None
            continue
        if notes is not None:
            # An interpretation table runs on line after line; a gap, a heading, a new
            # header or a result (a known test with a plain number, not a band's bound) ends it.
            if (line.page == notes.page and line.y0 - notes.y1 < 1.5 * line.height
                    and debris.section_heading(line) is None and not _is_result(line, cols, catalog)):
                notes = line
                continue
            notes = None
        if debris.is_notes_heading([s.text for s in line.segments]):
            notes, pending, prev = line, None, None
            continue
        halves = inline.side_by_side(line, lambda part: read_row(part, None, catalog))
        if halves is not None:
            for half in halves:
                if (one := read_row(half, None, catalog)) is not None:
                    one.section = section
                    rows.append(one)
            pending = prev = None
            continue
        row = read_row(line, cols, catalog, printed_header=saw_header and cols is not None)
        if row is None and cols is not None:
            row = _off_the_columns(line, catalog)
        if row is not None:
            if pending is not None and tight(pending, line):
                if not row.name:
                    row.name = pending.text
                elif better_joined(catalog, pending.text, row.name, row.name):
                    row.name = f"{pending.text} {row.name}"
            pending = None
            if not row.name and titled is not None and _just_below(titled[2], line):
                row.name, section = titled[0].text.strip(), titled[1]
            titled = None
            if row.name:
                row.section = section
                rows.append(row)
                prev = (line, row)
                if row.twin is not None:
                    row.twin.section = section
                    rows.append(row.twin)
            continue
        if prev is not None and (parts := split_at_value(line, prev[1])) is not None:
            left, rest = parts
            if continues_name(left, prev, catalog) and (more := range_below(rest, prev)) is not None:
                prev[1].name = f"{prev[1].name} {name_text(left)}"
                prev[1].other_ranges.append(more)
                prev = (line, prev[1])
                continue
        if prev is not None and len(line.segments) == 1 and debris.is_method_note(line.text):
            continue  # "(Photometry)" under its row: how it was measured, not more of its name
        if prev is not None and continues_name(line, prev, catalog):
            prev[1].name = marks.without_site_mark(f"{prev[1].name} {name_text(line)}", catalog)
            prev = (line, prev[1])  # a third line may follow
            continue
        if prev is not None and (more := range_below(line, prev)) is not None:
            prev[1].other_ranges.append(more)
            prev = (line, prev[1])
            continue
        if prev is not None and (rng := range_under(line, prev)) is not None:
            prev[1].range, prev = rng, None
            continue
        if prev is not None and continues_unit(line, prev):
            prev[1].unit = f"{prev[1].unit}{line.text.strip()}"
            prev = None
            continue
        if titled is not None and debris.is_method_note(line.text) and _just_below(titled[2], line):
            titled = (titled[0], titled[1], line)  # "Material: Serum  Method: …" under a card's name
            continue
        heading = debris.section_heading(line)
        if heading is not None and (saw_header or not rows):
            titled = (line, section, line)
            section, pending, prev = debris.nested_section(section, heading), None, None
        elif (len(line.segments) == 1 and not re.search(r"\d", line.text) and not line.text.endswith(":")
              and not debris.is_method_note(line.text)):
            pending, prev = line, None  # maybe a name wrapped onto its own line, or a card's name
            titled = (line, section, line)
        else:
            pending = prev = None
            if len(line.segments) == 1 and catalog.match(line.text)[0] is not None:
                titled = (line, section, line)  # a card's name with digits in it ("Vitamin B12")
    return rows


def _is_result(line: Line, cols: list[Column] | None, catalog: Catalog) -> bool:
    """A known test with a plain number: not a band of an interpretation table, whose value
    is a bound ("< 5.7 %", ">= 160 mg/dL  High") or a band ("5.7 - 6.4 %  Prediabetes")."""
    row = read_row(line, cols, catalog)
    return (row is not None and row.value.value is not None and row.value.comparator is None
            and row.value.glued_flag is None and not row.extra and (row.flag is None or row.range is not None)
            and catalog.match(row.name)[0] is not None)


def _off_the_columns(line: Line, catalog: Catalog) -> RawRow | None:
    """A whole result on one line that ignores the table's columns ("Glucose, Fasting ... 92 mg/dL
    (70-100)" below a "Test | Range | Result" table), kept when a catalogued name has a unit or range."""
    row = read_row(line, None, catalog)
    if row is None or not row.name or (row.unit is None and row.range is None):
        return None
    return row if catalog.match(row.name)[0] is not None else None


def infer_columns(lines: list[Line], catalog: Catalog) -> list[Column] | None:
    """Columns by x-clustering when the table has no header row: read the rows by the
    shape of their cells, then keep each kind of cell (value, flag, unit, range) that
    sits at one x position (left- or right-aligned) in most rows."""
    rows = [r for ln in lines if (r := read_row(ln, None, catalog)) is not None and r.name]
    if len(rows) < 4 or find_any_header(lines):
        return None
    cols: list[Column] = []
    for kind in ("value", "flag", "unit", "range"):
        spans = [(x0, x1) for r in rows for k, x0, x1 in r.cells if k == kind]
        if len(spans) < 0.5 * len(rows):
            continue
        lefts = sorted(x0 for x0, _ in spans)
        rights = sorted(x1 for _, x1 in spans)
        # Most cells of the kind start (or end) within a few points of one another.
        if _spread(lefts) > 12 and _spread(rights) > 12:
            continue
        cols.append(Column(kind, lefts[len(lefts) // 10], rights[-1 - len(rights) // 10]))
    if not any(c.kind == "value" for c in cols) or len(cols) < 2:
        return None
    cols.sort(key=lambda c: c.x0)
    if any(b.x0 < a.x1 for a, b in pairwise(cols)):
        return None  # overlapping: the cells do not form columns
    return [Column("name", 0.0, 0.0), *cols]


def find_any_header(lines: list[Line]) -> bool:
    return any(find_header(ln) is not None for ln in lines)


def _spread(xs: list[float]) -> float:
    """Interdecile range: how far apart the middle 80 % of positions are."""
    n = len(xs)
    return xs[n - 1 - n // 10] - xs[n // 10]


def repeated_lines(lines: list[Line], catalog: Catalog) -> set[int]:
    """Lines printed on several pages in the page's top or bottom band: running headers
    and footers ("Page 2 of 3", the lab's name, the patient banner). Digits are ignored
    when comparing, so page numbers and print times do not make them differ."""
    pages = {ln.page for ln in lines}
    if len(pages) < 2:
        return set()
    extent: dict[int, tuple[float, float]] = {}
    for ln in lines:
        lo, hi = extent.get(ln.page, (ln.y0, ln.y1))
        extent[ln.page] = (min(lo, ln.y0), max(hi, ln.y1))
    seen: dict[str, set[int]] = {}
    keyed: list[tuple[str, Line]] = []
    for ln in lines:
        lo, hi = extent[ln.page]
        band = (hi - lo) * 0.15
        if ln.y1 <= lo + band or ln.y0 >= hi - band:
            key = re.sub(r"\d+", "#", " ".join(ln.text.lower().split()))
            seen.setdefault(key, set()).add(ln.page)
            keyed.append((key, ln))
    # A repeated line that reads as a result of a known analyte is kept: pages printed
    # twice (a report and its copy) repeat rows, not furniture.
    return {id(ln) for key, ln in keyed
            if len(seen[key]) > 1 and find_header(ln) is None and not _is_known_row(ln, catalog)}


def _is_known_row(line: Line, catalog: Catalog) -> bool:
    row = read_row(line, None, catalog)
    return row is not None and bool(row.name) and catalog.match(row.name)[0] is not None


def read_row(line: Line, cols: list[Column] | None, catalog: Catalog, *, printed_header: bool = False) -> RawRow | None:
    segs = inline.split_cells(marks.without_superscripts(line), catalog)
    if not segs:
        return None
    segs = split_at_columns(segs, cols, line.height) if printed_header and cols else peel_values(segs, cols)
    hints = [("name" if (kind := column_of(s.x0, cols) if cols else None) == "code" and re.search(rf"[{CJK}]", s.text)
              else kind) for s in segs]
    # A row number or test code before the name: a code that reads as an abbreviation
    # ("WBC", "LYMPH%") stays with the name, a bare number goes. A cell in Chinese script is
    # a name, whatever column its edge falls nearest to.
    prefix: list[str] = []
    while segs and hints[0] == "code":
        words = [re.sub(r"^\d{1,3}[.)]?(?=[A-Za-z])", "", w.text) for w in segs[0].words]
        if words and re.fullmatch(r"\d{1,3}[.)]?", words[0]):
            words = words[1:]
        prefix.extend(w for w in words if re.fullmatch(r"[A-Za-z][A-Za-z0-9%#\-]*", w))
        segs, hints = segs[1:], hints[1:]
    keep = [k for k, h in enumerate(hints) if h not in IGNORED_KINDS]
    segs, hints = [segs[k] for k in keep], [hints[k] for k in keep]
    segs, hints, bounds = range_from_bounds(segs, hints)
    if len(segs) > 2 and hints[0] in (None, "name") and hints[1] in (None, "name") and is_row_number(segs[0].text) and is_label(segs[1].text, catalog):
        segs, hints = segs[1:], hints[1:]  # "1  白细胞计数  5.6 …": a row number, no header
    if not segs:
        return None
    # The name: leading segments in the name column, or the first segment.
    name_parts: list[Segment] = []
    i = 0
    while i < len(segs) and (hints[i] == "name" or (i == 0 and hints[i] is None)):
        if values.parse_value(segs[i].text) is not None and (name_parts or prefix):
            if marks.site_code(segs, hints, i):
                i += 1  # "Hemoglobin 01 13.5": a performing-site mark, not the value
                continue
            break
        name_parts.append(segs[i])
        i += 1
    if name_parts and i < len(segs) and hints[i] in (None, "value") and marks.site_code(segs, hints, i):
        i += 1
    # "白细胞计数 WBC 5.6": an abbreviation printed after a name the catalog does not
    # know (another script, a local spelling) is part of the name.
    while (i < len(segs) and hints[i] in (None, "code") and name_parts
           and re.fullmatch(r"[A-Za-z][A-Za-z0-9%#\-]{1,9}", segs[i].text)
           and values.parse_flag(segs[i].text) is None and not catalog.is_known_unit(segs[i].text)
           and catalog.match(" ".join(s.text for s in name_parts))[0] is None
           and catalog.match(segs[i].text)[0] is not None):
        name_parts.append(segs[i])
        i += 1
    if prefix and name_parts and (not re.search(rf"[{CJK}]", " ".join(s.text for s in name_parts))
                                  or catalog.match(" ".join(prefix))[0] is None):
        # A code column beside a name in the same script ("GLU54 | Fasting Glucose") is
        # the lab's order code; only a known abbreviation printed beside a name in
        # another script ("WBC | 白细胞", not "GLU35 | 葡萄糖") is part of the label.
        prefix = []
    name = join_cjk(" ".join([*prefix, *(s.text for s in name_parts)]).strip())
    name = marks.without_site_mark(debris.without_method_note(name), catalog).strip(" |¦│")  # "| Total Cholesterol |": a table's rules
    if name and (values.parse_value(name) is not None or value_and_unit(name, catalog)):
        name_parts, name, i = [], "", 0  # a value with no name: maybe a wrapped row
    # "科室：内科", "Ward: 4B": a header field and its value on a line of them, not a test.
    labelled = re.match(r"(.+?)\s*[:：]\s*\S", name)
    if labelled and field_of(labelled.group(1)) is not None and catalog.match(labelled.group(1))[0] is None:
        return None
    name, labelled_only = debris.colon_cut(name, catalog.match)
    if name and (not re.search(r"[^\W\d_]", name) or debris.is_interpretation_label(name) or inline.reads_as_prose(name)):
        return None
    cells = classify(segs[i:], hints[i:])
    if cells is None:
        return None
    value, value_words, flag, unit, rng, extra, positions, second = cells
    if bounds is not None and rng is None:
        rng, cell = bounds
        positions = [*positions, cell]
    known_name = catalog.match(name)[0] is not None if name else False
    # Under a printed header, a number in the result column beside a short label in the
    # name column is a result even when the catalog does not know the name and the lab
    # printed no unit or range for it ("PDW  9", "Rh Factor  Positive").
    value_x = next((x0 for k, x0, _ in positions if k == "value"), None)
    in_table = bool(printed_header and cols and name_parts and value_x is not None
                    and (value.value is not None or values.is_finding(value.text))
                    and len(name.split()) <= 5 and column_of(value_x, cols) == "value"
                    and column_of(name_parts[0].x0, cols) == "name")
    # "LDL/HDL Ratio: 4.38 (High)": a number the lab flagged out of range is a result too.
    flagged = flag in ("high", "low") and value.value is not None and not extra and 1 <= len(name.split()) <= 5
    if not (known_name or catalog.is_known_unit(unit) or rng is not None or in_table or flagged):
        return None
    # (A label and its value, unless a unit and a range make it a result.)
    if (labelled_only and not (catalog.is_known_unit(unit) and rng is not None)) or (
            not name and not (catalog.is_known_unit(unit) or rng is not None)):
        return None
    row = RawRow(line.page, name, value, value_words, flag, unit, rng, None, extra, positions)
    if second is not None:
        pair_up(row, second, catalog)
    return row


def _just_below(upper: Line, lower: Line) -> bool:
    """``lower`` is the next line under ``upper``, with no more than a line's gap."""
    return upper.page == lower.page and -0.5 * lower.height <= lower.y0 - upper.y1 < 1.2 * lower.height

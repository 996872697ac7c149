"""The cells of one result row after its name: value, flag, unit and range, recognised
by their column (when a header gave one) and by what they look like."""

from __future__ import annotations

import re
from dataclasses import dataclass

from labintake.domain.schemas import ReferenceRange
from labintake.extract.document import Word
from labintake.parse import values
from labintake.parse.catalog import Catalog
from labintake.parse.columns import BOUND_KINDS, Column
from labintake.parse.lines import Segment
from labintake.parse.units import PERCENT_READINGS

# Accented Latin letters too: OCR puts marks on unit letters ("mmôl/l"); the catalogue folds
# them. Cyrillic: units printed in Russian ("ммоль/л").
UNIT_SHAPE = re.compile(r"^(?:[a-zA-ZÀ-ÖØ-öø-ɏ\u0400-\u04ffµμ%#/^*×~\[\]{}().,0-9²³⁹¹⁰]+)$")


_CELL_WORDS = 5
# A cell of marks only ("*", "**", "#") is a flag column's, printed nearer the units: never a unit.
_MARKS_ONLY = re.compile(r"\s*[*#]+\s*")


@dataclass(slots=True)
class Second:
    """A second value printed with its own unit after the first ("72,1 %  8,15 G/L",
    "0,95 g/L  5,27 mmol/L"): a differential's count beside its percentage, or the same
    result in a second unit system."""

    value: values.Value
    words: list[Word]
    unit: str | None = None


# "Not Estab. %": the range column says no range was established, and the unit follows.
_NO_RANGE = re.compile(r"(?i)^(?:not\s+estab(?:lished|\.)?|not\s+defined|no\s+(?:reference\s+)?range|"
                       r"nicht\s+(?:etabliert|definiert)|non\s+(?:établi|défini)e?s?)(?=\s|$)")


def _no_range_words(seg: Segment) -> int:
    """How many of the segment's first words say there is no range (0 when they do not)."""
    m = _NO_RANGE.match(seg.text)
    return len(m.group(0).split()) if m else 0


_LEADING_FLAGS = frozenset({"H", "L", "HH", "LL", "*", "**", "↑", "↓", "▲", "▼", "+", "-", "−"})


def _flag_before_value(text: str, rest: list[Segment]) -> str | None:
    """The flag a lone mark (H, L, *, ↑, one + or −) printed just before a number means;
    "" for a sign the range after the number contradicts (some labs print "-" for "none")."""
    mark = text.strip()
    # Letters in capitals only: a ruled table's line OCR read as "l" or "I" is no flag.
    if not rest or mark not in _LEADING_FLAGS:
        return None
    flag = values.parse_flag(mark)
    nxt = values.parse_value(rest[0].text.split()[0])
    if flag is None or nxt is None or nxt.value is None or nxt.comparator or nxt.glued_flag:
        return None
    if mark in values.SIGN_FLAGS:
        rng = next((r for s in rest[1:] if (r := values.parse_range(s.text)) is not None), None)
        if rng is None or values.derive_flag(nxt, rng) != flag:
            return ""
    return flag


def classify(segs: list[Segment], hints: list[str | None]):
    value: values.Value | None = None
    second: Second | None = None
    value_words: list[Word] = []
    flag: str | None = None
    unit: str | None = None
    rng: ReferenceRange | None = None
    extra: list[str] = []
    cells: list[tuple[str, float, float]] = []
    percent_read_as: str | None = None  # "8" where a unit stands: kept if no real unit follows
    unit_from_elsewhere = False  # the unit was read in another column's place

    def take(text: str, words: list[Word], hint: str | None, whole: bool = True, after_value: bool = False) -> bool:
        nonlocal value, value_words, flag, unit, rng, second, percent_read_as, unit_from_elsewhere
        x0, x1 = words[0].x0, words[-1].x1
        if second is not None and second.unit is None:
            # A unit completes a second value (else it was none: see the end).
            if UNIT_SHAPE.match(text.replace(" ", "")) and not is_number(text) and _balanced(text):
                second.unit = text
                return True
        if value is not None and unit is not None and rng is None and flag is None and second is None and hint in (None, "value", "unit"):
            v = values.parse_value(text)
            if v is not None and v.value is not None and not v.comparator and not v.glued_flag:
                second = Second(v, words)
                return True
        order: tuple[str, ...] = ("value", "flag", "range", "unit")
        if hint in order:
            order = (hint, *[k for k in order if k != hint])
        for kind in order:
            if kind == "value" and value is None and hint == "value" and _COUNT_SPAN.fullmatch(text):
                # "Pus Cells  2-3 /hpf  0-5": a microscopy count is printed as a span, in the
                # result column; the range comes after it.
                value, value_words = values.Value(None, text.replace(" ", "")), words
                cells.append(("value", x0, x1))
                return True
            if kind == "value" and value is None and hint not in ("range", "unit"):
                v = values.parse_value(text)
                if v is not None:
                    value, value_words = v, words
                    cells.append(("value", x0, x1))
                    if v.glued_flag and flag is None:
                        flag = v.glued_flag
                    return True
            elif kind == "flag" and flag is None and value is not None:
                f = values.parse_flag(text)
                # A lone sign inside a longer cell is a dash of something else, except
                # right after the value it marks ("412 +", "3,1 --").
                if f is not None and text.strip() in values.SIGN_FLAGS and not whole and not after_value:
                    f = None
                if f is not None and (hint == "flag" or len(text) <= 4 or text.strip("()[].").isalpha()):
                    flag = f
                    cells.append(("flag", x0, x1))
                    return True
            elif kind == "range" and rng is None and (value is not None or hint == "range"):
                r = values.parse_range(text)
                if r is not None:
                    rng = r
                    cells.append(("range", x0, x1))
                    return True
            elif kind == "unit" and (value is not None or hint == "unit") and (
                    unit is None or (unit_from_elsewhere and hint == "unit")):
                cell = _unspecked(text) if hint == "unit" else text
                if (UNIT_SHAPE.match(cell.replace(" ", "")) and not is_number(cell) and _balanced(cell)
                        and not _MARKS_ONLY.fullmatch(cell) and not _flag_word_first(cell) and not _flag_word(cell)
                        and not _NUMBER_FIRST.match(cell)
                        and not _WORD_IN_BRACKETS.search(cell)):
                    if unit is not None:
                        # A letter in the flag column's place ("I": a rule or a speck read so)
                        # is not the unit when the units column has one.
                        extra.append(unit)
                    unit, unit_from_elsewhere = cell, hint not in (None, "unit")
                    cells.append(("unit", x0, x1))
                    return True
                if percent_read_as is None and cell.replace(" ", "") in PERCENT_READINGS:
                    percent_read_as = cell
                    return True
        return False

    for k, (seg, hint) in enumerate(zip(segs, hints, strict=True)):
        if value is None and flag is None and (lead := _flag_before_value(seg.text, segs[k + 1:])) is not None:
            # "Leukozyten  +  11,8 /nl", "GPT  H  62 U/l": the flag column printed before the
            # value's. Not "++", "+++": a dipstick's grade, which a count may follow.
            if lead:
                flag = lead
                cells.append(("flag", seg.words[0].x0, seg.words[-1].x1))
            continue
        skip = _no_range_words(seg) if value is not None and rng is None else 0
        if not skip and take(seg.text, seg.words, hint):
            continue
        # A segment holding several cells ("112 H", "6.8 x10E3/uL", "mmol/L (< 5.0)"):
        # the longest run of words that reads as one cell, then the rest.
        ws = seg.words
        i = skip
        while i < len(ws):
            after_value = bool(i) and bool(value_words) and value_words[-1] is ws[i - 1]
            # A cell is at most a few words ("12.0 - 16.0", "mmol/L (< 5.0)").
            for j in range(min(len(ws) if i else len(ws) - 1, i + _CELL_WORDS), i, -1):
                text = " ".join(w.text for w in ws[i:j])
                if take(text, ws[i:j], hint, whole=len(ws) == 1, after_value=after_value):
                    i = j
                    break
            else:
                if not _take_glued(ws[i], hint, take):
                    extra.append(ws[i].text)
                i += 1
    if second is not None and second.unit is None:
        extra.append(second.value.text)
        second = None
    if percent_read_as is not None:
        if unit is None:
            unit = percent_read_as  # the catalogue keeps it only where the analyte is a percentage
        else:
            extra.append(percent_read_as)
    if value is None:
        return None
    return value, value_words, flag, unit, rng, extra, cells, second


# A speck of dust or a column rule read as a quote or comma at a unit's edge ("'mmol/L", "g/dL,").
_SPECKS = "'‘’`\",;:"


def _unspecked(text: str) -> str:
    """A unit column's cell without the specks a scan reads at its edges; a unit never starts
    or ends with a quote, a comma or a colon."""
    return text.strip(_SPECKS + " ") or text


_GLUED_RANGE_UNIT = re.compile(r"^(?P<a>[<>≤≥]?\(?\d[\d.,]*\s*[-–]\s*\d[\d.,]*\)?)(?P<b>[a-zA-Zµμ%/][^\s]*)$")


def _take_glued(word: Word, hint: str | None, take) -> bool:
    """``3.5-5.0mmol/L``: a range printed against its unit, one word (a value against its unit,
    ``13.5g/dL``, is split before the cells are read: ``inline.split_cells``)."""
    m = _GLUED_RANGE_UNIT.match(word.text)
    if m is None:
        return False
    took = take(m.group("a"), [word], "range")
    return take(m.group("b"), [word], "unit") or took


# A semi-quantitative count printed as a span of small whole numbers: "2-3", "10 - 12".
_COUNT_SPAN = re.compile(r"\d{1,2}\s*-\s*\d{1,2}")
# "mg/dL (Normal)", "ng/mL (Sufficient)": a unit and a word of interpretation after it, two cells.
_WORD_IN_BRACKETS = re.compile(r"\s[(\[][^\W\d_]{3,}(?:[ \-][^\W\d_]+)*[)\]]$")
# "2,5 . 7,1 mmol/L": a number and a space begin a range (or a value), never a unit.
_NUMBER_FIRST = re.compile(r"^[<>≤≥]?\d[\d.,]*\s")


def _flag_word_first(text: str) -> bool:
    """``Baixo fl``, ``High mg/dL``: a flag word printed before the unit, two cells."""
    first, _, rest = text.partition(" ")
    return bool(rest) and first.isalpha() and values.parse_flag(first) is not None


def _flag_word(text: str) -> bool:
    """``path.``, ``hoch`` in the units column: a flag word, not a unit (no unit is one)."""
    word = text.strip("()[].")
    return len(word) >= 3 and word.isalpha() and values.parse_flag(word) is not None


def _balanced(text: str) -> bool:
    """``mmol/mol (20`` is a unit and half a range, not a unit."""
    return text.count("(") == text.count(")") and text.count("[") == text.count("]")


def is_number(text: str) -> bool:
    v = values.parse_value(text)
    return v is not None and v.value is not None


# A cell starts at most this far left of its (left-aligned) column heading, in line heights
# (OCR boxes of a heading and of the cells under it are padded differently).
_CELL_LEAD = 0.4


def split_at_columns(segs: list[Segment], cols: list[Column], height: float) -> list[Segment]:
    """Split a segment where one of its words starts under the next printed heading.

    OCR and tight layouts join neighbouring cells into one segment ("UPRO02 Eiwit",
    "Soortelijk gewicht 1,015", "[A] Dipstick"). A word that begins at or after a later
    column's heading, while the word before it began under an earlier one, starts a new
    cell. A name runs long in a monospaced printout ("ALANINE AMINOTRANSFERASE (ALT/SGPT)",
    "LDL Cholesterol Calc" past the next heading): a cell that began under the name
    heading is cut only before a word that reads as a value or a flag.
    """
    edges = [c.x0 - max(3.0, _CELL_LEAD * height) for c in cols]

    def under(x: float) -> int:
        return sum(e <= x for e in edges)

    out: list[Segment] = []
    for seg in segs:
        start = 0
        for k in range(1, len(seg.words)):
            if under(seg.words[k].x0) <= under(seg.words[k - 1].x0):
                continue
            began = under(seg.words[start].x0) - 1
            word = seg.words[k].text
            if (0 <= began < len(cols) and cols[began].kind == "name"
                    and values.parse_value(word) is None and values.parse_flag(word) is None):
                continue
            # A comparator printed before its number ("< 100", ".< 100" with a speck) belongs to
            # the number's cell, even where it starts left of the heading.
            cut = k - 1 if _COMPARATOR.fullmatch(seg.words[k - 1].text) else k
            if cut == start:
                continue
            out.append(Segment(seg.words[start:cut]))
            start = cut
        out.append(Segment(seg.words[start:]))
    return out


_COMPARATOR = re.compile(rf"[.,'`]?{values.CMP}")  # with a speck OCR may read before it


def peel_values(segs: list[Segment], cols: list[Column] | None) -> list[Segment]:
    """Split the value off a name it was printed too close to.

    Monospaced printouts pad columns with single spaces, so a long name and its value
    can form one segment. A word that starts at or after the value column's left edge
    and reads as a value begins a new segment.
    """
    value_col = next((c for c in cols or () if c.kind == "value"), None)
    if value_col is None or len(segs[0].words) < 2:
        return segs
    first = segs[0]
    for k, w in enumerate(first.words[1:], start=1):
        if w.x0 >= value_col.x0 - 3 and values.parse_value(w.text) is not None:
            return [Segment(first.words[:k]), Segment(first.words[k:]), *segs[1:]]
    return segs


def range_from_bounds(segs: list[Segment], hints: list[str | None]):
    """A range printed as two columns ("Low | High", "Norm min | Norm max"): both limits,
    numbers, the lower one first, become the row's range; otherwise the cells are read as
    any other (a value printed under "High" is still the value). So are two limits either side
    of a bar under a range heading."""
    low = [k for k, h in enumerate(hints) if h == "range_low"]
    high = [k for k, h in enumerate(hints) if h == "range_high"]
    in_range = [k for k, h in enumerate(hints) if h == "range"]
    if not low and not high and in_range and in_range[0] == len(segs) - 2 and hints[-1] in ("range", None):
        # A range drawn as a bar between its limits ("74 [=====] 106"): two numbers, nothing
        # between them but the drawing, the first under the range heading, ending the row.
        low, high = [len(segs) - 2], [len(segs) - 1]
    found = None
    if len(low) == 1 and len(high) == 1:
        lo, hi = values.parse_value(segs[low[0]].text), values.parse_value(segs[high[0]].text)
        if (lo is not None and hi is not None and lo.value is not None and hi.value is not None
                and not lo.comparator and not hi.comparator and lo.value <= hi.value):
            text = f"{lo.text} - {hi.text}"
            cell = ("range", segs[low[0]].x0, segs[high[0]].x1)
            found = ReferenceRange(low=lo.value, high=hi.value, text=text), cell
    if found is None:
        return segs, [None if h in BOUND_KINDS else h for h in hints], None
    keep = [k for k in range(len(segs)) if k not in (low[0], high[0])]
    return [segs[k] for k in keep], [hints[k] for k in keep], found


def value_and_unit(text: str, catalog: Catalog) -> bool:
    """``12.8 g/dL``: a value and its unit in one cell, not a name."""
    m = re.fullmatch(r"[<>≤≥]?\d[\d.,]*\s*(\S+)", text)
    return m is not None and catalog.is_known_unit(m.group(1))


def is_row_number(text: str) -> bool:
    return re.fullmatch(r"\d{1,3}[.)]?", text.strip()) is not None


def is_label(text: str, catalog: Catalog) -> bool:
    """Reads as a test name: letters (any script), not a value, range or unit."""
    return (sum(c.isalpha() for c in text) >= 3 and values.parse_value(text) is None
            and values.parse_range(text) is None and not catalog.is_known_unit(text))

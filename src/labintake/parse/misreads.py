"""Readings a misread made, put right where the row itself shows it: an arrow glued to a value
and read as a "1" (``136,9`` for ``↑36,9``), a decimal comma document's ``1.015``, a range's
dash read as a point (``10.35`` for ``10 - 35``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from labintake.domain.schemas import ReferenceRange
from labintake.parse import values

if TYPE_CHECKING:
    from labintake.parse.catalog import Analyte
    from labintake.parse.table import RawRow


def plausible_reading(value: values.Value, analyte: Analyte | None, unit: str | None) -> values.Value:
    """A reading the analyte cannot have, when another reading of the same print it can.

    ``1,021`` is a thousand and twenty-one or one point zero two one; when only the
    decimal-comma reading is plausible for the analyte (a urine specific gravity), take it.
    ``136,9`` for an MCHC (or ``116,2`` for an RDW) is an arrow glued to ``36,9`` that OCR
    read as a one: when only the value without it is plausible, take it, flagged (high or low
    by its range).
    """
    if analyte is None or value.value is None or analyte.plausible(value.value, unit):
        return value
    # ... and ``1.015`` in a document that writes decimal commas (read as thousands there).
    if re.fullmatch(r"[<>=≤≥]*\d{1,3}[,.]\d{3}", value.text):
        alt = float(value.text.lstrip("<>=≤≥").replace(",", "."))
        if analyte.plausible(alt, unit):
            return values.Value(alt, value.text, value.comparator, value.glued_flag)
    if value.comparator is None and value.glued_flag is None and re.fullmatch(r"1\d{1,2}(?:[.,]\d{1,2})?", value.text):
        arrow = values.parse_value(value.text[1:])
        if arrow is not None and arrow.value is not None and analyte.plausible(arrow.value, unit):
            # Up and down arrows both read as a one: the mark is kept, its direction is the range's.
            return values.Value(arrow.value, arrow.text, None, "abnormal")
    return value


# A lone number with decimals where the range stands: "10.35" for "10 - 35", the dash read as a point.
_DASH_AS_POINT = re.compile(r"\(?(\d{1,4})\.(\d{2,4})\)?")


def range_in_pieces(row: RawRow) -> ReferenceRange | None:
    """A range whose words a photo's distortion put across a column edge ("83.00", "-",
    "101.00" left over beside the row's cells): read again as one, when together they are
    a range of two bounds and nothing else is left over."""
    if row.range is not None or len(row.extra) < 2 or not all(re.search(r"[\d<>≤≥–-]", t) for t in row.extra):
        return None
    rng = values.parse_range(" ".join(row.extra))
    return rng if rng is not None and rng.low is not None and rng.high is not None else None


def dash_read_as_point(row: RawRow) -> ReferenceRange | None:
    """The range of a row whose value is a whole number and whose only other number is one
    with decimals ("22" beside "10.35"): a lab prints bounds as precisely as its values, so
    that is "10 - 35" with the dash read as a point, when the value sits near it."""
    numbers = [t for t in row.extra if re.search(r"\d", t)]
    if row.range is not None or len(numbers) != 1 or row.value.value is None or not row.value.text.isdigit():
        return None
    m = _DASH_AS_POINT.fullmatch(numbers[0])
    if m is None or m.group(2).startswith("0"):
        return None
    low, high = int(m.group(1)), int(m.group(2))
    if not low < high or not low / 2 <= row.value.value <= 2 * high:
        return None
    return ReferenceRange(low=low, high=high, text=numbers[0])


def arrow_read_as_one(value: values.Value, rng: ReferenceRange | None, analyte: Analyte | None,
                      unit: str | None) -> values.Value:
    """In a report that glues arrows to its values ("↓4,06"), an out-of-range value with no
    mark contradicts the report's own style. Where it begins with a "1" and the rest is high
    as well ("15,8" against 4,0 - 5,6), the "1" is an up arrow OCR misread: the rest, flagged
    (its direction is the range's)."""
    if value.comparator or value.glued_flag or value.value is None or rng is None:
        return value
    if not re.fullmatch(r"1[1-9]\d{0,2}(?:[.,]\d{1,3})?|10[.,]\d{1,3}", value.text):
        return value
    rest = values.parse_value(value.text[1:])
    if rest is None or rest.value is None or rng.high is None or not rest.value > rng.high:
        return value  # an up arrow read as a one: both readings high
    if analyte is not None and not analyte.plausible(rest.value, unit):
        return value
    return values.Value(rest.value, rest.text, None, "abnormal")


def speck_read_as_point(value: values.Value, rng: ReferenceRange | None) -> values.Value:
    """``.78`` against 62 - 106: a speck before a whole number, read as its decimal point. A
    lab prints a fraction with its zero ("0.78"); when the range's bounds are whole numbers and
    the number without the point is of their size while the fraction is far below, the point
    was a speck."""
    if value.comparator or value.value is None or rng is None or rng.low is None or rng.high is None:
        return value
    if not re.fullmatch(r"[.,]\d{2,3}", value.text) or rng.low < 1 or re.search(r"\d[.,]\d", rng.text or ""):
        return value
    whole = values.parse_value(value.text[1:])
    if whole is None or whole.value is None or not (rng.low / 2 <= whole.value <= rng.high * 2):
        return value
    return whole if value.value < rng.low / 10 else value

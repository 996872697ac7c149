"""Two results printed on one row, each with its unit.

Labs in France, Belgium, Switzerland, Spain and Italy print a differential's percentage and
its absolute count side by side ("Polynucléaires neutrophiles  72,1 %  8,15 G/L"), and
many print a chemistry result in both unit systems ("Glycémie  0,95 g/L  5,27 mmol/L").
The first are two tests; the second is one result said twice. Either way the single
reference range on the row belongs to the value it fits, never by position alone: a
count's range (1.8–7.5) put on a percentage (72.1) would flag a normal result high.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

from labintake.domain.schemas import ReferenceRange
from labintake.parse.catalog import Catalog
from labintake.parse.cells import Second

if TYPE_CHECKING:
    from labintake.parse.table import RawRow

# Unit kinds of the two tests of a differential row: a percentage and a count.
_DIFFERENTIAL = frozenset({"fraction", "count"})


def pair_up(row: RawRow, second: Second, catalog: Catalog) -> None:
    """Give ``row`` its second value: as a twin row (a differential's count), or in place
    of its first when the row's range was printed for the second unit system."""
    first_unit, second_unit = catalog.normalise_unit(row.unit), catalog.normalise_unit(second.unit)
    kinds = {catalog.unit_kind.get(first_unit or ""), catalog.unit_kind.get(second_unit or "")}
    if None in kinds or first_unit == second_unit or second.value.value is None or row.value.value is None:
        row.extra += [second.value.text, second.unit or ""]
        return
    for_second = row.range is not None and _fits_better(second.value.value, row.value.value, row.range)
    flag_x = next((x0 for k, x0, _ in row.cells if k == "flag"), None)
    flag_for_second = flag_x is not None and flag_x > second.words[0].x0
    if kinds == _DIFFERENTIAL:
        value_cell = ("value", second.words[0].x0, second.words[-1].x1)
        range_cells = [c for c in row.cells if c[0] == "range"] if for_second else []
        row.twin = replace(
            row, value=second.value, value_words=second.words, unit=second.unit,
            flag=row.flag if flag_for_second else None, range=row.range if for_second else None,
            extra=[], cells=[value_cell, *range_cells], other_ranges=[], twin=None)
        if for_second:
            row.range, row.other_ranges = None, []
            row.cells = [c for c in row.cells if c[0] != "range"]
        if flag_for_second:
            row.flag = None
    elif for_second:
        row.extra += [row.value.text, row.unit or ""]
        row.value, row.value_words, row.unit = second.value, second.words, second.unit
    else:
        row.extra += [second.value.text, second.unit or ""]


def misfit(value: float, rng: ReferenceRange) -> float:
    """How far ``value`` lies outside ``rng``, in orders of magnitude (0 inside it)."""
    bounds = [b for b in (rng.low, rng.high) if b is not None and b > 0]
    if value <= 0 or not bounds:
        return math.inf if value <= 0 else 0.0
    lo = rng.low if rng.low is not None and rng.low > 0 else None
    hi = rng.high if rng.high is not None and rng.high > 0 else None
    if lo is not None and value < lo:
        return math.log10(lo / value)
    if hi is not None and value > hi:
        return math.log10(value / hi)
    return 0.0


# Half an order of magnitude: two values inside one range are told apart by their distance
# from its upper bound only when they differ by more (3 % and 189 /mm3 in "0 a 500" do;
# triglycerides' 1,02 g/L and 1,16 mmol/L in "0,35 - 1,50" do not).
_CLEARLY_NEARER = 0.5


def _fits_better(second: float, first: float, rng: ReferenceRange) -> bool:
    """Whether the row's range was printed for its second value rather than its first: the
    second lies less far outside it, or (both inside) clearly nearer its magnitude. When
    nothing tells them apart, the range stays with the first value, where it was printed."""
    a, b = misfit(second, rng), misfit(first, rng)
    if a != b:
        return a < b
    return _distance_from_top(first, rng) - _distance_from_top(second, rng) > _CLEARLY_NEARER


def _distance_from_top(value: float, rng: ReferenceRange) -> float:
    """How far ``value`` is in magnitude from the range's upper bound (orders of ten)."""
    top = rng.high if rng.high is not None and rng.high > 0 else None
    return abs(math.log10(top / value)) if top is not None and value > 0 else math.inf

"""Which rows are a urinalysis when no heading says so.

A urine table printed without its heading ("TAM İDRAR", "Urinalysis") or under one the page
does not repeat still reads as one: colour, appearance, specific gravity, ketones and nitrite
are tested in urine and nowhere else. Between and around two such rows, a pH, a glucose or a
"Negative" leukocyte count is the test strip's, not the blood's; the run ends at a row the urine
cannot have (a white cell count in 10^9/L is the blood count printed under it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from labintake.parse.catalog import Catalog, of_urine
from labintake.parse.table import RawRow

# Rows of urine-only tests a run needs: two make a urinalysis, one may be a stray word.
_ANCHORS = 2
# A heading that names another sample: its colour and blood are not the urine's.
_OTHER_SAMPLE = re.compile(
    r"(?i)stool|f(?:a)?eces|f(?:a)?ecal|occult|semen|seminal|sperm|csf|cerebrospinal|liquor|sputum|pleural|"
    r"ascit|synovial|stuhl|selles|heces|feci|dışkı|kał\b|粪便|大便|精液|脑脊液")


def urine_runs(rows: Sequence[RawRow], catalog: Catalog, label: Callable[[str], str]) -> list[bool]:
    """For each row, whether it sits in a run of urinalysis rows. ``label`` cleans a printed
    name the way the result's name is cleaned (codes and marks off)."""
    marked = [False] * len(rows)
    start = 0
    while start < len(rows):
        end = start
        while end < len(rows) and rows[end].section == rows[start].section:
            end += 1
        _mark(rows, range(start, end), catalog, label, marked)
        start = end
    return marked


def _mark(rows: Sequence[RawRow], span: range, catalog: Catalog, label: Callable[[str], str],
          marked: list[bool]) -> None:
    if _OTHER_SAMPLE.search(rows[span.start].section or ""):
        return
    names = {i: label(rows[i].name) for i in span}
    anchors = [i for i in span if (a := catalog.match(names[i])[0]) is not None and a.panel == "Urinalysis"]
    if len(anchors) < _ANCHORS:
        return

    def fits(i: int) -> bool:
        unit = catalog.normalise_unit(rows[i].unit)
        analyte = catalog.match(names[i], unit, urine=True)[0]
        return analyte is not None and of_urine(analyte) and (unit is None or analyte.accepts(unit))

    for i in range(anchors[0], anchors[-1] + 1):
        marked[i] = fits(i)
    i = anchors[0] - 1
    while i >= span.start and fits(i):
        marked[i], i = True, i - 1
    i = anchors[-1] + 1
    while i < span.stop and fits(i):
        marked[i], i = True, i + 1

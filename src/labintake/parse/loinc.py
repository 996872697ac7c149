"""LOINC codes' own check: the mod-10 check digit after the hyphen."""

from __future__ import annotations

import re


def loinc_check_digit(base: str) -> int:
    """The LOINC mod-10 check digit for the part before the hyphen (Luhn algorithm)."""
    total = 0
    for i, ch in enumerate(reversed(base)):
        d = int(ch)
        if i % 2 == 0:  # rightmost digit and every second one to its left are doubled
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return (10 - total % 10) % 10


def loinc_is_valid(code: str) -> bool:
    m = re.fullmatch(r"(\d{1,7})-(\d)", code)
    return m is not None and loinc_check_digit(m.group(1)) == int(m.group(2))

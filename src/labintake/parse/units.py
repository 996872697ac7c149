"""Printed units reduced to lookup keys: NFKC, micro signs, Cyrillic spellings, OCR
confusions (I/l/1, O/0, g/9) folded, so a damaged unit still finds its canonical form."""

from __future__ import annotations

import re
import unicodedata

# Units printed in Cyrillic (Russian, Ukrainian, Bulgarian reports), longest first.
_CYRILLIC_UNITS = (("мкмоль", "umol"), ("ммоль", "mmol"), ("нмоль", "nmol"), ("пмоль", "pmol"), ("моль", "mol"),
                   ("мкед", "uU"), ("мед", "mU"), ("мкме", "uIU"), ("мме", "mIU"), ("ме", "IU"), ("ед", "U"),
                   ("мкг", "ug"), ("мг", "mg"), ("нг", "ng"), ("пг", "pg"), ("фл", "fL"), ("мл", "mL"), ("дл", "dL"),
                   ("мм/ч", "mm/h"), ("мин", "min"), ("сек", "s"), ("кл", "cells"), ("г", "g"), ("л", "L"), ("ч", "h"))


# What OCR reads a small "%" as where a unit stands ("67  8  (40-75)"): digits, never a unit,
# so such a cell only becomes the unit when no real one follows (``cells.classify``) and only
# stays it when the analyte is reported in percent (``Catalog.normalise_unit``).
PERCENT_READINGS = frozenset({"8", "96", "0/0", "9/0", "o/o", "%o", "%0"})


def latin_unit(text: str) -> str:
    """``ммоль/л`` -> ``mmol/L``: a unit printed in Cyrillic, in the Latin spelling."""
    if not re.search(r"[\u0400-\u04ff]", text):
        return text
    out = text.lower()
    for cyr, lat in _CYRILLIC_UNITS:
        out = out.replace(cyr, lat)
    return out


def unit_key(text: str, *, fold_case: bool = True) -> str:
    text = latin_unit(unicodedata.normalize("NFKC", text)).replace("µ", "u").replace("μ", "u")
    # No unit has an accented letter: a mark on one is OCR noise ("mmôl/l").
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = re.sub(r"\s+", "", text)
    return text.lower() if fold_case else text


# Letters OCR confuses in units (I/l/1/|, O/0): folded to one symbol for a second lookup.
_CONFUSABLE = str.maketrans({"i": "l", "1": "l", "|": "l", "!": "l", "0": "o"})


def folded(key: str) -> str:
    return key.translate(_CONFUSABLE)


_DIGIT_LIKE = str.maketrans({"l": "1", "i": "1", "|": "1", "o": "0"})


def digits(key: str) -> str:
    return re.sub(r"\D", "", key.translate(_DIGIT_LIKE))


_CONFUSABLE_BARE = str.maketrans({"i": "l", "1": "l", "|": "l", "!": "l", "0": "o", "a": "l", "t": "l", "9": "g"})


def bare(text: str) -> str:
    """A unit reduced to what survives OCR damage: lower case, no slashes or spaces,
    l-like letters folded (``U/l``, ``UA``, ``UI`` all become ``ul``)."""
    return re.sub(r"[\s/]+", "", unit_key(text)).translate(_CONFUSABLE_BARE)


_PREFIX = {"": 1.0, "d": 1e-1, "c": 1e-2, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12, "f": 1e-15}
_METRIC = re.compile(r"(?P<p>[munpf]?)(?P<base>g|mol)/(?P<q>[dcmu]?)L")


def metric_scale(unit: str) -> tuple[str, float] | None:
    """``("g", 1e-8)`` for ng/dL: the quantity a concentration unit measures, and its size
    against g/L (or mol/L). None for anything else (counts, enzyme units, mEq)."""
    m = _METRIC.fullmatch(unit)
    if m is None:
        return None
    return m.group("base"), _PREFIX[m.group("p")] / _PREFIX[m.group("q")]

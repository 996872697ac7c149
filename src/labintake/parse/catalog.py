"""The analyte catalog: names, abbreviations and synonyms to canonical name, LOINC and units.

The data lives in ``labintake/data/analytes.json``. Names are matched exactly after
normalisation first, then fuzzily (rapidfuzz) so OCR damage such as ``Hemoglobln`` or
``Potasslum`` still finds its analyte. Short abbreviations (``K``, ``Na``, ``TG``) are
only ever matched exactly: a fuzzy match on two letters is a coin toss.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from rapidfuzz import fuzz, process

_FUZZY_MIN_LEN = 5
_FUZZY_CUTOFF = 85.0
_UNIT_FUZZY_CUTOFF = 85.0


@dataclass(frozen=True, slots=True)
class Analyte:
    name: str
    loinc: str
    unit: str  # canonical display unit; its UCUM code is in Catalog.ucum
    accepted_units: tuple[str, ...]
    bounds: tuple[float, float]  # plausible values in the canonical unit
    synonyms: tuple[str, ...]
    group: str | None = None  # siblings told apart by unit (Neutrophils % / #)
    panel: str | None = None

    def plausible(self, value: float, unit: str | None) -> bool:
        if unit not in (None, self.unit):
            return True  # bounds are only known in the canonical unit
        return self.bounds[0] <= value <= self.bounds[1]


def normalise_name(text: str) -> str:
    """Lower-case, NFKC, punctuation to spaces (keeping % and #), single-spaced."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^a-z0-9%#+\-]+", " ", text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)  # Non-HDL = Non HDL
    return " ".join(text.split())


def _unit_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("µ", "u").replace("μ", "u")
    return re.sub(r"\s+", "", text).lower()


# Letters OCR confuses in units (I/l/1/|, O/0): folded to one symbol for a second lookup.
_CONFUSABLE = str.maketrans({"i": "l", "1": "l", "|": "l", "!": "l", "0": "o"})


def _folded(key: str) -> str:
    return key.translate(_CONFUSABLE)


class Catalog:
    def __init__(self, data: dict) -> None:
        self.analytes: list[Analyte] = [
            Analyte(
                a["name"],
                a["loinc"],
                a["unit"],
                tuple(a["accepted_units"]),
                (float(a["bounds"][0]), float(a["bounds"][1])),
                tuple(a["synonyms"]),
                a.get("group"),
                a.get("panel"),
            )
            for a in data["analytes"]
        ]
        self.ucum: dict[str, str] = {d: u["ucum"] for d, u in data["units"].items()}
        self._unit_alias: dict[str, str] = {}
        self._unit_folded: dict[str, str] = {}
        for display, spec in data["units"].items():
            for alias in (display, *spec["aliases"]):
                self._unit_alias.setdefault(_unit_key(alias), display)
                self._unit_folded.setdefault(_folded(_unit_key(alias)), display)
        self._by_name: dict[str, Analyte] = {}
        for analyte in self.analytes:
            for syn in (analyte.name, *analyte.synonyms):
                self._by_name.setdefault(normalise_name(syn), analyte)
        self._fuzzy_keys = [k for k in self._by_name if len(k) >= _FUZZY_MIN_LEN]
        self._by_loinc = {a.loinc: a for a in self.analytes}

    def by_loinc(self, code: str) -> Analyte | None:
        return self._by_loinc.get(code)

    def match(self, name: str, unit: str | None = None) -> tuple[Analyte | None, float]:
        """The analyte a printed name means, with a match score 0-100.

        ``unit`` (already normalised) picks between siblings such as ``Neutrophils %``
        and ``Neutrophils #`` when the printed name is the same for both.
        """
        key = normalise_name(name)
        if not key:
            return None, 0.0
        analyte, score = self._by_name.get(key), 100.0
        if analyte is None:
            stripped = re.sub(r"\s*[%#]$", "", key)
            analyte = self._by_name.get(stripped)
        if analyte is None and len(key) >= _FUZZY_MIN_LEN:
            hit = process.extractOne(key, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
            if hit is not None:
                analyte, score = self._by_name[hit[0]], float(hit[1])
        if analyte is None:
            return None, 0.0
        return self._sibling_for_unit(analyte, unit), score

    def _sibling_for_unit(self, analyte: Analyte, unit: str | None) -> Analyte:
        if analyte.group is None or unit is None or unit in analyte.accepted_units:
            return analyte
        for other in self.analytes:
            if other.group == analyte.group and unit in other.accepted_units:
                return other
        return analyte

    def normalise_unit(self, text: str | None, analyte: Analyte | None = None) -> str | None:
        """The canonical display spelling of a printed unit (``ulU/mL`` -> ``uIU/mL``).

        Unknown units are returned cleaned but otherwise as printed; a fuzzy match is
        only tried against the units the analyte accepts, where a near miss is almost
        certainly OCR damage.
        """
        if text is None:
            return None
        cleaned = unicodedata.normalize("NFKC", text).strip().replace("µ", "u").replace("μ", "u")
        if not cleaned:
            return None
        key = _unit_key(cleaned)
        hit = self._unit_alias.get(key) or self._unit_folded.get(_folded(key))
        if hit is not None:
            return hit
        if analyte is not None and len(cleaned) >= 3:
            choices = {
                _unit_key(alias): unit
                for alias, unit in self._unit_alias.items()
                if unit in analyte.accepted_units
            }
            best = process.extractOne(_unit_key(cleaned), list(choices), scorer=fuzz.ratio,
                                      score_cutoff=_UNIT_FUZZY_CUTOFF)
            if best is not None:
                return choices[best[0]]
        return cleaned

    def is_known_unit(self, text: str | None) -> bool:
        if text is None:
            return False
        key = _unit_key(text)
        return key in self._unit_alias or _folded(key) in self._unit_folded


@cache
def get_catalog() -> Catalog:
    raw = files("labintake").joinpath("data", "analytes.json").read_text(encoding="utf-8")
    return Catalog(json.loads(raw))


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
    return bool(m) and loinc_check_digit(m.group(1)) == int(m.group(2))

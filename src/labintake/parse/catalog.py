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
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from rapidfuzz import fuzz, process

from labintake.parse.confusions import lookalikes
from labintake.parse.fuzzy import NearNames
from labintake.parse.names import SPECIMEN_WORDS, URINE_WORDS, normalise_name
from labintake.parse.units import PERCENT_READINGS, bare, folded, latin_unit, metric_scale, unit_key

_FUZZY_MIN_LEN = 5
_FUZZY_CUTOFF = 85.0
_UNIT_FUZZY_CUTOFF = 83.0  # one letter misread in a unit of six ("mmol/k": 83.3), against the analyte's units


@dataclass(frozen=True, slots=True)
class Code:
    """One LOINC code of an analyte, for one kind of unit.

    ``kind`` is the unit dimension the code's LOINC property implies (``mass`` for
    [Mass/volume], ``substance`` for [Moles/volume], ``count`` for [#/volume],
    ``fraction`` for /100 and [Volume Fraction], ... and ``none`` for unitless results
    such as a pH or a dipstick reading); ``ucum`` its canonical unit; ``display`` the
    LOINC long common name, or None where it is not known for certain.
    """

    loinc: str
    kind: str
    ucum: str | None
    display: str | None = None
    # A code for one method only (an eGFR equation): a pattern the printed name, normalised,
    # must contain for the code to apply. A name that names no method gets no such code.
    when: str | None = None


@dataclass(frozen=True, slots=True)
class Analyte:
    name: str
    codes: tuple[Code, ...]  # first: the code of the canonical unit
    unit: str | None  # canonical display unit (None: qualitative or unitless); UCUM in Catalog.ucum
    accepted_units: tuple[str, ...]
    bounds: tuple[float, float] | None  # plausible values in the canonical unit
    synonyms: tuple[str, ...]
    group: str | None = None  # siblings told apart by unit (Neutrophils % / #)
    panel: str | None = None
    # value in accepted unit x factor = value in the canonical unit
    factors: dict[str, float] = field(default_factory=dict, hash=False, compare=False)

    @property
    def loinc(self) -> str | None:
        """The code of the canonical unit (the code of a result depends on its unit:
        see :mod:`labintake.parse.coding`)."""
        return self.codes[0].loinc if self.codes else None

    def to_canonical(self, value: float, unit: str | None) -> float | None:
        """``value`` in the canonical unit, or None when the unit has no known factor."""
        if unit is None or unit == self.unit:
            return value
        factor = self.factors.get(unit)
        return None if factor is None else value * factor

    def accepts(self, unit: str) -> bool:
        """A unit this analyte is reported in: listed, or the same quantity with other
        metric prefixes (``ng/mL`` where ``ng/dL`` is listed)."""
        return unit in self.factors

    def plausible(self, value: float, unit: str | None) -> bool:
        if self.bounds is None:
            return True
        canonical = self.to_canonical(value, unit)
        if canonical is None:
            # A unit with no known factor (damaged, "g/"): plausible in any unit the analyte has.
            return any(self.plausible(value, u) for u in self.factors)
        lo, hi = self.bounds
        # A little slack: the factors are rounded and bounds are meant to catch misreads
        # (a lost decimal point), not borderline values.
        return lo - abs(lo) * 0.01 <= canonical <= hi * 1.01


# Han characters (simplified Chinese names are kept, not stripped as punctuation).
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]+")  # Chinese, and Japanese kana
# Words printed in a unit column that are not units ("calc": a calculated value).
_NOT_A_UNIT = re.compile(r"(?i)\(?(?:calc\.?|calculated|ratio\s*calc)\)?|-+|n/?a")
# A note printed after the unit, in its cell: "mg/dL (calc)".
_UNIT_NOTE = re.compile(r"(?i)\s*\((?:calc\.?|calculated|est\.?|estimated)\)$")
# Words that make a differential name its absolute count.
_ABSOLUTE = re.compile(r"\b(?:absolute|abs|count|cnt|#)(?:\s|$)|(?:^|\s)#")
class Catalog:
    def __init__(self, data: dict) -> None:
        scales = {d: m for d in data["units"] if (m := metric_scale(d)) is not None}
        self.analytes: list[Analyte] = [_analyte(a, scales) for a in data["analytes"]]
        self.ucum: dict[str, str] = {d: u["ucum"] for d, u in data["units"].items()}
        self.unit_kind: dict[str, str] = {d: u["kind"] for d, u in data["units"].items()}
        self._unit_exact: dict[str, str] = {}
        self._unit_alias: dict[str, str] = {}
        self._unit_folded: dict[str, str] = {}
        # Display spellings first, so an alias never takes a display's lower-case key.
        pairs = [(d, d) for d in data["units"]]
        pairs += [(alias, d) for d, spec in data["units"].items() for alias in spec["aliases"]]
        for alias, display in pairs:
            # Case matters first: "G/L" (giga per litre, cells) is not "g/L" (grams).
            self._unit_exact.setdefault(unit_key(alias, fold_case=False), display)
            self._unit_alias.setdefault(unit_key(alias), display)
            self._unit_folded.setdefault(folded(unit_key(alias)), display)
        self._by_name: dict[str, Analyte] = {}
        for analyte in self.analytes:
            for syn in (analyte.name, *analyte.synonyms):
                self._by_name.setdefault(normalise_name(syn), analyte)
        # Chinese names are never matched fuzzily: one character tells eosinophils
        # (嗜酸性) from basophils (嗜碱性).
        self._near = NearNames(((k, a.name) for k, a in self._by_name.items()
                                if len(k) >= _FUZZY_MIN_LEN and not _CJK.search(k)), cutoff=_FUZZY_CUTOFF)
        self._by_loinc = {c.loinc: a for a in self.analytes for c in a.codes}
        self._code = {c.loinc: c for a in self.analytes for c in a.codes}
        self._by_canonical = {a.name: a for a in self.analytes}
        self.ambiguous: dict[str, tuple[Analyte, ...]] = {
            normalise_name(abbr): tuple(self._by_canonical[n] for n in names)
            for abbr, names in data.get("ambiguous", {}).items()
        }

    def by_loinc(self, code: str) -> Analyte | None:
        return self._by_loinc.get(code)

    def by_name(self, name: str) -> Analyte | None:
        """The analyte whose canonical name this is (exactly)."""
        return self._by_canonical.get(name)

    def code(self, loinc: str) -> Code | None:
        return self._code.get(loinc)

    def knows(self, name: str) -> bool:
        """Whether ``name`` is one of the catalogue's names, as it stands (no repair)."""
        return normalise_name(name) in self._by_name

    def match(self, name: str, unit: str | None = None, *, urine: bool = False) -> tuple[Analyte | None, float]:
        """The analyte a printed name means, with a match score 0-100.

        ``unit`` (already normalised) picks between siblings such as ``Neutrophils %``
        and ``Neutrophils #`` when the printed name is the same for both. ``urine`` (the
        row sits under a urinalysis heading) prefers the urine analyte, so ``Glucose``
        under "Urinalysis" is the dipstick glucose, not the serum one.
        """
        key = normalise_name(name)
        if not key:
            return None, 0.0
        if key in self.ambiguous:
            return self.disambiguate(key, unit, urine=urine) or self.ambiguous[key][0], 100.0
        if _CJK.search(key) and key not in self._by_name:
            # "WBC 白细胞计数", "白细胞计数WBC": the code or the Chinese name alone.
            for part in (" ".join(_CJK.findall(key)), _CJK.sub(" ", key)):
                part = " ".join(part.split())
                if part and part != key:
                    found = self.match(part, unit, urine=urine)
                    if found[0] is not None:
                        return found
            alike = self._lookalike(key, unit)  # "氣 mmol/L": 氯, a stroke misread
            return (alike, 90.0) if alike is not None else (None, 0.0)
        if urine and not key.startswith("urine"):
            in_urine = self._by_name.get(f"urine {key}")
            if in_urine is not None:
                return in_urine, 100.0
        analyte, score = self._by_name.get(key), 100.0
        if analyte is None:
            # A row number printed before the name: "1 WBC", "9LYMPH%".
            numbered = re.fullmatch(r"\d{1,2}\s*([a-z\u4e00-\u9fff].*)", key)
            renumbered = self.match(numbered.group(1), unit, urine=urine) if numbered else (None, 0.0)
            if renumbered[0] is not None:
                return renumbered
        if analyte is None:
            stripped = re.sub(r"\s*[%#]$", "", key)
            analyte = self._by_name.get(stripped)
            if analyte is not None and unit is None and analyte.group is not None:
                # "NEUT#" is the absolute count, "NEUT%" the percentage, whatever the
                # bare name's default sibling is.
                marked = "%" if key.endswith("%") else "10^3/uL"
                analyte = self._sibling_for_unit(analyte, marked)
        if analyte is None and _ABSOLUTE.search(key):
            # "Absolute Neutrophil Count", "Lymphs (Abs)": the count sibling of the base name.
            base = " ".join(_ABSOLUTE.sub(" ", key).split())
            named = self._by_name.get(base) or self._by_name.get(base + "s")
            if named is not None and named.group is not None:
                analyte = self._sibling_for_unit(named, "10^3/uL")
        if analyte is None and "0" in key:
            # OCR reads the letter O as a zero next to letters: "C02", "H C03".
            analyte = self._by_name.get(re.sub(r"(?<=[a-z])0|0(?=[a-z])", "o", key))
        if analyte is None and "l" in key and key.count("l") <= 4:
            # ... and a one as the letter l: "HbAlc", "Apo Al". One l at a time, so
            # "cholesterol" keeps its own.
            for m in re.finditer("l", key):
                analyte = self._by_name.get(key[: m.start()] + "1" + key[m.end():])
                if analyte is not None:
                    break
        if analyte is None and "(" in name:
            # "BSG (1h)", "DFG estimé (CKD-EPI)", "Alanine Aminotransferase (ALT/SGPT)":
            # the name without its parenthesis, or what the parenthesis names.
            outside = normalise_name(re.sub(r"\([^)]*\)?", " ", name))
            inside = [normalise_name(p) for p in re.findall(r"\(([^)]*)\)?", name)]
            for candidate in (outside, SPECIMEN_WORDS.sub("", outside), *inside):
                analyte = (urine and self._by_name.get(f"urine {candidate}")) or self._by_name.get(candidate)
                if analyte is None and "/" in candidate:
                    analyte = next(filter(None, (self._by_name.get(normalise_name(p))
                                                 for p in candidate.split("/"))), None)
                if analyte is not None:
                    break
        if analyte is None and (bare_name := SPECIMEN_WORDS.sub("", key)) != key and bare_name:
            # "Serum sodium", "Serum ALT level", "Plasma glucose concentration": the specimen
            # and the word "level" say nothing the name does not.
            found_bare = self.match(bare_name, unit, urine=urine)
            if found_bare[0] is not None:
                return found_bare
        if analyte is None and not urine and (urine_name := URINE_WORDS.sub("", key)) != key and urine_name:
            # "Eiweiß im Urin", "Białko w moczu", "Urin-Eiweiß": the urine analyte of the name.
            # Only a urine analyte: "Natrium im Urin" is not serum sodium, whatever else it is.
            found_urine = self.match(urine_name, unit, urine=True)
            if found_urine[0] is not None and of_urine(found_urine[0]):
                return found_urine
            return None, 0.0
        if analyte is None and ("/" in name or " - " in name):
            # "Transaminasi GOT/AST", "SGPT/ALT", "Hemoglobina glicada - HbA1c": two names of one
            # analyte, slashed or dashed; both must name it ("CHOL/HDLC" names two and is neither).
            pairs = [[self._by_name.get(normalise_name(p)) for p in pair.split("/")]
                     for pair in re.findall(r"[^\s/()]+(?:/[^\s/()]+)+", name)]
            dashed = name.split(" - ")
            pairs += [[self.match(p)[0] for p in dashed]] if len(dashed) == 2 else []
            analyte = next((found[0] for found in pairs if len(set(found)) == 1 and found[0] is not None), None)
        if analyte is None and (alike := self._lookalike(key, unit)) is not None:
            analyte, score = alike, 90.0
        if analyte is None and len(key) >= _FUZZY_MIN_LEN:
            # OCR damage, not another name: see labintake.parse.fuzzy.
            if (near := self._near.best(key)) is not None:
                analyte, score = self._by_name[near[0]], near[1]
        if analyte is None:
            return None, 0.0
        if urine and not of_urine(analyte):
            analyte = self._in_urine(analyte, unit) or analyte  # "Glukoz" on a dipstick: urine glucose
        return self._sibling_for_unit(analyte, unit), score

    def _in_urine(self, analyte: Analyte, unit: str | None) -> Analyte | None:
        """The urine analyte another name of ``analyte`` has ("Urine Glucose" for "Glukoz"): one
        that takes the unit, or with none printed the test strip's before the microscope's."""
        named = (self._by_name.get(f"urine {normalise_name(s)}") for s in (analyte.name, *analyte.synonyms))
        found = [a for a in dict.fromkeys(named) if a is not None and (a.accepts(unit) if unit else
                                                                       all(c.kind != "per_field" for c in a.codes))]
        return min(found, key=lambda a: a.panel != "Urinalysis", default=None)

    def _lookalike(self, key: str, unit: str | None) -> Analyte | None:
        """The one analyte a short code names with one OCR look-alike letter put back, when
        the unit agrees ("PT4 pmol/L" is FT4, "Het %" is Hct)."""
        alike = {a for k in lookalikes(key) if (a := self._by_name.get(k)) is not None
                 and unit is not None and a.accepts(unit)}
        return alike.pop() if len(alike) == 1 else None

    def disambiguate(self, key: str, unit: str | None, *, urine: bool = False) -> Analyte | None:
        """The one analyte an ambiguous abbreviation (``PCT``, ``ALB``) means with this unit
        (or under a urinalysis heading), or None when nothing decides."""
        candidates = self.ambiguous.get(key, ())
        if urine:
            in_urine = [a for a in candidates if of_urine(a)]
            if len(in_urine) == 1 and (unit is None or unit in in_urine[0].accepted_units):
                return in_urine[0]
        fits = [a for a in candidates if unit is not None and unit in a.accepted_units]
        return fits[0] if len(fits) == 1 else None

    def _sibling_for_unit(self, analyte: Analyte, unit: str | None) -> Analyte:
        if analyte.group is None or unit is None or unit in analyte.accepted_units:
            return analyte
        for other in self.analytes:
            if other.group == analyte.group and unit in other.accepted_units:
                return other
        return analyte

    def normalise_unit(self, text: str | None, analyte: Analyte | None = None, value: float | None = None) -> str | None:
        """The canonical display spelling of a printed unit (``ulU/mL`` -> ``uIU/mL``).

        Unknown units are returned cleaned but otherwise as printed; a fuzzy match is
        only tried against the units the analyte accepts, where a near miss is almost
        certainly OCR damage. ``value`` decides between the analyte's units a cut-off
        unit could be (``g/``: g/dL or g/L) where it is plausible in only one of them.
        """
        if text is None:
            return None
        cleaned = latin_unit(unicodedata.normalize("NFKC", text).strip()).replace("µ", "u").replace("μ", "u")
        cleaned = _UNIT_NOTE.sub("", cleaned) or cleaned
        if not cleaned or _NOT_A_UNIT.fullmatch(cleaned):
            return None
        key = unit_key(cleaned)
        hit = (self._unit_exact.get(unit_key(cleaned, fold_case=False)) or self._unit_alias.get(key)
               or self._unit_folded.get(folded(key)))
        if hit is not None and analyte is not None and hit not in analyte.accepted_units:
            cased = self._unit_exact.get(unit_key(cleaned.replace("I", "l"), fold_case=False))  # "G/I": G/l, not g/L
            hit = cased if cased in analyte.accepted_units else hit
        if hit is not None:
            return hit
        if analyte is not None:
            repaired = self._repair_unit(cleaned, analyte, value)
            if repaired is not None:
                return repaired
        if analyte is not None and len(cleaned) >= 3:
            choices = {
                unit_key(alias): unit
                for alias, unit in self._unit_alias.items()
                if unit in analyte.accepted_units
            }
            best = process.extractOne(unit_key(cleaned), list(choices), scorer=fuzz.ratio,
                                      score_cutoff=_UNIT_FUZZY_CUTOFF)
            if best is not None:
                return choices[best[0]]
        if cleaned in PERCENT_READINGS:
            return None  # digits where a unit stands, and the analyte is no percentage
        return cleaned

    def _repair_unit(self, printed: str, analyte: Analyte, value: float | None = None) -> str | None:
        """OCR damage to a unit the analyte accepts: a lost slash (``UL``, ``gL``), ``l``
        read as ``I``, ``A`` or ``1`` (``U/A``, ``mmolI``), a cut-off end (``mmol``),
        ``%`` read as a dot."""
        if not (accepted := list(analyte.accepted_units)):
            return None
        squeezed = printed.replace(" ", "")
        if "%" in accepted and (squeezed in (".", ",", "'", "°") or squeezed in PERCENT_READINGS
                                or re.fullmatch(r"[\W\d]?%[\W\d]?", squeezed)):
            return "%"  # the sign read as a dot or an 8, or with a speck or a stray digit beside it ("%6", "'%")
        key = bare(printed.strip(".,'`:;"))  # a speck read at the unit's edge (".umoll")
        if not key:
            return None
        stripped: dict[str, str] = {}
        for alias, unit in [(a, u) for a, u in self._unit_alias.items() if u in accepted]:
            stripped.setdefault(bare(alias), unit)
        for unit in accepted:
            stripped.setdefault(bare(unit), unit)
        if (found := stripped.get(key) or (stripped.get("u" + key[1:]) if key[0] == "p" else None)) is not None:
            return found  # as printed, or with its µ read as a p ("pg/l" for ug/L)
        if len(key) >= 3 or printed.endswith("/") or key.isalpha():  # "mmol", "U/", "f": its end cut off
            # As printed first ("T/": T/l), then as OCR may have damaged it.
            cut = unit_key(printed.strip())
            longer = {u for k, u in self._unit_alias.items() if u in accepted and k.startswith(cut)}
            longer = longer if len(longer) == 1 else {u for k, u in stripped.items() if k.startswith(key)}
            if len(longer) > 1 and value is not None:
                longer = {u for u in longer if analyte.plausible(value, u)}
            if len(longer) == 1:
                return longer.pop()
        return None

    def is_known_unit(self, text: str | None) -> bool:
        key = unit_key(text) if text is not None else None
        return key is not None and (key in self._unit_alias or folded(key) in self._unit_folded)


def _analyte(a: dict, scales: dict[str, tuple[str, float]]) -> Analyte:
    units = a["accepted_units"]
    factors = {u: float(f) for u, f in units.items()} if isinstance(units, dict) else {u: 1.0 for u in units}
    if a["unit"] is not None:
        factors.setdefault(a["unit"], 1.0)
    listed = tuple(factors)
    # The same quantity with other prefixes converts exactly: a lab printing T3 in ng/mL
    # where the catalogue lists ng/dL reports the analyte in a right unit.
    for unit, (base, size) in scales.items():
        known = next(((u, f) for u, f in factors.items() if u in scales and scales[u][0] == base), None)
        if known is not None and unit not in factors:
            factors[unit] = size / scales[known[0]][1] * known[1]
    bounds = a.get("bounds")
    codes = tuple(Code(c["loinc"], c["kind"], c.get("ucum"), c.get("display"), c.get("when")) for c in a["codes"])
    return Analyte(
        a["name"],
        codes,
        a["unit"],
        listed,
        (float(bounds[0]), float(bounds[1])) if bounds else None,
        tuple(a["synonyms"]),
        a.get("group"),
        a.get("panel"),
        factors,
    )


@cache
def get_catalog() -> Catalog:
    raw = files("labintake").joinpath("data", "analytes.json").read_text(encoding="utf-8")
    return Catalog(json.loads(raw))


def of_urine(analyte: Analyte) -> bool:
    """A urine test: the urinalysis panel's, or named for urine ("Urine Creatinine")."""
    return analyte.panel == "Urinalysis" or analyte.name.startswith("Urine")

"""Which LOINC code a result gets: only one the printed name *and* unit agree on.

LOINC gives one analyte several codes, one per property: glucose in mg/dL is
2345-7 ([Mass/volume]) but in mmol/L 14749-6 ([Moles/volume]); neutrophils in
10^3/uL are 751-8 ([#/volume]) but in % 770-8. The code is chosen by the
*dimension* of the printed unit (its ``kind`` in the catalog's unit table: any mass
concentration, any substance concentration, ...), never by its spelling. A unit that
fits none of an analyte's codes leaves the result uncoded; a wrong code is worse than
none (DESIGN §4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from labintake.parse import values
from labintake.parse.catalog import Analyte, Catalog, Code, normalise_name

# Kinds that are the same dimension for LOINC's purpose: a haematocrit is a volume
# fraction printed as % or as a bare ratio (0.42 L/L).
_SAME = {"ratio": "fraction"}
# A printed name that says which sibling it is (``Neutrophils %``, ``NEUT#``, ``Lymphs abs``).
_MARKED = re.compile(r"(?:^|\s)(?:%|#|abs|absolute|absolut|percent|count)(?:\s|$)|百分比|绝对值|计数")
# Dipstick words: a qualitative glucose, protein or ketone result is a urine test.
_QUALITATIVE = re.compile(
    r"(?i)^\s*(?:neg(?:ative|ativo|atif)?|nil|trace|traces?|positive?|pos|normal|\+{1,4}|[1-4]\+|"
    r"negatif|négatif|negativ|negatywny|negatief|阴性|阳性|弱阳性|±)\s*$")

# A blood count heading: an ambiguous "PCT" under it is the plateletcrit.
_BLOOD_COUNT = re.compile(
    r"(?i)h(?:a)?ematolog|blood count|\bcbc\b|\bfbc\b|h(?:a)?emogram|blutbild|h[ée]mogramme|hemograma|emocromo|"
    r"bloedbeeld|morfologia|hemogram|血常规|血细胞分析|全血细胞")

# Review reasons (Result.review_reason) this module sets.
UNIT_NOT_CODED = "unit_not_coded"
QUALITATIVE_NOT_CODED = "qualitative_not_coded"
AMBIGUOUS_NAME = "ambiguous_name"


@dataclass(frozen=True, slots=True)
class Coding:
    analyte: Analyte | None
    score: float
    code: Code | None
    unit: str | None  # the printed unit, normalised (repaired against the analyte's units)
    review_reason: str | None = None

    @property
    def loinc(self) -> str | None:
        return self.code.loinc if self.code else None


def _kind(kind: str | None) -> str | None:
    return _SAME.get(kind, kind) if kind else kind


def code_for_unit(catalog: Catalog, analyte: Analyte, unit: str | None, printed: str) -> tuple[Code | None, str | None]:
    """The analyte's code for ``unit`` and, when there is none, whether that needs review."""
    key = normalise_name(printed)
    codes = [c for c in analyte.codes if c.when is None or re.search(c.when, key)]
    by_method = [c for c in codes if c.when is not None]
    if by_method:
        # The printed method or specimen ("LDL Calc", "pH, Arterial") picks its own codes
        # over the method-free ones.
        kinds = {c.kind for c in by_method}
        codes = by_method + [c for c in codes if c.when is None and c.kind not in kinds]
    if not codes:
        # Named but deliberately uncoded (plateletcrit), or a method-specific analyte
        # whose printed name names no method ("eGFR": MDRD or CKD-EPI?).
        return None, None
    if unit is None:
        # No unit: only a name that leaves one property possible is certain (pH, INR,
        # WBC); "Neutrophils" alone could be the % or the count.
        if len(codes) == 1 and (analyte.group is None or _MARKED.search(key)):
            return codes[0], None
        return None, None
    kind = _kind(catalog.unit_kind.get(unit))
    fits = [c for c in codes if kind is not None and _kind(c.kind) == kind]
    if len(fits) == 1:
        return fits[0], None
    # An accepted unit with no certain code (25-OH vitamin D in nmol/L) is right for the
    # analyte, just not coded; any other unit is a doubt a person should look at.
    return None, None if analyte.accepts(unit) else UNIT_NOT_CODED


def resolve(catalog: Catalog, printed: str, printed_unit: str | None, *, urine: bool = False,
            value_text: str | None = None, section: str | None = None, value: float | None = None) -> Coding:
    """The analyte, unit and code a printed row means. ``value_text`` lets a qualitative
    dipstick reading ("Negative", "Trace", "阴性") place a glucose or protein in urine;
    ``section`` (the heading the row sits under) lets a blood count decide "PCT"; ``value``
    (the number read) which of the analyte's units a cut-off unit is."""
    unit = catalog.normalise_unit(printed_unit)
    qualitative = bool(value_text and _QUALITATIVE.match(value_text))
    key = normalise_name(printed)
    if key in catalog.ambiguous:
        analyte = catalog.disambiguate(key, unit, urine=urine or qualitative)
        if analyte is None and unit is None and section and _BLOOD_COUNT.search(section):
            blood = [a for a in catalog.ambiguous[key] if a.panel == "Hematology"]
            analyte = blood[0] if len(blood) == 1 else None
        if analyte is None:
            return Coding(None, 0.0, None, unit, AMBIGUOUS_NAME)
        score = 100.0
    else:
        analyte, score = catalog.match(printed, unit, urine=urine or qualitative)
    if analyte is None:
        return Coding(None, 0.0, None, unit)
    unit = catalog.normalise_unit(printed_unit, analyte, value)
    # A fuzzy name (OCR damage, "Hemoglobln") keeps its code; the row is sent to review.
    code, reason = code_for_unit(catalog, analyte, unit, printed)
    if code is not None and code.kind != "none" and analyte.panel != "Urinalysis" \
            and value_text and values.is_qualitative(value_text):
        # "CRP (Latex)  Positive": a reading, not the [Mass/volume] the code measures. (A
        # dipstick's codes are semi-quantitative: "Negative" and "Trace" are their scale.)
        return Coding(analyte, score, None, unit, QUALITATIVE_NOT_CODED)
    return Coding(analyte, score, code, unit, reason)

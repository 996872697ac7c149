"""Result values, reference ranges and flags as printed, and the flag a range implies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from labintake.domain.schemas import ReferenceRange
from labintake.parse.readings import NEGATIVE_WORDS, QUALITATIVE, clean, fold, is_finding, is_qualitative

__all__ = ["QUALITATIVE", "clean", "fold", "is_finding", "is_qualitative"]

# "4.500.000": two or more dot groups of three can only be thousands, whatever the document.
_NUM = r"[+-]?(?:\d{1,3}(?:[,\u2009\u202f]\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3})+,\d+|\d{1,3}(?:\.\d{3}){2,}|\d+(?:[.,]\d+)?|[.,]\d+)"
# A comparator before a number ("< 5", "<=5", "≥ 40"); also used by cells.split_at_columns.
CMP = r"(?:<=|>=|=<|=>|≤|≥|<|>)"
# A flag printed against the number, before or after it: ``*145``, ``145*``, ``17.9(H)``,
# ``17.9H``, ``↑145``, ``145↑``, ``[L]4.1``, ``#27.3`` (a lab's mark, or OCR's reading of an
# asterisk). Arrows and triangles carry a direction.
_MARK = r"(?:[\(\[]?(?:[HL]{1,2}|[↑↓▲▼⬆⬇△▽]|\*{1,2}|!|#)[\)\]]?)"
# A sign glued after the number ("412+", "12,9-", "5,4++"): German and Austrian labs' flags.
_SIGN = r"(?:\+{1,2}|-{1,2}|−)"
_VALUE_RE = re.compile(
    rf"^(?P<pre>{_MARK})?(?P<cmp>{CMP})?(?P<num>{_NUM})(?P<flag>{_MARK}|{_SIGN})?$"
)
_RANGE_RE = re.compile(
    rf"^[(\[]?\s*(?P<lo>{_NUM})\s*(?:-{{1,2}}|–|—|‒|−|÷|to|bis|à|a|até|tot|do|ile|~{{1,2}}|\.\.|(?<=\s)[.·](?=\s))\s*(?P<hi>{_NUM})\s*[)\]]?$", re.IGNORECASE
)
_BOUND_RE = re.compile(rf"^[(\[]?\s*(?P<cmp>{CMP})\s*(?P<num>{_NUM})\s*[)\]]?$")

FLAGS = {
    "h": "high", "hi": "high", "high": "high", "hh": "high", "h*": "high", "↑": "high",
    "crit h": "high", "ch": "high", "l": "low", "lo": "low", "low": "low", "ll": "low",
    "l*": "low", "↓": "low", "crit l": "low", "cl": "low", "a": "abnormal", "abn": "abnormal",
    "abnormal": "abnormal", "*": "abnormal", "!": "abnormal", "#": "abnormal", "c": "abnormal",
    "v": "low",  # a down arrow or triangle as OCR reads it (no lab unit is a V)
    "n": "normal", "normal": "normal",
    # words and signs other languages print
    "hoch": "high", "erhoht": "high", "niedrig": "low", "erniedrigt": "low", "eleve": "high",
    "bas": "low", "haut": "high", "alto": "high", "bajo": "low", "basso": "low",
    "+": "high", "++": "high", "-": "low", "--": "low", "−": "low",
    "baixo": "low", "elevado": "high", "aumentado": "high", "diminuido": "low", "hoog": "high",
    "laag": "low", "verhoogd": "high", "verlaagd": "low", "wysoki": "high", "niski": "low",
    "podwyzszony": "high", "obnizony": "low", "yuksek": "high", "dusuk": "low",
    "偏高": "high", "偏低": "low", "高": "high", "低": "low", "异常": "abnormal",
    "▲": "high", "▼": "low", "⬆": "high", "⬇": "low", "△": "high", "▽": "low",
    "**": "abnormal", "hi*": "high", "lo*": "low",
    "afwijkend": "abnormal", "anormal": "abnormal", "anormale": "abnormal", "anomalo": "abnormal",
    "nieprawidłowy": "abnormal", "auffallig": "abnormal", "pathologisch": "abnormal",
    "path": "abnormal", "pathol": "abnormal", "patologico": "abnormal",  # "path.": German short form
    "повышен": "high", "понижен": "low", "выше": "high", "ниже": "low",
}
FLAGS = {fold(k): v for k, v in FLAGS.items()}  # looked up folded (parse_flag)
# Signs that are flags only when they stand alone in their cell (a "-" inside a
# phrase is punctuation).
SIGN_FLAGS = frozenset({"+", "++", "-", "--", "−"})


@dataclass(frozen=True, slots=True)
class Value:
    value: float | None  # None for qualitative results
    text: str  # the literal as printed (cleaned of spaces)
    comparator: str | None = None
    glued_flag: str | None = None  # "4.04L": flag printed against the number


# Whether the document being read writes decimals with a comma, so that "6.300" and
# "150.000" are thousands (Brazil, Spain, Germany), not six point three.
_DOT_THOUSANDS: ContextVar[bool] = ContextVar("dot_thousands", default=False)


@contextmanager
def dot_thousands(on: bool) -> Iterator[None]:
    """Read numbers inside this block as a document with decimal commas writes them."""
    token = _DOT_THOUSANDS.set(on)
    try:
        yield
    finally:
        _DOT_THOUSANDS.reset(token)


def writes_decimal_commas(tokens: list[str], *, recognised: bool = False) -> bool:
    """A document whose decimals are commas ("4,85", "14,6") and never points. OCR
    (``recognised``) reads a comma whose tail the blur took as a point: on generated reports
    a third to two thirds of a comma document's decimals (a monospace font's small commas),
    while it reads no point of a point document as a comma. There a third is enough."""
    commas = sum(bool(re.fullmatch(r"[<>≤≥(]?\d+,\d{1,2}[)]?", t)) for t in tokens)
    points = sum(bool(re.fullmatch(r"[<>≤≥(]?\d+\.\d{1,2}[)]?", t)) for t in tokens)
    return commas >= 3 and points <= (2 * commas if recognised else commas / 10)


def to_number(text: str, dot_thousands: bool | None = None) -> float:
    """``1,234`` is a thousands separator; ``13,5`` is a decimal comma; ``6.300`` is six
    thousand three hundred in a document that writes decimals with commas."""
    text = re.sub(r"[\u2009\u202f ]", "", text)
    if dot_thousands is None:
        dot_thousands = _DOT_THOUSANDS.get()
    if re.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3}){2,}", text) or (
            dot_thousands and re.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+", text)):
        return float(text.replace(".", ""))
    if re.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        return float(text.replace(",", ""))
    if re.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+,\d+", text):  # 1.234,5
        return float(text.replace(".", "").replace(",", "."))
    return float(text.replace(",", "."))


def parse_value(text: str) -> Value | None:
    """A numeric (optionally with a comparator) or qualitative result, else None."""
    return _parse_value(text, _DOT_THOUSANDS.get())


@lru_cache(maxsize=8192)
def _parse_value(text: str, dot_thousands: bool) -> Value | None:
    text = _FOOTNOTE.sub("", text)
    t = re.sub(r"\s*°$", "*", clean(text))  # OCR reads a small asterisk as a degree sign
    t = re.sub(r"(?<=[\d)])\s?[.·'’`]$", "", t)  # a speck after the number: "3.", "44'" (maybe a star's tip), "26(H)."
    t = re.sub(r"^[.,'`]\s?(?=[<>≤≥]\s?\d)", "", t)  # and before its comparator: ".>90"
    t = re.sub(r"^[.,'`](?=\d+[.,]\d)", "", t)  # or before a number with its own point: ".2,93"
    t = re.sub(r"^['`’‘]\s?(?=[\d↑↓])", "", t)  # a quote-like speck before a number or its arrow: "'108"
    if not t:
        return None
    m = _VALUE_RE.match(t.replace(" ", ""))
    if m and m.group("flag") and m.group("flag")[0] in "+-−" and re.fullmatch(r"\d", m.group("num")):
        m = None  # "2+", "1-": a dipstick grade, not a flagged number
    if m and not (m.group("pre") and m.group("flag")):
        if m.group("pre") and re.fullmatch(r"[\(\[]?[HL]{1,2}[\)\]]?", m.group("pre")):
            return None  # "H12" is a name or a code, not a flagged value
        cmp_ = _canonical_cmp(m.group("cmp"))
        literal = (m.group("cmp") or "") + m.group("num").replace("\u2009", "").replace("\u202f", "")
        mark = m.group("pre") or m.group("flag")
        return Value(to_number(m.group("num"), dot_thousands), literal, cmp_, parse_flag(mark) if mark else None)
    if is_qualitative(t):
        return Value(None, t)
    if _TITRE_RE.fullmatch(t):
        return Value(None, t.replace(" ", ""))  # "1:160": a titre is a dilution, kept as printed
    m = re.fullmatch(r"(.+?)\s*[\(（]\s*[+\-−±]{1,4}\s*[\)）]", t)  # "阴性(-)", "Positive (+)"
    if m and is_qualitative(m.group(1)):
        return Value(None, t)
    # "1+ *", "Positive*", "*Positif", "*2+": a marked qualitative result
    m = re.fullmatch(r"(.+?)\s*\*", t) or re.fullmatch(r"\*\s*(.+)", t)
    if m and is_qualitative(m.group(1)):
        return Value(None, m.group(1), None, "abnormal")
    return None


# A footnote or performing-site mark after a number: superscript digits ("13.5¹", which NFKC
# would make 13.51), or "(1)", "[2]", "^1" against it.
_FOOTNOTE = re.compile(r"(?<=\d)\s?(?:[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+|\(\d\)|\[\d\]|\^\d)$")
_CLOCK = re.compile(r"(?:[01]?\d|2[0-3]):[0-5]\d")  # a time of day, "08:15"
# A titre ("1:160", "<1:40", "1 : 80"): antibody results and their limits.
_TITRE_RE = re.compile(r"[<>≤≥]?\s*1\s*:\s*\d{1,5}")


def _canonical_cmp(cmp_: str | None) -> str | None:
    if cmp_ is None:
        return None
    return {"=<": "<=", "≤": "<=", "=>": ">=", "≥": ">="}.get(cmp_, cmp_)


_OR_EQUAL = re.compile(r"([<>])\s*or\s*=", re.IGNORECASE)
_RANGE_LABEL = re.compile(r"^\(\s*(?:ref\.?(?:\s*range)?|reference(?:\s*range)?|normal|optimal|desirable|range)\s*:?\s*(?=[<>≤≥\d])",
                          re.IGNORECASE)


def parse_range(text: str) -> ReferenceRange | None:
    rng = _parse_range(text, _DOT_THOUSANDS.get())
    if rng is not None and (_OR_EQUAL.search(text) or _RANGE_LABEL.search(clean(text))):
        return rng.model_copy(update={"text": clean(text)})  # as printed, "> OR = 40", "(ref 12-16)"
    return None if rng is None else rng.model_copy()


# "up to 5", "bis 5", "jusqu'à 5", "hasta 5", "fino a 5", "até 5", "tot 5", "do 5": inclusive.
_UP_TO_RE = re.compile(
    rf"^(?:up\s+to|upto|bis|jusqu'?\s*a|hasta|fino\s+a|ate|tot|do|max\.?|maximum|en\s+fazla|maks\.?)\s*(?P<num>{_NUM})$",
    re.IGNORECASE
)
_AT_LEAST_RE = re.compile(rf"^(?:min\.?|minimum|at\s+least|over|above|en\s+az)\s*(?P<num>{_NUM})$", re.IGNORECASE)
# A bound's comparator spelt out (compared accent-folded): "less than 200", "inferior a 190",
# "menor que 5", "inférieur à 5", "unter 5", "superior a 40", "maior que 40": strict, as "<" and ">".
_WORDED_BOUND_RE = re.compile(
    r"^(?:(?P<less>less\s+than|lower\s+than|inferior\s+(?:a|que)|menor\s+(?:que|a|de)|inferieure?\s+a|"
    r"unter|kleiner\s+als|minder\s+dan|lager\s+dan|ponizej|mniej\s+niz|inferiore\s+a|minore\s+di|meno\s+di)|"
    r"(?:greater\s+than|more\s+than|higher\s+than|superior\s+(?:a|que)|maior\s+(?:que|a|de)|mayor\s+(?:que|a|de)|"
    rf"superieure?\s+a|uber|gro(?:ss|ß)er\s+als|meer\s+dan|hoger\s+dan|powyzej|superiore\s+a|maggiore\s+di))\s*(?P<num>{_NUM})$",
    re.IGNORECASE,
)
# A range for one sex, printed before it: "M: 0-15", "Male 13.5-17.5", "男：0-15", "F 12-16".
_SEX_PREFIX_RE = re.compile(
    r"^(?P<sex>h(?=\s*[:：])|m|f|w|e|k|v|male|female|men|women|homme|femme|hommes|femmes|mann|frau|männer|frauen|"
    r"hombre|mujer|hombres|mujeres|uomo|donna|uomini|donne|homem|mulher|man|vrouw|"
    r"mężczyźni|kobiety|erkek|kadın|男|女|男性|女性)\s*[:：.]?\s*(?=[<>≤≥\d(])",
    re.IGNORECASE,
)
_MALE = {"m", "male", "men", "homme", "hommes", "mann", "männer", "hombre", "hombres", "uomo", "uomini",
         "homem", "man", "mężczyźni", "erkek", "男", "男性",
         # tr E(rkek)/K(adın), pl M/K(obiety), nl M/V(rouw): K and V are female; es/pt/fr
         # H(ombre, omem, omme) is male (and its M is then female: see sex_labels_hm)
         "e", "h"}


_HM_RE = re.compile(r"^\s*([hm])\s*[:：]", re.IGNORECASE)


def hm_letter(text: str | None) -> str | None:
    """'h' or 'm' when a range is labelled with that letter alone ("H: 13-17")."""
    m = _HM_RE.match(text or "")
    return m.group(1).lower() if m else None


def sex_of_range(text: str) -> tuple[str | None, str]:
    """("male"|"female"|None, the range without its sex label)."""
    m = _SEX_PREFIX_RE.match(clean(text))
    if m is None:
        return None, clean(text)
    sex = "male" if m.group("sex").lower() in _MALE else "female"
    return sex, clean(text)[m.end():]


_LABELLED_RE = re.compile(r"^(?P<label>[^\d<>≤≥:：]{2,30})[:：]\s*(?P<rng>\S.*)$")


def labelled_range(text: str) -> ReferenceRange | None:
    """``Children: 100-400``, ``Adults: 40-129``: a range for one group of patients."""
    m = _LABELLED_RE.match(clean(text))
    if m is None:
        return None
    rng = parse_range(m.group("rng"))
    if rng is None or (rng.low is None and rng.high is None):
        return None
    return rng.model_copy(update={"text": clean(text)})


_PERCENT_BOUND = re.compile(r"\d%\s*[-–—]\s*\d|\d%\s*\)\s*$")


@lru_cache(maxsize=8192)
def _parse_range(text: str, dot_thousands: bool) -> ReferenceRange | None:
    """``3.5-5.0``, ``3.5 – 5.0``, ``<200``, ``> 40``, ``up to 5``, ``Negative``; None if not a range.

    A one-sided bound keeps its comparator: ``<5.0`` is strict (5.0 itself is high),
    ``≤5.0`` and ``up to 5`` are inclusive. A range labelled with one sex ("M: 0-15")
    reads as that range (the caller decides whether it applies).
    """
    t = re.sub(r"^[.,'`:;]+\s*(?=[<>≤≥(])", "", clean(text))  # specks OCR reads before a range
    t = _OR_EQUAL.sub(r"\1=", t)  # "> OR = 40", "<or=5.0": US reference labs spell ≥ and ≤ so
    t = _RANGE_LABEL.sub("(", t)  # "(ref 12.0-16.0)", "(optimal <100)": the range's own label
    t = re.sub(r"^[.'`](?=\d+,\d)", "", t)  # ".80,0 - 96,0": no number has a point before its decimal comma
    t = re.sub(r"^[.'`](?=\d+\.\d+\s*[-–—.])", "", t)  # ".2.5 . 7.1": a speck before a bound with its own point
    t = re.sub(r"(?<=\d)[.'`](?=\s*[-–—])", "", t)  # "9,0.- 30,4": a speck before the dash
    # A point glued before a bound that has its own decimal point: a speck after the dash
    # ("0.40 - .0.52"), or the dash itself read as a point ("3.9 .5.5").
    t = re.sub(r"(?<=[-–—])(\s*)[.,'`](?=\d+[.,]\d)", r"\1", t)
    t = re.sub(r"(?<=\d)(\s+)[.,'`](?=\d+[.,]\d+\)?$)", r"\1- ", t)
    if re.search(r"\d\s*[-–—]\s*\d", t):
        t = re.sub(r"(?<=\d)([.,])[.,](?=\d)", r"\1", t)  # "22..0", "11,.5": a doubled mark, the dash separates
        t = re.sub(r"(?<=\d)[.,'`]+(?=\)?$)", "", t)  # "02 - 10.": a speck after the last bound
    if re.search(r"\d\s*[-–—]\s*\d|[<>≤≥]", t):
        t = re.sub(r"(?<=\d);(?=\d{1,3}(?!\d))", ",", t)  # a decimal comma OCR read as a semicolon: "4;50 - 5,90"
    else:
        # No dash: a semicolon or a colon between the bounds is it, "(35;105)", "135:145", "(2:21)"
        # (not a titre's "1:40", nor a time of day, "08:15", unless in brackets).
        t = re.sub(r"^(\(?\s*\d[\d.,]*)\s*;\s*(?=\d)", r"\1-", t)
        if not _TITRE_RE.search(t) and (t.startswith("(") or not _CLOCK.fullmatch(t)):
            t = re.sub(r"^(\(?\s*\d[\d.,]*)\s*:\s*(?=\d[\d.,]*\)?$)", r"\1-", t)
    if not t:
        return None
    if re.search(r"[\u3000-\u9fff\uff00-\uffef]", t):
        t = re.sub(r"\s+", "", t)  # OCR reports each character of a CJK line as a word: "0 - 1 5"
    _, bare = sex_of_range(t)
    if _PERCENT_BOUND.search(bare):
        # "(36-46%)", "36% - 46%": bounds with the unit against them, inside brackets or on both
        # bounds ("36.0 - 46.0 %" is a range and its unit, two cells).
        bare = re.sub(r"(?<=\d)%", "", bare)
    m = _RANGE_RE.match(bare)
    if m is None and ":" in bare and not _TITRE_RE.search(bare):
        # "3.90 - 5:20": a decimal point OCR read as a colon (a titre keeps its colon).
        m = _RANGE_RE.match(re.sub(r"(?<=\d):(?=\d{1,3}\b)", ".", bare))
    if m:
        lo, hi = to_number(m.group("lo"), dot_thousands), to_number(m.group("hi"), dot_thousands)
        if lo <= hi:
            return ReferenceRange(low=lo, high=hi, text=t)
        return None
    m = _BOUND_RE.match(bare)
    if m:
        num = to_number(m.group("num"), dot_thousands)
        cmp_ = _canonical_cmp(m.group("cmp"))
        if cmp_ in ("<", "<="):
            return ReferenceRange(low=None, high=num, text=t, high_comparator=cmp_)
        return ReferenceRange(low=num, high=None, text=t, low_comparator=cmp_)
    if _TITRE_RE.fullmatch(bare):
        return ReferenceRange(text=t)  # "<1:40": the limit as printed; a dilution has no bounds here
    m = _UP_TO_RE.match(fold(bare))
    if m:
        return ReferenceRange(low=None, high=to_number(m.group("num"), dot_thousands), text=t, high_comparator="<=")
    m = _AT_LEAST_RE.match(fold(bare))
    if m:
        return ReferenceRange(low=to_number(m.group("num"), dot_thousands), high=None, text=t, low_comparator=">=")
    m = _WORDED_BOUND_RE.match(fold(bare))
    if m:
        num = to_number(m.group("num"), dot_thousands)
        if m.group("less"):
            return ReferenceRange(low=None, high=num, text=t, high_comparator="<")
        return ReferenceRange(low=num, high=None, text=t, low_comparator=">")
    if is_qualitative(t) and not re.fullmatch(r"\+{1,4}", t):  # a lone "+" is a flag or a grade, never a reference
        return ReferenceRange(low=None, high=None, text=t)
    return None


def parse_flag(text: str) -> str | None:
    """A printed flag (H, L, HH, LL, A, *, High, Low…) as high/low/abnormal/normal."""
    t = fold(text).strip("()[]")
    return FLAGS.get(t) or FLAGS.get(t.strip(".,'`:;").strip("()[]"))  # "LOW.": a speck after the word


def derive_flag(value: Value, rng: ReferenceRange | None) -> str | None:
    """The flag a value implies against its range; None when nothing can be said."""
    if rng is None:
        return None
    if value.value is None:
        if rng.low is not None or rng.high is not None or not rng.text:
            return None
        got, want = (re.sub(r"\s*[\(（][+\-−±]{1,4}[\)）]$", "", fold(t)) for t in (value.text, rng.text))
        if got == want or (got in NEGATIVE_WORDS and want in NEGATIVE_WORDS):
            return "normal"
        return "abnormal"
    v = value.value
    if rng.low is None and rng.high is None:
        return None
    # A censored value ("<0.5", ">60") is only out of range if its whole interval is.
    # A value on a strict bound is outside it: 5.0 against "<5.0" is high. An exact
    # censored value ("<5.0" against "<5.0") is not.
    strict_low = rng.low_comparator == ">" and value.comparator is None
    strict_high = rng.high_comparator == "<" and value.comparator is None
    if rng.low is not None and (v < rng.low or (strict_low and v == rng.low)) and value.comparator not in (">", ">="):
        return "low"
    if rng.high is not None and (v > rng.high or (strict_high and v == rng.high)) and value.comparator not in ("<", "<="):
        return "high"
    return "normal"


def direction(flag: str | None, value: Value, rng: ReferenceRange | None) -> str | None:
    """A non-directional mark (``*``, ``A``, ``!``, bold) on a number outside its range
    means high or low; inside the range (or with no range) it stays ``abnormal``."""
    if flag != "abnormal" or value.value is None:
        return flag
    derived = derive_flag(value, rng)
    return derived if derived in ("high", "low") else flag


def flag_consistent(flag: str | None, value: Value, rng: ReferenceRange | None) -> bool:
    """False when a printed flag contradicts the range (a sign of a misread row)."""
    derived = derive_flag(value, rng)
    if flag is None or derived is None:
        return True
    if flag == "abnormal" or derived == "abnormal":
        return True
    if flag == "normal":
        return derived == "normal"
    # A printed H/L with a value exactly on the bound is common ("≥" vs ">" conventions).
    return derived in (flag, "normal") if _on_bound(value, rng) else derived == flag


def _on_bound(value: Value, rng: ReferenceRange | None) -> bool:
    return rng is not None and value.value is not None and value.value in (rng.low, rng.high)

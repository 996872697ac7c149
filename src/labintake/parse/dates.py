"""Dates as printed on lab reports, and which order (day or month first) a report uses.

``04/03/2025`` is 4 March in most of the world and 3 April in the United States. The
report itself usually says which: another date on it that can only be read one way (a
day over 12), labels in a language whose countries write the day first, or where the
lab is (its telephone country code, a country name, a US state and ZIP code).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

_MONTHS_EN = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MON_EN = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
# Month names and their usual abbreviations in the languages the header labels cover.
# Polish dates use the genitive ("4 marca 2025"), so both forms are listed.
_MONTH_NAMES: list[tuple[str, ...]] = [
    ("januar", "janvier", "janv", "enero", "ene", "gennaio", "gen", "jänner", "jän", "janeiro", "januari",
     "stycznia", "styczeń", "sty", "ocak", "oca"),
    ("februar", "fevrier", "février", "févr", "fevr", "febrero", "febbraio", "fevereiro", "fev", "februari",
     "lutego", "luty", "lut", "şubat", "subat", "şub"),
    ("märz", "maerz", "mär", "mrz", "mars", "marzo", "março", "marco", "maart", "mrt", "marca", "marzec", "mart"),
    ("april", "avril", "avr", "abril", "abr", "aprile", "kwietnia", "kwiecień", "kwi", "nisan", "nis"),
    ("mai", "mayo", "maggio", "mag", "maio", "mei", "maja", "maj", "mayıs", "mayis"),
    ("juni", "juin", "junio", "giugno", "giu", "junho", "czerwca", "czerwiec", "cze", "haziran", "haz"),
    ("juli", "juillet", "juil", "julio", "luglio", "lug", "julho", "lipca", "lipiec", "lip", "temmuz", "tem"),
    ("august", "août", "aout", "agosto", "ago", "augustus", "sierpnia", "sierpień", "sie", "ağustos", "agustos",
     "ağu"),
    ("september", "septembre", "septiembre", "settembre", "setembro", "set", "września", "wrzesień", "wrz",
     "eylül", "eylul", "eyl"),
    ("oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out", "października", "październik",
     "paź", "ekim", "eki"),
    ("november", "novembre", "noviembre", "novembro", "listopada", "listopad", "lis", "kasım", "kasim", "kas"),
    ("dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre", "dezembro", "december",
     "grudnia", "grudzień", "gru", "aralık", "aralik", "ara"),
]
_MONTHS_INTL = {name: i + 1 for i, names in enumerate(_MONTH_NAMES) for name in names}
_MON_INTL = r"(?P<mon>" + "|".join(sorted(map(re.escape, _MONTHS_INTL), key=len, reverse=True)) + r")"
_Y = r"(?P<y>\d{4}|\d{2}(?!\d))"
# The year ends the date, or a time OCR glued to it does ("14-08-202510:50").
_Y_END = r"(?:\b|(?<=\d{4})(?=\d{1,2}:\d{2}))"
_DATE_PATTERNS = [
    re.compile(r"(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})"),
    re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4}|\d{2})" + _Y_END),
    re.compile(r"(?<!\d)(?P<a>\d{1,2})[/-](?P<b>\d{1,2})[/-](?P<y>\d{4}|\d{2})" + _Y_END),
    re.compile(r"(?<![^\W\d_])" + _MON_EN + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})", re.IGNORECASE),
    # "09-Mar-1958", "9 March 1958", and "09MAR1958" as hospital systems print it run together.
    re.compile(r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s./-]*" + _MON_EN + r"[\s,./-]*" + _Y, re.IGNORECASE),
    re.compile(r"(?<!\d)(?P<d>\d{1,2})\.?[\s./-]+(?:de\s+)?" + _MON_INTL + r"\.?[\s,./-]+(?:de\s+)?" + _Y,
               re.IGNORECASE),
    # "20261112": a date field written as an LIS stores it, year first, no separators.
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?!\d)"),
]


def parse_date(text: str, *, birth: bool = False, day_first: bool = False) -> date | None:
    """The first date in ``text``; ``MM/DD/YYYY`` unless the first part cannot be a month
    or ``day_first`` (the report's convention, see :func:`day_first_convention`).

    Two-digit years are put in the past century when that would make a birth date lie in
    the future (``02/14/80`` -> 1980).
    """
    matches = sorted(((m.start(), i, m) for i, p in enumerate(_DATE_PATTERNS) for m in p.finditer(text)),
                     key=lambda t: (t[0], t[1]))
    for _, _, m in matches:
        found = _to_date(m.groupdict(), birth, day_first)
        if found is not None:
            return found
    return None


def _to_date(g: dict, birth: bool, day_first: bool) -> date | None:
    try:
        if g.get("a") is not None:
            a, b = int(g["a"]), int(g["b"])
            if day_first:
                month, day = (b, a) if b <= 12 else (a, b)
            else:
                month, day = (a, b) if a <= 12 else (b, a)
        elif g.get("mon"):
            mon = g["mon"].lower()
            month = _MONTHS_INTL.get(mon) or _MONTHS_EN.index(mon[:3]) + 1
            day = int(g["d"])
        else:
            month, day = int(g["m"]), int(g["d"])
        return date(_year(int(g["y"]), len(g["y"]), birth), month, day)
    except ValueError:
        return None


def _year(y: int, digits: int, birth: bool) -> int:
    if digits == 4:
        return y
    # Two-digit years: this century unless that lies in the future (a birth date) or
    # more than a year ahead (a collection date).
    latest = date.today().year + (0 if birth else 1)
    return 2000 + y if 2000 + y <= latest else 1900 + y


_SLASH_DATE = re.compile(r"(?<![\d.])(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})(?![\d/])")
# Telephone country codes whose countries write the year or month first; every other
# code is a country that writes the day first.
_NOT_DAY_FIRST_CODES = {"1", "86", "81", "82", "36", "46", "886", "976", "853", "852"}
_PHONE_CODE = re.compile(r"(?<![\w+])\+\s?(\d{1,3})(?=[\s\-().]+\d)")
_US_PHONE = re.compile(r"(?<![\d+])\(\d{3}\)\s?\d{3}[-.\s]\d{4}(?!\d)")
_US_ADDRESS = re.compile(
    r",\s*(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|"
    r"V[AT]|W[AIVY])\s+\d{5}(?:-\d{4})?\b")
_UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b")
_DAY_FIRST_WORDS = re.compile(
    r"\b(?:NHS|UKAS|NABL|Pvt\.?\s*Ltd|United Kingdom|England|Scotland|Wales|Ireland|India|Pakistan|Bangladesh|"
    r"Sri Lanka|Nepal|Australia|New Zealand|South Africa|Nigeria|Ghana|Kenya|Uganda|Tanzania|Egypt|Singapore|"
    r"Malaysia|Philippines|Brazil|Brasil|Mexico|México|Argentina|Colombia|Chile|Peru|Perú|"
    # British spellings: every country that writes them writes the day first.
    r"colour|centre|haemoglobin|haematology|haematocrit|anaemia|oestradiol|litre)\b", re.IGNORECASE)
# SI units a US laboratory does not print (it writes mg/dL, g/dL and K/uL): µmol/L, g/L, counts
# per litre. (Not mmol/L, which US labs print for electrolytes, nor mg/L.) OCR reads the l as 1.
_SI_UNITS = re.compile(r"(?<![\w/])(?:[µμu]mol|g|10\^?(?:9|12)|x10[⁹¹²]+)/[lL1I](?![\w/])")
# "CLIA #" is a US laboratory's licence; "CLIA" alone is also a method (chemiluminescence).
_MONTH_FIRST_WORDS = re.compile(r"\b(?:CLIA\s*(?:#|ID\b|No\b|Number\b|Lic)|United States|U\.S\.A\.?|USA\b)")


def day_first_convention(texts: Iterable[str], *, local_language: bool = False) -> bool:
    """Whether ``04/03/2025`` means 4 March on this report (month first when nothing says)."""
    return bool(date_order_evidence(texts, local_language=local_language))


def date_order_evidence(texts: Iterable[str], *, local_language: bool = False) -> bool | None:
    """Whether the report writes the day first, or None when nothing on it says.

    A date on it that can only be read one way decides; otherwise labels in a language
    other than English (``local_language``: Europe, Latin America and Turkey write the
    day first); otherwise where the lab is (telephone country code, country, address) and
    whether its units are SI ones no US lab prints.
    """
    texts = list(texts)
    for text in texts:
        for a, b, _ in _SLASH_DATE.findall(text):
            if int(a) > 12 >= int(b):
                return True
            if int(b) > 12 >= int(a):
                return False
    if local_language:
        return True
    day, month = 0, 0
    for text in texts:
        for code in _PHONE_CODE.findall(text):
            if code not in _NOT_DAY_FIRST_CODES:
                day += 1
            elif code == "1":
                month += 1
        month += len(_US_PHONE.findall(text)) + len(_US_ADDRESS.findall(text)) + len(_MONTH_FIRST_WORDS.findall(text))
        day += len(_UK_POSTCODE.findall(text)) + len(_DAY_FIRST_WORDS.findall(text))
    if any(_SI_UNITS.search(text) for text in texts):
        day += 1  # one vote, however many rows: it says "not the US", not which country
    return None if day == month else day > month

"""The report a :class:`~bench.corpus.params.Params` prints: patient, dates and rows,
each row with the strings it prints (value with its flag mark, range, previous value,
method, specimen, code) and the truth it should parse into.

All from ``random.Random(params.seed)``: the same parameters always give the same report.
Everything is fictitious.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from bench.corpus import lang as L
from bench.corpus.params import Params
from bench.corpus.spec import FIRST, LAST, MIDDLE, Row, Spec, fmt_num
from bench.corpus.tests import PANELS, QUAL_WORDS, TESTS, Test

# Ranges for men where they differ from the (women's) range in tests.py: (US, SI).
MALE = {"hgb": ((13.5, 17.5), (135, 175)), "hct": ((40.0, 52.0), (0.40, 0.52)), "rbc": ((4.50, 5.90), (4.5, 5.9)),
        "ferr": ((30, 400), (30, 400)), "crea": ((0.74, 1.35), (62, 106)), "uric": ((3.4, 7.0), (200, 420))}
SEX_MARK = {"en": ("M", "F"), "de": ("M", "W"), "fr": ("H", "F"), "es": ("H", "M"), "it": ("M", "F"),
            "pt": ("M", "F"), "nl": ("M", "V"), "pl": ("M", "K"), "tr": ("E", "K"), "zh": ("男", "女")}
METHODS = {"cbc": "Impedance", "cbc_short": "Flow cytometry", "cmp": "Photometry", "bmp_si": "Enzymatic",
           "liver": "IFCC 37°C", "lipid": "Enzymatic", "thyroid": "CLIA", "diabetes": "HPLC", "iron": "Photometry",
           "iron_si": "Immunoturbidimetry", "vitamins": "ECLIA", "inflammation": "Turbidimetry", "coag": "Clotting",
           "urine": "Dipstick"}
SPECIMEN = {"en": ("Blood", "Serum", "Urine"), "de": ("EDTA-Blut", "Serum", "Urin"), "fr": ("Sang", "Sérum", "Urine"),
            "es": ("Sangre", "Suero", "Orina"), "it": ("Sangue", "Siero", "Urine"), "pt": ("Sangue", "Soro", "Urina"),
            "nl": ("Bloed", "Serum", "Urine"), "pl": ("Krew", "Surowica", "Mocz"), "tr": ("Kan", "Serum", "İdrar"),
            "zh": ("全血", "血清", "尿液")}
SECTION = {  # panel -> (en, de, fr, es, it, pt, nl, pl, tr, zh)
    "cbc": ("HEMATOLOGY", "Hämatologie", "HÉMATOLOGIE", "HEMATOLOGÍA", "EMATOLOGIA", "HEMATOLOGIA", "Hematologie",
            "HEMATOLOGIA", "HEMATOLOJİ", "血常规"),
    "chem": ("CHEMISTRY", "Klinische Chemie", "BIOCHIMIE", "BIOQUÍMICA", "CHIMICA CLINICA", "BIOQUÍMICA",
             "Klinische chemie", "BIOCHEMIA", "BİYOKİMYA", "生化检验"),
    "lipid": ("LIPID PANEL", "Fettstoffwechsel", "BILAN LIPIDIQUE", "PERFIL LIPÍDICO", "PROFILO LIPIDICO",
              "PERFIL LIPÍDICO", "Lipiden", "LIPIDOGRAM", "LİPİD PROFİLİ", "血脂"),
    "endo": ("ENDOCRINOLOGY", "Endokrinologie", "HORMONOLOGIE", "HORMONAS", "ENDOCRINOLOGIA", "ENDOCRINOLOGIA",
             "Endocrinologie", "HORMONY", "HORMONLAR", "内分泌"),
    "coag": ("COAGULATION", "Gerinnung", "HÉMOSTASE", "COAGULACIÓN", "COAGULAZIONE", "COAGULAÇÃO", "Stolling",
             "KOAGULOLOGIA", "KOAGÜLASYON", "凝血"),
    "urine": ("URINALYSIS", "Urinstatus", "BANDELETTE URINAIRE", "ORINA", "ESAME URINE", "URINA TIPO II",
              "Urineonderzoek", "BADANIE MOCZU", "TAM İDRAR", "尿常规"),
}
_PANEL_SECTION = {"cbc": "cbc", "cbc_short": "cbc", "cmp": "chem", "bmp_si": "chem", "liver": "chem", "iron": "chem",
                  "iron_si": "chem", "vitamins": "chem", "inflammation": "chem", "kidney_extra": "chem",
                  "lipid": "lipid", "thyroid": "endo", "diabetes": "endo", "hormones": "endo", "tumour": "endo",
                  "coag": "coag", "urine": "urine"}


@dataclass
class GRow(Row):
    shown: str = ""  # the value cell as printed (flag marks included)
    bold: bool = False
    colour: str = ""  # "high"/"low": the value printed in colour, with no mark ("colour" flag style)
    mark: str = ""  # the flag column's text
    range_lines: list[str] = field(default_factory=list)
    prev: str = ""
    method: str = ""
    specimen: str = ""
    code: str = ""
    panel: str = ""
    site: str = ""  # a performing-site superscript after the name (not part of it)


@dataclass
class GSpec(Spec):
    params: Params | None = None
    printed_name: str = ""  # the name as the header prints it
    prev_date: date | None = None


def make(params: Params) -> GSpec:
    rng = random.Random(params.seed)
    lg = params.lang
    if lg in L.NAMES:
        firsts, lasts = L.NAMES[lg]
        first, sex = rng.choice(firsts)
        last, middle = rng.choice(lasts), ""
        if lg == "pl" and sex == "male" and last.endswith("a"):
            last = last[:-1] + "y"
    else:
        first, sex = rng.choice(FIRST)
        last, middle = rng.choice(LAST), rng.choice(MIDDLE)
    if lg == "zh":
        first, last = last + first, ""  # a Chinese name is printed as one word, family name first
    collected = date(2025, 1, 1) + timedelta(days=rng.randint(0, 300))
    spec = GSpec(
        f"{params.family}_{params.seed}", lg, params.si, params.comma, first, middle, last, sex,
        date(rng.randint(1940, 2004), rng.randint(1, 12), rng.randint(1, 28)), collected,
        collected + timedelta(days=rng.randint(0, 2)), str(rng.randint(100000, 9999999)).zfill(7),
        rng.choice(L.LABS[lg]), rng.choice(L.DOCTORS.get(lg, L.DOCTORS["en"])), params=params,
    )
    spec.prev_date = collected - timedelta(days=rng.randint(30, 400))
    spec.printed_name = _printed_name(spec, params, rng)
    for panel in params.panels:
        section = SECTION[_PANEL_SECTION[panel]][L.LANGS.index(lg)]
        for key in PANELS[panel]:
            if key in ("bun", "co2", "tibc") and lg not in ("en", "es", "fr"):
                continue  # tests that labs in these countries rarely print by these names
            spec.rows.append(_row(TESTS[key], panel, section, rng, spec, params))
    return spec


def _printed_name(spec: GSpec, p: Params, rng: random.Random) -> str:
    if p.lang == "zh":
        return spec.first
    mid = f" {spec.middle}" if spec.middle else ""
    if p.name_style == "last_comma_first":
        return f"{spec.last.upper()}, {spec.first.upper()}{mid.upper()}"
    if p.name_style == "honorific":
        spec.middle = ""
        return f"{L.HONORIFIC[p.lang][spec.sex == 'female']} {spec.first} {spec.last}"
    return f"{spec.first}{mid} {spec.last}"


def _num(x: float, dp: int, p: Params) -> str:
    s = fmt_num(x, dp, p.comma)
    if p.thousands and abs(x) >= 1000:
        whole, _, frac = s.partition("," if p.comma else ".")
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        sep = " " if p.comma else ","
        s = sep.join([whole, *groups]) + ((("," if p.comma else ".") + frac) if frac else "")
    if p.leading_zero and dp == 0 and 0 <= x < 10:
        s = s.zfill(2)
    return s


def _qual(word: str, lg: str) -> str:
    return (L.QUAL.get(lg) or QUAL_WORDS.get(lg) or {}).get(word, word)


def _row(test: Test, panel: str, section: str, rng: random.Random, spec: GSpec, p: Params) -> GRow:
    lg = p.lang
    name = L.test_name(test, lg)
    if lg == "en" and test.alt_names and rng.random() < 0.35:
        name = rng.choice(test.alt_names)
    specimen = SPECIMEN[lg][2 if panel == "urine" else (0 if panel.startswith("cbc") else 1)]
    code = f"{test.key.upper().replace('_', '')[:4]}{rng.randint(1, 99):02d}"
    extras = dict(method=METHODS.get(panel, ""), specimen=specimen, code=code, panel=panel)
    if p.name_suffix == "code":
        name = f"{name} (ICD-9: {'OVW'[rng.randint(0, 2)]}{rng.randint(10, 99)})"
    elif p.name_suffix == "site":
        extras["site"] = f"0{rng.randint(1, 3)}"
    if test.qualitative:
        normal, *abnormal = test.qualitative
        word = rng.choice(abnormal) if rng.random() < 0.25 else normal
        flag = "normal" if word == normal else "abnormal"
        row = GRow(test, section, name, _qual(word, lg), None, "", None, _qual(normal, lg), None, None, flag,
                   **extras)
        row.range_lines = [row.range_text]
        _mark(row, p)
        return row
    u = (test.si or test.us) if p.si else (test.us or test.si)
    lo, hi, dp = u.low, u.high, u.dp
    if test.key in MALE and spec.sex == "male":
        lo, hi = MALE[test.key][1 if u is test.si else 0]
    abnormal = rng.random() < 0.22
    value = _draw(rng, lo, hi, dp, abnormal)
    if test.censored and not abnormal and rng.random() < 0.5:
        value_text = test.censored.replace(".", ",") if p.comma else test.censored
        value = float(test.censored[1:])
        flag = "normal"
    else:
        value_text = _num(value, dp, p)
        flag = "high" if hi is not None and value > hi else "low" if lo is not None and value < lo else "normal"
    row = GRow(test, section, name, value_text, value, u.printed, u.display, "", lo, hi, flag, **extras)
    row.range_lines = _range_lines(test, u, lo, hi, p, spec.sex, rng)
    row.range_text = " / ".join(row.range_lines)
    if p.range_style == "glued_unit" and u.printed:
        row.range_lines[-1] += f" {u.printed}"
        row.range_text = " / ".join(row.range_lines)
    prev = _draw(rng, lo, hi, dp, rng.random() < 0.3)
    row.prev = _num(prev, dp, p)
    _mark(row, p)
    return row


def _draw(rng: random.Random, lo, hi, dp: int, abnormal: bool) -> float:
    for _ in range(50):
        if lo is not None and hi is not None:
            span = hi - lo
            if abnormal:
                v = rng.choice([hi + span * rng.uniform(0.05, 0.6), lo - span * rng.uniform(0.05, 0.4)])
            else:
                v = rng.uniform(lo, hi)
        elif hi is not None:
            v = hi * (rng.uniform(1.05, 1.6) if abnormal else rng.uniform(0.3, 0.95))
        else:
            v = lo * (rng.uniform(0.5, 0.95) if abnormal else rng.uniform(1.05, 1.8))
        v = round(v, dp)
        if v > 0 and v not in (lo, hi):
            return float(int(v)) if dp == 0 else v
    raise RuntimeError("no value")  # pragma: no cover


def _range_lines(test, u, lo, hi, p: Params, sex: str, rng: random.Random) -> list[str]:
    dp = u.dp

    def pair(a, b):
        style = p.range_style
        sep = {"tight": "-", "en_dash": " – "}.get(style, " - ")
        text = f"{_num(a, dp, p)}{sep}{_num(b, dp, p)}"
        return f"({text})" if style == "bracket" else text

    if lo is not None and hi is not None:
        if p.range_style == "sex_lines" and test.key in MALE:
            m_lo, m_hi = MALE[test.key][1 if u is test.si else 0]
            f_lo, f_hi = u.low, u.high
            m, f = SEX_MARK[p.lang]
            return [f"{m}: {pair(m_lo, m_hi)}", f"{f}: {pair(f_lo, f_hi)}"]
        return [pair(lo, hi)]
    if hi is not None:
        if p.range_style == "up_to":
            return [f"{L.UP_TO[p.lang]} {_num(hi, dp, p)}"]
        return [rng.choice(["<{b}", "< {b}"]).format(b=_num(hi, dp, p))]
    return [rng.choice([">{a}", "> {a}"]).format(a=_num(lo, dp, p))]


def _mark(row: GRow, p: Params) -> None:
    """The value cell as printed and the flag column's text, by the flag style."""
    style, f = p.flag_style, row.flag
    out = f in ("high", "low", "abnormal")
    letter = {"high": "H", "low": "L", "abnormal": "A"}.get(f, "")
    arrow = {"high": "↑", "low": "↓", "abnormal": "*"}.get(f, "")
    triangle = {"high": "▲", "low": "▼", "abnormal": "*"}.get(f, "")
    v = row.value_text
    row.shown = v
    qual = row.value is None
    if style == "col_letter":
        row.mark = letter
    elif style == "col_word":
        row.mark = dict(zip(("high", "low", "abnormal"), L.FLAG_WORDS[p.lang])).get(f, "")
    elif style == "col_arrow":
        row.mark = arrow
    elif style == "col_star":
        row.mark = "*" if out else ""
    elif style == "col_bracket":
        row.mark = f"[{letter}]" if out else ""
    elif style == "col_triangle":
        row.mark = triangle
    elif not out:
        pass
    elif style == "glued_star_pre":
        row.shown = f"*{v}"
    elif style == "glued_star_post":
        row.shown = f"{v}*"
    elif style == "glued_paren" and not qual:
        row.shown = f"{v}({letter})"
    elif style == "glued_letter" and not qual:
        row.shown = f"{v}{letter}"
    elif style == "glued_arrow" and not qual:
        row.shown = f"{arrow}{v}"
    elif style == "spaced_letter" and not qual:
        row.shown = f"{v} {letter}"
    elif style == "bold":
        row.bold = True
    elif style == "colour":
        row.colour = f

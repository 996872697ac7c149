"""A report to print: a fictitious patient, dates and result rows, with its ground truth.

Everything comes from one ``random.Random(seed)``, so a layout always prints the same
report. Values fall inside the reference range most of the time and outside it about
one time in five; qualitative tests are normal most of the time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from bench.corpus.tests import PANELS, QUAL_WORDS, TESTS, Test, Units
from labintake.parse.catalog import get_catalog

FIRST = [("Jane", "female"), ("Maria", "female"), ("Olivia", "female"), ("Erika", "female"),
         ("Claire", "female"), ("Lucia", "female"), ("John", "male"), ("Peter", "male"),
         ("Ahmed", "male"), ("Lars", "male"), ("Marco", "male"), ("Hiroshi", "male")]
MIDDLE = ["Q", "A", "B", "K", "L", ""]
LAST = ["Doe", "Fictus", "Sampleton", "Mustermann", "Exemple", "Ejemplo", "Testperson",
        "Placeholder", "Nobody", "Dummyfield"]


@dataclass
class Row:
    test: Test
    section: str
    name: str  # printed
    value_text: str  # printed, without flag marks
    value: float | None
    unit_printed: str
    unit_display: str | None
    range_text: str
    low: float | None
    high: float | None
    flag: str  # truth: high, low, normal, abnormal
    page: int = 1


@dataclass
class Spec:
    layout: str
    lang: str
    si: bool
    comma: bool  # decimal comma
    first: str
    middle: str
    last: str
    sex: str
    dob: date
    collected: date
    reported: date
    mrn: str
    lab: str
    provider: str
    rows: list[Row] = field(default_factory=list)
    # Header fields printed on the first page only (the truth of a later page's image
    # has them empty).
    first_page_only: set[str] = field(default_factory=set)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first, self.middle, self.last) if p)

    def truth(self, pages: set[int] | None = None) -> dict:
        """The DESIGN §4 JSON the report should parse into (rows of ``pages`` only).

        ``name_as_printed`` is the whole label as printed (a name wrapped over two lines
        joined by one space)."""
        cat = get_catalog()
        results = []
        for r in self.rows:
            if pages is not None and r.page not in pages:
                continue
            analyte = cat.by_loinc(r.test.loinc)
            # The scorer matches a result on the printed name, this canonical name or the
            # code, so the truth need not follow every change to the catalog's codes.
            canonical = analyte.name if analyte else r.test.names["en"]
            results.append({
                "name": canonical, "name_as_printed": r.name, "loinc": r.test.loinc, "value": r.value,
                "value_text": r.value_text,
                "unit": r.unit_display,
                "reference_range": {"low": r.low, "high": r.high, "text": r.range_text},
                "flag": r.flag, "page": r.page, "section": r.section,
            })
        out = {
            "patient": {"name": self.full_name, "date_of_birth": self.dob.isoformat(), "sex": self.sex,
                        "mrn": self.mrn},
            "report": {"lab_name": self.lab, "collected_at": self.collected.isoformat(),
                       "reported_at": self.reported.isoformat(), "ordering_provider": self.provider},
            "results": results,
        }
        if pages is not None and 1 not in pages:
            for key in self.first_page_only:
                part = "patient" if key in out["patient"] else "report"
                out[part][key] = None
        return out


def fmt_num(x: float, dp: int, comma: bool) -> str:
    s = f"{x:.{dp}f}"
    return s.replace(".", ",") if comma else s


def make_spec(layout: str, seed: int, *, lang: str, si: bool, comma: bool, lab: str, provider: str,
              panels: list[tuple[str, str]], abnormal_rate: float = 0.22, middle: bool = False) -> Spec:
    """``middle``: whether the layout prints a middle initial (the truth holds the name as printed)."""
    rng = random.Random(seed)
    first, sex = rng.choice(FIRST)
    initial = rng.choice(MIDDLE)
    spec = Spec(
        layout, lang, si, comma, first, initial if middle else "", rng.choice(LAST), sex,
        date(rng.randint(1940, 2004), rng.randint(1, 12), rng.randint(1, 28)),
        collected := date(2025, 1, 1) + timedelta(days=rng.randint(0, 300)),
        collected + timedelta(days=rng.randint(0, 2)),
        str(rng.randint(100000, 9999999)).zfill(7), lab, provider,
    )
    for panel, section in panels:
        for key in PANELS[panel]:
            spec.rows.append(make_row(TESTS[key], section, rng, spec, abnormal_rate))
    return spec


def _qual(word: str, lang: str) -> str:
    return QUAL_WORDS.get(lang, {}).get(word, word)


def make_row(test: Test, section: str, rng: random.Random, spec: Spec, abnormal_rate: float) -> Row:
    lang = spec.lang
    name = test.names.get(lang) or test.names["en"]
    if lang == "en" and test.alt_names and rng.random() < 0.35:
        name = rng.choice(test.alt_names)
    if test.qualitative:
        normal, *abnormal = test.qualitative
        word = rng.choice(abnormal) if rng.random() < abnormal_rate else normal
        return Row(test, section, name, _qual(word, lang), None, "", None, _qual(normal, lang), None, None,
                   "normal" if word == normal else "abnormal")
    u: Units = (test.si or test.us) if spec.si else (test.us or test.si)
    lo, hi, dp = u.low, u.high, u.dp
    comma = spec.comma
    if lo is not None and hi is not None:
        range_text = rng.choice(["{a} - {b}", "{a}-{b}", "{a} – {b}"]).format(
            a=fmt_num(lo, dp, comma), b=fmt_num(hi, dp, comma))
    elif hi is not None:
        range_text = rng.choice(["<{b}", "< {b}"]).format(b=fmt_num(hi, dp, comma))
    else:
        range_text = rng.choice([">{a}", "> {a}"]).format(a=fmt_num(lo, dp, comma))
    abnormal = rng.random() < abnormal_rate
    if test.censored and not abnormal and rng.random() < 0.5:
        literal = test.censored
        value = float(literal[1:])
        return Row(test, section, name, literal.replace(".", ",") if comma else literal, value,
                   u.printed, u.display, range_text, lo, hi, "normal")
    for _ in range(50):
        if lo is not None and hi is not None:
            span = hi - lo
            if abnormal:
                value = rng.choice([hi + span * rng.uniform(0.05, 0.6), lo - span * rng.uniform(0.05, 0.4)])
            else:
                value = rng.uniform(lo, hi)
        elif hi is not None:
            value = hi * (rng.uniform(1.05, 1.6) if abnormal else rng.uniform(0.3, 0.95))
        else:
            value = lo * (rng.uniform(0.5, 0.95) if abnormal else rng.uniform(1.05, 1.8))
        value = round(value, dp)
        if value > 0 and value not in (lo, hi):
            break
    else:  # pragma: no cover - the ranges above always leave room
        raise RuntimeError(test.key)
    if dp == 0:
        value = float(int(value))
    flag = "normal"
    if hi is not None and value > hi:
        flag = "high"
    elif lo is not None and value < lo:
        flag = "low"
    return Row(test, section, name, fmt_num(value, dp, comma), value, u.printed, u.display, range_text,
               lo, hi, flag)

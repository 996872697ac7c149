"""Layouts as parameters, and the families that sample them.

A :class:`Params` says everything about how one report looks: language and country
(so date order), columns and their order, header style, name style, font, flag, range
and value styles, wrapping, method lines, notes tables, side-by-side tables, several
pages, and how the scan or photo of it is degraded. A *family* constrains some of
those choices and leaves the rest to the seed, so one family gives many layouts.

Two sets, never mixed:
- ``dev``: the families (and seeds) used while developing, plus the eight hand-drawn
  layouts the project was tuned on;
- ``held_back``: other families (other combinations of the same traits) and other
  seeds. It is scored, but its misses are never looked at to fix the parser.

A third, ``probe``, samples every parameter freely with seeds of its own: development
data for trying a rule on layouts nobody drew, run only when asked (``--set probe``).
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass

from bench.corpus.lang import COUNTRY_OF, DATE_STYLES

OPTIONAL_COLUMNS = ("flag", "prev", "method", "specimen", "code")
FLAG_STYLES = ("col_letter", "col_word", "col_arrow", "col_star", "col_bracket", "col_triangle", "glued_star_pre",
               "glued_star_post", "glued_paren", "glued_letter", "glued_arrow", "spaced_letter", "bold")
RANGE_STYLES = ("dash", "tight", "en_dash", "bracket", "up_to", "glued_unit", "sex_lines")
HEADER_STYLES = ("grid", "box", "three_col", "stacked", "details", "pipe")
NAME_STYLES = ("first_last", "last_comma_first", "honorific")
FONTS = ("helvetica", "times", "courier", "sans_ttf", "serif_ttf", "mono_ttf")
# What follows a test's name: nothing, a code in brackets (`FT3 (ICD-9: O55)`), or a
# performing-site superscript (`Hemoglobin ⁰¹`, not part of the name).
NAME_SUFFIXES = ("none", "code", "site")


@dataclass(frozen=True)
class Params:
    family: str
    seed: int
    lang: str
    country: str
    date_style: str
    si: bool
    comma: bool  # decimal comma
    thousands: bool  # 1,045 / 1 045
    leading_zero: bool  # 07
    panels: tuple[str, ...]
    columns: tuple[str, ...]  # printed order: name, value, flag, unit, range, prev, method, specimen, code
    header: str
    name_style: str
    name_suffix: str
    font: str
    bold_headings: bool
    flag_style: str
    range_style: str
    sections: bool  # section headings over each panel
    wrap_names: bool  # a narrow name column: long names run over two lines
    method_line: bool  # a small method line under each name
    notes_table: bool  # an interpretation table after the results (not results)
    side_by_side: bool  # two result tables next to each other
    rows_per_page: int  # more rows than this: another page, with the header repeated
    ruled: bool  # lines between rows
    page: str  # letter | a4
    scan_level: float  # 0..1: how rough the scan is
    photo_level: float  # 0..1: how hard the light and angle are


# A family: for each parameter, the choices it may take (a missing key: any choice).
Family = dict[str, tuple]

DEV_FAMILIES: dict[str, Family] = {
    # A US reference lab: code column, previous result with its date, flag column.
    "us_reference": dict(lang=("en",), country=("us",), columns=("code", "prev", "flag"), header=("grid", "box"),
                         name_style=("last_comma_first",), flag_style=("col_letter", "col_word", "col_bracket"),
                         name_suffix=("none", "code", "site"),
                         range_style=("dash", "tight", "up_to"), panels=(("cbc", "cmp"), ("cmp", "lipid", "thyroid"))),
    # A European grid: glued flags, decimal commas, dotted dates.
    "eu_glued": dict(lang=("de", "it", "es"), columns=(), header=("box", "three_col"),
                     flag_style=("glued_letter", "glued_paren", "glued_star_post", "glued_star_pre"),
                     range_style=("dash", "glued_unit", "sex_lines"), comma=(True,), si=(True,),
                     panels=(("cbc", "bmp_si", "lipid"), ("cbc_short", "liver", "iron_si", "thyroid"))),
    # New languages with the header as labels stacked over values, words and arrows as flags.
    "new_lang": dict(lang=("pt", "nl", "pl", "tr"), columns=("flag", "method"), header=("stacked", "details"),
                     flag_style=("col_word", "col_arrow", "glued_arrow"), si=(True,),
                     panels=(("cbc_short", "bmp_si", "urine"), ("cbc", "lipid", "diabetes"))),
    # A clinic letter: serif, no flag column, asterisks, bold or colour, wrapped names, method lines.
    "letter": dict(lang=("en", "fr"), columns=(), header=("details", "pipe"), font=("times", "serif_ttf"),
                   name_style=("honorific", "first_last"),
                   flag_style=("spaced_letter", "bold", "glued_star_post", "colour"),
                   range_style=("en_dash", "bracket", "up_to", "dash"),
                   wrap_names=(True,), method_line=(True,), notes_table=(True,),
                   panels=(("diabetes", "lipid", "vitamins", "inflammation"), ("cbc_short", "liver", "iron"))),
    # Two tables side by side.
    "side_by_side": dict(lang=("en", "de"), side_by_side=(True,), columns=(), header=("grid", "pipe"),
                         flag_style=("col_letter", "bold", "glued_letter", "col_triangle", "colour"),
                         panels=(("cbc", "cmp"), ("cbc", "liver", "lipid", "thyroid"))),
    # Simplified Chinese complete blood count and chemistry.
    "zh_lab": dict(lang=("zh",), columns=("flag",), header=("grid", "three_col"), flag_style=("col_arrow", "col_letter"),
                   si=(True,), panels=(("cbc",), ("cbc_short", "bmp_si", "liver"))),
    # A long monospaced printout over several pages, with specimen column and leading zeros.
    "mono_multipage": dict(lang=("en",), country=("us", "gb"), font=("courier", "mono_ttf"), columns=("specimen",),
                           rows_per_page=(22,), flag_style=("spaced_letter", "col_star"), leading_zero=(True,),
                           thousands=(True,), panels=(("cbc", "cmp", "lipid", "iron", "vitamins", "coag", "urine"),)),
}

HELD_BACK_FAMILIES: dict[str, Family] = {
    # US cumulative report: previous result + date, method column, pipe header, glued flags, several pages.
    "hb_us_cumulative": dict(lang=("en",), country=("us",), columns=("prev", "method"), header=("pipe", "stacked"),
                             name_style=("honorific", "last_comma_first"),
                             flag_style=("glued_star_pre", "glued_star_post", "glued_paren"), rows_per_page=(24,),
                             panels=(("cbc", "cmp", "lipid", "thyroid"), ("cmp", "iron", "vitamins", "coag"))),
    # Southern/eastern Europe: specimen and code columns, sex-specific ranges, arrows.
    "hb_eu_specimen": dict(lang=("it", "pl", "tr", "pt"), columns=("specimen", "code", "flag"),
                           header=("three_col", "grid", "details"), flag_style=("col_arrow", "glued_arrow", "col_word"),
                           name_suffix=("site", "none", "code"),
                           range_style=("sex_lines", "dash", "up_to"), comma=(True,), si=(True,), leading_zero=(True,),
                           panels=(("cbc", "bmp_si", "liver"), ("cbc_short", "lipid", "iron_si", "urine"))),
    # UK practice: side by side, notes table, DD/MM dates, ranges glued to units.
    "hb_side_notes": dict(lang=("en",), country=("gb",), side_by_side=(True,), notes_table=(True,),
                          header=("details", "box"), range_style=("glued_unit", "up_to", "tight"), si=(True,),
                          flag_style=("glued_paren", "col_letter", "bold"), panels=(("cbc", "bmp_si", "lipid", "diabetes"),)),
    # Chinese chemistry with stacked header and bold flags.
    "hb_zh_chem": dict(lang=("zh",), columns=("code", "flag"), header=("stacked", "details"),
                       flag_style=("col_arrow", "bold", "col_word"), si=(True,),
                       panels=(("bmp_si", "liver", "lipid"), ("cbc", "thyroid", "urine"))),
    # Wrapped names in a narrow column, method lines, Dutch/French/Spanish, star columns.
    "hb_wrap_methods": dict(lang=("nl", "fr", "es", "de"), columns=("method",), wrap_names=(True,), method_line=(True,),
                            header=("pipe", "box", "stacked"), flag_style=("col_star", "glued_star_post", "spaced_letter"),
                            comma=(True,), si=(True,), panels=(("cbc", "bmp_si"), ("liver", "lipid", "thyroid", "urine"))),
    # Anything goes: every parameter sampled from its whole range.
    "hb_anything": dict(),
}

# A probe: every parameter sampled from its whole range, with seeds of its own. It is
# development data (look at its misses freely), for judging a rule on layouts no family
# was written for; it is not part of the figures the README reports.
PROBE_FAMILIES: dict[str, Family] = {"probe_anything": dict()}

SETS = {"dev": DEV_FAMILIES, "held_back": HELD_BACK_FAMILIES, "probe": PROBE_FAMILIES}
# How many reports each family contributes, and the seed base of each set (disjoint).
PER_FAMILY = {"dev": 4, "held_back": 3, "probe": 40}
SEED_BASE = {"dev": 10_000, "held_back": 7_000_000, "probe": 40_000_000}

ALL_PANELS = (("cbc", "cmp"), ("cbc_short", "liver", "lipid"), ("bmp_si", "thyroid", "diabetes"),
              ("cbc", "iron", "vitamins", "inflammation"), ("urine", "cbc_short"))


def seeds(set_name: str) -> dict[str, list[int]]:
    """Each family's seeds: the set's base plus a per-family offset, so sets never share one."""
    out = {}
    for fam in SETS[set_name]:
        base = SEED_BASE[set_name] + (zlib.crc32(fam.encode()) % 100_000) * 10
        out[fam] = [base + i for i in range(PER_FAMILY[set_name])]
    return out


def sample(family: str, seed: int) -> Params:
    """The layout of a family's report ``seed``.

    A choice the family names is taken in turn (the i-th report of a family takes the
    i-th choice, from a per-family offset), so a family's reports together show every
    choice it names; a choice it leaves open is drawn at random."""
    fam = next(families[family] for families in SETS.values() if family in families)
    rng = random.Random(seed)
    index = seed % 10  # seeds are a multiple of 10 plus the report's index in its family

    def pick(key: str, default: tuple):
        if key in fam:
            choices = fam[key]
            return choices[(index + zlib.crc32(f"{family}/{key}".encode())) % len(choices)]
        return rng.choice(default)

    lang = pick("lang", ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "tr", "zh"))
    country = pick("country", COUNTRY_OF[lang])
    styles = DATE_STYLES[country]
    date_style = styles[index % len(styles)] if fam else rng.choice(styles)
    eu = lang != "en" or country != "us"
    si = pick("si", (True,) if eu else (False,))
    comma = pick("comma", (lang in ("de", "fr", "es", "it", "pt", "nl", "pl", "tr"),))
    if "columns" in fam:
        extra = tuple(c for c in fam["columns"] if c == "flag" or rng.random() < 0.8)
    else:
        extra = tuple(c for c in OPTIONAL_COLUMNS if rng.random() < 0.35)
    flag_style = pick("flag_style", FLAG_STYLES)
    if lang == "zh" and flag_style == "bold":
        flag_style = "col_arrow"  # the CJK font has no bold face
    if flag_style.startswith("col_") and "flag" not in extra:
        extra = ("flag", *extra)
    if not flag_style.startswith("col_"):
        extra = tuple(c for c in extra if c != "flag")
    range_style = pick("range_style", RANGE_STYLES)
    columns = _column_order(rng, extra, glued_unit=range_style == "glued_unit")
    font = pick("font", ("sans_ttf",) if lang in ("pl", "tr") else FONTS)
    if lang in ("pl", "tr") and font in ("helvetica", "times", "courier"):
        font = {"helvetica": "sans_ttf", "times": "serif_ttf", "courier": "mono_ttf"}[font]
    if flag_style in ("col_arrow", "glued_arrow", "col_triangle") and font in ("helvetica", "times", "courier"):
        font = "sans_ttf"  # the standard PDF fonts have no arrows
    side = pick("side_by_side", (False, False, True) if not fam else (False,))
    return Params(
        family=family, seed=seed, lang=lang, country=country, date_style=date_style, si=si, comma=comma,
        thousands=pick("thousands", (False, True)), leading_zero=pick("leading_zero", (False, False, True)),
        panels=pick("panels", ALL_PANELS), columns=columns, header=pick("header", HEADER_STYLES),
        name_style=pick("name_style", NAME_STYLES), font=font, bold_headings=rng.random() < 0.7,
        flag_style=flag_style, range_style=range_style, sections=pick("sections", (True, True, False)),
        wrap_names=pick("wrap_names", (False, False, True)) and not side,
        method_line=pick("method_line", (False, False, True)), notes_table=pick("notes_table", (False, True)),
        side_by_side=side, rows_per_page=pick("rows_per_page", (24, 30, 40)), ruled=rng.random() < 0.5,
        page=pick("page", ("letter",) if country == "us" else ("a4",)),
        scan_level=rng.uniform(0.0, 1.0), photo_level=rng.uniform(0.0, 1.0),
        # Only families that name it (and "anything goes") carry name suffixes: they are
        # common on some labs' reports, not on most.
        name_suffix=pick("name_suffix", ("none",) if fam else NAME_SUFFIXES),
    )


def _column_order(rng: random.Random, extra: tuple[str, ...], *, glued_unit: bool) -> tuple[str, ...]:
    """Name first (after a code column), the value before its previous value; the flag
    next to the value; unit and range in either order; method and specimen anywhere after."""
    core = ["value"]
    if "flag" in extra:
        core.append("flag")
    tail = ["range"] if glued_unit else (["unit", "range"] if rng.random() < 0.7 else ["range", "unit"])
    cols = ["name", *core, *tail]
    if "prev" in extra:
        cols.insert(cols.index(tail[-1]) + 1 if rng.random() < 0.5 else len(core) + 1, "prev")
    for c in ("method", "specimen"):
        if c in extra:
            cols.insert(rng.randint(len(core) + 1, len(cols)), c)
    if "code" in extra:
        cols.insert(0, "code")
    return tuple(cols)

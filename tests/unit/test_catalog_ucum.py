"""Every catalog unit and every LOINC code's canonical unit is real UCUM, and its
dimension is the one the code's property implies (a [Moles/volume] code never sits on
a mass unit), checked with an independent UCUM parser (ucumvert: UCUM's grammar and
unit table, converted to pint; works offline)."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from labintake.parse.catalog import get_catalog

ucumvert = pytest.importorskip("ucumvert")

CAT = get_catalog()
DATA = json.loads(files("labintake").joinpath("data", "analytes.json").read_text("utf-8"))
UREG = ucumvert.PintUcumRegistry()

# The pint dimensionality each unit kind must have. Kinds that LOINC tells apart but
# UCUM cannot (a count and an international unit are both "per volume") share one.
DIMENSION = {
    "mass": {"[mass]": 1, "[length]": -3},
    "substance": {"[substance]": 1, "[length]": -3},
    "count": {"[length]": -3},
    "arbitrary": {"[length]": -3},
    "catalytic": {"[substance]": 1, "[time]": -1, "[length]": -3},
    "fraction": {},
    "substance_ratio": {},
    "mass_ratio": {},
    "inr": {},
    "per_field": {},
    "entity_volume": {"[length]": 3},
    "entity_mass": {"[mass]": 1},
    "time": {"[time]": 1},
    "velocity": {"[length]": 1, "[time]": -1},
    "pressure": {"[mass]": 1, "[length]": -1, "[time]": -2},
    "osmolality": {"[substance]": 1, "[mass]": -1},
    "mass_per_substance": {"[mass]": 1, "[substance]": -1},
    "volume_rate": {"[length]": 3, "[time]": -1},
}


def _dimension(ucum: str) -> dict[str, int]:
    if ucum.startswith("{") and ucum.endswith("}"):
        return {}  # an annotation alone ({ratio}, {INR}) is the unit 1
    q = UREG.from_ucum(ucum)
    return {k: v for k, v in dict(q.dimensionality).items() if v}


@pytest.mark.parametrize("display", list(DATA["units"]))
def test_every_unit_is_ucum_of_its_kind(display):
    spec = DATA["units"][display]
    assert spec["kind"] in DIMENSION, spec["kind"]
    assert _dimension(spec["ucum"]) == DIMENSION[spec["kind"]], (display, spec["ucum"])


CODES = [(a.name, c) for a in CAT.analytes for c in a.codes if c.kind != "none"]


@pytest.mark.parametrize(("name", "code"), CODES, ids=[f"{n}-{c.loinc}" for n, c in CODES])
def test_every_code_property_is_commensurable_with_its_ucum_unit(name, code):
    assert _dimension(code.ucum) == DIMENSION[code.kind], (name, code)


def test_the_check_tells_mass_from_substance():
    assert _dimension("mg/dL") != _dimension("mmol/L")
    assert _dimension("10*3/uL") == DIMENSION["count"]
    assert _dimension("%") == {}


def test_every_accepted_unit_of_a_coded_kind_is_convertible_to_that_codes_unit():
    """Within one code, accepted units of its kind convert by a pure factor (mg/dL <-> g/L)."""
    for analyte in CAT.analytes:
        for code in analyte.codes:
            if code.kind in ("none", "inr") or code.ucum.startswith("{"):
                continue
            for unit in analyte.accepted_units:
                if CAT.unit_kind[unit] == code.kind and not CAT.ucum[unit].startswith("{"):
                    UREG.from_ucum(CAT.ucum[unit]).to(UREG.from_ucum(code.ucum))

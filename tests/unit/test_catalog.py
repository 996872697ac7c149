"""The analyte catalog: consistency of the data file and name/unit matching."""

from __future__ import annotations

import pytest

from labintake.parse.catalog import get_catalog, loinc_check_digit, loinc_is_valid, normalise_name

CAT = get_catalog()


def test_loinc_check_digit_algorithm():
    # Examples from the LOINC users' guide and well-known codes.
    assert loinc_check_digit("12345") == 5
    assert loinc_check_digit("718") == 7
    assert loinc_check_digit("2345") == 7
    assert not loinc_is_valid("718-6")
    assert not loinc_is_valid("7187")


@pytest.mark.parametrize("analyte", CAT.analytes, ids=lambda a: a.name)
def test_every_analyte_is_consistent(analyte):
    assert loinc_is_valid(analyte.loinc), analyte.loinc
    assert analyte.unit in analyte.accepted_units
    for unit in analyte.accepted_units:
        assert unit in CAT.ucum, f"{unit} has no UCUM code"
    assert analyte.bounds[0] < analyte.bounds[1]


def test_codes_and_names_are_unique():
    loincs = [a.loinc for a in CAT.analytes]
    names = [a.name for a in CAT.analytes]
    assert len(set(loincs)) == len(loincs)
    assert len(set(names)) == len(names)


def test_no_synonym_maps_to_two_analytes():
    seen: dict[str, str] = {}
    for a in CAT.analytes:
        for syn in {normalise_name(s) for s in (a.name, *a.synonyms)}:
            assert seen.setdefault(syn, a.name) == a.name, f"{syn!r}: {seen[syn]} and {a.name}"


def test_no_unit_alias_maps_to_two_units():
    import json
    from importlib.resources import files

    data = json.loads(files("labintake").joinpath("data", "analytes.json").read_text("utf-8"))
    seen: dict[str, str] = {}
    for display, spec in data["units"].items():
        for alias in {display, *spec["aliases"]}:
            key = alias.replace(" ", "").lower().replace("µ", "u").replace("μ", "u")
            assert seen.setdefault(key, display) == display, alias


REQUIRED = {
    "WBC": "6690-2", "RBC": "789-8", "Hemoglobin": "718-7", "Hematocrit": "4544-3",
    "MCV": "787-2", "MCH": "785-6", "MCHC": "786-4", "RDW": "788-0", "Platelets": "777-3",
    "Neutrophils %": "770-8", "Lymphocytes %": "736-9", "Glucose": "2345-7", "BUN": "3094-0",
    "Creatinine": "2160-0", "eGFR": "33914-3", "Sodium": "2951-2", "Potassium": "2823-3",
    "Chloride": "2075-0", "CO2": "2028-9", "Calcium": "17861-6", "Total Protein": "2885-2",
    "Albumin": "1751-7", "Total Bilirubin": "1975-2", "ALP": "6768-6", "ALT": "1742-6",
    "AST": "1920-8", "Total Cholesterol": "2093-3", "HDL Cholesterol": "2085-9",
    "LDL Cholesterol": "13457-7", "Triglycerides": "2571-8", "Non-HDL Cholesterol": "43396-1",
    "TSH": "3016-3", "Free T4": "3024-7", "Hemoglobin A1c": "4548-4",
}


def test_first_catalog_covers_the_common_panels():
    by_name = {a.name: a.loinc for a in CAT.analytes}
    for name, loinc in REQUIRED.items():
        assert by_name.get(name) == loinc, name


@pytest.mark.parametrize(
    ("printed", "unit", "name"),
    [
        ("Hemoglobin", None, "Hemoglobin"),
        ("HGB", None, "Hemoglobin"),
        ("Hemoglobln", None, "Hemoglobin"),  # OCR damage
        ("Potasslum", None, "Potassium"),
        ("K", None, "Potassium"),
        ("Hemoglobin A1c", None, "Hemoglobin A1c"),
        ("HbA1c", None, "Hemoglobin A1c"),
        ("Cholesterol, Total", None, "Total Cholesterol"),
        ("ALT (SGPT)", None, "ALT"),
        ("Neutrophils", "%", "Neutrophils %"),
        ("Neutrophils", "10^3/uL", "Neutrophils #"),
        ("Glucose, Serum", None, "Glucose"),
    ],
)
def test_name_matching(printed, unit, name):
    analyte, _ = CAT.match(printed, unit)
    assert analyte is not None and analyte.name == name


@pytest.mark.parametrize("printed", ["Vitamin D, 25-Hydroxy", "Zinc", "Ka", "Hemo"])
def test_unknown_names_do_not_match(printed):
    assert CAT.match(printed)[0] is None


@pytest.mark.parametrize(
    ("printed", "unit"),
    [("ulU/mL", "uIU/mL"), ("µIU/mL", "uIU/mL"), ("x10E3/uL", "10^3/uL"), ("K/uL", "10^3/uL"),
     ("mg/dl", "mg/dL"), ("mg/dI", "mg/dL"), ("mmo1/L", "mmol/L"), ("mEq/l", "mEq/L"),
     ("mL/min/1.73 m2", "mL/min/1.73m2"), ("%", "%")],
)
def test_unit_normalisation(printed, unit):
    assert CAT.normalise_unit(printed) == unit


def test_unknown_unit_is_kept_as_printed():
    assert CAT.normalise_unit("furlongs") == "furlongs"
    assert CAT.normalise_unit(None) is None

"""The analyte catalog: consistency of the data file and name/unit matching."""

from __future__ import annotations

import json
import re
from importlib.resources import files

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labintake.parse.catalog import get_catalog, normalise_name
from labintake.parse.loinc import loinc_check_digit, loinc_is_valid

CAT = get_catalog()
DATA = json.loads(files("labintake").joinpath("data", "analytes.json").read_text("utf-8"))


def test_loinc_check_digit_algorithm():
    # Examples from the LOINC users' guide and well-known codes.
    assert loinc_check_digit("12345") == 5
    assert loinc_check_digit("718") == 7
    assert loinc_check_digit("2345") == 7
    assert not loinc_is_valid("718-6")
    assert not loinc_is_valid("7187")


@given(st.integers(min_value=1, max_value=9_999_999))
def test_exactly_one_check_digit_is_valid(base):
    valid = [d for d in range(10) if loinc_is_valid(f"{base}-{d}")]
    assert valid == [loinc_check_digit(str(base))]


def test_catalog_is_large_enough_and_covers_the_panels():
    assert len(CAT.analytes) >= 150
    panels = {a.panel for a in CAT.analytes}
    for panel in ("Hematology", "Chemistry", "Lipids", "Thyroid", "Diabetes", "Liver", "Kidney", "Iron",
                  "Vitamins", "Inflammation", "Urinalysis", "Coagulation", "Tumour markers", "Hormones"):
        assert panel in panels, panel


@pytest.mark.parametrize("analyte", CAT.analytes, ids=lambda a: a.name)
def test_every_analyte_is_consistent(analyte):
    for code in analyte.codes:
        assert loinc_is_valid(code.loinc), code.loinc
        assert code.kind == "none" or code.ucum in CAT.ucum.values(), code
    if analyte.unit is not None:
        assert analyte.unit in analyte.accepted_units
        assert analyte.factors[analyte.unit] == 1.0
    for unit in analyte.accepted_units:
        assert unit in CAT.ucum, f"{unit} has no UCUM code"
        assert analyte.factors[unit] > 0
    if analyte.bounds is not None:
        assert analyte.bounds[0] < analyte.bounds[1]


def test_codes_and_names_are_unique():
    loincs = [c.loinc for a in CAT.analytes for c in a.codes]
    names = [a.name for a in CAT.analytes]
    assert len(set(loincs)) == len(loincs)
    assert len(set(names)) == len(names)


def test_no_synonym_maps_to_two_analytes():
    seen: dict[str, str] = {}
    for a in CAT.analytes:
        for syn in {normalise_name(s) for s in (a.name, *a.synonyms)}:
            assert seen.setdefault(syn, a.name) == a.name, f"{syn!r}: {seen[syn]} and {a.name}"


def test_synonyms_in_five_languages():
    """The common analytes carry German, French, Spanish and Italian names."""
    for name, foreign in [("Hemoglobin", ["Hämoglobin", "Hémoglobine", "Hemoglobina", "Emoglobina"]),
                          ("Creatinine", ["Kreatinin", "Créatinine", "Creatinina"]),
                          ("Glucose", ["Glukose", "Glycémie", "Glucosa", "Glucosio"]),
                          ("WBC", ["Leukozyten", "Leucocytes", "Leucocitos", "Leucociti"])]:
        for printed in foreign:
            analyte, _ = CAT.match(printed)
            assert analyte is not None and analyte.name == name, printed


def test_no_unit_alias_maps_to_two_units():
    seen: dict[str, str] = {}
    for display, spec in DATA["units"].items():
        for alias in {display, *spec["aliases"]}:
            key = alias.replace(" ", "").replace("µ", "u").replace("μ", "u")
            assert seen.setdefault(key, display) == display, alias


# --- UCUM: a small grammar check (UCUM's BNF, restricted to what lab reports use) ---------

_PREFIXES = ("", "m", "u", "n", "p", "f", "k", "d", "c", "M", "G")
_ATOMS = ("g", "L", "l", "mol", "eq", "U", "[IU]", "[arb'U]", "%", "s", "min", "h", "m", "osm", "m2", "[HPF]", "mm[Hg]",
          "kg", "fL", "pg")
_ANNOTATION = r"\{[!-z|~]*\}"
_TEN_POWER = r"10\*\d+"


def _ucum_term_ok(term: str) -> bool:
    """``term`` parses as UCUM: components joined by ``/`` or ``.``, each a prefixed atom
    with an optional integer exponent, a power of ten, a number or an annotation."""
    if not term:
        return False
    parts = re.split(r"[/.](?![0-9]*_)", term.lstrip("/"))
    for part in parts:
        if re.fullmatch(_ANNOTATION, part) or re.fullmatch(_TEN_POWER, part) or re.fullmatch(r"\d+(" + _ANNOTATION + ")?", part):
            continue
        m = re.fullmatch(r"(?P<unit>[^\d{]+?)(?P<exp>-?\d+)?(?P<ann>" + _ANNOTATION + r")?", part)
        if not m:
            return False
        unit = m.group("unit")
        if not any(unit == p + a for p in _PREFIXES for a in _ATOMS):
            return False
    return True


def test_ucum_grammar_check_itself():
    for good in ("mg/dL", "10*3/uL", "u[IU]/mL", "mL/min/{1.73_m2}", "{ratio}", "/[HPF]", "mm[Hg]", "%"):
        assert _ucum_term_ok(good), good
    for bad in ("x10E3/uL", "mEq/L", "µmol/L", "mg//dL", "", "K/uL"):
        assert not _ucum_term_ok(bad), bad


@pytest.mark.parametrize("display", list(DATA["units"]))
def test_units_parse_as_ucum(display):
    assert _ucum_term_ok(DATA["units"][display]["ucum"]), display


REQUIRED = {
    "WBC": "6690-2", "RBC": "789-8", "Hemoglobin": "718-7", "Hematocrit": "4544-3",
    "MCV": "787-2", "MCH": "785-6", "MCHC": "786-4", "RDW": "788-0", "Platelets": "777-3",
    "Neutrophils %": "770-8", "Lymphocytes %": "736-9", "Glucose": "2345-7", "BUN": "3094-0",
    "Creatinine": "2160-0", "eGFR": "33914-3", "Sodium": "2951-2", "Potassium": "2823-3",
    "Chloride": "2075-0", "CO2": "2028-9", "Calcium": "17861-6", "Total Protein": "2885-2",
    "Albumin": "1751-7", "Total Bilirubin": "1975-2", "ALP": "6768-6", "ALT": "1742-6",
    "AST": "1920-8", "Total Cholesterol": "2093-3", "HDL Cholesterol": "2085-9",
    "LDL Cholesterol": "2089-1", "Triglycerides": "2571-8", "Non-HDL Cholesterol": "43396-1",
    "TSH": "3016-3", "Free T4": "3024-7", "Hemoglobin A1c": "4548-4", "Ferritin": "2276-4",
    "CRP": "1988-5", "INR": "6301-6", "PSA": "2857-1", "Vitamin B12": "2132-9",
}


def test_catalog_covers_the_common_panels():
    by_name = {a.name: a.loinc for a in CAT.analytes}
    for name, loinc in REQUIRED.items():
        assert by_name.get(name) == loinc, name


@pytest.mark.parametrize(
    ("printed", "unit", "name"),
    [
        ("Hemoglobin", None, "Hemoglobin"),
        ("HGB", None, "Hemoglobin"),
        ("Hemoglobln", None, "Hemoglobin"),  # OCR damage
        ("HbAlc", None, "Hemoglobin A1c"),  # a one read as the letter l
        ("Potasslum", None, "Potassium"),
        ("Hemoglobin Alc", None, "Hemoglobin A1c"),  # OCR: 1 read as l
        ("C02", None, "CO2"),  # OCR: O read as 0
        ("K", None, "Potassium"),
        ("Hemoglobin A1c", None, "Hemoglobin A1c"),
        ("HbA1c", None, "Hemoglobin A1c"),
        ("Cholesterol, Total", None, "Total Cholesterol"),
        ("ALT (SGPT)", None, "ALT"),
        ("Alanine Aminotransferase (ALT/SGPT)", None, "ALT"),
        ("BSG (1h)", None, "ESR"),
        ("Neutrophils", "%", "Neutrophils %"),
        ("Neutrophils", "10^3/uL", "Neutrophils #"),
        ("Glucose, Serum", None, "Glucose"),
        ("Vitamin D, 25-Hydroxy", None, "25-OH Vitamin D"),
        ("Kreatinin", None, "Creatinine"),
        ("Gamma-GT", None, "GGT"),
    ],
)
def test_name_matching(printed, unit, name):
    analyte, _ = CAT.match(printed, unit)
    assert analyte is not None and analyte.name == name


def test_urine_context_picks_the_urine_analyte():
    assert CAT.match("Glucose")[0].name == "Glucose"
    assert CAT.match("Glucose", urine=True)[0].name == "Urine Glucose"
    assert CAT.match("Protein", urine=True)[0].loinc == "5804-0"
    assert CAT.match("Glukose", urine=True)[0].name == "Urine Glucose"
    assert CAT.match("pH", urine=True)[0].name == "Urine pH"


@pytest.mark.parametrize(("printed", "unit", "name"), [
    ("Glukoz", None, "Urine Glucose"),  # Turkish: no "Urine Glukoz" is listed, "Glucose" has one
    ("Glukoza", "mg/dL", "Urine Glucose"),
    ("Lökosit", None, "Leukocyte Esterase"),  # no unit: the test strip's pad, not the microscope's count
    ("Leukocyten", "/HPF", "Urine WBC"),  # the microscope's count, by its unit
    ("Lökosit", "10^9/L", "WBC"),  # a unit urine cannot have: the blood count
])
def test_in_urine_any_name_of_a_test_with_a_urine_analyte_is_that(printed, unit, name):
    """Names in any language of a test that has a urine analyte take it in a urinalysis: a
    Turkish strip's "Glukoz  Negatif" was the serum glucose, "Lökosit  Negatif" the blood count."""
    assert CAT.match(printed, unit, urine=True)[0].name == name


@pytest.mark.parametrize("printed", ["Unobtainium", "Ka", "Hemo", "Dear colleague", "Vitamin Q10", "CA 72-4"])
def test_unknown_names_do_not_match(printed):
    assert CAT.match(printed)[0] is None


def test_a_bare_differential_name_with_a_count_unit_is_the_count():
    """'Neutrofile 3,8 tys/µl': the bare name's default is the percentage; the unit says count."""
    unit = CAT.normalise_unit("tys/µl")
    assert CAT.match("Neutrofile", unit)[0].name == "Neutrophils #"
    assert CAT.match("Limfocyty", unit)[0].name == "Lymphocytes #"


@pytest.mark.parametrize(
    ("printed", "unit"),
    [("ulU/mL", "uIU/mL"), ("µIU/mL", "uIU/mL"), ("x10E3/uL", "10^3/uL"), ("K/uL", "10^3/uL"),
     ("mg/dl", "mg/dL"), ("mg/dI", "mg/dL"), ("mmo1/L", "mmol/L"), ("mEq/l", "mEq/L"),
     ("mL/min/1.73 m2", "mL/min/1.73m2"), ("%", "%"), ("g/l", "g/L"), ("G/L", "10^9/L"),
     ("µmol/l", "umol/L"), ("ml/min/1,73m²", "mL/min/1.73m2"), ("mU/l", "uIU/mL"), ("mmôl/l", "mmol/L"),
     ("mg/dĹ", "mg/dL"),
     # Counts and rates as Polish, Turkish and Dutch labs print them: tys(iące)/mln, bin/milyon, saat/uur.
     ("tys/µl", "10^3/uL"), ("mln/µl", "10^6/uL"), ("bin/mm3", "10^3/uL"), ("milyon/µL", "10^6/uL"),
     ("mm/saat", "mm/h"), ("mm/uur", "mm/h"), ("mm/godz.", "mm/h"),
     # German giga/tera particles per litre.
     ("Gpt/l", "10^9/L"), ("Tpt/l", "10^12/L")],
)
def test_unit_normalisation(printed, unit):
    assert CAT.normalise_unit(printed) == unit


def test_unknown_unit_is_kept_as_printed():
    assert CAT.normalise_unit("furlongs") == "furlongs"
    assert CAT.normalise_unit(None) is None


def test_conversion_factors_and_plausibility():
    glucose = CAT.by_loinc("2345-7")
    assert glucose.to_canonical(5.5, "mmol/L") == pytest.approx(99.1, abs=0.1)
    assert glucose.plausible(5.5, "mmol/L")
    assert not glucose.plausible(5500, "mmol/L")
    creat = CAT.by_loinc("2160-0")
    assert creat.to_canonical(88.4, "umol/L") == pytest.approx(1.0, abs=0.01)
    assert creat.to_canonical(1.0, "furlongs") is None


@pytest.mark.parametrize(
    ("printed", "name", "unit"),
    [("U/", "GGT", "U/L"),  # its end cut off at the column's edge
     ("mmol", "Sodium", "mmol/L"),
     ("% .", "RDW", "%"),  # the sign read with a stray dot
     ("UL", "ALT", "U/L"),
     ("9/1", "Albumin", "g/L"),  # g read as 9, l as 1
     ("mmolt", "Sodium", "mmol/L"),  # the slash lost, l read as t
     ("10^9/1", "Platelets", "10^9/L"),
     ("f", "MCV", "fL"),  # cut to its first letter, the one unit it can be
     ("U", "ALT", "U/L"),
     ("G/I", "Leukozyten", "10^9/L"),  # giga per litre with l read as I: not g/L
     ("T/I", "Erythrozyten", "10^12/L"),
     ("g/I", "Hemoglobin", "g/L"),
     ("T/", "Erythrozyten", "10^12/L"),
     ("mmol/k", "Kalium", "mmol/L"),  # one letter of six misread
     ("pg/l", "Ferritin", "ug/L")],  # µ read as p: picograms are no unit of ferritin  # T/l cut at its slash: not 10^6/uL, whose folded spelling begins so too
)
def test_ocr_damaged_unit_repaired_against_the_analytes_units(printed, name, unit):
    analyte = CAT.match(name)[0]
    assert CAT.normalise_unit(printed, analyte) == unit


def test_a_cut_unit_is_not_completed_when_two_units_fit():
    glucose = CAT.match("Glucose")[0]
    assert glucose is not None and {"mg/dL", "mmol/L"} <= set(glucose.accepted_units)
    assert CAT.normalise_unit("m/", glucose) == "m/"


def test_a_short_code_with_one_look_alike_letter_is_matched_only_where_its_unit_agrees():
    catalog = get_catalog()
    assert catalog.match("PT4", "pmol/L") == (catalog.by_name("Free T4"), 90.0)
    assert catalog.match("Het", "%")[0].name == "Hematocrit"
    assert catalog.match("AIP", "U/L")[0].name == "ALP"
    assert catalog.match("PT4", None)[0] is None  # no unit, no guess
    assert catalog.match("Het", "mmol/L")[0] is None  # a unit no look-alike takes
    assert catalog.match("PT", "s")[0].name == "Prothrombin Time"  # a known code is never re-read


@pytest.mark.parametrize(("printed", "canonical"), [
    ("Serum sodium", "Sodium"), ("Serum ALT level", "ALT"), ("Plasma glucose concentration", "Glucose"),
    ("HbA1c level (IFCC)", "Hemoglobin A1c"), ("Serum bilirubin", "Total Bilirubin"),
    ("Glucosa basal", "Glucose"), ("TSH reflex", "TSH"), ("Transaminasa GOT", "AST"), ("Glukose nüchtern", "Glucose"),
    ("VES", "ESR"),
])
def test_specimen_words_and_level_say_nothing_the_name_does_not(printed, canonical):
    assert get_catalog().match(printed)[0].name == canonical


def test_a_urine_name_keeps_its_specimen():
    assert get_catalog().match("Urine glucose")[0].name != "Glucose"


def test_the_uk_wording_of_egfr_is_coded_by_its_printed_method():
    from labintake.parse.coding import resolve

    catalog = get_catalog()
    coded = resolve(catalog, "eGFR using creatinine (CKD-EPI)", "mL/min/1.73m2")
    assert (coded.analyte.name, coded.loinc) == ("eGFR", "62238-1")
    assert resolve(catalog, "eGFR creatinine", "mL/min/1.73m2").loinc is None  # no method printed, no code


@pytest.mark.parametrize(
    ("printed", "name"),
    [("Eiweiß im Urin", "Urine Protein (Dipstick)"), ("Protein in urine", "Urine Protein (Dipstick)"),
     ("Proteínas en orina", "Urine Protein (Dipstick)"), ("Kreatinin im Urin", "Urine Creatinine"),
     ("Urin-Eiweiß", "Urine Protein (Dipstick)"), ("Kreatinin im Serum", "Creatinine"),
     ("Glucosa en sangre", "Glucose"), ("Natrium im Urin", None), ("Calcium im Urin", None)],
)
def test_a_specimen_said_in_words_picks_the_urine_or_blood_test(printed, name):
    """'… im Urin' is the urine analyte of the name, or nothing when the catalog has no urine
    one (urine sodium is not serum sodium); '… im Serum' is the name itself."""
    found = CAT.match(printed)[0]
    assert (found.name if found else None) == name


@pytest.mark.parametrize(
    ("printed", "name"),
    [("Total WBC Count", "WBC"), ("Total RBC Count", "RBC"), ("Total Platelet Count", "Platelets"),
     ("Total Protein", "Total Protein"), ("Total Bilirubin", "Total Bilirubin"), ("Total Calcium", "Calcium")],
)
def test_total_before_a_name_that_has_no_total_of_its_own_is_the_name(printed, name):
    """'Total WBC Count' is the WBC; 'Total Protein' and 'Total Bilirubin' keep their own analytes."""
    found = CAT.match(printed)[0]
    assert found is not None and found.name == name


@pytest.mark.parametrize(("printed", "analyte"), [("LDL Chol Calc (NIH)", "LDL Cholesterol"),
                                                  ("VLDL Cholesterol Cal", "VLDL Cholesterol")])
def test_lipoprotein_names_as_us_reference_labs_print_them(printed, analyte):
    assert CAT.match(printed)[0].name == analyte


@pytest.mark.parametrize(("printed", "not_this"), [("LDL Chol Calcd", "VLDL Cholesterol"),
                                                   ("VLDL Cholesterol Calcd", "LDL Cholesterol"),
                                                   ("HDL Cholesterl Calc", "LDL Cholesterol"),
                                                   ("VLDL Chol", "LDL Cholesterol"),
                                                   ("Phosphatase", "Phosphorus"),
                                                   ("Thyroid Hormone", "PTH"),
                                                   ("Troponin", "Troponin T"),
                                                   ("Immunoglobulin", "IgG")])
def test_a_near_match_never_swaps_a_word_that_names_another_analyte(printed, not_this):
    """OCR damage makes words the catalog does not know ("Cholesterl"); a word it knows from
    another analyte's names ("LDL" against "VLDL") says what the row is, so no near match
    may drop or swap it."""
    found = CAT.match(printed)[0]
    assert found is None or found.name != not_this, found


def test_a_near_match_still_repairs_ocr_damage():
    for printed, analyte in (("Hemoglobln", "Hemoglobin"), ("Potasslum", "Potassium"),
                             ("Creatinlne", "Creatinine"), ("Bilirubin Totl", "Total Bilirubin")):
        assert CAT.match(printed)[0].name == analyte, printed


@pytest.mark.parametrize(("printed", "analyte"), [("Cholesterol catkowity", "Total Cholesterol"),
                                                  ("Hemogtobin", "Hemoglobin")])
def test_a_letter_misread_where_an_l_stands_is_still_a_near_match(printed, analyte):
    """"catkowity" for "całkowity" (ł folded to l), "Hemogtobin": OCR read another letter
    where an l stands. An l can be a misread 1, but a letter read as another letter is no
    change of number, so the near match repairs it."""
    assert CAT.match(printed)[0].name == analyte


@pytest.mark.parametrize(("printed", "name"), [("HEMOGLOBINA GLICADA - HbA1c", "Hemoglobin A1c"),
                                               ("HEM OGLOBINA GLICADA - HbA1c", "Hemoglobin A1c"),
                                               ("Transaminasi GOT/AST", "AST")])
def test_two_names_of_one_analyte_dashed_or_slashed(printed, name):
    """Given a test named twice ('Hemoglobina glicada - HbA1c'), each side naming the same
    analyte (one side OCR-damaged, even), then the row is that analyte."""
    analyte, _ = CAT.match(printed)
    assert analyte is not None and analyte.name == name


@pytest.mark.parametrize("printed", ["Sodium - Potassium", "CHOL/HDLC - Glucose", "Na/K"])
def test_two_names_of_two_analytes_name_neither(printed):
    assert CAT.match(printed)[0] is None


@pytest.mark.parametrize("printed", ["% of total Hgb", "% of total Hb", "% Hb"])
def test_a_percentage_of_haemoglobin_is_the_percent_hba1c_is_coded_in(printed):
    """US reference labs print HbA1c's unit as '% of total Hgb': a percentage, so the row is
    coded and not sent to review for a unit the catalog does not accept."""
    catalog = get_catalog()
    hba1c = catalog.match("Hemoglobin A1c")[0]
    assert catalog.normalise_unit(printed, hba1c) == "%"


@pytest.mark.parametrize(("printed", "unit", "name"), [
    ("Haemoglobin A1c", "%", "Hemoglobin A1c"), ("Glycated haemoglobin", "mmol/mol", "Hemoglobin A1c (IFCC)"),
    ("Haemoglobin A1c level - IFCC standardised", "mmol/mol", "Hemoglobin A1c (IFCC)"),
    ("Haemoglobin estimation", "g/L", "Hemoglobin"), ("Platelet count - observation", "10^9/L", "Platelets"),
    ("Serum caeruloplasmin", "g/L", "Ceruloplasmin"), ("Oestradiol", "pmol/L", "Estradiol"),
])
def test_british_spellings_and_nhs_terms_name_their_analyte(printed, unit, name):
    """A UK report writes 'haem-', 'caerul-', 'oestr-' and the NHS's terms ('Haemoglobin
    estimation', 'Platelet count - observation'): the same analytes, the unit choosing
    between HbA1c in % and in mmol/mol."""
    analyte = get_catalog().match(printed, unit)[0]
    assert analyte is not None and analyte.name == name


@pytest.mark.parametrize(("printed", "unit", "name"), [
    ("氣", "mmol/L", "Chloride"), ("钟", "mmol/L", "Potassium"), ("纳", "mmol/L", "Sodium"),
    ("氣", None, None), ("锂", "mmol/L", None),
])
def test_a_chinese_element_misread_by_a_stroke_is_its_test_when_the_unit_agrees(printed, unit, name):
    """OCR reads 氯 (chloride) as 氣 and 钾 (potassium) as 钟: one character, a stroke apart.
    With a unit the test accepts it is that test; without one, or for a character that names a
    test of its own (锂 is lithium), it is not."""
    analyte = get_catalog().match(printed, unit)[0]
    assert (analyte.name if analyte else None) == name

"""LOINC is given only when the printed name and the printed unit (or section) agree:
the unit's dimension picks the code (mass vs molar, count vs percentage), and an
abbreviation that names two analytes is coded only when the unit tells which."""

from __future__ import annotations

import pytest

from labintake.parse.catalog import get_catalog
from labintake.parse.coding import AMBIGUOUS_NAME, UNIT_NOT_CODED, resolve

CAT = get_catalog()


def _code(name, unit, **kw):
    return resolve(CAT, name, unit, **kw).loinc


@pytest.mark.parametrize(
    ("name", "mass_unit", "mass", "molar_unit", "molar"),
    [
        ("Glucose", "mg/dL", "2345-7", "mmol/L", "14749-6"),
        ("Glucose", "g/L", "2345-7", "mmol/l", "14749-6"),
        ("Creatinine", "mg/dL", "2160-0", "µmol/L", "14682-9"),
        ("Calcium", "mg/dL", "17861-6", "mmol/L", "2000-8"),
        ("Total Bilirubin", "mg/dL", "1975-2", "umol/L", "14631-6"),
        ("Uric Acid", "mg/dL", "3084-1", "umol/L", "14933-6"),
        ("Cholesterol", "mg/dL", "2093-3", "mmol/L", "14647-2"),
        ("Triglycerides", "mg/dL", "2571-8", "mmol/L", "14927-8"),
        ("HDL", "mg/dL", "2085-9", "mmol/L", "14646-4"),
        ("LDL Cholesterol", "mg/dL", "2089-1", "mmol/L", "22748-8"),
        ("Non-HDL Cholesterol", "mg/dL", "43396-1", "mmol/L", "70204-3"),
        ("Iron", "ug/dL", "2498-4", "umol/L", "14798-3"),
        ("Vitamin B12", "pg/mL", "2132-9", "pmol/L", "14685-2"),
        ("Hemoglobin", "g/dL", "718-7", "mmol/L", "59260-0"),
        ("Free T4", "ng/dL", "3024-7", "pmol/L", "14920-3"),
    ],
)
def test_the_unit_dimension_picks_mass_or_molar_code(name, mass_unit, mass, molar_unit, molar):
    assert _code(name, mass_unit) == mass
    assert _code(name, molar_unit) == molar


@pytest.mark.parametrize(
    ("name", "count", "percent"),
    [("Neutrophils", "751-8", "770-8"), ("Lymphocytes", "731-0", "736-9"), ("Monocytes", "742-7", "5905-5"),
     ("Eosinophils", "711-2", "713-8"), ("Basophils", "704-7", "706-2")],
)
@pytest.mark.parametrize("count_unit", ["thou/mm3", "10^9/L", "x10E3/uL", "cells/cumm", "10*9/L", "/uL"])
def test_absolute_differential_counts_get_count_codes(name, count, percent, count_unit):
    assert _code(name, count_unit) == count
    assert _code(name, "%") == percent


def test_a_unit_of_the_wrong_dimension_gets_no_code_and_review():
    coding = resolve(CAT, "Glucose", "U/L")
    assert coding.analyte.name == "Glucose" and coding.loinc is None
    assert coding.review_reason == UNIT_NOT_CODED
    coding = resolve(CAT, "MCH", "g/dL")  # MCH is a mass per cell (pg), not a concentration
    assert coding.loinc is None and coding.review_reason == UNIT_NOT_CODED


def test_an_accepted_unit_without_a_certain_code_is_uncoded_without_review():
    coding = resolve(CAT, "25-OH Vitamin D", "nmol/L")
    assert coding.loinc is None and coding.review_reason is None
    assert _code("25-OH Vitamin D", "ng/mL") == "62292-8"


def test_no_unit_codes_only_a_name_with_one_possible_property():
    assert _code("INR", None) == "6301-6"
    assert _code("Specific Gravity", None) == "5811-5"
    assert _code("pH", None, urine=True) == "5803-2"
    assert _code("WBC", None) == "6690-2"
    assert _code("Glucose", None) is None  # mg/dL or mmol/L?
    assert _code("Neutrophils", None) is None  # % or count?
    assert _code("Neutrophils %", None) == "770-8"
    assert _code("NEUT#", None) == "751-8"


# --- one test per ambiguous abbreviation in the catalog -------------------------------

def test_pct_percent_is_plateletcrit_and_ng_ml_is_procalcitonin():
    plateletcrit = resolve(CAT, "PCT", "%")
    assert plateletcrit.analyte.name == "Plateletcrit" and plateletcrit.loinc is None
    assert plateletcrit.review_reason is None
    assert _code("PCT", "ng/mL") == "33959-8"
    assert _code("PCT", "ug/L") == "33959-8"
    unknown = resolve(CAT, "PCT", None)
    assert unknown.analyte is None and unknown.loinc is None and unknown.review_reason == AMBIGUOUS_NAME
    assert _code("Procalcitonin", "ng/mL") == "33959-8"


def test_alb_serum_g_dl_vs_urine_albumin_mg_l():
    assert _code("ALB", "g/dL") == "1751-7"
    assert _code("ALB", "g/L") == "1751-7"
    assert resolve(CAT, "ALB", "mg/L").analyte.name == "Urine Microalbumin"
    assert resolve(CAT, "ALB", None, urine=True).analyte.name == "Urine Microalbumin"
    assert resolve(CAT, "ALB", None).loinc is None


def test_mch_vs_mchc():
    assert _code("MCH", "pg") == "785-6"
    assert _code("MCHC", "g/dL") == "786-4"
    assert _code("MCHC", "g/L") == "786-4"


def test_rdw_cv_percent_vs_sd_fl():
    assert _code("RDW", "%") == "788-0"
    assert _code("RDW-CV", "%") == "788-0"
    assert _code("RDW", "fL") == "21000-5"
    assert _code("RDW-SD", "fL") == "21000-5"


def test_mpv_and_pdw():
    assert _code("MPV", "fL") == "32623-1"
    assert resolve(CAT, "MPV", "%").loinc is None
    assert _code("PDW", "fL") == "32207-3"
    pdw = resolve(CAT, "PDW", "%")
    assert pdw.analyte.name == "PDW" and pdw.loinc is None


def test_ca_calcium_vs_cancer_antigens():
    assert _code("Ca", "mg/dL") == "17861-6"
    assert _code("Ca", "mmol/L") == "2000-8"
    assert resolve(CAT, "Ca", "U/mL").loinc is None  # not a calcium unit: no code
    assert _code("CA 125", "U/mL") == "10334-1"
    assert _code("Ca 15-3", "U/mL") == "6875-9"
    assert _code("CA 19-9", "U/mL") == "24108-3"


def test_t3_and_ft3_t4_and_ft4():
    assert _code("T3", "ng/dL") == "3053-6"
    assert resolve(CAT, "T3", "pg/mL").analyte.name == "Free T3"
    assert _code("FT3", "pg/mL") == "3051-0"
    assert _code("FT3", "pmol/L") == "14928-6"
    assert resolve(CAT, "T3", None).loinc is None
    assert _code("T4", "ug/dL") == "3026-2"
    assert resolve(CAT, "T4", "ng/dL").analyte.name == "Free T4"


def test_hct_and_pcv_are_the_hematocrit():
    assert _code("HCT", "%") == "4544-3"
    assert _code("PCV", "%") == "4544-3"
    assert _code("HCT", "L/L") == "4544-3"


@pytest.mark.parametrize("name", ["Glucose", "Protein", "Ketones", "Bilirubin", "Blood", "Nitrite", "Leukocytes"])
def test_dipstick_names_under_urinalysis_are_urine_codes(name):
    coding = resolve(CAT, name, None, urine=True, value_text="Negative")
    assert coding.analyte is not None and coding.analyte.panel == "Urinalysis", name


def test_a_qualitative_dipstick_reading_places_glucose_in_urine():
    assert resolve(CAT, "Glucose", None, value_text="Negative").analyte.name == "Urine Glucose"
    assert resolve(CAT, "Protein", None, value_text="Trace").analyte.name.startswith("Urine Protein")
    assert resolve(CAT, "Glucose", "mg/dL", value_text="95").analyte.name == "Glucose"


def test_calc_is_not_a_unit():
    assert CAT.normalise_unit("calc") is None
    assert CAT.normalise_unit("Calc.") is None


@pytest.mark.parametrize(
    ("printed", "unit"),
    [("thou/mm3", "10^3/uL"), ("mill/mm3", "10^6/uL"), ("Million/cumm", "10^6/uL"), ("lakhs/cumm", "10^5/uL"),
     ("cells/cumm", "/uL"), ("/cumm", "/uL"), ("10*9/L", "10^9/L"), ("10⁹/L", "10^9/L"), ("x10E3/uL", "10^3/uL"),
     ("/hpf", "/HPF"), ("per 100 WBC", "/100 WBC")],
)
def test_lab_unit_spellings(printed, unit):
    assert CAT.normalise_unit(printed) == unit


def test_platelets_in_lakhs_are_counts():
    assert _code("Platelets", "lakhs/cumm") == "777-3"
    assert CAT.by_loinc("777-3").to_canonical(2.5, "10^5/uL") == pytest.approx(250)


@pytest.mark.parametrize("abbreviation", sorted(CAT.ambiguous))
def test_every_ambiguous_abbreviation_is_uncoded_without_a_deciding_unit(abbreviation):
    coding = resolve(CAT, abbreviation.upper(), None)
    assert coding.loinc is None and coding.review_reason == AMBIGUOUS_NAME


def test_parsed_rows_keep_the_printed_label_and_code_by_unit():
    """Given a CBC page with PCT in % and a glucose in mmol/L, then PCT is the plateletcrit
    (uncoded), glucose gets its molar code, and every row keeps its printed label."""
    from labintake.extract.document import Document, Page
    from labintake.parse import parse_document
    from tests.fixtures.words import row

    header = row((54, "Test"), (230, "Result"), (340, "Units"), (450, "Reference Range"), y=180)
    doc = Document([Page(1, 612, 792, [w for ws in (
        header,
        row((54, "HGB"), (230, "13.5"), (340, "g/dL"), (450, "12.0-16.0"), y=200),
        row((54, "PCT"), (230, "0.26"), (340, "%"), (450, "0.17-0.35"), y=216),
        row((54, "GLU"), (230, "5.4"), (340, "mmol/L"), (450, "3.9-5.5"), y=232),
        row((54, "NEUT#"), (230, "4.1"), (340, "thou/mm3"), (450, "2.0-7.0"), y=248),
    ) for w in ws], "text")], "test")
    results = parse_document(doc).results
    assert [(r.name_as_printed, r.name, r.loinc) for r in results] == [
        ("HGB", "Hemoglobin", "718-7"),
        ("PCT", "Plateletcrit", None),
        ("GLU", "Glucose", "14749-6"),
        ("NEUT#", "Neutrophils #", "751-8"),
    ]


@pytest.mark.parametrize(
    ("name", "unit", "loinc"),
    [("Total T4", "nmol/L", "14921-1"), ("Total T3", "nmol/L", "14930-2"), ("Estradiol", "pmol/L", "14715-7"),
     ("Estradiol", "pg/mL", "2243-4"), ("Progesterone", "nmol/L", "14890-8"), ("PTH", "pmol/L", "14866-8"),
     ("PTH", "pg/mL", "2731-8")],
)
def test_hormones_in_si_units_get_molar_codes(name, unit, loinc):
    assert _code(name, unit) == loinc


def test_troponin_t_is_the_high_sensitivity_code_only_when_printed_so():
    """6598-7 holds for any cardiac troponin T; 67151-1 only for the high-sensitivity method."""
    assert _code("Troponin T", "ng/L") == "6598-7"
    assert _code("hs-Troponin T", "ng/L") == "67151-1"


@pytest.mark.parametrize("printed", ["Fasting Plasma Glucose", "Plasma Glucose", "FBS", "Fasting Blood Sugar"])
def test_common_glucose_spellings(printed):
    assert _code(printed, "mg/dL") == "2345-7"


@pytest.mark.parametrize(
    ("printed", "loinc"),
    [("Absolute Neutrophil Count", "751-8"), ("Absolute Lymphocyte Count", "731-0"),
     ("Absolute Monocyte Count", "742-7"), ("Absolute Eosinophil Count", "711-2"),
     ("Absolute Basophil Count", "704-7"), ("Lymphocytes Abs.", "731-0")],
)
def test_absolute_differential_names(printed, loinc):
    assert _code(printed, "10^3/uL") == loinc
    assert _code(printed, None) == loinc  # "absolute" says it is the count


@pytest.mark.parametrize("section", ["COMPLETE BLOOD COUNT", "Haematology", "Hemograma", "血常规"])
def test_pct_without_unit_under_a_blood_count_is_the_plateletcrit(section):
    coding = resolve(CAT, "PCT", None, section=section)
    assert coding.analyte.name == "Plateletcrit" and coding.review_reason is None
    assert resolve(CAT, "PCT", None, section="Inflammation markers").analyte is None


def test_egfr_is_coded_only_when_the_equation_is_printed():
    """33914-3 is the MDRD equation: a CKD-EPI result coded so would be wrong."""
    assert _code("eGFR (MDRD)", "mL/min/1.73m2") == "33914-3"
    assert _code("eGFR (CKD-EPI)", "mL/min/1.73m2") == "62238-1"
    assert _code("eGFR CKD-EPI", "mL/min/1.73m2") == "62238-1"
    assert _code("eGFR (CKD-EPI 2021)", "mL/min/1.73m2") == "98979-8"
    coding = resolve(CAT, "eGFR", "mL/min/1.73m2")
    assert coding.analyte.name == "eGFR" and coding.loinc is None and coding.review_reason is None


def test_ldl_code_follows_the_printed_method():
    """13457-7 is the calculated LDL; a name that says no method gets the method-free 2089-1."""
    assert _code("LDL Cholesterol", "mg/dL") == "2089-1"
    assert _code("LDL Calc", "mg/dL") == "13457-7"
    assert _code("LDL Cholesterol (calculated)", "mg/dL") == "13457-7"
    assert _code("LDL Cholesterol, Direct", "mg/dL") == "18262-6"
    assert _code("LDL Cholesterol", "mmol/L") == "22748-8"


def test_blood_gas_codes_are_arterial_only_when_printed_so():
    """2744-1, 2019-8 and 2703-7 are arterial; a venous or unspecified gas gets the blood codes."""
    assert _code("pH", None) == "11558-4"
    assert _code("pH, Arterial", None) == "2744-1"
    assert _code("pCO2", "mmHg") == "11557-6"
    assert _code("PaCO2", "mmHg") == "2019-8"
    assert _code("pO2", "mmHg") == "11556-8"
    assert _code("PaO2", "mmHg") == "2703-7"


def test_oxygen_saturation_is_coded_only_when_arterial():
    assert _code("SaO2", "%") == "2708-6"
    assert resolve(CAT, "Oxygen Saturation", "%").loinc is None  # venous or arterial?

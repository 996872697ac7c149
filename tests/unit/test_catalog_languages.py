"""Analyte names in Portuguese, Dutch, Polish, Turkish and simplified Chinese, and the
analyser codes printed before a Chinese name (``#`` an absolute count, ``%`` a percentage)."""

from __future__ import annotations

import pytest

from labintake.parse.catalog import get_catalog, normalise_name
from labintake.parse.coding import resolve

CAT = get_catalog()

# The most common analytes (CBC with differential, metabolic panel, lipids, thyroid,
# HbA1c, urinalysis, CRP, iron studies): each must be named in every added language.
COMMON = {
    "WBC": ["Leucócitos", "Leukocyten", "Leukocyty", "Lökosit", "白细胞计数"],
    "RBC": ["Hemácias", "Erytrocyten", "Erytrocyty", "Eritrosit", "红细胞计数"],
    "Hemoglobin": ["Hemoglobina", "Hemoglobine", "Hemoglobina", "Hemoglobin", "血红蛋白"],
    "Hematocrit": ["Hematócrito", "Hematocriet", "Hematokryt", "Hematokrit", "红细胞压积"],
    "MCV": ["Volume corpuscular médio", "Gemiddeld celvolume", "Średnia objętość krwinki", "Ortalama eritrosit hacmi",
            "平均红细胞体积"],
    "MCH": ["Hemoglobina corpuscular média", "Gemiddelde hemoglobine per cel", "Średnia masa hemoglobiny",
            "Ortalama eritrosit hemoglobini", "平均血红蛋白量"],
    "MCHC": ["CHCM", "Gemiddelde hemoglobineconcentratie", "Średnie stężenie hemoglobiny",
             "Ortalama eritrosit hemoglobin konsantrasyonu", "平均血红蛋白浓度"],
    "Platelets": ["Plaquetas", "Trombocyten", "Płytki krwi", "Trombosit", "血小板计数"],
    "Glucose": ["Glicose", "Glucose", "Glukoza", "Glukoz", "葡萄糖"],
    "Urea": ["Ureia", "Ureum", "Mocznik", "Üre", "尿素"],
    "Creatinine": ["Creatinina", "Kreatinine", "Kreatynina", "Kreatinin", "肌酐"],
    "Uric Acid": ["Ácido úrico", "Urinezuur", "Kwas moczowy", "Ürik asit", "尿酸"],
    "Sodium": ["Sódio", "Natrium", "Sód", "Sodyum", "钠"],
    "Potassium": ["Potássio", "Kalium", "Potas", "Potasyum", "钾"],
    "Calcium": ["Cálcio", "Calcium", "Wapń", "Kalsiyum", "钙"],
    "Total Cholesterol": ["Colesterol total", "Totaal cholesterol", "Cholesterol całkowity", "Total kolesterol", "总胆固醇"],
    "Triglycerides": ["Triglicerídeos", "Triglyceriden", "Trójglicerydy", "Trigliserid", "甘油三酯"],
    "HDL Cholesterol": ["Colesterol HDL", "HDL-cholesterol", "Cholesterol HDL", "HDL kolesterol", "高密度脂蛋白胆固醇"],
    "LDL Cholesterol": ["Colesterol LDL", "LDL-cholesterol", "Cholesterol LDL", "LDL kolesterol", "低密度脂蛋白胆固醇"],
    "ALT": ["TGP", "ALAT", "AlAT", "Alanin aminotransferaz", "谷丙转氨酶"],
    "AST": ["TGO", "ASAT", "AspAT", "Aspartat aminotransferaz", "谷草转氨酶"],
    "Total Bilirubin": ["Bilirrubina total", "Bilirubine totaal", "Bilirubina całkowita", "Total bilirubin", "总胆红素"],
    "TSH": ["Tireotropina", "TSH", "Tyreotropina", "Tirotropin", "促甲状腺激素"],
    "Free T4": ["T4 livre", "Vrij T4", "Wolna tyroksyna", "Serbest T4", "游离甲状腺素"],
    "Hemoglobin A1c": ["Hemoglobina glicada", "Geglyceerd hemoglobine", "Hemoglobina glikowana", "Glikozile hemoglobin",
                       "糖化血红蛋白"],
    "CRP": ["Proteína C reativa", "C-reactief proteïne", "Białko C-reaktywne", "C-reaktif protein", "C反应蛋白"],
    "Iron": ["Ferro sérico", "IJzer", "Żelazo", "Demir", "血清铁"],
    "Ferritin": ["Ferritina", "Ferritine", "Ferrytyna", "Ferritin", "铁蛋白"],
    "ESR": ["VHS", "Bezinking", "Odczyn Biernackiego", "Sedimantasyon", "红细胞沉降率"],
    "Urine Specific Gravity": ["Densidade", "Soortelijk gewicht", "Ciężar właściwy", "Dansite", "尿比重"],
    "Urine Nitrite": ["Nitrito", "Nitriet", "Azotyny", "Nitrit", "亚硝酸盐"],
    "Lipase": ["Lipase", "Lipase", "Lipaza", "Lipaz"],
    "LDH": ["DHL", "LD", "LDH", "Laktaz dehidrogenaz"],
    "TIBC": ["TIBC", "Totale ijzerbindingscapaciteit", "Całkowita zdolność wiązania żelaza",
             "Demir bağlama kapasitesi"],
    "Urine pH": ["İdrar pH", "pH moczu"],
    "Leukocyte Esterase": ["Lökosit esteraz", "Esteraza leukocytarna"],
}


@pytest.mark.parametrize("canonical", list(COMMON))
def test_common_analytes_in_pt_nl_pl_tr_zh(canonical):
    for printed in COMMON[canonical]:
        analyte, score = CAT.match(printed)
        assert analyte is not None and analyte.name == canonical and score == 100, printed


@pytest.mark.parametrize(
    ("printed", "unit", "name", "loinc"),
    [
        ("WBC 白细胞计数", "10^9/L", "WBC", "6690-2"),
        ("白细胞计数WBC", "10^9/L", "WBC", "6690-2"),
        ("LYMPH# 淋巴细胞绝对值", "10^9/L", "Lymphocytes #", "731-0"),
        ("LYMPH% 淋巴细胞百分比", "%", "Lymphocytes %", "736-9"),
        ("NEUT% 中性粒细胞百分比", "%", "Neutrophils %", "770-8"),
        ("MONO# 单核细胞绝对值", "10^9/L", "Monocytes #", "742-7"),
        ("EO# 嗜酸性粒细胞绝对值", "10^9/L", "Eosinophils #", "711-2"),
        ("BASO# 嗜碱性粒细胞绝对值", "10^9/L", "Basophils #", "704-7"),
        ("HGB 血红蛋白", "g/L", "Hemoglobin", "718-7"),
        ("HCT 红细胞比容", "%", "Hematocrit", "4544-3"),
        ("RDW-CV 红细胞分布宽度", "%", "RDW", "788-0"),
        ("RDW-SD 红细胞分布宽度", "fL", "RDW-SD", "21000-5"),
        ("PDW 血小板分布宽度", "fL", "PDW", "32207-3"),
        ("P-LCR 大血小板比率", "%", "P-LCR", None),
        ("PCT 血小板压积", "%", "Plateletcrit", None),
        ("血沉", "mm/h", "ESR", "30341-2"),
    ],
)
def test_codes_printed_with_a_chinese_name(printed, unit, name, loinc):
    coding = resolve(CAT, printed, unit)
    assert coding.analyte is not None and coding.analyte.name == name, printed
    assert coding.loinc == loinc


def test_without_a_unit_the_hash_and_percent_marks_decide():
    assert resolve(CAT, "淋巴细胞绝对值", None).analyte.name == "Lymphocytes #"
    assert resolve(CAT, "LYMPH#", None).loinc == "731-0"
    assert resolve(CAT, "EO%", None).loinc == "713-8"


def test_chinese_names_are_not_matched_fuzzily():
    """嗜酸性 (eosinophil) and 嗜碱性 (basophil) differ by one character."""
    assert CAT.match("嗜酸性粒细胞百分比")[0].name == "Eosinophils %"
    assert CAT.match("嗜碱性粒细胞百分比")[0].name == "Basophils %"
    assert CAT.match("嗜中性粒细胞百分比X")[0] is None


def test_letters_nfkd_does_not_fold():
    assert normalise_name("Płytki krwi") == "plytki krwi"
    assert normalise_name("Açlık kan şekeri") == "aclik kan sekeri"
    assert normalise_name("NEUT#") == "neut #"


@pytest.mark.parametrize(
    ("printed", "unit", "name"),
    [
        ("1 WBC 白 细 胞", "10^9/L", "WBC"),  # OCR spaces the characters apart, row number first
        ("9LYMPH% 淋 巴 细 胞 比 率", "%", "Lymphocytes %"),
        ("12 E0% 嗜 酸 性 粒 细 胞 比 率", "%", "Eosinophils %"),  # O read as zero
        ("中性细胞数", "10^9/L", "Neutrophils #"),
        ("单核细胞", "10^9/L", "Monocytes #"),
        ("红细胞分布宽度SD", "fL", "RDW-SD"),
        ("红细胞分布宽度CV", "%", "RDW"),
        ("3 HGB", "g/L", "Hemoglobin"),
    ],
)
def test_ocr_of_chinese_cbc_rows(printed, unit, name):
    coding = resolve(CAT, printed, unit)
    assert coding.analyte is not None and coding.analyte.name == name, printed


def test_a_number_in_a_name_is_not_taken_for_a_row_number():
    assert CAT.match("25-OH Vitamin D")[0].name == "25-OH Vitamin D"
    assert CAT.match("24 Unobtainium")[0] is None


@pytest.mark.parametrize(
    ("printed", "canonical"),
    [("白血球数", "WBC"), ("ヘモグロビン", "Hemoglobin"), ("ヘマトクリット", "Hematocrit"), ("総蛋白", "Total Protein"),
     ("クレアチニン", "Creatinine"), ("HDLコレステロール", "HDL Cholesterol"), ("中性脂肪", "Triglycerides"),
     ("γ-GTP", "GGT"), ("γ-GT", "GGT"), ("尿素窒素", "BUN")],
)
def test_japanese_names_kana_and_kanji(printed, canonical):
    """Japanese reports name tests in katakana (kept, not stripped, when names are folded) and
    kanji; 'γ-GT' is gamma-GT in any language."""
    analyte, score = CAT.match(printed)
    assert analyte is not None and analyte.name == canonical and score == 100

"""The tests the corpus prints: LOINC, printed names per language, units and ranges.

Conventional (US) and SI units each carry their own reference range, so a European
report is not a converted US one but printed the way such labs print it. Names are
printed as labs print them (abbreviations, local languages); the ground truth is the
catalog's canonical name for the LOINC code.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Units:
    printed: str  # as printed on the report
    display: str  # the catalog's display spelling (ground truth)
    low: float | None
    high: float | None
    dp: int  # decimals printed


@dataclass(frozen=True)
class Test:
    key: str
    loinc: str
    names: dict[str, str]  # language -> printed name; "en" always present
    us: Units | None = None
    si: Units | None = None
    qualitative: tuple[str, ...] = ()  # (normal, abnormal…) for qualitative tests
    alt_names: tuple[str, ...] = field(default=())  # other English spellings, picked by seed
    censored: str | None = None  # e.g. "<0.5": a printed value below the limit of detection


def U(printed, display, low, high, dp):
    return Units(printed, display, low, high, dp)


T = Test
TESTS: dict[str, Test] = {t.key: t for t in [
    T("wbc", "6690-2", {"en": "WBC", "de": "Leukozyten", "fr": "Leucocytes", "es": "Leucocitos"},
      U("x10E3/uL", "10^3/uL", 4.0, 11.0, 1), U("10^9/L", "10^9/L", 4.0, 10.0, 1),
      alt_names=("White Blood Cell Count", "WBC Count", "Leukocytes")),
    T("rbc", "789-8", {"en": "RBC", "de": "Erythrozyten", "fr": "Hématies", "es": "Hematíes"},
      U("x10E6/uL", "10^6/uL", 4.20, 5.40, 2), U("10^12/L", "10^12/L", 3.9, 5.2, 2),
      alt_names=("Red Blood Cell Count", "Erythrocytes")),
    T("hgb", "718-7", {"en": "Hemoglobin", "de": "Hämoglobin", "fr": "Hémoglobine", "es": "Hemoglobina"},
      U("g/dL", "g/dL", 12.0, 16.0, 1), U("g/L", "g/L", 120, 160, 0), alt_names=("Hgb", "Haemoglobin")),
    T("hct", "4544-3", {"en": "Hematocrit", "de": "Hämatokrit", "fr": "Hématocrite", "es": "Hematocrito"},
      U("%", "%", 36.0, 46.0, 1), U("L/L", "L/L", 0.36, 0.46, 2), alt_names=("Hct",)),
    T("mcv", "787-2", {"en": "MCV", "de": "MCV", "fr": "VGM", "es": "VCM"},
      U("fL", "fL", 80.0, 100.0, 1), U("fl", "fL", 80.0, 96.0, 1), alt_names=("Mean Corpuscular Volume",)),
    T("mch", "785-6", {"en": "MCH", "de": "MCH", "fr": "TCMH", "es": "HCM"},
      U("pg", "pg", 27.0, 33.0, 1), U("pg", "pg", 28.0, 33.0, 1)),
    T("mchc", "786-4", {"en": "MCHC", "de": "MCHC", "fr": "CCMH", "es": "CHCM"},
      U("g/dL", "g/dL", 32.0, 36.0, 1), U("g/dl", "g/dL", 33.0, 36.0, 1)),
    T("rdw", "788-0", {"en": "RDW", "de": "RDW", "fr": "IDR", "es": "ADE"},
      U("%", "%", 11.5, 14.5, 1), U("%", "%", 11.5, 14.5, 1)),
    T("plt", "777-3", {"en": "Platelets", "de": "Thrombozyten", "fr": "Plaquettes", "es": "Plaquetas"},
      U("x10E3/uL", "10^3/uL", 150, 400, 0), U("10^9/L", "10^9/L", 150, 400, 0),
      alt_names=("Platelet Count", "PLT")),
    T("mpv", "32623-1", {"en": "MPV", "de": "MPV", "fr": "VPM", "es": "VPM"},
      U("fL", "fL", 7.5, 11.5, 1), U("fl", "fL", 7.5, 11.5, 1)),
    T("neut", "770-8", {"en": "Neutrophils", "de": "Neutrophile", "fr": "Polynucléaires neutrophiles", "es": "Neutrófilos"},
      U("%", "%", 40, 75, 0), U("%", "%", 40, 75, 0)),
    T("lymph", "736-9", {"en": "Lymphocytes", "de": "Lymphozyten", "fr": "Lymphocytes", "es": "Linfocitos"},
      U("%", "%", 20, 45, 0), U("%", "%", 20, 45, 0)),
    T("mono", "5905-5", {"en": "Monocytes", "de": "Monozyten", "fr": "Monocytes", "es": "Monocitos"},
      U("%", "%", 2, 10, 0), U("%", "%", 2, 10, 0)),
    T("eos", "713-8", {"en": "Eosinophils", "de": "Eosinophile", "fr": "Polynucléaires éosinophiles", "es": "Eosinófilos"},
      U("%", "%", 1, 6, 0), U("%", "%", 1, 6, 0)),
    T("neut_abs", "751-8", {"en": "Neutrophils (Absolute)", "de": "Neutrophile absolut"},
      U("x10E3/uL", "10^3/uL", 1.8, 7.7, 2), U("10^9/L", "10^9/L", 1.8, 7.7, 2), alt_names=("Absolute Neutrophils",)),
    T("glu", "2345-7", {"en": "Glucose", "de": "Glukose", "fr": "Glycémie à jeun", "es": "Glucosa"},
      U("mg/dL", "mg/dL", 70, 99, 0), U("mmol/L", "mmol/L", 3.9, 5.5, 1), alt_names=("Glucose, Serum", "Fasting Glucose")),
    T("bun", "3094-0", {"en": "BUN", "es": "Nitrógeno ureico"}, U("mg/dL", "mg/dL", 7, 20, 0),
      alt_names=("Urea Nitrogen (BUN)", "Blood Urea Nitrogen")),
    T("urea", "22664-7", {"en": "Urea", "de": "Harnstoff", "fr": "Urée"}, None, U("mmol/L", "mmol/L", 2.5, 7.1, 1)),
    T("crea", "2160-0", {"en": "Creatinine", "de": "Kreatinin", "fr": "Créatinine", "es": "Creatinina"},
      U("mg/dL", "mg/dL", 0.57, 1.00, 2), U("µmol/L", "umol/L", 45, 90, 0), alt_names=("Creatinine, Serum",)),
    T("egfr", "33914-3", {"en": "eGFR", "de": "eGFR (CKD-EPI)", "fr": "DFG estimé (CKD-EPI)", "es": "Filtrado glomerular estimado"},
      U("mL/min/1.73m2", "mL/min/1.73m2", 60, None, 0), U("ml/min/1,73m²", "mL/min/1.73m2", 60, None, 0),
      censored=">90"),
    T("na", "2951-2", {"en": "Sodium", "de": "Natrium", "fr": "Sodium", "es": "Sodio"},
      U("mmol/L", "mmol/L", 136, 145, 0), U("mmol/l", "mmol/L", 135, 145, 0)),
    T("k", "2823-3", {"en": "Potassium", "de": "Kalium", "fr": "Potassium", "es": "Potasio"},
      U("mmol/L", "mmol/L", 3.5, 5.1, 1), U("mmol/l", "mmol/L", 3.5, 5.1, 1)),
    T("cl", "2075-0", {"en": "Chloride", "de": "Chlorid", "fr": "Chlorures", "es": "Cloro"},
      U("mmol/L", "mmol/L", 98, 107, 0), U("mmol/l", "mmol/L", 98, 107, 0)),
    T("co2", "2028-9", {"en": "Carbon Dioxide", "fr": "Bicarbonates"}, U("mmol/L", "mmol/L", 22, 29, 0),
      U("mmol/l", "mmol/L", 22, 29, 0), alt_names=("CO2", "Carbon Dioxide, Total")),
    T("ca", "17861-6", {"en": "Calcium", "de": "Calcium", "fr": "Calcium", "es": "Calcio"},
      U("mg/dL", "mg/dL", 8.6, 10.3, 1), U("mmol/l", "mmol/L", 2.15, 2.55, 2)),
    T("tp", "2885-2", {"en": "Total Protein", "de": "Gesamteiweiß", "fr": "Protéines totales", "es": "Proteínas totales"},
      U("g/dL", "g/dL", 6.0, 8.3, 1), U("g/l", "g/L", 60, 83, 0), alt_names=("Protein, Total",)),
    T("alb", "1751-7", {"en": "Albumin", "de": "Albumin", "fr": "Albumine", "es": "Albúmina"},
      U("g/dL", "g/dL", 3.5, 5.0, 1), U("g/l", "g/L", 35, 52, 0)),
    T("tbil", "1975-2", {"en": "Total Bilirubin", "de": "Bilirubin gesamt", "fr": "Bilirubine totale", "es": "Bilirrubina total"},
      U("mg/dL", "mg/dL", 0.1, 1.2, 1), U("µmol/l", "umol/L", 2, 21, 0), alt_names=("Bilirubin, Total",)),
    T("alp", "6768-6", {"en": "Alkaline Phosphatase", "de": "Alkalische Phosphatase", "fr": "Phosphatases alcalines", "es": "Fosfatasa alcalina"},
      U("U/L", "U/L", 44, 147, 0), U("U/l", "U/L", 35, 105, 0), alt_names=("ALP", "Alk Phos")),
    T("alt", "1742-6", {"en": "ALT", "de": "GPT (ALT)", "fr": "ALAT (TGP)", "es": "GPT/ALT"},
      U("U/L", "U/L", 7, 35, 0), U("U/l", "U/L", 10, 35, 0),
      alt_names=("Alanine Aminotransferase (ALT/SGPT)", "ALT (SGPT)")),
    T("ast", "1920-8", {"en": "AST", "de": "GOT (AST)", "fr": "ASAT (TGO)", "es": "GOT/AST"},
      U("U/L", "U/L", 10, 40, 0), U("U/l", "U/L", 10, 35, 0),
      alt_names=("Aspartate Aminotransferase (AST/SGOT)", "AST (SGOT)")),
    T("ggt", "2324-2", {"en": "GGT", "de": "Gamma-GT", "fr": "Gamma GT", "es": "GGT"},
      U("U/L", "U/L", 9, 48, 0), U("U/l", "U/L", 5, 40, 0), alt_names=("Gamma-Glutamyl Transferase",)),
    T("uric", "3084-1", {"en": "Uric Acid", "de": "Harnsäure", "fr": "Acide urique", "es": "Ácido úrico"},
      U("mg/dL", "mg/dL", 2.5, 7.0, 1), U("µmol/l", "umol/L", 150, 420, 0)),
    T("chol", "2093-3", {"en": "Total Cholesterol", "de": "Cholesterin gesamt", "fr": "Cholestérol total", "es": "Colesterol total"},
      U("mg/dL", "mg/dL", None, 200, 0), U("mmol/l", "mmol/L", None, 5.2, 2), alt_names=("Cholesterol, Total",)),
    T("hdl", "2085-9", {"en": "HDL Cholesterol", "de": "HDL-Cholesterin", "fr": "Cholestérol HDL", "es": "Colesterol HDL"},
      U("mg/dL", "mg/dL", 40, None, 0), U("mmol/l", "mmol/L", 1.0, None, 2), alt_names=("HDL-C",)),
    T("ldl", "13457-7", {"en": "LDL Cholesterol", "de": "LDL-Cholesterin", "fr": "Cholestérol LDL", "es": "Colesterol LDL"},
      U("mg/dL", "mg/dL", None, 100, 0), U("mmol/l", "mmol/L", None, 2.6, 2), alt_names=("LDL Cholesterol Calc", "LDL-C")),
    T("tg", "2571-8", {"en": "Triglycerides", "de": "Triglyceride", "fr": "Triglycérides", "es": "Triglicéridos"},
      U("mg/dL", "mg/dL", None, 150, 0), U("mmol/l", "mmol/L", None, 1.7, 2)),
    T("tsh", "3016-3", {"en": "TSH", "de": "TSH basal", "fr": "TSH ultrasensible", "es": "TSH"},
      U("uIU/mL", "uIU/mL", 0.45, 4.50, 2), U("mU/l", "uIU/mL", 0.27, 4.20, 2), alt_names=("Thyroid Stimulating Hormone",)),
    T("ft4", "3024-7", {"en": "Free T4", "de": "Freies T4", "fr": "T4 libre", "es": "T4 libre"},
      U("ng/dL", "ng/dL", 0.82, 1.77, 2), U("pmol/l", "pmol/L", 12.0, 22.0, 1), alt_names=("T4, Free",)),
    T("a1c", "4548-4", {"en": "Hemoglobin A1c", "de": "HbA1c", "fr": "Hémoglobine glyquée", "es": "Hemoglobina glicosilada"},
      U("%", "%", 4.0, 5.6, 1), U("%", "%", 4.0, 5.6, 1), alt_names=("HbA1c",)),
    T("iron", "2498-4", {"en": "Iron", "de": "Eisen", "fr": "Fer sérique", "es": "Hierro"},
      U("ug/dL", "ug/dL", 50, 170, 0), U("µmol/l", "umol/L", 9.0, 30.4, 1), alt_names=("Iron, Serum",)),
    T("ferr", "2276-4", {"en": "Ferritin", "de": "Ferritin", "fr": "Ferritine", "es": "Ferritina"},
      U("ng/mL", "ng/mL", 15, 150, 0), U("µg/l", "ug/L", 15, 150, 0)),
    T("tibc", "2500-7", {"en": "TIBC"}, U("ug/dL", "ug/dL", 250, 450, 0), alt_names=("Total Iron Binding Capacity",)),
    T("b12", "2132-9", {"en": "Vitamin B12", "de": "Vitamin B12", "fr": "Vitamine B12", "es": "Vitamina B12"},
      U("pg/mL", "pg/mL", 232, 1245, 0), U("pmol/l", "pmol/L", 145, 569, 0)),
    T("vitd", "62292-8", {"en": "Vitamin D, 25-Hydroxy", "de": "25-OH-Vitamin D", "fr": "25-OH vitamine D", "es": "Vitamina D 25-OH"},
      U("ng/mL", "ng/mL", 30, 100, 1), U("nmol/l", "nmol/L", 75, 250, 0)),
    T("crp", "1988-5", {"en": "C-Reactive Protein", "de": "CRP", "fr": "Protéine C réactive", "es": "Proteína C reactiva"},
      U("mg/L", "mg/L", None, 5.0, 1), U("mg/l", "mg/L", None, 5.0, 1), alt_names=("CRP",), censored="<0.5"),
    T("esr", "30341-2", {"en": "Sed Rate", "de": "BSG (1h)", "fr": "Vitesse de sédimentation", "es": "VSG"},
      U("mm/h", "mm/h", 0, 20, 0), U("mm/h", "mm/h", 0, 20, 0), alt_names=("ESR",)),
    T("pt", "5902-2", {"en": "Prothrombin Time", "fr": "Temps de Quick", "es": "Tiempo de protrombina"},
      U("sec", "s", 11.0, 13.5, 1), U("s", "s", 11.0, 13.5, 1), alt_names=("PT",)),
    T("inr", "6301-6", {"en": "INR", "de": "INR", "fr": "INR", "es": "INR"},
      U("", None, 0.8, 1.2, 2), U("", None, 0.85, 1.15, 2)),
    T("aptt", "3173-2", {"en": "aPTT", "de": "aPTT", "fr": "TCA", "es": "TTPA"},
      U("sec", "s", 25.0, 35.0, 1), U("s", "s", 25.0, 37.0, 1), alt_names=("Partial Thromboplastin Time",)),
    T("fib", "3255-7", {"en": "Fibrinogen", "de": "Fibrinogen", "fr": "Fibrinogène", "es": "Fibrinógeno"},
      U("mg/dL", "mg/dL", 200, 400, 0), U("g/l", "g/L", 1.8, 3.5, 1)),
    T("psa", "2857-1", {"en": "PSA, Total", "de": "PSA gesamt", "fr": "PSA total", "es": "PSA total"},
      U("ng/mL", "ng/mL", None, 4.0, 2), U("ng/ml", "ng/mL", None, 4.0, 2)),
    T("cea", "2039-6", {"en": "CEA", "de": "CEA", "fr": "ACE", "es": "CEA"},
      U("ng/mL", "ng/mL", None, 3.0, 1), U("ng/ml", "ng/mL", None, 3.0, 1)),
    T("ca125", "10334-1", {"en": "CA 125", "de": "CA 125", "fr": "CA 125", "es": "CA 125"},
      U("U/mL", "U/mL", None, 35, 1), U("U/ml", "U/mL", None, 35, 1)),
    T("cortisol", "2143-6", {"en": "Cortisol, AM", "de": "Cortisol"}, U("ug/dL", "ug/dL", 6.2, 19.4, 1),
      U("nmol/l", "nmol/L", 171, 536, 0)),
    T("lh", "10501-5", {"en": "LH", "de": "LH", "fr": "LH"}, U("mIU/mL", "mIU/mL", 2.4, 12.6, 1), U("mIU/ml", "mIU/mL", 2.4, 12.6, 1)),
    T("fsh", "15067-2", {"en": "FSH", "de": "FSH", "fr": "FSH"}, U("mIU/mL", "mIU/mL", 3.5, 12.5, 1), U("mIU/ml", "mIU/mL", 3.5, 12.5, 1)),
    T("testo", "2986-8", {"en": "Testosterone, Total", "de": "Testosteron"}, U("ng/dL", "ng/dL", 8, 48, 0),
      U("nmol/l", "nmol/L", 0.3, 1.7, 2)),
    # Urinalysis: qualitative, with a few numeric ones.
    T("u_color", "5778-6", {"en": "Color", "de": "Farbe", "fr": "Couleur", "es": "Color"},
      qualitative=("Yellow", "Amber")),
    T("u_app", "5767-9", {"en": "Appearance", "de": "Klarheit", "fr": "Aspect", "es": "Aspecto"},
      qualitative=("Clear", "Cloudy")),
    T("u_sg", "5811-5", {"en": "Specific Gravity", "de": "Spez. Gewicht", "fr": "Densité", "es": "Densidad"},
      U("", None, 1.005, 1.030, 3), U("", None, 1.005, 1.030, 3)),
    T("u_ph", "5803-2", {"en": "pH", "de": "pH", "fr": "pH", "es": "pH"},
      U("", None, 5.0, 8.0, 1), U("", None, 5.0, 8.0, 1)),
    T("u_prot", "5804-0", {"en": "Protein", "de": "Eiweiß", "fr": "Protéines", "es": "Proteínas"},
      qualitative=("Negative", "Trace", "1+")),
    T("u_glu", "5792-7", {"en": "Glucose", "de": "Glukose", "fr": "Glucose", "es": "Glucosa"},
      qualitative=("Negative", "1+")),
    T("u_ket", "5797-6", {"en": "Ketones", "de": "Ketonkörper", "fr": "Corps cétoniques", "es": "Cuerpos cetónicos"},
      qualitative=("Negative", "Trace")),
    T("u_blood", "5794-3", {"en": "Blood", "de": "Blut", "fr": "Sang", "es": "Sangre"},
      qualitative=("Negative", "Trace", "2+")),
    T("u_nit", "5802-4", {"en": "Nitrite", "de": "Nitrit", "fr": "Nitrites", "es": "Nitritos"},
      qualitative=("Negative", "Positive")),
    T("u_le", "5799-2", {"en": "Leukocyte Esterase", "de": "Leukozyten", "fr": "Leucocytes", "es": "Leucocitos"},
      qualitative=("Negative", "Trace", "1+")),
]}

# Qualitative words as each language prints them.
QUAL_WORDS = {
    "de": {"Negative": "negativ", "Positive": "positiv", "Trace": "Spuren", "Yellow": "gelb", "Amber": "bernstein",
           "Clear": "klar", "Cloudy": "trüb"},
    "fr": {"Negative": "Négatif", "Positive": "Positif", "Trace": "Traces", "Yellow": "Jaune", "Amber": "Ambré",
           "Clear": "Clair", "Cloudy": "Trouble"},
    "es": {"Negative": "Negativo", "Positive": "Positivo", "Trace": "Trazas", "Yellow": "Amarillo", "Amber": "Ámbar",
           "Clear": "Transparente", "Cloudy": "Turbio"},
}

PANELS: dict[str, tuple[str, ...]] = {
    "cbc": ("wbc", "rbc", "hgb", "hct", "mcv", "mch", "mchc", "rdw", "plt", "mpv", "neut", "lymph", "mono", "eos"),
    "cbc_short": ("wbc", "rbc", "hgb", "hct", "mcv", "plt"),
    "cmp": ("glu", "bun", "crea", "egfr", "na", "k", "cl", "co2", "ca", "tp", "alb", "tbil", "alp", "alt", "ast"),
    "bmp_si": ("glu", "urea", "crea", "egfr", "na", "k", "ca"),
    "liver": ("alt", "ast", "ggt", "alp", "tbil", "alb"),
    "lipid": ("chol", "hdl", "ldl", "tg"),
    "thyroid": ("tsh", "ft4"),
    "diabetes": ("glu", "a1c"),
    "iron": ("iron", "tibc", "ferr"),
    "iron_si": ("iron", "ferr"),
    "vitamins": ("b12", "vitd"),
    "inflammation": ("crp", "esr"),
    "coag": ("pt", "inr", "aptt", "fib"),
    "tumour": ("psa", "cea", "ca125"),
    "hormones": ("lh", "fsh", "cortisol", "testo"),
    "urine": ("u_color", "u_app", "u_sg", "u_ph", "u_prot", "u_glu", "u_ket", "u_blood", "u_nit", "u_le"),
    "kidney_extra": ("uric",),
}

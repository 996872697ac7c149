"""What a report prints in each language: test names, header labels, column headers,
flag words, qualitative words, and how each country writes a date.

EN, DE, FR and ES test names live in :mod:`bench.corpus.tests` (the eight hand-drawn
layouts use them); IT, PT, NL, PL, TR and simplified Chinese are here. A test with no
name in a language prints its English name, as many labs print abbreviations.
Every name and word is generic medical vocabulary, nothing copied from a real report.
"""

from __future__ import annotations

from datetime import date

# test key -> (it, pt, nl, pl, tr, zh)
_NAMES: dict[str, tuple[str, str, str, str, str, str]] = {
    "wbc": ("Leucociti", "Leucócitos", "Leukocyten", "Leukocyty", "Lökosit", "白细胞计数"),
    "rbc": ("Eritrociti", "Eritrócitos", "Erytrocyten", "Erytrocyty", "Eritrosit", "红细胞计数"),
    "hgb": ("Emoglobina", "Hemoglobina", "Hemoglobine", "Hemoglobina", "Hemoglobin", "血红蛋白"),
    "hct": ("Ematocrito", "Hematócrito", "Hematocriet", "Hematokryt", "Hematokrit", "红细胞压积"),
    "mcv": ("MCV", "VCM", "MCV", "MCV", "MCV", "平均红细胞体积"),
    "mch": ("MCH", "HCM", "MCH", "MCH", "MCH", "平均红细胞血红蛋白含量"),
    "mchc": ("MCHC", "CHCM", "MCHC", "MCHC", "MCHC", "平均红细胞血红蛋白浓度"),
    "rdw": ("RDW", "RDW", "RDW", "RDW", "RDW", "红细胞分布宽度"),
    "plt": ("Piastrine", "Plaquetas", "Trombocyten", "Płytki krwi", "Trombosit", "血小板计数"),
    "mpv": ("MPV", "VPM", "MPV", "MPV", "MPV", "平均血小板体积"),
    "neut": ("Neutrofili", "Neutrófilos", "Neutrofielen", "Neutrofile", "Nötrofil", "中性粒细胞百分比"),
    "lymph": ("Linfociti", "Linfócitos", "Lymfocyten", "Limfocyty", "Lenfosit", "淋巴细胞百分比"),
    "mono": ("Monociti", "Monócitos", "Monocyten", "Monocyty", "Monosit", "单核细胞百分比"),
    "eos": ("Eosinofili", "Eosinófilos", "Eosinofielen", "Eozynofile", "Eozinofil", "嗜酸性粒细胞百分比"),
    "neut_abs": ("Neutrofili (assoluti)", "Neutrófilos (absolutos)", "Neutrofielen (absoluut)",
                 "Neutrofile (bezwzględne)", "Nötrofil (mutlak)", "中性粒细胞计数"),
    "glu": ("Glucosio", "Glicose", "Glucose", "Glukoza", "Glukoz", "葡萄糖"),
    "urea": ("Urea", "Ureia", "Ureum", "Mocznik", "Üre", "尿素"),
    "crea": ("Creatinina", "Creatinina", "Creatinine", "Kreatynina", "Kreatinin", "肌酐"),
    "egfr": ("eGFR", "TFG estimada", "eGFR", "eGFR", "eGFR", "估算肾小球滤过率"),
    "na": ("Sodio", "Sódio", "Natrium", "Sód", "Sodyum", "钠"),
    "k": ("Potassio", "Potássio", "Kalium", "Potas", "Potasyum", "钾"),
    "cl": ("Cloro", "Cloro", "Chloride", "Chlorki", "Klorür", "氯"),
    "ca": ("Calcio", "Cálcio", "Calcium", "Wapń", "Kalsiyum", "钙"),
    "tp": ("Proteine totali", "Proteínas totais", "Totaal eiwit", "Białko całkowite", "Total protein", "总蛋白"),
    "alb": ("Albumina", "Albumina", "Albumine", "Albumina", "Albümin", "白蛋白"),
    "tbil": ("Bilirubina totale", "Bilirrubina total", "Bilirubine totaal", "Bilirubina całkowita",
             "Total bilirubin", "总胆红素"),
    "alp": ("Fosfatasi alcalina", "Fosfatase alcalina", "Alkalische fosfatase", "Fosfataza zasadowa",
            "Alkalen fosfataz", "碱性磷酸酶"),
    "alt": ("ALT (GPT)", "ALT (TGP)", "ALAT", "ALT", "ALT", "丙氨酸氨基转移酶"),
    "ast": ("AST (GOT)", "AST (TGO)", "ASAT", "AST", "AST", "天门冬氨酸氨基转移酶"),
    "ggt": ("Gamma GT", "Gama GT", "Gamma-GT", "GGTP", "GGT", "γ-谷氨酰转移酶"),
    "uric": ("Acido urico", "Ácido úrico", "Urinezuur", "Kwas moczowy", "Ürik asit", "尿酸"),
    "chol": ("Colesterolo totale", "Colesterol total", "Totaal cholesterol", "Cholesterol całkowity",
             "Total kolesterol", "总胆固醇"),
    "hdl": ("Colesterolo HDL", "Colesterol HDL", "HDL-cholesterol", "Cholesterol HDL", "HDL kolesterol",
            "高密度脂蛋白胆固醇"),
    "ldl": ("Colesterolo LDL", "Colesterol LDL", "LDL-cholesterol", "Cholesterol LDL", "LDL kolesterol",
            "低密度脂蛋白胆固醇"),
    "tg": ("Trigliceridi", "Triglicerídeos", "Triglyceriden", "Triglicerydy", "Trigliserid", "甘油三酯"),
    "tsh": ("TSH", "TSH", "TSH", "TSH", "TSH", "促甲状腺激素"),
    "ft4": ("FT4", "T4 livre", "Vrij T4", "FT4", "Serbest T4", "游离甲状腺素"),
    "a1c": ("Emoglobina glicata", "Hemoglobina glicada", "HbA1c", "Hemoglobina glikowana", "HbA1c",
            "糖化血红蛋白"),
    "iron": ("Ferro", "Ferro sérico", "IJzer", "Żelazo", "Demir", "血清铁"),
    "ferr": ("Ferritina", "Ferritina", "Ferritine", "Ferrytyna", "Ferritin", "铁蛋白"),
    "b12": ("Vitamina B12", "Vitamina B12", "Vitamine B12", "Witamina B12", "B12 vitamini", "维生素B12"),
    "vitd": ("Vitamina D 25-OH", "Vitamina D 25-OH", "25-OH-vitamine D", "Witamina D 25-OH", "25-OH D vitamini",
             "25-羟基维生素D"),
    "crp": ("Proteina C reattiva", "Proteína C reativa", "CRP", "CRP", "CRP", "C反应蛋白"),
    "esr": ("VES", "VHS", "BSE", "OB", "Sedimantasyon", "血沉"),
    "inr": ("INR", "INR", "INR", "INR", "INR", "国际标准化比值"),
    "u_color": ("Colore", "Cor", "Kleur", "Barwa", "Renk", "颜色"),
    "u_app": ("Aspetto", "Aspeto", "Helderheid", "Przejrzystość", "Görünüm", "透明度"),
    "u_sg": ("Peso specifico", "Densidade", "Soortelijk gewicht", "Ciężar właściwy", "Dansite", "比重"),
    "u_ph": ("pH", "pH", "pH", "pH", "pH", "酸碱度"),
    "u_prot": ("Proteine", "Proteínas", "Eiwit", "Białko", "Protein", "尿蛋白"),
    "u_glu": ("Glucosio", "Glicose", "Glucose", "Glukoza", "Glukoz", "尿糖"),
    "u_ket": ("Chetoni", "Corpos cetónicos", "Ketonen", "Ciała ketonowe", "Keton", "酮体"),
    "u_blood": ("Sangue", "Sangue", "Bloed", "Krew", "Kan", "潜血"),
    "u_nit": ("Nitriti", "Nitritos", "Nitriet", "Azotyny", "Nitrit", "亚硝酸盐"),
    "u_le": ("Esterasi leucocitaria", "Leucócitos", "Leukocyten", "Leukocyty", "Lökosit", "白细胞酯酶"),
}
_LANG_INDEX = {"it": 0, "pt": 1, "nl": 2, "pl": 3, "tr": 4, "zh": 5}

LANGS = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "tr", "zh")


def test_name(test, lang: str) -> str:
    if lang in _LANG_INDEX:
        names = _NAMES.get(test.key)
        return names[_LANG_INDEX[lang]] if names else test.names["en"]
    return test.names.get(lang) or test.names["en"]


# Header labels: patient, dob, sex, mrn, collected, reported, provider, lab heading,
# the "Patient Details" heading, male, female, and "page".
LABELS: dict[str, dict[str, str]] = {
    "en": dict(patient="Patient Name", dob="Date of Birth", sex="Sex", mrn="MRN", collected="Collected",
               reported="Reported", provider="Ordering Physician", details="Patient Details", male="Male",
               female="Female", page="Page", notes="Interpretation", previous="Previous", method="Method",
               specimen="Specimen", code="Code"),
    "de": dict(patient="Patient", dob="Geburtsdatum", sex="Geschlecht", mrn="Pat.-Nr.", collected="Entnahme",
               reported="Befunddatum", provider="Einsender", details="Patientendaten", male="männlich",
               female="weiblich", page="Seite", notes="Beurteilung", previous="Vorwert", method="Methode",
               specimen="Material", code="Kürzel"),
    "fr": dict(patient="Nom", dob="Né(e) le", sex="Sexe", mrn="N° dossier", collected="Prélevé le",
               reported="Édité le", provider="Prescripteur", details="Identité du patient", male="Masculin",
               female="Féminin", page="Page", notes="Interprétation", previous="Antériorité", method="Technique",
               specimen="Échantillon", code="Code"),
    "es": dict(patient="Paciente", dob="Fecha de nacimiento", sex="Sexo", mrn="Historia clínica",
               collected="Fecha de extracción", reported="Fecha de informe", provider="Médico solicitante",
               details="Datos del paciente", male="Masculino", female="Femenino", page="Página",
               notes="Interpretación", previous="Anterior", method="Método", specimen="Muestra", code="Código"),
    "it": dict(patient="Paziente", dob="Data di nascita", sex="Sesso", mrn="N. cartella", collected="Data prelievo",
               reported="Data referto", provider="Medico richiedente", details="Dati del paziente", male="Maschio",
               female="Femmina", page="Pagina", notes="Interpretazione", previous="Precedente", method="Metodo",
               specimen="Campione", code="Codice"),
    "pt": dict(patient="Utente", dob="Data de nascimento", sex="Sexo", mrn="N.º processo", collected="Data de colheita",
               reported="Data do relatório", provider="Médico requisitante", details="Dados do utente",
               male="Masculino", female="Feminino", page="Página", notes="Interpretação", previous="Anterior",
               method="Método", specimen="Amostra", code="Código"),
    "nl": dict(patient="Patiënt", dob="Geboortedatum", sex="Geslacht", mrn="Patiëntnummer", collected="Afname",
               reported="Rapportdatum", provider="Aanvrager", details="Patiëntgegevens", male="Man", female="Vrouw",
               page="Pagina", notes="Interpretatie", previous="Vorige", method="Methode", specimen="Materiaal",
               code="Code"),
    "pl": dict(patient="Pacjent", dob="Data urodzenia", sex="Płeć", mrn="Nr pacjenta", collected="Data pobrania",
               reported="Data wydania", provider="Lekarz kierujący", details="Dane pacjenta", male="Mężczyzna",
               female="Kobieta", page="Strona", notes="Interpretacja", previous="Poprzedni", method="Metoda",
               specimen="Materiał", code="Kod"),
    "tr": dict(patient="Hasta Adı", dob="Doğum Tarihi", sex="Cinsiyet", mrn="Protokol No", collected="Numune Alma",
               reported="Rapor Tarihi", provider="İsteyen Hekim", details="Hasta Bilgileri", male="Erkek",
               female="Kadın", page="Sayfa", notes="Yorum", previous="Önceki", method="Yöntem", specimen="Numune",
               code="Kod"),
    "zh": dict(patient="姓名", dob="出生日期", sex="性别", mrn="病历号", collected="采样时间", reported="报告时间",
               provider="送检医生", details="患者信息", male="男", female="女", page="页", notes="结果解释",
               previous="上次结果", method="检测方法", specimen="标本", code="代号"),
}

# Column headers: name, value, flag, unit, range.
COLUMNS: dict[str, tuple[str, str, str, str, str]] = {
    "en": ("Test", "Result", "Flag", "Units", "Reference Range"),
    "de": ("Untersuchung", "Ergebnis", "", "Einheit", "Referenzbereich"),
    "fr": ("Analyse", "Résultat", "", "Unités", "Valeurs de référence"),
    "es": ("Prueba", "Resultado", "", "Unidades", "Valores de referencia"),
    "it": ("Esame", "Risultato", "", "Unità", "Valori di riferimento"),
    "pt": ("Análise", "Resultado", "", "Unidade", "Valores de referência"),
    "nl": ("Bepaling", "Uitslag", "", "Eenheid", "Referentiewaarde"),
    "pl": ("Badanie", "Wynik", "", "Jednostka", "Zakres referencyjny"),
    "tr": ("Test Adı", "Sonuç", "", "Birim", "Referans Aralığı"),
    "zh": ("项目名称", "结果", "提示", "单位", "参考区间"),
}

# Flag words (high, low, abnormal) for the "column of words" style.
FLAG_WORDS: dict[str, tuple[str, str, str]] = {
    "en": ("High", "Low", "Abnormal"), "de": ("hoch", "niedrig", "path."), "fr": ("Élevé", "Bas", "Anormal"),
    "es": ("Alto", "Bajo", "Anormal"), "it": ("Alto", "Basso", "Anomalo"), "pt": ("Alto", "Baixo", "Anormal"),
    "nl": ("Hoog", "Laag", "Afwijkend"), "pl": ("Wysoki", "Niski", "Nieprawidłowy"),
    "tr": ("Yüksek", "Düşük", "Anormal"), "zh": ("偏高", "偏低", "异常"),
}

# "up to x" for an upper-bound-only range.
UP_TO = {"en": "up to", "de": "bis", "fr": "jusqu'à", "es": "hasta", "it": "fino a", "pt": "até", "nl": "tot",
         "pl": "do", "tr": "en fazla", "zh": "≤"}

HONORIFIC = {"en": ("Mr.", "Ms."), "de": ("Herr", "Frau"), "fr": ("M.", "Mme"), "es": ("Sr.", "Sra."),
             "it": ("Sig.", "Sig.ra"), "pt": ("Sr.", "Sra."), "nl": ("Dhr.", "Mevr."), "pl": ("Pan", "Pani"),
             "tr": ("Bay", "Bayan"), "zh": ("", "")}

QUAL = {
    "it": {"Negative": "Negativo", "Positive": "Positivo", "Trace": "Tracce", "Yellow": "Giallo",
           "Amber": "Ambra", "Clear": "Limpido", "Cloudy": "Torbido"},
    "pt": {"Negative": "Negativo", "Positive": "Positivo", "Trace": "Vestígios", "Yellow": "Amarelo",
           "Amber": "Âmbar", "Clear": "Límpido", "Cloudy": "Turvo"},
    "nl": {"Negative": "Negatief", "Positive": "Positief", "Trace": "Spoor", "Yellow": "Geel", "Amber": "Amber",
           "Clear": "Helder", "Cloudy": "Troebel"},
    "pl": {"Negative": "Ujemny", "Positive": "Dodatni", "Trace": "Ślad", "Yellow": "Żółty", "Amber": "Bursztynowy",
           "Clear": "Przejrzysty", "Cloudy": "Mętny"},
    "tr": {"Negative": "Negatif", "Positive": "Pozitif", "Trace": "Eser", "Yellow": "Sarı", "Amber": "Koyu sarı",
           "Clear": "Berrak", "Cloudy": "Bulanık"},
    "zh": {"Negative": "阴性", "Positive": "阳性", "Trace": "微量", "Yellow": "黄色", "Amber": "深黄色",
           "Clear": "清亮", "Cloudy": "浑浊", "1+": "1+", "2+": "2+"},
}

# Fictitious labs and doctors per language.
LABS = {
    "en": ["Riverbend Medical Laboratory", "Oakfield Diagnostics", "Summit Reference Lab"],
    "de": ["Labor am Beispielplatz", "MVZ Labordiagnostik Musterstadt"],
    "fr": ["Laboratoire Exemple Biologie", "Biolab des Essais"],
    "es": ["Laboratorio Análisis Muestra", "Centro Diagnóstico Ficticio"],
    "it": ["Laboratorio Analisi Esempio", "Centro Diagnostico Fittizio"],
    "pt": ["Laboratório de Análises Exemplo", "Clínica Diagnóstica Fictícia"],
    "nl": ["Klinisch Laboratorium Voorbeeld", "Diagnostisch Centrum Proef"],
    "pl": ["Laboratorium Diagnostyczne Przykład", "Medyczne Laboratorium Próbne"],
    "tr": ["Örnek Tıp Laboratuvarı", "Deneme Tanı Merkezi"],
    "zh": ["示例医学检验中心", "样本临床检验实验室"],
}
DOCTORS = {"en": ["Dr. Alan Smithee", "Dr. Rosa Example"], "de": ["Dr. med. Hans Beispiel"],
           "fr": ["Dr Jean Exemple"], "es": ["Dr. Luis Ejemplo"], "it": ["Dott. Mario Esempio"],
           "pt": ["Dr. João Exemplo"], "nl": ["Dr. Jan Voorbeeld"], "pl": ["Dr Jan Przykładowy"],
           "tr": ["Dr. Ali Örnek"], "zh": ["王示例"]}

# Fictitious names for the new languages (first names with sex, last names).
NAMES = {
    "it": ([("Giulia", "female"), ("Marco", "male"), ("Chiara", "female"), ("Luca", "male")], ["Esempio", "Prova"]),
    "pt": ([("Ana", "female"), ("João", "male"), ("Inês", "female"), ("Tiago", "male")], ["Exemplo", "Teste"]),
    "nl": ([("Sanne", "female"), ("Daan", "male"), ("Femke", "female"), ("Bram", "male")], ["Voorbeeld", "Proef"]),
    "pl": ([("Zofia", "female"), ("Jakub", "male"), ("Małgorzata", "female"), ("Łukasz", "male")],
           ["Przykładowa", "Testowy"]),
    "tr": ([("Ayşe", "female"), ("Mehmet", "male"), ("Elif", "female"), ("Oğuz", "male")], ["Örnek", "Deneme"]),
    "zh": ([("秀英", "female"), ("伟", "male"), ("丽", "female"), ("强", "male")], ["张", "李", "王"]),
}

# Each country's date order; the whole document writes every date the same way.
DATE_STYLES = {
    "us": ("mdy_slash",), "gb": ("dmy_slash",), "de": ("dmy_dot",), "fr": ("dmy_slash",), "es": ("dmy_slash",),
    "it": ("dmy_slash",), "pt": ("dmy_slash", "ymd_dash"), "nl": ("dmy_dash",), "pl": ("dmy_dot",),
    "tr": ("dmy_dot", "dmy_slash"), "zh": ("ymd_dash", "zh"),
}
COUNTRY_OF = {"en": ("us", "gb"), "de": ("de",), "fr": ("fr",), "es": ("es",), "it": ("it",), "pt": ("pt",),
              "nl": ("nl",), "pl": ("pl",), "tr": ("tr",), "zh": ("zh",)}


def fmt_date(d: date, style: str) -> str:
    if style == "mdy_slash":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if style == "dmy_slash":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "dmy_dot":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if style == "dmy_dash":
        return f"{d.day:02d}-{d.month:02d}-{d.year}"
    if style == "ymd_dash":
        return d.isoformat()
    if style == "zh":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    raise ValueError(style)

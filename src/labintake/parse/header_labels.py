"""Header field labels by language, and the patterns built from them.

A label counts as English when English lists it; any other label seen on a report says
the report is in a language whose countries write dates day first (Chinese writes the
year first, so it takes no part in that choice).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

Labels = dict[str, tuple[str, ...]]

EN: Labels = {
    "name": ("patient name", "patient", "name", "pt name", "patient's name", "patient full name", "full name",
             "name of patient", "name of the patient", "pt. name", "patient name & id", "re", "pat. name", "pat name"),
    "surname": ("surname", "last name", "family name"),
    "given": ("forename", "forenames", "forename(s)", "first name", "given name", "given names"),
    "dob": ("date of birth", "dob", "d.o.b.", "d.o.b", "birth date", "birthdate", "born", "date birth"),
    "sex": ("sex", "gender", "patient sex", "patient gender"),
    "age_sex": ("age/sex", "sex/age", "age/gender", "gender/age"),
    "dob_age": ("dob/age", "age/dob", "date of birth/age", "birth date/age"),
    "dob_sex": ("dob/sex", "sex/dob", "dob/gender", "gender/dob"),
    "mrn": ("mrn", "medical record number", "medical record #", "medical record no", "mr#", "mr #", "mr no",
            "patient id", "patient #", "patient no", "chart #", "record #", "uhid", "hospital no", "hospital number",
            "nhs number", "nhs no", "patient number", "id"),
    "collected": ("collected", "collection date", "date collected", "specimen collected", "collected on",
                  "collection date/time", "collection", "date of collection", "specimen date", "sample date",
                  "drawn", "date drawn", "sample collected", "collected date", "collection time", "date/time collected",
                  "sample collection date", "specimen collection date", "sample drawn", "drawn on", "sampled",
                  "sample taken", "specimen taken", "date taken", "date and time collected", "date/time of collection",
                  "collection date and time", "drawn date", "sample drawn date", "collection on", "collected at",
                  "sample collected on", "specimen collected on", "date of sample collection", "coll. date", "coll date", "date of sample",
                  "coll. date/time", "date coll.", "draw date", "sampling date", "sampling time", "date obtained",
                  "obtained", "obtained on"),
    "reported": ("reported", "report date", "date reported", "reported on", "resulted", "result date",
                 "report status date", "final report date", "printed", "report generated", "date of report",
                 "released", "authorised", "authorized", "verified", "approved on", "date reported on",
                 "report released on", "reported date"),
    "received": ("received", "date received", "received on", "registered", "registration date",
                 "sample received", "received date", "registered on", "registration on", "sample received on",
                 "reg. date", "reg date", "reg. on", "booking date", "booked on"),
    "provider": ("ordering provider", "ordering physician", "ordering doctor", "ordered by", "referring physician",
                 "referring provider", "physician", "provider", "doctor", "requesting physician", "requested by",
                 "referred by", "ordering", "consultant", "referring doctor", "ref. by", "ref by", "clinician",
                 "ref. doctor", "ref doctor", "ref. physician", "referring dr"),
    "lab": ("laboratory", "lab", "performing lab", "performing laboratory", "lab name"),
    "account": ("account", "account #", "acct #", "specimen id", "accession", "accession #", "accession no",
                "age", "phone", "phone no", "phone no.", "mobile", "address", "fax", "page", "status", "specimen",
                "fasting", "location", "ward", "tel", "report id", "sample id", "sample no", "lab no", "lab ref",
                "client", "client #", "barcode", "visit", "bed", "department", "diagnosis", "email", "panel",
                "report status", "sample type", "specimen type", "time", "lab id", "order id", "order #",
                "request id", "visit id", "case id", "encounter", "order no", "requisition"),
}
DE: Labels = {
    "name": ("patient", "patientin", "patient/in", "name", "name, vorname", "nachname, vorname"),
    "surname": ("nachname", "familienname"),
    "given": ("vorname",),
    "dob": ("geburtsdatum", "geb.-datum", "geb. datum", "geb.", "geboren am", "geb. am", "geb.am", "geb.dat.", "geb.-dat.",
            "geb.dat"),
    "sex": ("geschlecht",),
    "age_sex": ("alter/geschlecht",),
    "mrn": ("pat.-nr.", "pat.-nr", "patienten-nr.", "patienten-nr", "patientennummer", "pid"),
    "collected": ("entnahme", "entnahmedatum", "abnahme", "abnahmedatum", "probenentnahme", "entnahmezeit",
                  "entnommen am", "abgenommen am", "probenahme", "probennahme", "zeitpunkt der probenahme"),
    "reported": ("befunddatum", "befund vom", "ausgangsdatum", "berichtsdatum", "freigabe", "validiert am",
                 "druckdatum"),
    "received": ("eingang", "eingangsdatum", "probeneingang", "eingegangen am"),
    "provider": ("einsender", "auftraggeber", "anfordernder arzt", "überweiser", "behandelnder arzt", "arzt"),
    "lab": ("labor",),
    "account": ("alter", "station", "auftrag", "auftragsnr.", "auftragsnummer", "telefon", "adresse",
                "material", "tagesnummer", "kasse"),
}
FR: Labels = {
    "name": ("patient", "patiente", "nom", "nom du patient", "nom patient", "nom et prénom", "nom prénom",
             "nom de naissance", "nom d'usage"),
    "surname": ("nom de famille",),
    "given": ("prénom", "prénoms", "prenom"),
    "dob": ("date de naissance", "né(e) le", "né le", "née le", "ne(e) le", "date naiss."),
    "sex": ("sexe",),
    "mrn": ("n° dossier", "no dossier", "numéro de dossier", "n° patient", "ipp"),
    "collected": ("prélevé le", "prélèvement", "date de prélèvement", "date du prélèvement", "prélevé"),
    "reported": ("édité le", "date d'édition", "validé le", "date du compte rendu", "compte rendu du",
                 "date de validation"),
    "received": ("reçu le", "réception", "date de réception"),
    "provider": ("prescripteur", "médecin prescripteur", "médecin", "demandeur"),
    "lab": ("laboratoire",),
    "account": ("âge", "service", "tél", "adresse", "n° demande", "demande"),
}
ES: Labels = {
    "name": ("paciente", "nombre", "nombre del paciente", "apellidos y nombre", "nombre y apellidos"),
    "surname": ("apellidos", "apellido"),
    "dob": ("fecha de nacimiento", "f. nacimiento", "fecha nac.", "f. nac.", "fec. nac."),
    "sex": ("sexo", "género"),
    "age_sex": ("edad/sexo",),
    "mrn": ("historia clínica", "nhc", "n° historia", "id paciente", "n° paciente"),
    "collected": ("fecha de extracción", "fecha extracción", "fecha de toma", "extracción", "toma de muestra",
                  "fecha de toma de muestra", "fecha de muestra", "fecha de obtención", "fecha toma muestra",
                  "fecha de recolección", "fecha toma"),
    "reported": ("fecha de informe", "fecha informe", "fecha de emisión", "fecha de validación", "validado"),
    "received": ("fecha de recepción", "recepción"),
    "provider": ("médico solicitante", "médico", "solicitante", "doctor"),
    "lab": ("laboratorio",),
    "account": ("edad", "servicio", "petición", "dirección", "teléfono"),
}
IT: Labels = {
    "name": ("paziente", "cognome e nome", "nome", "nominativo"),
    "surname": ("cognome",),
    "dob": ("data di nascita", "nato il", "nata il", "data nascita", "nato/a il"),
    "sex": ("sesso",),
    "mrn": ("codice paziente", "n. cartella", "cartella", "id paziente"),
    "collected": ("data prelievo", "prelievo", "data del prelievo", "prelevato il", "data prel."),
    "reported": ("data referto", "data di refertazione", "refertato il", "data stampa"),
    "received": ("data accettazione", "accettazione"),
    "provider": ("medico richiedente", "richiedente", "medico"),
    "lab": ("laboratorio",),
    "account": ("età", "reparto", "indirizzo", "telefono", "n. richiesta"),
}
PT: Labels = {
    "name": ("nome", "nome do paciente", "paciente", "utente", "nome do utente", "nome completo"),
    "surname": ("sobrenome", "apelido"),
    "dob": ("data de nascimento", "data nasc.", "dt. nasc.", "dt nasc", "nascimento", "data de nasc."),
    "sex": ("sexo", "género", "gênero"),
    "mrn": ("prontuário", "nº prontuário", "processo", "n.º processo", "nº processo", "nº utente",
            "número de utente", "código do paciente"),
    "collected": ("data de colheita", "colheita", "data da colheita", "data de coleta", "data da coleta", "coleta",
                  "coletado em", "colhido em", "data colheita"),
    "reported": ("data do relatório", "data de emissão", "emitido em", "data de liberação", "liberado em",
                 "data do resultado", "data de validação"),
    "received": ("data de recepção", "recebido em", "data de entrada"),
    "provider": ("médico solicitante", "médico requisitante", "requisitante", "médico", "solicitante"),
    "lab": ("laboratório",),
    "account": ("idade", "telefone", "morada", "endereço", "convênio", "requisição", "pedido"),
}
NL: Labels = {
    "name": ("naam", "patiënt", "patient", "naam patiënt", "patiëntnaam", "patientnaam"),
    "surname": ("achternaam",),
    "given": ("voornaam", "voornamen"),
    "dob": ("geboortedatum", "geb. datum", "geb.datum", "geboren"),
    "sex": ("geslacht",),
    "mrn": ("patiëntnummer", "patientnummer", "patiënt-id", "patiëntnr.", "patiëntnr", "dossiernummer",
            "ziekenhuisnummer"),
    "collected": ("afname", "afnamedatum", "datum afname", "afgenomen", "afnamemoment", "monsterafname",
                  "afnametijd", "datum monsterafname"),
    "reported": ("rapportdatum", "datum rapport", "uitslagdatum", "datum uitslag", "geautoriseerd",
                 "validatiedatum", "printdatum"),
    "received": ("ontvangen", "ontvangstdatum", "binnenkomst"),
    "provider": ("aanvrager", "aanvragend arts", "huisarts", "arts"),
    "lab": ("laboratorium",),
    "account": ("leeftijd", "adres", "telefoon", "afdeling", "ordernummer", "aanvraagnummer", "materiaal"),
}
PL: Labels = {
    "name": ("pacjent", "pacjentka", "imię i nazwisko", "nazwisko i imię", "imie i nazwisko", "nazwisko imię"),
    "surname": ("nazwisko",),
    "given": ("imię", "imie"),
    "dob": ("data urodzenia", "data ur."),
    "sex": ("płeć", "plec"),
    "mrn": ("pesel", "nr pacjenta", "id pacjenta", "nr historii choroby"),
    "collected": ("data pobrania", "pobrano", "data i godzina pobrania", "pobranie", "data pobrania materiału",
                  "czas pobrania"),
    "reported": ("data wydania", "data wydruku", "data sprawozdania", "data autoryzacji", "data wyniku",
                 "data zatwierdzenia"),
    "received": ("data przyjęcia", "przyjęto", "data rejestracji", "data przyjęcia materiału"),
    "provider": ("lekarz kierujący", "lekarz zlecający", "zlecający", "lekarz"),
    "lab": ("laboratorium",),
    "account": ("wiek", "adres", "telefon", "oddział", "zlecenie", "nr zlecenia", "materiał"),
}
TR: Labels = {
    "name": ("hasta adı", "hasta adı soyadı", "adı soyadı", "adı soyadi", "ad soyad", "hasta adi soyadi",
             "hasta adi", "hasta ismi"),
    "surname": ("soyadı", "soyadi", "soyad"),
    "dob": ("doğum tarihi", "dogum tarihi", "d. tarihi", "doğum t."),
    "sex": ("cinsiyet", "cinsiyeti"),
    "mrn": ("protokol no", "hasta no", "dosya no", "tc kimlik no", "t.c. kimlik no", "tc no", "protokol"),
    "collected": ("numune alma tarihi", "numune alma", "numune alım tarihi", "numune alınma tarihi",
                  "numune tarihi", "kan alma tarihi", "alınma tarihi", "numune alma zamanı", "numune alınış tarihi",
                  "alınış tarihi", "alınış zamanı"),
    "reported": ("rapor tarihi", "onay tarihi", "sonuç tarihi", "çıktı tarihi", "onaylanma tarihi"),
    "received": ("kabul tarihi", "numune kabul tarihi", "geliş tarihi", "numune kabul"),
    "provider": ("istem yapan doktor", "isteyen doktor", "istem yapan hekim", "doktor", "hekim", "istemi yapan"),
    "lab": ("laboratuvar",),
    "account": ("yaş", "yaşı", "adres", "telefon", "bölüm", "servis", "barkod", "barkod no", "birim"),
}
ZH: Labels = {
    "name": ("姓名", "患者姓名", "病人姓名", "受检者"),
    "dob": ("出生日期", "出生年月"),
    "sex": ("性别",),
    "age_sex": ("性别/年龄", "年龄/性别"),
    "mrn": ("病历号", "住院号", "门诊号", "病案号", "病案", "患者编号", "就诊卡号", "ID号", "登记号"),
    "collected": ("采样时间", "采集时间", "采样日期", "采集日期", "取样时间", "留样时间", "标本采集时间"),
    "reported": ("报告时间", "报告日期", "审核时间", "审核日期", "打印时间"),
    "received": ("接收时间", "收样时间", "签收时间", "送检时间", "核收时间"),
    "provider": ("送检医生", "申请医生", "送检医师", "申请医师", "开单医生", "临床医生"),
    "lab": ("检验单位", "检测单位", "检验机构"),
    "account": ("年龄", "床号", "科室", "申请科室", "临床诊断", "标本种类", "标本类型", "条码编号", "条码号",
                "标本编号", "样本类型", "费别", "检验者", "审核者", "备注", "修改时间", "电话", "地址", "检验医师",
                "审核医师", "标本", "样本", "样本号", "标本号", "病区", "病人类型", "就诊类型", "送检科室"),
}
JA: Labels = {
    "name": ("氏名", "患者氏名", "患者名", "受診者氏名", "お名前"),
    "dob": ("生年月日",),
    "sex": ("性別",),
    "mrn": ("患者id", "患者番号", "カルテ番号", "診察券番号", "id番号"),
    "collected": ("採取日", "採血日", "採取日時", "採血日時", "検体採取日", "検査日"),
    "reported": ("報告日", "結果報告日", "報告日時"),
    "received": ("受付日", "受付日時"),
    "provider": ("依頼医", "主治医", "担当医"),
    "lab": ("検査機関", "検査施設"),
    "account": ("年齢", "診療科", "依頼科", "病棟", "検体", "検体番号", "受付番号"),
}
RU: Labels = {
    "name": ("пациент", "ф.и.о.", "фио", "ф.и.о", "ф. и. о.", "пациент (фио)", "фамилия, имя, отчество"),
    "surname": ("фамилия",),
    "given": ("имя",),
    "dob": ("дата рождения", "д.р.", "дата рожд."),
    "sex": ("пол",),
    "mrn": ("номер карты", "№ карты", "медицинская карта", "амбулаторная карта", "id пациента"),
    "collected": ("дата взятия", "дата забора", "взятие биоматериала", "дата взятия биоматериала",
                  "дата и время взятия", "забор", "дата сбора"),
    "reported": ("дата выдачи", "дата отчета", "дата выполнения", "дата исследования", "выполнено",
                 "дата печати"),
    "received": ("дата поступления", "поступил", "дата регистрации", "зарегистрирован"),
    "provider": ("врач", "направивший врач", "лечащий врач"),
    "lab": ("лаборатория",),
    "account": ("возраст", "заказ", "№ заказа", "номер заказа", "отделение", "телефон", "адрес", "биоматериал",
                "диагноз"),
}
# A sample number identifies a specimen, not a patient: used as the record number only
# when the report prints no patient identifier.
MRN_FALLBACK = ("样本号", "标本号")
LANGUAGES: dict[str, Labels] = {"en": EN, "de": DE, "fr": FR, "es": ES, "it": IT, "pt": PT, "nl": NL,
                                "pl": PL, "tr": TR, "zh": ZH, "ja": JA, "ru": RU}



@lru_cache(maxsize=4096)
def label_key(text: str) -> str:
    """A label as looked up: lower case, single spaces, no spaces around ``/``, and
    compatibility forms folded (``N.º`` is printed, and extracted, as ``N.o`` too)."""
    return re.sub(r"\s*/\s*", "/", " ".join(unicodedata.normalize("NFKC", text).lower().split()))


FIELD: dict[str, str] = {}
for _labels in LANGUAGES.values():
    for _field, _names in _labels.items():
        for _name in _names:
            FIELD.setdefault(label_key(_name), _field)
for _name in MRN_FALLBACK:
    FIELD[_name] = "mrn_fallback"


def _rn_m_misreads(key: str) -> list[str]:
    """The spellings OCR gives a label by reading "rn" as "m" or "m" as "rn", one at a time
    ("Sumame:" for "Surname:", "Narne:" for "Name:")."""
    found = []
    for wrong, right in (("rn", "m"), ("m", "rn")):
        found += [key[:i] + right + key[i + len(wrong):] for i in range(len(key)) if key.startswith(wrong, i)]
    return found


for _key, _field in list(FIELD.items()):
    if _key.isascii() and len(_key) >= 4:  # "mrn" misread would be "mm", as in "hh:mm"
        for _misread in _rn_m_misreads(_key):
            FIELD.setdefault(_misread, _field)  # a real label of that spelling keeps its own field


def _unmarked(key: str) -> str:
    """A label key without diacritics: OCR reads "Płeć" as "Pleć" and "Patiënt" as "Patiēnt"."""
    key = key.translate(_NO_DECOMPOSITION)
    return "".join(c for c in unicodedata.normalize("NFKD", key) if not unicodedata.combining(c))


_NO_DECOMPOSITION = str.maketrans({"ł": "l", "ı": "i", "ø": "o", "đ": "d"})
_UNMARKED: dict[str, str | None] = {}
for _key, _field in FIELD.items():
    _bare = _unmarked(_key)
    if _bare != _key:  # the marked spelling is looked up as printed first
        _UNMARKED[_bare] = _field if _UNMARKED.get(_bare, _field) == _field else None  # None: two fields


def _field_unmarked(key: str) -> str | None:
    """The field of a label OCR printed with the wrong marks: as the unmarked spelling of
    a label (or a label of its own), when it names one field only."""
    bare = _unmarked(key)
    return FIELD.get(bare) or _UNMARKED.get(bare)


ENGLISH = {label_key(name) for names in EN.values() for name in names}
# Labels of a language whose countries write the day first (not English, Chinese or Japanese).
DAY_FIRST = {label_key(name) for lang, labels in LANGUAGES.items() if lang not in ("en", "zh", "ja")
             for names in labels.values() for name in names} - ENGLISH


def _trie_pattern(keys: list[str]) -> str:
    """One regex alternation for many labels, as a character trie: Python's ``re`` tries
    alternatives one by one, and a trie makes that one pass over the text. A space in a
    label stands for any run of spaces; a ``/`` may have spaces around it."""
    trie: dict = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [(r"\s+" if ch == " " else r"\s*/\s*" if ch == "/" else _letter(ch)) + emit(sub)
                for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


# Every Latin letter with a mark, by the letter it is without: a label is matched with
# any marks on its letters ("Patiēnt:" for "Patiënt:", "Pleć:" for "Płeć:"), as OCR reads them.
_MARKED: dict[str, str] = {}
for _c in map(chr, range(0xC0, 0x250)):
    _u = _unmarked(_c.lower())
    if len(_u) == 1 and "a" <= _u <= "z" and _c.lower() != _u:
        _MARKED[_u] = _MARKED.get(_u, "") + _c.lower()


def _letter(ch: str) -> str:
    base = _unmarked(ch)
    variants = _MARKED.get(base) if len(base) == 1 else None
    return f"[{base}{variants}]" if variants else re.escape(ch)


# Labels keyed without marks (their marks are matched by _letter); CJK and others as they are.
_ALTERNATIVES = _trie_pattern(sorted({_unmarked(k) for k in FIELD}))
# Inline labels need a ``:`` or ``#`` after them, so "Patient" inside a sentence is not
# taken for a field; a label alone in its cell (a grid of label and value cells) needs none.
# "Lab No.:", "Pat. No.:": a label's abbreviation dot may come before its colon.
# "Collection Date & Time:", "Report Date/Time:": a time after a date label changes nothing.
# A label starts a word; a CJK label may follow the previous value with no space
# ("姓名: 李伟出生日期: …": CJK text has no word breaks, and joined text loses them).
LABEL_RE = re.compile(r"(?:(?<![^\W\d_])|(?=[\u3400-\u9fff]))(" + _ALTERNATIVES + r")\.?(?:\s*(?:&|and|/)\s*time)?\s*(?::|#(?=\s*\w)|-(?=\s))",
                      re.IGNORECASE)


# A label at the start of a cell with its value after a space and no colon ("DOB
# 01/02/1980", "Sex F"): OCR drops small colons, and compact headers print none.
PREFIX_LABEL_RE = re.compile(r"\s*(" + _ALTERNATIVES + r")\.?\s+(?=\S)", re.IGNORECASE)


@lru_cache(maxsize=4096)
def bare_label(text: str) -> str | None:
    """The label when ``text`` is a label alone (``Collected``, ``Phone No.``, ``DOB:``)."""
    t = text.strip()
    for candidate in (t.rstrip(":#").strip(), t.rstrip(":#. ").strip()):
        if label_key(candidate) in FIELD or _field_unmarked(label_key(candidate)):
            return candidate
    return None


@lru_cache(maxsize=1024)
def near_field(label_text: str) -> str | None:
    """The field of a label OCR misread one letter of ("Data de cokheita" for "Data de
    colheita"): one edit from labels of eight letters or more, all of one field."""
    key = label_key(label_text)
    if len(key) < 8:
        return None
    fields = {f for k, f in FIELD.items() if len(k) >= 8 and abs(len(k) - len(key)) <= 1
              and Levenshtein.distance(k, key, score_cutoff=1) <= 1}
    return fields.pop() if len(fields) == 1 else None


def field_of(label_text: str) -> str | None:
    """The field a matched label names."""
    key = label_key(label_text)
    return FIELD.get(key) or _field_unmarked(key)


# A heading over the patient's block: its first line is the name, often unlabelled.
# Up to two words may sit between (a logo's text overlapping the heading).
PATIENT_HEADING = re.compile(
    r"^\W*(?:patient(?:\W+\w+){0,2}?\W+(?:information|info|details|data|demographics|identification)|"
    r"patient(?:en)?(?:daten|informationen|angaben)|angaben zum patienten|"
    r"(?:données|informations|identité)\s+(?:du\s+)?patient|"
    r"(?:datos|información|informacion)\s+del?\s+paciente|dati\s+(?:del\s+)?paziente|dati anagrafici|anagrafica|"
    r"(?:dados|identificação|identificacao)\s+do\s+(?:paciente|utente)|"
    r"pati[eë]ntgegevens|pati[eë]ntinformatie|dane\s+pacjenta|dane osobowe(?:\s+pacjenta)?|hasta\s+bilgi(?:leri|si)|"
    r"(?:患者|病人)(?:基本)?(?:信息|资料)|基本信息)\W*$",
    re.IGNORECASE,
)

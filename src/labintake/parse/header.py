"""Header fields from labelled text: patient, dates, lab, ordering provider.

A line may hold several ``Label: value`` pairs (two-column headers); each value runs up
to the next known label. Labels need a ``:`` or ``#`` after them, so the word
"Patient" inside a sentence is not taken for a field.
"""

from __future__ import annotations

import re
from datetime import date

from labintake.domain.schemas import Patient, Report
from labintake.parse.lines import Line

LABELS: dict[str, tuple[str, ...]] = {
    "name": ("patient name", "patient", "name", "pt name", "patient's name", "patient full name",
             "patientin", "patient/in", "name, vorname", "nom", "nom du patient", "nom patient",
             "nom et prénom", "nom prénom", "nom de naissance", "paciente", "nombre", "nombre del paciente",
             "apellidos y nombre", "nombre y apellidos", "paziente", "cognome e nome", "nome"),
    "dob": ("date of birth", "dob", "d.o.b.", "d.o.b", "birth date", "birthdate", "born",
            "geburtsdatum", "geb.-datum", "geb. datum", "geb.", "geboren am", "date de naissance",
            "né(e) le", "né le", "née le", "ne(e) le", "fecha de nacimiento", "f. nacimiento",
            "fecha nac.", "f. nac.", "data di nascita", "nato il", "nata il", "data nascita"),
    "sex": ("sex", "gender", "geschlecht", "sexe", "sexo", "sesso"),
    "age_sex": ("age/sex", "age / sex", "sex/age", "alter/geschlecht", "edad/sexo"),
    "mrn": ("mrn", "medical record number", "medical record #", "medical record no",
            "mr#", "mr #", "patient id", "patient #", "chart #", "record #", "pat.-nr.", "pat.-nr",
            "patienten-nr.", "patienten-nr", "patientennummer", "n° dossier", "no dossier",
            "numéro de dossier", "n° patient", "ipp", "historia clínica", "nhc", "n° historia",
            "id paciente", "codice paziente", "n. cartella", "cartella"),
    "collected": ("collected", "collection date", "date collected", "specimen collected",
                  "collected on", "collection date/time", "collection", "date of collection",
                  "specimen date", "sample date", "drawn", "date drawn", "sample collected",
                  "entnahme", "entnahmedatum", "abnahme", "abnahmedatum", "probenentnahme",
                  "entnahmezeit", "prélevé le", "prélèvement", "date de prélèvement",
                  "date du prélèvement", "fecha de extracción", "fecha extracción", "fecha de toma",
                  "extracción", "data prelievo", "prelievo", "data del prelievo", "prelevato il"),
    "reported": ("reported", "report date", "date reported", "reported on", "resulted",
                 "result date", "report status date", "final report date", "printed",
                 "befunddatum", "befund vom", "ausgangsdatum", "berichtsdatum", "édité le",
                 "date d'édition", "validé le", "date du compte rendu", "compte rendu du",
                 "fecha de informe", "fecha informe", "fecha de emisión", "fecha de validación",
                 "data referto", "data di refertazione", "refertato il"),
    "received": ("received", "date received", "received on", "eingang", "eingangsdatum",
                 "reçu le", "réception", "fecha de recepción", "recepción", "data accettazione"),
    "provider": ("ordering provider", "ordering physician", "ordering doctor", "ordered by",
                 "referring physician", "referring provider", "physician", "provider",
                 "doctor", "requesting physician", "requested by", "referred by", "ordering",
                 "einsender", "auftraggeber", "anfordernder arzt", "überweiser", "behandelnder arzt",
                 "prescripteur", "médecin prescripteur", "médecin", "médico solicitante",
                 "médico", "solicitante", "medico richiedente", "richiedente"),
    "lab": ("laboratory", "lab", "performing lab", "performing laboratory", "lab name",
            "labor", "laboratoire", "laboratorio"),
    "account": ("account", "account #", "acct #", "specimen id", "accession", "accession #",
                "age", "phone", "address", "fax", "page", "status", "specimen", "fasting",
                "location", "ward", "alter", "âge", "edad", "età", "station", "service",
                "servicio", "reparto", "auftrag", "auftragsnr.", "n° demande", "petición",
                "tel", "tél", "telefon", "adresse", "dirección", "indirizzo"),
}
# Labels in English; a report labelled in another language writes dates day first.
_ENGLISH = {lab for labs in LABELS.values() for lab in labs if lab.isascii()} - {
    "nom", "nombre", "nome", "paciente", "paziente", "patientin", "geb.", "sexo", "sesso", "sexe",
    "geschlecht", "ipp", "nhc", "labor", "alter", "edad", "station", "service", "cartella", "tel",
    "telefon", "adresse", "auftrag", "auftragsnr.", "eingang", "einsender", "entnahme", "abnahme",
    "prelievo", "prescripteur", "solicitante", "richiedente", "laboratorio", "laboratoire", "servicio",
    "reparto", "befunddatum", "geburtsdatum", "pat.-nr.", "pat.-nr", "patienten-nr.", "patienten-nr",
    "patientennummer", "no dossier", "entnahmedatum", "abnahmedatum", "probenentnahme", "entnahmezeit",
    "ausgangsdatum", "berichtsdatum", "befund vom", "geboren am", "geb.-datum", "geb. datum",
    "fecha de nacimiento", "f. nacimiento", "fecha nac.", "f. nac.", "data di nascita", "nato il",
    "nata il", "data nascita", "id paciente", "codice paziente", "n. cartella", "fecha de toma",
    "data prelievo", "data del prelievo", "prelevato il", "fecha informe", "fecha de informe",
    "data referto", "data di refertazione", "refertato il", "data accettazione", "anfordernder arzt",
    "behandelnder arzt", "medico richiedente", "name, vorname", "nom du patient", "nom patient",
    "nom de naissance", "nombre del paciente", "apellidos y nombre", "nombre y apellidos",
    "cognome e nome", "alter/geschlecht", "edad/sexo", "compte rendu du", "date d'edition",
}
_ALL = sorted(((lab, field) for field, labs in LABELS.items() for lab in labs),
              key=lambda p: -len(p[0]))
_LABEL_RE = re.compile(
    r"(?<![^\W\d_])(" + "|".join(re.escape(lab) for lab, _ in _ALL) + r")\s*(?::|#(?=\s*\w)|-(?=\s))",
    re.IGNORECASE,
)
_FIELD = {lab: field for lab, field in _ALL}

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MON = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_MONTHS_INTL = {
    **{m: i + 1 for i, ms in enumerate([
        ("januar", "janvier", "enero", "gennaio", "jänner"), ("februar", "fevrier", "février", "febrero", "febbraio"),
        ("märz", "maerz", "mars", "marzo"), ("april", "avril", "abril", "aprile"), ("mai", "mayo", "maggio"),
        ("juni", "juin", "junio", "giugno"), ("juli", "juillet", "julio", "luglio"),
        ("august", "août", "aout", "agosto"), ("september", "septembre", "septiembre", "settembre"),
        ("oktober", "octobre", "octubre", "ottobre"), ("november", "novembre", "noviembre"),
        ("dezember", "décembre", "decembre", "diciembre", "dicembre"),
    ]) for m in ms},
}
_MON_INTL = r"(?P<mon>" + "|".join(sorted(_MONTHS_INTL, key=len, reverse=True)) + r")"
_DATE_PATTERNS = [
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d{2})\b"),
    re.compile(r"(?P<a>\d{1,2})[/-](?P<b>\d{1,2})[/-](?P<y>\d{4}|\d{2})\b"),
    re.compile(_MON + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})", re.IGNORECASE),
    re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s-]+" + _MON + r"[\s,-]+(?P<y>\d{4})", re.IGNORECASE),
    re.compile(r"(?P<d>\d{1,2})\.?\s+(?:de\s+)?" + _MON_INTL + r"\.?\s+(?:de\s+)?(?P<y>\d{4})", re.IGNORECASE),
]
_LAB_WORDS = re.compile(
    r"\b(laborator(?:y|ies)|lab|labs|diagnostics?|patholog(?:y|ists?)|clinical|medical center)\b",
    re.IGNORECASE,
)


def parse_date(text: str, *, birth: bool = False, day_first: bool = False) -> date | None:
    """The first date in ``text``; ``MM/DD/YYYY`` unless the first part cannot be a month
    or ``day_first`` (the report's convention, see :func:`day_first_convention`).

    Two-digit years are put in the past century when that would make a birth date lie in
    the future (``02/14/80`` -> 1980).
    """
    for pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        g = m.groupdict()
        try:
            if "a" in g and g.get("a") is not None:
                a, b = int(g["a"]), int(g["b"])
                if day_first:
                    month, day = (b, a) if b <= 12 else (a, b)
                else:
                    month, day = (a, b) if a <= 12 else (b, a)
            elif g.get("mon"):
                mon = g["mon"].lower()
                month = _MONTHS_INTL.get(mon) or _MONTHS[mon[:3]]
                day = int(g["d"])
            else:
                month, day = int(g["m"]), int(g["d"])
            year = _year(int(g["y"]), len(g["y"]), birth)
            return date(year, month, day)
        except ValueError:
            continue
    return None


def _year(y: int, digits: int, birth: bool) -> int:
    if digits == 4:
        return y
    # Two-digit years: this century unless that lies in the future (a birth date) or
    # more than a year ahead (a collection date).
    latest = date.today().year + (0 if birth else 1)
    return 2000 + y if 2000 + y <= latest else 1900 + y


def parse_sex(text: str) -> str | None:
    t = text.strip().lower()
    for token in re.split(r"[\s/,]+", t):
        if token in ("f", "female", "w", "woman", "weiblich", "femenino", "femme"):
            return "female"
        if token in ("m", "male", "man", "männlich", "masculino", "homme"):
            return "male"
        if token in ("x", "other", "nonbinary", "non-binary", "intersex"):
            return "other"
    return None


def parse_person_name(text: str) -> str | None:
    """``DOE, JANE Q`` -> ``Jane Q Doe``; ``Jane Q Doe`` unchanged."""
    t = " ".join(text.replace("\u00a0", " ").split()).strip(" ,;:")
    if not t or not re.search(r"[A-Za-z]", t):
        return None
    if t.count(",") == 1:
        last, first = (p.strip() for p in t.split(","))
        if last and first and not re.search(r"\b(md|do|phd|np|pa|rn)\b\.?", first, re.I):
            t = f"{first} {last}"
    parts = t.split()
    caps = [p.isupper() and len(p) > 1 for p in parts]
    if 0 < sum(caps) < len(parts) and caps[0] and all(caps[: sum(caps)]) and "," not in t:
        # "DUPONT Marie": the family name in capitals first, as French and Italian
        # reports print it.
        k = sum(caps)
        parts = parts[k:] + parts[:k]
    if all(p.isupper() for p in parts if len(p) > 1) or any(caps):
        parts = [p.capitalize() if p.isupper() and len(p) > 1 else p for p in parts]
    return " ".join(parts)


def labelled_fields(lines: list[Line], labels_seen: set[str] | None = None) -> dict[str, str]:
    """First value seen for each field, in reading order."""
    found: dict[str, str] = {}
    for line in lines:
        for seg_text in _header_chunks(line):
            matches = list(_LABEL_RE.finditer(seg_text))
            for i, m in enumerate(matches):
                label = m.group(1).lower()
                field = _FIELD[label]
                if labels_seen is not None:
                    labels_seen.add(label)
                end = matches[i + 1].start() if i + 1 < len(matches) else len(seg_text)
                value = seg_text[m.end() : end].strip(" :#-|\t")
                if value and field not in found:
                    found[field] = value
    return found


def _header_chunks(line: Line) -> list[str]:
    """The line's text, cut where a wide gap starts a new labelled field (two-column
    header blocks), so an unlabelled value never runs into the next column."""
    if not line.segments:
        return [line.text]
    chunks: list[str] = []
    for seg in line.segments:
        if chunks and not _LABEL_RE.match(seg.text):
            chunks[-1] = f"{chunks[-1]} {seg.text}"
        else:
            chunks.append(seg.text)
    return chunks


_SLASH_DATE = re.compile(r"(?<!\d)(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})(?!\d)")


def day_first_convention(lines: list[Line], labels_seen: set[str]) -> bool:
    """Whether ``04/03/2025`` means 4 March on this report: a date elsewhere on it that
    can only be read one way decides; otherwise labels in another language than English
    (Europe and Latin America write the day first)."""
    for line in lines:
        for a, b, _ in _SLASH_DATE.findall(line.text):
            if int(a) > 12 >= int(b):
                return True
            if int(b) > 12 >= int(a):
                return False
    return any(label not in _ENGLISH for label in labels_seen)


def parse_header(lines: list[Line]) -> tuple[Patient, Report]:
    labels: set[str] = set()
    fields = labelled_fields(lines, labels)
    day_first = day_first_convention(lines, labels)
    sex = parse_sex(fields["sex"]) if "sex" in fields else None
    if sex is None and "age_sex" in fields:
        sex = parse_sex(fields["age_sex"])
    patient = Patient(
        name=parse_person_name(fields["name"]) if "name" in fields else None,
        date_of_birth=parse_date(fields["dob"], birth=True, day_first=day_first) if "dob" in fields else None,
        sex=sex,
        mrn=_identifier(fields.get("mrn")),
    )
    report = Report(
        lab_name=_clean(fields.get("lab")) or _lab_from_letterhead(lines),
        collected_at=parse_date(fields["collected"], day_first=day_first) if "collected" in fields else None,
        reported_at=parse_date(fields["reported"], day_first=day_first) if "reported" in fields else None,
        ordering_provider=_clean(fields.get("provider")),
    )
    return patient, report


def _identifier(text: str | None) -> str | None:
    if not text:
        return None
    token = text.split()[0].strip(".,;")
    return token or None


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    return " ".join(text.split()).strip(" ,;") or None


def _lab_from_letterhead(lines: list[Line]) -> str | None:
    """Unlabelled lab name: a line near the top of page 1 that names a laboratory."""
    first_page = [ln for ln in lines if ln.page == 1]
    if not first_page:
        return None
    for line in first_page[:8]:
        if _LABEL_RE.search(line.text):
            continue
        seg = line.segments[0].text if line.segments else line.text
        if _LAB_WORDS.search(seg) and not re.search(r"\d", seg):
            return " ".join(seg.split())
    return None

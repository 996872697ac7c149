"""Eight visually different report layouts, drawn with reportlab from a :class:`Spec`.

They differ the way real reports differ: fonts (proportional, monospaced, serif), with
or without a table header, column order, where flags go (a column, an ``H``/``L``
suffix, an asterisk, bold type, words), one or two columns of panels, pages with
repeated headers and footers, languages, date formats, decimal commas and SI units.
The parser never sees these names: it must read every layout from the page alone.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfgen import canvas

from bench.corpus.spec import Row, Spec, make_spec

_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_MONTHS_LONG = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"]


class Pdf:
    def __init__(self, size=letter) -> None:
        self.buf = io.BytesIO()
        self.c = canvas.Canvas(self.buf, pagesize=size, invariant=1)
        self.w, self.h = size
        self.page = 1

    def text(self, x, y, s, font="Helvetica", size=9.0, *, right=False, colour=None) -> None:
        self.c.setFont(font, size)
        if colour is not None:
            self.c.setFillColorRGB(*colour)
        if right:
            self.c.drawRightString(x, self.h - y, s)
        else:
            self.c.drawString(x, self.h - y, s)
        if colour is not None:
            self.c.setFillColorRGB(0, 0, 0)

    def line(self, x0, y0, x1, y1, width=0.5) -> None:
        self.c.setLineWidth(width)
        self.c.line(x0, self.h - y0, x1, self.h - y1)

    def box(self, x, y, w, h, fill=None) -> None:
        if fill is not None:
            self.c.setFillGray(fill)
            self.c.rect(x, self.h - y - h, w, h, stroke=0, fill=1)
            self.c.setFillGray(0)
        else:
            self.c.rect(x, self.h - y - h, w, h, stroke=1, fill=0)

    def new_page(self) -> None:
        self.c.showPage()
        self.page += 1

    def bytes(self) -> bytes:
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


def _us(d) -> str:
    return f"{d.month:02d}/{d.day:02d}/{d.year}"


def _flag_letter(r: Row) -> str:
    return {"high": "H", "low": "L"}.get(r.flag, "")


def _unit(r: Row) -> str:
    return r.unit_printed


# --- 1. reference lab: table with a flag column ------------------------------------------------


def reference_lab(seed: int = 101) -> tuple[Spec, bytes]:
    s = make_spec("reference_lab", seed, lang="en", si=False, comma=False, lab="Northwind Clinical Laboratories",
                  provider="Dr. Alan Smithee", middle=True,
                  panels=[("cbc", "COMPLETE BLOOD COUNT"), ("cmp", "COMPREHENSIVE METABOLIC PANEL"),
                          ("lipid", "LIPID PANEL")])
    p = Pdf()
    p.text(40, 40, s.lab, "Helvetica-Bold", 15)
    p.text(40, 54, "1200 Example Parkway, Springfield  |  CLIA 00D0000000  |  Tel 555-0100", size=7.5)
    p.line(40, 62, 572, 62, 1)
    name = f"{s.last.upper()}, {s.first.upper()}" + (f" {s.middle}" if s.middle else "")
    left = [("Patient Name:", name), ("DOB:", _us(s.dob)), ("Sex:", s.sex.capitalize()), ("Patient ID:", s.mrn)]
    right = [("Collected:", _us(s.collected) + " 08:12"), ("Received:", _us(s.collected) + " 11:40"),
             ("Reported:", _us(s.reported) + " 16:05"), ("Ordering Physician:", s.provider)]
    for i, ((la, va), (lb, vb)) in enumerate(zip(left, right)):
        y = 80 + i * 13
        p.text(40, y, la, "Helvetica-Bold", 8.5)
        p.text(120, y, va, size=8.5)
        p.text(320, y, lb, "Helvetica-Bold", 8.5)
        p.text(410, y, vb, size=8.5)
    cols = {"TEST": 40, "RESULT": 230, "FLAG": 295, "UNITS": 335, "REFERENCE INTERVAL": 440}
    y = 146
    p.box(38, y - 10, 536, 14, fill=0.88)
    for label, x in cols.items():
        p.text(x, y, label, "Helvetica-Bold", 8)
    section = None
    for r in s.rows:
        if r.section != section:
            section = r.section
            y += 17
            p.text(40, y, section, "Helvetica-Bold", 8.5)
        y += 12.5
        p.text(cols["TEST"] + 8, y, r.name, size=8.5)
        p.text(cols["RESULT"], y, r.value_text, size=8.5)
        p.text(cols["FLAG"], y, _flag_letter(r), "Helvetica-Bold", 8.5)
        p.text(cols["UNITS"], y, _unit(r), size=8.5)
        p.text(cols["REFERENCE INTERVAL"], y, r.range_text, size=8.5)
    p.line(40, y + 10, 572, y + 10)
    p.text(40, y + 24, "Flags: H = above reference interval, L = below reference interval.", size=7)
    p.text(40, 770, "Synthetic report generated for testing. Not a real patient.", size=6.5)
    return s, p.bytes()


# --- 2. hospital printout, monospaced, H/L suffix ----------------------------------------------


def hospital_mono(seed: int = 202) -> tuple[Spec, bytes]:
    s = make_spec("hospital_mono", seed, lang="en", si=False, comma=False, lab="ST. EXAMPLE GENERAL HOSPITAL LABORATORY",
                  provider="SMITHEE, ALAN MD",
                  panels=[("cmp", "CHEMISTRY"), ("coag", "COAGULATION"), ("thyroid", "ENDOCRINOLOGY"),
                          ("iron", "IRON STUDIES")])
    s.provider = "Alan Smithee MD"
    p = Pdf()
    f, size, lh = "Courier", 8.5, 11.0
    mon = lambda d: f"{d.day:02d}-{_MONTHS_EN[d.month - 1].upper()}-{d.year}"  # noqa: E731
    lines = [
        s.lab,
        "DEPARTMENT OF PATHOLOGY - CUMULATIVE REPORT",
        "=" * 92,
        f"PATIENT: {s.last.upper()}, {s.first.upper()}".ljust(46) + f"MRN: {s.mrn}",
        f"DOB: {_us(s.dob)}   SEX: {s.sex[0].upper()}".ljust(46) + "LOCATION: WARD 4B",
        f"COLLECTED: {mon(s.collected)} 06:30".ljust(46) + f"RECEIVED: {mon(s.collected)} 07:02",
        "ORDERING: SMITHEE, ALAN MD".ljust(46) + f"REPORTED: {mon(s.reported)} 09:15",
        "=" * 92,
        "TEST".ljust(28) + "RESULT".ljust(14) + "UNITS".ljust(16) + "REF RANGE",
        "-" * 92,
    ]
    section = None
    for r in s.rows:
        if r.section != section:
            section = r.section
            lines.append("")
            lines.append(f"*** {section} ***")
        value = r.value_text + (" " + _flag_letter(r) if _flag_letter(r) else "")
        lines.append(r.name.upper()[:27].ljust(28) + value.ljust(14) + _unit(r).ljust(16) + r.range_text)
    lines += ["-" * 92, "H=HIGH  L=LOW", "*** END OF REPORT ***"]
    y = 40
    for ln in lines:
        p.text(36, y, ln, f, size)
        y += lh
    return s, p.bytes()


# --- 3. clinic letter, loose table without header, asterisks -----------------------------------


def clinic_letter(seed: int = 303) -> tuple[Spec, bytes]:
    s = make_spec("clinic_letter", seed, lang="en", si=False, comma=False, lab="Maple Street Family Clinic Lab",
                  provider="Dr. Rosa Example",
                  panels=[("cbc_short", "Blood count"), ("diabetes", "Diabetes"), ("lipid", "Cholesterol"),
                          ("vitamins", "Vitamins"), ("inflammation", "Inflammation")])
    p = Pdf()
    tr, tb = "Times-Roman", "Times-Bold"
    long = lambda d: f"{_MONTHS_LONG[d.month - 1]} {d.day}, {d.year}"  # noqa: E731
    p.text(72, 60, s.lab, tb, 14)
    p.text(72, 75, "45 Maple Street, Smalltown", tr, 9)
    p.text(72, 110, long(s.reported), tr, 10.5)
    p.text(72, 140, f"Patient: {s.first} {s.last}", tr, 10.5)
    p.text(72, 154, f"Date of birth: {long(s.dob)}", tr, 10.5)
    p.text(300, 154, f"Gender: {s.sex.capitalize()}", tr, 10.5)
    p.text(72, 168, f"Chart #: {s.mrn}", tr, 10.5)
    p.text(72, 182, f"Sample collected: {_MONTHS_EN[s.collected.month - 1]} {s.collected.day}, {s.collected.year}", tr, 10.5)
    p.text(72, 196, f"Requested by: {s.provider}", tr, 10.5)
    p.text(72, 226, "Dear colleague,", tr, 10.5)
    p.text(72, 240, "please find below the laboratory results for the patient named above.", tr, 10.5)
    y = 262
    section = None
    for r in s.rows:
        if r.section != section:
            section = r.section
            y += 10
            p.text(72, y, section, tb, 10.5)
            y += 4
        y += 14
        star = " *" if r.flag in ("high", "low", "abnormal") else ""
        p.text(90, y, r.name, tr, 10.5)
        p.text(250, y, r.value_text + star, tr, 10.5)
        p.text(300, y, _unit(r), tr, 10.5)
        p.text(380, y, f"({r.range_text})", tr, 10.5)
    y += 28
    p.text(72, y, "Results marked * are outside the reference range.", tr, 9.5)
    p.text(72, y + 30, "Kind regards,", tr, 10.5)
    p.text(72, y + 44, s.provider, tr, 10.5)
    return s, p.bytes()


# --- 4. two columns of panels, bold flags ------------------------------------------------------


def two_column(seed: int = 404) -> tuple[Spec, bytes]:
    s = make_spec("two_column", seed, lang="en", si=False, comma=False, lab="Harbor Diagnostics",
                  provider="Dr. Mei Placeholder", middle=True,
                  panels=[("cbc", "HEMATOLOGY"), ("liver", "LIVER PANEL"), ("lipid", "LIPIDS"),
                          ("thyroid", "THYROID"), ("kidney_extra", "KIDNEY"), ("tumour", "TUMOR MARKERS")])
    p = Pdf()
    for r in s.rows:  # a narrow name column: long spellings would run into the result
        if p.c.stringWidth(r.name, "Helvetica", 7.8) > 98:
            r.name = r.test.names["en"]
    p.text(40, 40, s.lab, "Helvetica-Bold", 16)
    p.text(430, 40, "LABORATORY REPORT", "Helvetica-Bold", 10)
    p.box(40, 52, 532, 44)
    p.text(48, 66, f"Name: {s.first} {s.middle + ' ' if s.middle else ''}{s.last}", size=8.5)
    p.text(230, 66, f"DOB: {s.dob.isoformat()}", size=8.5)
    p.text(350, 66, f"Sex: {s.sex[0].upper()}", size=8.5)
    p.text(440, 66, f"MRN: {s.mrn}", size=8.5)
    p.text(48, 84, f"Collection Date: {s.collected.isoformat()}", size=8.5)
    p.text(230, 84, f"Report Date: {s.reported.isoformat()}", size=8.5)
    p.text(350, 84, f"Physician: {s.provider}", size=8.5)
    col_x = [40, 312]
    cells = [0, 105, 148, 205]  # name, result, unit, range offsets; column is 260 pt wide
    half = (len(s.rows) + 1) // 2
    # Keep panels whole: split at the panel boundary nearest the middle.
    bounds = [i for i in range(1, len(s.rows)) if s.rows[i].section != s.rows[i - 1].section]
    split = min(bounds, key=lambda i: abs(i - half))
    for ci, rows in enumerate((s.rows[:split], s.rows[split:])):
        x = col_x[ci]
        y = 118
        p.box(x, y - 10, 260, 14, fill=0.85)
        for label, dx in zip(("Test", "Result", "Units", "Range"), cells):
            p.text(x + dx + 3, y, label, "Helvetica-Bold", 8)
        section = None
        for r in rows:
            if r.section != section:
                section = r.section
                y += 16
                p.text(x + 3, y, section, "Helvetica-Bold", 8)
            y += 11.5
            bold = r.flag in ("high", "low")
            p.text(x + 3, y, r.name, size=7.8)
            p.text(x + cells[1] + 3, y, r.value_text, "Helvetica-Bold" if bold else "Helvetica", 7.8)
            p.text(x + cells[2] + 3, y, _unit(r), size=7.8)
            p.text(x + cells[3] + 3, y, r.range_text, size=7.8)
    p.line(306, 108, 306, 700, 0.3)
    p.text(40, 740, "Values in bold type are outside the reference range.", size=7.5)
    return s, p.bytes()


# --- 5. multi-page with repeated page headers and footers, wrapped names -----------------------


def multipage(seed: int = 505) -> tuple[Spec, bytes]:
    s = make_spec("multipage", seed, lang="en", si=False, comma=False, lab="Lakeside Regional Medical Laboratory",
                  provider="Dr. Priya Nobody",
                  panels=[("cbc", "HEMATOLOGY"), ("cmp", "CHEMISTRY"), ("lipid", "LIPIDS"),
                          ("iron", "IRON"), ("vitamins", "VITAMINS"), ("coag", "COAGULATION"),
                          ("hormones", "HORMONES"), ("urine", "URINALYSIS")])
    s.first_page_only = {"sex", "collected_at", "reported_at", "ordering_provider"}
    for r in s.rows:  # the long names that wrap in the narrow name column
        if r.test.key in ("alt", "ast"):
            r.name = {"alt": "Alanine Aminotransferase (ALT/SGPT)", "ast": "Aspartate Aminotransferase (AST/SGOT)"}[r.test.key]
        if r.test.key == "tibc":
            r.name = "Total Iron Binding Capacity"
    p = Pdf()
    per_page = 26
    pages = [s.rows[i:i + per_page] for i in range(0, len(s.rows), per_page)]
    cols = {"Component": 40, "Your Value": 190, "Standard Range": 270, "Units": 380, "Flag": 470}

    def page_header(n: int) -> float:
        p.text(40, 36, s.lab, "Helvetica-Bold", 12)
        p.text(572, 36, f"Page {n} of {len(pages)}", size=8, right=True)
        p.text(40, 52, f"Patient: {s.first} {s.last}    DOB: {_us(s.dob)}    MRN: {s.mrn}", size=8)
        if n == 1:
            p.text(40, 66, f"Sex: {s.sex.capitalize()}    Specimen Collected: {_us(s.collected)}    "
                           f"Report Date: {_us(s.reported)}", size=8)
            p.text(40, 80, f"Ordering Provider: {s.provider}", size=8)
        p.line(40, 88, 572, 88)
        y = 104
        for label, x in cols.items():
            p.text(x, y, label, "Helvetica-Bold", 8.5)
        p.line(40, y + 4, 572, y + 4, 0.3)
        return y

    def footer(n: int) -> None:
        p.line(40, 752, 572, 752, 0.3)
        p.text(40, 764, f"CONFIDENTIAL - {s.lab} - printed {_us(s.reported)}", size=7)
        p.text(572, 764, f"Page {n} of {len(pages)}", size=7, right=True)

    for n, rows in enumerate(pages, start=1):
        if n > 1:
            p.new_page()
        y = page_header(n)
        section = None
        for r in rows:
            r.page = n
            if r.section != section:
                section = r.section
                y += 16
                p.text(40, y, section + (" (continued)" if n > 1 and rows is pages[n - 1] and r is rows[0]
                                         and _continues(pages, n) else ""), "Helvetica-Bold", 8.5)
            y += 13
            words = r.name.split()
            first, rest = r.name, ""
            if p.c.stringWidth(r.name, "Helvetica", 8.5) > 140:
                for k in range(len(words) - 1, 0, -1):
                    head = " ".join(words[:k])
                    if p.c.stringWidth(head, "Helvetica", 8.5) <= 140:
                        first, rest = head, " ".join(words[k:])
                        break
            p.text(cols["Component"], y, first, size=8.5)
            p.text(cols["Your Value"], y, r.value_text, size=8.5)
            p.text(cols["Standard Range"], y, r.range_text, size=8.5)
            p.text(cols["Units"], y, _unit(r), size=8.5)
            p.text(cols["Flag"], y, {"high": "High", "low": "Low", "abnormal": "Abnormal"}.get(r.flag, ""), size=8.5)
            if rest:
                y += 10
                p.text(cols["Component"] + 6, y, rest, size=8.5)
        footer(n)
    return s, p.bytes()


def _continues(pages, n) -> bool:
    return pages[n - 2][-1].section == pages[n - 1][0].section


# --- 6. European (German): SI units, decimal commas, DD.MM.YYYY, +/- flags ------------------


def european_de(seed: int = 606) -> tuple[Spec, bytes]:
    s = make_spec("european_de", seed, lang="de", si=True, comma=True, lab="Labor Dr. Beispiel & Kollegen MVZ",
                  provider="Dr. med. Hans Beispiel",
                  panels=[("cbc", "Hämatologie"), ("bmp_si", "Klinische Chemie"), ("liver", "Leber"),
                          ("lipid", "Fettstoffwechsel"), ("thyroid", "Schilddrüse"), ("inflammation", "Entzündung")])
    p = Pdf(A4)
    de = lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}"  # noqa: E731
    p.text(40, 40, s.lab, "Helvetica-Bold", 14)
    p.text(40, 54, "Beispielstraße 12, 12345 Musterstadt  ·  Tel. 01234 56789", size=7.5)
    p.box(40, 64, 515, 58)
    p.text(48, 78, f"Patient: {s.last}, {s.first}", "Helvetica-Bold", 9)
    p.text(48, 92, f"Geb.-Datum: {de(s.dob)}", size=9)
    p.text(48, 106, f"Geschlecht: {'weiblich' if s.sex == 'female' else 'männlich'}", size=9)
    p.text(48, 118, f"Pat.-Nr.: {s.mrn}", size=8)
    p.text(310, 78, f"Entnahme: {de(s.collected)} 07:45", size=9)
    p.text(310, 92, f"Befunddatum: {de(s.reported)}", size=9)
    p.text(310, 106, f"Einsender: {s.provider}", size=9)
    cols = {"Untersuchung": 40, "Ergebnis": 210, "": 268, "Einheit": 290, "Referenzbereich": 390}
    y = 144
    for label, x in cols.items():
        p.text(x, y, label, "Helvetica-Bold", 8.5)
    p.line(40, y + 4, 555, y + 4)
    section = None
    for r in s.rows:
        if r.section != section:
            section = r.section
            y += 17
            p.text(40, y, section, "Helvetica-BoldOblique", 9)
        y += 12
        p.text(48, y, r.name, size=8.5)
        p.text(250, y, r.value_text, size=8.5, right=True)
        p.text(268, y, {"high": "+", "low": "-"}.get(r.flag, ""), "Helvetica-Bold", 8.5)
        p.text(290, y, _unit(r), size=8.5)
        p.text(390, y, r.range_text, size=8.5)
    p.text(40, y + 24, "+ = erhöht, - = erniedrigt. Befund elektronisch freigegeben.", size=7.5)
    return s, p.bytes()


# --- 7. French, qualitative urinalysis, asterisk flags, DD/MM/YYYY -----------------------------


def french_urine(seed: int = 707) -> tuple[Spec, bytes]:
    s = make_spec("french_urine", seed, lang="fr", si=True, comma=True,
                  lab="Laboratoire de Biologie Médicale des Exemples", provider="Dr Jean Exemple",
                  panels=[("cbc_short", "HÉMATOLOGIE"), ("bmp_si", "BIOCHIMIE"), ("urine", "BANDELETTE URINAIRE")],
                  abnormal_rate=0.3)
    p = Pdf(A4)
    fr = lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}"  # noqa: E731
    p.text(297, 40, s.lab, "Helvetica-Bold", 13, right=False)
    p.text(40, 40, "LBM", "Helvetica-Bold", 22)
    p.text(297, 54, "3 rue de l'Exemple, 75000 Paris", size=8)
    p.text(40, 90, f"Nom : {s.last.upper()} {s.first}", "Helvetica-Bold", 9.5)
    p.text(40, 104, f"Né(e) le : {fr(s.dob)}", size=9)
    p.text(40, 118, f"Sexe : {'F' if s.sex == 'female' else 'M'}", size=9)
    p.text(300, 90, f"N° dossier : {s.mrn}", size=9)
    p.text(300, 104, f"Prélevé le : {fr(s.collected)} à 08h10", size=9)
    p.text(300, 118, f"Édité le : {fr(s.reported)}", size=9)
    p.text(300, 132, f"Prescripteur : {s.provider}", size=9)
    cols = {"Analyse": 40, "Résultat": 230, "Unités": 320, "Valeurs de référence": 410}
    y = 160
    p.box(38, y - 10, 520, 14, fill=0.9)
    for label, x in cols.items():
        p.text(x, y, label, "Helvetica-Bold", 8.5)
    section = None
    for r in s.rows:
        if r.section != section:
            section = r.section
            y += 18
            p.text(40, y, section, "Helvetica-Bold", 9)
            p.line(40, y + 3, 200, y + 3, 0.3)
        y += 12.5
        star = "*" if r.flag in ("high", "low", "abnormal") else ""
        p.text(48, y, r.name, size=8.5)
        p.text(230, y, r.value_text + (" " + star if star else ""), "Helvetica-Bold" if star else "Helvetica", 8.5)
        p.text(320, y, _unit(r), size=8.5)
        p.text(410, y, r.range_text, size=8.5)
    p.text(40, y + 26, "* : résultat en dehors des valeurs de référence.", size=7.5)
    return s, p.bytes()


# --- 8. Spanish portal printout: grid, glued H/L, value before range ---------------------------


def spanish_grid(seed: int = 808) -> tuple[Spec, bytes]:
    s = make_spec("spanish_grid", seed, lang="es", si=False, comma=True, lab="Laboratorio Clínico Ejemplo",
                  provider="Dr. Luis Ejemplo",
                  panels=[("cbc", "HEMOGRAMA"), ("cmp", "BIOQUÍMICA"), ("iron", "PERFIL DE HIERRO"),
                          ("coag", "COAGULACIÓN")])
    p = Pdf(A4)
    es = lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}"  # noqa: E731
    p.box(0, 0, 595, 70, fill=0.25)
    p.c.setFillGray(1)
    p.text(40, 40, s.lab, "Helvetica-Bold", 16)
    p.c.setFillGray(0)
    p.text(40, 92, f"Paciente: {s.last}, {s.first}", "Helvetica-Bold", 9)
    p.text(40, 106, f"Fecha de nacimiento: {es(s.dob)}", size=9)
    p.text(40, 120, f"Sexo: {'Femenino' if s.sex == 'female' else 'Masculino'}", size=9)
    p.text(310, 92, f"Historia clínica: {s.mrn}", size=9)
    p.text(310, 106, f"Fecha de extracción: {es(s.collected)}", size=9)
    p.text(310, 120, f"Fecha de informe: {es(s.reported)}", size=9)
    p.text(40, 134, f"Médico solicitante: {s.provider}", size=9)
    xs = [40, 215, 300, 390, 555]
    y = 160
    p.box(40, y - 11, 515, 15, fill=0.8)
    for label, x in zip(("Prueba", "Resultado", "Unidades", "Valores de referencia"), xs):
        p.text(x + 4, y, label, "Helvetica-Bold", 8.5)
    section = None
    for r in s.rows:
        if r.section != section:
            section = r.section
            y += 17
            p.text(44, y, section, "Helvetica-Bold", 8.5)
            y += 2
        y += 13
        for x in xs:
            p.line(x, y - 10, x, y + 3, 0.25)
        p.line(40, y + 3, 555, y + 3, 0.25)
        p.text(xs[0] + 4, y, r.name, size=8.3)
        p.text(xs[1] + 4, y, r.value_text + _flag_letter(r), size=8.3)
        p.text(xs[2] + 4, y, _unit(r), size=8.3)
        p.text(xs[3] + 4, y, r.range_text, size=8.3)
    p.text(40, y + 24, "H: valor superior al de referencia. L: valor inferior al de referencia.", size=7.5)
    return s, p.bytes()


LAYOUTS: dict[str, Callable[[], tuple[Spec, bytes]]] = {
    "reference_lab": reference_lab,
    "hospital_mono": hospital_mono,
    "clinic_letter": clinic_letter,
    "two_column": two_column,
    "multipage": multipage,
    "european_de": european_de,
    "french_urine": french_urine,
    "spanish_grid": spanish_grid,
}

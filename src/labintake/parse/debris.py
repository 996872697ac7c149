"""Lines that look like result rows but are not: interpretation and risk-group tables,
notes under a result.

Labs print the meaning of a value beside or under it ("Desirable  < 200 mg/dL",
"Prediabetes  5.7 - 6.4 %", "| Extreme | 50"). Such a line has a number and often a
unit or a range, so it reads like a row; what gives it away is its label, which names
a category of the value rather than something measured. No analyte is called
"Optimal" or "High risk", so a label made only of such words is never a result.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from labintake.parse import values
from labintake.parse.columns import join_cjk
from labintake.parse.lines import Line

# Words that name a category of a value (folded, lower case). Kept to words that are
# never, alone or together, the name of an analyte.
_CATEGORY_WORDS = frozenset("""
    optimal near above desirable undesirable borderline high low very moderate extreme extremely
    risk group average elevated normal abnormal increased decreased reduced ideal acceptable
    deficiency deficient insufficiency insufficient sufficiency sufficient toxicity toxic
    prediabetes pre-diabetes prediabetic diabetes diabetic non-diabetic nondiabetic adult adults
    child children men women male female optimum target goal range ranges category level levels
    interpretation remark remarks note notes mild severe severely poor good excellent controlled
    uncontrolled control fair action suggested recommended intermediate cut-off cutoff cut off
    negative positive equivocal indeterminate grey zone gray and or to of in the for with
    hoch niedrig erhoht erniedrigt grenzwertig wunschenswert optimal risiko mittel
    eleve bas limite souhaitable risque moyen faible
    alto bajo limite deseable riesgo moderado
    alto basso desiderabile rischio
""".split())  # noqa: SIM905 - a word list reads best as text


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def is_interpretation_label(name: str) -> bool:
    """True when ``name`` only names a category of the value ("Borderline high",
    "Low risk", "Vitamin D deficiency" is not: it names an analyte too)."""
    words = [w for w in re.split(r"[^a-z\-]+", _fold(name)) if w and w != "-"]
    return bool(words) and all(w in _CATEGORY_WORDS for w in words)


# Headings of a table that explains values rather than reports them.
_NOTES_HEADING = re.compile(
    r"\b(?:interpretation|interpretations|risk group|risk groups|risk category|risk level|category|categories|"
    r"decision limits?|clinical significance|interpretation guide|interpretacion|interpretação|interpretacao|"
    r"interpretazione|beurteilung|interpretatie|yorum|interpretacja|grupa ryzyka|risiko|risque|riesgo)\b"
    r"|(?:\bin\s+%\s*$)|解释|临床意义",
    re.IGNORECASE,
)


def is_notes_heading(segments: list[str]) -> bool:
    """A line that heads an interpretation table: a short heading alone on its line
    ("Interpretation"), or two or more cells, one naming such a table, none a number
    ("HbA1c in %  |  Interpretation", "| Risk Group | LDL-C |")."""
    cells = [join_cjk(c.strip(" |")) for c in segments if c.strip(" |")]  # OCR spaces CJK apart
    if len(cells) == 1:
        # A heading on its own line ("Interpretation", "Beurteilung:"): a short phrase
        # with no digits, so a result row or a sentence that mentions it is not one.
        cell = cells[0].rstrip(":： ")
        return len(cell.split()) <= 3 and not re.search(r"\d", cell) and bool(_NOTES_HEADING.search(_fold(cell)))
    if len(cells) < 2 or any(_is_number(c) for c in cells):
        return False
    return any(_NOTES_HEADING.search(_fold(c)) for c in cells)


def _is_number(text: str) -> bool:
    v = values.parse_value(text)
    return v is not None and v.value is not None


# The name of an examination or a panel, in any case: a heading on its own line even where a
# scan has no bold to show it ("Urinalysis", "Complete Blood Count", "Examen d'urine").
# Only names of a whole examination: "Urine" alone may be the first line of a wrapped name.
_PANEL_NAME = re.compile(
    r"(?i)^(?:[\w'’]+\s+){0,3}?(?:urinalys\w*|urinanalys\w*|urin(?:e)?status|uroan[aá]lisis|urian[aá]lisis|"
    r"urin[aá]lise|urine?\s+(?:routine|examination|analysis|exam|test)|"
    r"(?:examen|analyse|an[aá]lisis|exame|esame|onderzoek|badanie)\b.{0,20}\b(?:urines?|orina|urina|moczu)|"
    r"(?:complete|full)\s+blood\s+count|blood\s+count|ha?emogram|h[ée]mogramme|hemograma|blutbild|"
    r"emocromo|bloedbeeld|morfologia\s+krwi|tam\s+kan\s+say[ıi]m[ıi]|tam\s+idrar\s+tahlili|尿常规|血常规)"
    r"(?:\s+[\w'’()]+){0,3}$")


def section_heading(line: Line) -> str | None:
    """A panel heading: one short phrase, no digits, in capitals or bold, or the name of an
    examination (:data:`_PANEL_NAME`) in any case."""
    if len(line.segments) != 1:
        return None
    text = line.text.strip()
    if not text or re.search(r"\d", text) or text.endswith(":") or len(text) > 60:
        return None
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 3:
        return None
    if all(c.isupper() for c in letters) or line.segments[0].bold or _PANEL_NAME.match(text):
        return text
    return None


# A heading that names a step of an examination, not what is examined ("PHYSICAL
# EXAMINATION" under "URINE ROUTINE EXAMINATION"): the rows under it are still the parent's.
_STEP_HEADING = re.compile(r"(?i)\b(?:physical|chemical|microscopic\w*|macroscopic|physikalisch\w*|chemisch\w*|"
                           r"mikroskopisch\w*|physique|chimique|microscopique|f[ií]sico|qu[ií]mico|"
                           r"microsc[oó]pico|fisico|chimico|microscopico)\b")


def nested_section(section: str | None, heading: str) -> str:
    """The section the rows under ``heading`` belong to: a step of the current section's
    examination keeps the current section in front ("URINE ROUTINE › PHYSICAL EXAMINATION")."""
    return f"{section} › {heading}" if section and _STEP_HEADING.search(heading) else heading


# How a value was measured, printed in brackets on the line under its row ("(Photometry)")
# or after a "Method:" label: a note on the row, never the rest of its name. "(Calculated)"
# is not among them: it stays with the name, whose code it decides (LDL calculated or measured).
_METHODS = frozenset("""
    photometry photometric colorimetry colorimetric spectrophotometry spectrophotometric
    impedance impedence electrical-impedance electrical-impedence
    flow-cytometry cytometry microscopy microscopic manual automated turbidimetry turbidimetric
    immunoturbidimetry immunoturbidimetric nephelometry nephelometric immunoassay chemiluminescence
    clia eclia cmia cmia-abbott elisa elfa hplc ise indirect-ise direct-ise enzymatic kinetic hexokinase
    god-pod god-pap chod-pap gpo-pap jaffe jaffe-kinetic ifcc biuret bcg bromocresol-green diazo uricase
    westergren modified-westergren cyanmethemoglobin sls-hemoglobin sls dipstick reflectance-photometry
    latex-agglutination agglutination immunochromatography rt-pcr pcr
""".split())  # noqa: SIM905 - a word list reads best as text
# Or what it was measured in: "Material: Soro  Método: Enzimático", "Specimen: Serum".
_METHOD_LABEL = re.compile(r"^(?:method|methodology|methode|méthode|método|metodo|metoda|yöntem|方法|"
                           r"material|materiale|matériel|materiał|specimen|sample(?:\s+type)?|amostra|muestra|"
                           r"campione|échantillon|prélèvement|untersuchungsmaterial|probenmaterial|numune|"
                           r"标本|样本)\s*[:：]", re.IGNORECASE)


# The same label after a name: a method note under the row that a photo's tilt put on its line.
_METHOD_AFTER_NAME = re.compile(r"\s+" + _METHOD_LABEL.pattern.removeprefix("^"), re.IGNORECASE)


def without_method_note(name: str) -> str:
    """``pH Método: Dipstick``: the name without a method note read into its line."""
    m = _METHOD_AFTER_NAME.search(name)
    return name[: m.start()] if m is not None else name


def is_method_note(text: str) -> bool:
    """``(Photometry)``, ``(Electrical Impedence)``, ``Method: Jaffe kinetic``, ``Material:
    Serum``: how or in what a row was measured."""
    t = text.strip()
    if _METHOD_LABEL.match(t):
        return True
    if not (t.startswith("(") and t.endswith(")")):
        return False
    key = "-".join(_fold(t[1:-1]).replace(",", " ").split())
    return key in _METHODS or all(part in _METHODS for part in key.split("-"))


# The band of a value the page calls normal, where ranges are printed by category ("Desirable:
# < 200 / Borderline: 200 - 239 / High: >= 240"; "Deficiency: < 20 / Sufficiency: 30 - 100").
_NORMAL_BANDS = frozenset("""
    normal normale normaal normales normais norm norma desirable desiderabile deseable desejavel wunschenswert
    souhaitable optimal ottimale optimo optimaal sufficient sufficiency sufficienza suficiente suficiencia
    ausreichend suffisant suffisance ideal ideale target goal recommended acceptable adequate adeguato adecuado
    healthy non-diabetic nondiabetic negative negativ negatif negativo
""".split())  # noqa: SIM905 - a word list reads best as text


def band_label(text: str | None) -> str | None:
    """``Desirable`` of ``Desirable: < 200`` (or of ``Desirable:``): a range's category label."""
    m = re.match(r"^\s*([^\d<>≤≥:：]{2,30})[:：]", text or "")
    return m.group(1).strip() if m else None


def is_normal_band(label: str | None) -> bool:
    return label is not None and "-".join(_fold(label).split()) in _NORMAL_BANDS


# Ranges printed by age group ("Adults: 0.5-1.1 / Children: 0.3-0.7"): the adults' one applies
# to a patient whose age the report gives as 18 or more.
_ADULT_BANDS = frozenset("""
    adult adults adulte adultes erwachsene erwachsener adulto adultos adulti volwassene volwassenen
    dorosli dorośli yetiskin yetişkin 成人 взрослые
""".split())  # noqa: SIM905 - a word list reads best as text


def is_adult_band(label: str | None) -> bool:
    return label is not None and _fold(label).strip() in _ADULT_BANDS


def colon_cut(name: str, match: Callable[[str], tuple]) -> tuple[str, bool]:
    """``name`` without the colon it ends with, and whether it is then only a label.

    "MRN:" is a label, a result only when a unit and a range follow it; "Hemoglobin :" (a
    colon before the value's column, often after dot leaders) names a test the catalogue
    knows; "Leucociti (ICD-9:" is a name cut off inside its brackets, kept as printed.
    ``match`` is the catalogue's."""
    if not name.endswith((":", "：")) or name.count("(") > name.count(")"):
        return name, False
    name = name[:-1].rstrip()
    return name, match(name)[0] is None

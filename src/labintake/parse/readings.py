"""Qualitative readings as labs print them ("Negative", "Slightly turbid", "阴性", "2+"),
and the plain-text folding they are compared in."""

from __future__ import annotations

import re
import unicodedata


def clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


# Letters with no combining form, which OCR and keyboards without them write as the base
# letter ("Sari" for "Sarı", "zolty" for "żółty"): folded like accents.
_BASE_LETTERS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d"})


def fold(text: str) -> str:
    """Lower-case without accents, for comparing words across languages."""
    text = unicodedata.normalize("NFKD", clean(text).lower().translate(_BASE_LETTERS))
    return "".join(c for c in text if not unicodedata.combining(c))


# Compared accent-folded and lower-case (see fold()).
QUALITATIVE = {
    "negative", "positive", "trace", "detected", "not detected", "none detected",
    "reactive", "non-reactive", "nonreactive", "non reactive", "normal", "abnormal",
    "present", "absent", "neg", "pos", "clear", "cloudy", "yellow", "pending",
    "pale yellow", "straw", "amber", "dark yellow", "orange", "red", "brown", "colorless",
    "hazy", "turbid", "slightly cloudy", "small", "moderate", "large", "few", "many", "rare",
    "occasional", "none seen", "not seen", "nil", "none", "equivocal", "indeterminate",
    "borderline", "weakly positive", "see note", "see comment", "no growth", "sterile",
    # de
    "negativ", "positiv", "spuren", "gelb", "hellgelb", "klar", "trub", "leicht trub",
    "bernstein", "nachweisbar", "nicht nachweisbar", "unauffallig",
    # fr
    "negatif", "positif", "traces", "jaune", "jaune clair", "clair", "limpide", "trouble",
    "ambre", "absence", "presence", "non detecte", "detecte",
    # es
    "negativo", "positivo", "trazas", "amarillo", "amarillo claro", "transparente", "claro",
    "turbio", "ambar", "ausente", "presente", "no detectado", "detectado",
    # it
    "assente", "giallo", "giallo paglierino", "limpido", "torbido", "tracce", "ambra", "ambrato", "paglierino",
    "giallo chiaro", "giallo scuro", "leggermente torbido",
    # pt
    "reagente", "nao reagente", "amarelo", "amarelo claro", "tracos", "nao detectado",
    # nl
    "vestigios", "indicios", "turvo", "ausentes",
    "negatief", "positief", "niet aantoonbaar", "aantoonbaar", "sporen", "spoor", "geel", "helder", "troebel",
    "lichtgeel", "donkergeel",
    # pl
    "ujemny", "ujemna", "ujemne", "dodatni", "dodatnia", "dodatnie", "nie wykryto", "wykryto",
    "slad", "ślad", "przejrzysty", "klarowny", "zołty", "słomkowy", "bursztynowy", "jasnożółty", "ciemnożółty",
    "bezbarwny",
    # colourless and amber in the other languages
    "farblos", "incolore", "incoloro", "incolor", "kleurloos", "barnsteen", "renksiz", "kehribar", "ambré",
    # tr
    "pozitif", "saptanmadı", "saptandı", "eser", "berrak", "bulanık", "sarı", "koyu sarı", "acık sarı",
    "hafif bulanık", "sladowe", "brak", "metny", "lekko metny", "mętny",
    # zh
    "阴性", "阳性", "弱阳性", "未检出", "检出", "微量", "正常", "清", "清亮", "透明", "黄色", "淡黄色",
    "浑浊", "微浑", "微浊", "深黄色", "浅黄色", "无色", "红色", "±", "+-",
}
# Qualitative results that mean "nothing found": a value matching the range text, or
# one of these under a "negative" range, is normal.
NEGATIVE_WORDS = {"no growth", "sterile", "negative", "neg", "not detected", "none detected", "non-reactive",
                   "nonreactive", "non reactive", "absent", "normal", "none", "nil", "none seen",
                   "not seen", "negativ", "nicht nachweisbar", "negatif", "absence", "non detecte",
                   "negativo", "ausente", "no detectado", "assente", "unauffallig", "nao reagente",
                   "nao detectado", "negatief", "niet aantoonbaar", "ujemny", "ujemna", "ujemne",
                   "nie wykryto", "saptanmadı", "阴性", "未检出", "正常"}
QUALITATIVE = {fold(w) for w in QUALITATIVE}  # compared folded: written as printed above
NEGATIVE_WORDS = {fold(w) for w in NEGATIVE_WORDS}
_GRADE_RE = re.compile(r"^(?:[1-4]\+|\+{1,4})$")  # dipstick grades: 1+, 2+, ++


# "Slightly turbid", "Very cloudy", "leicht trüb": a degree before a qualitative reading.
_DEGREE = re.compile(r"^(?:slightly|slight|mildly|mild|moderately|very|faintly|faint|weakly|strongly|light|dark|"
                     r"leicht|stark|schwach|legerement|tres|muy|ligeramente|levemente|molto|leggermente|"
                     r"lekko|hafif|licht|zwak|sterk)\s+(?P<rest>.+)$")


def is_qualitative(text: str) -> bool:
    t = fold(text)
    if t in QUALITATIVE or _GRADE_RE.match(t):
        return True
    m = _DEGREE.match(t)
    return m is not None and m.group("rest") in QUALITATIVE


# Qualitative readings that only a test gives (not a colour, "normal" or "pending"): a word in
# a table's result column beside an unknown name is a result when it is one of these.
_FINDINGS = {"negative", "positive", "reactive", "non-reactive", "nonreactive", "non reactive", "detected",
             "not detected", "none detected", "trace", "nil", "absent", "present", "equivocal", "indeterminate",
             "weakly positive", "weakly reactive", "borderline", "no growth", "negativ", "positiv", "negatif", "positif",
             "negativo", "positivo", "negatief", "positief", "ujemny", "dodatni", "no reactivo", "non reattivo",
             "nicht nachweisbar", "nachweisbar", "non detecte", "non rilevato", "阴性", "阳性"}


_FINDINGS = {fold(w) for w in _FINDINGS}


def is_finding(text: str) -> bool:
    return fold(text).strip() in _FINDINGS

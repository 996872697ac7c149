"""The patient's name and sex as printed in a report header."""

from __future__ import annotations

import re

from labintake.parse.header_labels import bare_label, field_of

# Honorifics in the header languages, dropped from the front of a name. Those that are
# also names or name parts ("Pan" is a Chinese family name, "Bay" an English one) are
# dropped only when at least two more words follow.
_HONORIFIC = re.compile(
    r"^(?:mr|mrs|ms|miss|mx|dr|prof|mister|master|sig|sig\.ra|sigra|signor|signora|sr|sra|srta|herr|frau|"
    r"m|mme|mlle|dhr|mevr|mevrouw|meneer|smt|shri|sri|dña|dña\.|don|doña)\.(?=\s)|"
    r"^(?:mr|mrs|ms|miss|mx|dr|prof|mister|sig|sigra|signor|signora|sr|sra|srta|herr|frau|mme|mlle|dhr|mevr|"
    r"mevrouw|meneer|smt|shri|sri|pani|bayan|doña|sig\.ra|sig\.na|sig\.a|dott\.ssa|sra\.|sr\.|madame|monsieur|"
    r"mademoiselle|señor|señora|señorita|senhor|senhora|hr\.|fr\.)(?=\s)",
    re.IGNORECASE,
)
_HONORIFIC_IF_MORE = re.compile(r"^(?:pan|bay)\s+(?=\S+\s+\S)", re.IGNORECASE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# Words that make a line a heading or a lab's name rather than a person's name.
_NOT_NAME = re.compile(
    r"\b(?:report|laborator\w*|lab|labs|diagnostic\w*|patholog\w*|clinic\w*|hospital|medical|health\w*|"
    r"information|details|results?|tests?|specimen|panel|page|date|address|phone|department|"
    r"hematology|haematology|chemistry|biochemistry|profile|complete|count|blood|urine|serum|final|"
    r"preliminary|confidential|center|centre|services?|institute|university|ltd|inc|llc|gmbh)\b",
    re.IGNORECASE,
)


_HONORIFIC_SEX = {
    "male": ("mr", "mister", "master", "herr", "hr", "m", "monsieur", "sig", "signor", "sr", "señor", "senhor", "dhr",
             "meneer", "pan", "bay", "shri", "sri"),
    "female": ("mrs", "ms", "miss", "frau", "mme", "mlle", "sig.ra", "sig.na", "sig.a", "sigra", "signora", "sra", "srta", "mevr",
               "mevrouw", "pani", "bayan", "smt", "doña", "fr", "madame", "mademoiselle", "señora", "señorita", "senhora"),
}
_SEX_OF_HONORIFIC = {h: sex for sex, hs in _HONORIFIC_SEX.items() for h in hs}


def sex_from_honorific(text: str) -> str | None:
    """``Mrs. Jane Doe`` -> female: a name's honorific says the sex when no field does."""
    t = text.strip()
    if strip_honorific(t) == t:
        return None
    first = t.split()[0].lower().rstrip(".")
    return _SEX_OF_HONORIFIC.get(first)


def strip_honorific(text: str) -> str:
    t = text.strip()
    for _ in range(2):  # "Mrs. Dr. Jane Doe"
        t = _HONORIFIC_IF_MORE.sub("", _HONORIFIC.sub("", t, count=1), count=1).strip(" .,")
    return t


_INITIALS = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]?")  # "P.", "P.J.", "P.J" (its last point stripped)


def parse_person_name(text: str) -> str | None:
    """``DOE, JANE Q`` -> ``Jane Q Doe``; ``Mr. Jane Q Doe`` -> ``Jane Q Doe``.

    What follows the name in the same cell (an age, a sex in brackets) is left out.
    """
    t = " ".join(text.replace("\u00a0", " ").split()).strip(" ,;:|")
    # No name has a dollar sign: OCR's reading of an S (or a Turkish ş) against letters.
    t = re.sub(r"(?<![^\W\d_])\$(?=[^\W\d_])|(?<=([^\W\d_]))\$(?=([^\W\d_]))",
               lambda m: "s" if m.group(1) and not (m.group(1) + m.group(2)).isupper() else "S", t)
    t = _BIRTH_NAME.sub("", strip_honorific(t))
    # "Jane Doe (F)", "Jane Doe 45 Y": the name ends where digits or brackets start.
    t = re.split(r"\s*[(\[]|\s+\S*\d", t, maxsplit=1)[0].strip(" ,;:|-")
    t = _drop_trailing_label(t)
    if not t or not re.search(r"[^\W\d_]", t) or re.search(r"\d", t):
        return None
    if _CJK.search(t):
        # OCR (and padding) spaces every character apart ("王 芳"): joined. A space between
        # longer groups is the one between family and given name ("山田 花子"): kept.
        groups = t.split()
        return t if any(len(g) > 1 for g in groups) and len(groups) == 2 else t.replace(" ", "")
    if t.count(",") == 1:
        last, first = (p.strip() for p in t.split(","))
        if last and first and not re.search(r"\b(md|do|phd|np|pa|rn)\b\.?", first, re.IGNORECASE):
            t = f"{strip_honorific(first)} {last}"
    parts = t.split()
    # A word in capitals has two letters or more: "P." and "P.J." are initials, not a family name.
    initials = [_INITIALS.fullmatch(p) is not None for p in parts]
    caps = [p.isupper() and sum(c.isalpha() for c in p) > 1 and not i for p, i in zip(parts, initials, strict=True)]
    if 0 < sum(caps) < len(parts) and caps[0] and all(caps[: sum(caps)]) and "," not in t:
        # "DUPONT Marie": the family name in capitals first, as French and Italian
        # reports print it.
        k = sum(caps)
        parts = parts[k:] + parts[:k]
    parts = _capital_i_restored(parts)
    if all(p.isupper() for p in parts if len(p) > 1) or any(caps):
        parts = [p.capitalize() if p.isupper() and len(p) > 1 and not _INITIALS.fullmatch(p) else p for p in parts]
    # Turkish dotted capital İ lower-cases to i and a combining dot: "DEMİR" is "Demir".
    return " ".join(parts).replace("i\u0307", "i")


# Lower-case words a name may hold (particles), those starting with an l among them.
_L_PARTICLES = {"la", "le", "las", "les", "lo", "los", "lu"}
_PARTICLES = _L_PARTICLES | {"de", "da", "do", "dos", "das", "di", "del", "della", "van", "von", "der", "den",
                             "ten", "ter", "du", "des", "y", "e", "bin", "al", "el"}


def _capital_i_restored(parts: list[str]) -> list[str]:
    """OCR's "l" for a capital "I" starting a word of a name: "Lakshmi lyer" is "Lakshmi
    Iyer", "lVAN" is "IVAN". Every other word of the name starts with a capital (a name in
    lower case, or a particle such as "la", is left as printed)."""
    words = [p for p in parts if sum(c.isalpha() for c in p) > 1]
    if not any(p[0].isupper() for p in words):
        return parts
    out = []
    for p in parts:
        if (len(p) >= 3 and p[0] == "l" and p[1].isalpha() and p.lower() not in _L_PARTICLES
                and (p[1:].isupper() or all(q[0].isupper() for q in words
                                            if q is not p and q.lower() not in _PARTICLES and q[0].isalpha()))):
            p = "I" + p[1:]
        out.append(p)
    return out


_NEXT_FIELDS = {"dob", "sex", "age_sex", "dob_age", "dob_sex", "mrn"}
_AGE_WORDS = {"age", "alter", "âge", "edad", "età", "idade", "leeftijd", "wiek", "yaş", "年龄"}


def _drop_trailing_label(text: str) -> str:
    """``Jane Doe DOB`` or ``Jane Doe Gender Female`` (a next label printed without its
    colon) -> ``Jane Doe``; ``Ram Kumar S/O Shyam`` (son of) -> ``Ram Kumar``."""
    text = re.split(r"\s+[SDWC]/O\b", text, maxsplit=1, flags=re.IGNORECASE)[0]
    words = text.split()
    for i in range(1, len(words)):
        for k in (3, 2, 1):
            label = bare_label(" ".join(words[i : i + k])) if i + k <= len(words) else None
            # Only labels of the patient's other fields: "Demo Patient", "John Ward" and
            # "Mary Page" end in words that are labels too.
            if label and (field_of(label) in _NEXT_FIELDS or label.lower() in _AGE_WORDS):
                return " ".join(words[:i]).strip(" ,;:|-")
    return text


# "DUPONT Marie née MARTIN", "Anna Schmidt geb. Weber": the birth name after the marker is
# not part of the name the patient goes by.
_BIRTH_NAME = re.compile(r"\s+(?:née|nee|né|geb\.|geborene|épouse|ép\.|ep\.|nata|nato)\s+\S.*$", re.IGNORECASE)
# Honorifics that name a patient, not a doctor ("Dr", "Prof" start the referring doctor's line).
_PATIENT_TITLE = re.compile(r"^(?:mr|mrs|ms|miss|mme|mlle|m|herr|frau|sig\.ra|sig|signora|signor|sra|sr|srta|"
                            r"dhr|mevr|mevrouw|meneer|pani|pan|bay|bayan|smt|shri|madame|monsieur|mademoiselle|"
                            r"señor|señora|señorita|senhor|senhora|(?:hr|fr)(?=\.))\.?\s", re.IGNORECASE)


def name_after_title(text: str) -> str | None:
    """An unlabelled cell that is a patient's title and name (``Mme DUPONT Marie née MARTIN``,
    ``Mr. John Smith``): the cell, or None. ``M`` counts only as ``M.``."""
    t = " ".join(text.split())
    m = _PATIENT_TITLE.match(t)
    if m is None or (m.group(0).strip().lower() == "m"):
        return None
    rest = _BIRTH_NAME.sub("", strip_honorific(t))
    return t if rest != t and len(rest.split()) >= 2 and looks_like_name(rest) else None


def looks_like_name(text: str) -> bool:
    """Whether an unlabelled cell can be a person's name: a few words of letters, no
    digits, no word of a heading or a lab's name."""
    t = strip_honorific(" ".join(text.split()))
    if not t or re.search(r"\d|@|:|/|www\.|https?", t) or _NOT_NAME.search(t):
        return False
    if _CJK.search(t):
        return 2 <= len(t.replace(" ", "")) <= 4 and all(_CJK.match(c) or c in "·• " for c in t)
    words = t.replace(",", " ").split()
    # A word of letters, joined within by an apostrophe, hyphen or point ("O'Brien",
    # "Jean-Pierre", "P.J."), perhaps an initial's point after it.
    return 1 <= len(words) <= 5 and all(re.fullmatch(r"[^\W\d_]+(?:['’.\-][^\W\d_]+)*\.?", w) for w in words)


_SEX_WORDS = {
    "female": ("f", "female", "w", "woman", "weiblich", "femenino", "femme", "féminin", "feminin", "feminino",
               "femmina", "donna", "vrouw", "mujer", "mulher", "v", "kobieta", "k", "kadın", "kadin", "女", "女性", "ж", "жен", "женский"),
    "male": ("m", "male", "man", "männlich", "maennlich", "masculino", "homme", "masculin", "maschio", "uomo", "hombre", "varon", "varón", "homem",
             "mężczyzna", "mezczyzna", "erkek", "e", "男", "男性", "м", "муж", "мужской"),
    "other": ("x", "other", "nonbinary", "non-binary", "intersex", "divers"),
}
_SEX = {word: sex for sex, words in _SEX_WORDS.items() for word in words}


def parse_sex(text: str) -> str | None:
    t = text.strip().lower()
    for token in re.split(r"[\s/,;|()]+|(?<=[男女])|(?=[男女])", t):
        if token in _SEX:
            return _SEX[token]
    return None

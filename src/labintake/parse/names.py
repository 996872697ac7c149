"""Printed test names reduced to catalogue keys: case, accents, punctuation and spacing
folded, so "Hämoglobin", "HAEMOGLOBIN" and "E.S.R." find their analyte."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

# Specimen (and kind) words before a name and "level", "basal", "reflex" after it; never "urine":
# urine tests are their own analytes. Only tried when the whole name matched nothing, so
# "Total Protein" and "Total Bilirubin" keep their own analytes.
SPECIMEN_WORDS = re.compile(r"^(?:serum|plasma|whole blood|blood|venous|capillary|s|p|se|pl|transaminas[ae]|transaminasi"
                            r"|total)\s+"  # "Total WBC Count": where "total" names no other test
                            r"|\s+(?:levels?|concentration|basal|basale|reflex|en ayunas|a jeun|nuchtern)$"
                            # The NHS's terms: "Haemoglobin estimation", "Platelet count - observation",
                            # "Haemoglobin A1c level - IFCC standardised" (the unit says which HbA1c).
                            r"|(?:\s+-)?\s+(?:estimation|observation|measurement|ifcc standardi[sz]ed|"
                            r"dcct (?:aligned|standardi[sz]ed))$"
                            # "im Serum", "en sangre", "w surowicy", "no soro": in the blood, said in words.
                            r"|\s+(?:(?:im|in) (?:serum|plasma|blut|blood)|en (?:sangre|suero|plasma)|"
                            r"nel (?:sangue|siero|plasma)|w (?:surowicy|osoczu|krwi)|no (?:sangue|soro|plasma))$")
# "im Urin", "in urine", "en orina", "w moczu", "Urin-", "İdrarda": the test is the urine one.
URINE_WORDS = re.compile(r"^(?:urin|urine|harn|idrarda)\s+"
                         r"|\s+(?:(?:im|in|en|na|no|w) (?:de )?(?:urin|urine|harn|orina|urina|moczu)|"
                         r"dans les urines|nelle urine|idrarda)$")
# British spellings of Greek and Latin stems, folded to the American ones the catalogue
# lists: haemoglobin, anaemia, leukaemia, caeruloplasmin, oestradiol, foetal, coeliac, paed-.
_BRITISH = ((re.compile(r"(?<=[a-z])aem"), "em"), (re.compile(r"\bcaerul"), "cerul"),
            (re.compile(r"\boe(?=str|soph)"), "e"), (re.compile(r"\bfoet"), "fet"),
            (re.compile(r"\bcoeliac"), "celiac"), (re.compile(r"\bpaed"), "ped"))
# One letter and a dot, before another letter that ends a word: "e.s.r." -> "esr."
_DOTTED = re.compile(r"\b([a-z])\.(?=[a-z]\b)")
# Letters NFKD does not decompose: Polish ł, Turkish dotless ı, Danish ø, Icelandic ð.
_LETTERS = str.maketrans({"ß": "ss", "ł": "l", "ı": "i", "ø": "o", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe"})


@lru_cache(maxsize=8192)
def normalise_name(text: str) -> str:
    """Lower-case, accents folded (Hämoglobin = Hamoglobin, ß = ss, ł = l), punctuation
    to spaces (keeping % and #, and Chinese characters), single-spaced; a trailing % or #
    glued to a code is split off (``LYMPH#`` = ``Lymph #``)."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_LETTERS)
    text = re.sub(r"γ\s*-?\s*", " gamma ", text)  # "γ-GT", "γGT": gamma GT
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _DOTTED.sub(r"\1", text)  # "E.S.R.", "V.G.M.": an abbreviation spelt with dots
    for british, american in _BRITISH:
        text = british.sub(american, text)
    text = re.sub(r"[^a-z0-9%#+\-\u0430-\u044f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]+", " ", text)  # Cyrillic, kana kept
    text = re.sub(r"(?<=[a-z\u0430-\u044f])-(?=[a-z\u0430-\u044f])", " ", text)  # Non-HDL = Non HDL
    text = re.sub(r"(?<=[a-z0-9\u3040-\u30ff\u4e00-\u9fff])([%#])", r" \1", text)
    # OCR spaces Chinese (and Japanese) characters apart ("白 细 胞"); neither has spaces between words.
    text = re.sub(r"(?<=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff])\s+(?=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff])", "", text)
    return " ".join(text.split())


# A one OCR read as the letter l or I, a zero read as O and the reverse (only a change that
# makes a name the catalogue knows is taken).
_MISREADS = {"l": "1", "I": "1", "0": "O", "O": "0", "8": "ß"}  # "Eiwei8": an eszett read as an eight
# A leading gamma read as y, with spaces around its hyphen: "y - GT", "y-谷氨酰转移酶".
_GAMMA = re.compile(r"^[yY]\s*-\s*(?=\S)")


def misread_restored(label: str, knows: Callable[[str], bool]) -> str:
    """``label`` with one character OCR misread put back ("HbAlc" -> "HbA1c", "C02" -> "CO2",
    "y - GT" -> "γ-GT"), when the label is no name ``knows`` and exactly one such change makes
    it one; else as is."""
    if knows(label):
        return label
    found = {fixed for i, ch in enumerate(label) if ch in _MISREADS
             if knows(fixed := label[:i] + _MISREADS[ch] + label[i + 1:])}
    if _GAMMA.match(label) and knows(gamma := _GAMMA.sub("γ-", label)):
        found.add(gamma)
    return found.pop() if len(found) == 1 else label

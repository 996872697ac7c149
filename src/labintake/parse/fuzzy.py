"""Near matches of a printed name to the catalog's names, for OCR damage (``Hemoglobln``).

A near match is refused when it would change what the name says rather than repair a
misread letter:

- its numbers differ ("Vitamin Q10" is not "Vitamin B1", "CA 15-3" not "CA 19-9");
- the printed name holds a word the catalog knows from other analytes' names but not from
  the candidate's ("LDL Chol Calc" is not "VLDL Chol Calc": ``ldl`` names LDL; "VLDL
  Cholesterol Cal" is not "LDL Cholesterol Calc": ``vldl`` names VLDL). OCR damage makes
  words the catalog does not know, not words of another analyte;
- the candidate only adds words to the printed name ("Troponin" is not "Troponin T",
  "Immunoglobulin" not "Immunoglobulin G"): the page said less than the candidate does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from labintake.parse.units import digits


class NearNames:
    """The catalog's name keys (normalised) with the analyte each belongs to."""

    def __init__(self, keys: Iterable[tuple[str, str]], *, cutoff: float) -> None:
        self._owner: dict[str, str] = {}
        self._word_owners: dict[str, set[str]] = {}
        for key, analyte in keys:
            self._owner.setdefault(key, analyte)
            for word in key.split():
                self._word_owners.setdefault(word, set()).add(analyte)
        self._keys = list(self._owner)
        self._cutoff = cutoff

    def best(self, key: str) -> tuple[str, float] | None:
        """The closest key that may stand for ``key``, with its similarity (0-100)."""
        for close, similarity, _ in process.extract(key, self._keys, scorer=fuzz.ratio,
                                                    score_cutoff=self._cutoff, limit=5):
            if _same_numbers(key, close) and not self._names_another(key, close):
                return close, float(similarity)
        return None

    def _names_another(self, key: str, close: str) -> bool:
        mine = self._owner[close]
        own_words = set(close.split())
        if _adds_words(key.split(), close.split()):
            return True
        return any(w not in own_words and (owners := self._word_owners.get(w)) and mine not in owners
                   for w in key.split())


def _same_numbers(printed: str, close: str) -> bool:
    """Whether both say the same numbers: the digits printed, or the digits with the letters
    OCR reads for them ("Bl2" for B12). Letters alone are never a number: "catkowity" for
    "całkowity" (ł folded to l) changes a letter, not a number."""
    return _printed_digits(printed) == _printed_digits(close) or digits(printed) == digits(close)


def _printed_digits(key: str) -> str:
    return re.sub(r"\D", "", key)


def _adds_words(printed: list[str], close: list[str]) -> bool:
    """Whether the candidate has a word the printed name has nothing of: not the word, not a
    misreading of it (similar), not it glued to a neighbour ("hemoglobina1c"), not its
    start ("vol" for "volume"). A one-letter word ("Troponin T") only as itself."""
    for word in close:
        if word in printed:
            continue
        if len(word) > 1 and any(p.startswith(word) or p.endswith(word) or (len(p) >= 3 and word.startswith(p))
                                 or fuzz.ratio(word, p) >= 75 for p in printed):
            continue
        return True
    return False

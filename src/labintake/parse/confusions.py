"""Letters OCR mistakes for one another in short test codes ("PT4" for FT4, "Het" for Hct).

A short code has no spelling to fuzzy-match against: one wrong letter in three is a third
of it. What OCR gets wrong is not random, though: it confuses letters of the same shape.
"""

from __future__ import annotations

from collections.abc import Iterator

# Lower-case (catalogue keys are): each letter and the letters it is read as.
_LOOKALIKES = {
    "p": "f", "f": "p", "e": "c", "c": "e", "l": "i1", "i": "l1", "1": "li", "0": "o", "o": "0",
    "5": "s", "s": "5", "8": "b", "b": "8h", "6": "g", "g": "6", "2": "z", "z": "2", "h": "bn", "n": "h",
    "u": "v", "v": "u",
}
# Only codes this short: a longer name is matched fuzzily (catalog._FUZZY_MIN_LEN).
MAX_LEN = 6


def lookalikes(key: str) -> Iterator[str]:
    """``key`` with one character replaced by a look-alike, each once."""
    if len(key) > MAX_LEN:
        return
    for i, c in enumerate(key):
        for other in _LOOKALIKES.get(c, ""):
            yield key[:i] + other + key[i + 1:]

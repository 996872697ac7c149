"""Letters OCR mistakes for one another in short test codes ("PT4" for FT4, "Het" for Hct,
"氣" for 氯).

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
    # Chinese electrolytes and elements are one character each, told apart by a stroke or
    # two beside the metal (钅) or gas (气) radical. Only characters that name no test of
    # their own are listed as misreadings (锂 is lithium: never read as potassium).
    "氣": "氯", "気": "氯", "钟": "钾", "钿": "钾", "纳": "钠", "钢": "钠", "钧": "钙", "钫": "钙",
    "钛": "铁", "鳞": "磷", "嶙": "磷", "镂": "镁", "缕": "镁", "锋": "锌", "桐": "铜",
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

"""The one way text is made searchable: lowercase, accents stripped, spaces collapsed.

The database keeps each file's searchable text in this form (``file_processing_status.
search_text``: its file name, patient name and lab name) and a query is normalised the
same way, so a plain substring match is case- and accent-insensitive on every database:
"muller" finds "Müller", "JOSE" finds "José", "strasse" finds "Straße".
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
# Letters Unicode does not decompose into a base letter and a mark: folded as a reader would
# type them on a plain keyboard ("oresund" finds "Øresund", "lodz" finds "Łódź").
_PLAIN = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i",
                        "ħ": "h", "ŧ": "t", "ŀ": "l"})
MAX_QUERY_CHARS = 100


def normalise(text: str | None) -> str:
    """``text`` lowercased (casefold: ß → ss), without combining marks, spaces collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_PLAIN))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE.sub(" ", unicodedata.normalize("NFC", stripped)).strip()


def searchable(*parts: str | None) -> str:
    """The stored search text of a file: its parts normalised, one line each (no match
    spans two parts, so "report.pdf jane" does not find a file whose name ends in "report.pdf")."""
    return "\n".join(p for p in (normalise(part) for part in parts) if p)

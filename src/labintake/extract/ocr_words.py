"""Words from RapidOCR's pieces: a line it boxed character by character, regrouped."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np

# CJK punctuation the recogniser reads in Latin text, and what it stands for there: "R、"
# is "R." (full-width forms such as "：" and "（" fold to ASCII by NFKC).
_CJK_PUNCT = str.maketrans({"、": ".", "。": ".", "・": ".", "「": "(", "」": ")"})
_IDEOGRAPH = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_CJK_CLASS = re.compile(r"[\u3000-\u303f\uff00-\uffef]")


Piece = tuple[str, float, Any]  # text, score, box (four corner points), as RapidOCR gives them


def latin_words(text: str, pieces: list[Piece]) -> list[Piece]:
    """``pieces`` as words when a line came back one character per piece.

    RapidOCR boxes a line character by character as soon as it holds one CJK-class
    character: every letter and digit becomes a word of its own ("N o 项 目", "3 6 岁").
    Runs of Latin letters, digits and marks are regrouped into words by the spaces of the
    line's text, and Chinese characters printed together (no more than a third of their
    height apart) are one word, as a text layer gives them ("阴性", not "阴 性"); characters
    further apart stay apart, so cells the recogniser read as one line keep their columns.
    In a line with no ideograph, CJK punctuation is read as the Latin mark it stands for: a
    full-width colon, an ideographic comma read for a point ("Patient: Emily R、Carter")."""
    if not _CJK_CLASS.search(text) and not _IDEOGRAPH.search(text):
        return pieces
    chars = [c for c in text if not c.isspace()]
    if len(pieces) != len(chars) or any(len(p[0].strip()) != 1 for p in pieces):
        return pieces
    latin = not _IDEOGRAPH.search(text)
    words: list[Piece] = []
    current: list[Piece] = []
    glued = False  # the Latin run in ``current`` follows a Chinese character with no space

    def add(piece: Piece, glue: bool) -> None:
        """A word, joined to the last one when printed against it (no space, touching)."""
        if glue and words and _touching(words[-1][2], piece[2]):
            last = words[-1]
            words[-1] = (last[0] + piece[0], min(last[1], piece[1]),
                         np.concatenate([np.asarray(last[2], dtype=float), np.asarray(piece[2], dtype=float)]))
        else:
            words.append(piece)

    def flush() -> None:
        nonlocal glued
        if current:
            joined = "".join(p[0] for p in current)
            word = unicodedata.normalize("NFKC", joined.translate(_CJK_PUNCT)) if latin else joined
            pts = np.concatenate([np.asarray(p[2], dtype=float) for p in current])
            add((word, min(p[1] for p in current), pts), glued)
            current.clear()
        glued = False

    it = iter(pieces)
    run = False  # the last word is a run of Chinese characters
    for c in text:
        if c.isspace():
            flush()
            run = False
            continue
        piece = next(it)
        if not latin and _IDEOGRAPH.match(c):
            # Right after a Chinese character, or a Latin run ending in a hyphen, with no space:
            # one word if touching ("25-羟基维生素D", as a text layer gives it; "36岁" stays two).
            follows = run or (bool(current) and current[-1][0] in "-‐–")
            flush()
            add(piece, follows)
            run = True
            continue
        if not latin and _CJK_CLASS.match(c):
            flush()
            words.append(piece)  # a mark of a Chinese line: a word of its own
            run = False
            continue
        if not current:
            glued = run and c.isalpha()  # "维生素B12", "羟基维生素D"; not a count ("尿糖1+")
        run = False
        current.append(piece)
    flush()
    return words


def _touching(left: Any, right: Any) -> bool:
    """Two character boxes (corner points) no more than a third of their height apart."""
    a, b = np.asarray(left, dtype=float), np.asarray(right, dtype=float)
    height = max(a[:, 1].max() - a[:, 1].min(), b[:, 1].max() - b[:, 1].min(), 1.0)
    return b[:, 0].min() - a[:, 0].max() <= height / 3

"""The second look at ink no detected box covers (extract/second_look.py), with the real
recogniser: a lone mark on a text line is read; rules, specks and marks off every line are not."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from labintake.extract.document import Word
from labintake.extract.rules import ink_of
from labintake.extract.second_look import missed_marks

pytest.importorskip("rapidocr")


def _page() -> tuple[np.ndarray, list[Word]]:
    """A white page with five 'detected' words on two lines (their ink drawn), for context."""
    img = np.full((200, 600), 255, np.uint8)
    words = []
    for i, (x, y, text) in enumerate([(20, 40, "Basophils"), (300, 40, "0-2"), (20, 90, "Monocytes"),
                                      (200, 90, "7"), (300, 90, "2-10")]):
        cv2.putText(img, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 0, 2)
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.7, 2)
        words.append(Word(text, x, y - th, x + tw, y + 2, 0.99))
        assert i < 5
    return img, words


def _read(crop: np.ndarray) -> tuple[str, float]:
    from labintake.extract.ocr import _read_crop

    return _read_crop(crop)


def test_a_lone_mark_on_a_text_line_is_read():
    img, words = _page()
    cv2.putText(img, "1", (200, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 0, 2)
    found = missed_marks(img, ink_of(img), words, _read)
    assert [w.text for w in found] == ["1"] and 190 <= found[0].x0 <= 215


def test_rules_specks_and_marks_off_the_lines_are_left_alone():
    img, words = _page()
    cv2.line(img, (250, 20), (250, 45), 0, 1)  # a cell border's piece
    cv2.circle(img, (400, 35), 1, 0, -1)  # a speck
    cv2.putText(img, "7", (500, 170), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 0, 2)  # on no line of text
    assert missed_marks(img, ink_of(img), words, _read) == []


MARKS = Path(__file__).parent.parent / "fixtures" / "marks"


@pytest.mark.parametrize("crop", ["percent_courier_scan.png", "percent_courier_scan_2.png"])
def test_a_mark_read_only_with_room_around_it_is_still_read(crop):
    """Given a monospace font's stacked '%' cut from a 200-dpi scan of a generated report (the
    recogniser reads the tight crop as a CJK character, unsure), alone in a unit column, then
    it is read again with room around it and kept as the '8' the parser knows a '%' reads as."""
    mark = cv2.imread(str(MARKS / crop), cv2.IMREAD_GRAYSCALE)
    paper = int(np.median(mark))
    img = np.full((260, 900), paper, np.uint8)
    words = []
    for x, y, text in [(20, 60, "Neutrophils"), (300, 60, "78"), (560, 60, "40 - 75"),
                       (20, 140, "Monocytes"), (300, 140, "08"), (560, 140, "02 - 10")]:
        cv2.putText(img, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 60, 2)
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 1.0, 2)
        words.append(Word(text, x, y - th - 4, x + tw, y + 6, 0.99))
    img[38:38 + mark.shape[0], 420:420 + mark.shape[1]] = mark
    found = missed_marks(img, ink_of(img), words, _read)
    assert [w.text for w in found] == ["8"] and 415 <= found[0].x0 <= 430


def test_a_sliver_read_as_a_wide_letter_is_not_kept():
    """A thin speck beside a unit, read by the recogniser as a sure "C" (which the parser would
    take for a "critical" flag), is no letter: a C is never five times taller than wide. A
    "1" of the same shape is kept."""
    img, words = _page()
    cv2.line(img, (200, 27), (200, 40), 0, 3)  # a sliver on the first line, in the empty column

    def claims(text):
        return lambda crop: (text, 0.95)

    assert missed_marks(img, ink_of(img), words, claims("C")) == []
    assert [w.text for w in missed_marks(img, ink_of(img), words, claims("1"))] == ["1"]

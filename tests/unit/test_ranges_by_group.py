"""Ranges printed by age group ("Adults: 0.5-1.1" / "Children: 0.3-0.7"): the adults' range
when the report shows the patient is one, and none when it does not (none rather than a
wrong one)."""

from __future__ import annotations

import pytest

from labintake.extract.document import Document, Page
from labintake.parse import parse_document
from tests.fixtures.words import row


def _doc(dob: str | None) -> Document:
    header = row((40, f"Patient: Laura Example    DOB: {dob}"), y=60) if dob else []
    words = [
        *header,
        *row((40, "Collection Date: 03/04/2025"), y=76),
        *row((40, "Test"), (200, "Result"), (270, "Units"), (360, "Reference Range"), y=100),
        *row((40, "Creatinine"), (200, "0.8"), (270, "mg/dL"), (360, "Adults: 0.5-1.1"), y=120),
        *row((360, "Children: 0.3-0.7"), y=131),
        *row((40, "Sodium"), (200, "140"), (270, "mmol/L"), (360, "136-145"), y=150),
    ]
    return Document([Page(1, 612, 792, words, "text")], "test")


def test_an_adult_patient_gets_the_adults_range():
    creatinine, sodium = parse_document(_doc("03/02/1988")).results
    assert (creatinine.reference_range.low, creatinine.reference_range.high) == (0.5, 1.1)
    assert creatinine.flag == "normal" and sodium.reference_range.low == 136.0


@pytest.mark.parametrize("dob", ["05/06/2015", None])
def test_a_child_or_a_patient_of_unknown_age_gets_no_range(dob):
    creatinine, _ = parse_document(_doc(dob)).results
    assert creatinine.reference_range is None

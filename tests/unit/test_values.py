"""Values, ranges and flags as printed on lab reports."""

from __future__ import annotations

import pytest

from labintake.parse.values import derive_flag, flag_consistent, parse_flag, parse_range, parse_value


@pytest.mark.parametrize(
    ("text", "value", "literal", "cmp"),
    [
        ("6.8", 6.8, "6.8", None),
        ("13,5", 13.5, "13,5", None),
        ("1,234", 1234.0, "1,234", None),
        ("<0.5", 0.5, "<0.5", "<"),
        ("> 60", 60.0, ">60", ">"),
        ("≤ 3", 3.0, "≤3", "<="),
        (".5", 0.5, ".5", None),
        ("245", 245.0, "245", None),
    ],
)
def test_numeric_values(text, value, literal, cmp):
    v = parse_value(text)
    assert v is not None
    assert v.value == pytest.approx(value)
    assert v.text == literal
    assert v.comparator == cmp


@pytest.mark.parametrize("text", ["Negative", "Positive", "Trace", "Not Detected", "non-reactive"])
def test_qualitative_values_have_no_number(text):
    v = parse_value(text)
    assert v is not None and v.value is None and v.text == text


@pytest.mark.parametrize("text", ["", "abc", "mg/dL", "-", "02/14/1980", "4.0-11.0"])
def test_not_values(text):
    assert parse_value(text) is None


def test_flag_glued_to_value_is_split():
    v = parse_value("4.04L")
    assert v is not None and v.value == 4.04 and v.text == "4.04" and v.glued_flag == "low"
    assert parse_value("112H").glued_flag == "high"


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("3.5-5.0", 3.5, 5.0),
        ("3.5 – 5.0", 3.5, 5.0),
        ("3.5 to 5.0", 3.5, 5.0),
        ("(0.57 - 1.00)", 0.57, 1.0),
        ("3,5-5,0", 3.5, 5.0),
        ("<200", None, 200.0),
        ("< 200", None, 200.0),
        ("<=5.6", None, 5.6),
        (">40", 40.0, None),
        ("≥ 60", 60.0, None),
        ("Negative", None, None),
    ],
)
def test_ranges(text, low, high):
    r = parse_range(text)
    assert r is not None
    assert (r.low, r.high) == (low, high)
    assert r.text == text


@pytest.mark.parametrize("text", ["", "mg/dL", "5.0-3.5", "H", "abc-def"])
def test_not_ranges(text):
    assert parse_range(text) is None


@pytest.mark.parametrize(
    ("text", "flag"),
    [("H", "high"), ("L", "low"), ("HH", "high"), ("LL", "low"), ("A", "abnormal"),
     ("*", "abnormal"), ("High", "high"), ("Low", "low"), ("(H)", "high"), ("N", "normal"),
     ("mg/dL", None), ("", None)],
)
def test_printed_flags(text, flag):
    assert parse_flag(text) == flag


@pytest.mark.parametrize(
    ("value", "rng", "flag"),
    [
        ("112", "70-99", "high"),
        ("3.3", "3.5-5.1", "low"),
        ("4.0", "4.0-5.6", "normal"),
        ("186", "<200", "normal"),
        ("250", "<200", "high"),
        ("35", ">40", "low"),
        (">60", ">59", "normal"),
        ("<0.5", "0.0-0.4", "normal"),  # censored: the true value may lie in range
        ("<0.5", "1.0-2.0", "low"),
        ("Negative", "Negative", "normal"),
        ("Positive", "Negative", "abnormal"),
    ],
)
def test_derived_flags(value, rng, flag):
    assert derive_flag(parse_value(value), parse_range(rng)) == flag


def test_no_range_no_derived_flag():
    assert derive_flag(parse_value("5"), None) is None


def test_printed_flag_contradicting_range_is_inconsistent():
    v, r = parse_value("112"), parse_range("70-99")
    assert flag_consistent("high", v, r)
    assert not flag_consistent("low", v, r)
    assert flag_consistent("abnormal", v, r)

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


def test_a_decimal_comma_read_as_a_semicolon():
    r = parse_range("M: 4;50 - 5,90")
    assert r is not None and (r.low, r.high) == (4.5, 5.9)
    bound = parse_range("<4;50")
    assert bound is not None and (bound.low, bound.high) == (None, 4.5)


@pytest.mark.parametrize("text", ["(35;105)", "35 ; 105"])
def test_a_dash_read_as_a_semicolon(text):
    """With no dash in the range, the semicolon between its numbers is the dash."""
    r = parse_range(text)
    assert r is not None and (r.low, r.high) == (35.0, 105.0)


@pytest.mark.parametrize(("text", "low", "high"), [("135:145", 135.0, 145.0), ("(2:21)", 2.0, 21.0),
                                                  ("(7.5-11,.5)", 7.5, 11.5), ("12,0 - 22..0", 12.0, 22.0)])
def test_a_dash_read_as_a_colon_and_a_doubled_decimal_mark(text, low, high):
    """OCR reads a thin dash as a colon, and a speck beside a decimal mark as a second one."""
    r = parse_range(text)
    assert r is not None and (r.low, r.high) == (low, high)


@pytest.mark.parametrize("text", ["08:15", "1:40"])
def test_a_time_of_day_or_a_titre_is_no_range_of_two_bounds(text):
    r = parse_range(text)
    assert r is None or (r.low, r.high) == (None, None)


@pytest.mark.parametrize("text", ["", "mg/dL", "5.0-3.5", "H", "abc-def", "+", "++"])
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


# --- forms from European reports, dipsticks and non-directional marks ----------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from labintake.domain.schemas import ReferenceRange  # noqa: E402
from labintake.parse.values import Value, direction, is_qualitative  # noqa: E402


@pytest.mark.parametrize(
    "text",
    ["Négatif", "negativ", "Negativo", "Traces", "Spuren", "Jaune", "klar", "1+", "2+", "++",
     "Not Detected", "Trazas", "assente", "Pale Yellow"],
)
def test_qualitative_words_in_five_languages(text):
    v = parse_value(text)
    assert v is not None and v.value is None and v.text == text
    assert is_qualitative(text)


@pytest.mark.parametrize(
    ("value", "rng", "flag"),
    [("Négatif", "Négatif", "normal"), ("negativ", "Negative", "normal"), ("Traces", "Négatif", "abnormal"),
     ("1+", "Negative", "abnormal"), ("Jaune", "Jaune", "normal"), ("Positivo", "Negativo", "abnormal")],
)
def test_qualitative_flags(value, rng, flag):
    assert derive_flag(parse_value(value), parse_range(rng)) == flag


@pytest.mark.parametrize(
    ("text", "flag"),
    [("+", "high"), ("-", "low"), ("++", "high"), ("Hoch", "high"), ("erniedrigt", "low"), ("élevé", "high"),
     ("bajo", "low"), ("A", "abnormal"), ("!", "abnormal")],
)
def test_flags_in_other_languages_and_signs(text, flag):
    assert parse_flag(text) == flag


@pytest.mark.parametrize(
    ("value", "rng", "expected"),
    [(112.0, (70.0, 99.0), "high"), (3.1, (3.5, 5.1), "low"), (4.0, (3.5, 5.1), "abnormal"),
     (250.0, (None, 200.0), "high"), (30.0, (40.0, None), "low")],
)
def test_asterisk_or_bold_takes_its_direction_from_the_range(value, rng, expected):
    r = ReferenceRange(low=rng[0], high=rng[1], text="x")
    assert direction("abnormal", Value(value, str(value)), r) == expected
    assert direction("high", Value(value, str(value)), r) == "high"  # a printed direction stays


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("3,5 - 5,1", 3.5, 5.1), ("< 5,0", None, 5.0), ("> 1,0", 1.0, None), ("0,27–4,20", 0.27, 4.2),
     ("1.005-1.030", 1.005, 1.03), ("(4.0-11.0)", 4.0, 11.0), ("10 to 40", 10.0, 40.0), ("≤ 200", None, 200.0)],
)
def test_more_range_forms(text, low, high):
    r = parse_range(text)
    assert r is not None and r.low == (low if low is None else pytest.approx(low))
    assert r.high == (high if high is None else pytest.approx(high))


@given(st.decimals(min_value="0.001", max_value="99999", places=3, allow_nan=False, allow_infinity=False),
       st.sampled_from([".", ","]))
def test_any_printed_decimal_reads_back(number, sep):
    """Property: a number printed with either decimal mark (no thousands grouping) reads back."""
    text = format(number, "f").rstrip("0").rstrip(".")
    if "." in text and len(text.split(".")[1]) == 3 and sep == "," and len(text.split(".")[0]) <= 3:
        return  # "1,234" is a thousands separator by convention; see test_numeric_values
    printed = text.replace(".", sep)
    v = parse_value(printed)
    assert v is not None and v.value == pytest.approx(float(number))


@given(st.floats(min_value=0, max_value=1000, allow_nan=False), st.floats(min_value=0.1, max_value=1000))
def test_range_property(low, width):
    """Property: ``a-b`` parses back to (a, b) and a value inside is normal, above is high."""
    lo, hi = round(low, 2), round(low + width, 2)
    if hi <= lo:
        return
    r = parse_range(f"{lo}-{hi}")
    assert r is not None and (r.low, r.high) == (lo, hi)
    assert derive_flag(Value((lo + hi) / 2, "x"), r) == "normal"
    assert derive_flag(Value(hi + 1, "x"), r) == "high"


@pytest.mark.parametrize(("text", "value", "cmp"), [(".>90", 90.0, ">"), (". >90", 90.0, ">"), (",<5", 5.0, "<"),
                                                     (".2,93", 2.93, None),  # before a number with its own point
                                                     ("'108", 108.0, None), ("`5.2", 5.2, None),  # a quote-like speck
                                                     (".5", 0.5, None)])  # a decimal point is no speck
def test_a_speck_before_a_comparator_is_not_part_of_the_value(text, value, cmp):
    """OCR reads a speck before ">90" on a scan: the value was lost (the row with it)."""
    v = parse_value(text)
    assert v is not None and (v.value, v.comparator) == (value, cmp)


@pytest.mark.parametrize(
    ("text", "value", "flag"),
    [("44°", 44.0, "abnormal"), ("1+°", None, "abnormal"), ("1+ *", None, "abnormal"), ("6,2*", 6.2, "abnormal")],
)
def test_ocr_reads_an_asterisk_as_a_degree_sign(text, value, flag):
    v = parse_value(text)
    assert v is not None and v.value == value and v.glued_flag == flag


@pytest.mark.parametrize(("text", "low", "high"), [("(0−20)", 0.0, 20.0), (".< 100", None, 100.0), (".5-1.0", 0.5, 1.0),
                                                       ("44 . 147", 44.0, 147.0),
                                                       (".80,0 - 96,0", 80.0, 96.0),  # a speck before a comma decimal
                                                       ("9,0.- 30,4", 9.0, 30.4),  # a speck before the dash
                                                       ("3.90 - 5:20", 3.9, 5.2),  # a point read as a colon
                                                       ("12,0 - 22..0", 12.0, 22.0),  # a doubled point
                                                       ("(0.40 - .0.52)", 0.4, 0.52),  # a speck before the upper bound
                                                       ("3.9 .5.5", 3.9, 5.5),  # the dash read as a point
                                                       ("3,9 ,5,5", 3.9, 5.5),
                                                       ("2.5 . 7.1", 2.5, 7.1),  # the dash read as a point of its own
                                                       (".2.5 . 7.1", 2.5, 7.1)])  # and a speck before the range
def test_ocr_range_quirks(text, low, high):
    r = parse_range(text)
    assert r is not None and (r.low, r.high) == (low, high)


@pytest.mark.parametrize(("text", "value"), [("3.", 3.0), ("12 .", 12.0), ("4.5", 4.5), ("26(H).", 26.0)])
def test_a_speck_after_a_value_is_not_part_of_it(text, value):
    v = parse_value(text)
    assert v is not None and v.value == value and v.text == str(value).removesuffix(".0")


@pytest.mark.parametrize(
    ("text", "value", "flag"),
    [
        ("*145", 145.0, "abnormal"),
        ("145*", 145.0, "abnormal"),
        ("17.9(H)", 17.9, "high"),
        ("17.9H", 17.9, "high"),
        ("2.1(L)", 2.1, "low"),
        ("↑145", 145.0, "high"),
        ("145↑", 145.0, "high"),
        ("3.2↓", 3.2, "low"),
        ("▲9.8", 9.8, "high"),
        ("4.1[L]", 4.1, "low"),
        ("6.2 H", 6.2, "high"),
    ],
)
def test_flags_glued_to_the_value_in_every_form(text, value, flag):
    v = parse_value(text)
    assert v is not None and v.value == pytest.approx(value) and v.glued_flag == flag


@pytest.mark.parametrize("text", ["H12", "*H12*", "12-15"])
def test_codes_are_not_flagged_values(text):
    assert parse_value(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,234.5", 1234.5), ("1.234,5", 1234.5), ("12\u202f500", 12500.0), ("07", 7.0), ("<9.00", 9.0)],
)
def test_separators_and_leading_zeros(text, value):
    assert parse_value(text).value == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "low", "high", "low_cmp", "high_cmp"),
    [
        ("<5.0", None, 5.0, None, "<"),
        ("≤5.0", None, 5.0, None, "<="),
        ("<= 5.0", None, 5.0, None, "<="),
        ("up to 5", None, 5.0, None, "<="),
        ("bis 5", None, 5.0, None, "<="),
        (">40", 40.0, None, ">", None),
        ("≥ 60", 60.0, None, ">=", None),
        ("3.5-5.0", 3.5, 5.0, None, None),
        ("M: 0-15", 0.0, 15.0, None, None),
        ("男：0-15", 0.0, 15.0, None, None),
        ("less than 200", None, 200.0, None, "<"),
        ("inferior a 190", None, 190.0, None, "<"),
        ("menor que 5,0", None, 5.0, None, "<"),
        ("inférieur à 5", None, 5.0, None, "<"),
        ("unter 0,5", None, 0.5, None, "<"),
        ("poniżej 5", None, 5.0, None, "<"),
        ("greater than 40", 40.0, None, ">", None),
        ("superior a 40", 40.0, None, ">", None),
        ("größer als 3", 3.0, None, ">", None),
    ],
)
def test_one_sided_ranges_keep_their_comparator(text, low, high, low_cmp, high_cmp):
    r = parse_range(text)
    assert (r.low, r.high, r.low_comparator, r.high_comparator) == (low, high, low_cmp, high_cmp)


def test_a_value_on_a_strict_bound_is_outside_it():
    assert derive_flag(parse_value("5.0"), parse_range("<5.0")) == "high"
    assert derive_flag(parse_value("5.0"), parse_range("≤5.0")) == "normal"
    assert derive_flag(parse_value("40"), parse_range(">40")) == "low"
    assert derive_flag(parse_value("<5.0"), parse_range("<5.0")) == "normal"


@pytest.mark.parametrize("text", ["Nil", "Trace", "阴性", "阳性", "Négatif", "Negativo", "Negatief", "Ujemny", "Negatif"])
def test_qualitative_values_in_more_languages(text):
    v = parse_value(text)
    assert v is not None and v.value is None


def test_a_chinese_range_read_character_by_character():
    r = parse_range("男 ： 0 - 1 5")
    assert (r.low, r.high) == (0.0, 15.0)


@pytest.mark.parametrize("text", ["Spoor", "Koyu sarı", "Açık sarı", "Vestígios", "Turvo", "Śladowe", "Mętny"])
def test_qualitative_words_in_the_added_languages(text):
    """Dutch 'trace', Turkish 'dark/light yellow', Portuguese 'traces'/'cloudy', Polish 'trace'."""
    v = parse_value(text)
    assert v is not None and v.value is None and v.text == text


@pytest.mark.parametrize(
    ("text", "sex"),
    [("E: 4,50 - 5,90", "male"), ("K: 3,90 - 5,20", "female"), ("V: 12,0 - 16,0", "female"), ("M: 13-17", "male")],
)
def test_one_letter_sex_labels_in_turkish_polish_and_dutch(text, sex):
    from labintake.parse.values import sex_of_range

    assert sex_of_range(text)[0] == sex


@pytest.mark.parametrize(("text", "literal"), [("*1+", "1+"), ("*Positif", "Positif"), ("* 2+", "2+"), ("Positive*", "Positive")])
def test_a_star_before_or_after_a_qualitative_result_marks_it(text, literal):
    v = parse_value(text)
    assert v is not None and v.value is None and v.text == literal and v.glued_flag == "abnormal"


@pytest.mark.parametrize(("text", "low", "high"), [("en fazla 5,20", None, 5.2), ("en az 1,00", 1.0, None)])
def test_turkish_at_most_and_at_least(text, low, high):
    rng = parse_range(text)
    assert rng is not None and (rng.low, rng.high) == (low, high)


@pytest.mark.parametrize("text", ["Ambra", "Paglierino", "Giallo chiaro"])
def test_italian_urine_colours(text):
    assert is_qualitative(text)


def test_titres_are_not_read_as_decimals_with_a_colon():
    """The colon-for-point repair leaves titres alone: "1:40 - 1:80" is no 1.4 - 1.8."""
    assert parse_range("1:40 - 1:80") is None
    limit = parse_range("<1:40")
    assert limit is not None and (limit.low, limit.high, limit.text) == (None, None, "<1:40")


@pytest.mark.parametrize(
    ("text", "bounds"),
    [("(Reference: 36-46%)", (36, 46)), ("36% - 46%", (36, 46)), ("36.0 - 46.0 %", None), ("36-46%", None)],
)
def test_a_percent_sign_belongs_to_the_bounds_only_inside_brackets_or_on_both(text, bounds):
    """A range and its unit in one cell ('36.0 - 46.0 %', '36-46%') are two cells, so the unit is
    kept; a percent sign on both bounds or before a closing bracket is part of the range."""
    rng = parse_range(text)
    assert (None if rng is None else (rng.low, rng.high)) == bounds


@pytest.mark.parametrize(("text", "flag"), [("LOW.", "low"), ("H.", "high"), ("'High", "high"), ("(L),", "low")])
def test_a_flag_with_a_speck_beside_it_is_still_the_flag(text, flag):
    """A scan reads a speck after "LOW" in the flag column; the word is the flag, not a unit."""
    assert parse_flag(text) == flag


def test_a_speck_alone_is_no_flag():
    assert parse_flag(".") is None and parse_flag(",") is None


@pytest.mark.parametrize("text", ["44'", "44’", "44`"])
def test_a_quote_glued_after_a_value_is_a_speck(text):
    """A photo reads a small asterisk's tip, or a speck, after "44" as a quote: the value is 44."""
    v = parse_value(text)
    assert v is not None and (v.value, v.text) == (44.0, "44")


@pytest.mark.parametrize(("text", "value", "printed"), [
    ("13.5¹", 13.5, "13.5"), ("13.5 ²", 13.5, "13.5"), ("13.5(1)", 13.5, "13.5"), ("13.5 [2]", 13.5, "13.5"),
    ("13.5^1", 13.5, "13.5"), ("<0.5¹", 0.5, "<0.5"),
])
def test_a_footnote_or_site_mark_after_a_value_is_not_part_of_it(text, value, printed):
    """A text layer's superscript footnote after a value ("13.5¹") became a digit of it (13.51,
    a wrong value given silently); "(1)" or "[2]" against it made the value unreadable and the
    row took its range's bound. The mark is no part of the value."""
    v = parse_value(text)
    assert v is not None and (v.value, v.text) == (value, printed)

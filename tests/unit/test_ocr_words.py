"""RapidOCR boxes a line character by character once it holds a CJK-class character; a
Latin line with one misread mark ("R、" for "R.") is regrouped into its words."""

from __future__ import annotations

from labintake.extract.ocr_words import latin_words


def _pieces(text: str, x: float = 10.0, w: float = 8.0) -> list:
    """One piece per non-space character, as RapidOCR gives them: (char, score, quad)."""
    out, at = [], x
    for c in text:
        if not c.isspace():
            out.append((c, 0.9 if c != "、" else 0.6, [[at, 5], [at + w, 5], [at + w, 20], [at, 20]]))
        at += w
    return out


def _words(text: str) -> list[tuple[str, float, float, float]]:
    return [(word, score, min(p[0] for p in pts), max(p[0] for p in pts))
            for word, score, pts in latin_words(text, _pieces(text))]


def test_a_latin_line_read_one_character_per_piece_is_regrouped_into_words():
    got = _words("Patient: Emily R、Carter")
    assert [w for w, *_ in got] == ["Patient:", "Emily", "R.Carter"]
    # Each word spans its characters' boxes, and keeps its least sure character's score.
    assert got[0][2:] == (10.0, 10.0 + 8 * 8) and got[2][1] == 0.6


def test_full_width_marks_in_a_latin_line_fold_to_ascii():
    assert [w for w, *_ in _words("Glucose： 5.4 （3.9-6.1）")] == ["Glucose:", "5.4", "(3.9-6.1)"]


def test_a_chinese_line_regroups_its_latin_runs_and_its_characters_printed_together():
    """"No项目", "3 6 岁" came back letter by letter: the Latin runs are words again, Chinese
    characters printed together are one word ("阴性" was "阴 性", which no reading matched),
    and a full-width mark stays a word of its own."""
    assert [w for w, *_ in latin_words("No项目", _pieces("No项目"))] == ["No", "项目"]
    text = "血红蛋白 128 g/L：36岁"
    assert [w for w, *_ in latin_words(text, _pieces(text))] == ["血红蛋白", "128", "g/L", "：", "36", "岁"]


def test_chinese_characters_far_apart_stay_apart():
    """Cells the recogniser read as one line ("颜色黄色" with a column's gap inside) keep
    their columns: characters more than a third of their height apart are two words."""
    def box(x: float) -> list:
        return [[x, 5], [x + 8, 5], [x + 8, 20], [x, 20]]

    pieces = [("颜", 0.9, box(10)), ("色", 0.9, box(18)), ("黄", 0.9, box(90)), ("色", 0.9, box(98))]
    got = latin_words("颜色黄色", pieces)
    assert [(w, min(p[0] for p in pts), max(p[0] for p in pts)) for w, _, pts in got] == [
        ("颜色", 10, 26), ("黄色", 90, 106)]


def test_a_line_already_in_words_is_left_alone():
    pieces = [("Hemoglobin", 0.99, [[0, 0], [80, 0], [80, 12], [0, 12]]), ("13.5", 0.98, [[90, 0], [120, 0], [120, 12], [90, 12]])]
    assert latin_words("Hemoglobin 13.5", pieces) is pieces


def test_a_chinese_name_printed_against_latin_letters_or_a_hyphen_stays_one_word():
    """"25-羟基维生素D" and "维生素B12" are one word in a text layer; read character by
    character they came back as "25- 羟基维生素 D", a label the page does not print. A Latin
    run glued to Chinese characters by a hyphen, or letters right after them, join them when
    touching; digits right after (a count, "尿糖1+") and letters before ("No项目") do not."""
    assert [w for w, *_ in latin_words("25-羟基维生素D 217", _pieces("25-羟基维生素D 217"))] == ["25-羟基维生素D", "217"]
    assert [w for w, *_ in latin_words("维生素B12", _pieces("维生素B12"))] == ["维生素B12"]
    assert [w for w, *_ in latin_words("尿糖1+", _pieces("尿糖1+"))] == ["尿糖", "1+"]

    def box(x: float) -> list:
        return [[x, 5], [x + 8, 5], [x + 8, 20], [x, 20]]

    apart = [("素", 0.9, box(10)), ("D", 0.9, box(60))]  # a column's gap: two cells
    assert [w for w, *_ in latin_words("素D", apart)] == ["素", "D"]

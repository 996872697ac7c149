"""Honorifics printed with a dotted abbreviation (Italian 'Sig.ra', Spanish 'Sra.') are
dropped from the patient's name and give the sex when no field does."""

from __future__ import annotations

import pytest

from labintake.parse.person import parse_person_name, sex_from_honorific


@pytest.mark.parametrize(
    ("printed", "name", "sex"),
    [("Sig.ra Chiara Prova", "Chiara Prova", "female"), ("Sig.na Anna Bianchi", "Anna Bianchi", "female"),
     ("Sra. Erika Ejemplo", "Erika Ejemplo", "female"), ("Sig. Marco Rossi", "Marco Rossi", "male")],
)
def test_a_dotted_honorific_is_dropped_and_gives_the_sex(printed, name, sex):
    assert parse_person_name(printed) == name
    assert sex_from_honorific(printed) == sex


def test_a_label_printed_with_an_ordinal_indicator_reads_as_its_plain_spelling():
    """'N.º processo' comes out of some text layers as 'N.o processo'; both are the record number."""
    from labintake.parse.header_labels import field_of

    assert field_of("N.o processo") == field_of("N.º processo") == "mrn"


def test_a_chinese_label_right_after_the_previous_value_ends_it():
    """'姓名: 李伟出生日期: 1959年10月01日' (the space between CJK words lost): the name is 李伟."""
    from labintake.extract.document import Word
    from labintake.parse.header import parse_header
    from labintake.parse.lines import build_lines

    words = [Word("姓名:", 40, 100, 65, 110, 1.0, False), Word("李伟出生日期:", 68, 100, 140, 110, 1.0, False),
             Word("1959年10月01日", 143, 100, 210, 110, 1.0, False)]
    patient, _ = parse_header(build_lines(words))
    assert patient.name == "李伟" and str(patient.date_of_birth) == "1959-10-01"


@pytest.mark.parametrize(
    ("printed", "name"),
    [("Dhr. P. de Vries", "P. de Vries"), ("J. SMITH", "J. Smith"), ("DUPONT Marie", "Marie Dupont"),
     ("MEHMET DEMİR", "Mehmet Demir"), ("Dhr. P.J. de Vries", "P.J. de Vries"), ("J.R. SMITH", "J.R. Smith")],
)
def test_an_initial_is_not_a_family_name_in_capitals(printed, name):
    """'P.' and 'P.J.' are in capitals but are initials: the name keeps its order and its
    initials stay capitals; 'DUPONT Marie' still reads as family name first."""
    assert parse_person_name(printed) == name


@pytest.mark.parametrize(("printed", "name"), [("Ay$e Yilmaz", "Ayse Yilmaz"), ("AY$E YILMAZ", "Ayse Yilmaz"),
                                               ("$MITH, JOHN", "John Smith")])
def test_a_dollar_sign_against_letters_in_a_name_is_an_ocr_s(printed, name):
    """OCR reads a Turkish ş (or an S) as "$"; no name has one, and the name keeps its case."""
    assert parse_person_name(printed) == name


@pytest.mark.parametrize(("printed", "name"), [("Mrs. Lakshmi lyer", "Lakshmi Iyer"), ("lVAN PETROV", "Ivan Petrov"),
                                               ("lsabel de la Cruz", "Isabel de la Cruz"), ("Maria la Torre", "Maria la Torre"),
                                               ("Jean le Blanc", "Jean le Blanc")])
def test_an_ocr_l_for_the_capital_i_starting_a_name_word(printed, name):
    """OCR reads a capital I as a lower-case l ("lyer"); in a name whose other words start with
    a capital, no word starts with a lower-case l but a particle ("la", "le")."""
    assert parse_person_name(printed) == name

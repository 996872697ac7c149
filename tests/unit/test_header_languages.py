"""Header labels in Portuguese, Dutch, Polish, Turkish and simplified Chinese."""

from __future__ import annotations

from datetime import date

import pytest

from labintake.parse.header import parse_header, parse_sex
from labintake.parse.lines import build_lines
from tests.fixtures.words import row, words_at


def _header(*word_lists):
    return parse_header(build_lines([w for ws in word_lists for w in ws]))


@pytest.mark.parametrize(
    ("first", "second", "name", "dob", "sex", "collected"),
    [
        ([(40, "Nome: Maria Exemplo Silva"), (320, "Data de colheita: 04/03/2025 08:10")],
         [(40, "Data de nascimento: 02/01/1970"), (320, "Sexo: Feminino")],
         "Maria Exemplo Silva", date(1970, 1, 2), "female", date(2025, 3, 4)),
        ([(40, "Naam: Jansen-Voorbeeld, Eva"), (320, "Afnamedatum: 04-03-2025")],
         [(40, "Geboortedatum: 02-01-1970"), (320, "Geslacht: V")],
         "Eva Jansen-Voorbeeld", date(1970, 1, 2), "female", date(2025, 3, 4)),
        ([(40, "Pacjent: Anna Przykładowa"), (320, "Data pobrania: 04.03.2025 07:45")],
         [(40, "Data urodzenia: 02.01.1970"), (320, "Płeć: K")],
         "Anna Przykładowa", date(1970, 1, 2), "female", date(2025, 3, 4)),
        ([(40, "Hasta Adı Soyadı: Ayşe Örnek"), (320, "Numune Alma Tarihi: 04/03/2025")],
         [(40, "Doğum Tarihi: 02/01/1970"), (320, "Cinsiyet: Kadın")],
         "Ayşe Örnek", date(1970, 1, 2), "female", date(2025, 3, 4)),
    ],
)
def test_other_european_languages(first, second, name, dob, sex, collected):
    """Given labels in PT, NL, PL or TR with ambiguous slash dates, then fields are read day first."""
    patient, report = _header(row(*first, y=80), row(*second, y=95))
    assert patient.name == name
    assert patient.date_of_birth == dob
    assert patient.sex == sex
    assert report.collected_at == collected


def test_chinese_header_read_character_by_character():
    """Given a Chinese header as OCR reads it (one character per word, two-character labels
    letter-spaced), then name, sex, record number, provider and dates are found."""
    patient, report = _header(
        row((30, "姓"), (60, "名 ： 张 伟"), (450, "条 码 编 号 ： T M 1 2 3 4"), y=60),
        row((30, "性"), (60, "别 ： 男"), (450, "年 龄 ： 3 5"), y=76),
        row((30, "病 历 号 ： Z Y 0 0 1 2 3"), (450, "送 检 医 生 ： 李 明"), y=92),
        row((30, "采 样 时 间 ： 2 0 2 5 - 0 3 - 0 4 0 8 : 1 0 : 0 0"), y=108),
        row((30, "项 目 名 称"), (180, "结 果"), (240, "单 位"), (300, "参 考 值"), y=140),
        row((30, "白 细 胞"), (180, "5.1"), (240, "10^9/L"), (300, "4-10"), y=156),
        row((30, "报 告 时 间 ： 2 0 2 5 - 0 3 - 0 5 1 0 : 0 0 : 0 0"), y=300),
    )
    assert patient.name == "张伟"
    assert patient.sex == "male"
    assert patient.mrn == "ZY00123"
    assert report.ordering_provider == "李明"
    assert report.collected_at == date(2025, 3, 4)
    assert report.reported_at == date(2025, 3, 5)


def test_chinese_dates_written_with_characters():
    patient, report = _header(row((30, "姓名：王芳"), (300, "出生日期：1980年2月14日"), y=60),
                              row((30, "性别：女"), (300, "采集时间：2025年3月4日"), y=76))
    assert patient.name == "王芳"
    assert patient.date_of_birth == date(1980, 2, 14)
    assert patient.sex == "female"
    assert report.collected_at == date(2025, 3, 4)


def test_sample_number_is_the_record_number_only_when_no_patient_id():
    patient, _ = _header(row((30, "姓名：王芳"), (300, "样本号：77"), y=60))
    assert patient.mrn == "77"
    patient, _ = _header(row((30, "姓名：王芳"), (300, "样本号：77"), y=60), row((30, "住院号：A55"), y=76))
    assert patient.mrn == "A55"


@pytest.mark.parametrize(
    ("text", "sex"),
    [("女", "female"), ("男", "male"), ("Kadın", "female"), ("Erkek", "male"), ("K", "female"),
     ("Mężczyzna", "male"), ("Feminino", "female"), ("Masculino", "male"), ("Vrouw", "female"),
     ("35岁/女", "female"), ("20/Male", "male")],
)
def test_sex_words(text, sex):
    assert parse_sex(text) == sex


@pytest.mark.parametrize(
    ("heading", "name", "label"),
    [("Patientendaten", "Erika Beispiel", "Geburtsdatum"), ("Dados do utente", "Maria Exemplo", "Data de nascimento"),
     ("Patiëntgegevens", "Eva Voorbeeld", "Geboortedatum"), ("Dane osobowe pacjenta", "Anna Przykład", "Data urodzenia"),
     ("Hasta Bilgisi", "Ayşe Örnek", "Doğum Tarihi"), ("患者基本信息", "张伟", "出生日期")],
)
def test_name_under_a_patient_heading_in_other_languages(heading, name, label):
    patient, _ = _header(row((40, heading), y=60), row((40, name), y=76), row((40, f"{label}: 1980-02-14"), y=92))
    assert patient.name == name
    assert patient.date_of_birth == date(1980, 2, 14)


def test_grid_labels_ocr_read_with_the_wrong_marks():
    """A grid of labels over values whose labels OCR read with the wrong diacritics ("Pleć"
    for "Płeć", "Patiēnt" for "Patiënt"): still the labels they are."""
    patient, report = _header(
        row((40, "Pacjent"), (200, "Data urodzenia"), (320, "Pleć"), y=80),
        row((40, "PRZYKŁADOWY, ŁUKASZ"), (200, "22.05.1941"), (320, "Mężczyzna"), y=92),
        row((40, "Data pobrania"), (200, "Data wydania"), y=110),
        row((40, "13.10.2025 07:20"), (200, "13.10.2025"), y=122),
    )
    assert (patient.name, patient.date_of_birth, patient.sex) == ("Łukasz Przykładowy", date(1941, 5, 22), "male")
    assert report.collected_at == date(2025, 10, 13)
    nl, _ = _header(row((40, "Patiēnt"), (200, "Geboortedatum"), (320, "Geslacht"), y=80),
                    row((40, "Bram Voorbeeld"), (200, "02-11-1973"), (320, "Man"), y=92))
    assert (nl.name, nl.date_of_birth, nl.sex) == ("Bram Voorbeeld", date(1973, 11, 2), "male")


def test_inline_labels_ocr_read_with_the_wrong_marks():
    """``Patiēnt:`` and ``Pleć:`` (OCR's marks on ``Patiënt:`` and ``Płeć:``) label their values."""
    patient, report = _header(row((40, "Patiēnt: Bram Voorbeeld"), (320, "Afname: 29-03-2025"), y=80),
                              row((40, "Pleć: Mężczyzna"), (320, "Geboortedatum: 02-11-1973"), y=95))
    assert (patient.name, patient.sex, patient.date_of_birth) == ("Bram Voorbeeld", "male", date(1973, 11, 2))
    assert report.collected_at == date(2025, 3, 29)


@pytest.mark.parametrize("line", [
    "Fecha de obtención: 21/11/2024", "Fecha toma muestra: 21/11/2024", "Coll. Date: 11/21/24",
    "Zeitpunkt der Probenahme: 21.11.2024",
])
def test_more_spellings_of_the_collection_date(line):
    _, report = parse_header(build_lines(words_at(line, 54, 100)))
    assert report.collected_at == date(2024, 11, 21)


def test_a_japanese_header_gives_name_birth_date_sex_and_collection_date():
    """'氏名：山田 花子 性別：女 生年月日：1980年4月12日', '採取日：2026年11月05日': year-first dates."""
    from labintake.extract.document import Word
    from labintake.parse.header import parse_header
    from labintake.parse.lines import build_lines

    words = [Word("氏名：山田", 30, 60, 80, 70, 1.0, False), Word("花子", 84, 60, 104, 70, 1.0, False),
             Word("性別：女", 200, 60, 240, 70, 1.0, False), Word("生年月日：1980年4月12日", 300, 60, 400, 70, 1.0, False),
             Word("採取日：2026年11月05日", 300, 76, 400, 86, 1.0, False)]
    patient, report = parse_header(build_lines(words))
    # The space between family and given name is kept as printed; characters OCR spaced
    # apart one by one are joined (test_chinese_header_read_character_by_character).
    assert patient.name == "山田 花子"
    assert (str(patient.date_of_birth), patient.sex, str(report.collected_at)) == ("1980-04-12", "female", "2026-11-05")

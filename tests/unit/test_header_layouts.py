"""Header layouts: label/value grids, stacked labels, unlabelled names, side-by-side tables.

Each test lays out a small fictitious page from words (see tests/fixtures/words.py) and
checks the header fields read from it.
"""

from __future__ import annotations

from datetime import date

import pytest

from labintake.parse.header import parse_header
from labintake.parse.lines import build_lines
from tests.fixtures.words import row, words_at


def _header(*word_lists):
    words = [w for ws in word_lists for w in ws]
    return parse_header(build_lines(words))


_TABLE = (
    row((54, "Test"), (230, "Result"), (300, "Units"), (380, "Reference Range"), y=300),
    row((54, "Hemoglobin"), (230, "13.5"), (300, "g/dL"), (380, "12.0 - 16.0"), y=316),
    row((54, "Glucose"), (230, "92"), (300, "mg/dL"), (380, "70 - 99"), y=332),
)


def test_grid_of_label_and_value_cells_without_colons():
    """Given a header grid whose labels sit alone in their cells, then each value is the next cell."""
    patient, report = _header(
        row((54, "Patient"), (140, "Mr Oliver Tester"), (330, "Collected"), (420, "2025-03-04 08:12"), y=100),
        row((54, "Sex / Age"), (140, "M / 41 years"), (330, "Reported"), (420, "2025-03-05 10:45"), y=116),
        row((54, "Patient ID"), (140, "TST-000-111"), (330, "Referred by"), (420, "Dr. Ann Example"), y=132),
        *_TABLE,
    )
    assert patient.name == "Oliver Tester"
    assert patient.sex == "male"
    assert patient.mrn == "TST-000-111"
    assert report.collected_at == date(2025, 3, 4)
    assert report.reported_at == date(2025, 3, 5)
    assert report.ordering_provider == "Dr. Ann Example"


def test_labels_stacked_above_their_values():
    """Given a row of labels with the values on the line below, then each value is the cell under its label."""
    patient, report = _header(
        row((54, "Patient Name"), (200, "Date of Birth"), (320, "Collection Date"), (450, "MRN"), y=100),
        row((54, "Quinn Example"), (200, "07/30/1975"), (320, "03/04/2025"), (450, "884422"), y=114),
        *_TABLE,
    )
    assert patient.name == "Quinn Example"
    assert patient.date_of_birth == date(1975, 7, 30)
    assert report.collected_at == date(2025, 3, 4)
    assert patient.mrn == "884422"


def test_a_stacked_date_label_beside_a_label_the_lexicon_lacks_takes_the_date_below():
    """Given 'Collection date' beside a label no list holds ('Date result issued'), with both
    dates on the line below, then the collection date is the date under its label, not the
    neighbouring label's words."""
    patient, report = _header(
        row((54, "Collection Date"), (250, "Date Result Issued"), y=100),
        row((54, "03/04/2025 07:40"), (250, "03/05/2025 13:05"), y=114),
        *_TABLE,
    )
    assert report.collected_at == date(2025, 3, 4)


@pytest.mark.parametrize("name", ["P.J. de Vries", "Anna-Lena Müller", "Mary O'Brien"])
def test_a_name_with_initials_a_hyphen_or_an_apostrophe_beside_its_label_cell(name):
    """Given 'Naam' in its own cell and ': P.J. de Vries' in the next, then that is the name:
    initials, double names and apostrophes are parts of names."""
    patient, _ = _header(row((54, "Naam"), (140, f": {name}"), (330, "Geboortedatum"), (420, ": 03-02-1957"), y=100),
                         *_TABLE)
    assert patient.name == name


def test_label_with_colon_and_its_value_on_the_next_line():
    patient, report = _header(
        row((54, "Patient Name:"), (330, "Sample collected:"), y=100),
        row((54, "ROE, RICHARD"), (330, "12/11/2025"), y=114),
        *_TABLE,
    )
    assert patient.name == "Richard Roe"
    assert report.collected_at == date(2025, 12, 11)


def test_stacked_label_never_takes_a_value_from_the_result_table():
    """Given a label with nothing under it but the result table, then the field stays empty."""
    patient, report = _header(
        row((54, "Patient Name:"), (330, "Collected:"), y=280),
        *_TABLE,
    )
    assert patient.name is None
    assert report.collected_at is None


def test_name_is_the_first_line_under_a_patient_heading():
    """Given a 'Patient Information' box whose first line is the unlabelled name, then that line is the name."""
    patient, report = _header(
        row((40, "Patient Information"), (220, "Specimen Information"), (400, "Client Information"), y=60),
        row((40, "TESTER, ALEXANDRA"), (220, "Specimen: XX0001"), (400, "Client #: 0000"), y=74),
        row((40, "DOB: 03/02/1958 Age: 67"), (220, "Collected: 10/09/2025 / 02:39 PM"), y=86),
        row((40, "Gender: F"), (220, "Accession: 000111"), y=98),
        *_TABLE,
    )
    assert patient.name == "Alexandra Tester"
    assert patient.date_of_birth == date(1958, 3, 2)
    assert patient.sex == "female"
    assert report.collected_at == date(2025, 10, 9)


def test_heading_with_logo_text_overlapping_it():
    """A logo's words printed into the heading ('Patient Acme® Information') still make it a heading."""
    patient, _ = _header(
        row((40, "Patient Acme® Information"), (260, "Report Status: Final"), y=60),
        row((40, "Jordan Q Sample"), y=74),
        row((40, "DOB: 01/02/1990"), y=86),
        *_TABLE,
    )
    assert patient.name == "Jordan Q Sample"


def test_first_field_of_a_pipe_separated_line():
    patient, _ = _header(
        words_at("Northwind Reference Laboratory", 54, 50),
        words_at("Casey Fictional | DOB: 04/05/1988 | MRN: 5550001 | Sex: F", 54, 100),
        *_TABLE,
    )
    assert patient.name == "Casey Fictional"
    assert patient.date_of_birth == date(1988, 4, 5)
    assert patient.mrn == "5550001"
    assert patient.sex == "female"


def test_pipe_line_of_a_letterhead_is_not_a_name():
    patient, _ = _header(
        words_at("12 Example Street, Suite 4 | Phone: (555) 010-0000", 54, 60),
        *_TABLE,
    )
    assert patient.name is None


def test_unlabelled_last_first_name_at_the_top():
    """Given only 'FAMILY, GIVEN' in capitals at the top of the page, then it is the patient."""
    patient, report = _header(
        row((36, "EXAMPLE, MARGARET"), (449, "September 16, 2024"), y=12),
        words_at("CMP", 36, 38),
        *_TABLE,
    )
    assert patient.name == "Margaret Example"
    assert report.collected_at is None  # an unlabelled date is not a collection date


def test_a_family_name_and_a_comma_with_nothing_after_it_is_no_crash():
    """OCR of a crooked photo can cut "DOE, JANE" to "DOE,": no given name, no patient, and
    the page is still read."""
    patient, _ = _header(row((36, "EXAMPLE,"), (449, "September 16, 2024"), y=12), *_TABLE)
    assert patient.name is None


def test_a_plain_date_label_is_not_the_collection_date():
    _, report = _header(
        row((36, "Patient: DOE, JANE"), (288, "DOB: 10/15/1982"), y=50),
        row((36, "Date: 08/09/2024"), (288, "Panel: CMP"), y=62),
        *_TABLE,
    )
    assert report.collected_at is None


def test_header_above_two_tables_side_by_side():
    """Given a header grid over two result tables printed side by side, then the header is read."""
    patient, report = _header(
        row((30, "Name: Lee Example"), (230, "Sex: Female"), (430, "Age: 47"), y=60),
        row((30, "MRN: AB123456"), (230, "Collected: 2025-10-03 07:53"), y=76),
        row((30, "Test"), (120, "Result"), (170, "Units"), (220, "Range"),
            (320, "Test"), (410, "Result"), (460, "Units"), (510, "Range"), y=120),
        row((30, "WBC"), (120, "5.1"), (170, "10^9/L"), (220, "4-10"),
            (320, "MCV"), (410, "90"), (460, "fL"), (510, "82-100"), y=136),
    )
    assert patient.name == "Lee Example"
    assert patient.sex == "female"
    assert patient.mrn == "AB123456"
    assert report.collected_at == date(2025, 10, 3)


def test_label_grid_values_are_not_read_inside_the_table():
    """A result row whose cells look like a label and a value ('Status', 'Final') is not header."""
    patient, _ = _header(
        *_TABLE,
        row((54, "Patient"), (230, "Final Review"), y=348),
    )
    assert patient.name is None


def test_names_written_with_honorifics():
    for printed, expected in [("Mrs. Jane Sample", "Jane Sample"), ("Herr Max Muster", "Max Muster"),
                              ("Mme Claire Exemple", "Claire Exemple"), ("Sra. Ana Ejemplo", "Ana Ejemplo"),
                              ("Dhr. Jan Voorbeeld", "Jan Voorbeeld"), ("Pani Anna Przykład", "Anna Przykład"),
                              ("Bayan Ayşe Örnek", "Ayşe Örnek"), ("Mr Dummy", "Dummy")]:
        patient, _ = _header(row((54, "Name:"), (130, printed), y=100), *_TABLE)
        assert patient.name == expected, printed


def test_name_stops_at_a_following_label_printed_without_colon():
    patient, _ = _header(row((54, "Patient Name: Jane Placeholder DOB 01/02/1990"), y=100), *_TABLE)
    assert patient.name == "Jane Placeholder"
    patient, _ = _header(row((54, "Patient Name: John Ward Age 45"), y=100), *_TABLE)
    assert patient.name == "John Ward"
    patient, _ = _header(row((54, "Patient: DEMO PATIENT"), y=100), *_TABLE)
    assert patient.name == "Demo Patient"
    patient, _ = _header(row((54, "Name: Jane Placeholder Gender Female"), y=100), *_TABLE)
    assert patient.name == "Jane Placeholder"
    patient, _ = _header(row((54, "Name: Ravi Example S/O Arun Example"), y=100), *_TABLE)
    assert patient.name == "Ravi Example"


def test_date_labels_followed_by_time():
    _, report = _header(row((54, "Collection Date & Time: 04/03/2025 08:10"), (330, "Report Date/Time: 04/03/2025"), y=60))
    assert report.collected_at == date(2025, 4, 3)
    assert report.reported_at == date(2025, 4, 3)


def test_full_width_colons_from_ocr():
    patient, report = _header(row((54, "Patient Name：Jane Placeholder"), (330, "Collected：2025-03-04"), y=100))
    assert patient.name == "Jane Placeholder"
    assert report.collected_at == date(2025, 3, 4)


def test_a_label_beside_another_heading_is_not_a_name():
    patient, _ = _header(row((54, "Patient"), (200, "Specimen Details"), y=60), *_TABLE)
    assert patient.name is None


def test_a_place_is_not_an_unlabelled_name():
    patient, _ = _header(words_at("SPRINGFIELD, IL", 54, 20), *_TABLE)
    assert patient.name is None


def test_combined_birth_date_labels():
    patient, _ = _header(row((54, "Name: Ann Example"), (300, "DOB/Sex: 02/03/1970 / F"), y=60), *_TABLE)
    assert patient.date_of_birth == date(1970, 2, 3)
    assert patient.sex == "female"
    patient, _ = _header(row((54, "Name: Ann Example"), (300, "Age/DOB: 55 Y / 02/03/1970"), y=60), *_TABLE)
    assert patient.date_of_birth == date(1970, 2, 3)


def test_family_and_given_names_in_separate_fields():
    patient, _ = _header(row((54, "Surname: PLACEHOLDER"), (300, "Forename: JANE"), y=60), *_TABLE)
    assert patient.name == "Jane Placeholder"
    patient, _ = _header(row((54, "Nom : EXEMPLE"), (300, "Prénom : Claire"), y=60), *_TABLE)
    assert patient.name == "Claire Exemple"
    patient, _ = _header(row((54, "Nombre: Ana"), (300, "Apellidos: Ejemplo Ruiz"), y=60), *_TABLE)
    assert patient.name == "Ana Ejemplo Ruiz"


def test_abbreviation_dot_before_the_colon():
    patient, report = _header(row((54, "Pt. Name: Asha Example Lab No.: 4411"), y=60),
                              row((54, "Sample Collected On: 2025-03-04"), y=76), *_TABLE)
    assert patient.name == "Asha Example"
    assert report.collected_at == date(2025, 3, 4)


def test_sex_from_the_honorific_when_no_field_says():
    patient, _ = _header(row((54, "Name: Mrs. Jane Placeholder"), y=60), *_TABLE)
    assert patient.sex == "female"
    patient, _ = _header(row((54, "Name: Herr Max Muster"), y=60), *_TABLE)
    assert patient.sex == "male"
    patient, _ = _header(row((54, "Name: Mr. Max Muster"), (300, "Sex: F"), y=60), *_TABLE)
    assert patient.sex == "female"  # a printed sex field wins
    patient, _ = _header(row((54, "Name: Jane Placeholder"), y=60), *_TABLE)
    assert patient.sex is None


def test_unlabelled_name_before_the_patient_fields_on_its_line():
    patient, _ = _header(words_at("PLACEHOLDER, JANE   DOB: 04/05/1988   MRN: 5550001", 54, 100), *_TABLE)
    assert patient.name == "Jane Placeholder"
    patient, _ = _header(words_at("Haematology Report   DOB: 04/05/1988", 54, 100), *_TABLE)
    assert patient.name is None


def test_labels_without_colons_in_front_of_their_values():
    """Given a compact header whose labels have no colon ('DOB 01/02/1980'), then checked fields are read."""
    patient, report = _header(
        row((54, "Patient Name Jane Placeholder"), (330, "Collected 2025-03-04 08:10"), y=60),
        row((54, "DOB 01/02/1990"), (330, "Sex F"), y=76),
        row((54, "Patient Information"), y=92),
        *_TABLE,
    )
    assert patient.name == "Jane Placeholder"
    assert patient.date_of_birth == date(1990, 1, 2)
    assert patient.sex == "female"
    assert report.collected_at == date(2025, 3, 4)


def test_a_colonless_label_needs_a_value_of_its_kind():
    patient, report = _header(row((54, "Patient Information"), (330, "Collected by nurse"), y=60),
                              row((54, "Sex education leaflet"), y=76), *_TABLE)
    assert patient.name is None and patient.sex is None
    assert report.collected_at is None


def test_a_sex_word_standing_alone_as_a_header_field():
    """Given ``Jane Doe | DOB: … | Female | MRN …``, then the unlabelled 'Female' is the sex;
    a lone letter is the sex only as a field of the name's line, and a sex word inside a
    longer cell is not a field."""
    patient, _ = _header(words_at("Jane Doe | DOB: 02/14/1980 | Female | MRN 123456", 54, 100), *_TABLE)
    assert (patient.name, patient.sex) == ("Jane Doe", "female")
    patient, _ = _header(words_at("Jane Doe | DOB: 02/14/1980", 54, 100),
                         words_at("Woman and Child Clinic | F", 54, 116), *_TABLE)
    assert patient.sex is None


def test_fields_apart_by_bars_with_no_colon_after_their_labels():
    """Given ``Emily R. Carter | F | 45 y | DOB 03/12/1981 | MRN 0099812`` (bars, and labels
    with no colon), then the first field is the name, 'DOB 03/12/1981' the birth date, and
    the lone 'F' beside the name the sex."""
    patient, _ = _header(words_at("Emily R. Carter | F | 45 y | DOB 03/12/1981 | MRN 0099812", 54, 100), *_TABLE)
    assert (patient.name, patient.sex, patient.date_of_birth) == ("Emily R. Carter", "female", date(1981, 3, 12))
    assert patient.mrn == "0099812"


def test_a_header_line_with_a_bare_age_and_a_label_without_colon_is_no_result_row():
    """``Emily Carter | 45 | DOB 03/12/1981``: a name, then a number in a cell of its own, as a
    result row has; but a cell starts with a patient field's label, so the header goes on and
    the line gives the name and the birth date."""
    patient, _ = _header(words_at("Emily Carter | 45 | DOB 03/12/1981", 54, 100), *_TABLE)
    assert (patient.name, patient.date_of_birth) == ("Emily Carter", date(1981, 3, 12))


@pytest.mark.parametrize("line", ["Emily Carter, 45 y, Female", "Emily Carter, 45 years old, Female"])
def test_an_unlabelled_name_before_its_age_and_sex_apart_by_commas(line):
    """``Emily Carter, 45 y, Female``: the name, then the age and the sex as fields of their
    own; a place's line ('Springfield, IL, 62701') is none of them."""
    patient, _ = _header(words_at(line, 54, 100), *_TABLE)
    assert (patient.name, patient.sex) == ("Emily Carter", "female")
    patient, _ = _header(words_at("Springfield, IL, 62701", 54, 100), *_TABLE)
    assert (patient.name, patient.sex) == (None, None)


@pytest.mark.parametrize(("field", "sex"), [("45/F", "female"), ("45 Y / F", "female"), ("M/62", "male"),
                                            ("62 yrs/m", "male")])
def test_age_and_sex_as_one_field_beside_an_unlabelled_name(field, sex):
    """``Emily Carter | 45 Y / F | MRN 0099812``: the age and the sex's letter in one field of
    the name's line give the sex."""
    patient, _ = _header(words_at(f"Emily Carter | {field} | MRN 0099812", 54, 100), *_TABLE)
    assert (patient.name, patient.sex) == ("Emily Carter", sex)


@pytest.mark.parametrize("below", ["Female, 45 years", "Born 03/12/1981", "Age 45 Years"])
def test_an_unlabelled_name_directly_above_the_patients_sex_age_or_birth_date(below):
    """Given a bold 'Emily R. Carter' with 'Female, 45 years' (or 'Born …', 'Age 45') right
    under it and no label anywhere, then the name is the patient's, and a sex spelled out
    before the age is her sex; a line of the lab's address under the lab's name is not."""
    patient, _ = _header(row((54, "Riverside Medical Laboratory"), y=60), row((54, "200 Main Street"), y=72),
                         row((360, "Emily R. Carter"), y=100), row((360, below), y=112), *_TABLE)
    assert patient.name == "Emily R. Carter"
    assert patient.sex == ("female" if below.startswith("Female") else None)


def test_unlabelled_name_after_a_patient_title_at_the_top():
    """Given ``Mme DUPONT Marie née MARTIN`` alone at the top (French reports print no label),
    then the name is the one she goes by, the birth name dropped, and the title gives the sex."""
    patient, _ = _header(
        row((54, "LABORATOIRE DU PARC"), y=60),
        row((54, "Mme DUPONT Marie née MARTIN"), (330, "Née le 12/05/1975"), y=100),
        *_TABLE,
    )
    assert patient.name == "Marie Dupont" and patient.sex == "female"
    assert patient.date_of_birth == date(1975, 5, 12)


@pytest.mark.parametrize(("printed", "name", "sex"), [
    ("Madame DUPONT Claire", "Claire Dupont", "female"), ("Monsieur MARTIN Paul", "Paul Martin", "male"),
    ("Señora Lucía Ejemplo Ruiz", "Lucía Ejemplo Ruiz", "female"), ("Senhor João Exemplo", "João Exemplo", "male"),
    ("Mevrouw A. de Vries", "A. de Vries", "female"), ("Hr. Max Muster", "Max Muster", "male"),
])
def test_a_title_written_out_in_full_before_an_unlabelled_name(printed, name, sex):
    """Given 'Madame DUPONT Claire' alone at the top, as French labs print the addressee (or
    'Monsieur', 'Señora', 'Senhor', 'Mevrouw', 'Hr.'), then it is the patient, title dropped,
    and the title gives the sex."""
    patient, _ = _header(row((54, "LABORATOIRE DU PARC"), y=60), row((330, printed), y=100), *_TABLE)
    assert (patient.name, patient.sex) == (name, sex)


@pytest.mark.parametrize("label", ["Sumame:", "Narne:"])
def test_a_label_ocr_read_with_m_for_rn_or_rn_for_m_is_still_the_label(label):
    """Given 'Sumame: EXAMPLE' (a blurred 'Surname:') or 'Narne:' (a blurred 'Name:'), then
    it is still the name's label: OCR's commonest confusion does not lose the patient."""
    lines = [row((54, label), (130, "EXAMPLE"), y=100)]
    if label == "Sumame:":
        lines.append(row((54, "Forename:"), (130, "Oliver James"), y=114))
    patient, _ = _header(*lines, *_TABLE)
    assert patient.name == ("Oliver James Example" if label == "Sumame:" else "Example")


def test_a_time_format_is_not_a_misread_record_number_label():
    """"(hh:mm)" after a time: "mm" would be "mrn" read with "rn" as "m", but a label that
    short has no misread spellings; the record number stays unread."""
    patient, _ = _header(row((54, "Patient: Jane Example"), (330, "Collected 08:15 (hh:mm: local)"), y=100), *_TABLE)
    assert patient.mrn is None


def test_a_doctors_title_or_a_bare_letter_is_not_a_patient_name():
    for text in ("Dr. Ann Example", "M Service Name", "Prof. Otto Tester"):
        patient, _ = _header(row((54, "LAB OF EXAMPLES"), y=60), row((54, text), y=100), *_TABLE)
        assert patient.name is None, text


def test_a_labelled_name_drops_the_birth_name():
    patient, _ = _header(row((54, "Name: Anna Schmidt geb. Weber"), y=100), *_TABLE)
    assert patient.name == "Anna Schmidt"


def test_a_cumulative_or_interim_report_title_after_the_labs_name_is_not_part_of_it():
    _, report = _header(row((54, "ROYAL EXAMPLE HOSPITAL - CUMULATIVE REPORT"), y=40), *_TABLE)
    assert report.lab_name == "ROYAL EXAMPLE HOSPITAL"


def test_labels_joined_by_slashes_take_their_values_in_the_same_order():
    patient, _ = _header(row((54, "Patient Name/Age/Sex: John Tester / 45Y / M"), y=100), *_TABLE)
    assert (patient.name, patient.sex) == ("John Tester", "male")
    patient, _ = _header(row((54, "Name/DOB/Gender: Ann Tester / 02/14/1980 / F"), y=100), *_TABLE)
    assert patient.name is None or patient.name == "Ann Tester"  # the date's own slashes: no guess


@pytest.mark.parametrize(("line", "name", "dob"), [
    ("Re: Mr Thomas Fictional, DOB 14/02/1958", "Thomas Fictional", "1958-02-14"),  # a British letter
    ("Patient: Jane Doe, DOB 14/02/1958", "Jane Doe", "1958-02-14"),
    ("Name: Jane Doe, born 14/02/1958", "Jane Doe", "1958-02-14"),
    ("Patient: DOE, JANE, Sex F", "Jane Doe", None),
])
def test_a_label_without_a_colon_inside_a_labelled_value_is_its_own_field(line, name, dob):
    """"DOB 14/02/1958" after the name and a comma: the date of birth, and the name ends there."""
    patient, _ = _header(row((36, line), y=60), row((36, "Date of sample: 21/10/2026"), y=74), *_TABLE)
    assert patient.name == name
    assert (patient.date_of_birth.isoformat() if patient.date_of_birth else None) == dob


def test_date_of_sample_is_the_collection_date():
    _, report = _header(row((36, "Patient: Jane Doe"), y=60), row((36, "Date of sample: 21/10/2026"), y=74), *_TABLE)
    assert report.collected_at is not None and report.collected_at.isoformat().startswith("2026-10-21")


@pytest.mark.parametrize("label", ["Draw Date:", "Sampling date:", "Date Obtained:", "Numune Alınış Tarihi:"])
def test_more_ways_to_label_the_collection_date(label):
    """US 'Draw Date', European 'Sampling date', 'Date Obtained', Turkish 'Numune Alınış Tarihi':
    each labels when the specimen was taken."""
    _, report = _header(row((54, "Patient: Jane Example"), y=90), row((54, label), (200, "11/20/2026"), y=104), *_TABLE)
    assert report.collected_at == date(2026, 11, 20)


@pytest.mark.parametrize(("label", "field"), [("Reg. Date", "received"), ("Booking Date", "received"),
                                              ("Patient Sex", "sex"), ("Pat. Name", "name"),
                                              ("Ref. Doctor", "provider")])
def test_more_labels_of_the_header(label, field):
    from labintake.parse.header_labels import field_of

    assert field_of(label) == field


def test_a_value_run_into_the_next_columns_label_ends_at_that_label():
    """A long name printed up to the next column's label leaves no gap between them: the name is
    the text before the label, and the label still reads its own value (both were lost)."""
    patient, report = _header(
        row((54, "Paciente:"), (140, "MUSTERMANN, HIROSHI A Fecha de extracción:"), (420, "23/06/2025 08:40"), y=100),
        row((54, "Fecha de nacimiento: 20/02/1974"), (330, "Fecha de informe:"), (420, "25/06/2025"), y=116),
        *_TABLE,
    )
    assert patient.name == "Hiroshi A Mustermann"
    assert patient.date_of_birth == date(1974, 2, 20)
    assert report.collected_at == date(2025, 6, 23)


def test_a_label_with_one_letter_misread_still_reads_its_date():
    """OCR read "Data de colheita:" as "Data de cokheita:": one letter from a collection-date
    label, and the value a date, so it is the collection date (it was lost)."""
    patient, report = _header(
        row((54, "Utente: Inês Teste"), (330, "Data do relatório: 13/01/2025"), y=100),
        row((54, "Data de nascimento: 26/06/1965"), (330, "Data de cokheita: 12/01/2025"), y=116),
        *_TABLE,
    )
    assert (report.collected_at, report.reported_at) == (date(2025, 1, 12), date(2025, 1, 13))
    assert patient.date_of_birth == date(1965, 6, 26)


@pytest.mark.parametrize("cell", ["Data de cokheita: pendente", "Data de cokxeita: 12/01/2025"])
def test_a_near_label_needs_a_value_of_its_kind_and_one_misread_letter(cell):
    _, report = _header(
        row((54, "Utente: Inês Teste"), (330, "Data do relatório: 13/01/2025"), y=100),
        row((54, "Data de nascimento: 26/06/1965"), (330, cell), y=116),
        *_TABLE,
    )
    assert report.collected_at is None

"""Every code a page can show has a human label."""

from labintake.domain import labels
from labintake.domain.errors import FILE_ERROR_CODES
from labintake.domain.status import FileStatus, SessionStatus
from labintake.extract.sniff import SUPPORTED_TYPES


def test_every_status_and_stored_error_has_a_label() -> None:
    assert set(labels.FILE_STATUSES) == set(FileStatus)
    assert set(labels.SESSION_STATUSES) == set(SessionStatus)
    assert set(labels.ERROR_TITLES) == set(FILE_ERROR_CODES)
    assert set(labels.FILE_TYPES) == set(SUPPORTED_TYPES)


def test_labels_never_show_internal_codes() -> None:
    assert labels.file_type("APPLICATION/PDF") == "PDF"
    assert labels.file_type("application/octet-stream") == "Other file"
    assert labels.error_title("corrupt_pdf") == "Damaged PDF"
    assert labels.session_status("partial") == "Finished with problems"
    assert labels.file_status("timeout") == "Timed out"
    for table in labels.as_json().values():
        for label in table.values():
            assert "_" not in label and "/" not in label.replace("Photo (JPEG)", "")

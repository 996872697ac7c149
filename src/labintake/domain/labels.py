"""Human labels for what the product stores as codes: file types, statuses and error codes.

Pages, analytics and exports show these; the codes stay in the API and the database. One
home, so the history filter, the analytics table and the review page never disagree.
"""

from __future__ import annotations

from .errors import ErrorCode
from .status import FileStatus, SessionStatus

FILE_TYPES: dict[str, str] = {
    "application/pdf": "PDF",
    "image/jpeg": "Photo (JPEG)",
    "image/png": "Image (PNG)",
    "image/tiff": "Scan (TIFF)",
    "image/webp": "Image (WebP)",
    "image/heic": "Photo (HEIC)",
}

FILE_STATUSES: dict[FileStatus, str] = {
    FileStatus.PENDING: "Waiting",
    FileStatus.DOWNLOADING: "Loading",
    FileStatus.EXTRACTING: "Reading",
    FileStatus.PARSING: "Finding results",
    FileStatus.SAVING: "Saving",
    FileStatus.COMPLETED: "Done",
    FileStatus.FAILED: "Failed",
    FileStatus.TIMEOUT: "Timed out",
    FileStatus.CANCELLED: "Cancelled",
}

SESSION_STATUSES: dict[SessionStatus, str] = {
    SessionStatus.PENDING: "Not started",
    SessionStatus.PROCESSING: "Processing",
    SessionStatus.PAUSED: "Paused",
    SessionStatus.COMPLETED: "Finished",
    SessionStatus.PARTIAL: "Finished with problems",
    SessionStatus.FAILED: "Failed",
    SessionStatus.TIMEOUT: "Stopped at its deadline",
    SessionStatus.CANCELLED: "Cancelled",
}

ERROR_TITLES: dict[ErrorCode, str] = {
    ErrorCode.UNSUPPORTED_TYPE: "Unsupported file type",
    ErrorCode.FILE_TOO_LARGE: "File too large",
    ErrorCode.EMPTY_FILE: "Empty file",
    ErrorCode.CORRUPT_PDF: "Damaged PDF",
    ErrorCode.ENCRYPTED_PDF: "Password-protected PDF",
    ErrorCode.TOO_MANY_PAGES: "Too many pages",
    ErrorCode.IMAGE_UNREADABLE: "Unreadable image",
    ErrorCode.IMAGE_TOO_LARGE: "Image too large",
    ErrorCode.NO_TEXT_FOUND: "No text found",
    ErrorCode.NOT_A_LAB_REPORT: "Not a lab report",
    ErrorCode.PARSE_VALIDATION_FAILED: "Results unreadable",
    ErrorCode.EXTRACT_TIMEOUT: "Reading took too long",
    ErrorCode.FILE_TIMEOUT: "Took too long",
    ErrorCode.SESSION_TIMEOUT: "Session deadline reached",
    ErrorCode.STORAGE_UNAVAILABLE: "File store unavailable",
    ErrorCode.DATABASE_UNAVAILABLE: "Database unavailable",
    ErrorCode.WORKER_LOST: "Worker stopped",
    ErrorCode.CANCELLED: "Cancelled",
    ErrorCode.INTERNAL_ERROR: "Unexpected error",
}


def file_type(mime: str | None) -> str:
    """'PDF', 'Photo (JPEG)', …; an unknown type says 'Other file' rather than its MIME string."""
    return FILE_TYPES.get((mime or "").lower(), "Other file")


def file_status(status: str) -> str:
    try:
        return FILE_STATUSES[FileStatus(status)]
    except ValueError:
        return status.replace("_", " ").capitalize()


def session_status(status: str) -> str:
    try:
        return SESSION_STATUSES[SessionStatus(status)]
    except ValueError:
        return status.replace("_", " ").capitalize()


def error_title(code: str | None) -> str:
    """A short title for a stored error code ('Damaged PDF'); the long message is ``ERRORS[code].message``."""
    if not code:
        return ""
    try:
        return ERROR_TITLES[ErrorCode(code)]
    except (ValueError, KeyError):
        return code.replace("_", " ").capitalize()


def as_json() -> dict[str, dict[str, str]]:
    """Every label, for the browser (served beside the status vocabulary)."""
    return {
        "fileTypes": dict(FILE_TYPES),
        "fileStatuses": {s.value: label for s, label in FILE_STATUSES.items()},
        "sessionStatuses": {s.value: label for s, label in SESSION_STATUSES.items()},
        "errors": {c.value: label for c, label in ERROR_TITLES.items()},
    }

"""Stable error codes: what went wrong, whether retrying can help, and what to tell the user.

Every failure a user can cause ends as one of these codes on the file's row. Library
exceptions are translated into a :class:`LabIntakeError` where they are caught.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    UNSUPPORTED_TYPE = "unsupported_type"
    FILE_TOO_LARGE = "file_too_large"
    EMPTY_FILE = "empty_file"
    CORRUPT_PDF = "corrupt_pdf"
    ENCRYPTED_PDF = "encrypted_pdf"
    TOO_MANY_PAGES = "too_many_pages"
    IMAGE_UNREADABLE = "image_unreadable"
    IMAGE_TOO_LARGE = "image_too_large"
    NO_TEXT_FOUND = "no_text_found"
    NOT_A_LAB_REPORT = "not_a_lab_report"
    PARSE_VALIDATION_FAILED = "parse_validation_failed"
    EXTRACT_TIMEOUT = "extract_timeout"
    FILE_TIMEOUT = "file_timeout"
    SESSION_TIMEOUT = "session_timeout"
    STORAGE_UNAVAILABLE = "storage_unavailable"
    STORAGE_FULL = "storage_full"
    DATABASE_UNAVAILABLE = "database_unavailable"
    WORKER_LOST = "worker_lost"
    CANCELLED = "cancelled"
    INTERNAL_ERROR = "internal_error"
    # Codes only the HTTP layer returns: about the request, never stored on a file's row.
    BAD_REQUEST = "bad_request"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    CSRF_FAILED = "csrf_failed"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    CONFLICT = "conflict"
    NOT_RETRYABLE = "not_retryable"
    NOT_READY = "not_ready"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    VALIDATION = "validation"
    TOO_MANY_REQUESTS = "too_many_requests"


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    is_retryable: bool
    http_status: int
    message: str


ERRORS: dict[ErrorCode, ErrorInfo] = {
    ErrorCode.UNSUPPORTED_TYPE: ErrorInfo(
        False, 415, "This file type is not supported. Upload a PDF, PNG, JPEG, TIFF or WebP file."
    ),
    ErrorCode.FILE_TOO_LARGE: ErrorInfo(
        False, 413, "The file is larger than the upload limit. Split it or lower the scan resolution."
    ),
    ErrorCode.EMPTY_FILE: ErrorInfo(False, 422, "The file is empty. Check that it was saved completely."),
    ErrorCode.CORRUPT_PDF: ErrorInfo(
        False, 422, "The PDF is damaged and cannot be opened. Export or download it again."
    ),
    ErrorCode.ENCRYPTED_PDF: ErrorInfo(
        False, 422, "The PDF is password-protected. Remove the password and upload it again."
    ),
    ErrorCode.TOO_MANY_PAGES: ErrorInfo(
        False, 422, "The PDF has more pages than allowed. Upload the report pages only."
    ),
    ErrorCode.IMAGE_UNREADABLE: ErrorInfo(
        False, 422, "The image cannot be decoded. It may be damaged or in an unsupported format."
    ),
    ErrorCode.IMAGE_TOO_LARGE: ErrorInfo(
        False, 422, "The image has too many pixels. Resize it below the limit and upload it again."
    ),
    ErrorCode.NO_TEXT_FOUND: ErrorInfo(
        False, 422, "No text could be read from the file. Upload a sharper scan or photo."
    ),
    ErrorCode.NOT_A_LAB_REPORT: ErrorInfo(
        False, 422, "No lab results were found in this file. Check that it is a lab report."
    ),
    ErrorCode.PARSE_VALIDATION_FAILED: ErrorInfo(
        False, 422, "The results could not be read reliably. Review the file or upload a clearer copy."
    ),
    ErrorCode.EXTRACT_TIMEOUT: ErrorInfo(
        True, 504, "Reading the file took too long. It will be retried."
    ),
    ErrorCode.FILE_TIMEOUT: ErrorInfo(
        True, 504, "Processing this file took longer than the time limit. Retry it, or upload fewer pages."
    ),
    ErrorCode.SESSION_TIMEOUT: ErrorInfo(
        True, 504, "The session reached its deadline before this file was done. Retry it."
    ),
    ErrorCode.STORAGE_UNAVAILABLE: ErrorInfo(
        True, 503, "The file store is unavailable. Processing will be retried."
    ),
    ErrorCode.STORAGE_FULL: ErrorInfo(
        True, 507, "The server's disk is full, so this upload was not stored. Try again later, or ask "
        "the administrator to free space; files uploaded before it are kept."
    ),
    ErrorCode.DATABASE_UNAVAILABLE: ErrorInfo(
        True, 503, "The database is unavailable. Processing will be retried."
    ),
    ErrorCode.WORKER_LOST: ErrorInfo(
        True, 500, "The worker processing this file stopped unexpectedly. Retry the file."
    ),
    ErrorCode.CANCELLED: ErrorInfo(False, 409, "Processing was cancelled."),
    ErrorCode.INTERNAL_ERROR: ErrorInfo(
        True, 500, "An unexpected error occurred while processing this file. Retry it."
    ),
    ErrorCode.BAD_REQUEST: ErrorInfo(False, 400, "The request is not valid."),
    ErrorCode.UNAUTHORIZED: ErrorInfo(
        False, 401, "Log in, or send a bearer token in the Authorization header."
    ),
    ErrorCode.FORBIDDEN: ErrorInfo(False, 403, "This is not allowed."),
    ErrorCode.CSRF_FAILED: ErrorInfo(False, 403, "Send the CSRF token header from GET /api/me."),
    ErrorCode.NOT_FOUND: ErrorInfo(False, 404, "Not found."),
    ErrorCode.METHOD_NOT_ALLOWED: ErrorInfo(False, 405, "Method not allowed."),
    ErrorCode.NOT_ACCEPTABLE: ErrorInfo(False, 406, "Not acceptable."),
    ErrorCode.CONFLICT: ErrorInfo(False, 409, "Not possible in the current state; reload and try again."),
    ErrorCode.NOT_READY: ErrorInfo(False, 409, "Not ready yet."),
    ErrorCode.NOT_RETRYABLE: ErrorInfo(
        False, 409, "Retrying cannot fix this file. Replace it with a new copy, or remove it."
    ),
    ErrorCode.PAYLOAD_TOO_LARGE: ErrorInfo(False, 413, "The request is larger than the limit."),
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: ErrorInfo(False, 415, "Unsupported media type."),
    ErrorCode.VALIDATION: ErrorInfo(False, 422, "The request is not valid."),
    ErrorCode.TOO_MANY_REQUESTS: ErrorInfo(True, 429, "Too many requests; try again shortly."),
}

# The codes a file's row can carry (the rest describe a request, not a file).
FILE_ERROR_CODES = frozenset(ErrorCode) - {
    ErrorCode.BAD_REQUEST, ErrorCode.UNAUTHORIZED, ErrorCode.FORBIDDEN, ErrorCode.CSRF_FAILED,
    ErrorCode.NOT_FOUND, ErrorCode.METHOD_NOT_ALLOWED, ErrorCode.NOT_ACCEPTABLE, ErrorCode.CONFLICT,
    ErrorCode.NOT_RETRYABLE,
    ErrorCode.NOT_READY, ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    ErrorCode.VALIDATION, ErrorCode.TOO_MANY_REQUESTS, ErrorCode.STORAGE_FULL,
}

# Codes the runner retries by itself (with backoff) before giving up. Timeouts are
# retryable by the user but not automatically: a file that ran out of time once will
# most likely do so again.
AUTO_RETRY = frozenset(
    {
        ErrorCode.STORAGE_UNAVAILABLE,
        ErrorCode.DATABASE_UNAVAILABLE,
        ErrorCode.WORKER_LOST,
        ErrorCode.EXTRACT_TIMEOUT,
        ErrorCode.INTERNAL_ERROR,
    }
)


def retry_can_help(error_code: str | None) -> bool:
    """False when the stored code says the same bytes would fail the same way again
    (``corrupt_pdf``, ``image_unreadable``…): such a file needs a new copy, not a retry."""
    try:
        return ERRORS[ErrorCode(error_code)].is_retryable if error_code else True
    except ValueError:
        return True


class LabIntakeError(Exception):
    """A failure with a stable code. ``details`` must never hold extracted text or patient data."""

    def __init__(
        self, code: ErrorCode | str, message: str | None = None, **details: Any
    ) -> None:
        self.code = ErrorCode(code)
        self.info = ERRORS[self.code]
        self.message = message or self.info.message
        self.details = details
        super().__init__(f"{self.code}: {self.message}")

    @property
    def is_retryable(self) -> bool:
        return self.info.is_retryable

    @property
    def http_status(self) -> int:
        return self.info.http_status

    @property
    def auto_retry(self) -> bool:
        return self.code in AUTO_RETRY


def backoff_seconds(attempt: int, base: float = 2.0, cap: float = 300.0) -> float:
    """Delay before automatic retry number ``attempt`` (1-based): base, 2·base, 4·base… capped."""
    return min(cap, base * float(2 ** max(0, attempt - 1)))

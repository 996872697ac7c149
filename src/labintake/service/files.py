"""File use cases: retry, the extracted or reviewed report, corrections, page images."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from labintake.db import corrections as corr
from labintake.db import history, patients, search, slots, views
from labintake.db import sessions as sessions_repo
from labintake.db import transitions as tx
from labintake.db.results import load_report
from labintake.db.sessions import NewFile
from labintake.domain.errors import ErrorCode, LabIntakeError, retry_can_help
from labintake.domain.schemas import LabReport
from labintake.domain.status import REMOVABLE_STATUSES, USER_RETRYABLE_STATUSES, FileStatus
from labintake.service import blobs
from labintake.service.app import LabIntake, sanitize_name
from labintake.service.models import RetryOut, UploadedItem

BadCorrection = corr.BadCorrection
SEARCHED_FIELDS = ("patient.name", "report.lab_name")  # with the file name: what search looks in


def _no_file() -> LabIntakeError:
    # The same answer whether the row does not exist or belongs to someone else.
    return LabIntakeError(ErrorCode.NOT_FOUND, "No such file.")


def retry(li: LabIntake, fps_id: str, user_id: str) -> RetryOut:
    """Back to pending with ``attempt_number`` + 1; the session is (re)started if it was not running.

    A failure retrying cannot fix (a damaged PDF, an unreadable image: ``retry_can_help``) is
    refused with ``not_retryable``: the same bytes would fail the same way. Replace it instead.
    """
    with li.db.read() as s:
        owned = _slot_in(s, fps_id, user_id, USER_RETRYABLE_STATUSES, "retried")
    if owned.status is not FileStatus.CANCELLED and not (owned.is_retryable and retry_can_help(owned.error_code)):
        raise LabIntakeError(ErrorCode.NOT_RETRYABLE)
    with li.db.transaction() as s:
        moved = sessions_repo.retry_file(s, fps_id, user_id)
    li.files_queued()
    if moved is None:
        raise LabIntakeError(ErrorCode.CONFLICT, "The file changed while retrying; reload its status.")
    return RetryOut(fileId=fps_id, status=FileStatus.PENDING)


@dataclass(frozen=True, slots=True)
class FileReport:
    """A completed file's report, with what an export needs to name it."""

    file_id: str  # uploaded_files.id
    file_name: str
    report: LabReport
    confirmed: bool = False  # a person confirmed the report in review


def extracted(li: LabIntake, fps_id: str, user_id: str) -> FileReport:
    """What was extracted; ``not_ready`` until the file is completed."""
    with li.db.read() as s:
        owned = history.owned_file(s, fps_id, user_id)
        if owned is None:
            raise _no_file()
        report = load_report(s, owned.file_id, user_id)
    if report is None:
        raise LabIntakeError(
            ErrorCode.NOT_READY, f"The file is {owned.status}; a result exists once it is completed."
        )
    return FileReport(owned.file_id, owned.file_name, report)


def _owned_report(s: Any, fps_id: str, user_id: str) -> tuple[Any, LabReport]:
    stored = views.stored_file(s, fps_id, user_id)
    if stored is None:
        raise _no_file()
    report = load_report(s, stored.id, user_id)
    if report is None:
        raise LabIntakeError(ErrorCode.NOT_READY, "The file has no result yet; corrections apply to completed files.")
    return stored, report


def reviewed(li: LabIntake, fps_id: str, user_id: str) -> FileReport:
    """The report with the person's corrections applied (whether they confirmed it: ``confirmed``)."""
    with li.db.read() as s:
        stored, report = _owned_report(s, fps_id, user_id)
        report = corr.apply(report, corr.corrections(s, stored.id, user_id))
        confirmed = corr.confirmed_at(s, stored.id, user_id) is not None
        owned = history.owned_file(s, fps_id, user_id)
    return FileReport(stored.id, owned.file_name if owned else "", report, confirmed)


@dataclass(frozen=True, slots=True)
class Review:
    corrections: dict[str, dict[str, Any]]
    confirmed_at: datetime | None


def review_state(li: LabIntake, fps_id: str, user_id: str) -> Review:
    with li.db.read() as s:
        stored, _ = _owned_report(s, fps_id, user_id)
        return Review(corr.corrections(s, stored.id, user_id), corr.confirmed_at(s, stored.id, user_id))


@dataclass(frozen=True, slots=True)
class Corrected:
    value: Any
    original: Any
    kept: bool  # False when the value equals the extracted one (nothing stored)


def correct(li: LabIntake, fps_id: str, user_id: str, target: str, value: str | None) -> Corrected:
    """Store one correction, kept apart from the extracted data; a value that does not fit the
    field: ``validation``."""
    with li.db.transaction() as s:
        stored, report = _owned_report(s, fps_id, user_id)
        try:
            checked, original = corr.check(report, target, value)
        except corr.BadCorrection as exc:
            raise LabIntakeError(ErrorCode.VALIDATION, str(exc)) from None
        kept = corr.save(s, user_id=user_id, file_id=stored.id, target=target, value=checked, original=original)
        if kept and target in SEARCHED_FIELDS:  # the corrected name is findable too (the read one stays)
            search.extra_terms(s, fps_id, checked)
        if target.startswith("patient."):
            # The patients list and trend views follow the person's reading of the patient.
            reviewed_patient = corr.apply(report, corr.corrections(s, stored.id, user_id)).patient
            patients.follow_review(s, user_id, stored.id, reviewed_patient)
    return Corrected(checked, original, kept)


def confirm(li: LabIntake, fps_id: str, user_id: str) -> datetime:
    with li.db.transaction() as s:
        stored, _ = _owned_report(s, fps_id, user_id)
        return corr.confirm(s, user_id=user_id, file_id=stored.id)


@dataclass(frozen=True, slots=True)
class StoredFile:
    path: Path
    file_type: str
    status: FileStatus
    # By page number (as text): the geometry OCR read each page with (extract.dewarp.page_frame).
    page_frames: dict[str, Any] = field(default_factory=dict)


def stored(li: LabIntake, fps_id: str, user_id: str) -> StoredFile:
    """Where the uploaded bytes of one of the user's files are."""
    with li.db.read() as s:
        row = views.stored_file(s, fps_id, user_id)
    if row is None:
        raise _no_file()
    frames = (row.parsing_metadata or {}).get("page_frames") or {}
    return StoredFile(li.storage.path(row.storage_key), row.file_type, FileStatus(row.status), frames)


# --- a file's place in its session: remove, replace ---------------------------------------


def _slot_in(s: Session, fps_id: str, user_id: str, allowed: frozenset[FileStatus], verb: str) -> slots.Slot:
    """The user's file, if its status allows what is asked: else ``not_found`` or ``conflict``."""
    found = slots.slot(s, fps_id, user_id)
    if found is None:
        raise _no_file()
    if found.status not in allowed:
        raise LabIntakeError(ErrorCode.CONFLICT, f"A file that is {found.status} cannot be {verb}.")
    return found


def remove(li: LabIntake, fps_id: str, user_id: str) -> None:
    """Take a file out of its session before it starts (pending), or after it failed, timed out
    or was cancelled; a running or completed file: ``conflict``."""
    with li.db.transaction() as s:
        found = _slot_in(s, fps_id, user_id, REMOVABLE_STATUSES, "removed")
        slots.remove(s, found, user_id)
    blobs.drop_unused(li, [found.storage_key])


def replace(li: LabIntake, fps_id: str, user_id: str, stream: BinaryIO | None, file_name: str) -> UploadedItem:
    """Upload a new copy into a failed, timed-out or cancelled file's place: new bytes, the
    same file (its id stays), pending again as a first attempt, its old result dropped. The
    new bytes pass the same inspection as an upload: a refused copy fails at once with its code."""
    with li.db.read() as s:
        _slot_in(s, fps_id, user_id, USER_RETRYABLE_STATUSES, "replaced")
    if stream is None:  # checked after the owner, so a stranger learns nothing from a 422
        raise LabIntakeError(ErrorCode.VALIDATION, "Send the new copy as the multipart field 'file'.")
    name = sanitize_name(file_name)
    stored = li.storage.put(stream, max_bytes=li.settings.max_file_bytes)  # too large: nothing changes
    file_type, page_count, error = blobs.inspect(li, stored.key)
    new = NewFile(stored.key, stored.sha256, name, file_type, stored.size, page_count)
    with li.db.transaction() as s:
        current = slots.slot(s, fps_id, user_id)
        if current is None:
            raise _no_file()
        slots.replace(s, current, user_id, new, max_retry_attempts=li.settings.max_retry_attempts)
        if error is not None:
            tx.fail(s, fps_id, FileStatus.PENDING, error)
    blobs.drop_unused(li, [current.storage_key])
    li.files_queued()
    if error is not None:
        return UploadedItem(fileId=fps_id, fileName=name, status="failed", errorCode=error.code.value,
                            error=error.message)
    return UploadedItem(fileId=fps_id, fileName=name, status="pending", errorCode=None, error=None)

"""What the pages read: the live snapshot, review data, history, analytics, patients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labintake.db import timings, views
from labintake.db.progress import page_snapshot, queue_depth
from labintake.service.app import LabIntake


def snapshot(li: LabIntake, session_id: str, user_id: str) -> dict[str, Any] | None:
    """The progress object extended for the live page (state, event ids, and ``resumed``: the
    file was handed back after an interruption); None: not the user's."""
    with li.db.read() as s:
        snap = page_snapshot(s, session_id, user_id)
        if snap is None:
            return None
        resumed = timings.resumed_files(s, session_id, user_id)
    for f in snap["files"]:
        f["resumed"] = f["fileId"] in resumed
    return snap


def pace(li: LabIntake, session_id: str, user_id: str) -> dict[str, Any]:
    """For the time-left estimate: this installation's recent milliseconds per page by file
    type (``msPerPage``) and the session's page count per file (``pages``)."""
    with li.db.read(system=True) as s:
        per_page = timings.recent_ms_per_page(s)
    with li.db.read() as s:
        pages = timings.page_counts(s, session_id, user_id)
    return {"msPerPage": per_page, "pages": pages}


@dataclass(frozen=True, slots=True)
class ReviewPage:
    files: list[dict[str, Any]]
    snapshot: dict[str, Any]


def review(li: LabIntake, session_id: str, user_id: str) -> ReviewPage | None:
    """Every completed file with its report, corrections and review state, and the snapshot."""
    with li.db.read() as s:
        snap = page_snapshot(s, session_id, user_id)
        if snap is None:
            return None
        return ReviewPage(views.review_files(s, session_id, user_id), snap)


def patients(li: LabIntake, user_id: str) -> list[dict[str, Any]]:
    with li.db.read() as s:
        return views.patients(s, user_id)


@dataclass(frozen=True, slots=True)
class PatientView:
    patient: Any
    analytes: list[dict[str, Any]]
    chosen: str | None
    points: list[dict[str, Any]]


def patient(li: LabIntake, patient_id: str, user_id: str, analyte: str | None = None,
            *, default: Any = None) -> PatientView | None:
    """One patient with the analytes on file and the series of ``analyte`` (or ``default(analytes)``)."""
    with li.db.read() as s:
        person = views.patient(s, patient_id, user_id)
        if person is None:
            return None
        analytes = views.patient_analytes(s, patient_id, user_id)
        chosen = analyte or (default(analytes) if default else None)
        points = views.patient_series(s, patient_id, user_id, chosen) if chosen else []
    return PatientView(person, analytes, chosen, points)


def patient_series(li: LabIntake, patient_id: str, user_id: str, analyte: str) -> list[dict[str, Any]] | None:
    with li.db.read() as s:
        if views.patient(s, patient_id, user_id) is None:
            return None
        return views.patient_series(s, patient_id, user_id, analyte)


def database_ok(li: LabIntake) -> bool:
    """A trivial read succeeds (readiness)."""
    try:
        with li.db.read() as s:
            s.execute(views.select_one())
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False


def refresh_queue_depth(li: LabIntake) -> None:
    """Set the queue-depth gauge from the database (at each scrape: exact on every deployment,
    whichever process runs the files). A database that is down leaves the last value."""
    from labintake import metrics
    from labintake.domain.errors import LabIntakeError

    try:
        with li.db.read(system=True) as s:
            metrics.QUEUE_DEPTH.set(queue_depth(s))
    except LabIntakeError:
        pass

"""Search over the user's files by file name, patient name and lab name.

Each file's ``search_text`` holds those three, normalised (``domain.search``); a query is
normalised the same way and matched as a substring, so the match is case- and
accent-insensitive. The index differs per dialect (migration 0011):

- PostgreSQL: a trigram GIN index on ``search_text`` (``pg_trgm``) answers ``LIKE '%q%'``.
- SQLite: the FTS5 trigram table ``file_search`` (rowid = the row's rowid) answers a quoted
  phrase, which a trigram tokenizer matches as a substring. FTS5 needs three characters to
  use trigrams; a shorter query scans the column instead.

``bench/search.py`` measures both against the same query without the index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, exists, literal_column, select, text, update
from sqlalchemy.orm import Session

from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import LabReport, Patient
from labintake.domain.search import MAX_QUERY_CHARS, normalise, searchable

TRIGRAM = 3  # the shortest query an FTS5 trigram index can answer


def file_condition(dialect: str, query: str, *, indexed: bool = True) -> ColumnElement[bool] | None:
    """A condition on ``file_processing_status`` rows whose search text contains ``query``;
    None for a query with nothing to search for. ``indexed=False``: the same match as a scan
    of the column (the benchmark's baseline)."""
    needle = normalise(query)[:MAX_QUERY_CHARS]
    if not needle:
        return None
    if dialect == "sqlite" and indexed and len(needle) >= TRIGRAM:
        phrase = '"' + needle.replace('"', '""') + '"'
        matching: Select[Any] = select(literal_column("rowid")).select_from(text("file_search")).where(
            text("file_search MATCH :phrase").bindparams(phrase=phrase))
        return literal_column("file_processing_status.rowid").in_(matching)
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return FPS.search_text.like(pattern, escape="\\")


def session_condition(dialect: str, query: str, session_id: Any) -> ColumnElement[bool] | None:
    """A condition on sessions (``session_id``: their id column) that have a file matching ``query``.

    A query the index answers (three characters or more) lists the matching files' sessions
    once. A shorter one cannot use the index, and often matches nearly every file ("a"): each
    session is checked through its own files (``ix_file_processing_status_session_id``) and the
    check stops at its first match, rather than scanning every file to list every session. (In
    that form an indexed match would be re-walked for each session: hence the two.) No user_id
    filter on the files: the sessions are the caller's, so are their files, and on SQLite
    without statistics that filter made the planner walk every row of ``user_id``'s index.
    """
    match = file_condition(dialect, query)
    if match is None:
        return None
    if len(normalise(query)[:MAX_QUERY_CHARS]) >= TRIGRAM:
        return session_id.in_(select(FPS.session_id).where(match))
    return exists().where(FPS.session_id == session_id, match)


def refresh_file(s: Session, fps_id: str) -> None:
    """Recompute one file's search text from its name and its saved report (in the caller's
    transaction: the report's saving, or a correction of its patient or lab name)."""
    row = s.execute(
        select(FPS.file_name, Patient.name, LabReport.lab_name)
        .select_from(FPS)
        .outerjoin(LabReport, LabReport.file_id == FPS.file_id)
        .outerjoin(Patient, Patient.id == LabReport.patient_id)
        .where(FPS.id == fps_id)
    ).first()
    if row is not None:
        s.execute(update(FPS).where(FPS.id == fps_id).values(search_text=searchable(*row)))


def extra_terms(s: Session, fps_id: str, *terms: Any) -> None:
    """Add corrected names to a file's search text (the extracted ones stay findable too)."""
    current = s.execute(select(FPS.search_text).where(FPS.id == fps_id)).scalar_one_or_none() or ""
    added = searchable(*(str(t) for t in terms if t))
    if added and added not in current.split("\n"):
        s.execute(update(FPS).where(FPS.id == fps_id).values(search_text="\n".join(p for p in (current, added) if p)))

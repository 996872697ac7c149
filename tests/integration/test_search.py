"""Search over file name, patient name and lab name: case- and accent-insensitive contains,
through each database's index, kept in step when a file is saved, renamed or deleted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select, text

from labintake import auth
from labintake.db import history, search
from labintake.db import sessions as repo
from labintake.db.engine import Database
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import LabReport, Patient, ProcessingSession
from labintake.domain.search import normalise, searchable


def test_normalise_folds_case_accents_and_spaces() -> None:
    assert normalise("  MÜLLER,\tJosé  Straße ") == "muller, jose strasse"
    assert normalise("Ångström Łódź Øresund Æbelø") == "angstrom lodz oresund aebelo"  # ł, ø, æ: no decomposition
    assert normalise(None) == "" and normalise("   ") == ""
    assert searchable("A.pdf", None, "Lab Ö") == "a.pdf\nlab o"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


def _file(db: Database, user: str, name: str, patient: str | None = None, lab: str | None = None) -> tuple[str, str]:
    """A session with one file; with ``patient``/``lab`` a saved report as the runner saves it."""
    with db.transaction() as s:
        session = repo.create_session(s, user)
        upload, fps = repo.add_file(s, session, repo.NewFile("k", "0" * 64, name, "application/pdf", 1),
                                    max_retry_attempts=3)
        if patient or lab:
            person = Patient(user_id=user, name=patient) if patient else None
            if person:
                s.add(person)
                s.flush()
            s.add(LabReport(user_id=user, session_id=session.id, file_id=upload.id,
                            patient_id=person.id if person else None, lab_name=lab))
            s.flush()
            search.refresh_file(s, fps.id)
        return session.id, fps.id


def _found(db: Database, user: str, query: str) -> set[str]:
    with db.read() as s:
        items, total = history.list_sessions(s, user, history.SessionFilter(query=query), limit=100, offset=0)
    assert total == len(items)
    return {i["id"] for i in items}


def test_search_by_file_patient_and_lab_name_ignoring_case_and_accents(db: Database) -> None:
    """Given sessions whose files carry different names, patients and labs, when the history is
    searched, then each query finds exactly the sessions it should, on both databases."""
    with db.transaction() as s:
        me = auth.create_user(s, "me@example.org", "correct horse battery")
        other = auth.create_user(s, "other@example.org", "correct horse battery")
    mueller, _ = _file(db, me, "scan_0001.pdf", patient="Anna Müller", lab="Labor Zürich")
    jose, _ = _file(db, me, "José-Report.PDF")
    plain, _ = _file(db, me, "blood 100% done_1.pdf", lab="Quest Diagnostics")
    theirs, _ = _file(db, other, "muller.pdf", patient="Hans Muller")

    assert _found(db, me, "muller") == {mueller}  # another user's Muller is never found
    assert _found(db, me, "MÜLLER") == {mueller}
    assert _found(db, me, "zurich") == {mueller}
    assert _found(db, me, "jose-rep") == {jose}
    assert _found(db, me, "report.pdf") == {jose}
    assert _found(db, me, "quest diag") == {plain}
    assert _found(db, me, "100%") == {plain}  # LIKE wildcards in the query are literal
    assert _found(db, me, "e_1") == {plain}
    assert _found(db, me, "0% d") == {plain}
    assert _found(db, me, "nobody") == set()
    assert _found(db, me, "pd") == {mueller, jose, plain}  # shorter than a trigram: a scan, same answer
    assert _found(db, me, 'a "quoted" name') == set()  # quotes cannot break the FTS5 phrase
    assert _found(db, me, "   ") == {mueller, jose, plain}  # nothing to search for: no filter
    assert _found(db, other, "muller") == {theirs}


def test_index_follows_updates_and_deletes(db: Database) -> None:
    """The SQLite FTS5 table is kept by triggers: a changed search text is found by its new
    words only, a deleted session's file no longer matches; PostgreSQL has its trigram index."""
    with db.transaction() as s:
        me = auth.create_user(s, "me@example.org", "correct horse battery")
    sid, fps_id = _file(db, me, "first.pdf")
    assert _found(db, me, "first") == {sid}
    with db.transaction() as s:
        s.execute(FPS.__table__.update().where(FPS.id == fps_id).values(search_text=searchable("second.pdf")))
    assert _found(db, me, "first") == set() and _found(db, me, "second") == {sid}
    with db.transaction() as s:
        s.execute(delete(ProcessingSession).where(ProcessingSession.id == sid))
    assert _found(db, me, "second") == set()
    with db.read() as s:
        if db.is_postgres:
            index = s.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = "
                                   "'ix_file_processing_status_search_text'")).scalar_one()
            assert "gin_trgm_ops" in index
        else:
            assert s.execute(text("SELECT count(*) FROM file_search")).scalar_one() == 0
            assert s.execute(select(FPS.id)).first() is None


def test_upgrade_fills_the_search_text_of_existing_files(db: Database, db_url: str) -> None:
    """Given files saved before migration 0011 (downgraded to 0007 and back), when it runs, then
    each file's search text is computed from its name, patient and lab, and is searchable."""
    from labintake.db.migrate import downgrade, upgrade

    with db.transaction() as s:
        me = auth.create_user(s, "me@example.org", "correct horse battery")
    sid, _ = _file(db, me, "Befund.pdf", patient="Zoë Ñúñez", lab="Labor Zürich")
    db.dispose()
    downgrade(db_url, "0007")
    upgrade(db_url)
    again = Database(db_url)
    try:
        with again.read() as s:
            assert s.execute(select(FPS.search_text)).scalar_one() == "befund.pdf\nzoe nunez\nlabor zurich"
        assert _found(again, me, "nunez") == {sid} and _found(again, me, "ZURICH") == {sid}
    finally:
        again.dispose()

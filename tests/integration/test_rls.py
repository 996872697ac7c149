"""Row-level security in use: a unit of work scoped to a user sees only that user's rows on
PostgreSQL, even for a query that forgets its ``WHERE user_id``; system work sees everything."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from labintake.db import sessions as repo
from labintake.db.engine import Database
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import ProcessingSession, SessionEvent, SessionProcessingSummary
from labintake.db.scope import acting_as

pytestmark = pytest.mark.postgres


def _two_users(db: Database) -> tuple[str, str]:
    ids = []
    for email in ("ada@example.test", "bob@example.test"):
        with db.transaction() as s:
            user = repo.get_or_create_user(s, email)
            session = repo.create_session(s, user.id)
            repo.add_file(s, session, repo.NewFile("0" * 64, "0" * 64, "r.pdf", "application/pdf", 1),
                          max_retry_attempts=3)
            ids.append(user.id)
    return ids[0], ids[1]


def test_a_scoped_unit_of_work_sees_only_its_users_rows(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        ada, bob = _two_users(db)
        unscoped = [FPS, ProcessingSession, SessionEvent, SessionProcessingSummary]
        with db.read() as s:  # no user: system work (the executor, the reaper) sees all
            assert [s.execute(select(func.count()).select_from(t)).scalar_one() for t in unscoped] == [2, 2, 2, 2]
        with acting_as(ada), db.read() as s:
            assert [s.execute(select(func.count()).select_from(t)).scalar_one() for t in unscoped] == [1, 1, 1, 1]
            assert set(s.execute(select(FPS.user_id)).scalars()) == {ada}
        with acting_as(ada), db.read(system=True) as s:
            assert s.execute(select(func.count()).select_from(FPS)).scalar_one() == 2
        # Writing a row for someone else is refused by the policy, not just filtered.
        with acting_as(bob), pytest.raises(Exception, match="row-level security"), db.transaction() as s:
            repo.create_session(s, ada)
    finally:
        db.dispose()


def test_sqlite_has_no_roles_and_scoping_is_a_no_op(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        ada, _ = _two_users(db)
        with acting_as(ada), db.read() as s:
            assert s.execute(select(func.count()).select_from(FPS)).scalar_one() == 2  # the app filters by user
    finally:
        db.dispose()

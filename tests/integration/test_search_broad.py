"""The sessions list under a broad search ("a": nearly every file) on both databases: the same
page and total as a plain reading of the rows, pages past the end included; and on SQLite, a plan
that reaches each session's files by ``session_id``, never by walking the user's whole
``user_id`` index (what made the list slow when one person owns every file: SQLite has no
statistics unless someone runs ANALYZE, and then prefers the user_id index).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event

from labintake import auth
from labintake.db import history
from labintake.db.engine import Database
from tests.integration.test_search import _file


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


def _seed(db: Database) -> tuple[str, dict[str, str]]:
    with db.transaction() as s:
        ada = auth.create_user(s, "ada@example.org", "correct horse battery")
        bob = auth.create_user(s, "bob@example.org", "correct horse battery")
    names = {}
    for i in range(30):
        name = f"scan-{i:02d}.pdf" if i % 3 else f"report-{i:02d}.pdf"
        sid, _ = _file(db, ada, name, patient="Anna Müller" if i % 2 else "Zoë Dvořák", lab="Labor Zürich")
        names[sid] = name + (" anna muller" if i % 2 else " zoe dvorak")
    _file(db, bob, "anna.pdf", patient="Anna Bob")  # another user's match: never counted
    return ada, names


def _page(db: Database, user: str, query: str, offset: int, limit: int = 7) -> tuple[list[str], int]:
    with db.read() as s:
        items, total = history.list_sessions(s, user, history.SessionFilter(query=query), limit=limit, offset=offset)
    return [i["id"] for i in items], total


@pytest.mark.parametrize("query", ["a", "o", "re", "müller", "zurich", "zz"])
def test_broad_and_narrow_searches_page_and_count_like_a_plain_reading(db: Database, query: str) -> None:
    ada, names = _seed(db)
    with db.read() as s:
        everything, _ = history.list_sessions(s, ada, history.SessionFilter(), limit=100, offset=0)
    order = [i["id"] for i in everything]
    needle = query.replace("ü", "u")
    expected = [sid for sid in order if needle in names[sid] or needle in "labor zurich"]
    pages, totals, offset = [], set(), 0
    while True:
        ids, total = _page(db, ada, query, offset)
        totals.add(total)
        if not ids:
            break
        pages += ids
        offset += 7
    assert pages == expected
    assert totals == {len(expected)}  # the page past the end counts on its own


def test_sqlite_reaches_a_sessions_files_by_session_not_by_user(db: Database) -> None:
    if db.is_postgres:
        pytest.skip("the planner choice in question is SQLite's")
    ada, _ = _seed(db)
    plans: list[str] = []

    def explain(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001 - SQLAlchemy's hook
        if statement.lstrip().upper().startswith("SELECT"):
            raw = conn.connection.driver_connection
            plans.extend(str(row[3]) for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters))

    event.listen(db.engine, "before_cursor_execute", explain)
    try:
        for query in ("a", "mu", "zurich"):
            _page(db, ada, query, 0)
        with db.read() as s:  # the file-type filter too
            _, total = history.list_sessions(s, ada, history.SessionFilter(file_type="application/pdf"),
                                             limit=7, offset=0)
        assert total == 30
    finally:
        event.remove(db.engine, "before_cursor_execute", explain)
    assert plans
    assert not [p for p in plans if "ix_file_processing_status_user_id" in p or "ix_uploaded_files_user_id" in p], plans

"""History search over 100,000 files: the indexed search against the same query without its index.

One user owns every file (the worst case for the user filter). Broad terms ("a", "lab": nearly
every file) are measured too: SQLite's list with one letter took over a second before it reached
files by session instead of the user_id index, and counted and paged in one pass. The timed call is the history's
own ``list_sessions`` with ``q`` (a page of 20 sessions and the total), as the API runs it.
With the index: PostgreSQL's trigram GIN index (``pg_trgm``), SQLite's FTS5 trigram table.
Without it, in the same run with the same warm-up and runs: on PostgreSQL the index is dropped
inside a transaction that is rolled back; on SQLite the same substring match scans the
normalised column (``file_condition(indexed=False)``).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.common import Row, median, percentile
from labintake.db import history, search
from labintake.db.engine import Database
from labintake.db.migrate import upgrade
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import ProcessingSession, UploadedFile, new_id
from labintake.domain.search import searchable

PG_URL = os.environ.get("LABINTAKE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
FIRST = ["Anna", "José", "Zoë", "Björn", "Léa", "Mateo", "Chloé", "Jürgen", "Ines", "Noah"]
LAST = ["Müller", "García", "Dvořák", "Nguyen", "O'Brien", "Søndergaard", "Kowalski", "Smith", "Rossi", "Öztürk",
        "Lefèvre", "Haddad", "Tanaka", "Novak", "Silva", "Schröder", "Jensen", "Costa", "Ivanova", "Bauer"]
LABS = ["Northwind Clinical Laboratory", "Labor Zürich", "Laboratoire Côte d'Azur", "Quest Diagnostics",
        "Synlab Köln", "City Hospital Lab", "Unilabs", "Medlab Ørestad"]
QUERIES = {"a surname (1 in 20 files)": "muller", "a file name (1 file)": "scan-{one:06d}",
           "a lab, accents dropped (1 in 8)": "cote d'azur", "nothing matches": "zzzyx",
           "one letter (broad: most files)": "a", "a word in every lab name (broad)": "lab"}
PER_SESSION = 10


def _seed(db: Database, files: int) -> str:
    rng = random.Random(11)
    with db.transaction() as s:
        from labintake import auth

        user = auth.create_user(s, "bench@example.org", "correct horse battery")
    for start in range(0, files, 5000):
        sessions, uploads, statuses = [], [], []
        for i in range(start, min(files, start + 5000)):
            if i % PER_SESSION == 0:
                sessions.append({"id": new_id(), "user_id": user, "name": "", "state": "open"})
            sid = sessions[-1]["id"]
            name = f"scan-{i:06d}.pdf"
            patient = f"{rng.choice(FIRST)} {LAST[i % len(LAST)]}"
            fid = new_id()
            uploads.append({"id": fid, "user_id": user, "session_id": sid, "storage_key": "k", "sha256": "0" * 64,
                            "file_name": name, "file_type": "application/pdf", "file_size_bytes": 1})
            statuses.append({"id": new_id(), "file_id": fid, "session_id": sid, "user_id": user,
                             "status": "completed", "progress": 100, "attempt_number": 1, "max_retry_attempts": 3,
                             "is_retryable": False, "file_name": name, "file_type": "application/pdf",
                             "file_size_bytes": 1, "search_text": searchable(name, patient, LABS[i % len(LABS)])})
        with db.transaction() as s:
            s.execute(insert(ProcessingSession), sessions)
            s.execute(insert(UploadedFile), uploads)
            s.execute(insert(FPS), statuses)
    if db.is_postgres:  # as autovacuum would have. SQLite has no statistics unless someone runs ANALYZE
        # (the app does not; this statement never committed there either): its figures are without them.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return user


def _query(s: Session, user: str, q: str) -> int:
    _, total = history.list_sessions(s, user, history.SessionFilter(query=q), limit=20, offset=0)
    return int(total)


def _time(run: Callable[[], int], runs: int) -> tuple[list[float], int]:
    for _ in range(3):  # warm-up: caches, plans
        found = run()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        found = run()
        out.append((time.perf_counter() - t) * 1000)
    return out, found


@contextmanager
def _pg_without_index(db: Database) -> Iterator[Session]:
    with db.engine.connect() as conn:
        trans = conn.begin()
        conn.execute(text("DROP INDEX ix_file_processing_status_search_text"))
        try:
            yield Session(bind=conn)
        finally:
            trans.rollback()


def _measure(db: Database, user: str, label: str, files: int, runs: int) -> list[Row]:
    rows = []
    for what, pattern in QUERIES.items():
        q = pattern.format(one=files * 7 // 9)
        def indexed(q: str = q) -> int:
            with db.read() as s:
                return _query(s, user, q)

        fast, found = _time(indexed, runs)
        if db.is_postgres:
            with _pg_without_index(db) as s:
                slow, found_slow = _time(partial(_query, s, user, q), runs)
        else:
            original = search.file_condition
            search.file_condition = partial(original, indexed=False)  # type: ignore[assignment]
            try:
                slow, found_slow = _time(indexed, runs)
            finally:
                search.file_condition = original  # type: ignore[assignment]
        assert found == found_slow, (q, found, found_slow)  # the index changes the speed, never the answer
        figure = f"{label}, {files:,} files, {what}: {found:,} sessions"
        rows.append(Row("search (history)", f"p50, {figure}", median(fast), "ms", median(slow)))
        rows.append(Row("search (history)", f"p95, {figure}", percentile(fast, 95), "ms", percentile(slow, 95)))
    return rows


def _pg_database() -> str:
    name = f"labintake_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _pg_drop(url: str) -> None:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)"))
    engine.dispose()


def run(quick: bool = False) -> list[Row]:
    files, runs = (20_000, 10) if quick else (100_000, 20)
    rows = []
    folder = Path(tempfile.mkdtemp(prefix="labintake-bench-search-"))
    url = f"sqlite:///{folder / 'labintake.db'}"
    upgrade(url)
    db = Database(url)
    try:
        rows += _measure(db, _seed(db, files), "SQLite", files, runs)
    finally:
        db.dispose()
    try:
        pg = _pg_database()
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: the SQLite figures stand alone
        print(f"search bench: PostgreSQL skipped ({type(exc).__name__})")
        return rows
    try:
        upgrade(pg)
        db = Database(pg)
        try:
            rows += _measure(db, _seed(db, files), "PostgreSQL", files, runs)
        finally:
            db.dispose()
    finally:
        _pg_drop(pg)
    return rows

"""Row-level security as deployed (docs/deploy.md): the tables belong to an owner role that runs
the migrations, the service logs in as a second role that owns nothing, neither is a superuser
(a superuser is never bound by a policy, so the rest of the suite cannot show this), and
every user-owned table is FORCE ROW LEVEL SECURITY, so even the owner sees nothing of user A
as user B. System work (workers, triggers, recovery) still does its job through the explicit
``app.system`` scope."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, pool, select, text, update
from sqlalchemy.engine import make_url

from labintake.db import scope
from labintake.db import sessions as repo
from labintake.db.engine import Database
from labintake.db.migrate import upgrade
from labintake.db.models import FileProcessingStatus, utcnow
from labintake.db.recovery import recover_expired
from labintake.db.scope import acting_as
from labintake.service import LabIntake, accounts
from labintake.web import WebConfig, create_app
from tests.api.conftest import Api, Server, new_session, wait_finished
from tests.conftest import PG_URL, _pg_admin, make_settings, postgres_available
from tests.fixtures.reports import make_pdf, sample_report

pytestmark = pytest.mark.postgres

@dataclass
class Roles:
    owner_url: str
    login_url: str
    owner: str
    login: str


@pytest.fixture
def roles() -> Iterator[Roles]:
    """A database owned by a non-superuser owner role, and a login role that owns nothing, set up
    with the SQL of docs/deploy.md; the migrations run as the owner."""
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    suffix = uuid.uuid4().hex[:10]
    owner, login, database = f"li_owner_{suffix}", f"li_login_{suffix}", f"labintake_rls_{suffix}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN NOSUPERUSER NOBYPASSRLS"))
        conn.execute(text(f"CREATE ROLE {login} LOGIN NOSUPERUSER NOBYPASSRLS"))
        conn.execute(text("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'labintake_app') "
                          "THEN CREATE ROLE labintake_app NOLOGIN; END IF; END $$"))
        conn.execute(text(f"GRANT labintake_app TO {login}"))
        conn.execute(text(f"CREATE DATABASE {database} OWNER {owner}"))
    url = make_url(PG_URL).set(database=database)
    owner_url = url.set(username=owner).render_as_string(hide_password=False)
    login_url = url.set(username=login).render_as_string(hide_password=False)
    # As in docs/deploy.md: what the owner creates, the login role may read and write.
    owner_engine = create_engine(owner_url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
    with owner_engine.connect() as conn:
        conn.execute(text(f"ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {login}"))
        conn.execute(text(f"ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT ON SEQUENCES TO {login}"))
    owner_engine.dispose()
    try:
        yield Roles(owner_url, login_url, owner, login)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
            conn.execute(text(f"DROP ROLE IF EXISTS {login}"))
            conn.execute(text(f"DROP ROLE IF EXISTS {owner}"))
        admin.dispose()


def _two_users(db: Database) -> tuple[str, str]:
    ids = []
    for email in ("ada@example.test", "bob@example.test"):
        with db.transaction() as s:  # system work: creating the account and its first session
            user = repo.get_or_create_user(s, email)
        with acting_as(user.id), db.transaction() as s:
            session = repo.create_session(s, user.id)
            repo.add_file(s, session, repo.NewFile("0" * 64, "0" * 64, "r.pdf", "application/pdf", 1),
                          max_retry_attempts=3)
        ids.append(user.id)
    return ids[0], ids[1]


def _raw(url: str):  # type: ignore[no-untyped-def]
    """A plain connection with none of LabIntake's settings (psql, a report, a forgotten query)."""
    return create_engine(url, poolclass=pool.NullPool)


def test_force_binds_the_owner_and_the_login_role(roles: Roles) -> None:
    """Given ada's and bob's rows, when the owner role asks as bob (app.user_id = bob), then it
    sees nothing of ada's; without any scope it sees no rows; only the system scope sees all.
    Without FORCE the owner would see ada's rows: the check below shows it."""
    upgrade(roles.owner_url)
    db = Database(roles.login_url)
    try:
        ada, bob = _two_users(db)
    finally:
        db.dispose()
    owner = _raw(roles.owner_url)
    try:
        with owner.connect() as conn:
            tables = conn.execute(text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
                "EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = c.relname || '_system') "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND "
                "n.nspname = current_schema() AND pg_get_userbyid(c.relowner) = current_user AND EXISTS "
                "(SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'user_id')")).all()
            assert len(tables) >= 10 and all(r[1] and r[2] and r[3] for r in tables), tables
            for table in [r[0] for r in tables] + ["users"]:
                assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table
            conn.rollback()
            with conn.begin():
                conn.execute(text("SELECT set_config('app.user_id', :u, true)"), {"u": bob})
                assert set(conn.execute(text("SELECT user_id FROM processing_sessions")).scalars()) == {bob}
                assert set(conn.execute(text("SELECT user_id FROM file_processing_status")).scalars()) == {bob}
                assert set(conn.execute(text("SELECT user_id FROM session_processing_summary")).scalars()) == {bob}
                assert list(conn.execute(text("SELECT id FROM users")).scalars()) == [bob]
                with pytest.raises(Exception, match="row-level security"), conn.begin_nested():
                    conn.execute(text("INSERT INTO processing_sessions (id, user_id, name, state, created_at) "
                                      "VALUES ('x', :ada, '', 'open', now())"), {"ada": ada})
            with conn.begin():
                conn.execute(text("SELECT set_config('app.system', 'on', true)"))
                assert conn.execute(text("SELECT count(*) FROM processing_sessions")).scalar_one() == 2
            # The same question without FORCE: the owner bypasses its own policies.
            with conn.begin():
                conn.execute(text("ALTER TABLE processing_sessions NO FORCE ROW LEVEL SECURITY"))
                conn.execute(text("SELECT set_config('app.user_id', :u, true)"), {"u": bob})
                leaked = set(conn.execute(text("SELECT user_id FROM processing_sessions")).scalars())
                assert ada in leaked
                conn.rollback()
    finally:
        owner.dispose()
    login = _raw(roles.login_url)
    try:
        with login.connect() as conn:  # the login role, as is: no rows; cannot lift the policies
            assert conn.execute(text("SELECT count(*) FROM file_processing_status")).scalar_one() == 0
            conn.rollback()
            # The system scope never admits the application role a request switches to.
            with conn.begin():
                conn.execute(text("SELECT set_config('app.system', 'on', true)"))
                assert conn.execute(text("SELECT count(*) FROM processing_sessions")).scalar_one() == 2
                conn.execute(text("SET LOCAL ROLE labintake_app"))
                assert conn.execute(text("SELECT count(*) FROM processing_sessions")).scalar_one() == 0
            with pytest.raises(Exception, match="must be owner"):
                conn.execute(text("ALTER TABLE file_processing_status NO FORCE ROW LEVEL SECURITY"))
    finally:
        login.dispose()


def test_the_service_runs_as_a_login_that_owns_nothing(
    roles: Roles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the service logging in as the non-owner role (migrations as the owner), when ada
    uploads and processes a report, then the workers, the summary trigger and recovery do
    their work under FORCE, every request is scoped, and bob's id-less routes hold nothing of
    ada's. A request whose scope is removed fails closed: it sees none of ada's rows, even
    her own listing (it is not system work)."""
    settings = make_settings(tmp_path, roles.login_url, migration_database_url=roles.owner_url, workers=2)
    li = LabIntake(settings)  # migrates as the owner
    unscoped_before = scope.unscoped_units
    try:
        li.start_processing()
        app = create_app(li, WebConfig(cookie_secure=False, heartbeat_seconds=0.5))
        with Server(app) as server:
            api = Api(li, server.url)
            _, ada = api.user("ada@example.org")
            _, bob = api.user("bob@example.org")
            report = sample_report()
            session_id, files = new_session(ada, [("report.pdf", make_pdf(report))])
            assert ada.post(f"/api/sessions/{session_id}/start").status_code == 200
            final, _ = wait_finished(ada, session_id)
            assert final["summary"]["completed_files"] == 1, final  # the trigger kept the summary
            file_id = files[0]["fileId"]
            assert ada.get(f"/api/files/{file_id}/result").status_code == 200
            assert ada.get("/api/patients").json() and session_id in ada.get("/api/sessions?q=report").text
            name = report.truth.patient.name
            for path in ("/api/sessions", "/api/patients", "/api/analytics", "/api/sessions?q=report"):
                response = bob.get(path)
                assert response.status_code == 200, (path, response.text)
                assert session_id not in response.text and file_id not in response.text, path
                assert name not in response.text, path
            assert bob.get(f"/api/sessions/{session_id}/progress").status_code == 404
            assert scope.unscoped_units == unscoped_before
            with monkeypatch.context() as patched:
                patched.setattr(accounts, "scope_to", lambda user_id: None)
                assert ada.get("/api/sessions").json()["items"] == []
            assert scope.unscoped_units > unscoped_before
            assert session_id in ada.get("/api/sessions").text
            for client in api.clients:
                client.close()
        # Recovery is system work: a running file whose lease expired goes back to pending.
        with li.db.transaction(system=True) as s:
            s.execute(update(FileProcessingStatus).where(FileProcessingStatus.id == file_id)
                      .values(status="extracting", lease_expires_at=utcnow() - timedelta(seconds=1)))
            assert [m.file_id for m in recover_expired(s)] == [file_id]
            assert s.execute(select(FileProcessingStatus.status)
                             .where(FileProcessingStatus.id == file_id)).scalar_one() == "pending"
    finally:
        li.stop()

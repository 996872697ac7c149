"""Account use cases: who a request is, logging in and out, users and tokens for the CLI.

``labintake.auth`` holds the mechanics (hashing, secrets, token cache); this module gives
them their units of work, so the web and the CLI never open a database session themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.orm import Session

from labintake import auth
from labintake.db import scope
from labintake.db import sessions as sessions_repo
from labintake.db import users as users_repo
from labintake.db.engine import Database
from labintake.db.migrate import prepare
from labintake.db.models import utcnow
from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.service.app import LabIntake
from labintake.service.models import Me
from labintake.settings import Settings

AuthError = auth.AuthError
WeakPassword = auth.WeakPassword
T = TypeVar("T")
LOCAL_USER_EMAIL = sessions_repo.LOCAL_USER_EMAIL


@dataclass(frozen=True, slots=True)
class Viewer:
    """The logged-in browser user."""

    user_id: str
    email: str
    csrf: str


def scope_to(user_id: str) -> None:
    """From here on, every transaction of this request (this context) is the user's: on
    PostgreSQL, row-level security sees only their rows (``db.scope``)."""
    scope.current_user.set(user_id)


@contextmanager
def request_scope() -> Iterator[None]:
    """The work of one HTTP request or WebSocket: a unit of work it begins before ``scope_to``
    (and without ``system=True``) sees no rows on PostgreSQL, and is reported (``db.scope``)."""
    token = scope.in_request.set(True)
    try:
        yield
    finally:
        scope.in_request.reset(token)


def token_user(li: LabIntake, token: str) -> auth.TokenUser | None:
    """The owner of a live bearer token, remembered in the token cache for at most its life."""
    found = auth.token_user(li.db, token)
    if found is not None:
        li.tokens.put(token, found.user_id, expires_in=found.expires_in)
    return found


def browser_user(li: LabIntake, cookie: str) -> auth.BrowserUser | None:
    """The user of a live, not idle browser session (its idle clock reset)."""
    return auth.browser_user_seen(li.db, cookie, li.settings.session_idle)


def viewer(li: LabIntake, cookie: str) -> Viewer | None:
    """The logged-in page viewer; the rest of the request runs as them (row-level security)."""
    found = browser_user(li, cookie)
    if found is None:
        return None
    scope_to(found.user_id)
    with li.db.read() as s:
        email = users_repo.email_of(s, found.user_id) or ""
    return Viewer(found.user_id, email, found.csrf_token)


def me(li: LabIntake, user_id: str, cookie: str | None) -> Me:
    """The user, with the CSRF token of the browser session ``cookie`` when one is given."""
    csrf = None
    with li.db.read() as s:
        email = users_repo.email_of(s, user_id)
        if cookie:
            found = auth.browser_user(s, cookie, li.settings.session_idle)
            csrf = found.csrf_token if found else None
    if email is None:
        raise LabIntakeError(ErrorCode.NOT_FOUND, "No such user.")
    return Me(id=user_id, email=email, csrfToken=csrf)


def login(li: LabIntake, email: str, password: str) -> auth.BrowserLogin:
    """A new browser session for valid credentials; AuthError otherwise. Expired and idle
    sessions are purged on the way (cheap, and keeps the table small)."""
    with li.db.transaction(system=True) as s:
        user_id = auth.login(s, email, password)
        auth.purge_browser_sessions(s, li.settings.session_idle)
        return auth.start_browser_session(s, user_id)


def logout(li: LabIntake, cookie: str, sent_csrf: str | None) -> bool:
    """End the browser session; False when the CSRF token sent does not match it."""
    found = browser_user(li, cookie)
    if found is not None and not auth.same(sent_csrf, found.csrf_token):
        return False
    with li.db.transaction(system=True) as s:
        auth.end_browser_session(s, cookie)
    return True


def local_user_id(li: LabIntake) -> str:
    """The one account of a machine without logins (the CLI, a loopback server's first run)."""
    with li.db.transaction() as s:
        return sessions_repo.get_or_create_user(s, LOCAL_USER_EMAIL).id


def user_id_for(li: LabIntake, email: str) -> str | None:
    """The account with this email, or None."""
    with li.db.read(system=True) as s:
        user = users_repo.user_by_email(s, auth.normalise_email(email))
        return user.id if user is not None else None


def first_account(li: LabIntake) -> str | None:
    """On a first start nobody can log in: give the local account a random password and return
    it (None when some account already has a password)."""
    with li.db.transaction() as s:
        if users_repo.count_users_with_password(s):
            return None
        # The CLI's own account, so sessions run with `labintake process` show in the web app too.
        user = sessions_repo.get_or_create_user(s, LOCAL_USER_EMAIL)
        password = auth.random_password()
        user.password_hash = auth.hash_password(password)
    return password


# --- the CLI's account commands: one short-lived database each ----------------------------------


def _database(settings: Settings) -> Database:
    prepare(settings)
    return Database(settings.db_url)


def create_user(settings: Settings, email: str, password: str) -> str:
    return _with_db(settings, lambda db: _tx(db, auth.create_user, email, password))


def set_password(settings: Settings, email: str, password: str) -> str:
    return _with_db(settings, lambda db: _tx(db, auth.set_password, email, password))


def create_token(settings: Settings, email: str, name: str, *, days: int | None = None) -> str:
    """A new bearer token for the user, valid ``days`` (default LABINTAKE_TOKEN_TTL_DAYS);
    AuthError when there is no such user."""
    ttl = timedelta(days=days or settings.token_ttl_days)

    def run(db: Database) -> str:
        with db.transaction() as s:
            user = users_repo.user_by_email(s, auth.normalise_email(email))
            if user is None:
                raise AuthError(f"no user {email}; create it with `labintake users create`")
            return auth.create_token(s, user.id, name, ttl=ttl)

    return _with_db(settings, run)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """One token as `labintake tokens list` shows it (never the token itself)."""

    id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    state: str  # active | expired | revoked


def list_tokens(settings: Settings, email: str) -> list[TokenInfo]:
    def run(db: Database) -> list[TokenInfo]:
        now = utcnow()
        with db.read() as s:
            return [
                TokenInfo(t.id, t.name, t.created_at, t.last_used_at, t.expires_at,
                          "revoked" if t.revoked_at else "expired" if t.expires_at and t.expires_at <= now else "active")
                for t in auth.list_tokens(s, email)
            ]

    return _with_db(settings, run)


def revoke_tokens(settings: Settings, email: str, token_id: str | None) -> int:
    """Revoke one token (id or unique prefix) or every token (None) of a user; how many."""

    def run(db: Database) -> int:
        with db.transaction() as s:
            return auth.revoke_tokens(s, email, token_id)

    return _with_db(settings, run)


def set_active(settings: Settings, email: str, active: bool) -> str:
    """Disable or enable an account (a disabled one's sessions end, its credentials get 401)."""

    def run(db: Database) -> str:
        with db.transaction() as s:
            return auth.set_active(s, email, active)

    return _with_db(settings, run)


def _tx(db: Database, action: Callable[[Session, str, str], str], email: str, password: str) -> str:
    with db.transaction() as s:
        return action(s, email, password)


def _with_db(settings: Settings, run: Callable[[Database], T]) -> T:
    db = _database(settings)
    try:
        return run(db)
    finally:
        db.dispose()

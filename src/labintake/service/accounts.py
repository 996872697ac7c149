"""Account use cases: who a request is, logging in and out, users and tokens for the CLI.

``labintake.auth`` holds the mechanics (hashing, secrets, token cache); this module gives
them their units of work, so the web and the CLI never open a database session themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from labintake import auth
from labintake.db import scope
from labintake.db import sessions as sessions_repo
from labintake.db import users as users_repo
from labintake.db.engine import Database
from labintake.db.migrate import prepare
from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.service.app import LabIntake
from labintake.service.models import Me
from labintake.settings import Settings

AuthError = auth.AuthError
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


def token_user(li: LabIntake, token: str) -> str | None:
    return auth.user_for_token(li.db, token)


def browser_user(li: LabIntake, cookie: str) -> auth.BrowserUser | None:
    with li.db.read(system=True) as s:  # before we know whose it is
        return auth.browser_user(s, cookie)


def viewer(li: LabIntake, cookie: str) -> Viewer | None:
    with li.db.read() as s:
        found = auth.browser_user(s, cookie)
        if found is None:
            return None
        email = users_repo.email_of(s, found.user_id) or ""
    return Viewer(found.user_id, email, found.csrf_token)


def me(li: LabIntake, user_id: str, cookie: str | None) -> Me:
    """The user, with the CSRF token of the browser session ``cookie`` when one is given."""
    csrf = None
    with li.db.read() as s:
        email = users_repo.email_of(s, user_id)
        if cookie:
            found = auth.browser_user(s, cookie)
            csrf = found.csrf_token if found else None
    if email is None:
        raise LabIntakeError(ErrorCode.NOT_FOUND, "No such user.")
    return Me(id=user_id, email=email, csrfToken=csrf)


def login(li: LabIntake, email: str, password: str) -> auth.BrowserLogin:
    """A new browser session for valid credentials; AuthError otherwise."""
    with li.db.transaction(system=True) as s:
        user_id = auth.login(s, email, password)
        return auth.start_browser_session(s, user_id)


def logout(li: LabIntake, cookie: str, sent_csrf: str | None) -> bool:
    """End the browser session; False when the CSRF token sent does not match it."""
    found = browser_user(li, cookie)
    if found is not None and not auth.same(sent_csrf, found.csrf_token):
        return False
    with li.db.transaction(system=True) as s:
        auth.end_browser_session(s, cookie)
    return True


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


def create_token(settings: Settings, email: str, name: str) -> str:
    """A new bearer token for the user; AuthError when there is no such user."""

    def run(db: Database) -> str:
        with db.transaction() as s:
            user = users_repo.user_by_email(s, auth.normalise_email(email))
            if user is None:
                raise AuthError(f"no user {email}; create it with `labintake users create`")
            return auth.create_token(s, user.id, name)

    return _with_db(settings, run)


def _tx(db: Database, action, email: str, password: str) -> str:  # type: ignore[no-untyped-def]
    with db.transaction() as s:
        return action(s, email, password)  # type: ignore[no-any-return]


def _with_db(settings: Settings, run) -> str:  # type: ignore[no-untyped-def]
    db = _database(settings)
    try:
        return run(db)  # type: ignore[no-any-return]
    finally:
        db.dispose()

"""Users, bearer tokens and browser sessions: the queries behind ``labintake.auth``. The caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from labintake.db.models import ApiToken, BrowserSession, User


def user_by_email(s: Session, email: str) -> User | None:
    return s.execute(select(User).where(User.email == email)).scalar_one_or_none()


def email_of(s: Session, user_id: str) -> str | None:
    return s.execute(select(User.email).where(User.id == user_id)).scalar_one_or_none()


def add_user(s: Session, email: str, password_hash: str | None) -> User:
    user = User(email=email, password_hash=password_hash, is_active=True)
    s.add(user)
    s.flush()
    return user


def count_users_with_password(s: Session) -> int:
    """Accounts someone can log in with (the CLI's local user has no password)."""
    return s.execute(select(func.count()).select_from(User).where(User.password_hash.is_not(None))).scalar_one()


def add_token(s: Session, user_id: str, token_hash: str, name: str) -> ApiToken:
    token = ApiToken(user_id=user_id, token_hash=token_hash, name=name[:100])
    s.add(token)
    s.flush()
    return token


# Every API request runs this: built once, executed on the connection (no ORM overhead).
_TOKEN_OWNER = (
    select(ApiToken.id, ApiToken.user_id, ApiToken.last_used_at)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"), User.is_active.is_(True))
)


def token_owner(s: Session, token_hash: str) -> tuple[str, str, datetime | None] | None:
    """(token id, user id, last used) of a token of an active user."""
    row = s.connection().execute(_TOKEN_OWNER, {"token_hash": token_hash}).first()
    return (row.id, row.user_id, row.last_used_at) if row else None


def touch_token(s: Session, token_id: str, now: datetime) -> None:
    s.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


def add_browser_session(s: Session, session_hash: str, user_id: str, csrf: str, *, expires_at: datetime) -> None:
    s.add(BrowserSession(id=session_hash, user_id=user_id, csrf_token=csrf, expires_at=expires_at))
    s.flush()


def browser_session(s: Session, session_hash: str, *, now: datetime) -> tuple[str, str] | None:
    """(user_id, csrf_token) of a live browser session of an active user."""
    row = s.execute(
        select(BrowserSession.user_id, BrowserSession.csrf_token)
        .join(User, User.id == BrowserSession.user_id)
        .where(BrowserSession.id == session_hash, BrowserSession.expires_at > now, User.is_active.is_(True))
    ).first()
    return (row.user_id, row.csrf_token) if row else None


def delete_browser_session(s: Session, session_hash: str) -> None:
    s.execute(delete(BrowserSession).where(BrowserSession.id == session_hash))


def delete_expired_browser_sessions(s: Session, *, now: datetime) -> int:
    result = s.execute(delete(BrowserSession).where(BrowserSession.expires_at <= now))
    return int(result.rowcount)  # type: ignore[attr-defined]  # a DML result is a CursorResult

"""Users, bearer tokens and browser sessions: the queries behind ``labintake.auth``. The caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from labintake.db.models import ApiToken, AuthEpoch, BrowserSession, User


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


def add_token(s: Session, user_id: str, token_hash: str, name: str, *, expires_at: datetime | None) -> ApiToken:
    token = ApiToken(user_id=user_id, token_hash=token_hash, name=name[:100], expires_at=expires_at)
    s.add(token)
    s.flush()
    return token


def tokens_of(s: Session, user_id: str) -> list[ApiToken]:
    return list(s.execute(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at)).scalars())


def revoke_tokens(s: Session, user_id: str, token_id: str | None, *, now: datetime) -> int:
    """Revoke one of the user's tokens (by id or id prefix), or all of them; how many were live."""
    query = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    if token_id is not None:
        query = query.where(ApiToken.id.startswith(token_id, autoescape=True))
    return s.execute(query.values(revoked_at=now)).rowcount  # type: ignore[attr-defined]


# Every API request runs this: built once, executed on the connection (no ORM overhead).
_TOKEN_OWNER = (
    select(ApiToken.id, ApiToken.user_id, ApiToken.last_used_at, ApiToken.expires_at)
    .join(User, User.id == ApiToken.user_id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"), User.is_active.is_(True), ApiToken.revoked_at.is_(None),
        or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > bindparam("now")),
    )
)


def token_owner(s: Session, token_hash: str, *, now: datetime) -> tuple[str, str, datetime | None, datetime | None] | None:
    """(token id, user id, last used, expires) of a live token of an active user."""
    row = s.connection().execute(_TOKEN_OWNER, {"token_hash": token_hash, "now": now}).first()
    return (row.id, row.user_id, row.last_used_at, row.expires_at) if row else None


def touch_token(s: Session, token_id: str, now: datetime) -> None:
    s.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


def add_browser_session(s: Session, session_hash: str, user_id: str, csrf: str, *, expires_at: datetime) -> None:
    s.add(BrowserSession(id=session_hash, user_id=user_id, csrf_token=csrf, expires_at=expires_at))
    s.flush()


def browser_session(
    s: Session, session_hash: str, *, now: datetime, idle_since: datetime
) -> tuple[str, str, datetime] | None:
    """(user_id, csrf_token, last seen) of a live browser session of an active user, seen
    after ``idle_since``."""
    seen = func.coalesce(BrowserSession.last_seen_at, BrowserSession.created_at)
    row = s.execute(
        select(BrowserSession.user_id, BrowserSession.csrf_token, seen.label("seen"))
        .join(User, User.id == BrowserSession.user_id)
        .where(BrowserSession.id == session_hash, BrowserSession.expires_at > now, seen > idle_since,
               User.is_active.is_(True))
    ).first()
    return (row.user_id, row.csrf_token, row.seen) if row else None


def touch_browser_session(s: Session, session_hash: str, now: datetime) -> None:
    s.execute(update(BrowserSession).where(BrowserSession.id == session_hash).values(last_seen_at=now))


def end_browser_sessions_of(s: Session, user_id: str) -> int:
    return s.execute(delete(BrowserSession).where(BrowserSession.user_id == user_id)).rowcount  # type: ignore[attr-defined]


def bump_auth_epoch(s: Session) -> None:
    """Every process drops its cached credentials (the caller's transaction carries it)."""
    s.execute(update(AuthEpoch).where(AuthEpoch.id == 1).values(epoch=AuthEpoch.epoch + 1))
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_notify('labintake_auth', '')"))  # delivered on commit


def auth_epoch(s: Session) -> int:
    return s.execute(select(AuthEpoch.epoch).where(AuthEpoch.id == 1)).scalar_one_or_none() or 0


def delete_browser_session(s: Session, session_hash: str) -> None:
    s.execute(delete(BrowserSession).where(BrowserSession.id == session_hash))


def delete_expired_browser_sessions(s: Session, *, now: datetime, idle_since: datetime) -> int:
    seen = func.coalesce(BrowserSession.last_seen_at, BrowserSession.created_at)
    result = s.execute(delete(BrowserSession).where(or_(BrowserSession.expires_at <= now, seen <= idle_since)))
    return int(result.rowcount)  # type: ignore[attr-defined]  # a DML result is a CursorResult

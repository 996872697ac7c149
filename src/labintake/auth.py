"""Accounts and credentials: argon2 password hashes, bearer tokens and browser sessions.

Only digests of secrets are stored: a token or session cookie found in a database dump
cannot be replayed. Tokens and cookies are 256-bit random values, so a plain sha256 is
enough (no salt or stretching needed, unlike passwords).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.orm import Session

from labintake.db import users as repo
from labintake.db.engine import Database
from labintake.db.models import utcnow

TOKEN_PREFIX = "li_"
SESSION_TTL = timedelta(days=7)

_hasher = PasswordHasher()


class AuthError(Exception):
    """Bad credentials or an unusable account (the web renders it as ``unauthorized``)."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        # Same cost as a real check, so response time does not reveal which accounts exist.
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def random_password() -> str:
    return secrets.token_urlsafe(18)


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two secrets; None never matches."""
    return a is not None and b is not None and hmac.compare_digest(a.encode(), b.encode())


# --- accounts -------------------------------------------------------------------------------


def create_user(s: Session, email: str, password: str) -> str:
    """A new active user (email is normalised to lower case); raises AuthError if it exists."""
    email = normalise_email(email)
    if repo.user_by_email(s, email) is not None:
        raise AuthError(f"a user {email} already exists")
    return repo.add_user(s, email, hash_password(password)).id


def set_password(s: Session, email: str, password: str) -> str:
    user = repo.user_by_email(s, normalise_email(email))
    if user is None:
        raise AuthError(f"no user {email}")
    user.password_hash = hash_password(password)
    return user.id


def login(s: Session, email: str, password: str) -> str:
    """The user id for valid credentials of an active user, else AuthError."""
    user = repo.user_by_email(s, normalise_email(email))
    if not verify_password(user.password_hash if user else None, password) or user is None or not user.is_active:
        raise AuthError("invalid email or password")
    if _hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    return user.id


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- bearer tokens --------------------------------------------------------------------------


def create_token(s: Session, user_id: str, name: str = "") -> str:
    """A new bearer token for the user; returned once, only its sha256 is stored."""
    token = TOKEN_PREFIX + new_secret()
    repo.add_token(s, user_id, digest(token), name)
    return token


class TokenCache:
    """Bearer token -> user, remembered for ``ttl`` seconds so a polling client costs no
    database read per request. Only hits of valid tokens are kept; a deactivated user or a
    deleted token stops working within ``ttl``."""

    def __init__(self, ttl: float = 30.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: dict[str, tuple[str, float]] = {}

    def get(self, token: str) -> str | None:
        entry = self._entries.get(digest(token))
        if entry is None or time.monotonic() > entry[1]:
            return None
        return entry[0]

    def put(self, token: str, user_id: str) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()  # rare: a simple bound beats an LRU here
        self._entries[digest(token)] = (user_id, time.monotonic() + self.ttl)


def user_for_token(db: Database, token: str) -> str | None:
    """The owner of a bearer token. A read; ``last_used_at`` is written at most once a minute,
    so authenticating does not turn every request into a write (SQLite has one writer)."""
    with db.read(system=True) as s:  # before we know whose it is
        found = repo.token_owner(s, digest(token))
    if found is None:
        return None
    token_id, user_id, last_used = found
    now = utcnow()
    if last_used is None or (now - last_used).total_seconds() > 60:
        with db.transaction(system=True) as s:
            repo.touch_token(s, token_id, now)
    return user_id


# --- browser sessions -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BrowserLogin:
    cookie: str  # the cookie value; only its sha256 is stored
    csrf_token: str


@dataclass(frozen=True, slots=True)
class BrowserUser:
    user_id: str
    csrf_token: str


def start_browser_session(s: Session, user_id: str, ttl: timedelta = SESSION_TTL) -> BrowserLogin:
    cookie, csrf = new_secret(), new_secret()
    repo.add_browser_session(s, digest(cookie), user_id, csrf, expires_at=utcnow() + ttl)
    return BrowserLogin(cookie, csrf)


def browser_user(s: Session, cookie: str) -> BrowserUser | None:
    found = repo.browser_session(s, digest(cookie), now=utcnow())
    return BrowserUser(*found) if found else None


def end_browser_session(s: Session, cookie: str) -> None:
    repo.delete_browser_session(s, digest(cookie))

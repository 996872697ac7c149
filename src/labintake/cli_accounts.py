"""``labintake users …`` and ``labintake tokens …``: accounts and API credentials.

Passwords are read from an interactive prompt or from standard input (``--password-stdin``),
so they stay out of ``ps`` and shell history; ``--password`` still works, with a warning.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

users_app = typer.Typer(help="Accounts that can log in to the web app.", no_args_is_help=True)
tokens_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)

PasswordOpt = Annotated[
    str | None,
    typer.Option("--password", help="Visible to other users in `ps`: prefer the prompt or --password-stdin."),
]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")]


def _console():  # type: ignore[no-untyped-def]
    from labintake.cli import console

    return console


@contextmanager
def _transaction() -> Iterator[Session]:
    """One transaction on the configured (and migrated) database; AuthError is a clean exit 2."""
    from labintake import auth
    from labintake.cli import _settings
    from labintake.db.engine import Database
    from labintake.db.migrate import upgrade

    settings = _settings()
    if not settings.is_postgres:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.db_url)
    db = Database(settings.db_url)
    try:
        with db.transaction() as s:
            yield s
    except (auth.AuthError, auth.WeakPassword) as exc:
        _console().print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    finally:
        db.dispose()


def read_password(password: str | None, from_stdin: bool) -> str:
    from labintake import auth

    if password is not None and from_stdin:
        raise typer.BadParameter("give --password or --password-stdin, not both", param_hint="--password")
    if password is not None:
        _console().print("[yellow]warning: --password is visible to other users of this machine; "
                         "use the prompt or --password-stdin[/yellow]")
    elif from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        auth.check_password(password)
    except auth.WeakPassword as exc:
        raise typer.BadParameter(str(exc), param_hint="password") from None
    return password


def _set_password(action: Callable[[Session, str, str], Any], email: str, password: str | None,
                  from_stdin: bool, done: str) -> None:
    from labintake import auth

    secret = read_password(password, from_stdin)
    with _transaction() as s:
        action(s, email, secret)
    _console().print(f"[green]{done} {auth.normalise_email(email)}[/green]")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Argument(help="The login email.")],
    password: PasswordOpt = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a user who can log in to the web app (password: at least 12 characters, not a common one)."""
    from labintake import auth

    _set_password(auth.create_user, email, password, password_stdin, "created")


@users_app.command("password")
def users_password(
    email: Annotated[str, typer.Argument(help="The login email.")],
    password: PasswordOpt = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a user's password; their browser sessions end (their API tokens stay)."""
    from labintake import auth

    _set_password(auth.set_password, email, password, password_stdin, "password set for")


@users_app.command("disable")
def users_disable(email: Annotated[str, typer.Argument(help="The login email.")]) -> None:
    """Disable an account: its browser sessions end and its tokens get 401 at once."""
    from labintake import auth

    with _transaction() as s:
        auth.set_active(s, email, False)
    _console().print(f"[green]disabled {auth.normalise_email(email)}[/green]")


@users_app.command("enable")
def users_enable(email: Annotated[str, typer.Argument(help="The login email.")]) -> None:
    """Enable a disabled account again (its unexpired, unrevoked tokens work again)."""
    from labintake import auth

    with _transaction() as s:
        auth.set_active(s, email, True)
    _console().print(f"[green]enabled {auth.normalise_email(email)}[/green]")


@tokens_app.command("create")
def tokens_create(
    email: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="A label to recognise the token by.")] = "cli",
    days: Annotated[int | None, typer.Option(min=1, help="Lifetime in days (default LABINTAKE_TOKEN_TTL_DAYS, 90).")] = None,
) -> None:
    """Print a new API bearer token for a user (only its hash is stored: copy it now)."""
    from datetime import timedelta

    from labintake import auth
    from labintake.cli import _settings
    from labintake.db import users as users_repo

    ttl = timedelta(days=days or _settings().token_ttl_days)
    with _transaction() as s:
        user = users_repo.user_by_email(s, auth.normalise_email(email))
        if user is None:
            _console().print(f"[red]no user {email}; create it with `labintake users create`[/red]")
            raise typer.Exit(2)
        token = auth.create_token(s, user.id, name, ttl=ttl)
    sys.stdout.write(token + "\n")


@tokens_app.command("list")
def tokens_list(email: Annotated[str, typer.Argument(help="Whose tokens.")]) -> None:
    """A user's tokens: id, name, when made, last used, expiry, state (never the token itself)."""
    from labintake import auth
    from labintake.db.models import utcnow

    now = utcnow()
    with _transaction() as s:
        rows = [
            (t.id, t.name, t.created_at, t.last_used_at, t.expires_at,
             "revoked" if t.revoked_at else "expired" if t.expires_at and t.expires_at <= now else "active")
            for t in auth.list_tokens(s, email)
        ]
    table = Table(title=f"API tokens of {auth.normalise_email(email)}")
    for col in ("id", "name", "created", "last used", "expires", "state"):
        table.add_column(col)
    day = lambda d: d.strftime("%Y-%m-%d %H:%M") if d else "—"  # noqa: E731
    for token_id, name, created, used, expires, state in rows:
        style = {"active": "green", "revoked": "red", "expired": "yellow"}[state]
        table.add_row(token_id[:8], name, day(created), day(used), day(expires), f"[{style}]{state}[/]")
    _console().print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    email: Annotated[str, typer.Argument(help="Whose token.")],
    token_id: Annotated[str | None, typer.Argument(help="The token's id (or its first characters, from `tokens list`).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Revoke every token of the user.")] = False,
) -> None:
    """Revoke one token, or all of a user's: requests with it get 401 at once."""
    from labintake import auth

    if all_ == (token_id is not None):
        raise typer.BadParameter("name one TOKEN_ID or --all", param_hint="TOKEN_ID")
    with _transaction() as s:
        n = auth.revoke_tokens(s, email, None if all_ else token_id)
    _console().print(f"[green]revoked {n} token{'s' if n != 1 else ''} of {auth.normalise_email(email)}[/green]")

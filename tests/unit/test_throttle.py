"""Login throttling and the password policy: pure rules, a fake clock."""

from __future__ import annotations

import pytest

from labintake import auth
from labintake.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_in_the_window_lock_and_the_delay_grows() -> None:
    clock = Clock()
    t = LoginThrottle(limit=5, window=900, base_delay=30, max_delay=3600, clock=clock)
    for _ in range(4):
        t.failed("account:a")
        assert t.retry_after("account:a") == 0
    t.failed("account:a")
    assert t.retry_after("account:a") == pytest.approx(30)
    clock.now += 31
    assert t.retry_after("account:a") == 0
    t.failed("account:a")  # the sixth within the window: twice as long
    assert t.retry_after("account:a") == pytest.approx(60)
    t.failed("account:a")
    assert t.retry_after("account:a") == pytest.approx(120)


def test_the_lock_outlasts_the_window_when_the_delay_is_longer() -> None:
    clock = Clock()
    t = LoginThrottle(limit=2, window=10, base_delay=100, max_delay=100, clock=clock)
    t.failed("k")
    t.failed("k")
    clock.now += 50  # past the window, still inside the delay
    assert t.retry_after("k") == pytest.approx(50)


def test_failures_outside_the_window_do_not_count() -> None:
    clock = Clock()
    t = LoginThrottle(limit=5, window=900, clock=clock)
    for _ in range(4):
        t.failed("k")
    clock.now += 901
    t.failed("k")
    assert t.retry_after("k") == 0


def test_any_key_locks_and_success_clears_only_the_account() -> None:
    clock = Clock()
    t = LoginThrottle(limit=1, window=900, base_delay=30, clock=clock)
    t.failed("account:a", "client:1.2.3.4")
    assert t.retry_after("account:b", "client:1.2.3.4") > 0  # the client guesses another account
    t.succeeded("account:a")
    assert t.retry_after("account:a") == 0
    assert t.retry_after("client:1.2.3.4") > 0


def test_the_table_stays_bounded() -> None:
    t = LoginThrottle(max_keys=100)
    for i in range(1000):
        t.failed(f"account:{i}@example.test")
    assert len(t._failures) == 100


@pytest.mark.parametrize(
    ("password", "ok"),
    [("correct horse battery", True), ("Tr0ub4dor&3-x", True), ("short-one", False), ("aaaaaaaaaaaa", False),
     ("Password1234", False), ("qwertyuiopas", False), ("ababababababab", False), ("1q2w3e4r5t6y", False)],
)
def test_the_password_policy(password: str, ok: bool) -> None:
    if ok:
        auth.check_password(password)
    else:
        with pytest.raises(auth.WeakPassword):
            auth.check_password(password)


def test_the_password_may_not_be_the_email() -> None:
    with pytest.raises(auth.WeakPassword, match="email"):
        auth.check_password("someone.long@example.org", "Someone.Long@example.org")

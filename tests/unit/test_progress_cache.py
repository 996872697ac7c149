"""The progress cache serves a snapshot only while nothing newer has been rung for its session."""

from __future__ import annotations

import time

from labintake.auth import TokenCache
from labintake.notify import Doorbell
from labintake.progress_cache import ProgressCache


def test_a_snapshot_is_served_until_its_session_rings_a_newer_event() -> None:
    bell = Doorbell()
    cache = ProgressCache(bell, ttl=60)
    cache.put("s1", "u1", 10, {"v": 1})
    cache.put("s2", "u1", 3, {"v": 2})
    assert cache.get("s1", "u1") == {"v": 1}
    assert cache.get("s1", "someone else") is None  # per user: ownership was checked on the read
    bell.ring("s1", 10)  # the event the snapshot already contains
    assert cache.get("s1", "u1") == {"v": 1}
    bell.ring("s1", 11)
    assert cache.get("s1", "u1") is None
    assert cache.get("s2", "u1") == {"v": 2}  # other sessions are untouched


def test_a_snapshot_built_before_a_ring_it_does_not_contain_is_never_served() -> None:
    """Given a change rung while a snapshot was being read from an older state, the entry is
    stale from the start (the service reads the event id before the snapshot)."""
    bell = Doorbell()
    cache = ProgressCache(bell, ttl=60)
    bell.ring("s1", 5)
    cache.put("s1", "u1", 4, {"v": "old"})
    assert cache.get("s1", "u1") is None


def test_snapshots_expire_and_are_forgotten_with_their_session() -> None:
    bell = Doorbell()
    cache = ProgressCache(bell, ttl=0.05)
    cache.put("s1", "u1", 1, {"v": 1})
    time.sleep(0.06)
    assert cache.get("s1", "u1") is None
    cache = ProgressCache(bell, ttl=60, size=2)
    for i in range(3):
        cache.put(f"s{i}", "u1", 1, {"v": i})
    assert cache.get("s0", "u1") is None and cache.get("s2", "u1") == {"v": 2}  # bounded
    cache.forget("s2")
    assert cache.get("s2", "u1") is None


def test_token_cache_remembers_valid_tokens_for_a_while() -> None:
    tokens = TokenCache(ttl=0.05)
    assert tokens.get("t") is None
    tokens.put("t", "u1")
    assert tokens.get("t") == "u1" and tokens.get("other") is None
    time.sleep(0.06)
    assert tokens.get("t") is None


def test_running_files_elapsed_time_moves_on_between_hits() -> None:
    bell = Doorbell()
    cache = ProgressCache(bell, ttl=60)
    snapshot = {"files": [{"status": "extracting", "processingTime": 1000},
                          {"status": "completed", "processingTime": 400}], "timestamp": "t"}
    cache.put("s1", "u1", 1, snapshot)
    time.sleep(0.05)
    served = cache.get("s1", "u1")
    assert served is not None
    assert served["files"][0]["processingTime"] >= 1050  # still counting
    assert served["files"][1]["processingTime"] == 400  # finished: fixed
    assert snapshot["files"][0]["processingTime"] == 1000  # the stored snapshot is not mutated
    cache.suspend()  # the LISTEN connection is lost: nothing from memory
    assert cache.get("s1", "u1") is None
    cache.put("s1", "u1", 1, snapshot)
    assert cache.get("s1", "u1") is None
    cache.resume()
    cache.put("s1", "u1", 1, snapshot)
    assert cache.get("s1", "u1") is not None

"""Progress snapshots kept until the session changes: the doorbell says when.

A poll for a session nothing happened to since the last poll is answered from memory,
without a database read or a thread hop. Every status change rings the doorbell (in this
process, or through LISTEN/NOTIFY on PostgreSQL) with the session and its event id; a
snapshot is served only if it was built from a read that already contained the session's
latest rung event. Every writer rings: this process's commits, other processes' through
LISTEN (PostgreSQL) or the once-a-second watcher (SQLite), and a deletion on PostgreSQL
notifies too. The time-to-live is a backstop for what still rings no bell here (a session
deleted by another process on SQLite); a re-opened LISTEN connection clears the cache. A
running file's elapsed time is brought up to date on every hit.

A snapshot a change made stale is not thrown away: the next read asks the database only for
what changed after its event id (the files with a newer event, and the summary) and merges
that in, so a big session being worked on costs a small read per poll, not a full one.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from labintake.domain.status import ACTIVE_STATUSES
from labintake.notify import Doorbell


@dataclass(frozen=True, slots=True)
class _Entry:
    event_id: int
    built: float
    snapshot: dict[str, Any]
    running: tuple[int, ...]  # indexes of files whose processingTime is still counting


def _fresh(entry: _Entry, now: float) -> dict[str, Any]:
    """The snapshot with running files' elapsed times and the timestamp moved on to now."""
    if not entry.running:
        return entry.snapshot
    elapsed_ms = int((now - entry.built) * 1000)
    files = list(entry.snapshot["files"])
    for i in entry.running:
        files[i] = {**files[i], "processingTime": files[i]["processingTime"] + elapsed_ms}
    return {**entry.snapshot, "files": files}


def merge(base: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """A whole snapshot from an older one and a delta read after it (``?since=`` its event id):
    the delta's files replace theirs, new files come last (uploads are listed in upload order),
    and the summary, timestamp and event id are the delta's."""
    files = list(base["files"])
    where = {f["fileId"]: i for i, f in enumerate(files)}
    for f in delta["files"]:
        i = where.get(f["fileId"])
        if i is None:
            files.append(f)
        else:
            files[i] = f
    merged = {**delta, "files": files}
    merged.pop("since", None)
    return merged


class ProgressCache:
    def __init__(self, doorbell: Doorbell, *, ttl: float = 60.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._lock = threading.Lock()
        self._latest: dict[str, int] = {}  # session -> highest event id rung
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._suspended = False
        doorbell.subscribe(None, self._rang)

    def _rang(self, session_id: str, event_id: int) -> None:
        with self._lock:
            if event_id > self._latest.get(session_id, 0):
                self._latest[session_id] = event_id
                if len(self._latest) > self.size * 2:  # forget the oldest sessions' ids
                    for key in list(self._latest)[: self.size]:
                        del self._latest[key]

    def get(self, session_id: str, user_id: str) -> dict[str, Any] | None:
        now = time.monotonic()
        with self._lock:
            entry = None if self._suspended else self._entries.get((session_id, user_id))
            if entry is None:
                return None
            if now - entry.built > self.ttl:
                del self._entries[(session_id, user_id)]
                return None
            if entry.event_id < self._latest.get(session_id, 0):
                return None  # outdated: kept as the base of the next read (``outdated``)
        return _fresh(entry, now)

    def outdated(self, session_id: str, user_id: str) -> tuple[int, dict[str, Any]] | None:
        """The last snapshot of the session even if events came after it (``get`` refused it),
        with the event id it reflects and running files' times brought to now: the base a delta
        read brings up to date (``merge``). None when there is none to trust (suspended, too old)."""
        now = time.monotonic()
        with self._lock:
            entry = None if self._suspended else self._entries.get((session_id, user_id))
        if entry is None or now - entry.built > self.ttl:
            return None
        return entry.event_id, _fresh(entry, now)

    def suspend(self) -> None:
        """The source of rings is gone (LISTEN connection lost): answer nothing from memory; every
        read goes to the database, which also reports an outage rather than hiding it."""
        with self._lock:
            self._suspended = True
            self._entries.clear()

    def resume(self) -> None:
        """Rings flow again; what was cached before may have missed some: start empty."""
        with self._lock:
            self._suspended = False
            self._entries.clear()

    def forget(self, session_id: str) -> None:
        """Drop a session's snapshots (it was deleted: no event says so)."""
        with self._lock:
            for key in [k for k in self._entries if k[0] == session_id]:
                del self._entries[key]

    def put(self, session_id: str, user_id: str, event_id: int, snapshot: dict[str, Any]) -> None:
        running = tuple(
            i for i, f in enumerate(snapshot.get("files", ()))
            if f["status"] in ACTIVE_STATUSES and f["processingTime"] is not None
        )
        with self._lock:
            self._entries[(session_id, user_id)] = _Entry(event_id, time.monotonic(), snapshot, running)
            self._entries.move_to_end((session_id, user_id))
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

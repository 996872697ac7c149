"""Progress snapshots kept until the session changes: the doorbell says when.

A poll for a session nothing happened to since the last poll is answered from memory,
without a database read or a thread hop. Every status change rings the doorbell (in this
process, or through LISTEN/NOTIFY on PostgreSQL) with the session and its event id; a
snapshot is served only if it was built from a read that already contained the session's
latest rung event. A short time-to-live bounds staleness where a writer rings no bell
here (another process on the same SQLite file, a LISTEN connection being re-opened), and
keeps a running file's elapsed time fresh.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from labintake.notify import Doorbell


@dataclass(frozen=True, slots=True)
class _Entry:
    event_id: int
    built: float
    snapshot: dict[str, Any]


class ProgressCache:
    def __init__(self, doorbell: Doorbell, *, ttl: float = 1.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._lock = threading.Lock()
        self._latest: dict[str, int] = {}  # session -> highest event id rung
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        doorbell.subscribe(None, self._rang)

    def _rang(self, session_id: str, event_id: int) -> None:
        with self._lock:
            if event_id > self._latest.get(session_id, 0):
                self._latest[session_id] = event_id
                if len(self._latest) > self.size * 2:  # forget the oldest sessions' ids
                    for key in list(self._latest)[: self.size]:
                        del self._latest[key]

    def get(self, session_id: str, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._entries.get((session_id, user_id))
            if entry is None:
                return None
            if time.monotonic() - entry.built > self.ttl or entry.event_id < self._latest.get(session_id, 0):
                del self._entries[(session_id, user_id)]
                return None
            return entry.snapshot

    def forget(self, session_id: str) -> None:
        """Drop a session's snapshots (it was deleted: no event says so)."""
        with self._lock:
            for key in [k for k in self._entries if k[0] == session_id]:
                del self._entries[key]

    def put(self, session_id: str, user_id: str, event_id: int, snapshot: dict[str, Any]) -> None:
        with self._lock:
            self._entries[(session_id, user_id)] = _Entry(event_id, time.monotonic(), snapshot)
            self._entries.move_to_end((session_id, user_id))
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

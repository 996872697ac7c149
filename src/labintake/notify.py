"""The in-process doorbell: "something changed in session S, up to event N".

It carries no data; whoever is woken reads the event table. The PostgreSQL deployment
rings the same doorbell from LISTEN/NOTIFY.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable

Listener = Callable[[str, int], None]


class Doorbell:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[str, list[Listener]] = defaultdict(list)
        self._any: list[Listener] = []

    def subscribe(self, session_id: str | None, listener: Listener) -> Callable[[], None]:
        """Call ``listener(session_id, event_id)`` on every ring; returns the unsubscribe function."""
        with self._lock:
            bucket = self._any if session_id is None else self._listeners[session_id]
            bucket.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in bucket:
                    bucket.remove(listener)

        return unsubscribe

    def ring(self, session_id: str, event_id: int) -> None:
        with self._lock:
            listeners = [*self._listeners.get(session_id, ()), *self._any]
        for listener in listeners:
            listener(session_id, event_id)

    @property
    def listener_count(self) -> int:
        with self._lock:
            return len(self._any) + sum(len(v) for v in self._listeners.values())

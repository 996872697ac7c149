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

    def ring_all(self, events: list[tuple[str, int]]) -> None:
        for session_id, event_id in events:
            self.ring(session_id, event_id)

    def ring(self, session_id: str, event_id: int) -> None:
        with self._lock:
            listeners = [*self._listeners.get(session_id, ()), *self._any]
        for listener in listeners:
            listener(session_id, event_id)

    @property
    def listener_count(self) -> int:
        with self._lock:
            return len(self._any) + sum(len(v) for v in self._listeners.values())


class PgListener:
    """One LISTEN connection per process: PostgreSQL's NOTIFY rings the local doorbell.

    The trigger on ``session_events`` notifies ``labintake_events`` with
    ``"<session_id>:<event_id>"`` on commit, so an API replica wakes its push clients
    for events written by any worker. A lost connection is re-opened; clients catch up
    from the event table, so a missed notification only delays, never loses, an event.
    """

    CHANNEL = "labintake_events"

    def __init__(
        self, sqlalchemy_url: str, doorbell: Doorbell, *,
        on_connect: Callable[[], None] = lambda: None, on_disconnect: Callable[[], None] = lambda: None,
    ) -> None:
        from sqlalchemy.engine import make_url

        self.conninfo = make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.doorbell = doorbell
        self.on_connect = on_connect  # notifications may have been missed while disconnected
        self.on_disconnect = on_disconnect
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="labintake-listen", daemon=True)
        self.connected = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import logging

        import psycopg

        log = logging.getLogger(__name__)
        delay = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {self.CHANNEL}")
                    self.on_connect()
                    self.connected.set()
                    delay = 0.5
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            session_id, _, event_id = note.payload.rpartition(":")
                            if session_id and event_id.isdigit():
                                self.doorbell.ring(session_id, int(event_id))
            except psycopg.Error as exc:
                self.connected.clear()
                self.on_disconnect()
                log.warning("LISTEN connection lost (%s); reconnecting", type(exc).__name__)
                self._stop.wait(delay)
                delay = min(delay * 2, 10.0)

"""The in-process doorbell: "something changed in session S, up to event N".

It carries no data; whoever is woken reads the event table. This process's own commits
ring it; on PostgreSQL, LISTEN/NOTIFY rings it for every other process's; on SQLite, a
watcher that reads the event table once a second does.
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
        # Event ids of this process's commits, kept only while a SQLite watcher asks about them.
        self.track_local = False
        self._local: set[int] = set()

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
        """This process's commits (the database layer calls this after each one)."""
        if self.track_local:
            with self._lock:
                if len(self._local) > 100_000:  # the watcher has stopped asking: stay bounded
                    self._local.clear()
                self._local.update(event_id for _, event_id in events)
        for session_id, event_id in events:
            self.ring(session_id, event_id)

    def rung_here(self, event_ids: list[int]) -> set[int]:
        """Which of ``event_ids`` this process's commits have rung (and forget them)."""
        with self._lock:
            found = self._local.intersection(event_ids)
            # Nothing at or below the newest id asked about will be asked about again (an id
            # rung after the watcher already saw it would otherwise stay here for good).
            top = max(event_ids, default=0)
            self._local = {i for i in self._local if i > top}
            return found

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
    AUTH_CHANNEL = "labintake_auth"  # a revocation, disable or password change: drop cached credentials

    def __init__(
        self, sqlalchemy_url: str, doorbell: Doorbell, *,
        on_connect: Callable[[], None] = lambda: None, on_disconnect: Callable[[], None] = lambda: None,
        on_auth_change: Callable[[], None] = lambda: None,
    ) -> None:
        from labintake.db.engine import conninfo

        self.conninfo = conninfo(sqlalchemy_url)
        self.doorbell = doorbell
        self.on_connect = on_connect  # notifications may have been missed while disconnected
        self.on_disconnect = on_disconnect
        self.on_auth_change = on_auth_change
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
                    conn.execute(f"LISTEN {self.AUTH_CHANNEL}")
                    self.on_connect()
                    self.on_auth_change()  # changes made while disconnected were not heard
                    self.connected.set()
                    delay = 0.5
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            if note.channel == self.AUTH_CHANNEL:
                                self.on_auth_change()
                                continue
                            session_id, _, event_id = note.payload.rpartition(":")
                            if session_id and event_id.isdigit():
                                self.doorbell.ring(session_id, int(event_id))
            except psycopg.Error as exc:
                self.connected.clear()
                self.on_disconnect()
                log.warning("LISTEN connection lost (%s); reconnecting", type(exc).__name__)
                self._stop.wait(delay)
                delay = min(delay * 2, 10.0)


class SqliteWatcher:
    """Rings the doorbell for events other processes commit to the same SQLite file.

    SQLite has no LISTEN; without this, a ``labintake process`` or a second server writing
    the same database would reach this one's push clients only at their next heartbeat, and
    its cached progress only when the cache entry expired. Once a second it reads the ids of
    events newer than the last it saw (an indexed range, usually empty) and rings for those
    this process did not write itself.
    """

    def __init__(self, db, doorbell: Doorbell, *, interval: float = 1.0,
                 on_auth_epoch: Callable[[int], None] = lambda epoch: None) -> None:
        self.db = db
        self.doorbell = doorbell
        self.on_auth_epoch = on_auth_epoch  # the auth epoch, read on every look
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="labintake-sqlite-watch", daemon=True)
        self.seen = 0

    def start(self) -> None:
        from labintake.db import history

        self.doorbell.track_local = True
        with self.db.read(system=True) as s:
            self.seen = history.last_event_id_any(s)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.doorbell.track_local = False

    def check(self) -> int:
        """One look at the event table; returns how many events of other processes it rang for."""
        from labintake.db import history
        from labintake.db.users import auth_epoch

        with self.db.read(system=True) as s:
            rows = history.events_since(s, self.seen)
            epoch = auth_epoch(s)
        self.on_auth_epoch(epoch)
        if not rows:
            return 0
        self.seen = rows[-1].id
        ours = self.doorbell.rung_here([row.id for row in rows])
        theirs = [(row.session_id, row.id) for row in rows if row.id not in ours]
        for session_id, event_id in theirs:
            self.doorbell.ring(session_id, event_id)
        return len(theirs)

    def _run(self) -> None:
        import logging

        log = logging.getLogger(__name__)
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception as exc:  # noqa: BLE001 - a locked or missing file: try again next second
                log.warning("SQLite watcher: %s", type(exc).__name__)

"""Push feeds: the doorbell bridged into asyncio, and each session's recent events shared by
every stream of it in this process; ``follow`` turns them into batches of client messages.

The doorbell only says "something changed"; the event table says what. A connection
subscribes to the doorbell *first*, then replays events after the client's last id, then
sleeps until the bell rings and reads what is new: an event committed between the replay
and the wait rings a bell that is already being listened to, so nothing is missed.
Database reads run in the threadpool (``service.events``); the event loop only waits.

Ordering: every event of a session is written while its transaction holds the session's
summary row lock (the summary triggers take it), so per-session ids are in commit order
and "everything with id > N" is exactly what a client that saw N has missed.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

from labintake import metrics
from labintake.domain.clock import iso, utcnow
from labintake.domain.status import EventKind, FileStatus, SessionStatus
from labintake.notify import Doorbell
from labintake.service import LabIntake, events
from labintake.service.events import BATCH, SessionEnd, Stage


class Bell:
    """A doorbell subscription that wakes an asyncio task from any thread, remembers the
    highest event id it was rung for, and says when a heartbeat is due (every ``heartbeat``
    seconds).

    The heartbeat is one timer per stream, re-armed when it fires, not a timeout per wait: a
    stream woken a hundred times a minute would otherwise make (and cancel) a timer, a future
    and a task each time, which live long enough to reach the collector's older generations;
    with 10,000 streams the full collections they caused paused the server for a second."""

    def __init__(self, doorbell: Doorbell, session_id: str, heartbeat: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._rung = asyncio.Event()
        self._new = False  # rung since the last wait returned
        self._beat = False  # a heartbeat is due
        self.latest = 0
        self._heartbeat = heartbeat
        self._timer = self._loop.call_later(heartbeat, self._due)
        self._unsubscribe = doorbell.subscribe(session_id, self._ring)

    def _ring(self, _session_id: str, event_id: int) -> None:
        try:
            self._loop.call_soon_threadsafe(self._note, event_id)
        except RuntimeError:  # the loop has closed: the connection is gone
            pass

    def _note(self, event_id: int) -> None:
        self.latest = max(self.latest, event_id)
        self._new = True
        self._rung.set()

    def _due(self) -> None:
        self._beat = True
        self._rung.set()
        self._timer = self._loop.call_later(self._heartbeat, self._due)

    async def wait(self) -> bool:
        """True when rung, False when a heartbeat is due (a ring is answered first)."""
        if not (self._new or self._beat):
            await self._rung.wait()
        self._rung.clear()
        if self._new:
            self._new = False
            return True
        self._beat = False
        return False

    def close(self) -> None:
        self._unsubscribe()
        self._timer.cancel()


@dataclass(frozen=True, slots=True)
class Message:
    """An event as clients get it: its fields, and its JSON and SSE texts, made once however many
    streams send it."""

    data: dict[str, Any]
    json: str
    sse: str

    @classmethod
    def of(cls, data: dict[str, Any]) -> Message:
        text = json.dumps(data)
        head = f"id: {data['id']}\n" if data["id"] is not None else ""
        return cls(data, text, f"{head}event: {data['kind']}\ndata: {text}\n\n")


class SessionFeed:
    """The recent events of one session, shared by every stream of it in this process: a
    status change costs one read however many streams watch the session, each event is
    formatted once, and streams opening together (a thousand clients reconnecting after a
    restart) share the read they start with.

    Invariant: ``rows`` holds every event of the session with ``base < id <= upto``, in id
    order. It holds because a session's ids are in commit order (module docstring): once a
    read has returned event N, no event with a smaller id can commit later. So a stream rung
    for event E <= ``upto`` finds it here, and a read after ``upto`` is all that is new.
    ``end`` is the session's end as read just before the events of the latest read.
    """

    KEEP = 2000  # events kept in memory per watched session

    def __init__(self, session_id: str, user_id: str, after: int) -> None:
        self.session_id = session_id
        self.user_id = user_id
        self.base = self.upto = after
        self.rows: list[Any] = []
        self.end: SessionEnd = events.RUNNING
        self.streams = 0
        self._messages: dict[int, Message] = {}
        self._running: asyncio.Future[None] | None = None  # the read under way, if any
        self._started = self._finished = 0  # reads begun / the number of the latest one done
        self._begun_at = -math.inf  # when the latest finished read began (monotonic)
        self._done_at = -1
        self._done: SessionEnd = events.RUNNING

    async def open(self, li: LabIntake, after: int) -> tuple[list[Any], bool] | None:
        """What a stream whose bell is already listening starts with: the events after ``after``
        and whether the session is already over for this client (done, with nothing left to
        replay), from a read that began after this call (shared by the streams that ask while
        one is running); None if the session is not this user's."""
        if after < self.base:  # behind the window: a read of its own
            end, rows = await run_in_threadpool(events.first_page, li, self.session_id, self.user_id, after)
        else:
            wanted = self._started + 1  # any read numbered so begins after now
            await self._read(li, lambda: self._finished >= wanted)
            end, rows = self.end, self._window(after)
        if end.stage is Stage.GONE:
            return None
        return rows, not rows and end.stage is Stage.DONE

    async def after(self, li: LabIntake, after: int, rung_for: int) -> list[Any]:
        """The events after ``after`` up to at least ``rung_for`` (one shared read if needed)."""
        if after < self.base:  # behind the window (never for a live stream): a read of its own
            return await run_in_threadpool(events.read, li, self.session_id, self.user_id, after)
        await self._read(li, lambda: rung_for <= self.upto)
        return self._window(after)

    async def recent(self, li: LabIntake, after: int, max_age: float) -> tuple[SessionEnd, list[Any]]:
        """The session's end and the events after ``after`` from a read begun at most ``max_age``
        seconds ago (a heartbeat's check: a thousand quiet streams of a session share it)."""
        if after < self.base:  # behind the window: a read of its own
            return await run_in_threadpool(events.first_page, li, self.session_id, self.user_id, after)
        since = time.monotonic() - max_age
        await self._read(li, lambda: self._begun_at >= since)
        return self.end, self._window(after)

    async def _read(self, li: LabIntake, enough: Callable[[], bool]) -> None:
        """Read what is new unless ``enough()`` says the rows already answer (the first stream
        reads; the others find the rows here once its read is done)."""

        async def read() -> None:
            self._started += 1
            number, begun = self._started, time.monotonic()
            end, base, new = await run_in_threadpool(events.catch_up, li, self.session_id, self.user_id,
                                                     self.upto, self.KEEP)
            self.end = end
            if new:
                if base > self.upto:  # the read kept only the newest: the old rows are not contiguous
                    self.rows, self.base = new, base
                else:
                    self.rows.extend(new)
                self.upto = new[-1].id
                if len(self.rows) > self.KEEP:
                    dropped = len(self.rows) - self.KEEP
                    self.base = self.rows[dropped - 1].id
                    del self.rows[:dropped]
                if len(self._messages) > 2 * self.KEEP:
                    self._messages = {i: m for i, m in self._messages.items() if i > self.base}
            self._finished, self._begun_at = number, begun

        await self._one_at_a_time(enough, read)

    async def _one_at_a_time(self, enough: Callable[[], bool], work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work`` once unless ``enough()``, one run at a time: a caller that finds a run
        under way waits for it and checks again, and runs ``work`` itself (once) only if that
        run did not answer it. The callers waiting on a run are all woken when it ends (an
        asyncio.Lock wakes its waiters one by one, a turn of the event loop each: the hundredth
        stream of a session waited a hundred turns for rows that were already there)."""
        while not enough():
            running = self._running
            if running is not None:
                await asyncio.shield(running)  # a waiter cancelled (its client gone) leaves the run alone
                continue
            running = self._running = asyncio.get_running_loop().create_future()
            try:
                await work()
            finally:
                self._running = None
                running.set_result(None)
            return  # once: a read that cannot answer (the session deleted) is not repeated

    def _window(self, after: int) -> list[Any]:
        start = bisect.bisect_right(self.rows, after, key=lambda row: row.id)
        return self.rows[start:start + BATCH]

    def message(self, row: Any) -> Message:
        """The row as clients get it, made once for the streams of this feed."""
        if row.id <= self.base:  # a replay from before the window: not kept
            return Message.of(message(row, self.session_id))
        found = self._messages.get(row.id)
        if found is None:
            found = self._messages[row.id] = Message.of(message(row, self.session_id))
        return found

    async def done(self, li: LabIntake, after: int) -> SessionEnd:
        """``events.end_of`` for a stream that has seen every event up to ``after``, shared by the
        streams at the same point: an answer read once the feed held ``upto`` is still right
        for them (a later change rings the bell, and a Done is re-checked against the events)."""
        if after != self.upto:
            return await run_in_threadpool(events.end_of, li, self.session_id, self.user_id)
        async def read() -> None:
            at = self.upto
            self._done = await run_in_threadpool(events.end_of, li, self.session_id, self.user_id)
            self._done_at = at

        wanted = self.upto  # an answer read once the feed held this (or later) is right
        await self._one_at_a_time(lambda: self._done_at >= wanted, read)
        return self._done


class Feeds:
    """The process's shared session feeds, created with a session's first stream and dropped
    with its last."""

    def __init__(self) -> None:
        self._feeds: dict[tuple[str, str], SessionFeed] = {}

    def open(self, session_id: str, user_id: str, after: int) -> SessionFeed:
        feed = self._feeds.get((session_id, user_id))
        if feed is None:
            feed = self._feeds[(session_id, user_id)] = SessionFeed(session_id, user_id, after)
        feed.streams += 1
        return feed

    def close(self, feed: SessionFeed) -> None:
        feed.streams -= 1
        if feed.streams <= 0:
            self._feeds.pop((feed.session_id, feed.user_id), None)

    def watch(self, doorbell: Doorbell, session_id: str, user_id: str, after: int, heartbeat: float) -> Watch:
        """A stream's bell (listening from now: before its start is read) and its session's feed."""
        return Watch(self, Bell(doorbell, session_id, heartbeat), self.open(session_id, user_id, after))

    def __len__(self) -> int:
        return len(self._feeds)


class Watch:
    """What one stream holds while it follows a session; ``close`` releases it, once."""

    def __init__(self, feeds: Feeds, bell: Bell, feed: SessionFeed) -> None:
        self.bell = bell
        self.feed = feed
        self._feeds = feeds
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.bell.close()
            self._feeds.close(self.feed)


def is_final(row: Any) -> bool:
    return row.kind == EventKind.SESSION and row.status is not None and SessionStatus(row.status).is_terminal


def final_message(done: SessionEnd, session_id: str) -> Message:
    """The closing event when the session's own final event came before the stream's last one
    (e.g. every file was refused at upload, before the session was started). It has no id."""
    return Message.of({"id": None, "kind": EventKind.SESSION.value, "sessionId": session_id, "fileId": None,
                       "status": done.status, "progress": done.progress, "errorCode": None, "at": iso(utcnow())})


def message(row: Any, session_id: str) -> dict[str, Any]:
    """An event for clients: codes and numbers only (payloads may grow; only known keys pass)."""
    payload = row.payload or {}
    return {
        "id": row.id,
        "kind": row.kind,
        "sessionId": session_id,
        "fileId": row.file_id,
        "status": row.status,
        "progress": row.progress,
        "errorCode": payload.get("error_code"),
        "at": iso(row.created_at),
        **({"pagesDone": payload["pages_done"], "pagesTotal": payload.get("pages_total")}
           if "pages_done" in payload else {}),
    }


def _observe_latency(rows: list[Any]) -> None:
    now = utcnow()
    for row in rows:
        metrics.PUSH_SECONDS.observe(max(0.0, (now - row.created_at).total_seconds()))


async def follow(
    li: LabIntake, watch: Watch, after: int, rows: list[Any], heartbeat: float,
) -> AsyncIterator[list[Message] | None]:
    """Batches of event messages in id order (None: a heartbeat is due), for a stream whose
    bell was listening before ``rows`` (what ``SessionFeed.open`` answered) were read.

    Ends once the session is done: after its final ``session`` event, or with a closing
    event when that came earlier (see ``final_message``), or when the session is deleted.
    Replays behind the feed's window read directly; the rest comes through the feed.
    """
    feed, bell = watch.feed, watch.bell
    session_id, user_id = feed.session_id, feed.user_id
    while True:
        if rows:
            yield [feed.message(row) for row in rows]
            after = rows[-1].id
            if len(rows) == BATCH:  # more history to replay before waiting
                rows = await run_in_threadpool(events.read, li, session_id, user_id, after)
                continue
            last = rows[-1]
            if last.kind != EventKind.FILE or FileStatus(last.status).is_terminal:
                done = await feed.done(li, after)
                if done.stage is Stage.GONE:
                    return
                if done.stage is Stage.DONE:
                    if is_final(last):
                        return
                    # The summary was read after the events: the transaction that ended the
                    # session may have committed in between. Its events come first.
                    rows = await run_in_threadpool(events.read, li, session_id, user_id, after)
                    if rows:
                        continue
                    yield [final_message(done, session_id)]
                    return
        if await bell.wait():
            rows = await feed.after(li, after, bell.latest)
            _observe_latency(rows)
        else:
            # A heartbeat is due: was the session deleted, or was a bell missed? One read a
            # second answers every stream of the session whose heartbeat falls in it.
            end, rows = await feed.recent(li, after, max_age=min(1.0, heartbeat))
            if end.stage is Stage.GONE:
                return  # deleted while we were watching
            yield None
            if not rows and end.stage is Stage.DONE:
                yield [final_message(end, session_id)]
                return

"""The shared session feed behind push: many streams of one session, one read per change."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from labintake.db import transitions as tx
from labintake.domain.status import SessionState
from labintake.service import LabIntake, accounts, events, sessions
from labintake.service.events import Stage
from labintake.web import push
from labintake.web.feed import Feeds, SessionFeed
from tests.conftest import make_settings
from tests.fixtures.aio import run


@pytest.fixture
def li(tmp_path: Path, db_url: str) -> Iterator[LabIntake]:
    app = LabIntake(make_settings(tmp_path, db_url))
    yield app
    app.stop()


def write_events(li: LabIntake, session_id: str, user_id: str, n: int) -> list[int]:
    with li.db.transaction() as s:
        return [tx.add_event(s, session_id, user_id, "session_state", status=f"s{i}") for i in range(n)]


class EventReads:
    """Counts the statements that read the event table (a real listener on the real engine)."""

    def __init__(self, li: LabIntake) -> None:
        self.count = 0
        event.listen(li.db.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement: str, *args: object) -> None:  # type: ignore[no-untyped-def]
        if "FROM session_events" in statement:
            self.count += 1


def test_streams_of_one_session_share_one_read_per_change(li: LabIntake) -> None:
    """Given ten streams at the same point of a session, when three events commit and the bell
    rings for the last, then one read serves them all, and each gets exactly the new events in
    order; a stream already past some of them gets only the rest."""
    user = accounts.local_user_id(li)
    session_id = sessions.create(li, user).id
    before = write_events(li, session_id, user, 2)

    async def scenario() -> tuple[list[list[int]], list[int], int, list[int]]:
        feeds = Feeds()
        streams = [feeds.open(session_id, user, before[-1]) for _ in range(10)]
        assert len(feeds) == 1 and streams[0] is streams[-1]
        feed = streams[0]
        new = write_events(li, session_id, user, 3)
        reads = EventReads(li)
        got = await asyncio.gather(*(feed.after(li, before[-1], new[-1]) for _ in range(10)))
        ahead = await feed.after(li, new[0], new[-1])  # already had the first: served from memory
        shared_reads = reads.count
        for s in streams:
            feeds.close(s)
        assert len(feeds) == 0
        return [[row.id for row in rows] for rows in got], [row.id for row in ahead], shared_reads, new

    got, ahead, shared_reads, new = run(scenario())
    assert got == [new] * 10
    assert ahead == new[1:]
    assert shared_reads == 1


def test_streams_waiting_on_a_read_are_all_woken_when_it_ends(li: LabIntake) -> None:
    """Given fifty streams of a session rung for the same event, when the first one's read
    ends, then every stream has its rows within a couple of turns of the event loop: they wait
    for the read together, not for each other in turn (an asyncio.Lock hands over one waiter per
    turn, so the last waited fifty turns for rows that were already there)."""
    user = accounts.local_user_id(li)
    session_id = sessions.create(li, user).id
    start = write_events(li, session_id, user, 1)[-1]

    async def scenario() -> tuple[int, int]:
        feed = SessionFeed(session_id, user, start)
        new = write_events(li, session_id, user, 1)
        turns, finished_at = 0, []

        async def count_turns() -> None:
            nonlocal turns
            while True:
                await asyncio.sleep(0)
                turns += 1

        async def stream() -> None:
            await feed.after(li, start, new[-1])
            finished_at.append(turns)

        counter = asyncio.create_task(count_turns())
        await asyncio.gather(*(stream() for _ in range(50)))
        counter.cancel()
        return min(finished_at), max(finished_at)

    first, last = run(scenario())
    assert last - first <= 2


def test_a_waiting_stream_whose_client_leaves_does_not_cancel_the_read_for_the_others(li: LabIntake) -> None:
    user = accounts.local_user_id(li)
    session_id = sessions.create(li, user).id
    start = write_events(li, session_id, user, 1)[-1]

    async def scenario() -> tuple[list[list[int]], bool, list[int]]:
        feed = SessionFeed(session_id, user, start)
        new = write_events(li, session_id, user, 2)
        reader = asyncio.create_task(feed.after(li, start, new[-1]))
        await asyncio.sleep(0)  # the read is under way
        leaving, staying = (asyncio.create_task(feed.after(li, start, new[-1])) for _ in range(2))
        await asyncio.sleep(0)
        leaving.cancel()
        got = await asyncio.gather(reader, staying)
        return [[r.id for r in rows] for rows in got], leaving.cancelled(), new

    got, left, new = run(scenario())
    assert left and got == [new, new]


def test_streams_rung_for_an_event_no_read_finds_return_after_one_read_each(li: LabIntake) -> None:
    """Given streams rung for an event their read cannot find (the session deleted meanwhile),
    when they ask the feed for it, then each returns what there is after at most one read of
    its own: nobody reads again and again for an event that will not come."""
    user = accounts.local_user_id(li)
    session_id = sessions.create(li, user).id
    start = write_events(li, session_id, user, 1)[-1]

    async def scenario() -> tuple[list[list[Any]], int]:
        feed = SessionFeed(session_id, user, start)
        reads = EventReads(li)
        got = await asyncio.wait_for(asyncio.gather(*(feed.after(li, start, start + 1000) for _ in range(5))), 30)
        return list(got), reads.count

    got, count = run(scenario())
    assert got == [[]] * 5
    assert count <= 5


def test_a_stream_behind_the_window_reads_for_itself_and_misses_nothing(li: LabIntake) -> None:
    """Given a feed that keeps only a few events, a stream whose cursor fell behind what the feed
    still holds gets every event after its cursor from its own read, in order."""
    user = accounts.local_user_id(li)
    session_id = sessions.create(li, user).id
    start = write_events(li, session_id, user, 1)[-1]

    async def scenario() -> tuple[list[int], list[int], list[int]]:
        feed = SessionFeed(session_id, user, start)
        feed.KEEP = 3
        first = write_events(li, session_id, user, 5)
        await feed.after(li, start, first[-1])
        assert feed.base == first[1] and [r.id for r in feed.rows] == first[2:]
        behind = await feed.after(li, start, first[-1])
        more = write_events(li, session_id, user, 2)
        live = await feed.after(li, first[-1], more[-1])
        return [r.id for r in behind], [r.id for r in live], first + more

    behind, live, written = run(scenario())
    assert behind == written[:5]
    assert live == written[5:]


def test_a_stream_opening_behind_the_window_starts_from_one_read_of_its_own(li: LabIntake) -> None:
    """Given a feed that keeps only a few events, a stream opening (or checking on a heartbeat)
    with a cursor behind them gets the events after its cursor and the session's end from one
    read transaction of its own, not the feed's window."""
    user = accounts.local_user_id(li)
    session_id = sessions.create(li, user).id
    start = write_events(li, session_id, user, 1)[-1]

    async def scenario() -> tuple[list[int], bool, Stage, list[int], int, list[int]]:
        feed = SessionFeed(session_id, user, start)
        feed.KEEP = 3
        written = write_events(li, session_id, user, 5)
        await feed.after(li, start, written[-1])
        assert feed.base > start
        transactions = Transactions(li)
        opened = await feed.open(li, start)
        assert opened is not None
        end, rows = await feed.recent(li, start, 60.0)
        return [r.id for r in opened[0]], opened[1], end.stage, [r.id for r in rows], transactions.count, written

    opened, over, stage, recent, transactions, written = run(scenario())
    assert opened == written and not over
    assert stage is Stage.RUNNING and recent == written
    assert transactions == 2  # one each: the end and the events read together


class Transactions:
    """Counts the read transactions begun on the real engine."""

    def __init__(self, li: LabIntake) -> None:
        self.count = 0
        event.listen(li.db.engine, "begin", self._seen)

    def _seen(self, conn) -> None:  # type: ignore[no-untyped-def]
        self.count += 1


def test_done_is_read_once_for_streams_at_the_same_point(li: LabIntake) -> None:
    user = accounts.local_user_id(li)
    session_id = sessions.create(li, user).id
    at = write_events(li, session_id, user, 1)[-1]

    """Given five streams that have all seen the session up to the same event, asking whether it
    is done reads the database once, not five times."""
    async def scenario() -> tuple[list[object], list[str]]:
        feed = SessionFeed(session_id, user, at)
        statements: list[str] = []
        event.listen(li.db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        answers = await asyncio.gather(*(feed.done(li, at) for _ in range(5)))
        return answers, statements

    answers, statements = run(scenario())
    assert [a.stage for a in answers] == [Stage.RUNNING] * 5  # an open session is not done
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1  # the session's state; an open session needs nothing more


def test_streams_opening_together_share_their_first_read(li: LabIntake) -> None:
    """Given a session with history, when twenty streams open at once from the start, then
    each gets the whole history and the event table is read at most twice (the first read,
    and one begun after the others asked), not twenty times."""
    user = accounts.local_user_id(li)
    session_id = sessions.create(li, user).id
    history = write_events(li, session_id, user, 7)

    async def scenario() -> tuple[list[tuple[list[int], bool]], int]:
        feeds = Feeds()
        feed = feeds.open(session_id, user, 0)
        reads = EventReads(li)
        opened = await asyncio.gather(*(feed.open(li, 0) for _ in range(20)))
        return [([row.id for row in got[0]], got[1]) for got in opened if got is not None], reads.count

    opened, reads = run(scenario())
    assert opened == [(history, False)] * 20
    assert reads <= 2


def test_a_stream_opening_later_gets_what_committed_since_the_feeds_last_read(li: LabIntake) -> None:
    """Given a feed that has read a session, when an event commits and a new stream opens
    (its bell listening from now on, so that event never rings it), then the stream's start
    still holds the event: an opening stream waits for a read begun after it asked."""
    user = accounts.local_user_id(li)
    session_id = sessions.create(li, user).id
    first = write_events(li, session_id, user, 2)

    async def scenario() -> tuple[list[int], list[int]]:
        feed = SessionFeed(session_id, user, 0)
        earlier = await feed.open(li, 0)
        assert earlier is not None
        later_event = write_events(li, session_id, user, 1)
        later = await feed.open(li, first[-1])
        assert later is not None
        return [row.id for row in later[0]], later_event

    got, later_event = run(scenario())
    assert got == later_event


def test_a_finished_session_seen_to_its_end_opens_as_finished(li: LabIntake) -> None:
    """Given a session with no files that was cancelled, a stream that has seen its last event
    opens as finished (nothing left to say), and one from the start gets the events."""
    user = accounts.local_user_id(li)
    session_id = sessions.create(li, user).id
    sessions.set_state(li, session_id, user, SessionState.CANCELLED)
    every = [row.id for row in events.read(li, session_id, user, 0)]
    assert every  # the cancel is an event

    async def scenario() -> tuple[object, object]:
        feed = SessionFeed(session_id, user, 0)
        return await feed.open(li, every[-1]), await feed.open(li, 0)

    at_end, from_start = run(scenario())
    assert at_end == ([], True)
    assert from_start is not None and [row.id for row in from_start[0]] == every


def test_quiet_streams_share_their_heartbeat_check(li: LabIntake) -> None:
    """Given ten quiet streams of a session whose heartbeats fall within a second, their checks
    (deleted? a bell missed?) read the database once, and a missed event is found."""
    user = accounts.local_user_id(li)
    session_id = sessions.create(li, user).id
    start = write_events(li, session_id, user, 1)[-1]

    async def scenario() -> tuple[list[list[int]], int, list[int]]:
        feed = SessionFeed(session_id, user, start)
        missed = write_events(li, session_id, user, 2)  # no bell rang for these
        reads = EventReads(li)
        got = await asyncio.gather(*(feed.recent(li, start, max_age=1.0) for _ in range(10)))
        return [[row.id for row in rows] for _, rows in got], reads.count, missed

    got, reads, missed = run(scenario())
    assert got == [missed] * 10
    assert reads == 1


def test_an_event_is_formatted_once_for_every_stream(li: LabIntake) -> None:
    """The message a feed makes for an event is made once: every stream sends the same text."""
    user = accounts.local_user_id(li)
    session_id = sessions.create(li, user).id
    ids = write_events(li, session_id, user, 1)

    async def scenario() -> tuple[object, object, str]:
        feed = SessionFeed(session_id, user, 0)
        opened = await feed.open(li, 0)
        assert opened is not None
        row = opened[0][0]
        return feed.message(row), feed.message(row), feed.message(row).sse

    first, second, text = run(scenario())
    assert first is second
    assert text.startswith(f"id: {ids[0]}\nevent: session_state\ndata: {{") and text.endswith("}\n\n")


def test_a_stream_body_dropped_before_it_starts_still_releases_its_bell_and_feed(li: LabIntake) -> None:
    """Given a stream whose client left before the first chunk (its body is never iterated, so
    its ``finally`` never runs), when the body is dropped, then its doorbell subscription and
    its hold on the session's feed are released all the same; a body that ran releases them once."""
    user = accounts.local_user_id(li)
    session_id = sessions.create(li, user).id

    async def scenario() -> tuple[int, int, int, int]:
        feeds = Feeds()
        listening = li.doorbell.listener_count
        dropped = feeds.watch(li.doorbell, session_id, user, 0, 15.0)
        kept = feeds.watch(li.doorbell, session_id, user, 0, 15.0)
        body = push.sse_body(li, dropped, 0, [], 15.0)
        del body
        gc.collect()
        after_drop = (li.doorbell.listener_count - listening, kept.feed.streams)
        kept.close()
        kept.close()  # released once
        return *after_drop, li.doorbell.listener_count - listening, len(feeds)

    extra_listeners, streams, listeners_at_end, feeds_at_end = run(scenario())
    assert (extra_listeners, streams) == (1, 1)  # only the kept stream's
    assert (listeners_at_end, feeds_at_end) == (0, 0)

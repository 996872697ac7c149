"""The push stream's bell: rings from any thread, and a heartbeat on a clock of its own."""

from __future__ import annotations

import asyncio
import gc
import threading

from labintake.notify import Doorbell
from labintake.web.app import SERVING_GC_THRESHOLDS, freeze_startup_objects
from labintake.web.feed import Bell
from tests.fixtures.aio import run


def test_a_busy_stream_still_gets_its_heartbeats() -> None:
    """Given a stream rung every 20 ms, its heartbeats still come every 0.2 s: the heartbeat is
    a clock of the stream's own, not a timeout that every ring starts again."""

    async def scenario() -> tuple[int, int, int]:
        doorbell = Doorbell()
        bell = Bell(doorbell, "s1", heartbeat=0.2)
        stop = threading.Event()

        def ringer() -> None:
            n = 0
            while not stop.wait(0.02):
                n += 1
                doorbell.ring("s1", n)

        thread = threading.Thread(target=ringer)
        thread.start()
        rings = beats = 0
        loop = asyncio.get_running_loop()
        end = loop.time() + 1.0
        while loop.time() < end:
            if await bell.wait():
                rings += 1
            else:
                beats += 1
        stop.set()
        thread.join()
        bell.close()
        return rings, beats, doorbell.listener_count

    rings, beats, listeners = run(scenario())
    assert rings >= 10
    assert 3 <= beats <= 6
    assert listeners == 0  # closed: unsubscribed


def test_a_ring_and_a_due_heartbeat_are_both_answered_ring_first() -> None:
    async def scenario() -> list[bool]:
        doorbell = Doorbell()
        bell = Bell(doorbell, "s1", heartbeat=0.05)
        await asyncio.sleep(0.08)  # the heartbeat is due
        doorbell.ring("s1", 7)
        await asyncio.sleep(0)  # the ring reaches the loop
        got = [await bell.wait(), await bell.wait()]
        assert bell.latest == 7
        bell.close()
        return got

    assert run(scenario()) == [True, False]


def test_serving_sets_the_collector_for_many_open_streams() -> None:
    before = gc.get_threshold()
    try:
        freeze_startup_objects()
        assert gc.get_threshold() == SERVING_GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)

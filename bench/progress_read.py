"""Progress read: the trigger-maintained summary against aggregating the file rows on the fly.

Sessions of 5 files each are created with files spread over every status; the read is the
service's own ``session_progress``; the baseline is the same read computing the summary
from ``file_processing_status`` (what a naive implementation would do).
"""

from __future__ import annotations

import random
import time

from bench.common import Row, median, percentile, temp_app
from labintake.db import sessions as repo
from labintake.db import transitions as tx
from labintake.db.models import ProcessingSession
from labintake.db.progress import session_progress
from labintake.domain.status import FileStatus, SessionState

WALK = [FileStatus.DOWNLOADING, FileStatus.EXTRACTING, FileStatus.PARSING, FileStatus.SAVING,
        FileStatus.COMPLETED]


def _populate(li, sessions: int, files: int) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    user = li.local_user_id()
    ids = []
    with li.db.transaction() as s:
        for _ in range(sessions):
            session = repo.create_session(s, user)
            ids.append(session.id)
            for _ in range(files):
                _, fps = repo.add_file(s, session, repo.NewFile("0" * 64, "0" * 64, "r.pdf", "application/pdf", 1),
                                       max_retry_attempts=3)
                previous = FileStatus.PENDING
                for target in WALK[: rng.randint(0, len(WALK))]:
                    tx.transition(s, fps.id, previous, target)
                    previous = target
        s.execute(ProcessingSession.__table__.update().values(state=SessionState.RUNNING.value))
    return user, ids


def _read(li, session_id: str, user: str, use_summary: bool) -> dict:  # type: ignore[no-untyped-def,type-arg]
    with li.db.read() as s:
        return session_progress(s, session_id, user, use_summary=use_summary)


def _time(fn, ids: list[str], rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for i in range(rounds):
        sid = ids[i % len(ids)]
        t = time.perf_counter()
        fn(sid)
        out.append((time.perf_counter() - t) * 1000)
    return out


def run(quick: bool = False) -> list[Row]:
    rows = []
    for sessions in ((100,) if quick else (100, 1000)):
        li = temp_app(workers=1)
        try:
            user, ids = _populate(li, sessions, 5)
            rounds = 500 if quick else 2000
            # The database path alone (the API also keeps unchanged snapshots in memory; the HTTP
            # benchmark measures that).
            summary = _time(lambda sid: _read(li, sid, user, True), ids, rounds)
            baseline = _time(lambda sid: _read(li, sid, user, False), ids, rounds)
            label = f"{sessions} sessions × 5 files"
            rows.append(Row("progress read (database only)", f"p50, {label}", median(summary), "ms", median(baseline)))
            rows.append(Row("progress read (database only)", f"p99, {label}", percentile(summary, 99), "ms",
                            percentile(baseline, 99)))
        finally:
            li.stop()
    return rows

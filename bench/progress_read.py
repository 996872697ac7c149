"""Progress read, database only: the trigger-maintained summary row against aggregating the file
rows on the fly, for sessions of 5, 100 and 1,000 files.

The read is ``db.progress.progress_snapshot`` in one read transaction, in this process (no HTTP,
no cache); the baseline is the same read computing the summary from ``file_processing_status``
(what a naive implementation would do). The two alternate, three runs each: medians of the
runs' p50/p99, with the lowest–highest in brackets.
"""

from __future__ import annotations

import time
from functools import partial

from bench.common import Row, alternate, percentile, runs_row, temp_app
from bench.server import populate
from labintake.db.models import ProcessingSession
from labintake.db.progress import progress_snapshot
from labintake.service import LabIntake

# files a session -> sessions
SIZES = {5: 100, 100: 20, 1000: 2}


def _timed(li: LabIntake, ids: list[str], user: str, use_summary: bool, rounds: int) -> dict[str, float]:
    out = []
    for i in range(rounds):
        t = time.perf_counter()
        with li.db.read() as s:
            progress_snapshot(s, ids[i % len(ids)], user, use_summary=use_summary)
        out.append((time.perf_counter() - t) * 1000)
    return {"p50": percentile(out, 50), "p99": percentile(out, 99)}


def run(quick: bool = False) -> list[Row]:
    rows = []
    for files, sessions in SIZES.items():
        if quick and files == 100:
            continue
        li = temp_app(workers=1)
        try:
            _, ids = populate(li, sessions, files)
            with li.db.read(system=True) as s:
                user = s.get(ProcessingSession, ids[0]).user_id  # type: ignore[union-attr]
            rounds = max(20, (60 if quick else 400) * 5 // files)
            got = alternate({"summary": partial(_timed, li, ids, user, True, rounds),
                             "aggregate": partial(_timed, li, ids, user, False, rounds)}, 3)
            label = f"{sessions} sessions × {files} files"
            for p in ("p50", "p99"):
                rows.append(runs_row("progress read (database only) summary row vs aggregate", f"{p}, {label}",
                                     got["summary"][p], "ms", got["aggregate"][p]))
        finally:
            li.stop()
    return rows

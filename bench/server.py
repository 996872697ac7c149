"""A LabIntake API for the HTTP benchmarks: N sessions of F files, files changing status in the
background (a writer thread in the server, as the embedded executor's runners are), served by
uvicorn.

    python -m bench.server --data DIR --port P --sessions 100 [--files 5] [--churn 50]

How progress is answered can be switched while it runs, so every variant is measured on the
same process, data and writer, alternating: ``POST /bench/mode?read=summary|aggregate&cache=on|off``.
``read=aggregate`` computes the summary from the file rows on the fly instead of reading the
trigger-maintained row; ``cache=off`` sends every poll through the threadpool to the database
(the in-memory snapshots are neither read nor filled). Everything else is the real endpoint.

Writes DIR/bench.json ({"token", "sessions", "pid"}) once it is ready.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import threading
import time
from pathlib import Path

import uvicorn
from sqlalchemy import select

from labintake import auth
from labintake.db import sessions as repo
from labintake.db import transitions as tx
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.progress import progress_snapshot
from labintake.domain.status import NEXT_STAGE, FileStatus, SessionState
from labintake.service import LabIntake
from labintake.settings import Settings
from labintake.web import WebConfig, create_app, freeze_startup_objects


def populate(li: LabIntake, sessions: int, files: int, seed: int = 7) -> tuple[str, list[str]]:
    rng = random.Random(seed)
    with li.db.transaction() as s:
        user_id = auth.create_user(s, "bench@example.test", "bench password 1")
        token = auth.create_token(s, user_id, "bench")
    ids = []
    for start in range(0, sessions, 100):
        with li.db.transaction() as s:
            for _ in range(min(100, sessions - start)):
                session = repo.create_session(s, user_id)
                ids.append(session.id)
                for _ in range(files):
                    _, fps = repo.add_file(s, session, repo.NewFile("0" * 64, "0" * 64, "r.pdf", "application/pdf",
                                                                    1), max_retry_attempts=3)
                    status = FileStatus.PENDING
                    for _ in range(rng.randint(0, 3)):
                        tx.transition(s, fps.id, status, NEXT_STAGE[status])
                        status = NEXT_STAGE[status]
                repo.set_state(s, session.id, user_id, SessionState.RUNNING)
    return token, ids


def churn(li: LabIntake, per_second: float, stop: threading.Event, cycle: bool = False) -> None:
    """``per_second`` status changes a second, one session at a time (its files in turn, a stage
    each), so sessions also finish regularly: push and polling both see completions.

    With ``cycle`` no file ever completes: one in ``saving`` goes back to ``pending`` (as a
    retried file does), so the writer keeps going for as long as the benchmark runs."""
    rng = random.Random(11)
    with li.db.read() as s:
        rows = s.execute(select(FPS.session_id, FPS.id).order_by(FPS.created_at)).all()
    by_session: dict[str, list[str]] = {}
    for session_id, fps_id in rows:
        by_session.setdefault(session_id, []).append(fps_id)
    order = list(by_session)
    rng.shuffle(order)
    while True:
        for session_id in order:
            unfinished = list(by_session[session_id])
            rounds = 0
            while unfinished and not (cycle and rounds == 5):  # cycling: five stages, then the next session
                rounds += 1
                for fps_id in list(unfinished):
                    if stop.wait(1 / per_second):
                        return
                    with li.db.transaction() as s:
                        current = FileStatus(s.execute(select(FPS.status).where(FPS.id == fps_id)).scalar_one())
                        if cycle and current is FileStatus.SAVING:
                            moved = tx.transition(s, fps_id, current, FileStatus.PENDING, progress=0)
                        else:
                            moved = tx.transition(s, fps_id, current, NEXT_STAGE[current]) \
                                if current in NEXT_STAGE else None
                    if moved is None or moved.status is FileStatus.COMPLETED:
                        unfinished.remove(fps_id)
                    if moved:
                        li.doorbell.ring(moved.session_id, moved.event_id)
        if not cycle:
            return


def install_modes(li: LabIntake) -> dict[str, bool]:
    """Wrap the progress route's reads so ``/bench/mode`` can switch how they answer (the route
    looks its two read functions up when called: replacing them here changes every later poll)."""
    from labintake.web.api import sessions as route

    mode = {"summary": True, "cache": True}
    real_read, real_cached = route.read_progress, route.cached_progress

    def read(li: LabIntake, session_id: str, user_id: str, since: int | None = None):  # type: ignore[no-untyped-def]
        if mode["cache"] and mode["summary"]:
            return real_read(li, session_id, user_id, since)
        with li.db.read() as s:
            found = progress_snapshot(s, session_id, user_id, use_summary=mode["summary"], since=since)
        return found[1] if found else None

    def cached(li: LabIntake, session_id: str, user_id: str, since: int | None = None):  # type: ignore[no-untyped-def]
        return real_cached(li, session_id, user_id, since) if mode["cache"] and mode["summary"] else None

    route.read_progress = read
    route.cached_progress = cached
    return mode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--files", type=int, default=5)
    parser.add_argument("--churn", type=float, default=50.0, help="status changes per second")
    parser.add_argument("--cycle", action="store_true", help="files never complete: the writer never stops")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    li = LabIntake(Settings(data_dir=args.data, database_url=args.database_url, workers=1))
    mode = install_modes(li)
    token, ids = populate(li, args.sessions, args.files)
    stop = threading.Event()
    if args.churn > 0:
        threading.Thread(target=churn, args=(li, args.churn, stop, args.cycle), daemon=True).start()
    app = create_app(li, WebConfig(cookie_secure=False, heartbeat_seconds=15))

    @app.post("/bench/mode", include_in_schema=False)
    def set_mode(read: str = "summary", cache: str = "on") -> dict[str, str]:
        mode["summary"], mode["cache"] = read == "summary", cache == "on"
        return {"read": read, "cache": cache}

    (args.data / "bench.json").write_text(json.dumps({"token": token, "sessions": ids, "pid": os.getpid()}))
    freeze_startup_objects()  # as `labintake serve` does
    try:
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", lifespan="off",
                    ws="websockets-sansio", backlog=4096)  # the kernel's somaxconn here: streams open at once
    finally:
        stop.set()
        time.sleep(0.1)
        li.stop()


if __name__ == "__main__":
    main()

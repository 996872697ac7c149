"""A LabIntake API for the HTTP benchmarks: N sessions of 5 files, files changing status in the
background, served by uvicorn. ``--baseline`` answers progress by aggregating the file rows on
the fly instead of reading the trigger-maintained summary (the same endpoint otherwise).

    python -m bench.server --data DIR --port P --sessions 100 [--baseline] [--churn 50]

Writes DIR/bench.json ({"token", "sessions"}) once it is ready.
"""

from __future__ import annotations

import argparse
import json
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
from labintake.db.progress import session_progress
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


def churn(li: LabIntake, per_second: float, stop: threading.Event) -> None:
    """``per_second`` status changes a second, one session at a time (its files in turn, a stage
    each), so sessions also finish regularly: push and polling both see completions."""
    rng = random.Random(11)
    with li.db.read() as s:
        rows = s.execute(select(FPS.session_id, FPS.id).order_by(FPS.created_at)).all()
    by_session: dict[str, list[str]] = {}
    for session_id, fps_id in rows:
        by_session.setdefault(session_id, []).append(fps_id)
    order = list(by_session)
    rng.shuffle(order)
    for session_id in order:
        unfinished = list(by_session[session_id])
        while unfinished:
            for fps_id in list(unfinished):
                if stop.wait(1 / per_second):
                    return
                with li.db.transaction() as s:
                    current = FileStatus(s.execute(select(FPS.status).where(FPS.id == fps_id)).scalar_one())
                    moved = tx.transition(s, fps_id, current, NEXT_STAGE[current]) if current in NEXT_STAGE else None
                if moved is None or moved.status is FileStatus.COMPLETED:
                    unfinished.remove(fps_id)
                if moved:
                    li.doorbell.ring(moved.session_id, moved.event_id)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--files", type=int, default=5)
    parser.add_argument("--churn", type=float, default=50.0, help="status changes per second")
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    li = LabIntake(Settings(data_dir=args.data, database_url=args.database_url, workers=1))
    if args.baseline:
        def aggregate(session_id: str, user_id: str):  # type: ignore[no-untyped-def]
            with li.db.read() as s:
                return session_progress(s, session_id, user_id, use_summary=False)

        li.progress = aggregate  # type: ignore[method-assign]
    token, ids = populate(li, args.sessions, args.files)
    stop = threading.Event()
    if args.churn > 0:
        threading.Thread(target=churn, args=(li, args.churn, stop), daemon=True).start()
    (args.data / "bench.json").write_text(json.dumps({"token": token, "sessions": ids}))
    app = create_app(li, WebConfig(cookie_secure=False, heartbeat_seconds=15))
    freeze_startup_objects()  # as `labintake serve` does
    try:
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", lifespan="off",
                    ws="websockets-sansio")
    finally:
        stop.set()
        time.sleep(0.1)
        li.stop()


if __name__ == "__main__":
    main()

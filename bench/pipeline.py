"""Pipeline: seconds per page per format, files per minute, database writes per file (counted),
and the SQLite write lock each file holds (what bounds a single writer)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event

from bench.common import Row, median, temp_app
from labintake.domain.status import SessionStatus
from labintake.pipeline import runner
from labintake.service import accounts, progress, sessions
from tests.fixtures.reports import make_image_only_pdf, make_pdf, make_png, sample_report

# The seed document says "5–6 database writes per file"; the seed's code is not here to run,
# so that figure is a target we hold ourselves to, not a baseline measured in the same run.
SEED_WRITES_TARGET = "≤ 6 (the seed's documented 5–6; a target, not measured)"


def _per_page(quick: bool) -> list[Row]:
    from labintake.extract import extract_document, sniff_type
    from labintake.parse import parse_document

    report = sample_report()
    samples = {
        "digital PDF": make_pdf(report),
        "scan PNG 200 dpi": make_png(report),
        "image-only PDF": make_image_only_pdf(report),
    }
    rows = []
    for label, data in samples.items():
        runs = (3 if quick else 10) if "digital" in label else (1 if quick else 3)
        extract_document(data, sniff_type(data))  # warm-up: engine load is per worker, not per page
        times, inference = [], []
        for _ in range(runs):
            with _onnx_time() as spent:
                t = time.perf_counter()
                doc = extract_document(data, sniff_type(data))
                parse_document(doc)
                times.append((time.perf_counter() - t) / len(doc.pages))
            inference.append(spent[0] / len(doc.pages))
        rows.append(Row("pipeline", f"extract+parse, {label}", median(times), "s/page"))
        if label.startswith("scan"):
            # What no change of ours can go below: the detector's and recogniser's own runs.
            rows.append(Row("pipeline", f"  of which OCR model inference (ONNX runs), {label}",
                            median(inference), "s/page"))
    return rows


@contextmanager
def _onnx_time() -> Iterator[list[float]]:
    """Seconds spent inside onnxruntime's ``InferenceSession.run`` while the block runs."""
    import onnxruntime

    spent = [0.0]
    run = onnxruntime.InferenceSession.run

    def timed(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return run(self, *args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t

    onnxruntime.InferenceSession.run = timed  # type: ignore[method-assign]
    try:
        yield spent
    finally:
        onnxruntime.InferenceSession.run = run  # type: ignore[method-assign]


def _session(li, files: list[tuple[str, bytes]]) -> float:  # type: ignore[no-untyped-def]
    user = accounts.local_user_id(li)
    session_id = sessions.create(li, user).id
    folder = Path(li.settings.data_dir)
    for name, data in files:
        path = folder / name
        path.write_bytes(data)
        sessions.add_path(li, session_id, user, path)
    done = threading.Event()
    li.doorbell.subscribe(session_id, lambda *_: done.set())
    t = time.perf_counter()
    sessions.start(li, session_id, user)
    while True:
        status = progress.session_status(li, session_id)
        if status is not None and status.is_terminal:
            assert status is SessionStatus.COMPLETED, status
            return time.perf_counter() - t
        done.wait(0.5)
        done.clear()


def _throughput(quick: bool) -> list[Row]:
    pdf = make_pdf(sample_report())
    n = 20 if quick else 100
    rates = {}
    for workers in (1, None):
        li = temp_app(**({"workers": workers} if workers else {}))
        li.start_executor()
        try:
            # Warm the worker processes so process start-up is not billed to the files.
            _session(li, [("warm.pdf", pdf)])
            elapsed = _session(li, [(f"r{i}.pdf", pdf) for i in range(n)])
            rates[workers] = n / elapsed * 60
        finally:
            li.stop()
    return [Row("pipeline", f"files/min, {n} digital PDFs, default workers vs 1 worker",
                rates[None], "files/min", rates[1], lower_is_better=False)]


def _worker_peaks() -> list[int]:
    """Peak resident memory (VmHWM, bytes) of each worker process this process started."""
    me, peaks = str(os.getpid()), []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:  # the process ended while we looked
            continue
        if fields.get("PPid", "").strip() == me and "VmHWM" in fields:
            peaks.append(int(fields["VmHWM"].split()[0]) * 1024)
    return peaks


def _ocr_throughput(quick: bool) -> list[Row]:
    """Scanned pages per minute through the whole pipeline (upload to saved) with 1 worker
    process and with 2 (each then gets one core's OCR threads), and each worker's peak RSS."""
    png = make_png(sample_report())
    n = 4 if quick else 12
    rates, peaks = {}, {}
    for workers in (1, 2):
        li = temp_app(workers=workers, per_session_concurrency=workers)
        li.start_executor()
        try:
            # Warm every worker (engine load is per process, not per page).
            _session(li, [(f"warm{i}.png", png) for i in range(workers)])
            elapsed = _session(li, [(f"s{i}.png", png) for i in range(n)])
            rates[workers] = n / elapsed * 60
            peaks[workers] = max(_worker_peaks(), default=0)
        finally:
            li.stop()
    return [
        Row("pipeline", f"scanned pages/min, {n} 200-dpi PNG pages, 2 worker processes vs 1",
            rates[2], "pages/min", rates[1], lower_is_better=False),
        *(Row("pipeline", f"worker peak RSS after those pages, {w} worker process{'es' if w > 1 else ''} "
              "(the highest of them)", peaks[w] / 2**20, "MiB") for w in (1, 2)),
    ]


def _count_writes(n: int, coalesce: float) -> tuple[float, float, float]:
    """One session of ``n`` text PDFs with the runner's parse window set to ``coalesce``: write
    transactions and DML statements per file, and milliseconds per file the SQLite write lock
    was held (``BEGIN IMMEDIATE`` to ``COMMIT``: what a single writer spends on each file)."""
    pdf = make_pdf(sample_report())
    window = runner.COALESCE_SECONDS
    runner.COALESCE_SECONDS = coalesce
    li = temp_app()
    li.start_executor()
    try:
        _session(li, [("warm.pdf", pdf)])
        counts = {"commits": 0, "statements": 0, "held": 0.0}
        local = threading.local()

        @event.listens_for(li.db.engine, "begin")
        def _begin(conn):  # type: ignore[no-untyped-def]
            # After the engine's own listener: BEGIN IMMEDIATE has returned, the lock is ours.
            if not conn.get_execution_options().get("labintake_readonly", False):
                local.began = time.perf_counter()

        @event.listens_for(li.db.engine, "before_cursor_execute")
        def _count(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
            verb = statement.lstrip().split(" ", 1)[0].upper()
            if verb in ("INSERT", "UPDATE", "DELETE"):
                counts["statements"] += 1
                local.wrote = True

        @event.listens_for(li.db.engine, "commit")
        def _commit(conn):  # type: ignore[no-untyped-def]
            began = getattr(local, "began", None)
            if began is not None:
                counts["held"] += time.perf_counter() - began
                local.began = None
            if getattr(local, "wrote", False):
                counts["commits"] += 1
                local.wrote = False

        # Only the files' own work: session creation and start are per session, not per file.
        user = accounts.local_user_id(li)
        session_id = sessions.create(li, user).id
        folder = Path(li.settings.data_dir)
        before = dict(counts)
        for i in range(n):
            path = folder / f"w{i}.pdf"
            path.write_bytes(pdf)
            sessions.add_path(li, session_id, user, path)
        done = threading.Event()
        li.doorbell.subscribe(session_id, lambda *_: done.set())
        sessions.start(li, session_id, user)
        while not (progress.session_status(li, session_id) or SessionStatus.PENDING).is_terminal:
            done.wait(0.5)
            done.clear()
        time.sleep(0.2)
        assert progress.session_status(li, session_id) is SessionStatus.COMPLETED
        commits = (counts["commits"] - before["commits"] - 1) / n  # minus the start
        statements = (counts["statements"] - before["statements"]) / n
        held_ms = (counts["held"] - before["held"]) / n * 1000
    finally:
        li.stop()
        runner.COALESCE_SECONDS = window
    return commits, statements, held_ms


def _writes(quick: bool) -> list[Row]:
    """Writes per file on the happy path: a parse saved with its reading (the runner's default)
    against one transaction per transition (no parse window), same files, same run."""
    n = 10 if quick else 30
    grouped = _count_writes(n, runner.COALESCE_SECONDS)
    single = _count_writes(n, 0.0)
    return [
        Row("pipeline", f"write transactions per file (happy path, incl. upload), grouped vs one per transition; "
            f"target {SEED_WRITES_TARGET}", grouped[0], "", single[0]),
        Row("pipeline", "write statements per file (results rows are one statement)", grouped[1], "", single[1]),
        Row("pipeline", "SQLite write lock held per file (BEGIN IMMEDIATE → COMMIT), grouped vs one per transition",
            grouped[2], "ms", single[2]),
        Row("pipeline", "single-writer ceiling (60 s / lock held per file), grouped vs one per transition",
            60_000 / grouped[2], "files/min", 60_000 / single[2], lower_is_better=False),
    ]


def run(quick: bool = False) -> list[Row]:
    return [*_per_page(quick), *_throughput(quick), *_ocr_throughput(quick), *_writes(quick)]

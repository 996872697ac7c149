"""A 1,000-file session stays smooth: the longest main-thread task of the progress page during a
live update, measured in a Chromium performance trace, is at most 50 ms."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.fixtures.reports import make_pdf, sample_report
from tests.ui.conftest import ARTIFACTS, Served, shot
from tests.ui.test_browser import api_client

pytestmark = pytest.mark.slow

FILES = 1000
LIVE_EVENTS = 30  # status changes the page must apply while traced
BOUND_MS = 50.0
TASKS = {"RunTask", "ThreadControllerImpl::RunTask"}

# Every long task (> 50 ms of wall time) the browser reports, from before the page's scripts run.
LONG_TASKS = """
window.__longTasks = [];
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { window.__longTasks.push({ start: e.startTime, ms: e.duration }); });
  }).observe({ type: "longtask", buffered: true });
} catch (e) {}
"""

APPLIED = "() => Object.values(window.LIProgress.history()).reduce((n, h) => n + h.length, 0)"


def _big_session(server: Served) -> str:
    """1,000 distinct small PDFs in one session, uploaded over HTTP in batches, and started."""
    base = make_pdf(sample_report())
    with api_client(server) as client:
        csrf = {"X-CSRF-Token": client.get("/api/me").json()["csrfToken"]}
        sid = client.post("/api/sessions", json={"name": "a thousand"}, headers=csrf).json()["id"]
        for start in range(0, FILES, 100):
            batch = [("files", (f"r{i:04d}.pdf", base + f"\n% copy {i}\n".encode(), "application/pdf"))
                     for i in range(start, start + 100)]
            response = client.post(f"/api/sessions/{sid}/files", files=batch, headers=csrf, timeout=120)
            assert response.status_code == 200, response.text
        assert client.post(f"/api/sessions/{sid}/start", headers=csrf).status_code == 200
    return sid


def _main_thread_tasks(trace: bytes) -> list[tuple[float, float, str]]:
    """(wall ms, thread-CPU ms, what it did) of every task the renderer's main thread ran during
    the trace; "what it did" names the costliest events inside the task."""
    events = json.loads(trace)
    events = events["traceEvents"] if isinstance(events, dict) else events
    mains = {(e["pid"], e["tid"]) for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name" and e.get("args", {}).get("name") == "CrRendererMain"}
    on_main = [e for e in events if e.get("ph") == "X" and (e["pid"], e["tid"]) in mains and "dur" in e]
    tasks = [e for e in on_main if e.get("name") in TASKS]
    out = []
    for task in tasks:
        end = task["ts"] + task["dur"]
        inner = sorted((e for e in on_main if e is not task and task["ts"] <= e["ts"] < end),
                       key=lambda e: -e.get("tdur", e["dur"]))[:4] if task.get("tdur", task["dur"]) > 20_000 else []
        what = ", ".join(f"{e['name']} {e.get('tdur', e['dur']) / 1000:.0f} ms" for e in inner)
        out.append((task["dur"] / 1000, task.get("tdur", task["dur"]) / 1000, what))
    return out


def test_the_longest_main_thread_task_during_a_live_update_of_1000_rows_is_at_most_50_ms(
    browser: Any, page: Any, server: Served
) -> None:
    """Given a running session of 1,000 files on the progress page, when live updates arrive
    (at least 30 status changes applied from the push stream), then no task on the page's main
    thread took more than 50 ms of its CPU (the Chromium trace's thread time: what the page
    itself costs, whatever else this shared machine runs), the page shows 1,000 files in pages
    of rows, and the count it shows is the server's."""
    sid = _big_session(server)
    try:
        page.context.add_init_script(LONG_TASKS)
        page.goto(f"/sessions/{sid}?stay=1")
        page.wait_for_function("() => window.LIProgress && window.LIProgress.transport() === 'sse'", timeout=30_000)
        assert page.locator("[data-testid=file-row]").count() <= 50  # paged: never 1,000 rows in the DOM
        start_applied = page.evaluate(APPLIED)
        since = page.evaluate("() => performance.now()")
        browser.start_tracing(page=page, categories=["devtools.timeline", "disabled-by-default-devtools.timeline",
                                                     "toplevel"])
        try:
            page.wait_for_function(f"() => ({APPLIED})() >= {start_applied + LIVE_EVENTS}", timeout=240_000)
        finally:
            trace = browser.stop_tracing()
        applied = page.evaluate(APPLIED) - start_applied
        long_tasks = page.evaluate(f"() => window.__longTasks.filter(t => t.start >= {since})")
        tasks = _main_thread_tasks(trace)
        shot(page, "progress-1000-files")
        assert len(tasks) > LIVE_EVENTS / 3, f"the trace holds too few main-thread tasks: {len(tasks)}"
        longest_wall, longest_cpu, inside = max(tasks, key=lambda t: t[1])
        print(f"1000 rows: {applied} live updates, {len(tasks)} main-thread tasks, longest {longest_cpu:.1f} ms "
              f"CPU ({longest_wall:.1f} ms wall: {inside}); long tasks observed (wall): {len(long_tasks)}")
        if longest_cpu > BOUND_MS:
            (ARTIFACTS / "progress-1000-files.trace.json").write_bytes(trace)
        assert longest_cpu <= BOUND_MS, (longest_cpu, longest_wall, inside, long_tasks)
        assert page.text_content("[data-testid=count-text]").endswith(f"of {FILES} files completed")
        assert page.text_content("#page-text").endswith(f"({FILES} files)")
    finally:
        with api_client(server) as client:  # the rest of the session is not run: the machine is shared
            client.timeout = httpx.Timeout(180)
            csrf = {"X-CSRF-Token": client.get("/api/me").json()["csrfToken"]}
            client.post(f"/api/sessions/{sid}/cancel", headers=csrf)

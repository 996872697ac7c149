"""/metrics after a real session: the counters and histograms moved by exactly what happened."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.api.conftest import Api, new_session, wait_finished
from tests.fixtures.reports import corrupt_pdf_bytes, make_pdf, sample_report


def scrape(api: Api) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    client = api.anonymous()
    text = client.get("/metrics").text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def delta(before: dict, after: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


def test_a_session_moves_the_metrics_by_what_happened(api: Api) -> None:
    """Given 2 digital PDFs and a corrupt one, when the session runs and is polled 3 times, then
    /metrics shows +2 completed PDFs, +1 failed PDF with its code, +2 end-to-end observations,
    one observation per stage left by each completed file, and +3 progress reads."""
    _, client = api.user("metrics@example.test")
    pdf = make_pdf(sample_report())
    before = scrape(api)
    session_id, _ = new_session(client, [("a.pdf", pdf), ("b.pdf", pdf + b"\n% b\n"), ("bad.pdf", corrupt_pdf_bytes())])
    client.post(f"/api/sessions/{session_id}/start")
    final, snaps = wait_finished(client, session_id)
    assert final["summary"]["completed_files"] == 2 and final["summary"]["failed_files"] == 1
    after = scrape(api)
    assert delta(before, after, "labintake_files_finished_total", status="completed", file_type="pdf") == 2
    assert delta(before, after, "labintake_files_finished_total", status="failed", file_type="pdf") == 1
    assert delta(before, after, "labintake_file_failures_total", error_code="corrupt_pdf") == 1
    assert delta(before, after, "labintake_file_processing_seconds_count", file_type="pdf") == 2
    for stage in ("downloading", "extracting", "parsing", "saving"):
        assert delta(before, after, "labintake_stage_duration_seconds_count", stage=stage, file_type="pdf") == 2
    assert delta(before, after, "labintake_progress_requests_total") == len(snaps)
    assert delta(before, after, "labintake_progress_request_seconds_count") == len(snaps)


def test_open_push_streams_are_counted(api: Api) -> None:
    """While an SSE stream is open the gauge is one higher; after the client leaves, back down."""
    import threading
    import time

    _, client = api.user("gauge@example.test")
    session_id, _ = new_session(client)  # never started: the stream stays open
    key = ("labintake_push_connections", frozenset({("transport", "sse")}))
    before = scrape(api).get(key, 0.0)
    opened, leave = threading.Event(), threading.Event()

    def listen() -> None:
        with client.stream("GET", f"/api/sessions/{session_id}/events") as response:
            for _ in response.iter_lines():
                opened.set()
                if leave.is_set():
                    return

    reader = threading.Thread(target=listen)
    reader.start()
    assert opened.wait(10)
    assert scrape(api)[key] == before + 1
    leave.set()
    reader.join(timeout=30)  # ends at the next heartbeat (0.5 s in these tests)
    deadline = time.monotonic() + 10
    while scrape(api)[key] != before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert scrape(api)[key] == before

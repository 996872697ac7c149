"""Whole sessions through real HTTP: uploads, progress polling and SSE, results (issue 4, must show)."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest

from tests.api.conftest import HAPPY, Api, SseEvent, max_running, new_session, paths, read_sse, wait_finished
from tests.fixtures.reports import corrupt_png_bytes, make_pdf, make_png, sample_report
from tests.integration.helpers import events as event_rows


def _report(n: int):  # type: ignore[no-untyped-def]
    """The sample report with its own MRN, so every generated file has different bytes."""
    return dataclasses.replace(sample_report(), mrn=f"00012{n}")


@pytest.fixture(scope="module")
def five_files() -> list[tuple[str, bytes]]:
    # Small PNGs keep OCR to a few seconds each on a 2-core machine.
    return [
        ("scan-1.png", make_png(_report(1), dpi=100)),
        ("scan-2.png", make_png(_report(2), dpi=100)),
        ("scan-3.png", make_png(_report(3), dpi=100)),
        ("report-1.pdf", make_pdf(_report(4))),
        ("report-2.pdf", make_pdf(_report(5))),
    ]


def _follow(client, session_id: str, out: list[SseEvent]) -> threading.Thread:  # type: ignore[no-untyped-def]
    def run() -> None:
        got, _, status = read_sse(client, session_id)
        assert status == 200
        out.extend(got)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.slow
def test_five_mixed_files_through_poll_and_sse(api: Api, five_files: list[tuple[str, bytes]]) -> None:
    """Given 3 PNG scans and 2 digital PDFs uploaded in one request, when the session runs while a
    client follows SSE and another polls progress, then every file walks pending → downloading →
    extracting → parsing → saving → completed, never more than 3 run at once, the stream ends with
    the session's final event and equals the event table, and every file has a result."""
    _, client = api.user("e2e-five@example.org")
    session_id, uploaded = new_session(client, five_files)
    assert [u["status"] for u in uploaded] == ["pending"] * 5
    streamed: list[SseEvent] = []
    follower = _follow(client, session_id, streamed)
    assert client.post(f"/api/sessions/{session_id}/start").json()["state"] == "running"

    final, snaps = wait_finished(client, session_id)
    follower.join(60)
    assert not follower.is_alive(), "the SSE stream did not end after the final event"

    assert final["summary"] == {
        "total_files": 5, "completed_files": 5, "failed_files": 0, "processing_files": 0,
        "pending_files": 0, "overall_progress": 100, "session_status": "completed",
    }
    assert all(s["summary"]["processing_files"] <= 3 for s in snaps)
    assert {f["fileName"] for f in final["files"]} == {name for name, _ in five_files}
    assert all(f["status"] == "completed" and f["progress"] == 100 and f["processingTime"] for f in final["files"])

    table = event_rows(api.li, session_id)
    assert [e.id for e in streamed] == [row.id for row in table]
    data = [e.data for e in streamed]
    assert all(e.event == e.data["kind"] for e in streamed)
    assert set(paths(data)) == {u["fileId"] for u in uploaded}
    assert all(p == HAPPY for p in paths(data).values()), paths(data)
    assert 2 <= max_running(data) <= 3
    assert streamed[-1].event == "session" and streamed[-1].data["status"] == "completed"
    assert not any("Traceback" in str(e.data) for e in streamed)

    for f in final["files"]:
        result = client.get(f"/api/files/{f['fileId']}/result")
        assert result.status_code == 200
        body = result.json()
        assert body["patient"]["mrn"] and len(body["results"]) >= 10
    fhir = client.get(f"/api/files/{final['files'][0]['fileId']}/result", params={"format": "fhir"})
    assert fhir.headers["content-type"].startswith("application/fhir+json")
    bundle = fhir.json()
    assert bundle["resourceType"] == "Bundle"
    assert {e["resource"]["resourceType"] for e in bundle["entry"]} == {"Patient", "DiagnosticReport", "Observation"}
    csv = client.get(f"/api/files/{final['files'][0]['fileId']}/result", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.count("\n") >= 11
    results = client.get(f"/api/sessions/{session_id}/results").json()
    assert len(results["files"]) == 5 and all(f["result"] for f in results["files"])
    # The seed's own path answers the same.
    seed = client.get("/functions/v1/get-processing-progress", params={"sessionId": session_id}).json()
    assert seed["summary"] == final["summary"] and seed["files"] == final["files"]


@pytest.mark.slow
def test_seed_test_three_corrupt_image_and_two_valid(api: Api) -> None:
    """The seed's test 3: one corrupt image and two valid PNGs → 2 completed, 1 failed with a
    message, session partial, overall_progress 66 (floor, as DESIGN §2 defines)."""
    _, client = api.user("e2e-seed3@example.org")
    session_id, uploaded = new_session(client, [
        ("good-1.png", make_png(_report(6), dpi=100)),
        ("broken.png", corrupt_png_bytes()),
        ("good-2.png", make_png(_report(7), dpi=90)),
    ])
    client.post(f"/api/sessions/{session_id}/start")
    final, _ = wait_finished(client, session_id)
    assert final["summary"] == {
        "total_files": 3, "completed_files": 2, "failed_files": 1, "processing_files": 0,
        "pending_files": 0, "overall_progress": 66, "session_status": "partial",
    }
    broken = next(f for f in final["files"] if f["fileName"] == "broken.png")
    assert broken["status"] == "failed" and broken["errorCode"] == "image_unreadable"
    assert broken["error"] and "Traceback" not in broken["error"]
    others = [f for f in final["files"] if f["fileName"] != "broken.png"]
    assert all(f["status"] == "completed" for f in others)
    # The stream of a finished session replays everything and closes after the final event.
    streamed, _, status = read_sse(client, session_id)
    assert status == 200 and streamed[-1].data["status"] == "partial"
    assert [e.id for e in streamed] == [row.id for row in event_rows(api.li, session_id)]
    failed_path = paths([e.data for e in streamed])[broken["fileId"]]
    assert failed_path[-1] == "failed"
    error_events: list[dict[str, Any]] = [e.data for e in streamed if e.data["status"] == "failed"]
    assert error_events[0]["errorCode"] == "image_unreadable"

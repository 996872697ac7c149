"""A session's own deadline (`POST /api/sessions` `timeoutSeconds`) over real HTTP, on the
embedded executor (SQLite) and on procrastinate (PostgreSQL).

The file that must still be running at the deadline never finishes: its worker hangs on a
planted fault (``LABINTAKE_TEST_FAULT``, honoured only under pytest), so nothing depends on
how fast OCR is here."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from tests.api.conftest import Api, new_session, upload, wait_finished
from tests.fixtures.reports import make_pdf, sample_report
from tests.integration.helpers import deadline_passes_now

HANG = "NEVER-ENDS"


@pytest.fixture(scope="module", autouse=True)
def _planted_hang() -> Iterator[None]:
    """Set before the module's server (and its worker processes) start."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LABINTAKE_TEST_FAULT", f"hang:{HANG}")
        yield


def wait_for(client: httpx.Client, session_id: str, predicate, timeout: float = 120) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate(client.get(f"/api/sessions/{session_id}/progress").json()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("value", [0, 0.5, -3, 7 * 24 * 3600 + 1, "soon", True])
def test_a_bad_timeout_is_refused_with_422(api: Api, value: object) -> None:
    _, client = api.user(f"bad-timeout-{value}@example.test".replace(" ", ""))
    response = client.post("/api/sessions", json={"name": "x", "timeoutSeconds": value})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation"


def test_the_session_deadline_stops_unfinished_files_and_keeps_completed_results(api: Api) -> None:
    """Given a session created with its own timeoutSeconds (the setting has no deadline), two
    digital reports and one file that never finishes, when its deadline passes after the reports
    completed, then they keep their results, the other ends `timeout` with `session_timeout` and
    a message saying what to do, and the session ends `timeout` reporting its own threshold."""
    assert api.li.settings.session_timeout_seconds is None
    _, client = api.user("deadline@example.test")
    response = client.post("/api/sessions", json={"name": "deadline", "timeoutSeconds": 600})
    assert response.status_code == 201, response.text
    session_id = response.json()["id"]
    pdf = make_pdf(sample_report())
    upload(client, session_id, [("a.pdf", pdf), ("b.pdf", pdf + b"\n% b\n"), ("stuck.pdf", pdf + f"\n% {HANG}\n".encode())])
    assert client.post(f"/api/sessions/{session_id}/start").status_code == 200
    wait_for(client, session_id, lambda p: p["summary"]["completed_files"] == 2)
    deadline_passes_now(api.li, session_id)  # the test decides when, whatever the machine's speed
    final, _ = wait_finished(client, session_id)
    by_name = {f["fileName"]: f for f in final["files"]}
    assert by_name["a.pdf"]["status"] == by_name["b.pdf"]["status"] == "completed"
    stuck = by_name["stuck.pdf"]
    assert (stuck["status"], stuck["errorCode"], stuck["isRetryable"]) == ("timeout", "session_timeout", True)
    assert "deadline" in stuck["error"] and "Retry" in stuck["error"]
    summary = final["summary"]
    assert (summary["session_status"], summary["completed_files"], summary["failed_files"]) == ("timeout", 2, 1)
    results = client.get(f"/api/sessions/{session_id}/results").json()
    kept = {f["fileName"]: f["result"] for f in results["files"]}
    assert kept["a.pdf"] and kept["b.pdf"] and kept["stuck.pdf"] is None
    with api.li.db.read(system=True) as s:
        threshold = s.execute(text("SELECT timeout_threshold_ms FROM session_processing_summary "
                                   "WHERE session_id = :id"), {"id": session_id}).scalar_one()
    assert threshold == 600_000


def test_a_session_without_its_own_timeout_has_no_deadline_when_the_setting_has_none(api: Api) -> None:
    _, client = api.user("no-deadline@example.test")
    session_id, _ = new_session(client, [("a.pdf", make_pdf(sample_report()))])
    client.post(f"/api/sessions/{session_id}/start")
    final, _ = wait_finished(client, session_id)
    assert final["summary"]["session_status"] == "completed"

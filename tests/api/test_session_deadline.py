"""A session's own deadline (`POST /api/sessions` `timeoutSeconds`) over real HTTP, on the
embedded executor (SQLite) and on procrastinate (PostgreSQL).

The file that must still be running at the deadline never finishes: its worker hangs on a
planted fault (``LABINTAKE_TEST_FAULT``, honoured only under pytest), so nothing depends on
how fast OCR is here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import Api, new_session, upload, wait_finished
from tests.fixtures.reports import make_pdf, sample_report

HANG = "NEVER-ENDS"


@pytest.fixture(scope="module", autouse=True)
def _planted_hang() -> Iterator[None]:
    """Set before the module's server (and its worker processes) start."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LABINTAKE_TEST_FAULT", f"hang:{HANG}")
        yield


@pytest.mark.parametrize("value", [0, 0.5, -3, 7 * 24 * 3600 + 1, "soon", True])
def test_a_bad_timeout_is_refused_with_422(api: Api, value: object) -> None:
    _, client = api.user(f"bad-timeout-{value}@example.test".replace(" ", ""))
    response = client.post("/api/sessions", json={"name": "x", "timeoutSeconds": value})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation"


def test_the_session_deadline_stops_unfinished_files_and_keeps_completed_results(api: Api) -> None:
    """Given a session created with timeoutSeconds=4 (the setting has no deadline), two digital
    reports and one file that never finishes, when it runs past its deadline, then the two
    reports are completed with their results, the other ends `timeout` with `session_timeout` and
    a message saying what to do, and the session ends `timeout`."""
    executor = api.li.executor
    assert executor is not None and api.li.settings.session_timeout_seconds is None
    for worker in executor._workers:
        worker.wait_ready(120)  # warm: the clock starts at the session's start
    _, client = api.user("deadline@example.test")
    response = client.post("/api/sessions", json={"name": "deadline", "timeoutSeconds": 4})
    assert response.status_code == 201, response.text
    session_id = response.json()["id"]
    pdf = make_pdf(sample_report())
    upload(client, session_id, [("a.pdf", pdf), ("b.pdf", pdf + b"\n% b\n"), ("stuck.pdf", pdf + f"\n% {HANG}\n".encode())])
    assert client.post(f"/api/sessions/{session_id}/start").status_code == 200
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


def test_a_session_without_its_own_timeout_has_no_deadline_when_the_setting_has_none(api: Api) -> None:
    _, client = api.user("no-deadline@example.test")
    session_id, _ = new_session(client, [("a.pdf", make_pdf(sample_report()))])
    client.post(f"/api/sessions/{session_id}/start")
    final, _ = wait_finished(client, session_id)
    assert final["summary"]["session_status"] == "completed"

"""The session deadline on the live page: orange, with the seed's explanation (what stopped,
and that what finished is kept)."""

from __future__ import annotations

import time
from typing import Any

from tests.fixtures.reports import make_pdf
from tests.ui.conftest import NEVER_ENDS, report

ORANGE = "rgb(234, 88, 12)"  # --timeout in the light theme


def _api(page: Any, method: str, path: str, **kwargs: Any) -> Any:
    csrf = page.request.get("/api/me").json()["csrfToken"]
    response = page.request.fetch(path, method=method, headers={"X-CSRF-Token": csrf}, **kwargs)
    assert response.ok, response.text()
    return response.json()


def _session(page: Any, files: list[tuple[str, bytes]], **body: Any) -> str:
    """A session made through the API the page uses (the upload page sets no deadline), started."""
    sid = _api(page, "POST", "/api/sessions", data={"name": "deadline", **body})["id"]
    for name, blob in files:
        _api(page, "POST", f"/api/sessions/{sid}/files",
             multipart={"files": {"name": name, "mimeType": "application/pdf", "buffer": blob}})
    _api(page, "POST", f"/api/sessions/{sid}/start")
    return sid


def _wait_terminal(page: Any, sid: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        progress = page.request.get(f"/api/sessions/{sid}/progress").json()
        if progress["summary"]["session_status"] in ("completed", "partial", "failed", "timeout", "cancelled"):
            return progress  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, progress
        time.sleep(0.2)


def test_a_session_past_its_deadline_is_orange_and_says_what_was_kept(page: Any) -> None:
    """Given a session created with its own 10 s deadline, one digital report and one file that
    never finishes, when the deadline passes, then the page shows the session `timeout` in
    orange, explains that the time limit stopped the rest and that the completed file's results
    are kept, and offers to retry the stopped file."""
    pdf = make_pdf(report(1))
    warm = _session(page, [("warm.pdf", pdf + b"\n% warm\n")])  # the workers are up before the clock runs
    assert _wait_terminal(page, warm)["summary"]["session_status"] == "completed"
    sid = _session(page, [("done.pdf", pdf), ("stuck.pdf", pdf + f"\n% {NEVER_ENDS}\n".encode())], timeoutSeconds=10)
    page.goto(f"/sessions/{sid}")
    box = page.locator("[data-testid=completion]")
    box.wait_for(state="visible", timeout=120_000)
    assert "timeout" in (box.get_attribute("class") or "")
    assert page.text_content("[data-testid=session-status]") == "Stopped at its deadline"  # domain.labels
    heading = box.locator("h2")
    assert heading.text_content().strip() == "Stopped: time limit reached"
    assert heading.evaluate("e => getComputedStyle(e).color") == ORANGE
    assert box.evaluate("e => getComputedStyle(e).borderTopColor") == ORANGE
    assert page.locator("[data-testid=session-status]").evaluate("e => getComputedStyle(e).color") == ORANGE
    text = page.text_content("[data-testid=timeout-text]") or ""
    assert "time limit of 10 seconds" in text and "1 file was completed before it" in text, text
    assert "saved" in text and "Retry the stopped files" in text, text
    assert box.locator("[data-retry]").count() == 1
    rows = {r.locator(".name").text_content(): r.get_attribute("data-status")
            for r in page.locator("[data-testid=file-row]").all()}
    assert rows == {"done.pdf": "completed", "stuck.pdf": "timeout"}

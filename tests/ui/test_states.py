"""Honest states in the browser: retry only where it helps (replace or remove otherwise), files
removed before they start, rows that hold still while the server cannot be reached, files
handed back after an interruption, and the heading at the end. Each test states given / when / then."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.fixtures.reports import corrupt_pdf_bytes, make_pdf, make_png
from tests.ui.conftest import Served, report, shot, upload_and_process
from tests.ui.test_browser import api_client, rows, wait_done

pytestmark = pytest.mark.slow


def _open_session(client: httpx.Client, named: list[tuple[str, bytes]]) -> tuple[str, dict[str, str]]:
    """A session with these files, not started: (session id, file name -> fileId)."""
    csrf = {"X-CSRF-Token": client.get("/api/me").json()["csrfToken"]}
    sid = client.post("/api/sessions", json={"name": "states"}, headers=csrf).json()["id"]
    out = client.post(f"/api/sessions/{sid}/files", headers=csrf,
                      files=[("files", (name, blob, "application/octet-stream")) for name, blob in named])
    assert out.status_code == 200, out.text
    return sid, {f["fileName"]: f["fileId"] for f in out.json()["files"]}


def test_remove_before_start_and_replace_a_file_retry_cannot_fix(page: Any, server: Served, files: Any) -> None:
    """Given a session not started, with two PDFs and a damaged one, when a waiting file is
    removed, then its row and count go; the damaged file offers Replace and Remove, not Retry;
    when a good copy replaces it and the session starts, then all finish and the heading says so."""
    with api_client(server) as client:
        sid, ids = _open_session(client, [("keep.pdf", make_pdf(report(90))), ("drop.pdf", make_pdf(report(91))),
                                          ("damaged.pdf", corrupt_pdf_bytes())])
    page.goto(f"/sessions/{sid}?stay=1")
    assert page.text_content("[data-testid=heading]") == "Not started"
    damaged = page.locator("[data-testid=file-row]", has_text="damaged.pdf")
    assert damaged.locator("[data-testid=retry]").count() == 0
    assert damaged.locator("[data-testid=replace]").is_visible()
    assert "damaged" in damaged.locator("[data-testid=error]").text_content()
    page.locator("[data-testid=file-row]", has_text="drop.pdf").locator("[data-testid=remove]").click()
    page.wait_for_selector("[data-testid=file-row]:has-text('drop.pdf')", state="detached")
    assert page.text_content("[data-testid=count-text]") == "0 of 2 files completed"
    shot(page, "progress-replace")

    with page.expect_file_chooser() as chooser:
        damaged.locator("[data-testid=replace]").click()
    chooser.value.set_files(files(("repaired.pdf", make_pdf(report(92))))[0])
    page.wait_for_selector("[data-testid=file-row][data-status=pending]:has-text('repaired.pdf')")
    assert page.locator("[data-testid=file-row]").count() == 2
    page.click("[data-testid=start]")
    wait_done(page)
    assert {r["name"]: r["status"] for r in rows(page)} == {"keep.pdf": "completed", "repaired.pdf": "completed"}
    assert page.text_content("[data-testid=heading]") == "Finished"
    assert page.text_content("[data-testid=session-status]") == "Finished"
    with api_client(server) as client:
        assert client.get(f"/api/files/{ids['drop.pdf']}/result").status_code == 404


def test_rows_hold_still_while_the_server_cannot_be_reached(page: Any, files: Any) -> None:
    """Given files processing, when every request to the server fails, then a banner says the
    files are safe and it is reconnecting, and the rows freeze (no running clock); when the
    server answers again, then the banner goes and the session finishes."""
    paths = files(*[(f"off-{i}.png", make_png(report(93 + i), dpi=100)) for i in range(2)])
    sid = upload_and_process(page, paths)
    page.goto(f"/sessions/{sid}?stay=1")
    page.wait_for_selector("[data-testid=file-row][data-status=extracting], [data-testid=file-row][data-status=parsing],"
                           " [data-testid=file-row][data-status=downloading]", timeout=30_000)
    page.route("**/api/**", lambda route: route.abort())
    page.evaluate("() => window.LIProgress.dropStream()")
    page.wait_for_selector("[data-testid=offline]:not([hidden])", timeout=15_000)
    assert "files are safe" in page.text_content("[data-testid=offline]")
    assert "reconnecting" in page.text_content("[data-testid=offline]").lower()
    assert page.locator("[data-testid=notice]").is_hidden()
    assert page.evaluate("() => document.getElementById('files').classList.contains('frozen')")
    page.wait_for_function("() => !window.LIProgress.ticking()")
    times = "() => [...document.querySelectorAll('[data-testid=file-row]')].map(r => r.querySelector('[data-testid=time]').textContent)"
    frozen = page.evaluate(times)
    page.wait_for_timeout(1500)  # a running clock would have moved by now
    assert page.evaluate(times) == frozen
    shot(page, "progress-offline")
    page.unroute("**/api/**")
    page.wait_for_selector("[data-testid=offline]", state="hidden", timeout=15_000)
    wait_done(page, timeout=240_000)  # OCR of two photos on a busy machine
    assert all(r["status"] == "completed" for r in rows(page))
    assert page.text_content("[data-testid=heading]") == "Finished"


def test_a_file_handed_back_after_an_interruption_says_so(page: Any, server: Served) -> None:
    """Given a file whose worker was lost while it ran (as in a restart) and which was handed
    back, when its session is shown, then the row says 'resumed after an interruption', not a
    bare 'attempt 2'; when the session runs, then the file completes."""
    from labintake.db import recovery
    from labintake.db import transitions as tx
    from labintake.db.engine import Database
    from labintake.db.models import utcnow
    from labintake.domain.status import FileStatus

    with api_client(server) as client:
        sid, ids = _open_session(client, [("interrupted.pdf", make_pdf(report(98)))])
    db = Database(server.db_url)
    try:
        with db.transaction(system=True) as s:
            assert tx.transition(s, ids["interrupted.pdf"], FileStatus.PENDING, FileStatus.DOWNLOADING,
                                 worker_id="lost-in-a-restart", lease_expires_at=utcnow() + timedelta(minutes=5))
            assert recovery.recover_expired(s, dead_workers=["lost-in-a-restart"])
    finally:
        db.dispose()
    page.goto(f"/sessions/{sid}?stay=1")
    row = page.locator("[data-testid=file-row]", has_text="interrupted.pdf")
    assert row.locator("[data-testid=attempt]").text_content() == "resumed after an interruption"
    assert row.get_attribute("data-status") == "pending"
    shot(page, "progress-resumed")
    page.click("[data-testid=start]")
    wait_done(page)
    assert row.get_attribute("data-status") == "completed"

"""Page progress through the API: the progress JSON and the event stream carry pagesDone and
pagesTotal while a multi-page scan is read."""

from __future__ import annotations

import time

import pytest

from tests.api.conftest import Api, new_session, read_sse, wait_finished
from tests.fixtures.longdocs import scanned_pdf

pytestmark = pytest.mark.slow


def test_progress_and_events_say_which_page_is_being_read(api: Api) -> None:
    """Given a 3-page scanned PDF, while it is read the progress JSON's file entry says
    ``pagesDone`` (moving) of ``pagesTotal`` 3 with the status still extracting; the SSE stream
    has the same figures on ``file`` events; at the end the file says 3 of 3."""
    _, client = api.user("pages@example.org")
    session_id, (item,) = new_session(client, [("scan.pdf", scanned_pdf(3))])
    assert client.post(f"/api/sessions/{session_id}/start").status_code == 200
    deadline = time.monotonic() + 600
    while True:  # until a snapshot shows a page read, mid-reading
        (entry,) = client.get(f"/api/sessions/{session_id}/progress").json()["files"]
        if entry["status"] == "extracting" and (entry["pagesDone"] or 0) >= 1:
            break
        assert entry["status"] in ("pending", "downloading", "extracting"), entry
        assert time.monotonic() < deadline, entry
        time.sleep(0.2)
    assert entry["pagesTotal"] == 3 and entry["pagesDone"] < 3 and 30 < entry["progress"] < 60
    events, _, status = read_sse(client, session_id, timeout=600)
    assert status == 200 and events[-1].event == "session"
    pages = [e.data for e in events if e.data.get("pagesDone") is not None]
    assert pages and all(e["kind"] == "file" and e["status"] == "extracting" and e["pagesTotal"] == 3
                         and e["fileId"] == item["fileId"] for e in pages)
    assert [e["pagesDone"] for e in pages] == sorted(e["pagesDone"] for e in pages)
    final, _ = wait_finished(client, session_id)
    (entry,) = final["files"]
    assert entry["status"] == "completed" and (entry["pagesDone"], entry["pagesTotal"]) == (3, 3)

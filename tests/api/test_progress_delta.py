"""Progress deltas: ``GET /api/sessions/{id}/progress?since=<eventId>`` lists only the files that
changed after that event, with the whole summary and the new ``lastEventId`` (both backends)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.conftest import Api, new_session, upload, wait_finished
from tests.fixtures.reports import make_pdf, sample_report


def _pdfs(tag: str, n: int) -> list[tuple[str, bytes]]:
    base = make_pdf(sample_report())
    return [(f"{tag}{i}.pdf", base + f"\n% {tag}-{i}\n".encode()) for i in range(n)]


def _progress(client: httpx.Client, session_id: str, since: int | None = None) -> dict[str, Any]:
    params = {"since": since} if since is not None else {}
    response = client.get(f"/api/sessions/{session_id}/progress", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_delta_lists_only_the_files_changed_after_the_event(api: Api) -> None:
    """Given a session of three uploaded files and its full progress (with ``lastEventId``),
    when nothing changes, then a delta from that id lists no file but the whole summary;
    when one more file is uploaded, then the delta lists that file only; when the session runs
    to the end, then a delta from before lists every file, in their final state, and a delta
    from the newest id lists none."""
    _, client = api.user("delta@example.org")
    session_id, first = new_session(client, _pdfs("a", 3))
    full = _progress(client, session_id)
    assert len(full["files"]) == 3 and "since" not in full
    start = full["lastEventId"]
    assert isinstance(start, int) and start > 0

    for _ in range(2):  # the second answer comes from memory: the same
        quiet = _progress(client, session_id, since=start)
        assert quiet["files"] == [] and quiet["since"] == start and quiet["lastEventId"] == start
        assert quiet["summary"] == full["summary"] and quiet["summary"]["total_files"] == 3

    added = upload(client, session_id, _pdfs("b", 1))
    delta = _progress(client, session_id, since=start)
    assert [f["fileId"] for f in delta["files"]] == [added[0]["fileId"]]
    assert delta["files"][0]["status"] == "pending"
    assert delta["summary"]["total_files"] == 4 and delta["lastEventId"] > start
    assert _progress(client, session_id)["lastEventId"] == delta["lastEventId"]  # the full answer agrees

    after_upload = delta["lastEventId"]
    assert client.post(f"/api/sessions/{session_id}/start").status_code == 200
    final, _ = wait_finished(client, session_id)
    assert final["summary"]["session_status"] == "completed"
    done = _progress(client, session_id, since=after_upload)
    ids = {f["fileId"] for f in first} | {added[0]["fileId"]}
    assert {f["fileId"] for f in done["files"]} == ids
    assert all(f["status"] == "completed" and f["progress"] == 100 for f in done["files"])
    assert done["summary"] == final["summary"] and done["lastEventId"] >= final["lastEventId"]
    assert _progress(client, session_id, since=done["lastEventId"])["files"] == []
    # Ids are per database, not per session: a client ahead of this session simply sees no change.
    assert _progress(client, session_id, since=done["lastEventId"] + 10_000)["files"] == []


def test_a_delta_of_someone_elses_session_is_404_and_a_bad_since_is_refused(api: Api) -> None:
    _, owner = api.user("delta-owner@example.org")
    _, other = api.user("delta-other@example.org")
    session_id, _ = new_session(owner, _pdfs("c", 1))
    response = other.get(f"/api/sessions/{session_id}/progress", params={"since": 0})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    for bad in ("-1", "x", str(2**63)):
        response = owner.get(f"/api/sessions/{session_id}/progress", params={"since": bad})
        assert response.status_code == 422, (bad, response.text)
        assert "code" in response.json()["error"]

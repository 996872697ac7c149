"""Retry only where it can help: a failure the same bytes would repeat is refused a retry and
offered a new copy in the same place (replace) or removal; a file can leave a session before it starts."""

from __future__ import annotations

import dataclasses

from tests.api.conftest import Api, new_session, upload, wait_finished
from tests.fixtures.reports import corrupt_pdf_bytes, make_pdf, sample_report


def _pdf(mrn: str) -> bytes:
    return make_pdf(dataclasses.replace(sample_report(), mrn=mrn))


def test_a_damaged_pdf_is_refused_a_retry_and_replaced_in_place(api: Api) -> None:
    """Given a session whose damaged PDF failed, when it is retried, then 409 not_retryable; when a
    good copy replaces it, then the same file runs again as a first attempt and completes."""
    _, client = api.user("replace@example.org")
    session_id, files = new_session(client, [("good.pdf", _pdf("0009101")), ("broken.pdf", corrupt_pdf_bytes())])
    client.post(f"/api/sessions/{session_id}/start")
    final, _ = wait_finished(client, session_id)
    broken = files[1]["fileId"]
    row = next(f for f in final["files"] if f["fileId"] == broken)
    assert (row["status"], row["errorCode"], row["isRetryable"]) == ("failed", "corrupt_pdf", False)

    refused = client.post(f"/api/files/{broken}/retry")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_retryable"
    assert "Replace" in refused.json()["error"]["message"]

    replaced = client.post(f"/api/files/{broken}/replace",
                           files={"file": ("fixed copy.pdf", _pdf("0009102"), "application/pdf")})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json() == {"fileId": broken, "fileName": "fixed copy.pdf", "status": "pending",
                               "errorCode": None, "error": None, "duplicateOf": None}
    final, _ = wait_finished(client, session_id)
    assert final["summary"]["session_status"] == "completed" and final["summary"]["total_files"] == 2
    row = next(f for f in final["files"] if f["fileId"] == broken)
    assert (row["status"], row["attemptNumber"], row["fileName"], row["errorCode"]) == (
        "completed", 1, "fixed copy.pdf", None)
    result = client.get(f"/api/files/{broken}/result").json()
    assert result["patient"]["mrn"] == "0009102"  # the new copy's report
    # A completed file has nothing to replace or remove.
    again = client.post(f"/api/files/{broken}/replace", files={"file": ("x.pdf", _pdf("0009103"), "application/pdf")})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert client.delete(f"/api/files/{broken}").status_code == 409


def test_a_refused_copy_fails_at_once_and_a_cancelled_file_can_still_be_retried(api: Api) -> None:
    """Given a cancelled file, when a damaged copy replaces it, then it fails at once with the
    inspection's code; a cancelled file (nothing wrong with its bytes) may be retried."""
    _, client = api.user("refused-copy@example.org")
    session_id, files = new_session(client, [("a.pdf", _pdf("0009201")), ("b.pdf", _pdf("0009202"))])
    assert client.post(f"/api/sessions/{session_id}/cancel").status_code == 200
    first, second = files[0]["fileId"], files[1]["fileId"]
    replaced = client.post(f"/api/files/{first}/replace", files={"file": ("a.pdf", corrupt_pdf_bytes(), "application/pdf")})
    assert replaced.status_code == 200
    assert (replaced.json()["status"], replaced.json()["errorCode"]) == ("failed", "corrupt_pdf")
    retried = client.post(f"/api/files/{second}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "pending"
    final, _ = wait_finished(client, session_id)
    by_id = {f["fileId"]: f for f in final["files"]}
    assert by_id[first]["status"] == "failed" and by_id[first]["isRetryable"] is False
    assert by_id[second]["status"] == "completed"


def test_files_are_removed_before_they_start_or_after_they_fail(api: Api) -> None:
    """Given a session not started yet, when one of its files is removed, then it is gone from the
    progress and the counts; after processing, the failed file can be removed too and the
    session then counts as completed."""
    _, client = api.user("remove@example.org")
    session_id, files = new_session(client, [("keep.pdf", _pdf("0009301")), ("drop.pdf", _pdf("0009302"))])
    upload(client, session_id, [("bad.pdf", corrupt_pdf_bytes())])
    drop = files[1]["fileId"]
    assert client.delete(f"/api/files/{drop}").status_code == 204
    assert client.delete(f"/api/files/{drop}").status_code == 404
    progress = client.get(f"/api/sessions/{session_id}/progress").json()
    assert [f["fileName"] for f in progress["files"]] == ["keep.pdf", "bad.pdf"]
    assert progress["summary"]["total_files"] == 2
    client.post(f"/api/sessions/{session_id}/start")
    final, _ = wait_finished(client, session_id)
    assert final["summary"]["session_status"] == "partial"
    keep = files[0]["fileId"]
    assert client.delete(f"/api/files/{keep}").status_code == 409  # completed: it has a result
    bad = next(f["fileId"] for f in final["files"] if f["fileName"] == "bad.pdf")
    assert client.delete(f"/api/files/{bad}").status_code == 204
    summary = client.get(f"/api/sessions/{session_id}/progress").json()["summary"]
    assert (summary["total_files"], summary["failed_files"], summary["session_status"]) == (1, 0, "completed")
    # Another user cannot see, replace or remove these files.
    _, other = api.user("remove-other@example.org")
    assert other.delete(f"/api/files/{keep}").status_code == 404
    assert other.post(f"/api/files/{bad}/retry").status_code == 404

"""The rest of the API contract: login and CSRF, errors, control, retry, delete, history, analytics, health."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx

from tests.api.conftest import Api, new_session, upload, wait_finished
from tests.fixtures.reports import corrupt_pdf_bytes, make_pdf, sample_report


def _login(api: Api, email: str, password: str) -> httpx.Client:
    browser = api.anonymous()
    form = browser.get("/login")
    assert form.status_code == 200 and "text/html" in form.headers["content-type"]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    response = browser.post("/login", data={"email": email, "password": password, "csrf_token": csrf,
                                            "next": "/api/me"})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/api/me"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    return browser


def test_browser_login_cookie_and_csrf(api: Api) -> None:
    api.user("browser@example.org", "s3cret-password")
    browser = _login(api, "Browser@Example.org", "s3cret-password")
    me = browser.get("/api/me").json()
    assert me["email"] == "browser@example.org" and me["csrfToken"]
    assert browser.get("/api/sessions").status_code == 200  # reads need no CSRF token
    refused = browser.post("/api/sessions")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    created = browser.post("/api/sessions", headers={"X-CSRF-Token": me["csrfToken"]})
    assert created.status_code == 201
    out = browser.post("/logout", data={"csrf_token": me["csrfToken"]})
    assert out.status_code == 303
    assert browser.get("/api/me").status_code == 401


def test_login_refuses_bad_passwords_and_forged_forms(api: Api) -> None:
    api.user("careful@example.org", "right-password")
    browser = api.anonymous()
    form = browser.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    wrong = browser.post("/login", data={"email": "careful@example.org", "password": "nope", "csrf_token": csrf})
    assert wrong.status_code == 401 and "set-cookie" not in {k.lower() for k in wrong.headers if "li_session" in wrong.headers[k]}
    forged = api.anonymous().post("/login", data={"email": "careful@example.org", "password": "right-password",
                                                  "csrf_token": "guess"})
    assert forged.status_code == 403
    # An open redirect is not possible through `next`.
    form = browser.get("/login", params={"next": "//evil.example"})
    assert 'name="next" value="/"' in form.text


def test_errors_have_one_shape(api: Api) -> None:
    _, client = api.user("errors@example.org")
    cases = [
        client.get("/api/sessions/nope/progress"),
        client.get("/no/such/route"),
        client.put("/api/sessions"),
        client.get("/api/sessions", params={"limit": 0}),
        client.get("/api/sessions", params={"status": "bogus"}),
        client.get("/functions/v1/get-processing-progress"),
        client.get("/api/files/nope/result", params={"format": "xml"}),
    ]
    assert [r.status_code for r in cases] == [404, 404, 405, 422, 422, 422, 422]
    for r in cases:
        body = r.json()
        assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    assert [r.json()["error"]["code"] for r in cases[:4]] == ["not_found", "not_found", "method_not_allowed",
                                                               "validation"]


def test_nul_characters_are_refused_as_invalid_not_a_server_error(api: Api) -> None:
    """Given text with a NUL character (PostgreSQL cannot store one) in a query, a path, a JSON
    body or a form, then the answer is 422 `validation`, never 500 (schemathesis found
    `GET /api/sessions?file_type=%00` answering 500 on PostgreSQL)."""
    _, client = api.user("nul@example.org")
    session_id = new_session(client)
    browser = api.anonymous()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text).group(1)  # type: ignore[union-attr]
    cases = [
        client.get("/api/sessions", params={"file_type": "\x00"}),
        client.get("/functions/v1/get-processing-progress", params={"sessionId": "a\x00b"}),
        client.get(f"/api/sessions/{session_id}%00/progress"),
        client.get("/api/patients/x/series", params={"analyte": "Glu\x00"}),
        client.post("/api/sessions", json={"name": "a\x00b"}),
        client.put("/api/files/x/corrections", json={"target": "patient.name", "value": "A\x00"}),
        browser.post("/login", data={"email": "nul@example.org\x00", "password": "x", "csrf_token": csrf}),
    ]
    assert [r.status_code for r in cases] == [422] * len(cases), [(r.request.url, r.text) for r in cases]
    assert {r.json()["error"]["code"] for r in cases} == {"validation"}
    # The same request without the NUL is fine.
    assert client.get("/api/sessions", params={"file_type": "image/"}).status_code == 200


def test_control_retry_results_and_delete(api: Api) -> None:
    _, client = api.user("control@example.org")
    pdf = make_pdf(sample_report())
    session_id, files = new_session(client, [("good.pdf", pdf), ("broken.pdf", corrupt_pdf_bytes())])
    assert client.post(f"/api/sessions/{session_id}/pause").json()["state"] == "paused"
    assert client.post(f"/api/sessions/{session_id}/resume").json()["state"] == "running"
    final, _ = wait_finished(client, session_id)
    assert final["summary"]["session_status"] == "partial"
    good, broken = files[0]["fileId"], files[1]["fileId"]
    not_ready = client.get(f"/api/files/{broken}/result")
    assert not_ready.status_code == 409 and not_ready.json()["error"]["code"] == "not_ready"
    refused = client.post(f"/api/files/{good}/retry")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "conflict"
    retried = client.post(f"/api/files/{broken}/retry")  # a damaged PDF fails the same way again
    assert retried.status_code == 409 and retried.json()["error"]["code"] == "not_retryable"
    broken_row = next(f for f in final["files"] if f["fileId"] == broken)
    assert broken_row["isRetryable"] is False and broken_row["errorCode"] == "corrupt_pdf"

    from labintake.db.models import UploadedFile

    with api.li.db.read() as s:
        keys = {u.storage_key for u in s.query(UploadedFile).filter_by(session_id=session_id)}
    assert keys and all(api.li.storage.path(k).exists() for k in keys)
    assert client.delete(f"/api/sessions/{session_id}").status_code == 204
    assert client.get(f"/api/sessions/{session_id}/progress").status_code == 404
    assert client.get(f"/api/files/{good}/result").status_code == 404
    assert client.delete(f"/api/sessions/{session_id}").status_code == 404
    with api.li.db.read() as s:
        still_used = {u.storage_key for u in s.query(UploadedFile).filter(UploadedFile.storage_key.in_(keys))}
    # Bytes no other session uses are gone; shared bytes stay.
    assert all(api.li.storage.path(k).exists() == (k in still_used) for k in keys)
    assert not still_used  # in this module nobody else uploaded these bytes


def test_cancel_and_conflicts(api: Api) -> None:
    _, client = api.user("cancel@example.org")
    session_id, _ = new_session(client, [("a.pdf", make_pdf(sample_report()))])
    assert client.post(f"/api/sessions/{session_id}/cancel").json()["state"] == "cancelled"
    for action in ("start", "pause", "resume"):
        response = client.post(f"/api/sessions/{session_id}/{action}")
        assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
    snap = client.get(f"/api/sessions/{session_id}/progress").json()
    assert snap["summary"]["session_status"] == "cancelled"
    assert snap["files"][0]["status"] == "cancelled"


def test_history_filters_and_paging(api: Api) -> None:
    _, client = api.user("history@example.org")
    pdf_session, _ = new_session(client, [("a.pdf", make_pdf(sample_report()))])
    empty_session, _ = new_session(client)
    bad_session, _ = new_session(client, [("x.pdf", b"")])
    client.post(f"/api/sessions/{bad_session}/start")
    page = client.get("/api/sessions", params={"limit": 2}).json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["limit"] == 2
    assert [i["id"] for i in page["items"]] == [bad_session, empty_session]
    rest = client.get("/api/sessions", params={"limit": 2, "offset": 2}).json()
    assert [i["id"] for i in rest["items"]] == [pdf_session]
    pdfs = client.get("/api/sessions", params={"file_type": "application/pdf"}).json()
    assert [i["id"] for i in pdfs["items"]] == [pdf_session]
    assert client.get("/api/sessions", params={"file_type": "image/"}).json()["total"] == 0
    failed = client.get("/api/sessions", params={"status": "failed"}).json()
    assert [i["id"] for i in failed["items"]] == [bad_session]
    pending = client.get("/api/sessions", params={"status": "pending"}).json()
    assert empty_session in [i["id"] for i in pending["items"]]
    today = date.today()
    assert client.get("/api/sessions", params={"since": str(today - timedelta(days=1))}).json()["total"] == 3
    assert client.get("/api/sessions", params={"until": str(today - timedelta(days=2))}).json()["total"] == 0
    analytics = client.get("/api/analytics").json()
    assert analytics["sessions"] == 3 and analytics["files"] == 2
    assert analytics["failuresByErrorCode"] == [{"errorCode": "empty_file", "label": "Empty file", "count": 1}]


def test_health_readiness_metrics_docs_and_no_cors_by_default(api: Api) -> None:
    assert httpx.get(f"{api.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{api.url}/readyz").json()
    assert ready == {"status": "ready", "checks": {"database": True, "executor": True, "storage": True}}
    metrics = httpx.get(f"{api.url}/metrics")
    assert metrics.status_code == 200 and "labintake_api_request_seconds" in metrics.text
    assert httpx.get(f"{api.url}/docs").status_code == 200
    doc = httpx.get(f"{api.url}/openapi.json").json()
    for path in ("/api/sessions", "/api/sessions/{session_id}/files", "/api/sessions/{session_id}/start",
                 "/api/sessions/{session_id}/pause", "/api/sessions/{session_id}/resume",
                 "/api/sessions/{session_id}/cancel", "/api/sessions/{session_id}",
                 "/api/sessions/{session_id}/progress", "/api/sessions/{session_id}/events",
                 "/api/files/{file_id}/retry", "/api/files/{file_id}/result", "/api/analytics",
                 "/functions/v1/get-processing-progress", "/metrics", "/healthz", "/readyz"):
        assert path in doc["paths"], path
    preflight = httpx.options(f"{api.url}/api/sessions", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_upload_route_returns_per_file_results_for_many_files(api: Api) -> None:
    _, client = api.user("many@example.org")
    session_id, _ = new_session(client)
    files = [(f"n{i}.pdf", b"%PDF-1.4 broken " + bytes([i])) for i in range(12)]
    out = upload(client, session_id, files)
    assert len(out) == 12 and {f["errorCode"] for f in out} == {"corrupt_pdf"}

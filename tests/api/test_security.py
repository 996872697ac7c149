"""Security headers, caching of health data, /metrics access and start-up refusals, on a real server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from labintake.service import LabIntake
from labintake.settings import Settings
from labintake.web import WebConfig, create_app
from tests.api.conftest import Api, Server, new_session
from tests.conftest import make_settings
from tests.fixtures.reports import make_pdf, sample_report

HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def assert_hardened(response) -> None:  # type: ignore[no-untyped-def]
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (response.url, name)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp.split(
        "script-src")[1].split(";")[0]
    assert "camera=()" in response.headers["permissions-policy"]


def test_every_kind_of_response_carries_the_security_headers(api: Api) -> None:
    _, client = api.user("headers@example.test")
    anon = api.anonymous()
    for response in (anon.get("/login"), anon.get("/docs"), anon.get("/openapi.json"), anon.get("/healthz"),
                     client.get("/api/sessions"), anon.get("/api/sessions"), anon.get("/static/css/app.css")):
        assert_hardened(response)


def test_health_data_is_never_cached_and_static_assets_are(api: Api) -> None:
    """Given a processed report, its progress, result and page image are sent with no-store (the
    page image used to be cached for a day); a static asset keeps its own caching."""
    _, client = api.user("cache@example.test")
    session_id, files = new_session(client, [("r.pdf", make_pdf(sample_report()))])
    assert client.get(f"/api/sessions/{session_id}/progress").headers["cache-control"] == "no-store"
    assert client.get("/api/sessions").headers["cache-control"] == "no-store"
    static = api.anonymous().get("/static/css/app.css")
    assert static.status_code == 200 and static.headers.get("cache-control") != "no-store"


def test_no_page_needs_an_inline_script(api: Api) -> None:
    """The CSP refuses inline scripts, so no page may rely on one (JSON data blocks are fine)."""
    anon = api.anonymous()
    for path in ("/docs", "/login"):
        html = anon.get(path).text
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
            assert "src=" in attrs or 'type="application/json"' in attrs, (path, body[:80])
        assert not re.search(r"\son[a-z]+=", html), path


def test_metrics_answer_loopback_clients_and_holders_of_the_token(tmp_path: Path, sqlite_url: str) -> None:
    """Without a token, /metrics answers loopback (the test client is 127.0.0.1); with
    LABINTAKE_METRICS_TOKEN set, only a request bearing it."""
    import httpx

    li = LabIntake(make_settings(tmp_path, sqlite_url, metrics_token="scrape-secret"))
    try:
        with Server(create_app(li, WebConfig(cookie_secure=False))) as server:
            with httpx.Client(base_url=server.url) as c:
                refused = c.get("/metrics")
                assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
                assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
                ok = c.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
                assert ok.status_code == 200 and "labintake_" in ok.text
    finally:
        li.stop()


def test_metrics_refuse_a_remote_client_without_a_token() -> None:
    from labintake.web.api.meta import _is_loopback

    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and _is_loopback("127.0.0.9")
    assert not _is_loopback("203.0.113.9") and not _is_loopback("10.0.0.1") and not _is_loopback("")


def test_hsts_is_sent_when_the_public_url_is_https(tmp_path: Path, sqlite_url: str) -> None:
    import httpx

    li = LabIntake(make_settings(tmp_path, sqlite_url, public_url="https://labs.example.org"))
    try:
        with Server(create_app(li, WebConfig(cookie_secure=True))) as server:
            response = httpx.get(server.url + "/healthz")
            assert response.headers["strict-transport-security"].startswith("max-age=")
    finally:
        li.stop()


@pytest.mark.parametrize("origins", [("*",), ("https://ok.example.org", "https://*.example.org")])
def test_a_wildcard_cors_origin_is_refused_at_start(origins: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError, match="may not contain"):
        Settings(cors_origins=origins)



def test_a_giant_page_is_rendered_within_the_pixel_cap(tmp_path: Path) -> None:
    """A tiny PDF declaring one 5000 x 5000 pt page (about 3.3 GB at full scale) renders to at
    most the cap; a corrupt PDF is the corrupt_pdf error, not a crash."""
    import io

    from PIL import Image
    from reportlab.pdfgen import canvas

    from labintake.domain.errors import ErrorCode, LabIntakeError
    from labintake.web.ui.render import page_png

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(5000, 5000))
    c.drawString(100, 100, "Hemoglobin 13.5 g/dL")
    c.showPage()
    c.save()
    path = tmp_path / "giant.pdf"
    path.write_bytes(buf.getvalue())
    png = page_png(path, "application/pdf", 1, max_pixels=60_000_000, max_pages=50, max_render_pixels=4_000_000)
    w, h = Image.open(io.BytesIO(png)).size
    assert w * h <= 4_000_000 and w > 1000
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    with pytest.raises(LabIntakeError) as err:
        page_png(broken, "application/pdf", 1, max_pixels=60_000_000, max_pages=50, max_render_pixels=4_000_000)
    assert err.value.code is ErrorCode.CORRUPT_PDF


def test_pages_of_a_failed_file_are_not_rendered(api: Api) -> None:
    from tests.api.conftest import wait_finished
    from tests.fixtures.reports import corrupt_pdf_bytes

    _, client = api.user("render@example.test")
    session_id, files = new_session(client, [("bad.pdf", corrupt_pdf_bytes()), ("ok.pdf", make_pdf(sample_report()))])
    client.post(f"/api/sessions/{session_id}/start")
    final, _ = wait_finished(client, session_id)
    by_name = {f["fileName"]: f for f in final["files"]}
    bad = client.get(f"/api/files/{by_name['bad.pdf']['fileId']}/pages/1.png")
    assert bad.status_code == 404 and bad.json()["error"]["code"] == "not_found"
    ok = client.get(f"/api/files/{by_name['ok.pdf']['fileId']}/pages/1.png")
    assert ok.status_code == 200 and ok.headers["content-type"] == "image/png"
    assert ok.headers["cache-control"] == "no-store"  # was cached for a day


def test_a_completed_file_whose_bytes_are_damaged_renders_as_422_not_500(api: Api) -> None:
    """Given a completed report whose stored bytes were damaged afterwards (a disk fault, a bad
    restore), when its page is asked for, then the answer is 422 `corrupt_pdf` in the one error
    shape: pdfium's error is not a 500 (issue 13, item 3)."""
    from labintake.db.scope import acting_as
    from labintake.service import files
    from tests.api.conftest import wait_finished
    from tests.fixtures.reports import corrupt_pdf_bytes

    user_id, client = api.user("damaged@example.test")
    session_id, uploaded = new_session(client, [("ok.pdf", make_pdf(sample_report()))])
    client.post(f"/api/sessions/{session_id}/start")
    final, _ = wait_finished(client, session_id)
    assert final["summary"]["completed_files"] == 1
    file_id = uploaded[0]["fileId"]
    with acting_as(user_id):
        path = files.stored(api.li, file_id, user_id).path
    original, mode = path.read_bytes(), path.stat().st_mode
    try:
        path.chmod(0o600)
        path.write_bytes(corrupt_pdf_bytes())
        response = client.get(f"/api/files/{file_id}/pages/1.png")
    finally:
        path.write_bytes(original)  # the bytes are shared by content with the module's other uploads
        path.chmod(mode)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "corrupt_pdf"
    assert client.get(f"/api/files/{file_id}/pages/1.png").status_code == 200

"""Rough edges: sessions have names (the first file and a count by default, renamable), a
browser at an unknown URL gets the HTML 404 page while /api stays JSON, and /favicon.ico is served."""

from __future__ import annotations

import httpx

from tests.api.conftest import Api, new_session
from tests.fixtures.reports import corrupt_pdf_bytes


def test_a_session_is_named_after_its_first_file_and_can_be_renamed(api: Api) -> None:
    _, client = api.user("names@example.org")
    response = client.post("/api/sessions")
    assert response.status_code == 201
    session_id = response.json()["id"]
    client.post(f"/api/sessions/{session_id}/files", files=[
        ("files", (name, corrupt_pdf_bytes() + name.encode(), "application/pdf"))
        for name in ("March bloods.pdf", "b.pdf", "c.pdf")])

    def listed() -> str:
        items = client.get("/api/sessions").json()["items"]
        return str(next(i["name"] for i in items if i["id"] == session_id))

    assert listed() == "March bloods.pdf + 2 more"
    renamed = client.patch(f"/api/sessions/{session_id}", json={"name": "  Mum's bloods  "})
    assert renamed.status_code == 200 and renamed.json() == {"id": session_id, "name": "Mum's bloods"}
    assert listed() == "Mum's bloods"
    assert client.patch(f"/api/sessions/{session_id}", json={"name": ""}).json()["name"] == "March bloods.pdf + 2 more"
    assert client.patch(f"/api/sessions/{session_id}", json={"name": "x" * 201}).status_code == 422
    _, other = api.user("names-other@example.org")
    assert other.patch(f"/api/sessions/{session_id}", json={"name": "mine"}).status_code == 404
    one, _ = new_session(client, [("single.pdf", corrupt_pdf_bytes())])
    assert any(i["name"] == "test" for i in client.get("/api/sessions").json()["items"] if i["id"] == one)


def test_unknown_urls_get_html_for_browsers_and_json_under_api(api: Api) -> None:
    html = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = httpx.get(f"{api.url}/no/such/page", headers=html)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "No such page" in page.text and 'rel="icon"' in page.text
    under_api = httpx.get(f"{api.url}/api/no/such/thing", headers=html)
    assert under_api.status_code == 404 and under_api.json()["error"]["code"] == "not_found"
    plain = httpx.get(f"{api.url}/no/such/page", headers={"Accept": "application/json"})
    assert plain.status_code == 404 and plain.json()["error"]["code"] == "not_found"
    icon = httpx.get(f"{api.url}/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert icon.content.lstrip().startswith(b"<svg") or b"<svg" in icon.content[:200]

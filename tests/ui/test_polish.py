"""Rough edges in the browser: the HTML 404 page and the favicon, session names with inline
rename, human labels in history and analytics, and the phone width (names wrap, history as
cards, results without sideways scrolling). Each test states given / when / then."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.reports import corrupt_pdf_bytes, make_pdf
from tests.ui.conftest import EMAIL, PASSWORD, Served, login, report, shot
from tests.ui.test_browser import _session_via_api, api_client

pytestmark = pytest.mark.slow

LONG_NAME = "2025-03-04 Complete blood count and metabolic panel for the annual check-up.pdf"


def test_unknown_url_shows_the_html_404_page_and_the_favicon_is_served(page: Any) -> None:
    """Given a logged-in browser, when it opens a URL nothing answers, then it gets the styled 404
    page (not JSON), and the favicon the pages link is served at /favicon.ico too."""
    response = page.goto("/no/such/page")
    assert response.status == 404 and "text/html" in response.headers["content-type"]
    assert page.text_content("h1") == "No such page"
    assert page.locator("header.top nav").is_visible()  # the site's own frame, with its navigation
    assert page.get_attribute("link[rel=icon]", "href") == "/static/favicon.svg"
    status = page.evaluate("() => fetch('/favicon.ico').then(r => [r.status, r.headers.get('content-type')])")
    assert status == [200, "image/svg+xml"]


def test_a_wrong_password_shows_the_styled_login_form_again_with_the_email_kept(browser: Any, server: Served) -> None:
    """Given the login page, when a wrong password is submitted, then the same styled page comes
    back (401) with the message in an alert, the email still filled in and the password empty
    and focused, and the right password then logs in."""
    ctx = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto("/login")
        page.fill("#email", EMAIL)
        page.fill("#password", "not the password")
        with page.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST") as answer:
            page.click("button[type=submit]")
        assert answer.value.status == 401
        assert page.text_content("[role=alert]") == "Wrong email or password."
        assert page.input_value("#email") == EMAIL and page.input_value("#password") == ""
        assert page.evaluate("() => document.activeElement.id") == "password"
        # Styled: the site's stylesheet applies (not the browser's bare defaults).
        assert page.evaluate("() => [...document.styleSheets].some(s => (s.href || '').includes('/static/'))")
        assert page.evaluate("() => getComputedStyle(document.body).fontFamily") != "Times New Roman"
        shot(page, "login-wrong-password")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/upload")
    finally:
        ctx.close()


def test_sessions_are_named_renamed_inline_and_labelled(page: Any, server: Served) -> None:
    """Given a session of two damaged PDFs, then its progress page and the history name it after
    its first file; when it is renamed inline, then the new name shows after a reload and in the
    history; the history and analytics show labels, never codes."""
    with api_client(server) as client:
        sid = _session_via_api(client, [("Kidney panel.pdf", corrupt_pdf_bytes()),
                                        ("other.pdf", corrupt_pdf_bytes() + b"2")])
        csrf = {"X-CSRF-Token": client.get("/api/me").json()["csrfToken"]}
        client.patch(f"/api/sessions/{sid}", json={"name": ""}, headers=csrf)  # back to the default
    page.goto(f"/sessions/{sid}?stay=1")
    assert page.text_content("[data-testid=session-name]") == "Kidney panel.pdf + 1 more"
    assert page.text_content("[data-testid=heading]") == "Failed"
    page.click("[data-testid=rename]")
    page.fill("[data-testid=rename-input]", "Dad's kidney results")
    page.press("[data-testid=rename-input]", "Enter")
    page.wait_for_selector("[data-testid=session-name]:has-text(\"Dad's kidney results\")")
    page.reload()
    assert page.text_content("[data-testid=session-name]") == "Dad's kidney results"

    page.goto("/history?status=failed")
    row = page.locator(f"tr[data-session-id='{sid}']")
    assert row.locator("[data-testid=history-name]").text_content() == "Dad's kidney results"
    assert row.locator(".pill").text_content() == "Failed"
    options = page.eval_on_selector_all("#status option", "els => els.map(e => e.textContent)")
    assert "Finished with problems" in options and "partial" not in options
    page.goto("/analytics")
    labels = page.wait_for_function(
        "() => { const c = window.Chart && Chart.getChart(document.getElementById('c-errors'));"
        " return c ? c.data.labels : null; }").json_value()
    assert "Damaged PDF" in labels and "corrupt_pdf" not in labels
    types = page.evaluate("() => Chart.getChart(document.getElementById('c-time'))"
                          " ? Chart.getChart(document.getElementById('c-time')).data.labels : []")
    assert all("/" not in t for t in types)


@pytest.fixture
def phone() -> dict[str, Any]:
    return {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def test_phone_width_wraps_names_shows_history_as_cards_and_results_without_scrolling(
    browser: Any, server: Served, phone: dict[str, Any]
) -> None:
    """Given a completed report with a long file name, at 390 px: the progress page wraps the
    name instead of cutting it, the history is a list of cards with their actions inside the
    screen, and the review's results show value, unit, reference and flag with no sideways scroll."""
    with api_client(server) as client:
        sid = _session_via_api(client, [(LONG_NAME, make_pdf(report(99)))])
    ctx = browser.new_context(base_url=server.url, **phone)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    try:
        login(page, server.url)
        page.goto(f"/sessions/{sid}?stay=1")
        name = page.locator("[data-testid=file-row] .name").first
        assert name.text_content() == LONG_NAME
        assert page.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1", name.element_handle())  # nothing cut
        shot(page, "phone-progress")

        page.goto("/history")
        card = page.locator(f"tr[data-session-id='{sid}']")
        assert card.evaluate("el => getComputedStyle(el).display") == "block"
        box = card.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
        review = card.locator("a", has_text="Review")
        rb = review.bounding_box()
        assert rb and rb["x"] + rb["width"] <= 390
        shot(page, "phone-history")

        page.goto(f"/sessions/{sid}/review")
        wrap = page.locator(".table-wrap").first
        assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
        hb = page.locator("[data-testid=result-row]", has_text="Hemoglobin").first
        cells = {c: hb.locator(f"td[data-label={c}]") for c in ("Value", "Unit", "Reference", "Flag")}
        for label, cell in cells.items():
            b = cell.bounding_box()
            assert b and b["x"] >= 0 and b["x"] + b["width"] <= 390, label
        assert cells["Value"].text_content().strip() == "13.5" and cells["Unit"].text_content() == "g/dL"
        assert cells["Reference"].text_content() == "12.0-16.0"
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width
        shot(page, "phone-review")
    finally:
        ctx.close()

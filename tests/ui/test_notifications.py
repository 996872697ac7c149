"""Browser tests of notifications: the settings page (email switch, webhooks with their delivery
log) and the progress page's Web Notification after the person allowed it, with the tab hidden."""

from __future__ import annotations

import time
from typing import Any

from tests.fixtures.reports import make_pdf
from tests.integration.notify_helpers import Receiver, http_receiver
from tests.ui.conftest import Served, report, shot
from tests.ui.test_browser import api_client

# Records every Notification the page constructs, and makes the tab look hidden (a background tab).
RECORD_NOTIFICATIONS = """(() => {
  Object.defineProperty(Document.prototype, 'hidden', {configurable: true, get() { return true; }});
  Object.defineProperty(Document.prototype, 'visibilityState', {configurable: true, get() { return 'hidden'; }});
  const Real = window.Notification;
  window.__notifications = [];
  function Recording(title, options) {
    window.__notifications.push({title: title, body: (options || {}).body || ''});
    return new Real(title, options);
  }
  Object.defineProperty(Recording, 'permission', {get() { return Real.permission; }});
  Recording.requestPermission = Real.requestPermission.bind(Real);
  window.Notification = Recording;
})();"""


def _start_session(server: Served, named: list[tuple[str, bytes]], *, start: bool) -> str:
    with api_client(server) as client:
        csrf = {"X-CSRF-Token": client.get("/api/me").json()["csrfToken"]}
        sid = client.post("/api/sessions", json={"name": "notify test"}, headers=csrf).json()["id"]
        files = [("files", (name, blob, "application/octet-stream")) for name, blob in named]
        assert client.post(f"/api/sessions/{sid}/files", files=files, headers=csrf).status_code == 200
        if start:
            assert client.post(f"/api/sessions/{sid}/start", headers=csrf).status_code == 200
    return str(sid)


def test_a_hidden_tab_gets_a_notification_when_the_session_ends(browser: Any, server: Served) -> None:
    """Given the person allowed notifications with "Notify me", when the session ends while the
    tab is hidden, a notification says the outcome and counts, and the tab title shows ✓."""
    from tests.ui.conftest import login

    sid = _start_session(server, [("Jane Doe labs.pdf", make_pdf(report(1)))], start=False)
    ctx = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(20_000)
    ctx.grant_permissions(["notifications"], origin=server.url)
    ctx.add_init_script(RECORD_NOTIFICATIONS)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        login(page, server.url)
        page.goto(f"/sessions/{sid}?stay=1")
        button = page.locator("[data-testid=notify-permission]")
        button.wait_for(state="visible")
        assert button.get_attribute("data-state") == "off"
        button.click()
        page.wait_for_selector("[data-testid=notify-permission][data-state=on]")
        page.click("[data-testid=start]")
        page.wait_for_selector("[data-testid=completion]:not([hidden])", timeout=120_000)
        page.wait_for_function("() => window.__notifications.length > 0")
        notes = page.evaluate("() => window.__notifications")
        assert notes == [{"title": "LabIntake: 1 report ready", "body": "1 file: 1 ready, 0 need attention."}]
        assert page.title().startswith("\u2713 ")
        shot(page, "progress-notified")
        # Opened again after the end: the badge, but no second notification.
        page.reload()
        page.wait_for_selector("[data-testid=completion]:not([hidden])")
        assert page.evaluate("() => window.__notifications") == []
        assert page.title().startswith("\u2713 ")
        assert not errors, errors
    finally:
        ctx.close()


def test_settings_page_email_switch_webhooks_and_delivery_log(page: Any, server: Served) -> None:
    """Given the settings page, the email switch persists; a webhook added there receives the next
    session's end and its delivery shows as delivered after one attempt; a loopback address that
    is not allow-listed is refused with a message; deleting the webhook empties the list."""
    page.goto("/settings")
    email = page.locator("[data-testid=email-on]")
    assert email.is_enabled() and email.is_checked()
    email.uncheck()
    page.wait_for_selector("[data-testid=notice]:has-text('emails are off')")
    page.reload()
    assert not page.locator("[data-testid=email-on]").is_checked()
    page.locator("[data-testid=email-on]").check()
    page.wait_for_selector("[data-testid=notice]:has-text('emails are on')")

    page.fill("[data-testid=hook-url]", "http://localhost:9/x")
    page.fill("[data-testid=hook-secret]", "a-secret-for-ui")
    page.click("[data-testid=hook-add]")
    page.wait_for_selector("[data-testid=notice]:has-text('LABINTAKE_WEBHOOK_ALLOW_HOSTS')")

    receiver = Receiver()
    with http_receiver(receiver) as url:
        page.fill("[data-testid=hook-url]", url)
        page.fill("[data-testid=hook-secret]", "a-secret-for-ui")
        page.click("[data-testid=hook-add]")
        page.wait_for_selector("[data-testid=hook]")
        assert page.text_content("[data-testid=hook] .hook-url") == url
        _start_session(server, [("notes.txt", b"not a report")], start=True)
        assert receiver.got.wait(60)
        deadline = time.monotonic() + 30
        while True:
            page.reload()
            if page.locator("[data-testid=delivery][data-status=delivered]").count():
                break
            assert time.monotonic() < deadline, "delivery not shown as delivered"
            page.wait_for_timeout(300)
    assert page.text_content("[data-testid=delivery] [data-testid=attempts]") == "1"
    assert receiver.requests[0].json["event"] == "session.finished"
    shot(page, "settings")
    page.click("[data-delete-hook]")
    page.wait_for_selector("[data-testid=no-hooks]")

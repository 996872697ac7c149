"""Browser test of Web Push on the settings page: it installs the push service worker, and a push
message delivered to that worker (by Chromium's DevTools protocol, standing in for the push
service, which this machine cannot reach) is shown as a notification that says outcome and
counts; and the pages link a web app manifest, so a phone can install LabIntake."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.ui.conftest import Served, login

ACTIVE = """async () => {
  const reg = await navigator.serviceWorker.getRegistration('/static/js/');
  return Boolean(reg && reg.active && reg.active.state === 'activated');
}"""
NOTIFICATIONS = """async () => {
  const reg = await navigator.serviceWorker.getRegistration('/static/js/');
  return reg ? (await reg.getNotifications()).map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data.url})) : [];
}"""


def test_the_push_service_worker_shows_a_pushed_session_end(browser: Any, server: Served) -> None:
    ctx = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(20_000)
    ctx.grant_permissions(["notifications"], origin=server.url)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        login(page, server.url)
        cdp = ctx.new_cdp_session(page)
        registrations: list[dict[str, Any]] = []
        cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
        cdp.send("ServiceWorker.enable")
        page.goto("/settings")
        page.wait_for_function("() => !document.getElementById('push-on').disabled")
        assert not page.locator("[data-testid=push-on]").is_checked()  # this browser has not subscribed
        assert page.locator("[data-testid=push-unsupported]").is_hidden()
        assert page.text_content("#push-devices") == "0"
        # installable (a phone's home-screen web app; iOS delivers push to installed web apps only)
        manifest = page.evaluate("() => fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())")
        assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
        deadline = time.monotonic() + 20
        while not [r for r in registrations if r["scopeURL"].endswith("/static/js/") and not r["isDeleted"]]:
            assert time.monotonic() < deadline, registrations
            page.wait_for_timeout(100)
        [reg] = [r for r in registrations if r["scopeURL"].endswith("/static/js/")][-1:]
        # A push delivered to a worker still installing is dropped: deliver once it is active.
        deadline = time.monotonic() + 20
        while not page.evaluate(ACTIVE):
            assert time.monotonic() < deadline, "the push service worker never became active"
            page.wait_for_timeout(100)
        message = {"title": "3 reports ready", "body": "LabIntake: a session of 3 files has ended.",
                   "tag": "session-abc", "url": "/sessions/abc/review"}
        push = {"origin": server.url + "/", "registrationId": reg["registrationId"], "data": json.dumps(message)}
        # Polled with evaluate, which awaits the service worker's answer (a predicate that
        # returns a promise is truthy at once, so wait_for_function did not wait for it). The
        # message is delivered again every 5 s until shown: the same tag replaces, never adds.
        deadline, again = time.monotonic() + 30, 0.0
        while not (shown := page.evaluate(NOTIFICATIONS)):
            assert time.monotonic() < deadline, "no notification was shown"
            if time.monotonic() >= again:
                cdp.send("ServiceWorker.deliverPushMessage", push)
                again = time.monotonic() + 5
            page.wait_for_timeout(100)
        assert shown == [message]
        assert not errors, errors
    finally:
        ctx.close()

"""Browser test of Web Push on the settings page: it installs the push service worker, and a push
message delivered to that worker (by Chromium's DevTools protocol, standing in for the push
service, which this machine cannot reach) is shown as a notification that says outcome and
counts; when the push service replaces a subscription, the worker itself tells the server (no
page open); and the pages link a web app manifest, so a phone can install LabIntake."""

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


def test_the_worker_moves_a_replaced_subscription_on_the_server(browser: Any, server: Served) -> None:
    """``pushsubscriptionchange`` runs with no page open: the worker's own requests (cookie, the
    CSRF token from /api/me) add the new subscription and remove the old one. The event itself
    cannot be raised here (no push service), so its step is called in the real worker."""
    from tests.integration.test_notify_push import Browser

    ctx = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    try:
        login(page, server.url)
        page.goto("/settings")
        deadline = time.monotonic() + 20
        while not page.evaluate(ACTIVE):
            assert time.monotonic() < deadline, "the push service worker never became active"
            page.wait_for_timeout(100)
        [worker] = [w for w in ctx.service_workers if w.url.endswith("/static/js/push-sw.js")]
        old = Browser("https://93.184.216.34/push/v1/old").subscription.model_dump()
        fresh = Browser("https://93.184.216.35/push/v1/new").subscription.model_dump()
        created = page.evaluate("(sub) => LI.api('POST', '/api/push/subscriptions', sub)", old)
        assert created["id"]
        worker.evaluate("(subs) => renewSubscription(subs[0], subs[1])", [fresh, old])
        [now] = page.evaluate("() => LI.api('GET', '/api/push')")["subscriptions"]
        assert now["service"] == "93.184.216.35" and now["id"] != created["id"]
        # A worker whose old subscription the server never had still adds the new one.
        worker.evaluate("(subs) => renewSubscription(subs[0], subs[1])",
                        [Browser("https://93.184.216.36/push/v1/next").subscription.model_dump(), None])
        services = {s["service"] for s in page.evaluate("() => LI.api('GET', '/api/push')")["subscriptions"]}
        assert services == {"93.184.216.35", "93.184.216.36"}
    finally:
        ctx.close()

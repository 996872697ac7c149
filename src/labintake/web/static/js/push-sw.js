/* Service worker for Web Push: shows a session-end notification when the push service delivers
   one, even with no LabIntake tab open (a phone's installed web app included), and opens the
   session's review when it is clicked. The message is what the server sent, already free of
   health data: {"title": "12 reports ready", "body": "...", "tag": "session-…", "url": "/sessions/…/review"}. */
"use strict";

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  var url = typeof data.url === "string" && data.url.charAt(0) === "/" ? data.url : "/";
  event.waitUntil(self.registration.showNotification(data.title || "LabIntake", {
    body: data.body || "A session has ended.",
    tag: data.tag || "labintake",
    icon: "/static/favicon.svg",
    data: { url: url }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (open) {
    for (var i = 0; i < open.length; i++) {
      if (open[i].url === url && "focus" in open[i]) return open[i].focus();
    }
    return self.clients.openWindow(url);
  }));
});

/* The push service can end a subscription and hand out a new one (key rotation, expiry) while
   no LabIntake page is open: the worker tells the server itself, with the browser's session
   cookie and the CSRF token from /api/me, so session ends keep arriving. The old subscription
   is removed from the server; a new one is made with the same server key when the browser
   did not make it already. */
function api(method, path, body, csrf) {
  var headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrf) headers["X-CSRF-Token"] = csrf;
  return fetch(path, { method: method, credentials: "same-origin", headers: headers,
                       body: body === undefined ? undefined : JSON.stringify(body) }).then(function (r) {
    if (!r.ok) throw new Error(method + " " + path + ": " + r.status);
    return r.status === 204 ? null : r.json();
  });
}

function renewSubscription(fresh, old) {
  /* fresh and old are PushSubscription.toJSON() shapes (or null). */
  return api("GET", "/api/me").then(function (me) {
    var steps = Promise.resolve();
    if (fresh) steps = steps.then(function () { return api("POST", "/api/push/subscriptions", fresh, me.csrfToken); });
    if (old && (!fresh || old.endpoint !== fresh.endpoint)) {
      steps = steps.then(function () {
        return api("POST", "/api/push/subscriptions", old, me.csrfToken);
      }).then(function (known) {
        return api("DELETE", "/api/push/subscriptions/" + encodeURIComponent(known.id), undefined, me.csrfToken);
      }).catch(function () { return null; });  /* an old endpoint the server refuses is gone already */
    }
    return steps;
  });
}

self.addEventListener("pushsubscriptionchange", function (event) {
  var old = event.oldSubscription || null;
  var made = event.newSubscription ? Promise.resolve(event.newSubscription)
    : api("GET", "/api/push").then(function (r) {
        return self.registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: (old && old.options && old.options.applicationServerKey) || r.publicKey
        });
      });
  event.waitUntil(made.then(function (fresh) {
    return renewSubscription(fresh ? fresh.toJSON() : null, old ? old.toJSON() : null);
  }, function () {
    return renewSubscription(null, old ? old.toJSON() : null);
  }));
});

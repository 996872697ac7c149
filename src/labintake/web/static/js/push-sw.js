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

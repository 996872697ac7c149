/* Progress page: tell the person when the session ends. A badge in the tab title ("✓ …" when
   every file is ready, "(N) …" for N files that need attention) and, when the tab is hidden and
   they allowed it with "Notify me", a Web Notification. Outcome and counts only: never names,
   values or file names. Listens for progress.js's "li:finished" event; load this script first. */
(function () {
  "use strict";
  var btn = document.getElementById("notify-permission");
  var supported = "Notification" in window;
  var KEY = "li-notify";
  var baseTitle = document.title;
  var TERMINAL = { completed: 1, partial: 1, failed: 1, timeout: 1, cancelled: 1 };
  var snap = (window.LI && LI.json("snapshot")) || { summary: {} };
  // A session that had already ended when the page opened is not news: badge only.
  var endedBeforeLoad = !!TERMINAL[snap.summary.session_status];

  function optedIn() {
    try { return localStorage.getItem(KEY) === "on"; } catch (e) { return false; }
  }
  function allowed() { return supported && Notification.permission === "granted" && optedIn(); }

  function showButton() {
    if (!btn) return;
    btn.hidden = !supported || Notification.permission === "denied";
    var on = allowed();
    btn.setAttribute("aria-pressed", on ? "true" : "false");
    btn.lastChild.textContent = on ? " Notifications on" : " Notify me";
    btn.dataset.state = on ? "on" : "off";
  }

  if (btn) btn.addEventListener("click", function () {
    if (allowed()) {  // a second click turns them off for this browser
      try { localStorage.removeItem(KEY); } catch (e) { /* private mode */ }
      showButton();
      return;
    }
    var asked = Notification.requestPermission(function () { /* old callback form */ });
    Promise.resolve(asked).then(function (answer) {
      if ((answer || Notification.permission) === "granted") {
        try { localStorage.setItem(KEY, "on"); } catch (e) { /* private mode: lasts this page */ }
      }
      showButton();
    });
  });

  function outcome(d) {
    if (!d.failed && !d.cancelled) return d.completed + " report" + (d.completed === 1 ? "" : "s") + " ready";
    var parts = [d.completed + " ready"];
    if (d.failed) parts.push(d.failed + " need" + (d.failed === 1 ? "s" : "") + " attention");
    if (d.cancelled) parts.push(d.cancelled + " cancelled");
    return parts.join(", ");
  }
  LI.outcome = outcome;

  document.addEventListener("li:finished", function (e) {
    var d = e.detail;
    var attention = d.failed + (d.cancelled || 0);
    document.title = (attention ? "(" + attention + ") " : "\u2713 ") + baseTitle;
    var news = !endedBeforeLoad;
    endedBeforeLoad = false;  // a later end on this page (after a retry) is news again
    if (!news || !document.hidden || !allowed()) return;
    try {
      new Notification("LabIntake: " + outcome(d), {
        body: d.total + " file" + (d.total === 1 ? "" : "s") + ": " + d.completed + " ready, " + d.failed +
          " need attention" + (d.cancelled ? ", " + d.cancelled + " cancelled" : "") + ".",
        tag: "labintake-session-" + snap.sessionId,
        icon: "/static/favicon.svg",
      });
    } catch (err) { /* a browser that only notifies from a service worker: the title badge remains */ }
  });

  showButton();
})();

/* Settings page: the session-end email switch, push on this device (a service worker and a Web
   Push subscription), adding and deleting webhooks (the page is server-rendered; after a
   webhook change it reloads to show the truth). */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };

  function notice(text) {
    var n = $("notice");
    n.textContent = text;
    n.hidden = !text;
  }
  function failed(err) { notice((err && err.message) || "That did not work."); }

  var box = $("email-on");
  if (box) box.addEventListener("change", function () {
    box.disabled = true;
    LI.api("PUT", "/api/notifications", { emailOnFinish: box.checked }).then(function (r) {
      box.checked = r.emailOnFinish;
      notice(r.emailOnFinish ? "Session-end emails are on." : "Session-end emails are off.");
    }).catch(function (err) { box.checked = !box.checked; failed(err); })
      .then(function () { box.disabled = false; });
  });

  // Push on this device: the box is on when this browser holds a subscription the server has.
  var push = $("push-on");
  var canPush = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window &&
    window.isSecureContext;
  function keyBytes(b64url) {
    var raw = atob(b64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((b64url.length + 3) % 4));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function devices() {
    return LI.api("GET", "/api/push").then(function (r) {
      $("push-devices").textContent = r.subscriptions.length;
      return r;
    });
  }
  function register() {
    // Its scope is /static/js/, not this page's: wait for it to be active here, not via .ready.
    return navigator.serviceWorker.register("/static/js/push-sw.js").then(function (reg) {
      var coming = reg.installing || reg.waiting;
      if (reg.active || !coming) return reg;
      return new Promise(function (resolve) {
        coming.addEventListener("statechange", function () { if (coming.state === "activated") resolve(reg); });
      });
    });
  }
  function pushOn(reg) {
    return Promise.resolve(Notification.requestPermission()).then(function (answer) {
      if (answer !== "granted") throw { message: "Notifications are blocked for this site in the browser's settings." };
      return LI.api("GET", "/api/push");
    }).then(function (r) {
      return reg.pushManager.getSubscription().then(function (sub) {
        return sub || reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(r.publicKey) });
      });
    }).then(function (sub) { return LI.api("POST", "/api/push/subscriptions", sub.toJSON()); });
  }
  function pushOff(reg) {
    return reg.pushManager.getSubscription().then(function (sub) {
      if (!sub) return null;
      return LI.api("POST", "/api/push/subscriptions", sub.toJSON()).then(function (r) {
        return LI.api("DELETE", "/api/push/subscriptions/" + encodeURIComponent(r.id));
      }).then(function () { return sub.unsubscribe(); });
    });
  }
  if (push && !canPush) {
    $("push-unsupported").hidden = false;
  } else if (push) {
    register().then(function (reg) {
      return reg.pushManager.getSubscription().then(function (sub) {
        // Tell the server again (it may have removed it after the push service said it had ended).
        return sub && Notification.permission === "granted"
          ? LI.api("POST", "/api/push/subscriptions", sub.toJSON()).then(function () { return true; }) : false;
      }).then(function (on) {
        push.checked = on;
        push.disabled = false;
        push.addEventListener("change", function () {
          push.disabled = true;
          (push.checked ? pushOn(reg) : pushOff(reg)).then(function () {
            notice(push.checked ? "Push notifications are on for this device." : "Push notifications are off for this device.");
            return devices();
          }).catch(function (err) { push.checked = !push.checked; failed(err); })
            .then(function () { push.disabled = false; });
        });
      });
    }).catch(failed);
  }

  $("add-hook").addEventListener("submit", function (e) {
    e.preventDefault();
    var body = { url: $("hook-url").value.trim(), secret: $("hook-secret").value };
    LI.api("POST", "/api/webhooks", body).then(function () { location.reload(); }).catch(failed);
  });

  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-delete-hook]");
    if (!b) return;
    b.disabled = true;
    LI.api("DELETE", "/api/webhooks/" + encodeURIComponent(b.dataset.deleteHook))
      .then(function () { location.reload(); })
      .catch(function (err) { b.disabled = false; failed(err); });
  });
})();

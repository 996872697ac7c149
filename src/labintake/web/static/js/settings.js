/* Settings page: the session-end email switch, adding and deleting webhooks (the page is
   server-rendered; after a change it reloads to show the truth). */
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

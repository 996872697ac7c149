/* Inline rename of a session: a "Rename" button beside the name turns it into a field; Enter
   saves (PATCH /api/sessions/{id}), Esc cancels; an empty name goes back to the default. */
(function () {
  "use strict";
  var LI = window.LI;
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-rename-session]");
    if (!btn) return;
    var sid = btn.dataset.renameSession;
    var shown = document.querySelector('[data-session-name="' + CSS.escape(sid) + '"]');
    if (!shown || shown.hidden) return;
    var input = document.createElement("input");
    input.className = "rename-input";
    input.maxLength = 200;
    input.value = shown.textContent;
    input.setAttribute("aria-label", "Session name (Enter saves, Esc cancels)");
    input.dataset.testid = "rename-input";
    shown.hidden = true;
    btn.hidden = true;
    shown.after(input);
    input.focus();
    input.select();
    var done = function () { input.remove(); shown.hidden = false; btn.hidden = false; btn.focus(); };
    input.addEventListener("keydown", function (k) {
      if (k.key === "Escape") { k.preventDefault(); done(); }
      if (k.key !== "Enter") return;
      k.preventDefault();
      input.disabled = true;
      LI.api("PATCH", "/api/sessions/" + encodeURIComponent(sid), { name: input.value }).then(function (r) {
        shown.textContent = r.name;
        done();
      }).catch(function (err) {
        input.disabled = false;
        input.setCustomValidity((err && err.message) || "Not saved");
        input.reportValidity();
      });
    });
    input.addEventListener("blur", function () { if (!input.disabled) done(); });
  });
})();

/* LabIntake: helpers every page uses (theme toggle, API calls with the CSRF header, formatting). */
(function () {
  "use strict";
  var LI = (window.LI = window.LI || {});

  // --- theme: system -> light -> dark -> system ------------------------------------------
  var order = ["system", "light", "dark"];
  function applyTheme(t) {
    if (t === "system") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = t;
    var b = document.getElementById("theme-toggle");
    if (b) b.setAttribute("aria-label", "Colour theme: " + t + " (change)");
    document.dispatchEvent(new CustomEvent("li:theme"));
  }
  LI.theme = function () {
    return document.documentElement.dataset.theme || "system";
  };
  LI.isDark = function () {
    var t = document.documentElement.dataset.theme;
    if (t) return t === "dark";
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  };
  document.addEventListener("DOMContentLoaded", function () {
    var b = document.getElementById("theme-toggle");
    if (!b) return;
    applyTheme(LI.theme());
    b.addEventListener("click", function () {
      var next = order[(order.indexOf(LI.theme()) + 1) % order.length];
      try {
        if (next === "system") localStorage.removeItem("li-theme");
        else localStorage.setItem("li-theme", next);
      } catch (e) { /* private mode: the choice lasts this page only */ }
      applyTheme(next);
    });
  });

  // --- API --------------------------------------------------------------------------------
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }
  LI.csrf = csrf;

  /** fetch JSON; rejects with {status, code, message} using the API's error shape. */
  LI.api = function (method, url, body) {
    var opts = { method: method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (method !== "GET" && method !== "HEAD") opts.headers["X-CSRF-Token"] = csrf();
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (r) {
      if (r.status === 204) return null;
      return r.json().catch(function () { return null; }).then(function (data) {
        if (r.ok) return data;
        var err = (data && data.error) || {};
        throw { status: r.status, code: err.code || "http_" + r.status, message: err.message || r.statusText };
      });
    });
  };

  LI.duration = function (ms) {
    if (ms === null || ms === undefined) return "";
    var s = ms / 1000;
    if (s < 60) return s.toFixed(1) + " s";
    return Math.floor(s / 60) + " min " + Math.floor(s % 60) + " s";
  };
  LI.bytes = function (n) {
    if (n < 1024) return n + " B";
    if (n < 1024 * 1024) return (n / 1024).toFixed(0) + " KB";
    return (n / 1024 / 1024).toFixed(1) + " MB";
  };
  LI.icon = function (name, cls) {
    return '<svg class="icon ' + (cls || "") + '" aria-hidden="true" focusable="false"><use href="/static/vendor/lucide/sprite.svg#i-' + name + '"></use></svg>';
  };
  LI.esc = function (s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  };
  LI.json = function (id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  };
})();

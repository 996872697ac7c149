// Loaded in <head>, before first paint, so a dark page never flashes light: the saved choice,
// else the system's. A file rather than an inline script, so the CSP can refuse inline scripts.
(function () {
  try { var t = localStorage.getItem("li-theme"); if (t === "dark" || t === "light") document.documentElement.dataset.theme = t; } catch (e) {}
})();

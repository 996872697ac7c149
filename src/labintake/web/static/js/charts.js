/* Chart.js defaults that follow the page theme (light/dark); charts are redrawn when it changes. */
(function () {
  "use strict";
  var LI = window.LI;
  var charts = [];
  function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
  function theme() {
    Chart.defaults.color = css("--muted");
    Chart.defaults.borderColor = css("--line");
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.animation = window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : Chart.defaults.animation;
  }
  LI.color = css;
  LI.chart = function (id, build) {
    var el = document.getElementById(id);
    if (!el) return;
    theme();
    var entry = { id: id, build: build, chart: new Chart(el, build()) };
    charts.push(entry);
  };
  function redraw() {
    theme();
    charts.forEach(function (c) { c.chart.destroy(); c.chart = new Chart(document.getElementById(c.id), c.build()); });
  }
  document.addEventListener("li:theme", redraw);
  if (window.matchMedia) window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", redraw);
})();

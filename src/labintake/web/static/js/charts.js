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
  // A chart with nothing to show says so in words instead of drawing empty axes.
  LI.emptyChart = function (id, text) {
    var el = document.getElementById(id);
    if (!el) return;
    var p = document.createElement("p");
    p.className = "muted chart-empty";
    p.setAttribute("data-testid", "chart-empty");
    p.textContent = text;
    el.parentNode.replaceWith(p);
  };
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

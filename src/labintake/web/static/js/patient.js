/* One analyte over time, with the reference range drawn as a band. */
(function () {
  "use strict";
  var LI = window.LI;
  // Choosing another analyte shows it at once (no inline handler: the CSP refuses those).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  var pts = (LI.json("points") || []).filter(function (p) { return p.value !== null && p.date; });
  if (!pts.length) return;
  // A single value sits in the middle of a band three slots wide: a band between two points
  // of one slot has no width, and a lone point on the axis looks like an error.
  var single = pts.length === 1;
  var labels = single ? ["", pts[0].date, ""] : pts.map(function (p) { return p.date; });
  var band = function (key) {
    return single ? [pts[0][key], pts[0][key], pts[0][key]] : pts.map(function (p) { return p[key]; });
  };
  var values = function (f) { var v = pts.map(f); return single ? [null, v[0], null] : v; };
  LI.chart("c-series", function () {
    var accent = LI.color("--accent");
    return { type: "line", data: { labels: labels, datasets: [
      { label: "Reference high", data: band("high"), borderColor: "transparent", pointRadius: 0, fill: false, spanGaps: true },
      { label: "Reference range", data: band("low"), borderColor: "transparent", pointRadius: 0, spanGaps: true,
        backgroundColor: "rgba(34, 197, 94, 0.15)", fill: "-1" },
      { label: pts[0].unit ? "Value (" + pts[0].unit + ")" : "Value", data: values(function (p) { return p.value; }),
        borderColor: accent, backgroundColor: accent, tension: 0.15, pointRadius: 5,
        pointBackgroundColor: values(function (p) { return p.flag === "high" ? LI.color("--high") : p.flag === "low" ? LI.color("--low") : accent; }) },
    ] }, options: { plugins: { legend: { labels: { filter: function (i) { return i.text !== "Reference high"; } } } },
      scales: { y: { grace: "10%", title: { display: true, text: pts[0].unit || "" } } } } };
  });
})();

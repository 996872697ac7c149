/* Analytics charts from the figures rendered into the page (no inline script: CSP). */
(function () {
  "use strict";
  var LI = window.LI;
  var f = LI.json("figures");
  var s = f.series;
  var periods = s.periods.map(function (p) { return f.range.granularity === "week" ? "week of " + p : p; });
  var anyFiles = s.files.some(function (n) { return n > 0; });
  var palette = ["--downloading", "--parsing", "--saving", "--extracting", "--completed", "--failed"];
  var pick = function (i) { return LI.color(palette[i % palette.length]); };
  var secs = { y: { beginAtZero: true, title: { display: true, text: "seconds" } } };

  if (!s.timeByType.length) LI.emptyChart("c-trend", "No file completed in this range.");
  else LI.chart("c-trend", function () {
    var sets = [];
    s.timeByType.forEach(function (t, i) {
      sets.push({ type: "line", label: t.label + " median", data: t.median, borderColor: pick(i), backgroundColor: pick(i), spanGaps: true, tension: 0.2 });
      sets.push({ type: "line", label: t.label + " p95", data: t.p95, borderColor: pick(i), backgroundColor: pick(i), borderDash: [5, 4], spanGaps: true, tension: 0.2 });
    });
    return { type: "line", data: { labels: periods, datasets: sets }, options: { scales: secs } };
  });

  if (!anyFiles) LI.emptyChart("c-success", "No file ended in this range.");
  else LI.chart("c-success", function () {
    return { type: "bar", data: { labels: periods, datasets: [
      { type: "line", label: "Success rate (%)", yAxisID: "rate", data: s.successRate.map(function (r) { return r === null ? null : Math.round(1000 * r) / 10; }),
        borderColor: LI.color("--completed"), backgroundColor: LI.color("--completed"), spanGaps: true, tension: 0.2 },
      { label: "Completed", data: s.completed, backgroundColor: LI.color("--saving"), stack: "n" },
      { label: "Failed", data: s.failed, backgroundColor: LI.color("--failed"), stack: "n" },
    ] }, options: { scales: { y: { beginAtZero: true, stacked: true, ticks: { precision: 0 }, title: { display: true, text: "files" } },
      rate: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: "%" } } } } };
  });

  if (!anyFiles) LI.emptyChart("c-pages", "No file ended in this range.");
  else LI.chart("c-pages", function () {
    return { type: "bar", data: { labels: periods, datasets: [
      { label: "Pages", data: s.pages, backgroundColor: LI.color("--extracting") },
    ] }, options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } };
  });

  var stages = f.stages.filter(function (st) { return st.files > 0; });
  if (!stages.length) LI.emptyChart("c-stages", "No stage timings in this range.");
  else LI.chart("c-stages", function () {
    return { type: "bar", data: { labels: stages.map(function (st) { return st.label; }), datasets: [
      { label: "Median (s)", data: stages.map(function (st) { return st.medianSeconds; }), backgroundColor: LI.color("--downloading") },
      { label: "95th percentile (s)", data: stages.map(function (st) { return st.p95Seconds; }), backgroundColor: LI.color("--parsing") },
    ] }, options: { scales: secs } };
  });

  if (!f.fileTypes.length) LI.emptyChart("c-types", "No file ended in this range.");
  else LI.chart("c-types", function () {
    return { type: "bar", data: { labels: f.fileTypes.map(function (t) { return t.label; }), datasets: [
      { label: "Seconds per page", data: f.fileTypes.map(function (t) { return t.secondsPerPage; }), backgroundColor: LI.color("--downloading") },
      { type: "line", label: "Success rate (%)", yAxisID: "rate", showLine: false, pointRadius: 6,
        data: f.fileTypes.map(function (t) { return t.successRate === null ? null : Math.round(1000 * t.successRate) / 10; }),
        borderColor: LI.color("--completed"), backgroundColor: LI.color("--completed") },
    ] }, options: { scales: { y: { beginAtZero: true, title: { display: true, text: "seconds per page" } },
      rate: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: "%" } } } } };
  });

  if (!f.cost.files) LI.emptyChart("c-cost", "No measured cost in this range.");
  else LI.chart("c-cost", function () {
    return { type: "bar", data: { labels: periods, datasets: [
      { label: "Estimated cost (" + f.cost.currency + ")", data: s.cost, backgroundColor: LI.color("--saving") },
    ] }, options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, title: { display: true, text: f.cost.currency },
      ticks: { callback: function (v) { return Number(v) === 0 ? "0" : Number(Number(v).toPrecision(2)).toString(); } } } } } };
  });

  if (!f.byFileType.length) LI.emptyChart("c-time", "No files processed yet.");
  else LI.chart("c-time", function () {
    return { type: "bar", data: { labels: f.byFileType.map(function (t) { return t.label; }), datasets: [
      { label: "Average (s)", data: f.byFileType.map(function (t) { return t.avgProcessingMs === null ? null : t.avgProcessingMs / 1000; }), backgroundColor: LI.color("--downloading") },
      { label: "Longest (s)", data: f.byFileType.map(function (t) { return t.maxProcessingMs === null ? null : t.maxProcessingMs / 1000; }), backgroundColor: LI.color("--parsing") },
    ] }, options: { scales: secs } };
  });

  if (!f.failuresByErrorCode.length) LI.emptyChart("c-errors", "No failures.");
  else LI.chart("c-errors", function () {
    return { type: "bar", data: { labels: f.failuresByErrorCode.map(function (e) { return e.label; }), datasets: [
      { label: "Failed files", data: f.failuresByErrorCode.map(function (e) { return e.count; }), backgroundColor: LI.color("--failed"), maxBarThickness: 36 },
    ] }, options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } } };
  });

  if (!f.retriedFiles) LI.emptyChart("c-retry", "No file has been retried yet.");
  else LI.chart("c-retry", function () {
    var ok = f.retrySuccessRate === null ? 0 : Math.round(f.retriedFiles * f.retrySuccessRate);
    return { type: "doughnut", data: { labels: ["Succeeded after retry", "Still failed"], datasets: [
      { data: [ok, f.retriedFiles - ok], backgroundColor: [LI.color("--completed"), LI.color("--failed")], borderColor: LI.color("--card") },
    ] } };
  });
})();

/* Analytics charts from the figures rendered into the page. */
(function () {
  "use strict";
  var LI = window.LI;
  var f = LI.json("figures");
  // Human labels (domain/labels.py): "Photo (JPEG)", "Damaged PDF", never a MIME type or a code.
  var L = LI.json("labels");
  var label = function (t) { return L.fileTypes[String(t).toLowerCase()] || "Other file"; };
  var title = function (code) { return L.errors[code] || String(code).replace(/_/g, " "); };
  if (!f.byFileType.length) LI.emptyChart("c-time", "No files processed yet.");
  else LI.chart("c-time", function () {
    return { type: "bar", data: { labels: f.byFileType.map(function (t) { return label(t.fileType); }), datasets: [
      { label: "Average (s)", data: f.byFileType.map(function (t) { return t.avgProcessingMs === null ? null : t.avgProcessingMs / 1000; }), backgroundColor: LI.color("--downloading") },
      { label: "Longest (s)", data: f.byFileType.map(function (t) { return t.maxProcessingMs === null ? null : t.maxProcessingMs / 1000; }), backgroundColor: LI.color("--parsing") },
    ] }, options: { scales: { y: { beginAtZero: true, title: { display: true, text: "seconds" } } } } };
  });
  if (!f.daily.length) LI.emptyChart("c-success", "No files processed yet.");
  else LI.chart("c-success", function () {
    return { type: "bar", data: { labels: f.daily.map(function (d) { return d.day; }), datasets: [
      { type: "line", label: "Success rate (%)", yAxisID: "rate", data: f.daily.map(function (d) {
        var n = d.completed + d.failed; return n ? Math.round((1000 * d.completed) / n) / 10 : null; }), borderColor: LI.color("--completed"), backgroundColor: LI.color("--completed"), tension: 0.2 },
      { label: "Completed", data: f.daily.map(function (d) { return d.completed; }), backgroundColor: LI.color("--saving"), stack: "n" },
      { label: "Failed", data: f.daily.map(function (d) { return d.failed; }), backgroundColor: LI.color("--failed"), stack: "n" },
    ] }, options: { scales: { y: { beginAtZero: true, stacked: true, title: { display: true, text: "files" } },
      rate: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: "%" } } } } };
  });
  if (!f.failuresByErrorCode.length) LI.emptyChart("c-errors", "No failures.");
  else LI.chart("c-errors", function () {
    return { type: "bar", data: { labels: f.failuresByErrorCode.map(function (e) { return title(e.errorCode); }), datasets: [
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

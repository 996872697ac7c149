/* Live progress: the server-rendered snapshot first, then Server-Sent Events (polling as fallback).

Merge rule: every file carries the id of the last event its state reflects (eventId). A
pushed event is applied only if its id is newer; a snapshot replaces a file only if its
eventId is at least as new. So events and snapshots can arrive in any order, twice, or
not at all, and the page never goes backwards or shows an update twice.
*/
(function () {
  "use strict";
  var LI = window.LI;
  var cfg = LI.json("config");
  var SID = cfg.sessionId;
  // The status sets come from the server (domain/status.py), never a copy of our own.
  var VOCAB = LI.json("vocabulary");
  function setOf(list) { var o = {}; list.forEach(function (s) { o[s] = 1; }); return o; }
  var ACTIVE = setOf(VOCAB.active);
  var TERMINAL = setOf(VOCAB.sessionTerminal);
  var FINISHED = setOf(VOCAB.finished);
  var RETRYABLE = setOf(VOCAB.userRetryable);
  // Human labels from domain/labels.py: the page never shows a stored code.
  var LABELS = cfg.labels.fileStatuses;
  var SESSION_LABELS = cfg.labels.sessionStatuses;
  var ICONS = { pending: "upload", downloading: "download", extracting: "search", parsing: "file-text",
    saving: "save", completed: "circle-check", failed: "circle-alert", timeout: "clock", cancelled: "circle-x" };
  var POLL_MS = 2000;
  var params = new URLSearchParams(location.search);
  var forcePoll = params.get("transport") === "poll" || !window.EventSource;
  var stay = params.get("stay") === "1";

  var model = {
    files: {}, order: [], state: "open", timedOut: false, timeoutSeconds: 0, final: false,
    sessionEventId: 0, skew: 0, startedTerminal: false, offlineSince: 0,
  };
  var ui = { filter: "all", page: 0, dirty: {}, all: true, frame: 0, handover: 0 };
  var es = null, pollTimer = 0, reconnectTimer = 0, reconnectDelay = 2000, snapshotBusy = false, snapshotAgain = false;
  var announce = [];

  // ------------------------------------------------------------------ model
  function fileFrom(src, old) {
    var f = old || { history: [] };
    f.fileId = src.fileId; f.fileName = src.fileName; f.fileType = src.fileType;
    f.status = src.status; f.progress = src.progress; f.error = src.error; f.errorCode = src.errorCode;
    f.processingTime = src.processingTime; f.attemptNumber = src.attemptNumber; f.isRetryable = src.isRetryable;
    if (src.toCheck !== undefined) f.toCheck = src.toCheck;
    f.pagesDone = src.pagesDone; f.pagesTotal = src.pagesTotal;
    if (src.resumed !== undefined) f.resumed = !!src.resumed;
    f.eventId = src.eventId || 0;
    if (ACTIVE[f.status] && src.processingTime !== null && src.processingTime !== undefined) {
      f.startedAt = Date.now() - src.processingTime;
    }
    note(f);
    return f;
  }

  // What a row shows: a snapshot that changes none of it leaves the file (and its row) alone, so
  // a refresh of a 1,000-file session re-renders only the rows that moved.
  var SHOWN = ["status", "progress", "error", "errorCode", "processingTime", "attemptNumber", "isRetryable",
    "toCheck", "pagesDone", "pagesTotal", "fileName", "fileType"];
  function same(f, src) {
    if ((src.eventId || 0) !== f.eventId) return false;
    if (src.resumed !== undefined && !!src.resumed !== !!f.resumed) return false;
    for (var i = 0; i < SHOWN.length; i++) {
      var k = SHOWN[i];
      if (src[k] !== undefined && src[k] !== f[k]) return false;
    }
    return true;
  }

  function note(f) {
    var h = f.history;
    if (!h.length || h[h.length - 1] !== f.status) h.push(f.status);
  }

  function applySnapshot(snap, initial) {
    model.skew = Date.now() - Date.parse(snap.timestamp);
    var changed = false;
    // Files are only ever learnt from snapshots, one at a time: one missing now was removed.
    var present = {};
    snap.files.forEach(function (src) { present[src.fileId] = 1; });
    model.order.slice().forEach(function (id) { if (!present[id]) { forget(id); changed = true; } });
    snap.files.forEach(function (src) {
      var f = model.files[src.fileId];
      if (!f) {
        model.files[src.fileId] = fileFrom(src);
        model.order.push(src.fileId);
        ui.all = true;
        changed = true;
      } else if ((src.eventId || 0) >= f.eventId && !same(f, src)) {
        var before = f.status;
        fileFrom(src, f);
        if (before !== f.status) { changed = true; said(f); }
        dirty(f.fileId);
      }
    });
    if (snap.lastEventId >= model.sessionEventId) {
      model.state = snap.state;
      model.timedOut = snap.summary.session_status === "timeout";
      if (snap.timeoutSeconds) model.timeoutSeconds = snap.timeoutSeconds;
      model.sessionEventId = snap.lastEventId;
      // The snapshot may already include the final "session" event; then none will come.
      if (TERMINAL[snap.summary.session_status] && finished()) {
        model.final = true;
        if (!initial) { closeStream(); stopPolling(); }
      }
    }
    if (initial) model.startedTerminal = finished();
    schedule();
    return changed;
  }

  function forget(id) {
    delete model.files[id];
    model.order = model.order.filter(function (x) { return x !== id; });
    ui.all = true;
  }

  function applyEvent(e) {
    if (!e || typeof e.id !== "number") return;
    if (e.kind === "file_removed") {
      if (model.files[e.fileId]) forget(e.fileId);
      schedule();
      return;
    }
    if (e.kind === "file") {
      var f = model.files[e.fileId];
      if (!f) { refreshSnapshot(); return; } // a file added after the page loaded
      if (e.id <= f.eventId) return; // seen already (replay, snapshot was newer, duplicate)
      var before = f.status;
      f.eventId = e.id;
      f.status = e.status;
      f.progress = e.progress === null || e.progress === undefined ? f.progress : e.progress;
      if (e.pagesDone !== undefined) { f.pagesDone = e.pagesDone; f.pagesTotal = e.pagesTotal; }
      else if (e.status === "extracting") f.pagesDone = 0; // a reading (re)starts at its first page
      var at = e.at ? Date.parse(e.at) + model.skew : Date.now();
      if (e.status === "downloading" && before !== "downloading") { f.startedAt = at; f.processingTime = null; }
      if (e.status === "pending" && before !== "pending") {
        // Retried (by a person or automatically): a fresh attempt.
        f.error = null; f.processingTime = null; f.startedAt = null;
        // Handed back after its worker was lost (a restart): not a failure the person must act on.
        f.resumed = e.errorCode === "worker_lost";
        f.errorCode = null;
        if (FINISHED[before] || ACTIVE[before]) f.attemptNumber = (f.attemptNumber || 1) + 1;
        model.final = false;
      }
      if (FINISHED[e.status]) {
        if (f.startedAt) f.processingTime = Math.max(0, at - f.startedAt);
        if (e.errorCode) { f.errorCode = e.errorCode; f.error = cfg.messages[e.errorCode] || e.errorCode; }
        refreshSnapshot(); // the exact message, duration and attempt
      }
      note(f);
      if (before !== f.status) said(f);
      dirty(f.fileId);
    } else if (e.id > model.sessionEventId) {
      model.sessionEventId = e.id;
      if (e.kind === "session_state" && e.status) {
        model.state = e.status;
        if (e.status === "running") model.final = false;
      }
      if (e.kind === "session" && e.status) {
        model.timedOut = e.status === "timeout";
        model.final = true;
        closeStream();
        refreshSnapshot();
      }
    }
    schedule();
  }

  function dirty(id) { ui.dirty[id] = 1; }

  function counts() {
    var c = { total: 0, completed: 0, failed: 0, processing: 0, pending: 0, cancelled: 0, timeout: 0 };
    model.order.forEach(function (id) {
      var s = model.files[id].status;
      c.total++;
      if (s === "completed") c.completed++;
      else if (s === "failed") c.failed++;
      else if (s === "timeout") { c.failed++; c.timeout++; }
      else if (s === "cancelled") c.cancelled++;
      else if (ACTIVE[s]) c.processing++;
      else c.pending++;
    });
    return c;
  }

  /** The session status, by the same rule as domain/status.py summarize(). */
  function sessionStatus(c) {
    if (c.total === 0) return model.state === "cancelled" ? "cancelled" : "pending";
    if (model.state === "open") return "pending";  // still being filled: not started, so not finished either
    if (c.pending + c.processing === 0) {
      if (c.cancelled > 0 || model.state === "cancelled") return "cancelled";
      if (model.timedOut) return "timeout";
      if (c.completed === c.total) return "completed";
      if (c.completed === 0) return c.timeout === c.failed ? "timeout" : "failed";
      return "partial";
    }
    if (model.state === "cancelled") return "cancelled";
    if (model.state === "paused") return "paused";
    if (c.processing > 0 || c.completed + c.failed > 0 || model.state === "running") return "processing";
    return "pending";
  }

  function finished() {
    var c = counts();
    return c.total > 0 && c.pending + c.processing === 0;
  }

  // ------------------------------------------------------------------ transport
  function connect() {
    if (forcePoll) { startPolling(); return; }
    closeStream();
    var url = "/api/sessions/" + encodeURIComponent(SID) + "/events?after=" + lastSeen();
    es = new EventSource(url);
    var handler = function (msg) {
      var data;
      try { data = JSON.parse(msg.data); } catch (err) { return; }
      if (data.id === null || data.id === undefined) data.id = Number(msg.lastEventId);
      applyEvent(data);
    };
    ["file", "file_removed", "session_state", "session", "message"].forEach(function (k) { es.addEventListener(k, handler); });
    es.onopen = function () {
      reconnectDelay = 2000;
      stopPolling();
      showNotice(null);
      refreshSnapshot(); // anything that happened while we were away
    };
    es.onerror = function () {
      if (model.final) { closeStream(); return; }
      if (!model.offlineSince) showNotice("Connection lost — reconnecting… Progress is still being checked every 2 seconds.");
      startPolling();
      if (es && es.readyState === EventSource.CLOSED) {
        // The browser gave up (an HTTP error): try again later, resuming after what we have.
        es = null;
        clearTimeout(reconnectTimer);
        reconnectTimer = setTimeout(connect, reconnectDelay);
        reconnectDelay = Math.min(reconnectDelay * 2, 30000);
      }
    };
  }

  function lastSeen() {
    var m = model.sessionEventId;
    model.order.forEach(function (id) { if (model.files[id].eventId > m) m = model.files[id].eventId; });
    return m;
  }

  function closeStream() {
    if (es) { es.close(); es = null; }
    clearTimeout(reconnectTimer);
  }

  function startPolling() {
    if (pollTimer) return;
    pollTimer = setInterval(function () {
      if (model.final) { stopPolling(); return; }
      refreshSnapshot();
    }, POLL_MS);
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = 0;
  }

  // A full snapshot of a big session is costly to fetch and apply: at most one per 2 ms per file
  // (every 2 s at 1,000 files, 150 ms for a few). Pushed events keep the rows live meanwhile.
  var lastSnapshot = 0, snapshotTimer = 0;
  function refreshSnapshot() {
    if (snapshotBusy) { snapshotAgain = true; return; }
    var wait = lastSnapshot + Math.max(150, 2 * model.order.length) - Date.now();
    if (wait > 0) {
      if (!snapshotTimer) snapshotTimer = setTimeout(function () { snapshotTimer = 0; refreshSnapshot(); }, wait);
      return;
    }
    snapshotBusy = true;
    lastSnapshot = Date.now();
    LI.api("GET", "/api/ui/sessions/" + encodeURIComponent(SID) + "/snapshot")
      .then(function (snap) {
        offline(false);
        applySnapshot(snap, false);
        if (finished() && !model.final && (forcePoll || !es || es.readyState !== EventSource.OPEN)) model.final = true;
        if (finished() && model.final) { stopPolling(); closeStream(); showNotice(null); }
      })
      .catch(function (err) {
        if (!err || !err.status || err.status >= 500) offline(true);
        else if (err && err.status === 401) showNotice("Your login has expired. Reload the page to log in again.");
        else if (err && err.status === 404) showNotice("This session no longer exists.");
      })
      .then(function () {
        snapshotBusy = false;
        if (snapshotAgain) { snapshotAgain = false; refreshSnapshot(); }
      });
  }

  // ------------------------------------------------------------------ rendering (one pass per frame)
  function schedule() {
    if (!ui.frame) ui.frame = requestAnimationFrame(render);
  }

  var $ = function (id) { return document.getElementById(id); };

  function visibleIds() {
    var ids = model.order.filter(function (id) {
      var s = model.files[id].status;
      switch (ui.filter) {
        case "active": return !!ACTIVE[s];
        case "pending": return s === "pending";
        case "failed": return !!RETRYABLE[s];
        case "completed": return s === "completed";
        default: return true;
      }
    });
    var pages = Math.max(1, Math.ceil(ids.length / cfg.pageSize));
    if (ui.page >= pages) ui.page = pages - 1;
    return { ids: ids.slice(ui.page * cfg.pageSize, (ui.page + 1) * cfg.pageSize), total: ids.length, pages: pages };
  }

  function render() {
    ui.frame = 0;
    var c = counts();
    var status = sessionStatus(c);
    var pct = c.total ? Math.floor((100 * c.completed) / c.total) : 0;
    $("count-text").textContent = c.completed + " of " + c.total + " file" + (c.total === 1 ? "" : "s") + " completed";
    $("overall-pct").textContent = pct + "%";
    $("overall-bar").firstElementChild.style.width = pct + "%";
    $("overall-bar").setAttribute("aria-valuenow", String(pct));
    $("n-completed").textContent = c.completed;
    $("n-processing").textContent = c.processing;
    $("n-pending").textContent = c.pending;
    $("n-failed").textContent = c.failed;
    var pill = $("session-status");
    pill.textContent = SESSION_LABELS[status] || status;
    pill.className = "pill st-" + status;
    var heading = SESSION_LABELS[status] || status;  // "Finished", "Finished with problems", …
    if ($("heading").textContent !== heading) { $("heading").textContent = heading; document.title = heading + " · LabIntake"; }
    $("files").classList.toggle("frozen", !!model.offlineSince);
    $("eta").textContent = eta(c, status);
    controls(status);

    var list = $("files");
    var view = visibleIds();
    if (ui.all || list.dataset.view !== view.ids.join(",")) {
      var frag = document.createDocumentFragment();
      view.ids.forEach(function (id) { frag.appendChild(row(model.files[id])); });
      list.textContent = "";
      list.appendChild(frag);
      list.dataset.view = view.ids.join(",");
    } else {
      var shown = {};  // the page's rows by file id: one pass, not a query per changed file
      for (var el = list.firstElementChild; el; el = el.nextElementSibling) shown[el.dataset.fileId] = el;
      Object.keys(ui.dirty).forEach(function (id) {
        if (shown[id] && model.files[id]) shown[id].replaceWith(row(model.files[id]));
      });
    }
    ticking(list);
    ui.all = false;
    ui.dirty = {};
    $("pager").hidden = view.pages <= 1;
    $("page-text").textContent = "Page " + (ui.page + 1) + " of " + view.pages + " (" + view.total + " files)";
    $("prev").disabled = ui.page === 0;
    $("next").disabled = ui.page >= view.pages - 1;
    flushAnnouncements();
    completion(c, status);
  }

  function row(f) {
    var li = document.createElement("li");
    li.className = "file s-" + f.status;
    li.dataset.fileId = f.fileId;
    li.dataset.status = f.status;
    li.dataset.testid = "file-row";
    var badge = f.fileType === "application/pdf" ? "PDF" : /^image\//.test(f.fileType) ? "IMAGE" : "FILE";
    var time = FINISHED[f.status] && f.status !== "cancelled" ? LI.duration(f.processingTime)
      : ACTIVE[f.status] && f.startedAt ? LI.duration(now() - f.startedAt) : "";
    var acts = actions(f);
    li.innerHTML =
      '<span class="badge type" data-testid="type-badge">' + badge + "</span>" +
      '<span class="st-icon' + (ACTIVE[f.status] ? " active" : "") + '">' + LI.icon(ICONS[f.status] || "file") + "</span>" +
      '<div class="fmain"><div class="fline"><span class="name">' + LI.esc(f.fileName) + "</span> " +
      '<span class="label" data-testid="status-label">' + (LABELS[f.status] || f.status) + "</span>" +
      (f.status === "extracting" && f.pagesTotal > 1 ? ' <span class="pages muted" data-testid="pages">' +
        pagesText(f) + "</span>" : "") +
      (f.status === "completed" && f.toCheck ? ' <span class="to-check" data-testid="to-check">' + f.toCheck + " to check</span>" : "") +
      (f.resumed && !FINISHED[f.status] ? ' <span class="attempt muted" data-testid="attempt">resumed after an interruption</span>'
        : f.attemptNumber > 1 ? ' <span class="attempt muted" data-testid="attempt">attempt ' + f.attemptNumber + "</span>" : "") +
      "</div>" +
      '<div class="bar" role="progressbar" aria-label="' + LI.esc(f.fileName) + '" aria-valuemin="0" aria-valuemax="100" aria-valuenow="' +
      f.progress + '"><div style="width:' + f.progress + '%"></div></div>' +
      (f.error ? '<div class="err" data-testid="error">' + LI.esc(f.error) + (acts ? " " + acts : "") + "</div>"
        : acts ? '<div class="err">' + acts + "</div>" : "") +
      "</div>" +
      '<span class="pct">' + f.progress + "%</span>" +
      '<span class="time" data-testid="time">' + time + "</span>";
    return li;
  }

  /** "page 37 of 300": the page being read (pagesDone pages are done). */
  function pagesText(f) {
    return "page " + Math.min((f.pagesDone || 0) + 1, f.pagesTotal) + " of " + f.pagesTotal;
  }

  // Running files show their elapsed time; refresh those once a second.
  var tick = 0;
  function ticking(list) {
    var any = !model.offlineSince && list.querySelector(".st-icon.active");
    if (any && !tick) tick = setInterval(function () {
      model.order.forEach(function (id) { if (ACTIVE[model.files[id].status]) dirty(id); });
      schedule();
    }, 1000);
    if (!any && tick) { clearInterval(tick); tick = 0; }
  }

  /** Time left from this installation's recent pace per file type and page (cfg.pace), so a
   * scanned page is not counted like a text page; this session's own files refine it as they finish. */
  function expected(f) {
    var pages = cfg.pace.pages[f.fileId] || 1;
    var perPage = own[f.fileType] || cfg.pace.msPerPage[f.fileType];
    return perPage ? perPage * pages : null;
  }
  var own = {};
  function learn() {
    var sums = {};
    model.order.forEach(function (id) {
      var f = model.files[id];
      if (f.status !== "completed" || !f.processingTime) return;
      var t = sums[f.fileType] || (sums[f.fileType] = { ms: 0, pages: 0 });
      t.ms += f.processingTime; t.pages += cfg.pace.pages[f.fileId] || 1;
    });
    own = {};
    Object.keys(sums).forEach(function (t) { own[t] = sums[t].ms / sums[t].pages; });
  }

  function eta(c, status) {
    if (status !== "processing") return "";
    learn();
    var left = c.pending + c.processing;
    if (!left) return "";
    var work = 0;
    var known = true;
    model.order.forEach(function (id) {
      var f = model.files[id];
      if (f.status !== "pending" && !ACTIVE[f.status]) return;
      var ms = expected(f);
      if (ms === null) { known = false; return; }
      work += ACTIVE[f.status] ? Math.max(ms - (f.startedAt ? now() - f.startedAt : 0), ms * 0.1) : ms;
    });
    if (!known) return "";  // a type this installation has not timed yet: no guess
    var ms = work / Math.max(1, Math.min(cfg.concurrency, left));
    var s = Math.round(ms / 1000);
    return s < 60 ? "about " + Math.max(s, 1) + " s left" : "about " + Math.round(s / 60) + " min left";
  }

  // While the server cannot be reached the clock stops: rows show the time as last known.
  function now() { return model.offlineSince || Date.now(); }

  function offline(yes) {
    if (!!model.offlineSince === yes) return;
    model.offlineSince = yes ? Date.now() : 0;
    if (!yes) {
      // Running files kept running on the server: the next snapshot brings their true times.
      model.order.forEach(function (id) { dirty(id); });
    } else {
      model.order.forEach(function (id) { if (ACTIVE[model.files[id].status]) dirty(id); });
    }
    $("offline").hidden = !yes;
    if (yes) { showNotice(null); startPolling(); }
    schedule();
  }

  /** What a person can do with a file: Retry where a retry can help; a failure the same bytes
   * would repeat gets "Replace file…" and "Remove"; a file not started yet can be removed. */
  function actions(f) {
    var id = LI.esc(f.fileId);
    var remove = '<button type="button" class="btn small" data-testid="remove" data-remove="' + id + '">' +
      LI.icon("x") + " Remove</button>";
    if (f.status === "pending") return model.state === "running" ? "" : remove;
    if (!RETRYABLE[f.status]) return "";
    if (f.status === "cancelled" || f.isRetryable) {
      return '<button type="button" class="btn small retry" data-testid="retry" data-retry="' + id + '">' +
        LI.icon("refresh-cw") + " Retry</button>";
    }
    return '<button type="button" class="btn small" data-testid="replace" data-replace="' + id + '">' +
      LI.icon("upload") + " Replace file…</button> " + remove;
  }

  function controls(status) {
    var over = TERMINAL[status];
    $("start").hidden = over || model.state !== "open";
    $("pause").hidden = over || model.state !== "running";
    $("resume").hidden = over || model.state !== "paused";
    $("cancel").hidden = !!over;
  }

  function said(f) {
    if (FINISHED[f.status]) announce.push(f.fileName + ": " + (LABELS[f.status] || f.status));
  }

  var lastAnnounce = 0;
  function flushAnnouncements() {
    if (!announce.length || Date.now() - lastAnnounce < 1500) return;
    var text = announce.length > 3 ? announce.length + " files finished." : announce.join(". ");
    announce = [];
    lastAnnounce = Date.now();
    $("live").textContent = text;
  }

  function showNotice(text) {
    if (text === undefined) return;
    var n = $("notice");
    n.hidden = !text;
    n.textContent = text || "";
  }

  function completion(c, status) {
    var box = $("done");
    if (!finished() || !(model.final || forcePoll)) {
      if (!box.hidden) { box.hidden = true; box.dataset.status = ""; box.dataset.key = ""; }
      clearTimeout(ui.handover);
      ui.handover = 0;
      return;
    }
    var review = "/sessions/" + encodeURIComponent(SID) + "/review";
    var key = status + ":" + c.completed + ":" + c.failed + ":" + failuresKey();
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    box.dataset.status = status;
    box.hidden = false;
    // notify.js turns this into the tab-title badge and, when the tab is hidden, a notification.
    document.dispatchEvent(new CustomEvent("li:finished", { detail: {
      status: status, total: c.total, completed: c.completed, failed: c.failed, cancelled: c.cancelled } }));
    if (status === "completed") {
      box.className = "card done ok";
      box.innerHTML = "<h2>" + LI.icon("circle-check") + " All " + c.total + " file" + (c.total === 1 ? "" : "s") +
        " processed</h2><p>" + (stay ? "" : "Opening the review in 2 seconds… ") +
        '<a class="btn primary" href="' + review + '" data-testid="review-link">Review now</a></p>';
      $("live").textContent = "All files processed. Opening the review.";
      if (!stay && !ui.handover) ui.handover = setTimeout(function () { location.assign(review); }, 2000);
      return;
    }
    clearTimeout(ui.handover);
    ui.handover = 0;
    var failed = model.order.map(function (id) { return model.files[id]; }).filter(function (f) {
      return !!RETRYABLE[f.status];
    });
    var timedOut = status === "timeout";
    box.className = timedOut ? "card done timeout" : "card done bad";
    var head = timedOut ? "Stopped: time limit reached" : (SESSION_LABELS[status] || status);
    var html = "<h2>" + LI.icon(timedOut ? "clock" : "triangle-alert") + " " + head + "</h2>";
    if (timedOut) html += "<p data-testid='timeout-text'>" + timeoutText(c) + "</p>";
    html += "<p data-testid='summary-text'>" + c.completed + " completed, " +
      c.failed + " failed" + (c.cancelled ? ", " + c.cancelled + " cancelled" : "") + ".</p><ul class='plain-list failures'>";
    failed.slice(0, 20).forEach(function (f) {
      html += "<li><strong>" + LI.esc(f.fileName) + "</strong> — " + LI.esc(f.error || LABELS[f.status]) + " " +
        actions(f).replace(/ data-testid="[a-z]+"/g, "") + "</li>";
    });
    if (failed.length > 20) html += "<li>… and " + (failed.length - 20) + " more (filter the list by Failed).</li>";
    html += "</ul>";
    if (c.completed) html += '<p><a class="btn primary" href="' + review + '" data-testid="review-completed">Review the ' + c.completed + " completed</a></p>";
    box.innerHTML = html;
    $("live").textContent = head + ". " + c.completed + " completed, " + c.failed + " failed.";
  }

  /** The seed's timeout protection, explained: what stopped, and that what finished is kept. */
  function timeoutText(c) {
    var limit = model.timeoutSeconds ? " of " + LI.esc(duration(model.timeoutSeconds)) : "";
    var kept = c.completed === 0 ? "No file finished before it; none was saved."
      : c.completed + " file" + (c.completed === 1 ? " was" : "s were") + " completed before it; " +
        (c.completed === 1 ? "its results are" : "their results are") + " saved and can be reviewed.";
    return "This session reached its time limit" + limit + ", so the files still waiting or running were stopped. " +
      kept + " Retry the stopped files to finish them.";
  }

  function duration(seconds) {
    if (seconds < 120) return Math.round(seconds) + " seconds";
    if (seconds < 7200) return Math.round(seconds / 60) + " minutes";
    return Math.round(seconds / 360) / 10 + " hours";
  }

  function failuresKey() {
    return model.order.filter(function (id) { return model.files[id].status !== "completed"; })
      .map(function (id) { return model.files[id].errorCode || ""; }).join(",");
  }

  // ------------------------------------------------------------------ actions
  function control(action) {
    LI.api("POST", "/api/sessions/" + encodeURIComponent(SID) + "/" + action).then(function (r) {
      if (r && r.state) model.state = r.state;
      schedule();
      refreshSnapshot();
    }).catch(function (err) { showNotice((err && err.message) || "That did not work."); });
  }
  $("start").addEventListener("click", function () { control("start"); if (!es && !forcePoll) connect(); });
  $("pause").addEventListener("click", function () { control("pause"); });
  $("resume").addEventListener("click", function () { control("resume"); });
  $("cancel").addEventListener("click", function () {
    if (confirm("Cancel this session? Files not yet processed will not be processed.")) control("cancel");
  });

  function again() {
    model.final = false;
    if (!es && !forcePoll) connect();
    if (forcePoll) startPolling();
    refreshSnapshot();
  }

  // Replace: a new copy into the same file's place, through the same inspection as an upload.
  var replacing = null;
  $("replace-input").addEventListener("change", function () {
    var file = this.files && this.files[0];
    var id = replacing;
    this.value = "";
    if (!file || !id) return;
    var body = new FormData();
    body.append("file", file, file.name);
    fetch("/api/files/" + encodeURIComponent(id) + "/replace", {
      method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": LI.csrf() },
    }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (data) {
        if (!r.ok) throw (data && data.error) || { message: "Replacing failed." };
        if (data.status === "failed") showNotice(file.name + ": " + (data.error || "refused"));
        again();
      });
    }).catch(function (err) { showNotice((err && err.message) || "Replacing failed."); });
  });

  document.addEventListener("click", function (e) {
    var rep = e.target.closest && e.target.closest("[data-replace]");
    if (rep) { replacing = rep.dataset.replace; $("replace-input").click(); return; }
    var rm = e.target.closest && e.target.closest("[data-remove]");
    if (rm) {
      rm.disabled = true;
      LI.api("DELETE", "/api/files/" + encodeURIComponent(rm.dataset.remove)).then(function () {
        forget(rm.dataset.remove);
        schedule();
        refreshSnapshot();
      }).catch(function (err) { rm.disabled = false; showNotice((err && err.message) || "Removing failed."); });
      return;
    }
    var b = e.target.closest && e.target.closest("[data-retry]");
    if (!b) return;
    b.disabled = true;
    LI.api("POST", "/api/files/" + encodeURIComponent(b.dataset.retry) + "/retry").then(again).catch(function (err) {
      b.disabled = false;
      showNotice((err && err.message) || "Retry failed.");
    });
  });

  $("filter").addEventListener("change", function () { ui.filter = this.value; ui.page = 0; ui.all = true; schedule(); });
  $("prev").addEventListener("click", function () { ui.page--; ui.all = true; schedule(); });
  $("next").addEventListener("click", function () { ui.page++; ui.all = true; schedule(); });

  // ------------------------------------------------------------------ start
  applySnapshot(LI.json("snapshot"), true);
  if (model.startedTerminal) {
    model.final = true; // nothing is running: no stream needed until someone retries
  } else {
    connect();
  }
  render();
  // For tests and debugging: the page's view of each file (statuses seen, in order).
  window.LIProgress = {
    model: model,
    history: function () {
      var out = {};
      model.order.forEach(function (id) { out[model.files[id].fileName] = model.files[id].history.slice(); });
      return out;
    },
    dropStream: function () { if (es) { es.close(); es = null; } if (!model.final) { showNotice("Connection lost — reconnecting…"); startPolling(); clearTimeout(reconnectTimer); reconnectTimer = setTimeout(connect, reconnectDelay); } },
    ticking: function () { return !!tick; },
    transport: function () { return forcePoll ? "poll" : es ? "sse" : pollTimer ? "poll" : "none"; },
  };
})();

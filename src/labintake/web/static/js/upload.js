/* Upload page: check files before sending, upload each with its own progress (XHR), then start. */
(function () {
  "use strict";
  var LI = window.LI;
  var limits = LI.json("limits");
  var PARALLEL = 3; // uploads in flight at once
  var sessionPromise = null;
  var items = []; // {file, el, state: queued|uploading|ready|failed|duplicate|error, fileId}
  var waiting = [];
  var active = 0;
  var starting = false;

  var input = document.getElementById("file-input");
  var zone = document.getElementById("dropzone");
  var queue = document.getElementById("queue");
  var rejected = document.getElementById("rejected");
  var processBtn = document.getElementById("process");
  var summary = document.getElementById("upload-summary");

  document.getElementById("pick").addEventListener("click", function () { input.click(); });
  input.addEventListener("change", function () { add(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach(function (t) {
    zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) { if (e.dataTransfer) add(e.dataTransfer.files); });
  // A drop outside the zone must not open the file in the tab.
  window.addEventListener("dragover", function (e) { e.preventDefault(); });
  window.addEventListener("drop", function (e) { e.preventDefault(); });

  function extension(name) {
    var i = name.lastIndexOf(".");
    return i < 0 ? "" : name.slice(i).toLowerCase();
  }

  /** The reason a file cannot be sent, or null. The server checks again (by content). */
  function problem(file) {
    var types = limits.accepted;
    var byExt = types[extension(file.name)];
    var typeOk = byExt || Object.keys(types).some(function (k) { return types[k] === file.type; });
    if (!typeOk) return "Not a supported type: upload a PDF, PNG, JPEG, TIFF or WebP file.";
    if (file.size === 0) return "The file is empty.";
    if (file.size > limits.maxFileBytes)
      return "Too large (" + LI.bytes(file.size) + "); the limit is " + LI.bytes(limits.maxFileBytes) + ".";
    return null;
  }

  function reject(name, reason) {
    document.getElementById("rejected-card").hidden = false;
    var li = document.createElement("li");
    li.innerHTML = LI.icon("circle-alert", "s-failed") + " <strong></strong> — <span></span>";
    li.querySelector("strong").textContent = name;
    li.querySelector("span").textContent = reason;
    rejected.appendChild(li);
  }

  function add(fileList) {
    var files = Array.prototype.slice.call(fileList || []);
    files.forEach(function (file) {
      var why = problem(file);
      if (why) return reject(file.name, why);
      var it = { file: file, state: "queued", el: row(file) };
      items.push(it);
      waiting.push(it);
    });
    if (items.length) document.getElementById("queue-card").hidden = false;
    pump();
    refresh();
  }

  function row(file) {
    var li = document.createElement("li");
    li.className = "upload-item";
    li.dataset.testid = "upload-item";
    var badge = /\.pdf$/i.test(file.name) || file.type === "application/pdf" ? "PDF" : "IMAGE";
    li.innerHTML =
      '<span class="badge type">' + badge + "</span>" +
      '<span class="name"></span><span class="size muted">' + LI.bytes(file.size) + "</span>" +
      '<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"><div></div></div>' +
      '<span class="state muted">Waiting</span>';
    li.querySelector(".name").textContent = file.name;
    li.querySelector(".bar").setAttribute("aria-label", "Upload of " + file.name);
    queue.appendChild(li);
    return li;
  }

  function setRow(it, pct, text, cls) {
    var bar = it.el.querySelector(".bar");
    bar.firstChild.style.width = pct + "%";
    bar.setAttribute("aria-valuenow", String(pct));
    var st = it.el.querySelector(".state");
    st.textContent = text;
    it.el.className = "upload-item " + (cls || "");
  }

  function session() {
    if (!sessionPromise) {
      sessionPromise = LI.api("POST", "/api/sessions", { name: "" }).then(function (r) { return r.id; });
      sessionPromise.catch(function () { sessionPromise = null; });
    }
    return sessionPromise;
  }

  function pump() {
    while (active < PARALLEL && waiting.length) {
      var it = waiting.shift();
      active++;
      send(it);
    }
  }

  function send(it) {
    it.state = "uploading";
    setRow(it, 0, "Uploading…", "uploading");
    session().then(function (sid) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/sessions/" + encodeURIComponent(sid) + "/files");
      xhr.setRequestHeader("X-CSRF-Token", LI.csrf());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) setRow(it, Math.round((99 * e.loaded) / e.total), "Uploading… " + Math.round((100 * e.loaded) / e.total) + "%", "uploading");
      };
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300 && body && body.files && body.files[0]) {
          var r = body.files[0];
          if (r.status === "pending") {
            it.state = "ready"; it.fileId = r.fileId;
            setRow(it, 100, "Uploaded", "ready");
          } else if (r.status === "duplicate") {
            it.state = "duplicate";
            setRow(it, 100, "Already in this batch (identical file)", "dup");
          } else {
            // Stored but refused after a look inside (corrupt, encrypted, too many pages…):
            // it stays in the session as failed, so its reason also shows on the progress page.
            it.state = r.status === "failed" ? "failed" : "error";
            setRow(it, 100, r.error || "Refused", "bad");
            reject(it.file.name, r.error || "Refused by the server.");
          }
        } else {
          it.state = "error";
          var msg = (body && body.error && body.error.message) || "Upload failed (" + xhr.status + ").";
          setRow(it, 0, msg, "bad");
          reject(it.file.name, msg);
        }
        done();
      };
      xhr.onerror = function () {
        it.state = "error";
        setRow(it, 0, "Network error; the file was not uploaded.", "bad");
        reject(it.file.name, "Network error; the file was not uploaded.");
        done();
      };
      var form = new FormData();
      form.append("files", it.file, it.file.name);
      xhr.send(form);
    }).catch(function (err) {
      it.state = "error";
      setRow(it, 0, (err && err.message) || "Could not create the upload.", "bad");
      done();
    });
  }

  function done() {
    active--;
    pump();
    refresh();
  }

  function refresh() {
    var ready = items.filter(function (i) { return i.state === "ready"; }).length;
    var failedHere = items.filter(function (i) { return i.state === "failed"; }).length;
    var busy = active > 0 || waiting.length > 0;
    var parts = [];
    if (busy) parts.push("Uploading " + (items.length - ready - failedHere) + "…");
    parts.push(ready + " file" + (ready === 1 ? "" : "s") + " ready");
    if (failedHere) parts.push(failedHere + " refused");
    summary.textContent = items.length ? parts.join(" · ") : "No files yet.";
    processBtn.disabled = busy || ready === 0 || starting;
  }

  processBtn.addEventListener("click", function () {
    if (processBtn.disabled) return;
    starting = true;
    refresh();
    session().then(function (sid) {
      return LI.api("POST", "/api/sessions/" + encodeURIComponent(sid) + "/start").then(function () {
        window.location.assign("/sessions/" + encodeURIComponent(sid));
      });
    }).catch(function (err) {
      starting = false;
      refresh();
      summary.textContent = "Could not start: " + ((err && err.message) || "unknown error");
    });
  });
})();

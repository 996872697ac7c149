/* Review: provenance (page image with the value's box) and corrections saved apart from extraction. */
(function () {
  "use strict";
  var LI = window.LI;
  var cur = LI.json("current");
  var FID = encodeURIComponent(cur.fileId);
  var selected = null;
  var $ = function (id) { return document.getElementById(id); };

  function save(target, value) {
    return LI.api("PUT", "/api/files/" + FID + "/corrections", { target: target, value: value });
  }

  // --- header fields: saved when changed -----------------------------------------------
  document.querySelectorAll("[data-target]").forEach(function (el) {
    el.addEventListener("change", function () {
      var target = el.dataset.target;
      save(target, el.value).then(function (r) {
        el.classList.toggle("corrected", r.corrected);
        var was = document.querySelector('[data-was="' + target + '"]');
        if (was) was.textContent = r.corrected ? "extracted: " + (r.original === null ? "—" : r.original) : "";
        if (r.corrected) cur.corrections[target] = { value: r.value, original: r.original };
        else delete cur.corrections[target];
      }).catch(function (err) {
        el.setCustomValidity((err && err.message) || "Not saved");
        el.reportValidity();
        setTimeout(function () { el.setCustomValidity(""); }, 3000);
      });
    });
  });

  // --- provenance ----------------------------------------------------------------------
  function current(i, field, fallback) {
    var fix = cur.corrections["results." + i + "." + field];
    return fix ? fix.value : fallback;
  }

  function select(i) {
    var row = cur.results[i];
    selected = i;
    document.querySelectorAll("tr.selected").forEach(function (tr) { tr.classList.remove("selected"); });
    var tr = document.querySelector('tr[data-index="' + i + '"]');
    if (tr) tr.classList.add("selected");
    $("prov-hint").hidden = true;
    $("prov").hidden = false;
    $("prov-name").textContent = row.name;
    $("edit-value").value = current(i, "value_text", row.value_text) || "";
    $("edit-unit").value = current(i, "unit", row.unit) || "";
    $("edit-flag").value = current(i, "flag", row.flag) || "";
    $("edit-status").textContent = "";
    var page = row.page || 1;
    $("prov-page").textContent = row.bbox ? "page " + page : "page " + page + " (no position recorded)";
    var img = $("page-img");
    var src = "/api/files/" + FID + "/pages/" + page + ".png";
    img.alt = "Page " + page + " of the uploaded file";
    var place = function () { box(row); };
    if (img.getAttribute("src") !== src) {
      $("box").hidden = true;
      img.onload = place;
      img.src = src;
    } else if (img.complete) place();
  }

  function box(row) {
    var b = $("box");
    var img = $("page-img");
    if (!row.bbox || !img.naturalWidth) { b.hidden = true; view.target = null; view.z = 1; applyView(); return; }
    // Boxes are PDF points from the top-left. The image's pixels per point are its width over
    // the page's width in points (a giant page is rendered smaller than pxPerPt); a file read
    // before page sizes were kept was always rendered at pxPerPt.
    var size = (cur.pageSizes || {})[String(row.page || 1)];
    var k = size && size[0] > 0 ? img.naturalWidth / size[0] : cur.pxPerPt;
    var w = img.naturalWidth, h = img.naturalHeight, pad = 3;
    var x0 = row.bbox[0] * k - pad, y0 = row.bbox[1] * k - pad, x1 = row.bbox[2] * k + pad, y1 = row.bbox[3] * k + pad;
    b.style.left = (100 * x0) / w + "%";
    b.style.top = (100 * y0) / h + "%";
    b.style.width = (100 * (x1 - x0)) / w + "%";
    b.style.height = (100 * (y1 - y0)) / h + "%";
    b.hidden = false;
    zoomTo(x0, y0, x1, y1);
    var frame = $("frame");
    if (frame.scrollIntoView && window.innerWidth <= 720) frame.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  // --- zoom and pan: a selected value is shown close up, with room around it --------------
  var view = { z: 1, x: 0, y: 0, target: null };
  function pageSize() {
    var img = $("page-img"), w = $("frame").clientWidth;
    return { w: w, h: img.naturalWidth ? (w * img.naturalHeight) / img.naturalWidth : 0 };
  }
  function applyView() {
    var frame = $("frame"), p = pageSize();
    frame.classList.toggle("zoomed", view.z > 1);
    var fw = frame.clientWidth, fh = view.z > 1 ? frame.clientHeight : p.h;
    // Keep the page covering the window: no empty margin can be dragged into view.
    view.x = Math.min(0, Math.max(fw - p.w * view.z, view.x));
    view.y = Math.min(0, Math.max(Math.min(0, fh - p.h * view.z), view.y));
    $("canvas").style.transform = view.z > 1 ? "translate(" + view.x + "px," + view.y + "px) scale(" + view.z + ")" : "";
  }
  /** Centre the box (image pixels) in the window, close enough to read, with its row around it. */
  function zoomTo(x0, y0, x1, y1) {
    var img = $("page-img");
    view.target = [x0, y0, x1, y1];
    var p = pageSize(), k = p.w / img.naturalWidth;
    var z = Math.max(1.5, Math.min(4, (0.15 * p.w) / Math.max(1, (x1 - x0) * k)));
    view.z = z;
    $("frame").classList.add("zoomed");
    var fw = $("frame").clientWidth, fh = $("frame").clientHeight;
    view.x = fw / 2 - ((x0 + x1) / 2) * k * z;
    view.y = fh / 2 - ((y0 + y1) / 2) * k * z;
    applyView();
  }
  function zoomBy(f) {
    var frame = $("frame"), fw = frame.clientWidth, fh = view.z > 1 ? frame.clientHeight : pageSize().h;
    var z = Math.max(1, Math.min(8, view.z * f));
    // Zoom about the window's centre.
    view.x = fw / 2 - ((fw / 2 - view.x) * z) / view.z;
    view.y = fh / 2 - ((fh / 2 - view.y) * z) / view.z;
    view.z = z;
    applyView();
  }
  $("zoom-in").addEventListener("click", function () { zoomBy(1.5); });
  $("zoom-out").addEventListener("click", function () { zoomBy(1 / 1.5); });
  $("zoom-fit").addEventListener("click", function () { view.z = 1; view.x = view.y = 0; applyView(); });
  $("zoom-value").addEventListener("click", function () { if (view.target) zoomTo.apply(null, view.target); });
  (function drag() {
    var frame = $("frame"), start = null;
    frame.addEventListener("pointerdown", function (e) {
      if (view.z <= 1) return;
      start = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
      frame.setPointerCapture(e.pointerId);
      frame.classList.add("dragging");
    });
    frame.addEventListener("pointermove", function (e) {
      if (!start) return;
      view.x = start.vx + e.clientX - start.x;
      view.y = start.vy + e.clientY - start.y;
      applyView();
    });
    var end = function () { start = null; frame.classList.remove("dragging"); };
    frame.addEventListener("pointerup", end);
    frame.addEventListener("pointercancel", end);
    frame.addEventListener("wheel", function (e) {
      if (!e.ctrlKey && view.z <= 1) return;  // plain scrolling scrolls the page until zoomed
      e.preventDefault();
      zoomBy(e.deltaY < 0 ? 1.25 : 0.8);
    }, { passive: false });
  })();

  document.querySelectorAll(".value-btn").forEach(function (btn) {
    btn.addEventListener("click", function () { select(Number(btn.dataset.index)); });
  });

  // --- correcting a result ---------------------------------------------------------------
  $("edit").addEventListener("submit", function (e) {
    e.preventDefault();
    if (selected === null) return;
    var i = selected, row = cur.results[i];
    var changes = [
      ["value_text", $("edit-value").value, row.value_text],
      ["unit", $("edit-unit").value, row.unit],
      ["flag", $("edit-flag").value, row.flag],
    ];
    $("edit-status").textContent = "Saving…";
    var jobs = changes.filter(function (c) {
      return (current(i, c[0], c[2]) || "") !== (c[1] || "");
    }).map(function (c) {
      var target = "results." + i + "." + c[0];
      return save(target, c[1]).then(function (r) {
        if (r.corrected) cur.corrections[target] = { value: r.value, original: r.original };
        else delete cur.corrections[target];
      });
    });
    Promise.all(jobs).then(function () {
      $("edit-status").textContent = jobs.length ? "Saved." : "Nothing changed.";
      var tr = document.querySelector('tr[data-index="' + i + '"]');
      var btn = tr.querySelector(".value-btn");
      var flag = current(i, "flag", row.flag);
      btn.textContent = current(i, "value_text", row.value_text);
      btn.className = "value-btn " + (flag || "") + (cur.corrections["results." + i + ".value_text"] ? " corrected" : "");
      tr.children[2].textContent = current(i, "unit", row.unit) || "";
      tr.children[4].innerHTML = flag ? '<span class="flag flag-' + LI.esc(flag) + '">' + LI.esc(flag) + "</span>" : "";
      var fixed = ["value_text", "unit", "flag"].some(function (f) { return cur.corrections["results." + i + "." + f]; });
      tr.classList.toggle("needs-review", !!row.needs_review && !fixed);
    }).catch(function (err) {
      $("edit-status").textContent = (err && err.message) || "Not saved.";
    });
  });

  function confirmReport() {
    var next = $("confirm").dataset.next;
    return LI.api("POST", "/api/files/" + FID + "/confirm").then(function (r) {
      $("confirmed").textContent = "Confirmed " + r.confirmedAt.slice(0, 16).replace("T", " ") + " UTC";
      if (next) window.location.assign(next);  // confirm and next: the queue's next unconfirmed file
    }).catch(function (err) { $("confirmed").textContent = (err && err.message) || "Not confirmed."; });
  }
  $("confirm").addEventListener("click", confirmReport);

  // --- keyboard: move through the results, correct in place, confirm --------------------
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-index]"));
  function focusRow(i) {
    if (i < 0 || i >= rows.length) return;
    select(Number(rows[i].dataset.index));
    var btn = rows[i].querySelector(".value-btn");
    if (btn) btn.focus();
  }
  function selectedPosition() {
    if (selected === null) return -1;
    for (var p = 0; p < rows.length; p++) if (Number(rows[p].dataset.index) === selected) return p;
    return -1;
  }
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA");
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var inEdit = $("edit").contains(document.activeElement);
    if (e.key === "Escape" && inEdit) {
      e.preventDefault();
      var back = selectedPosition();
      if (back >= 0) focusRow(back);  // the form is refilled from what is saved
      return;
    }
    if (typing(document.activeElement)) return;  // Enter in the form saves it (its own submit)
    if (e.key === "j" || e.key === "ArrowDown") { e.preventDefault(); focusRow(selectedPosition() + 1); }
    else if (e.key === "k" || e.key === "ArrowUp") { e.preventDefault(); focusRow(Math.max(0, selectedPosition() - 1)); }
    else if (e.key === "Enter" && selected !== null) { e.preventDefault(); $("edit-value").focus(); $("edit-value").select(); }
    else if (e.key === "c") { e.preventDefault(); confirmReport(); }
  });

  // The first result a person should check has the focus, so work starts where it is needed.
  var firstToCheck = rows.findIndex(function (tr) { return tr.classList.contains("needs-review"); });
  if (firstToCheck >= 0) focusRow(firstToCheck);

  window.addEventListener("resize", function () { if (selected !== null) box(cur.results[selected]); });
})();

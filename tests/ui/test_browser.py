"""The issue's browser scenarios: upload, live progress, completion, refresh, a cut stream, review, dark/phone.

Each test states given / when / then. Files are generated (tests/fixtures/reports.py);
PNGs at 100 dpi keep OCR quick.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.fixtures.reports import corrupt_png_bytes, make_pdf, make_png
from tests.ui.conftest import EMAIL, PASSWORD, Served, report, shot, upload_and_process

pytestmark = pytest.mark.slow

HAPPY = ["pending", "downloading", "extracting", "parsing", "saving", "completed"]

# In the page: on every animation frame, check that the cards agree with the rows and
# record the most files ever shown processing at once.
WATCH = """() => {
  window.__watch = { maxProcessing: 0, violations: [], frames: 0 };
  const count = (sel) => document.querySelectorAll(sel).length;
  const n = (id) => Number(document.getElementById(id).textContent);
  const tick = () => {
    const w = window.__watch;
    w.frames++;
    const rows = document.querySelectorAll('[data-testid=file-row]');
    if (rows.length) {
      const active = count('[data-status=downloading],[data-status=extracting],[data-status=parsing],[data-status=saving]');
      w.maxProcessing = Math.max(w.maxProcessing, active);
      const want = {
        'n-completed': count('[data-testid=file-row][data-status=completed]'),
        'n-processing': active,
        'n-pending': count('[data-testid=file-row][data-status=pending]'),
        'n-failed': count('[data-testid=file-row][data-status=failed],[data-testid=file-row][data-status=timeout]'),
      };
      for (const [id, v] of Object.entries(want)) {
        if (n(id) !== v && w.violations.length < 20) w.violations.push(id + ': card ' + n(id) + ' rows ' + v);
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


@contextmanager
def api_client(server: Served) -> Iterator[httpx.Client]:
    """An HTTP client logged in as the test user through the login form (the browser's cookie)."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        form = client.get("/login")
        csrf = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        r = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf, "next": "/upload"})
        assert r.status_code in (200, 303)
        yield client


def wait_done(page: Any, timeout: float = 90_000) -> None:
    page.wait_for_selector("[data-testid=completion]:not([hidden])", timeout=timeout)


def rows(page: Any) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "[data-testid=file-row]",
        """els => els.map(e => ({id: e.dataset.fileId, status: e.dataset.status,
            name: e.querySelector('.name').textContent, badge: e.querySelector('[data-testid=type-badge]').textContent,
            label: e.querySelector('[data-testid=status-label]').textContent,
            time: e.querySelector('[data-testid=time]') ? e.querySelector('[data-testid=time]').textContent : '',
            error: e.querySelector('.err') ? e.querySelector('.err').textContent : ''}))""",
    )


def in_order(seen: list[str]) -> bool:
    positions = [HAPPY.index(s) for s in seen]
    return positions == sorted(positions) and len(set(positions)) == len(positions)


def test_one_png_progresses_to_review(page: Any, files: Any) -> None:
    """Given one PNG, when it is uploaded and processed, then the page shows its statuses in
    order through completed with the time taken, and opens the review 2 s after completion."""
    paths = files(("single.png", make_png(report(1), dpi=100)))
    sid = upload_and_process(page, paths)
    shot(page, "progress-running")
    wait_done(page)
    shown_at = time.monotonic()
    [row] = rows(page)
    assert row["status"] == "completed" and row["label"] == "Done"
    assert row["time"].endswith("s"), row
    seen = page.evaluate("() => window.LIProgress.history()")["single.png"]
    assert seen[-1] == "completed" and in_order(seen) and len(seen) >= 3, seen
    assert page.text_content("[data-testid=count-text]") == "1 of 1 file completed"
    shot(page, "progress-completed")
    page.wait_for_url(f"**/sessions/{sid}/review*", timeout=10_000)
    waited = time.monotonic() - shown_at
    assert waited >= 1.5, waited  # "opening the review in 2 seconds": never sooner
    page.wait_for_selector("[data-testid=results]")
    result_rows = page.locator("[data-testid=result-row]")
    assert result_rows.count() >= 10
    # Every row says how sure the reading is (an OCR'd page's words each have a confidence).
    assert page.locator("[data-testid=result-row] [data-testid=confidence]").count() == result_rows.count()
    assert all(t.strip().endswith("%") for t in page.locator("[data-testid=confidence]").all_text_contents())


def test_five_mixed_files(page: Any, files: Any) -> None:
    """Given 3 PNGs and 2 PDFs, when processed, then badges match the types, never more than 3
    files show processing at once, the cards always agree with the rows, and all complete."""
    named = [(f"scan-{i}.png", make_png(report(10 + i), dpi=100)) for i in range(3)]
    named += [(f"digital-{i}.pdf", make_pdf(report(20 + i))) for i in range(2)]
    page.goto("/upload")
    page.set_input_files("#file-input", files(*named))
    page.wait_for_function("() => !document.getElementById('process').disabled", timeout=30_000)
    assert page.locator("[data-testid=upload-item]").count() == 5
    shot(page, "upload")
    page.click("[data-testid=process]")
    page.wait_for_url("**/sessions/*")
    page.evaluate(WATCH)
    badges = {r["name"]: r["badge"] for r in rows(page)}
    assert badges == {**{f"scan-{i}.png": "IMAGE" for i in range(3)}, **{f"digital-{i}.pdf": "PDF" for i in range(2)}}
    wait_done(page)
    watch = page.evaluate("() => window.__watch")
    assert watch["frames"] > 10
    assert watch["violations"] == []
    assert 1 <= watch["maxProcessing"] <= 3, watch
    assert all(r["status"] == "completed" for r in rows(page))
    assert page.text_content("[data-testid=count-text]") == "5 of 5 files completed"
    assert page.text_content("[data-testid=n-completed]") == "5"
    page.wait_for_url("**/review*", timeout=10_000)


def test_corrupt_image_fails_without_hand_over(page: Any, files: Any) -> None:
    """Given a corrupt image and 2 valid PNGs, when processed, then the corrupt row shows its
    message and Retry, the summary says 2 completed / 1 failed, and there is no hand-over;
    a retry of the unchanged file fails again cleanly."""
    paths = files(("broken.png", corrupt_png_bytes()), ("good-1.png", make_png(report(30), dpi=100)),
                  ("good-2.png", make_png(report(31), dpi=100)))
    page.goto("/upload")
    page.set_input_files("#file-input", paths)
    page.wait_for_function("() => !document.getElementById('process').disabled", timeout=30_000)
    assert "broken.png" in page.text_content("[data-testid=rejected]")  # refused with its reason, before processing
    page.click("[data-testid=process]")
    page.wait_for_url("**/sessions/*")
    url = page.url
    wait_done(page)
    assert page.text_content("[data-testid=summary-text]").startswith("2 completed, 1 failed")
    broken = page.locator("[data-testid=file-row][data-status=failed]")
    assert broken.count() == 1
    assert "cannot be decoded" in broken.locator("[data-testid=error]").text_content()
    # Retrying cannot fix an undecodable image: a new copy or removal is offered instead.
    assert broken.locator("[data-testid=retry]").count() == 0
    assert broken.locator("[data-testid=replace]").is_visible() and broken.locator("[data-testid=remove]").is_visible()
    assert page.text_content("[data-testid=heading]") == "Finished with problems"
    assert page.text_content("[data-testid=overall-pct]") == "66%"
    assert page.locator("[data-testid=review-completed]").text_content().strip() == "Review the 2 completed"
    shot(page, "progress-failures")
    page.wait_for_timeout(3000)
    assert page.url == url  # no automatic hand-over


    # A damaged copy replacing it fails again at once, with its reason, and stays in its place.
    with page.expect_file_chooser() as chooser:
        broken.locator("[data-testid=replace]").click()
    chooser.value.set_files(files(("broken-again.png", corrupt_png_bytes()))[0])
    page.wait_for_selector("[data-testid=file-row][data-status=failed]:has-text('broken-again.png')")
    assert page.locator("[data-testid=file-row]").count() == 3
    page.wait_for_timeout(2500)
    assert page.url == url


def test_refresh_mid_processing_shows_true_state(page: Any, files: Any, server: Served) -> None:
    """Given a session processing, when the page is reloaded, then the first render already
    matches the server's progress and processing continues to the end."""
    paths = files(*[(f"r-{i}.png", make_png(report(40 + i), dpi=100)) for i in range(4)])
    sid = upload_and_process(page, paths)
    page.wait_for_selector("[data-testid=file-row][data-status=completed]", timeout=60_000)
    page.reload(wait_until="domcontentloaded")
    # Before any script work: the server-rendered numbers.
    first = page.text_content("[data-testid=count-text]")
    with api_client(server) as client:
        truth = client.get(f"/api/sessions/{sid}/progress").json()["summary"]
    done_then = int(first.split(" of ")[0])
    assert first.endswith(f"of {truth['total_files']} files completed")
    assert 1 <= done_then <= truth["completed_files"]  # never ahead of the server, and not from zero
    wait_done(page)
    assert all(r["status"] == "completed" for r in rows(page))
    assert len({r["id"] for r in rows(page)}) == 4


def test_cut_stream_reconnects_without_duplicates(page: Any, files: Any) -> None:
    """Given a session processing, when its push stream is cut and reconnecting fails for a
    while, then a quiet notice shows, progress continues by polling, and after the stream
    is back the page ends in the right final state with no duplicated row."""
    paths = files(*[(f"cut-{i}.png", make_png(report(50 + i), dpi=100)) for i in range(4)])
    upload_and_process(page, paths)
    page.wait_for_selector("[data-testid=file-row][data-status=extracting], [data-testid=file-row][data-status=parsing]",
                           timeout=30_000)
    page.route("**/events*", lambda route: route.abort())
    page.evaluate("() => window.LIProgress.dropStream()")
    page.wait_for_selector("[data-testid=notice]:not([hidden])")
    assert "reconnecting" in page.text_content("[data-testid=notice]").lower()
    shot(page, "progress-reconnecting")
    before = page.text_content("[data-testid=n-completed]")
    page.wait_for_function(f"() => document.querySelector('[data-testid=n-completed]').textContent !== '{before}'",
                           timeout=60_000)  # polling still moves things along
    page.unroute("**/events*")
    wait_done(page)
    page.wait_for_selector("[data-testid=notice]", state="hidden")
    found = rows(page)
    assert len(found) == 4 and len({r["id"] for r in found}) == 4
    assert all(r["status"] == "completed" for r in found)
    for seen in page.evaluate("() => window.LIProgress.history()").values():
        assert in_order(seen), seen


def test_review_provenance_and_correction(page: Any, files: Any, server: Served) -> None:
    """Given a completed digital PDF, when a value is clicked, then the page image shows with
    the value's box; when it is corrected, then the correction survives a reload and the
    extracted result is unchanged."""
    paths = files(("review.pdf", make_pdf(report(60))))
    sid = upload_and_process(page, paths)
    page.wait_for_url(f"**/sessions/{sid}/review*", timeout=90_000)
    row = page.locator("[data-testid=result-row]", has_text="Hemoglobin").first
    row.locator("[data-testid=value]").click()
    page.wait_for_function("() => { const i = document.querySelector('[data-testid=page-image]'); return i.complete && i.naturalWidth > 0; }")
    box = page.locator("[data-testid=bbox]")
    box.wait_for(state="visible")
    bb = box.bounding_box()
    assert bb and bb["width"] > 5 and bb["height"] > 3
    img = page.locator("[data-testid=page-image]").bounding_box()
    assert img["x"] <= bb["x"] and bb["x"] + bb["width"] <= img["x"] + img["width"] + 1
    shot(page, "review-provenance")

    page.fill("[data-testid=edit-value]", "14.1")
    page.click("[data-testid=save-correction]")
    page.wait_for_selector("#edit-status:has-text('Saved.')")
    page.fill("#f-patient\\.name", "Jane Corrected Doe")
    page.press("#f-patient\\.name", "Tab")
    page.wait_for_selector("#f-patient\\.name.corrected")
    page.reload()
    value = page.locator("[data-testid=result-row]", has_text="Hemoglobin").first.locator("[data-testid=value]")
    assert value.text_content().strip() == "14.1"
    assert "corrected" in (value.get_attribute("class") or "")
    assert page.input_value("#f-patient\\.name") == "Jane Corrected Doe"
    file_id = page.evaluate("() => LI.json('current').fileId")
    with api_client(server) as client:
        extracted = client.get(f"/api/files/{file_id}/result", params={"as": "extracted"}).json()
        reviewed = client.get(f"/api/files/{file_id}/result").json()  # the default: corrections applied
    assert next(r for r in reviewed["results"] if r["name"] == "Hemoglobin")["value_text"] == "14.1"
    hb = next(r for r in extracted["results"] if r["name"] == "Hemoglobin")
    assert hb["value_text"] == "13.5"  # kept apart from what was extracted
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=confirmed]:has-text('Confirmed')")
    shot(page, "review")


OVERLAPS = """(selectors) => {
  const bad = [];
  for (const sel of selectors) {
    for (const parent of document.querySelectorAll(sel)) {
      const kids = [...parent.children].filter(k => k.offsetParent !== null && getComputedStyle(k).display !== 'none');
      for (let i = 0; i < kids.length; i++) for (let j = i + 1; j < kids.length; j++) {
        const a = kids[i].getBoundingClientRect(), b = kids[j].getBoundingClientRect();
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) bad.push(sel + ': ' + kids[i].className + ' / ' + kids[j].className);
      }
    }
  }
  return bad;
}"""


@pytest.fixture
def phone_dark() -> dict[str, Any]:
    return {"viewport": {"width": 390, "height": 844}, "color_scheme": "dark", "is_mobile": True,
            "has_touch": True, "device_scale_factor": 2}


def test_dark_mode_and_phone_width(browser: Any, server: Served, files: Any, phone_dark: dict[str, Any]) -> None:
    """Given a phone-width viewport with a dark system theme, when each page is shown, then it is
    dark, nothing runs off the side and the parts of rows and headers do not overlap."""
    from tests.ui.conftest import login

    ctx = browser.new_context(base_url=server.url, **phone_dark)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    try:
        login(page, server.url)
        bg = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert bg == "rgb(15, 18, 22)", bg
        paths = files(("phone.png", make_png(report(70), dpi=100)), ("phone-bad.png", corrupt_png_bytes()))
        sid = upload_and_process(page, paths)
        wait_done(page)
        pages = {"upload": "/upload", "progress": f"/sessions/{sid}?stay=1", "review": f"/sessions/{sid}/review",
                 "history": "/history", "analytics": "/analytics", "patients": "/patients"}
        for name, path in pages.items():
            page.goto(path)
            page.wait_for_load_state("networkidle")
            if name == "review":
                page.locator("[data-testid=value]").first.click()
                page.locator("[data-testid=bbox]").wait_for(state="visible")
            width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert width[0] <= width[1], (name, width)
            bad = page.evaluate(OVERLAPS, [".top", ".top-end", ".file", ".fline", ".cards", ".overall-line",
                                           ".actions", ".upload-bar", ".kpis", ".controls"])
            assert bad == [], (name, bad)
            shot(page, f"phone-dark-{name}")
        # The toggle overrides the system: light now, and it sticks across pages.
        page.click("#theme-toggle")  # system -> light
        page.goto("/history")
        assert page.evaluate("() => document.documentElement.dataset.theme") == "light"
        assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(246, 247, 249)"
    finally:
        ctx.close()


def _session_via_api(client: httpx.Client, named: list[tuple[str, bytes]]) -> str:
    csrf = {"X-CSRF-Token": client.get("/api/me").json()["csrfToken"]}
    sid = client.post("/api/sessions", json={"name": "history test"}, headers=csrf).json()["id"]
    files = [("files", (name, blob, "application/octet-stream")) for name, blob in named]
    assert client.post(f"/api/sessions/{sid}/files", files=files, headers=csrf).status_code == 200
    assert client.post(f"/api/sessions/{sid}/start", headers=csrf).status_code == 200
    deadline = time.monotonic() + 90
    while client.get(f"/api/sessions/{sid}/progress").json()["summary"]["session_status"] not in (
        "completed", "partial", "failed"
    ):
        assert time.monotonic() < deadline, "session did not finish"
        time.sleep(0.3)
    return sid


def _history_ids(page: Any) -> set[str]:
    return set(page.eval_on_selector_all("[data-testid=history] tr[data-session-id]", "els => els.map(e => e.dataset.sessionId)"))


def test_history_filters_analytics_and_patient_view(page: Any, server: Served) -> None:
    """Given a completed PDF session and a failed image session, then the history's status and
    file-type filters each keep the right one (also through the form), the analytics charts
    are drawn with data, and the patient view charts the PDF's patient's values."""
    with api_client(server) as client:
        pdf_sid = _session_via_api(client, [("history.pdf", make_pdf(report(80)))])
        bad_sid = _session_via_api(client, [("broken.png", corrupt_png_bytes())])
    page.emulate_media(reduced_motion="reduce")  # charts drawn at once: the screenshots show final bars

    page.goto("/history?status=failed")
    assert bad_sid in _history_ids(page) and pdf_sid not in _history_ids(page)
    page.goto("/history?type=pdf")
    assert pdf_sid in _history_ids(page) and bad_sid not in _history_ids(page)
    page.goto("/history")
    page.select_option("#status", "completed")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/history?*status=completed*")
    assert pdf_sid in _history_ids(page) and bad_sid not in _history_ids(page)
    shot(page, "history")

    page.goto("/analytics")
    charts = page.wait_for_function(
        """() => {
          if (!window.Chart) return null;
          const out = {};
          for (const id of ['c-time', 'c-success', 'c-errors']) {
            const c = Chart.getChart(document.getElementById(id));
            if (!c) return null;
            out[id] = { labels: c.data.labels.length,
                        total: c.data.datasets.reduce((n, d) => n + d.data.reduce((a, v) => a + (Number(v) || 0), 0), 0) };
          }
          return out;
        }"""
    ).json_value()
    assert charts["c-errors"]["labels"] >= 1 and charts["c-errors"]["total"] >= 1  # the broken image
    assert charts["c-time"]["labels"] >= 1 and charts["c-success"]["total"] >= 2
    # Retries: a doughnut once something was retried (the corrupt-image test retries), else words.
    retried = page.evaluate("() => { const c = Chart.getChart(document.getElementById('c-retry'));"
                            " return c ? c.data.datasets[0].data.reduce((a, v) => a + v, 0) : 0; }")
    empty = page.locator(".card", has_text="Retries").locator("[data-testid=chart-empty]")
    assert (retried >= 1 and empty.count() == 0) or (
        retried == 0 and empty.text_content() == "No file has been retried yet.")
    shot(page, "analytics")

    page.goto("/patients")
    page.locator("tr", has_text="0007780").locator("a").first.click()
    page.wait_for_selector("[data-testid=series] tbody tr")
    points = page.wait_for_function(
        "() => { const c = window.Chart && Chart.getChart(document.getElementById('c-series'));"
        " return c ? c.data.datasets.at(-1).data.filter(v => v !== null) : null; }"
    ).json_value()
    assert points == [5.4]  # the report's HbA1c (tests/fixtures/reports.py), drawn where it belongs
    shot(page, "patient")


def test_review_queue_keyboard_and_confirm_and_next(page: Any, files: Any, server: Served) -> None:
    """Given a session of two reports, one with a row printed with a flag its range contradicts,
    when the review opens, then the queue lists both files with their state, the doubtful row
    has the focus, the keyboard moves between rows, Enter opens the correction and Esc leaves
    it, and 'c' confirms and opens the next file, whose queue entry then shows the first confirmed."""
    import dataclasses

    doubtful = report(62)
    rows_ = list(doubtful.rows)
    k = next(i for i, r in enumerate(rows_) if r.flag == "" and r.name == "Sodium")
    rows_[k] = dataclasses.replace(rows_[k], flag="L")  # 140 printed L against 135-145: needs review
    doubtful = dataclasses.replace(doubtful, rows=rows_)
    paths = files(("first.pdf", make_pdf(doubtful)), ("second.pdf", make_pdf(report(63))))
    sid = upload_and_process(page, paths)
    page.wait_for_url(f"**/sessions/{sid}/review*", timeout=90_000)
    if "first.pdf" not in page.text_content("[aria-current=page][data-testid=queue-item]"):
        page.click("[data-testid=queue-item]:has-text('first.pdf')")
    items = page.locator("[data-testid=queue-item]")
    assert items.count() == 2
    assert "1 to check" in page.text_content("[data-testid=queue-item]:has-text('first.pdf')")
    focused = page.evaluate("() => document.activeElement.closest('tr') && document.activeElement.closest('tr').textContent")
    assert focused and "Sodium" in focused  # the doubtful row has the focus
    assert page.locator("[data-testid=shortcuts]").count() == 1
    page.keyboard.press("j")
    after = page.evaluate("() => document.activeElement.closest('tr').dataset.index")
    page.keyboard.press("k")
    back = page.evaluate("() => document.activeElement.closest('tr').dataset.index")
    assert int(after) == int(back) + 1
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "edit-value"
    page.keyboard.press("Escape")
    assert page.evaluate("() => document.activeElement.classList.contains('value-btn')")
    assert "Confirm and next" in page.text_content("[data-testid=confirm]")
    page.keyboard.press("c")
    page.wait_for_function("() => location.search.includes('file=')"
                           " && document.querySelector('[aria-current=page][data-testid=queue-item]').textContent.includes('second.pdf')")
    assert "confirmed" in page.text_content("[data-testid=queue-item]:has-text('first.pdf')")
    shot(page, "review-queue")

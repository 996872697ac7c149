"""The analytics page over a date range (charts, human labels, CSV link, a wrong range) and the
history's search box, in a real browser. Each test states given / when / then."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.fixtures.reports import corrupt_png_bytes, make_pdf
from tests.ui.conftest import Served, report, shot
from tests.ui.test_browser import _session_via_api, api_client

pytestmark = pytest.mark.slow

CHARTS = ["c-trend", "c-success", "c-pages", "c-stages", "c-types", "c-cost"]
DRAWN = """(ids) => {
  if (!window.Chart) return null;
  const out = {};
  for (const id of ids) {
    const el = document.getElementById(id);
    const c = el && Chart.getChart(el);
    if (!c) return null;
    out[id] = { labels: c.data.labels.length, sets: c.data.datasets.map(d => d.label),
                total: c.data.datasets.reduce((n, d) => n + d.data.reduce((a, v) => a + (Number(v) || 0), 0), 0) };
  }
  return out;
}"""


def _ids(page: Any) -> set[str]:
    return set(page.eval_on_selector_all("[data-testid=history] tr[data-session-id]", "els => els.map(e => e.dataset.sessionId)"))


def test_analytics_charts_and_date_range(page: Any, server: Served) -> None:
    """Given a processed PDF and a broken photo, when the analytics page opens, then every chart
    over time is drawn with data and human labels; when an old range is chosen, the page shows
    that range with empty charts said in words; a reversed range says what is wrong."""
    with api_client(server) as client:
        _session_via_api(client, [("analytics.pdf", make_pdf(report(81))), ("analytics-broken.png", corrupt_png_bytes())])
    page.emulate_media(reduced_motion="reduce")
    page.goto("/analytics")
    charts = page.wait_for_function(DRAWN, arg=CHARTS).json_value()
    today = date.today()
    assert charts["c-success"]["labels"] == 30 and charts["c-success"]["total"] >= 2
    assert charts["c-pages"]["total"] >= 1 and charts["c-cost"]["total"] > 0
    assert "PDF median" in charts["c-trend"]["sets"] and "PDF p95" in charts["c-trend"]["sets"]
    assert charts["c-stages"]["labels"] == 3 and charts["c-types"]["labels"] >= 2
    labels = page.evaluate("() => Chart.getChart(document.getElementById('c-types')).data.labels")
    assert "PDF" in labels and "Image (PNG)" in labels
    errors = page.evaluate("() => Chart.getChart(document.getElementById('c-errors')).data.labels")
    assert "Unreadable image" in errors and "image_unreadable" not in errors
    body = page.locator("main").inner_text()
    assert "application/" not in body and "image/png" not in body and "IMAGE_UNREADABLE" not in body.upper().replace(
        "UNREADABLE IMAGE", "")
    assert page.locator("[data-testid=type-table] td", has_text="PDF").count() >= 1
    assert page.get_attribute("[data-testid=csv-export]", "href") == (
        f"/api/analytics.csv?since={today - timedelta(days=29)}&until={today}")
    assert "estimate" in page.locator("[data-testid=cost]").inner_text().lower()
    shot(page, "analytics-range")

    page.fill("#since", "2021-01-01")
    page.fill("#until", "2021-06-30")
    page.click("[data-testid=range-form] button[type=submit]")
    page.wait_for_url("**/analytics?since=2021-01-01&until=2021-06-30")
    assert "2021-01-01 to 2021-06-30, by week" in page.locator("[data-testid=range-label]").inner_text()
    assert page.locator("[data-testid=chart-empty]", has_text="No file ended in this range.").count() >= 3
    assert page.locator("#c-trend").count() == 0

    page.goto("/analytics?since=2021-06-30&until=2021-01-01")
    assert "after its end" in page.locator("[role=alert]").inner_text()
    page.wait_for_function(DRAWN, arg=["c-success"])  # and the default range is shown meanwhile


def test_history_search_box(page: Any, server: Served) -> None:
    """Given a session with an accented file name and another without, when the history is
    searched without accents and in capitals, then only the first is listed and the box keeps
    the query; the patient's name finds the processed report but not the broken photo."""
    with api_client(server) as client:
        named = _session_via_api(client, [("Ärztebefund-Øresund-4412.pdf", make_pdf(report(82)))])
        broken = _session_via_api(client, [("search-broken.png", corrupt_png_bytes())])
    page.goto("/history")
    page.fill("[data-testid=history-search]", "ARZTEBEFUND-ORESUND")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/history?q=ARZTEBEFUND-ORESUND*")
    assert _ids(page) == {named}
    assert page.input_value("[data-testid=history-search]") == "ARZTEBEFUND-ORESUND"
    shot(page, "history-search")
    family = report(82).truth.patient.name.split()[-1]
    page.goto(f"/history?q={family.lower()}")
    found = _ids(page)
    assert named in found and broken not in found
    page.goto("/history?q=no-such-file-anywhere")
    assert _ids(page) == set() and "No sessions match" in page.locator("main").inner_text()

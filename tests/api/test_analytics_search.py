"""GET /api/analytics over a date range, its CSV, and GET /api/sessions?q= search, over HTTP."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from tests.api.conftest import Api, new_session, wait_finished
from tests.fixtures.reports import corrupt_pdf_bytes, make_pdf, sample_report


def test_analytics_over_a_range_with_cost_and_csv(api: Api) -> None:
    """Given a processed report and a damaged PDF, then today's analytics have a series, the
    file types in words, stage times and a measured cost; the CSV has the same; a reversed range
    is a 400 in the one error shape; another user sees nothing of it."""
    _, client = api.user("analytics-range@example.org")
    sid, _ = new_session(client, [("report.pdf", make_pdf(sample_report())), ("broken.pdf", corrupt_pdf_bytes())])
    client.post(f"/api/sessions/{sid}/start")
    wait_finished(client, sid)
    today = date.today()
    a = client.get("/api/analytics").json()
    assert a["range"] == {"since": str(today - timedelta(days=29)), "until": str(today), "granularity": "day"}
    assert len(a["series"]["periods"]) == 30 and a["series"]["periods"][-1] == str(today)
    assert a["series"]["files"][-1] == 2 and a["series"]["completed"][-1] == 1 and a["series"]["pages"][-1] >= 1
    (pdf,) = a["fileTypes"]
    assert (pdf["label"], pdf["files"], pdf["successRate"]) == ("PDF", 2, 0.5)
    assert pdf["secondsPerPage"] > 0
    assert [e["label"] for e in a["failuresByErrorCode"]] == ["Damaged PDF"]
    stages = {s["stage"]: s for s in a["stages"]}
    assert set(stages) == {"extract", "parse", "save"} and stages["extract"]["files"] == 1
    assert a["cost"]["files"] >= 1 and a["cost"]["cpuSeconds"] > 0 and a["cost"]["costPerFile"] > 0
    assert a["cost"]["currency"] == "USD" and a["cost"]["perCpuHour"] == 0.04

    long = client.get("/api/analytics", params={"since": str(today - timedelta(days=200)), "until": str(today)})
    assert long.json()["range"]["granularity"] == "week"
    old = client.get("/api/analytics", params={"since": "2020-01-01", "until": "2020-01-31"}).json()
    assert old["files"] == 0 and sum(old["series"]["files"]) == 0

    reversed_range = client.get("/api/analytics", params={"since": str(today), "until": "2020-01-01"})
    assert reversed_range.status_code == 400 and reversed_range.json()["error"]["code"] == "bad_request"

    exported = client.get("/api/analytics.csv", params={"since": str(today), "until": str(today)})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert f'labintake-analytics-{today}-{today}.csv' in exported.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(exported.text)))
    assert table[0] == ["section", "period", "file_type", "measure", "value"]
    assert ["series", str(today), "", "files", "2"] in table
    assert ["failures", "", "", "Damaged PDF", "1"] in table
    assert "application/pdf" not in exported.text

    _, stranger = api.user("analytics-stranger@example.org")
    theirs = stranger.get("/api/analytics").json()
    assert theirs["files"] == 0 and theirs["cost"]["files"] == 0 and theirs["fileTypes"] == []
    assert stranger.get("/api/analytics.csv").status_code == 200


def test_history_search_by_file_patient_and_lab_name(api: Api) -> None:
    """Given a processed report in one session and an unprocessed file in another, then ``q``
    finds the first by its patient's and lab's names in any case and without accents, the second
    by its file name only, and another user's search finds neither."""
    _, client = api.user("search@example.org")
    sample = sample_report()
    read, files = new_session(client, [("Bericht-Müller.pdf", make_pdf(sample))])
    client.post(f"/api/sessions/{read}/start")
    wait_finished(client, read)
    waiting, _ = new_session(client, [("Ångström notes.pdf", make_pdf(sample))])

    def found(q: str, c=client) -> set[str]:  # type: ignore[no-untyped-def]
        page = c.get("/api/sessions", params={"q": q})
        assert page.status_code == 200, page.text
        return {i["id"] for i in page.json()["items"]}

    family = sample.truth.patient.name.split()[-1]
    assert found(family.upper()) == {read}
    assert found(sample.lab_name.lower()[:12]) == {read}
    assert found("bericht-muller") == {read} and found("MÜLLER") == {read}
    assert found("angstrom") == {waiting}
    assert found(".pdf") == {read, waiting}
    assert found("no such thing") == set()
    assert client.get("/api/sessions", params={"q": "x" * 101}).status_code == 422
    # A corrected patient name is findable too; the name as read still is.
    fixed = client.put(f"/api/files/{files[0]['fileId']}/corrections",
                       json={"target": "patient.name", "value": "Zoë Quarantöttö"})
    assert fixed.status_code == 200, fixed.text
    assert found("quarantotto") == {read} and found(family) == {read}
    _, stranger = api.user("search-stranger@example.org")
    assert found(".pdf", stranger) == set()

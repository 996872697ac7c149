"""Corrections are the truth downstream: every result format gives the reviewed report by
default, marks what a person changed, and keeps what was extracted one parameter away."""

from __future__ import annotations

import csv
import io

from tests.api.conftest import Api, new_session, wait_finished
from tests.fixtures.reports import make_pdf, sample_report


def test_results_are_the_reviewed_report_in_every_format(api: Api) -> None:
    _, client = api.user("reviewed@example.org")
    session_id, files = new_session(client, [("Lab Report 2025.pdf", make_pdf(sample_report()))])
    client.post(f"/api/sessions/{session_id}/start")
    wait_finished(client, session_id)
    fid = files[0]["fileId"]
    extracted = client.get(f"/api/files/{fid}/result").json()
    hb = next(i for i, r in enumerate(extracted["results"]) if r["name"] == "Hemoglobin")
    for target, value in ((f"results.{hb}.value_text", "9.9"), ("patient.name", "Jane Corrected Doe")):
        assert client.put(f"/api/files/{fid}/corrections", json={"target": target, "value": value}).status_code == 200

    doc = client.get(f"/api/files/{fid}/result")
    assert doc.headers["content-disposition"] == 'attachment; filename="Lab_Report_2025.json"'
    report = doc.json()
    assert report["results"][hb]["value_text"] == "9.9" and report["results"][hb]["value"] == 9.9
    assert report["results"][hb]["corrected"] is True and report["patient"]["name"] == "Jane Corrected Doe"
    assert sum(r["corrected"] for r in report["results"]) == 1

    as_read = client.get(f"/api/files/{fid}/result", params={"as": "extracted"}).json()
    assert as_read["results"][hb]["value_text"] == extracted["results"][hb]["value_text"] != "9.9"
    assert as_read["patient"]["name"] == extracted["patient"]["name"]

    sheet = client.get(f"/api/files/{fid}/result", params={"format": "csv"})
    assert sheet.headers["content-disposition"].endswith('filename="Lab_Report_2025.csv"')
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    assert rows[hb]["value_text"] == "9.9" and rows[hb]["corrected"] == "yes"
    assert rows[0]["patient_name"] == "Jane Corrected Doe" and sum(r["corrected"] == "yes" for r in rows) == 1

    fhir = client.get(f"/api/files/{fid}/result", params={"format": "fhir"})
    assert fhir.headers["content-disposition"].endswith('filename="Lab_Report_2025.fhir.json"')
    observations = [e["resource"] for e in fhir.json()["entry"] if e["resource"]["resourceType"] == "Observation"]
    tagged = [o for o in observations if any(t["code"] == "corrected" for t in o.get("meta", {}).get("tag", []))]
    assert len(tagged) == 1 and tagged[0]["valueQuantity"]["value"] == 9.9 and tagged[0]["note"]

    def report_status() -> str:
        bundle = client.get(f"/api/files/{fid}/result", params={"format": "fhir"}).json()
        return next(e["resource"]["status"] for e in bundle["entry"] if e["resource"]["resourceType"] == "DiagnosticReport")

    assert client.post(f"/api/files/{fid}/confirm").status_code == 200
    assert report_status() == "final"  # confirmed in review


def test_patient_records_and_trends_follow_corrections(api: Api) -> None:
    """Given two reports filed under two patients (two MRNs), when a person corrects the first
    report's name, birth date and sex, then the patients list shows the corrected values; when
    they correct its MRN to the second's, then both reports are one patient, the emptied record
    is gone, and that patient's trend holds both reports with the corrected value."""
    import dataclasses

    _, client = api.user("patients-follow@example.org")
    first = dataclasses.replace(sample_report(), mrn="0009401")
    second = dataclasses.replace(sample_report(), mrn="0009402")
    session_id, files = new_session(client, [("first.pdf", make_pdf(first)), ("second.pdf", make_pdf(second))])
    client.post(f"/api/sessions/{session_id}/start")
    wait_finished(client, session_id)
    fid = files[0]["fileId"]
    assert {p["mrn"] for p in client.get("/api/patients").json()} == {"0009401", "0009402"}

    for target, value in (("patient.name", "Janet Roe"), ("patient.date_of_birth", "1979-01-02"),
                          ("patient.sex", "other")):
        assert client.put(f"/api/files/{fid}/corrections", json={"target": target, "value": value}).status_code == 200
    people = {p["mrn"]: p for p in client.get("/api/patients").json()}
    assert (people["0009401"]["name"], people["0009401"]["dateOfBirth"], people["0009401"]["sex"]) == (
        "Janet Roe", "1979-01-02", "other")
    assert people["0009402"]["name"] != "Janet Roe"  # the other report's patient is untouched

    hb = next(i for i, r in enumerate(client.get(f"/api/files/{fid}/result").json()["results"])
              if r["name"] == "Hemoglobin")
    client.put(f"/api/files/{fid}/corrections", json={"target": f"results.{hb}.value_text", "value": "9.9"})
    assert client.put(f"/api/files/{fid}/corrections",
                      json={"target": "patient.mrn", "value": "0009402"}).status_code == 200
    [person] = client.get("/api/patients").json()
    assert (person["mrn"], person["name"], person["reports"]) == ("0009402", "Janet Roe", 2)
    series = client.get(f"/api/patients/{person['id']}/series", params={"analyte": "718-7"}).json()["points"]
    assert sorted(p["value"] for p in series) == [9.9, 13.5]
    assert [p["corrected"] for p in series if p["value"] == 9.9] == [True]

"""A readable report with a doubtful row completes, and says how many results to check."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from labintake.service import LabIntake, accounts, sessions
from tests.conftest import make_settings, start_processing
from tests.fixtures.reports import make_pdf, sample_report
from tests.integration.helpers import upload, wait_finished


def doubtful_report():  # type: ignore[no-untyped-def]
    """The sample with Sodium 139 printed flagged L against 136-145: a flag its range contradicts."""
    rep = sample_report()
    rows = list(rep.rows)
    k = next(i for i, r in enumerate(rows) if r.name == "Sodium")
    rows[k] = dataclasses.replace(rows[k], flag="L")
    return dataclasses.replace(rep, rows=rows)


def test_a_doubtful_row_completes_the_file_with_one_to_check(tmp_path: Path, backend: dict[str, str]) -> None:
    """Given a report whose one row has a flag its range contradicts, when it is processed, then
    the file completes (not parse_validation_failed) and its progress entry says 1 to check; a
    clean report says none."""
    li = LabIntake(make_settings(tmp_path, backend["database_url"], executor=backend["executor"]))
    start_processing(li)
    try:
        user = accounts.local_user_id(li)
        session_id, ids = upload(li, user, tmp_path, {"doubtful.pdf": make_pdf(doubtful_report()),
                                                       "clean.pdf": make_pdf(sample_report())})
        sessions.start(li, session_id, user)
        final = wait_finished(li, session_id, user)
        by_name = {f["fileName"]: f for f in final["files"]}
        assert by_name["doubtful.pdf"]["status"] == "completed"
        assert by_name["doubtful.pdf"]["toCheck"] == 1
        assert by_name["clean.pdf"]["status"] == "completed" and by_name["clean.pdf"]["toCheck"] == 0
    finally:
        li.stop()

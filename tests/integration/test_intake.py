"""The intake folder on real files and a real executor, on every backend: pick-up rules, grouping,
done/ and failed/, idempotency by content, and restarts in the middle of a hand-over."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from labintake.db.models import ProcessingSession, UploadedFile
from labintake.intake import IntakeFolder, is_candidate
from labintake.service import LabIntake, accounts, sessions
from tests.conftest import make_settings, start_processing
from tests.fixtures.reports import corrupt_pdf_bytes, make_pdf, sample_report


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return make_pdf(sample_report())


def copy_of(pdf: bytes, n: int) -> bytes:
    """Another file with the same report: readers ignore bytes after the last %%EOF."""
    return pdf + f"\n% copy {n}\n".encode()


@pytest.fixture
def app(tmp_path: Path, backend: dict[str, str]) -> Iterator[LabIntake]:
    li = LabIntake(make_settings(tmp_path, backend["database_url"], executor=backend["executor"], workers=2))
    start_processing(li)
    yield li
    li.stop()


def intake_for(app: LabIntake, folder: Path) -> IntakeFolder:
    return IntakeFolder(app, folder, accounts.local_user_id(app), settle_seconds=0.0, poll_seconds=0.05)


def scan_until(intake: IntakeFolder, done, timeout: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"intake did not get there: {sorted(p.name for p in intake.folder.rglob('*'))}"
        intake.scan_once()
        time.sleep(0.05)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.exists() else []


def sessions_and_files(app: LabIntake) -> tuple[int, int]:
    with app.db.read() as s:
        sessions = s.execute(select(func.count()).select_from(ProcessingSession)).scalar_one()
        files = s.execute(select(func.count()).select_from(UploadedFile)).scalar_one()
    return sessions, files


def test_files_dropped_together_form_one_session_and_end_in_done(app: LabIntake, tmp_path: Path, pdf: bytes) -> None:
    """Given two reports dropped into the folder at once, when the intake runs, then they are
    processed in one session and both end in done/, with nothing left in processing/ or the journal."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(copy_of(pdf, 1))
    (folder / "b.pdf").write_bytes(copy_of(pdf, 2))
    intake = intake_for(app, folder)
    scan_until(intake, lambda: names(folder / "done") == ["a.pdf", "b.pdf"])
    assert names(folder) == [] and names(folder / "processing") == [] and names(folder / "failed") == []
    assert list((folder / ".labintake" / "items").iterdir()) == []
    assert sessions_and_files(app) == (1, 2)


def test_dotfiles_and_partial_downloads_wait_until_renamed(app: LabIntake, tmp_path: Path, pdf: bytes) -> None:
    """Given a dotfile and a .part download, when the intake scans, then neither is touched; once
    the download is renamed to its real name it is picked up."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / ".hidden.pdf").write_bytes(pdf)
    (folder / "report.pdf.part").write_bytes(pdf)
    intake = intake_for(app, folder)
    for _ in range(3):
        intake.scan_once()
    assert names(folder) == [".hidden.pdf", "report.pdf.part"]
    assert sessions_and_files(app) == (0, 0)
    os.replace(folder / "report.pdf.part", folder / "report.pdf")
    scan_until(intake, lambda: names(folder / "done") == ["report.pdf"])
    assert names(folder) == [".hidden.pdf"]


def test_a_file_still_being_written_is_not_picked_up(app: LabIntake, tmp_path: Path, pdf: bytes) -> None:
    """Given a file whose size changes between scans, when the intake scans, then it is left
    alone until size and mtime hold still for the settle time."""
    folder = tmp_path / "in"
    folder.mkdir()
    intake = IntakeFolder(app, folder, accounts.local_user_id(app), settle_seconds=3600.0, poll_seconds=0.05)
    path = folder / "growing.pdf"
    path.write_bytes(pdf[: len(pdf) // 2])
    intake.scan_once()
    with path.open("ab") as fh:
        fh.write(pdf[len(pdf) // 2:])
    intake.scan_once()
    intake.scan_once()  # stable now, but not for an hour
    assert names(folder) == ["growing.pdf"] and sessions_and_files(app) == (0, 0)
    os.utime(path, (time.time() - 7200, time.time() - 7200))  # as if written two hours ago
    intake.scan_once()  # mtime changed: seen anew
    intake.scan_once()
    assert names(folder / "processing") == ["growing.pdf"]


def test_a_failed_file_goes_to_failed_with_its_reason(app: LabIntake, tmp_path: Path) -> None:
    """Given a corrupt PDF, when it has been processed, then it sits in failed/ with a .error.txt
    that names the stable error code."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(corrupt_pdf_bytes())
    intake = intake_for(app, folder)
    scan_until(intake, lambda: "broken.pdf.error.txt" in names(folder / "failed"))
    assert names(folder / "failed") == ["broken.pdf", "broken.pdf.error.txt"]
    assert (folder / "failed" / "broken.pdf.error.txt").read_text().startswith("corrupt_pdf: ")


def test_content_already_processed_is_not_processed_again(app: LabIntake, tmp_path: Path, pdf: bytes) -> None:
    """Given a report that was processed, when the same bytes are dropped again under another
    name, then they go to done/ without a new session or file."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "first.pdf").write_bytes(pdf)
    intake = intake_for(app, folder)
    scan_until(intake, lambda: names(folder / "done") == ["first.pdf"])
    (folder / "again.pdf").write_bytes(pdf)
    (folder / "first.pdf").write_bytes(pdf)  # the same name as one already in done/
    scan_until(intake, lambda: names(folder) == [])
    assert names(folder / "done") == ["again.pdf", "first (2).pdf", "first.pdf"]
    assert sessions_and_files(app) == (1, 1)


class Crash(Exception):
    pass


def scan_until_crash(intake: IntakeFolder) -> None:
    """A file is claimed on the second scan that sees it unchanged."""
    for _ in range(5):
        try:
            intake.scan_once()
        except Crash:
            return
    raise AssertionError("the intake never reached the crash point")


def test_a_restart_between_claim_and_queue_loses_nothing(
    app: LabIntake, tmp_path: Path, pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given an intake that dies after claiming a file (journalled, moved to processing/) but
    before adding it, when a new intake starts on the folder, then the file is processed once."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(pdf)
    dying = intake_for(app, folder)

    def crash(*args: object, **kwargs: object) -> None:
        raise Crash

    monkeypatch.setattr(sessions, "store", crash)
    scan_until_crash(dying)
    assert names(folder / "processing") == ["report.pdf"]
    monkeypatch.undo()
    scan_until(intake_for(app, folder), lambda: names(folder / "done") == ["report.pdf"])
    assert sessions_and_files(app) == (1, 1)


def test_a_restart_after_adding_but_before_journalling_adds_nothing_twice(
    app: LabIntake, tmp_path: Path, pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given an intake that dies right after the file was added to its session (before the journal
    says so and before the session started), when a new intake starts, then the same session gets
    no second copy, is started, and the file ends in done/."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(pdf)
    dying = intake_for(app, folder)

    def crash(*args: object, **kwargs: object) -> None:
        raise Crash

    original_save = dying._save

    def save_then_crash(item):  # type: ignore[no-untyped-def]
        if item.file_id is not None:
            raise Crash  # added to the database, not yet journalled
        original_save(item)

    monkeypatch.setattr(dying, "_save", save_then_crash)
    monkeypatch.setattr(sessions, "start", crash)
    scan_until_crash(dying)
    monkeypatch.undo()
    assert sessions_and_files(app) == (1, 1)
    scan_until(intake_for(app, folder), lambda: names(folder / "done") == ["report.pdf"])
    assert sessions_and_files(app) == (1, 1)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("report.pdf", True), (".report.pdf", False), ("report.pdf.part", False), ("scan.JPG.crdownload", False),
     ("~$report.pdf", False), ("report.tmp", False)],
)
def test_which_names_are_candidates(tmp_path: Path, name: str, expected: bool) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    assert is_candidate(path) is expected

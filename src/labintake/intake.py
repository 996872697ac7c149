"""The intake folder: files dropped into a directory are processed, then moved out of the way.

``labintake watch DIR --user EMAIL`` (or ``LABINTAKE_INTAKE_DIR`` with ``labintake serve``)
runs an :class:`IntakeFolder`. Its life cycle for one file::

    DIR/report.pdf                    dropped; picked up once its size and mtime hold still
      -> DIR/processing/report.pdf    claimed (a journal entry is written first)
      -> DIR/done/report.pdf          completed
      -> DIR/failed/report.pdf        failed, timed out or cancelled, with
         DIR/failed/report.pdf.error.txt   the error code and message

Files that become ready together go into one session. Dotfiles and partial downloads
(``*.part``, ``*.crdownload``, …) are ignored until they are renamed.

Restarts lose nothing: every step is written to a small journal in ``DIR/.labintake/``
before it is taken, and taking it again is harmless (a file is added to its session with
de-duplication by content, so a crash between "added" and "journalled" does not add it
twice). Content already processed to completion is not processed again: a second copy of
it goes straight to ``done/``. A copy of content that failed is tried again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.status import FileStatus
from labintake.service import progress, sessions

if TYPE_CHECKING:
    from labintake.service import LabIntake

log = logging.getLogger(__name__)

PARTIAL_SUFFIXES = (".part", ".partial", ".crdownload", ".download", ".tmp", ".filepart", ".opdownload")
_SUBDIRS = ("processing", "done", "failed")
_TERMINAL = {FileStatus.COMPLETED.value, FileStatus.FAILED.value, FileStatus.TIMEOUT.value,
             FileStatus.CANCELLED.value}
# However busy the folder, a batch is not held back longer than this for stragglers.
_MAX_GROUP_WAIT_SECONDS = 60.0


@dataclass
class Item:
    """One claimed file, as journalled in ``DIR/.labintake/items/<sha256>.json``."""

    sha256: str
    name: str  # the name it was dropped with
    processing: str  # its path under DIR while it is processed
    group: str  # files claimed together share a group (one session)
    session_id: str | None = None
    file_id: str | None = None
    started: bool = False


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    first_seen: float = field(default_factory=time.monotonic)


def is_candidate(path: Path) -> bool:
    """A file the intake should look at: no dotfile, no partial download, no folder."""
    name = path.name
    if name.startswith((".", "~$")) or name.lower().endswith(PARTIAL_SUFFIXES):
        return False
    return path.is_file()


class IntakeFolder:
    def __init__(
        self,
        li: LabIntake,
        folder: Path,
        user_id: str,
        *,
        settle_seconds: float | None = None,
        poll_seconds: float | None = None,
    ) -> None:
        """Times default to ``LABINTAKE_INTAKE_SETTLE_SECONDS`` and ``LABINTAKE_INTAKE_POLL_SECONDS``."""
        self.li = li
        self.folder = folder.resolve()
        self.user_id = user_id
        self.settle_seconds = li.settings.intake_settle_seconds if settle_seconds is None else settle_seconds
        self.poll_seconds = li.settings.intake_poll_seconds if poll_seconds is None else poll_seconds
        self._seen: dict[Path, _Seen] = {}
        self._journal = self.folder / ".labintake"
        for sub in _SUBDIRS:
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        (self._journal / "items").mkdir(parents=True, exist_ok=True)
        (self._journal / "completed").mkdir(parents=True, exist_ok=True)

    # --- the loop ---------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Scan until ``stop`` is set. A failing scan is logged and tried again, never fatal."""
        while not stop.is_set():
            try:
                self.scan_once()
            except LabIntakeError as exc:  # e.g. the database is down: the next scan retries
                log.warning("intake scan failed: %s", exc.code.value)
            except OSError as exc:  # a file vanished or the disk is full: the next scan retries
                log.warning("intake scan failed: %s", exc)
            stop.wait(self.poll_seconds)

    def scan_once(self) -> None:
        """One pass: resume journalled work, claim and queue ready files, move out ended ones."""
        items = self._load_items()
        self._resume(items)
        self._claim_ready()
        self._finish(self._load_items())

    # --- picking files up -------------------------------------------------------------------

    def _claim_ready(self) -> None:
        now = time.time()
        ready: list[Path] = []
        waiting: list[_Seen] = []
        present: set[Path] = set()
        for path in sorted(self.folder.iterdir()):
            if not is_candidate(path):
                continue
            present.add(path)
            st = path.stat()
            seen = self._seen.get(path)
            if seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
                self._seen[path] = _Seen(st.st_size, st.st_mtime_ns)  # new, or still being written
                waiting.append(self._seen[path])
            elif now - st.st_mtime >= self.settle_seconds:
                ready.append(path)
            else:
                waiting.append(seen)
        for gone in set(self._seen) - present:
            del self._seen[gone]
        if not ready:
            return
        # Files arriving together form one session: while others are still settling, wait for
        # them (bounded, so one slow copy does not hold the rest back forever).
        oldest = min(self._seen[p].first_seen for p in ready)
        if waiting and time.monotonic() - oldest < _MAX_GROUP_WAIT_SECONDS:
            return
        group = os.urandom(8).hex()
        claimed: list[Item] = []
        for path in ready:
            item = self._claim(path, group)
            self._seen.pop(path, None)
            if item is not None:
                claimed.append(item)
        if claimed:
            self._queue(claimed)

    def _claim(self, path: Path, group: str) -> Item | None:
        sha = _sha256(path)
        if (self._journal / "completed" / sha).exists():
            dest = _move(path, self.folder / "done")
            log.info("intake: content already processed, moved to %s", dest.relative_to(self.folder))
            return None
        if (self._journal / "items" / f"{sha}.json").exists():
            return None  # the same content is being processed; look again once it has ended
        target = _free_name(self.folder / "processing", path.name)
        item = Item(sha256=sha, name=path.name, processing=str(target.relative_to(self.folder)), group=group)
        self._save(item)  # journal first: a crash before the rename finds the file where it was
        os.replace(path, target)
        return item

    # --- queueing ---------------------------------------------------------------------------

    def _queue(self, items: list[Item]) -> None:
        """Create the group's session (once), add its files (de-duplicated by content), start it."""
        session_id = next((i.session_id for i in items if i.session_id), None)
        if session_id is None:
            first = items[0].name
            name = first if len(items) == 1 else f"{first} and {len(items) - 1} more"
            session_id = sessions.create(self.li, self.user_id, name[:200]).id
            for item in items:
                item.session_id = session_id
                self._save(item)
        for item in items:
            if item.file_id is not None:
                continue
            path = self.folder / item.processing
            if not path.exists():  # removed by hand while we were down: nothing to do
                self._forget(item)
                continue
            with path.open("rb") as fh:
                added = sessions.store(self.li, session_id, self.user_id, fh, item.name, dedupe=True)
            if added.file_id is None and added.duplicate_of is None:  # refused before storing
                self._end(item, FileStatus.FAILED.value, added.error_code, added.error_message)
                continue
            item.file_id = added.file_id or added.duplicate_of
            self._save(item)
        pending = [i for i in items if i.file_id is not None and not i.started]
        if pending:
            sessions.start(self.li, session_id, self.user_id)
            for item in pending:
                item.started = True
                self._save(item)
        log.info("intake: %d file(s) queued", len(pending))

    def _resume(self, items: list[Item]) -> None:
        """Finish what a previous run journalled but did not complete."""
        groups: dict[str, list[Item]] = {}
        for item in items:
            source = self.folder / item.name
            target = self.folder / item.processing
            if not target.exists() and source.exists() and item.file_id is None:
                os.replace(source, target)  # crashed between the journal and the rename
            if not item.started:
                groups.setdefault(item.group, []).append(item)
        for group in groups.values():
            self._queue(group)

    # --- moving ended files out -------------------------------------------------------------

    def _finish(self, items: list[Item]) -> None:
        by_session: dict[str, list[Item]] = {}
        for item in items:
            if item.started and item.session_id:
                by_session.setdefault(item.session_id, []).append(item)
        for session_id, group in by_session.items():
            snapshot = progress.read(self.li, session_id, self.user_id)
            if snapshot is None:  # the session was deleted: its files failed for good
                for item in group:
                    self._end(item, FileStatus.CANCELLED.value, ErrorCode.CANCELLED.value, "The session was deleted.")
                continue
            files: dict[str, dict[str, Any]] = {f["fileId"]: f for f in snapshot["files"]}
            for item in group:
                f = files.get(item.file_id or "")
                if f is None:
                    self._end(item, FileStatus.CANCELLED.value, ErrorCode.CANCELLED.value, "The file was removed.")
                elif f["status"] in _TERMINAL:
                    self._end(item, f["status"], f.get("errorCode"), f.get("error"))

    def _end(self, item: Item, status: str, code: str | None, message: str | None) -> None:
        path = self.folder / item.processing
        if status == FileStatus.COMPLETED.value:
            if path.exists():
                _move(path, self.folder / "done", item.name)
            (self._journal / "completed" / item.sha256).touch()
        elif path.exists():
            dest = _move(path, self.folder / "failed", item.name)
            note = f"{code or status}: {message or 'The file could not be processed.'}\n"
            dest.with_name(dest.name + ".error.txt").write_text(note, encoding="utf-8")
        log.info("intake: a file ended %s", status)
        self._forget(item)

    # --- the journal ------------------------------------------------------------------------

    def _load_items(self) -> list[Item]:
        items = []
        for path in sorted((self._journal / "items").glob("*.json")):
            try:
                items.append(Item(**json.loads(path.read_text(encoding="utf-8"))))
            except (ValueError, TypeError):
                log.warning("intake: unreadable journal entry %s set aside", path.name)
                os.replace(path, path.with_suffix(".broken"))
        return items

    def _save(self, item: Item) -> None:
        path = self._journal / "items" / f"{item.sha256}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(item)), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a crash leaves the old entry or the new one

    def _forget(self, item: Item) -> None:
        (self._journal / "items" / f"{item.sha256}.json").unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name (2).ext`` … when that is taken: nothing is overwritten."""
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while target.exists():
        target = folder / f"{stem} ({n}){suffix}"
        n += 1
    return target


def _move(path: Path, folder: Path, name: str | None = None) -> Path:
    target = _free_name(folder, name or path.name)
    os.replace(path, target)
    return target

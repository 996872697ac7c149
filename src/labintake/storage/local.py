"""Files on a local (or shared, mounted) directory, content-addressed by sha256."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from labintake.domain.errors import ErrorCode, LabIntakeError

CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Stored:
    key: str
    sha256: str
    size: int


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        if not (len(key) == 64 and all(c in "0123456789abcdef" for c in key)):
            raise ValueError("storage keys are sha256 hex digests")
        return self.root / key[:2] / key[2:4] / key

    def put(self, stream: BinaryIO, *, max_bytes: int | None = None) -> Stored:
        """Stream into a temporary file while hashing, then move it into place.

        Never holds the whole file in memory; stops early once ``max_bytes`` is passed. Whatever
        goes wrong (too large, the disk full, an I/O error), the temporary file is removed: no
        partial file is left to fill the disk. A full disk is ``storage_full``.
        """
        digest = hashlib.sha256()
        size = 0
        tmp: str | None = None
        try:
            _private_dirs(self.root)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise LabIntakeError(ErrorCode.FILE_TOO_LARGE, limit_bytes=max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
            key = digest.hexdigest()
            target = self.path(key)
            _private_dirs(target.parent)
            os.replace(tmp, target)
            tmp = None
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise LabIntakeError(ErrorCode.STORAGE_FULL, detail=type(exc).__name__) from exc
            raise LabIntakeError(ErrorCode.STORAGE_UNAVAILABLE, detail=type(exc).__name__) from exc
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        return Stored(key, key, size)

    def fetch(self, key: str) -> Path:
        """A local path holding the object's bytes (for a directory store: the file itself)."""
        target = self.path(key)
        if not target.is_file():
            raise LabIntakeError(ErrorCode.STORAGE_UNAVAILABLE, detail="file missing from storage")
        return target

    def put_bytes(self, data: bytes) -> Stored:
        import io

        return self.put(io.BytesIO(data))

    def read(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except OSError as exc:
            raise LabIntakeError(ErrorCode.STORAGE_UNAVAILABLE, detail=type(exc).__name__) from exc

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def writable(self) -> bool:
        try:
            _private_dirs(self.root)
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".probe-"):
                return True
        except OSError:
            return False


def _private_dirs(path: Path) -> None:
    """``mkdir -p`` where every folder it creates is 0700 (``parents=True`` gives only the
    last one the mode): uploaded reports are health data."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)

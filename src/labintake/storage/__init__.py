"""Where uploaded bytes live. Content-addressed: the key is the sha256 of the bytes.

A directory (local, or shared and mounted on every machine) by default, or S3-compatible
object storage, chosen by ``LABINTAKE_STORAGE_URL``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from labintake.storage.local import LocalStorage, Stored

if TYPE_CHECKING:
    from labintake.settings import Settings

__all__ = ["LocalStorage", "Storage", "Stored", "open_storage"]


class Storage(Protocol):
    """What the rest of LabIntake asks of a store."""

    def put(self, stream: BinaryIO, *, max_bytes: int | None = None) -> Stored: ...
    def path(self, key: str) -> Path: ...
    def fetch(self, key: str) -> Path: ...
    def read(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def writable(self) -> bool: ...


def open_storage(settings: Settings) -> Storage:
    url = settings.storage_url
    if url is None:
        return LocalStorage(settings.files_dir)
    if url.startswith("s3://"):
        from labintake.storage.s3 import S3Storage

        return S3Storage(url, settings.data_dir / "cache")
    if url.startswith("file://"):
        return LocalStorage(Path(url.removeprefix("file://")))
    raise ValueError(f"unsupported storage URL {url!r}: use file:///path or s3://bucket/prefix")

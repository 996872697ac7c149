"""S3-compatible object storage (AWS S3, MinIO, Ceph, …) through boto3.

Objects are keyed by sha256 like the local store. Machines keep a local cache of the
objects they touched: the API writes each upload through it (so it can inspect the
bytes), a worker downloads into it in the ``downloading`` stage.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qs, urlparse

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.storage.local import CHUNK, LocalStorage, Stored


class S3Storage:
    def __init__(self, url: str, cache_dir: Path) -> None:
        """``s3://bucket/prefix?endpoint_url=http://127.0.0.1:9000&region=us-east-1``.

        Credentials come from the usual AWS sources (environment, config files, instance role).
        """
        import boto3
        from botocore.config import Config

        parsed = urlparse(url)
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/")
        self.client = boto3.client(
            "s3", endpoint_url=query.get("endpoint_url"), region_name=query.get("region", "us-east-1"),
            # Fail fast: a store that is down becomes storage_unavailable, which the runner retries.
            config=Config(connect_timeout=3, read_timeout=30, retries={"max_attempts": 2, "mode": "standard"}),
        )
        self.cache = LocalStorage(cache_dir)

    def _key(self, key: str) -> str:
        self.cache.path(key)  # validates the key
        return f"{self.prefix}/{key}" if self.prefix else key

    def path(self, key: str) -> Path:
        """The local cached copy's path (it may not exist yet: see ``fetch``)."""
        return self.cache.path(key)

    def fetch(self, key: str) -> Path:
        """The object's bytes in the local cache, downloaded if need be. A store that cannot be
        reached (network, timeouts, a 5xx) is ``storage_unavailable`` with ``unreachable`` in its
        details: worth waiting for, unlike a missing object. A failed download leaves no file."""
        target = self.cache.path(key)
        if target.is_file():
            return target
        tmp: str | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".download-")
            with os.fdopen(fd, "wb") as out:
                self.client.download_fileobj(self.bucket, self._key(key), out)
            if _sha256(Path(tmp)) != key:
                raise LabIntakeError(ErrorCode.STORAGE_UNAVAILABLE, detail="object does not match its hash")
            os.replace(tmp, target)
            tmp = None
        except LabIntakeError:
            raise
        except Exception as exc:  # noqa: BLE001 - botocore's errors: network, auth, missing object
            error = LabIntakeError(ErrorCode.STORAGE_UNAVAILABLE, detail=type(exc).__name__)
            if _unreachable(exc):
                error.details["unreachable"] = True
            raise error from exc
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        return target

    def put(self, stream: BinaryIO, *, max_bytes: int | None = None) -> Stored:
        stored = self.cache.put(stream, max_bytes=max_bytes)
        try:
            self.client.upload_file(str(self.cache.path(stored.key)), self.bucket, self._key(stored.key))
        except Exception as exc:  # noqa: BLE001 - botocore's errors
            raise LabIntakeError(ErrorCode.STORAGE_UNAVAILABLE, detail=type(exc).__name__) from exc
        return stored

    def read(self, key: str) -> bytes:
        return self.fetch(key).read_bytes()

    def delete(self, key: str) -> None:
        self.cache.delete(key)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except Exception as exc:  # noqa: BLE001 - botocore's errors
            raise LabIntakeError(ErrorCode.STORAGE_UNAVAILABLE, detail=type(exc).__name__) from exc

    def writable(self) -> bool:
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return self.cache.writable()
        except Exception:  # noqa: BLE001 - any failure means "not writable now"
            return False


def _unreachable(exc: Exception) -> bool:
    """The store did not answer, or answered that it cannot serve now (not: the object is missing,
    access denied)."""
    from botocore.exceptions import ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as BotoConnectionError

    if isinstance(exc, BotoConnectionError | HTTPClientError | OSError):
        return True
    if isinstance(exc, ClientError):
        return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)) >= 500
    return False


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()

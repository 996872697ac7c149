"""Where uploaded bytes live. Content-addressed: the key is the sha256 of the bytes."""

from labintake.storage.local import LocalStorage, Stored

__all__ = ["LocalStorage", "Stored"]

"""File type from magic bytes: the upload's name and declared type are never trusted."""

from __future__ import annotations

from labintake.domain.errors import ErrorCode, LabIntakeError

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
WEBP = "image/webp"
HEIC = "image/heic"  # what phones (iPhones first) store photos as

IMAGE_TYPES = frozenset({PNG, JPEG, TIFF, WEBP, HEIC})
# ISO base media brands of a still HEIF image (HEVC-coded or the generic image brand).
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")
SUPPORTED_TYPES = frozenset({PDF, *IMAGE_TYPES})


def sniff_type(data: bytes) -> str:
    """The MIME type of ``data``, or raise ``unsupported_type`` / ``empty_file``."""
    if not data:
        raise LabIntakeError(ErrorCode.EMPTY_FILE)
    head = data[:1024]
    # Some PDF writers put junk (a BOM, an HTTP header) before the marker; readers
    # accept the marker anywhere in the first 1 KiB, so do we.
    if b"%PDF-" in head:
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return HEIC
    raise LabIntakeError(ErrorCode.UNSUPPORTED_TYPE)

"""What an uploaded file really is, from its first bytes: the evidence types we accept.

The file name and the declared Content-Type are the sender's claims; only the content counts.
"""

from __future__ import annotations

ACCEPTED = {
    "image/jpeg": "JPEG photo",
    "image/png": "PNG image",
    "image/heic": "HEIC photo",
    "application/pdf": "PDF document",
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def sniff(data: bytes) -> str | None:
    """The media type of `data` if it is one we accept, else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None

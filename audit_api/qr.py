"""QR codes with the `qrcode` package: as text for a terminal and as a PNG file."""

from __future__ import annotations

import io
from pathlib import Path

import qrcode
import qrcode.image.svg


def _code(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_text(data: str) -> str:
    out = io.StringIO()
    _code(data).print_ascii(out=out, invert=True)
    return out.getvalue()


def write_qr_png(data: str, path: Path, box_size: int = 10) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    code = _code(data)
    code.box_size = box_size
    code.make_image().save(path)
    return path


def qr_svg(data: str) -> str:
    """An SVG QR code (one path, scalable) as text, for posters and print."""
    image = _code(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return str(image.to_string(encoding="unicode"))

"""QR codes for sign-up links and tickets — pure: a URL in, SVG or PNG bytes out.

`render` draws one image; `cached_render` is the same function behind an in-process LRU cache
(a pure cache of a pure function, safe with any number of app servers), for the public sign-up
codes that posters and slides fetch again and again.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from functools import lru_cache

import qrcode
import qrcode.constants
import qrcode.image.svg

# Error correction levels: M by default (fewer, larger modules scan from further away);
# Q or H for paper that may get dirty or folded.
LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
KINDS = ("svg", "png")
QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks
MIN_SIZE, MAX_SIZE = 64, 2048  # target width in pixels
DEFAULT_BOX = 10  # pixels per module when no size is asked for
MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def _code(data: str, ec: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=LEVELS[ec], border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    return code


def modules(data: str, ec: str = "M") -> int:
    """Width of the code in modules, quiet zone included."""
    return _code(data, ec).modules_count + 2 * QUIET_ZONE


def render(data: str, kind: str = "svg", ec: str = "M", size: int | None = None) -> bytes:
    """The QR code of `data`. `size` is the target width in pixels (PNG: at most that wide,
    whole pixels per module; SVG: the width and height attributes)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if ec not in LEVELS:
        raise ValueError(f"unknown error correction {ec!r}")
    if size is not None and not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"size {size} outside {MIN_SIZE}..{MAX_SIZE}")
    code = _code(data, ec)
    if kind == "svg":
        return _svg(code, size)
    return _png(code, size)


def _svg(code: qrcode.QRCode, size: int | None) -> bytes:
    # One <path> on a white rectangle; the viewBox lets it scale to any width.
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    root = image.get_image()
    if size is not None:
        root.set("width", str(size))
        root.set("height", str(size))
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _png(code: qrcode.QRCode, size: int | None) -> bytes:
    width = code.modules_count + 2 * QUIET_ZONE
    code.box_size = max(1, size // width) if size else DEFAULT_BOX
    image = code.make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


cached_render = lru_cache(maxsize=512)(render)

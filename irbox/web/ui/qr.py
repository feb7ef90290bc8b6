"""QR codes drawn by the server as inline SVG (segno): no image service, no script, so an
air-gapped site can scan them."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(text: str, label: str) -> Markup:
    """`text` as a QR code, black on white in either theme (scanners want that contrast)."""
    svg = segno.make(text, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))

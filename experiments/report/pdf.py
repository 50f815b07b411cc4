"""The board pack as PDF: the pack's HTML printed by WeasyPrint (A4 landscape, page numbers)."""

from __future__ import annotations

import logging


def render_pdf(document: str) -> bytes:
    """PDF bytes of an HTML document (``html.render_html``)."""
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from weasyprint import HTML

    return HTML(string=document).write_pdf()

"""The board pack as PDF: the pack's HTML printed by WeasyPrint (A4 landscape, page numbers), as
tagged PDF/UA-1 so that a screen reader can follow its headings, tables and charts."""

from __future__ import annotations

import logging


def render_pdf(document: str) -> bytes:
    """PDF bytes of an HTML document (``html.render_html``)."""
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from weasyprint import HTML

    # PDF/UA-1: tagged (headings, tables, figures with their alt text), titled, language set
    return HTML(string=document).write_pdf(pdf_variant="pdf/ua-1")

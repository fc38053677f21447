"""Links made from data: only to places a browser may safely follow from a page of this server."""

from __future__ import annotations

import html

#: The schemes a link taken from data may use; any other (``javascript:``, ``data:``, ``vbscript:``)
#: would run code or show content under this server's origin when followed.
SAFE_SCHEMES = ("http:", "https:", "mailto:")


def is_safe_link(target: str) -> bool:
    """Whether ``target`` may be an ``href``: an absolute http, https or mailto IRI.

    Browsers ignore leading spaces and control characters and tabs or newlines anywhere in a URL
    (``java\\tscript:``), so those make a link unsafe too.
    """
    if any(ord(c) <= 0x20 for c in target):
        return False
    return target.lower().startswith(SAFE_SCHEMES)


def link(target: str, text: str | None = None) -> str:
    """An ``<a>`` to ``target`` showing ``text`` (escaped here; default: the target), or the text alone
    when the target is not a safe link."""
    shown = html.escape(target if text is None else text)
    if not is_safe_link(target):
        return shown
    return f'<a href="{html.escape(target, quote=True)}">{shown}</a>'

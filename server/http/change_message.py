"""Why a write over HTTP was made, as the store's history keeps it with the version (``-m`` on the
command line): the ``X-Coopgraph-Message`` header (UTF-8, best percent-encoded) or a
``message`` parameter (in the URL of ``/update`` and ``/graphs``, or a field of ``/update``'s form)."""

from __future__ import annotations

from urllib.parse import unquote

from starlette.requests import Request

from server.http.protocol import ProtocolError, single

HEADER = "x-coopgraph-message"
#: A message is a line for people, not a document.
MAX_CHARS = 1000


def change_message(request: Request, params: dict[str, list[str]]) -> str | None:
    """The message of a write: the header, else the ``message`` parameter (400 when both are given, or
    when it is too long or holds a control character)."""
    header = request.headers.get(HEADER)
    param = single(params.get("message"), "message")
    if header is not None and param is not None:
        raise ProtocolError(400, f"give the message once: the {HEADER} header or the 'message' parameter")
    try:  # a header's bytes arrive as Latin-1: UTF-8 sent as it is is read back as UTF-8
        text = unquote(header.encode("latin-1").decode("utf-8")) if header is not None else param
    except UnicodeError:
        raise ProtocolError(400, f"the {HEADER} header is not UTF-8") from None
    if text is None:
        return None
    text = text.strip()
    if len(text) > MAX_CHARS:
        raise ProtocolError(400, f"the message is longer than {MAX_CHARS} characters")
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text):
        raise ProtocolError(400, "the message is one line of text, without control characters")
    return text or None

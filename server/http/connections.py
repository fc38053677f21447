"""Connections: how long a client may take to send a request, how long an idle one is kept, and how many
may be open at once (each holds a file descriptor: with the usual limit of 1,024, a thousand idle sockets
would otherwise lock everyone out).

uvicorn's httptools protocol times out an idle keep-alive connection only after a first answer, and
never a slow request. This protocol adds:

- ``header_timeout``: the request line and headers must arrive within it, from the moment the
  connection opens (or the previous answer ends);
- ``body_timeout``: the longest pause between two parts of a request body;
- ``keep_alive_timeout``: an idle connection between requests is closed after it (uvicorn's own);
- ``max_connections``: a connection past it is answered 503 with a Retry-After and closed at once.

A connection that runs out of time is closed, with a 408 when no answer has begun.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from coopgraph.settings import Settings
from server.http.fairness import RETRY_AFTER


def _answer(status: str, text: str, *headers: str) -> bytes:
    body = (text + "\n").encode()
    head = [f"HTTP/1.1 {status}", "content-type: text/plain; charset=utf-8", *headers, "connection: close"]
    return ("\r\n".join([*head, f"content-length: {len(body)}"]) + "\r\n\r\n").encode() + body


_TOO_MANY = _answer(
    "503 Service Unavailable",
    "the server has too many open connections; try again shortly",
    f"retry-after: {RETRY_AFTER}",
)
_TOO_SLOW = _answer("408 Request Timeout", "the request was not sent in time; the connection is closed")


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with request timeouts and a connection cap (see the module)."""

    settings: Settings  # set by :func:`protocol_class`

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._refused = False

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is None or not self.cycle.response_started:
            self.transport.write(_TOO_SLOW)
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._refused = len(self.connections) > self.settings.max_connections
        if self._refused:
            # answer, then stop writing but keep reading until the deadline: closing with the client's
            # request unread would reset the connection before the client reads the answer
            transport.write(_TOO_MANY)
            if transport.can_write_eof():
                transport.write_eof()
            self._deadline = self.loop.call_later(self.settings.header_timeout, transport.close)
            return
        self._arm(self.settings.header_timeout)

    def data_received(self, data: bytes) -> None:
        if not self._refused:
            super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:
            self._arm(self.settings.header_timeout)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._arm(self.settings.body_timeout)

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        self._arm(self.settings.body_timeout)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm()  # idle now: uvicorn's keep-alive timeout runs until the next request begins


def protocol_class(settings: Settings) -> type[GuardedProtocol]:
    """The protocol class for ``uvicorn.run(http=...)``, with the limits of ``settings``."""
    return type("GuardedProtocol", (GuardedProtocol,), {"settings": settings})


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The connection options of ``uvicorn.run``."""
    return {
        "http": protocol_class(settings),
        "timeout_keep_alive": settings.keep_alive_timeout,
        # a request past the cap of connections is refused by the protocol; uvicorn's own limit counts
        # the requests in progress too, and answers them 503 the same way
        "limit_concurrency": settings.max_connections + 1,
    }

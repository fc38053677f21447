"""Fair shares of the query workers: no client may hold more than ``max_client_queries`` of them at once,
so a few runaway queries from one client leave workers free for everyone else's cheap ones.

A client is its bearer token when it sends one (many users may share an address behind a proxy), else
its address.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from starlette.types import Scope

#: Seconds a refused client is told to wait (the Retry-After of every 503).
RETRY_AFTER = "5"


class TooManyQueries(Exception):
    """The client already has its share of the workers busy."""


def client_of(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"authorization":
            return "token:" + value.decode("latin-1")
    client = scope.get("client")
    return "address:" + (client[0] if client else "?")


class Shares:
    """The queries each client has in flight."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.running: dict[str, int] = {}

    @contextlib.contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold one of ``client``'s slots while its query runs; :class:`TooManyQueries` if none is left."""
        held = self.running.get(client, 0)
        if held >= self.limit:
            raise TooManyQueries(
                f"this client already has {held} queries running, its limit (setting max_client_queries)"
            )
        self.running[client] = held + 1
        try:
            yield
        finally:
            left = self.running[client] - 1
            if left:
                self.running[client] = left
            else:
                del self.running[client]

"""Fair shares of the query workers: no client may hold more than ``max_client_queries`` of them at once,
so a few runaway queries from one client leave workers free for everyone else's cheap ones. The client's
other queries wait for one of its own to end (up to the query time limit, then 503).

A client is its bearer token when it sends one (many users may share an address behind a proxy), else
its address.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncIterator

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
    """The queries each client has in flight; a client past its share waits for one of its own to end."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.running: dict[str, int] = {}
        self.waiting: dict[str, collections.deque[asyncio.Future[None]]] = {}

    @contextlib.asynccontextmanager
    async def slot(self, client: str, timeout: float) -> AsyncIterator[None]:
        """Hold one of ``client``'s slots while its query runs, waiting up to ``timeout`` seconds for one
        (then :class:`TooManyQueries`)."""
        held = self.running.get(client, 0)
        if held < self.limit:
            self.running[client] = held + 1
        else:
            turn = asyncio.get_running_loop().create_future()
            queue = self.waiting.setdefault(client, collections.deque())
            queue.append(turn)
            try:
                await asyncio.wait_for(turn, timeout)  # a query of the client's that ends hands its slot over
            except BaseException as error:
                if turn.done() and not turn.cancelled():
                    self._release(client)  # handed a slot just as this request gave up: pass it on
                else:
                    with contextlib.suppress(ValueError):
                        queue.remove(turn)
                    self._forget(client, queue)
                if isinstance(error, TimeoutError):
                    raise TooManyQueries(
                        f"this client kept its {self.limit} queries (setting max_client_queries) running "
                        f"for {timeout:g} s"
                    ) from None
                raise
            self._forget(client, queue)
        try:
            yield
        finally:
            self._release(client)

    def _forget(self, client: str, queue: collections.deque[asyncio.Future[None]]) -> None:
        """Drop ``queue`` once empty, if it is still the client's (another may have replaced it since)."""
        if not queue and self.waiting.get(client) is queue:
            del self.waiting[client]

    def _release(self, client: str) -> None:
        queue = self.waiting.get(client)
        while queue:
            turn = queue.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot passes to the next query of the same client
                return
        if queue is not None:
            self._forget(client, queue)
        left = self.running[client] - 1
        if left:
            self.running[client] = left
        else:
            del self.running[client]

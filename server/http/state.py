"""What the request handlers share: the settings and the worker pools (one per server, no globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from coopgraph.settings import Settings
from server.http.fairness import Shares
from server.http.protocol import ProtocolError
from server.workers.pool import Pool

#: The ``/sparql`` fast path's prepared GET requests, by method, query string and the headers that
#: shape the answer: the encoded worker request, or the protocol error to answer.
PreparedGets = dict[tuple[Any, ...], bytes | ProtocolError]


@dataclass
class State:
    settings: Settings
    queries: Pool
    writes: Pool | None = None
    #: the check worker: validation that writes nothing (POST /validate, GET /validation)
    checks: Pool | None = None
    shares: Shares = field(default_factory=lambda: Shares(1))
    prepared_gets: PreparedGets = field(default_factory=dict)
    #: the server's counters (:class:`server.http.metrics.Metrics`), set when the app is built
    metrics: Any = None
    #: why the server is not ready to answer queries (None: it is); see ``/readyz``
    not_ready: str | None = "the workers are starting"

    def base_url(self, request: Request, path: str = "") -> str:
        """This server's public URL (the configured one, else the one the request came to)."""
        if self.settings.public_url:
            return self.settings.public_url.rstrip("/") + path
        return str(request.base_url).rstrip("/") + path

"""What the request handlers share: the settings and the worker pools (one per server, no globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from coopgraph.settings import Settings
from server.workers.pool import Pool


@dataclass
class State:
    settings: Settings
    queries: Pool
    writes: Pool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def base_url(self, request: Request, path: str = "") -> str:
        """This server's public URL (the configured one, else the one the request came to)."""
        if self.settings.public_url:
            return self.settings.public_url.rstrip("/") + path
        return str(request.base_url).rstrip("/") + path

    async def describe_service(self, request: Request) -> Response:
        from server.http.service_description import describe

        return await describe(request, self)

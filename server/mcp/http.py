"""``/mcp``: the MCP tools over Streamable HTTP, stateless (each POST is answered on its own, as JSON).

Each request gets a session manager of its own, run for that request only: no state outlives it, so
the route needs nothing from the application's start-up and shutdown. The tools are built once; the
client each call is counted against (its share of the query workers) is the request's.
"""

from __future__ import annotations

from typing import Any

from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import Receive, Scope, Send

from coopgraph.saved_queries import SavedQuery
from server.http.fairness import client_of
from server.http.search_service import SearchService
from server.http.state import State
from server.mcp import tools
from server.mcp.backend import CLIENT, Backend

#: A larger request body is refused (a tool call is a few kilobytes; a SPARQL query a few more).
MAX_REQUEST_BYTES = 1024 * 1024


class McpEndpoint:
    """A raw ASGI endpoint (Starlette serves a class instance as one)."""

    def __init__(self, state: State, search: SearchService, queries: dict[str, SavedQuery]) -> None:
        self.state = state
        self.server: Any = tools.build(Backend(state, search), queries)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # the tools run within the calling client's share of the query workers, as on /sparql
        token = CLIENT.set(client_of(scope))
        try:
            await self._answer(scope, receive, send)
        finally:
            CLIENT.reset(token)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        # MCPServer keeps its protocol server private; its streamable_http_app() would run one session
        # manager for the application's lifetime, which needs the application's start-up to run it
        manager = StreamableHTTPSessionManager(
            app=self.server._lowlevel_server,
            json_response=True,
            stateless=True,
            # the server's own guard checks hosts and origins as for every route
            security_settings=TransportSecuritySettings(enable_dns_rebinding_protection=False),
            max_request_body_size=min(MAX_REQUEST_BYTES, self.state.settings.max_body_bytes),
        )
        async with manager.run():
            await manager.handle_request(scope, receive, send)

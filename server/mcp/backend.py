"""What the MCP tools read through: the query worker pool, with ``/sparql``'s checks and limits.

A query is scanned and checked as ``/sparql`` checks it (valid SPARQL, a query and not an update, no
SERVICE the operator has not allowed, nesting depth), then run by a query worker within the client's
share of the workers, the time limit and the answer size limit of the settings.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

from mcp.server.mcpserver import exceptions

from coopgraph.sparql_text import ScanError, scan_query
from server.http import safety
from server.http.fairness import TooManyQueries
from server.http.search_service import SearchService, SearchUnavailable
from server.http.state import State
from server.http.worker_calls import query_failure
from server.workers import messages
from server.workers.describe import DESCRIPTION_JSON
from server.workers.pool import Busy, Expired, WorkerCrashed

JSON = "application/sparql-results+json"


#: The client a tool call is made for (``/mcp`` sets it from the request), whose share of the query
#: workers the call takes, as ``/sparql`` counts them; "local" on standard input/output.
CLIENT: ContextVar[str] = ContextVar("coopgraph_mcp_client", default="local")


class ToolError(exceptions.ToolError):
    """A tool's call cannot be answered; the message says why (the assistant sees it)."""


class Backend:
    def __init__(self, state: State, search: SearchService) -> None:
        self.state = state
        self.search_service = search

    async def _call(self, message: messages.Request) -> tuple[int, bytes, str | None]:
        timeout = self.state.settings.query_timeout
        try:
            async with self.state.shares.slot(CLIENT.get(), timeout):
                reply = await self.state.queries.call(message, timeout)
                if reply.body is not None:
                    body = reply.body
                else:
                    body = b"".join([chunk async for chunk in self.state.queries.stream(reply)])
        except (Busy, Expired, WorkerCrashed, TooManyQueries) as e:
            raise ToolError(bytes(query_failure(e, timeout).body).decode().strip()) from None
        return reply.status, body, reply.head.error

    def check(self, query: str) -> str:
        """The query's form (SELECT or ASK), or :class:`ToolError` for what ``/sparql`` would refuse or
        what has no table (CONSTRUCT, DESCRIBE)."""
        try:
            info = scan_query(query)
        except ScanError as e:
            raise ToolError(f"the query is not valid SPARQL: {e}") from None
        if info.depth > self.state.settings.max_nesting_depth:
            raise ToolError(f"the query nests deeper than {self.state.settings.max_nesting_depth} levels")
        try:
            safety.check_query(info, self.state.settings.service_allowlist)
        except safety.Refused as e:
            raise ToolError(str(e)) from None
        if info.form not in ("SELECT", "ASK"):
            raise ToolError(f"only SELECT and ASK queries are run here, not {info.form or 'this text'}")
        return info.form

    async def select(self, query: str, substitutions: dict[str, list[str]] | None = None) -> dict[str, Any]:
        """The SPARQL JSON answer of a SELECT or ASK query."""
        self.check(query)
        status, body, error = await self._call(
            messages.Query(
                query=query,
                results_type=JSON,
                max_bytes=self.state.settings.max_result_bytes,
                substitutions=substitutions,
            )
        )
        if status != 200:
            raise ToolError(error or f"the query failed ({status})")
        try:
            return json.loads(body)  # type: ignore[no-any-return]
        except ValueError:
            raise ToolError(
                f"the answer is larger than the {self.state.settings.max_result_bytes:,}-byte limit; "
                "narrow the query or add a LIMIT"
            ) from None

    async def describe(self, iri: str) -> dict[str, Any] | None:
        """The resource page's data for ``iri`` (statements, labels, sources); None when it is not there."""
        status, body, error = await self._call(
            messages.Describe(
                iri=iri, media_type=DESCRIPTION_JSON, max_bytes=self.state.settings.max_result_bytes
            )
        )
        if status == 404:
            return None
        if status != 200:
            raise ToolError(error or f"the description failed ({status})")
        return json.loads(body)  # type: ignore[no-any-return]

    async def search(self, text: str, kinds: list[str], lang: str, limit: int) -> list[dict[str, Any]]:
        try:
            hits = await self.search_service.run(
                lambda index: index.search(text, kinds=kinds, lang=lang, limit=limit)
            )
        except SearchUnavailable as e:
            raise ToolError(f"search is unavailable: {e}") from None
        except ValueError as e:
            raise ToolError(str(e)) from None
        return [hit.as_json() for hit in hits]

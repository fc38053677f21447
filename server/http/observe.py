"""The outermost ASGI layer: each request's access-log line (:mod:`server.http.access_log`) and its
counts (:mod:`server.http.metrics`), and a clean answer to a request still running when the stopping
server's grace period ends (``shutdown_timeout``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

from starlette.responses import PlainTextResponse
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.http.access_log import query_excerpt, request_line
from server.http.fairness import RETRY_AFTER
from server.http.state import State
from server.workers.pool import REQUEST_ID

log = logging.getLogger("coopgraph.workers")
#: The scope key under which an endpoint leaves the text of the query or update it runs.
QUERY_TEXT = "coopgraph.query"
#: Routes whose requests carry a query or an update: their lines get an id and the text's beginning.
_SPARQL_ROUTES = ("/sparql", "/sparql/", "/update")


class RouteLabels:
    """The route-table path a request path matches (``/id/{path:path}``), so that metrics have one label
    per route, never one per resource; "other" when none matches."""

    def __init__(self, routes: Iterable[tuple[str, bool]]) -> None:
        self.exact: set[str] = set()
        self.patterns: list[tuple[re.Pattern[str], str]] = []
        self.mounts: list[str] = []
        for path, mounted in routes:
            if mounted:
                self.mounts.append(path.rstrip("/") + "/")
            elif "{" in path:
                self.patterns.append((compile_path(path)[0], path))
            else:
                self.exact.add(path)

    def __call__(self, path: str) -> str:
        if path in self.exact:
            return path
        for pattern, label in self.patterns:
            if pattern.match(path):
                return label
        for mount in self.mounts:
            if path.startswith(mount):
                return mount.rstrip("/")
        return "other"


def _query_text(scope: Scope) -> str:
    """The query or update the request ran: as the endpoint noted it, else from the query string."""
    noted = scope.get(QUERY_TEXT)
    if noted:
        return str(noted)
    found = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("query")
    return found[0] if found else ""


def observe(app: ASGIApp, state: State, labels: RouteLabels) -> ASGIApp:
    async def observed(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = secrets.token_hex(4)
        context = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status, sent = 0, 0

        async def counted(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await app(scope, receive, counted)
        except asyncio.CancelledError:
            # uvicorn cancels the requests still running when a stopping server's grace period ends; the
            # pool has stopped their workers. Answer if nothing was sent yet; the task ends here anyway.
            log.warning(
                "a request was stopped: the server is stopping",
                extra={"fields": {"event": "stopped_at_shutdown", "id": request_id}},
            )
            if status == 0:
                with contextlib.suppress(Exception):
                    await PlainTextResponse(
                        "the server is stopping: the request was stopped; try again shortly\n",
                        status_code=503,
                        headers={"Retry-After": RETRY_AFTER},
                    )(scope, receive, counted)
        except Exception:
            status = status or 500
            raise
        finally:
            REQUEST_ID.reset(context)
            seconds = time.perf_counter() - started
            route = labels(scope["path"])
            state.metrics.observe(route, scope["method"], status, seconds)
            fields: dict[str, Any] = {
                "client": scope["client"][0] if scope.get("client") else "-",
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "bytes": sent,
                "duration_ms": round(seconds * 1000, 1),
            }
            if route in _SPARQL_ROUTES or route.startswith("/queries/"):
                fields["id"] = request_id
                fields["query"] = query_excerpt(_query_text(scope))
            request_line(fields)

    return observed

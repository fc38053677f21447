"""The ASGI application: the SPARQL endpoint on a lean path of its own, everything else through FastAPI."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from coopgraph.saved_queries import load_all
from coopgraph.settings import Settings
from server.http.graph_store import graph_store
from server.http.ontology_page import add_routes as add_ontology_routes
from server.http.query_page import STATIC, query_page
from server.http.saved_query_routes import add_routes as add_saved_queries
from server.http.sparql_endpoint import endpoint
from server.http.state import State
from server.http.update_endpoint import update
from server.workers.pool import Pool

log = logging.getLogger("coopgraph.server")
SPARQL_PATHS = ("/sparql", "/sparql/")


def _api(state: State) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await state.queries.start()
        if state.writes is not None:
            await state.writes.start()
        try:
            yield
        finally:
            await state.queries.stop()
            if state.writes is not None:
                await state.writes.stop()

    api = FastAPI(
        title="coopgraph",
        version="0.1.0",
        lifespan=lifespan,
        description="The knowledge graph of international cooperation in education.",
    )
    api.state.coop = state
    add_saved_queries(api, state, load_all())
    api.add_route("/update", update, methods=["POST", "GET", "PUT", "DELETE"], include_in_schema=False)
    for path in ("/graphs", "/graphs/{path:path}"):
        api.add_route(
            path, graph_store, methods=["GET", "HEAD", "PUT", "POST", "DELETE"], include_in_schema=False
        )
    # The query page (server/http/query_page.py) and its files.
    api.add_route("/", query_page, methods=["GET", "HEAD"], include_in_schema=False)
    add_ontology_routes(api)
    api.mount("/static", StaticFiles(directory=STATIC), name="static")
    return api


def create_app(settings: Settings) -> ASGIApp:
    state = State(settings=settings, queries=Pool(settings.store, "query", settings.workers))
    if settings.write_token:
        state.writes = Pool(settings.store, "write", 1)
    api = _api(state)
    state.extra["ui"] = query_page  # browsers asking /sparql for HTML get the query page

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        # The query endpoint skips FastAPI's middleware stack: on point lookups it costs more than the query.
        if scope["type"] == "http" and scope["path"] in SPARQL_PATHS:
            try:
                await endpoint(scope, receive, send, state)
            except Exception:
                log.exception("error answering %s", scope["path"])
                with contextlib.suppress(Exception):  # fails if the answer had already begun
                    await PlainTextResponse("internal error\n", status_code=500)(scope, receive, send)
        else:
            await api(scope, receive, send)

    app.state = state  # type: ignore[attr-defined]
    app.api = api  # type: ignore[attr-defined]
    if not settings.cors_origins:
        return app
    wildcard = "*" in settings.cors_origins
    return CORSMiddleware(
        app,
        allow_origins=["*"] if wildcard else list(settings.cors_origins),
        allow_credentials=not wildcard,  # never a wildcard origin together with credentials
        allow_methods=["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "Authorization"],
        expose_headers=["Location", "Content-Length"],
        max_age=600,
    )

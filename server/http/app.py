"""The ASGI application, built from the route table (:mod:`server.http.routes`): the SPARQL endpoint on a
lean path of its own, everything else through FastAPI."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from coopgraph.saved_queries import load_all
from coopgraph.settings import Settings
from server.http import access_log, route_docs
from server.http.fairness import Shares
from server.http.guard import Methods, guard
from server.http.metrics import Metrics
from server.http.observe import RouteLabels, observe
from server.http.protocol import ProtocolError
from server.http.routes import READ, Route, route_table
from server.http.state import State
from server.workers.pool import Pool

log = logging.getLogger("coopgraph.server")


def _api(state: State, table: list[Route]) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pools = [p for p in (state.queries, state.writes, state.checks) if p is not None]
        # The workers start while the server already answers (/healthz, and /readyz saying it is not
        # ready): requests that need them wait for them.
        starting = asyncio.get_running_loop().create_task(_start(state, pools))
        try:
            yield
        finally:
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
            for pool in pools:
                await pool.stop()

    api = FastAPI(
        title="coopgraph",
        version="0.1.0",
        lifespan=lifespan,
        description="The knowledge graph of international cooperation in education.",
        # FastAPI's pages load their scripts from a CDN: the route table serves vendored ones instead
        docs_url=None,
        redoc_url=None,
        **{route.name: route.path for route in table if route.kind == "builtin"},
    )
    api.state.coop = state
    route_docs.document(api, table)
    for route in table:
        methods = list(route.methods)
        if route.kind == "plain":
            api.add_route(route.path, route.endpoint, methods=methods, include_in_schema=False)  # type: ignore[arg-type]
        elif route.kind == "openapi":
            api.add_api_route(route.path, route.endpoint, methods=methods, **route.openapi)  # type: ignore[arg-type]
        elif route.kind == "files":
            api.mount(route.path, route.endpoint, name=route.name)  # type: ignore[arg-type]
    return api


async def _start(state: State, pools: list[Pool]) -> None:
    try:
        await asyncio.gather(*(pool.start() for pool in pools))
    except Exception as e:
        state.not_ready = f"the workers could not start: {e}"
        log.exception("the workers could not start")
        return
    state.not_ready = None


def create_app(settings: Settings) -> ASGIApp:
    state = State(
        settings=settings,
        queries=Pool(
            settings.store,
            "query",
            settings.workers,
            settings.worker_memory_bytes,
            settings=settings,
            max_requests=settings.worker_max_requests,
            recycle_bytes=settings.worker_recycle_bytes,
        ),
        shares=Shares(settings.client_queries),
    )
    if settings.write_token:
        state.writes = Pool(settings.store, "write", 1, settings=settings)
    state.checks = Pool(settings.store, "check", 1, settings=settings)
    state.metrics = Metrics(state)
    access_log.configure(settings.access_log)
    table = route_table(state, load_all())
    api = _api(state, table)
    lean = {route.path: route.endpoint for route in table if route.kind == "lean"}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        # The query endpoint skips FastAPI's middleware stack: on point lookups it costs more than the query.
        endpoint = lean.get(scope["path"]) if scope["type"] == "http" else None
        if endpoint is not None:
            try:
                await endpoint(scope, receive, send, state)
            except ProtocolError as e:
                with contextlib.suppress(Exception):
                    await e.response()(scope, receive, send)
            except Exception:
                log.exception("error answering %s", scope["path"])
                with contextlib.suppress(Exception):  # fails if the answer had already begun
                    await PlainTextResponse("internal error\n", status_code=500)(scope, receive, send)
        else:
            await api(scope, receive, send)

    methods = Methods(
        (
            route.path,
            route.allow or (route.methods if route.kind != "builtin" else READ),
            route.kind == "files",
        )
        for route in table
    )
    guarded = guard(app, methods, settings.max_body_bytes)
    if settings.cors_origins:
        guarded = _cors(guarded, settings)
    labels = RouteLabels((route.path, route.kind == "files") for route in table)
    outer = observe(guarded, state, labels)
    outer.state = state  # type: ignore[attr-defined]
    outer.api = api  # type: ignore[attr-defined]
    return outer


def _cors(app: ASGIApp, settings: Settings) -> ASGIApp:
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

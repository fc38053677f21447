"""Every route of the server, in one table: the ASGI app (:mod:`server.http.app`) is built from it.

The table is read top to bottom, as requests are matched: the lean ``/sparql`` path first (answered
before FastAPI is reached: on point lookups its middleware costs more than the query), then FastAPI's
own pages, then the routes FastAPI serves in the order they are listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.staticfiles import StaticFiles

from coopgraph.saved_queries import SavedQuery
from server.http import (
    api_docs,
    builder_schema,
    dataset_description,
    dumps,
    feed_routes,
    fragments,
    health,
    history_routes,
    home_page,
    ldes_routes,
    memento_routes,
    metrics,
    ontology_page,
    reconcile_routes,
    resources,
    result_downloads,
    saved_query_routes,
    search_routes,
    sparql_endpoint,
    validation,
)
from server.http.graph_store import graph_store
from server.http.query_page import STATIC, query_page
from server.http.search_service import SearchService
from server.http.state import State
from server.http.update_endpoint import update
from server.mcp.http import McpEndpoint

#: How a route is served:
#: ``lean``     by the ASGI app itself, before FastAPI (``endpoint(scope, receive, send, state)``);
#: ``builtin``  by FastAPI, which makes the page itself (``endpoint`` is None, ``name`` its setting);
#: ``plain``    by FastAPI, a Starlette endpoint (request in, response out), not in the OpenAPI document;
#: ``openapi``  by FastAPI, documented in the OpenAPI document (``openapi``: ``add_api_route`` arguments);
#: ``files``    by FastAPI, a directory of static files mounted at the path.
Kind = Literal["lean", "builtin", "plain", "openapi", "files"]
READ = ("GET", "HEAD")
GRAPH_STORE_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")


@dataclass(frozen=True)
class Route:
    path: str
    kind: Kind
    endpoint: Callable[..., Any] | None = None
    methods: tuple[str, ...] = READ
    name: str = ""
    openapi: dict[str, Any] = field(default_factory=dict)
    #: The methods the route serves, when its handler answers some of ``methods`` 405 itself (OPTIONS).
    allow: tuple[str, ...] = ()


def route_table(state: State, queries: dict[str, SavedQuery]) -> list[Route]:
    """Every route, in the order requests are matched against them."""
    search = SearchService(state.settings)  # the search index, shared by /search and /reconcile
    reconcile = reconcile_routes.endpoints(search)
    return [
        # the SPARQL endpoint (GET, POST, HEAD; other methods get 405 there)
        Route("/sparql", "lean", sparql_endpoint.endpoint, ("GET", "POST", "HEAD")),
        Route("/sparql/", "lean", sparql_endpoint.endpoint, ("GET", "POST", "HEAD")),
        # the OpenAPI document (FastAPI's own) and the pages that show it, from vendored copies
        Route("/openapi.json", "builtin", name="openapi_url"),
        Route("/docs", "plain", api_docs.swagger_ui),
        Route("/redoc", "plain", api_docs.redoc),
        # the saved queries
        Route(
            "/queries",
            "openapi",
            saved_query_routes.catalogue_endpoint(queries),
            ("GET",),
            openapi=saved_query_routes.CATALOGUE_OPENAPI,
        ),
        Route(
            "/queries/{name}.rq",
            "openapi",
            saved_query_routes.text_endpoint(queries),
            ("GET",),
            openapi=saved_query_routes.TEXT_OPENAPI,
        ),
        *(
            Route(
                f"/queries/{saved.name}",
                "openapi",
                saved_query_routes.saved_query_endpoint(state, saved),
                ("GET",),
                openapi=saved_query_routes.saved_query_openapi(saved),
            )
            for saved in queries.values()
        ),
        Route("/queries/{name}", "plain", saved_query_routes.unknown_query_endpoint(queries)),
        # writes (/update answers 405 to anything but POST) and the graph store
        Route("/update", "plain", update, ("POST", "GET", "PUT", "DELETE"), allow=("POST",)),
        Route("/graphs", "plain", graph_store, GRAPH_STORE_METHODS),
        Route("/graphs/{path:path}", "plain", graph_store, GRAPH_STORE_METHODS),
        # search by name, and the Reconciliation Service API (manifest, queries, extension: GET or POST)
        Route("/search", "plain", search_routes.endpoint(search)),
        Route("/reconcile", "plain", reconcile["/reconcile"], ("GET", "POST")),
        *(Route(path, "plain", endpoint) for path, endpoint in reconcile.items() if path != "/reconcile"),
        # validation reports: a dry run of files (no token: nothing is written), the whole store
        Route("/validate", "plain", validation.validate, ("POST", "GET", "PUT", "DELETE"), allow=("POST",)),
        Route("/validation", "plain", validation.validation),
        # the store's history: every change a version
        Route("/validation/history", "plain", history_routes.validation_history),
        Route("/history", "plain", history_routes.history_list),
        Route("/history/{number}", "plain", history_routes.history_version),
        # Memento (RFC 7089): each resource's TimeMap, TimeGate and mementos
        Route("/timemap/{path:path}", "plain", memento_routes.timemap),
        Route("/timegate/{path:path}", "plain", memento_routes.timegate),
        Route("/memento/{number}/{path:path}", "plain", memento_routes.memento),
        # an Atom feed of the agreements and events the newest versions added, changed or removed
        Route("/feeds/agreements.atom", "plain", feed_routes.agreements_feed),
        # a Linked Data Event Stream (LDES/TREE) of the versioned descriptions, paged by version
        Route("/ldes", "plain", ldes_routes.event_stream),
        Route("/ldes/{page}", "plain", ldes_routes.page),
        # pages and documents
        Route("/", "plain", home_page.home),
        Route("/query", "plain", query_page),
        Route("/query/schema", "plain", builder_schema.schema),  # what the query builder offers
        # any query's answer as CSV or XLSX with labels beside IRIs (the query page's downloads)
        Route("/download", "plain", result_downloads.download, ("GET", "POST")),
        # the tools for AI assistants (Model Context Protocol), read-only, under /sparql's limits
        Route("/mcp", "plain", McpEndpoint(state, search, queries), ("GET", "POST", "DELETE")),
        Route("/ontology", "plain", ontology_page.ontology),
        Route("/context.jsonld", "plain", ontology_page.context),
        # the IRIs the project mints, dereferenced (the server stands for https://w3id.org/coopgraph/)
        Route("/id/{path:path}", "plain", resources.resource),
        Route("/vocab/{path:path}", "plain", resources.resource),
        Route("/graph/{path:path}", "plain", resources.resource),
        # the whole dataset and each graph as files, with checksums
        Route("/dumps/", "plain", dumps.dump_index),
        Route("/dumps/{name}", "plain", dumps.dump_file),
        # Triple Pattern Fragments (Linked Data Fragments), with Hydra controls
        Route("/fragments", "plain", fragments.fragment),
        # the dataset described (VoID, DCAT-AP), and its pages listed for crawlers
        Route("/.well-known/void", "plain", dataset_description.void),
        Route("/sitemap.xml", "plain", dataset_description.sitemap),
        Route("/static", "files", StaticFiles(directory=STATIC), name="static"),
        # the server itself: its counters, and whether it is alive and ready
        Route("/metrics", "plain", metrics.metrics),
        Route("/healthz", "plain", health.healthz),
        Route("/readyz", "plain", health.readyz),
    ]

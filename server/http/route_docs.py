"""The OpenAPI description of the routes FastAPI does not document itself (the lean ``/sparql`` path and
the plain Starlette endpoints), merged into ``/openapi.json`` so that ``/docs`` shows the whole service.

Every route of the table (:mod:`server.http.routes`) is described here or by its own ``openapi`` entry;
:func:`document` refuses to build an app with an undescribed route.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from server.http.routes import Route

Operation = dict[str, Any]

EXAMPLE_QUERY = (
    "PREFIX cg: <https://w3id.org/coopgraph/ontology#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?agreement ?name WHERE { ?agreement a cg:Agreement ; rdfs:label ?name } LIMIT 10"
)
EXAMPLE_UPDATE = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "INSERT DATA { GRAPH <https://w3id.org/coopgraph/graph/data/example> {\n"
    '  <https://w3id.org/coopgraph/id/institution/example> rdfs:label "Example University"@en } }'
)
_RESULTS_EXAMPLE = {
    "head": {"vars": ["institution", "name"]},
    "results": {
        "bindings": [
            {
                "institution": {"type": "uri", "value": "https://w3id.org/coopgraph/id/institution/hust"},
                "name": {"type": "literal", "value": "Hanoi University of Science and Technology"},
            }
        ]
    },
}


def _param(name: str, where: str, description: str, example: Any = None, required: bool = False) -> dict:
    found: dict[str, Any] = {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "description": description,
        "schema": {"type": "string"},
    }
    if example is not None:
        found["example"] = example
    return found


def _text(description: str, example: str, status: str = "200", media: str = "text/plain") -> dict:
    return {status: {"description": description, "content": {media: {"example": example}}}}


def _op(tag: str, summary: str, description: str, responses: dict, **more: Any) -> Operation:
    return {"tags": [tag], "summary": summary, "description": description, "responses": responses, **more}


_ERRORS = {
    "400": {
        "description": "Not valid SPARQL: the line and column, the line with a caret, and what was expected",
        "content": {
            "text/plain": {
                "example": "the query is not valid SPARQL: prefix `cg:` is not declared (line 1, column 23)\n"
                "  SELECT * WHERE { ?s a cg:Agreement }\n"
                "                        ^\n"
                "add this line at the top of the query:\n"
                "  PREFIX cg: <https://w3id.org/coopgraph/ontology#>"
            }
        },
    },
    "503": {"description": "Busy, or stopped at the time limit (with Retry-After)"},
}
_WRITE_ERRORS = {
    "401": {"description": "No bearer token, or the wrong one"},
    "403": {
        "description": "The server is read-only (no write token is configured), or the graph is the system's"
    },
    "422": {"description": "Rejected by validation: the report says which shapes the data violates"},
}
_TOKEN = [{"bearer": []}]

_SPARQL_GET = _op(
    "SPARQL",
    "Run a query (SPARQL 1.1 Protocol, GET)",
    "The query in ?query=; the answer's format by the Accept header or ?format= (json, xml, csv, tsv, "
    "turtle, nt, nquads, trig, jsonld, rdfxml). Without a query: the service description.",
    {
        "200": {
            "description": "The results",
            "content": {"application/sparql-results+json": {"example": _RESULTS_EXAMPLE}},
        },
        **_ERRORS,
    },
    parameters=[
        _param("query", "query", "The SPARQL query", EXAMPLE_QUERY),
        _param("default-graph-uri", "query", "A graph of the default graph (repeatable)"),
        _param("named-graph-uri", "query", "A named graph of the dataset (repeatable)"),
        _param("format", "query", "The answer's format, instead of the Accept header", "json"),
        _param(
            "at-version",
            "query",
            "Query the dataset as it stood right after this version (see /history); it is rebuilt in "
            "memory from the deltas",
        ),
    ],
)
_SPARQL_POST = _op(
    "SPARQL",
    "Run a query (SPARQL 1.1 Protocol, POST)",
    "The query as the body (application/sparql-query) or in a form's 'query' field. Updates go to /update.",
    {
        "200": {
            "description": "The results",
            "content": {"application/sparql-results+json": {"example": _RESULTS_EXAMPLE}},
        },
        **_ERRORS,
    },
    requestBody={
        "content": {
            "application/sparql-query": {"schema": {"type": "string"}, "example": EXAMPLE_QUERY},
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {"query": {"type": "string"}}},
                "example": {"query": EXAMPLE_QUERY},
            },
        }
    },
)
_SPARQL = {"get": _SPARQL_GET, "post": _SPARQL_POST}
_GRAPH_PARAMS = [
    _param("graph", "query", "The graph's IRI", "https://w3id.org/coopgraph/graph/data/seed"),
    {
        "name": "default",
        "in": "query",
        "required": False,
        "description": "The default graph",
        "allowEmptyValue": True,
        "schema": {"type": "string"},
    },
]
_GRAPHS = {
    "get": _op(
        "Graph store",
        "Read a graph, or list the graphs (SPARQL 1.1 Graph Store Protocol)",
        "?graph=IRI or ?default; without either, the list of the store's graphs.",
        _text(
            "The graph, in the negotiated RDF format",
            "<https://w3id.org/coopgraph/id/institution/hust> "
            '<http://www.w3.org/2000/01/rdf-schema#label> "Hanoi University of Science and Technology" .',
            media="application/n-triples",
        ),
        parameters=_GRAPH_PARAMS,
    ),
    **{
        method: _op(
            "Graph store",
            summary,
            "Needs the write token; the data passes the validation gate before anything is written.",
            {"201": {"description": "Created"}, "204": {"description": "Done"}, **_WRITE_ERRORS},
            parameters=_GRAPH_PARAMS,
            security=_TOKEN,
            **(
                {}
                if method == "delete"
                else {
                    "requestBody": {
                        "content": {
                            "text/turtle": {
                                "example": "<https://w3id.org/coopgraph/id/institution/example> "
                                '<http://www.w3.org/2000/01/rdf-schema#label> "Example University"@en .'
                            }
                        }
                    }
                }
            ),
        )
        for method, summary in (
            ("put", "Replace a graph"),
            ("post", "Add to a graph"),
            ("delete", "Remove a graph"),
        )
    },
}
_GRAPH_DIRECT = {
    method: {**operation, "parameters": [_param("path", "path", "The rest of the graph's IRI", "data/seed")]}
    for method, operation in _GRAPHS.items()
}


def _page(
    tag: str, summary: str, description: str, example: str, media: str = "text/html", **more: Any
) -> dict:
    return {"get": _op(tag, summary, description, _text(summary, example, media=media), **more)}


_RESOURCE = _page(
    "Linked data",
    "A resource the project names",
    "An HTML page for browsers, or RDF by the Accept header or ?format= (turtle, nt, jsonld, rdfxml).",
    "<https://w3id.org/coopgraph/id/institution/hust> a <https://w3id.org/coopgraph/ontology#Institution> .",
    media="text/turtle",
    parameters=[_param("path", "path", "The rest of the IRI", "institution/hust")],
)

#: The description of each route path of the table not documented by FastAPI itself.
DOCS: dict[str, dict[str, Operation]] = {
    "/sparql": _SPARQL,
    "/sparql/": _SPARQL,
    "/openapi.json": _page(
        "Service", "This OpenAPI document", "", '{"openapi": "3.1.0"}', media="application/json"
    ),
    "/docs": _page("Service", "The OpenAPI document, shown by Swagger UI", "", "<!doctype html>"),
    "/redoc": _page("Service", "The OpenAPI document, shown by ReDoc", "", "<!doctype html>"),
    "/update": {
        "post": _op(
            "SPARQL",
            "Run an update (SPARQL 1.1 Protocol)",
            "Needs the write token. The update as the body (application/sparql-update) or in a form's "
            "'update' field; the changed graphs pass the validation gate before anything is written. "
            "Why (kept with the version in /history): a 'message' parameter or the X-Coopgraph-Message "
            "header.",
            {"204": {"description": "Done"}, **_ERRORS, **_WRITE_ERRORS},
            requestBody={
                "content": {
                    "application/sparql-update": {"schema": {"type": "string"}, "example": EXAMPLE_UPDATE}
                }
            },
            security=_TOKEN,
        )
    },
    "/graphs": _GRAPHS,
    "/graphs/{path}": _GRAPH_DIRECT,
    "/search": _page(
        "Search",
        "Find institutions, programmes, funders by name",
        "JSON, or an HTML page (?format=html or a browser's Accept).",
        '{"hits": [{"id": "https://w3id.org/coopgraph/id/institution/hust", '
        '"label": "Hanoi University of Science and Technology"}]}',
        media="application/json",
        parameters=[
            _param("q", "query", "The words to find", "hanoi"),
            _param("type", "query", "Kinds of resource (comma-separated)", "Institution"),
            _param("country", "query", "Countries (comma-separated ISO codes)", "VN"),
            _param("limit", "query", "At most this many hits", "10"),
            _param("lang", "query", "The language of the labels", "en"),
        ],
    ),
    "/reconcile": {
        method: _op(
            "Reconciliation",
            "The Reconciliation Service API: the manifest, or queries",
            "Without 'queries': the service manifest. With 'queries' (JSON): candidates for each.",
            _text(
                "Candidates",
                '{"q0": {"result": [{"id": "https://w3id.org/coopgraph/id/institution/hust", '
                '"name": "Hanoi University of Science and Technology", "score": 100, "match": true}]}}',
                media="application/json",
            ),
            parameters=[
                _param("queries", "query", "The queries, as JSON", '{"q0": {"query": "Hanoi University"}}')
            ],
        )
        for method in ("get", "post")
    },
    "/reconcile/suggest/{kind}": _page(
        "Reconciliation",
        "Suggestions as one types (entities, types, properties)",
        "",
        '{"result": [{"id": "https://w3id.org/coopgraph/ontology#Institution", "name": "Institution"}]}',
        media="application/json",
        parameters=[
            _param("kind", "path", "entity, type or property", "entity"),
            _param("prefix", "query", "What was typed", "Han"),
        ],
    ),
    "/reconcile/preview": _page(
        "Reconciliation",
        "A small HTML preview of an entity",
        "",
        "<div>Hanoi University of Science and Technology</div>",
        parameters=[
            _param("id", "query", "The entity's IRI", "https://w3id.org/coopgraph/id/institution/hust")
        ],
    ),
    "/reconcile/extend/propose": _page(
        "Reconciliation",
        "The properties a type's entities can be extended with",
        "",
        '{"type": "Institution", "properties": [{"id": "country", "name": "country"}]}',
        media="application/json",
        parameters=[_param("type", "query", "The type", "Institution")],
    ),
    "/validate": {
        "post": _op(
            "Validation",
            "Validate files without writing them (a dry run, no token)",
            "One file (its Content-Type says its format) or a multipart form of several; the report in the "
            "negotiated format (JSON by default) and language (?lang=en or vi).",
            _text("The validation report", '{"conforms": true, "results": []}', media="application/json"),
            requestBody={
                "content": {
                    "text/turtle": {
                        "example": "<https://w3id.org/coopgraph/id/institution/example> "
                        "a <https://w3id.org/coopgraph/ontology#Institution> ."
                    }
                }
            },
        )
    },
    "/validation": _page(
        "Validation",
        "The validation report of the whole store",
        "Format by Accept or ?format=; ?lang=en or vi.",
        '{"conforms": true, "results": []}',
        media="application/json",
    ),
    "/": _page(
        "Pages",
        "The home page",
        "What the dataset holds, a search box with suggestions, and the ways into the data.",
        "<!doctype html>",
    ),
    "/query": _page(
        "Pages", "The query page", "Write and run SPARQL queries in the browser.", "<!doctype html>"
    ),
    "/query/schema": _page(
        "Pages",
        "What the query page's builder offers",
        "The classes of the ontology, each with its properties as the ontology (rdfs:domain) and the shapes "
        "(sh:targetClass) give them, the kind of value each takes (a concept of a vocabulary, a resource, a "
        "date, a number, text), and the vocabularies' concepts; labels in the reader's language (?lang=).",
        '{"classes": [{"iri": "https://w3id.org/coopgraph/ontology#Agreement", "properties": []}]}',
        media="application/json",
        parameters=[_param("lang", "query", "The language of the labels", "vi")],
    ),
    "/fragments": _page(
        "Linked data",
        "Triple Pattern Fragments",
        "The triples matching a pattern, 100 a page, with Hydra controls and a count (TriG, Turtle, JSON-LD, "
        "N-Triples, N-Quads or HTML by the Accept header or ?format=).",
        "<https://w3id.org/coopgraph/id/institution/vnu-hanoi> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Vietnam National University, Hanoi"@en .',
        media="application/trig",
        parameters=[
            _param(
                "subject",
                "query",
                "An IRI, or empty for any",
                "https://w3id.org/coopgraph/id/institution/vnu-hanoi",
            ),
            _param(
                "predicate", "query", "An IRI, or empty for any", "http://www.w3.org/2000/01/rdf-schema#label"
            ),
            _param(
                "object", "query", "An IRI or a literal in N-Triples form, or empty for any", '"Hanoi"@en'
            ),
            _param("graph", "query", "One named graph (its own fragments), or empty for the union", ""),
            _param("page", "query", "The page, from 1", "1"),
        ],
    ),
    "/history": _page(
        "History",
        "Every change to the store, newest first",
        "Each version: number, time, who, kind, message, statements added and removed per graph, and its "
        "validation summary. JSON or HTML; paged (Link: rel=next); an ETag, so a poller gets 304 until "
        "something changes.",
        '{"versions": [{"number": 3, "kind": "ingest", "added": 120, "removed": 4}]}',
        media="application/json",
        parameters=[
            _param("since", "query", "Only versions from this date or time on", "2026-01-01"),
            _param("graph", "query", "Only versions that changed this graph (IRI or source key)", ""),
            _param("resource", "query", "Only versions that changed statements about this IRI", ""),
            _param("limit", "query", "At most this many versions a page", "50"),
            _param("page", "query", "The page, from 1", "1"),
        ],
    ),
    "/history/{number}": _page(
        "History",
        "One version's change",
        "The statements it added and removed: RDF Patch (application/rdf-patch), N-Quads (?part=removed "
        "for the removals), JSON or HTML. Immutable.",
        "A <https://w3id.org/coopgraph/id/institution/hust> <http://www.w3.org/2000/01/rdf-schema#label> "
        '"HUST"@en <https://w3id.org/coopgraph/graph/data/example> .',
        media="application/rdf-patch",
        parameters=[_param("number", "path", "The version's number", "3", required=True)],
    ),
    "/timemap/{path}": _page(
        "History",
        "A resource's TimeMap (Memento, RFC 7089)",
        "Its mementos: one per version that changed a statement about it, with the version's time. "
        "application/link-format (RFC 6690), JSON or HTML.",
        '<https://w3id.org/coopgraph/id/organization/vnu-hanoi>;rel="original",\n'
        '<http://127.0.0.1:8000/memento/1/id/organization/vnu-hanoi>;rel="first last memento";'
        'datetime="Mon, 14 Apr 2025 08:00:00 GMT"',
        media="application/link-format",
        parameters=[_param("path", "path", "The resource's IRI below the base", "id/organization/vnu-hanoi")],
    ),
    "/timegate/{path}": {
        "get": _op(
            "History",
            "A resource's TimeGate (Memento, RFC 7089)",
            "302 to the memento of the newest version at or before Accept-Datetime (without it: the "
            "newest). Vary: accept-datetime; Link to the original and the TimeMap.",
            {"302": {"description": "The memento, in Location"}, "404": {"description": "No version"}},
            parameters=[
                _param("path", "path", "The resource's IRI below the base", "id/organization/vnu-hanoi"),
                _param("Accept-Datetime", "header", "An HTTP date", "Mon, 14 Apr 2025 00:00:00 GMT"),
            ],
        )
    },
    "/memento/{number}/{path}": _page(
        "History",
        "A resource's description as it stood right after a version (a memento)",
        "Every format the resource has (Accept or ?format=), with Memento-Datetime and Link to the "
        "original, the TimeGate and the TimeMap.",
        "<https://w3id.org/coopgraph/id/organization/vnu-hanoi> "
        "a <http://www.w3.org/ns/org#FormalOrganization> .",
        media="text/turtle",
        parameters=[
            _param("number", "path", "The version's number", "1"),
            _param("path", "path", "The resource's IRI below the base", "id/organization/vnu-hanoi"),
        ],
    ),
    "/feeds/agreements.atom": _page(
        "History",
        "An Atom feed of new and changed agreements and events",
        "One entry a resource a version added, changed or removed, newest first; titles in the reader's "
        "language (?lang= or Accept-Language: en, vi, fr). ETag: 304 until something changes.",
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>coopgraph</title></feed>',
        media="application/atom+xml",
        parameters=[_param("lang", "query", "The language of the titles: en, vi or fr", "vi")],
    ),
    "/ldes": _page(
        "History",
        "A Linked Data Event Stream of the versioned descriptions",
        "The ldes:EventStream (LDES/TREE) of institutions, agreements, programmes and events: its "
        "timestamp and version-of paths, and its first page. Turtle or N-Triples.",
        "<http://127.0.0.1:8000/ldes> a <https://w3id.org/ldes#EventStream> .",
        media="text/turtle",
    ),
    "/ldes/{page}": _page(
        "History",
        "One page of the event stream",
        "The members made by a run of versions, each a resource's description after a version; a closed "
        "page is immutable and links to the next with a tree:GreaterThanOrEqualToRelation.",
        "<http://127.0.0.1:8000/ldes/1> a <https://w3id.org/tree#Node> .",
        media="text/turtle",
        parameters=[_param("page", "path", "The page's number", "1")],
    ),
    "/validation/history": _page(
        "Validation",
        "The validation summary of every change",
        "Each version's report summary as a PROV activity: who, when, counts by severity.",
        '{"activities": []}',
        media="application/json",
    ),
    "/download": {
        method: _op(
            "SPARQL",
            "Any query's answer as a spreadsheet",
            "Runs a read-only query as /sparql does (same limits) and returns its rows as CSV or XLSX with a "
            "`{column}_label` column, in the reader's language, after each column that holds IRIs.",
            _text(
                "The rows",
                "institution,institution_label\nhttps://w3id.org/coopgraph/id/institution/hust,HUST",
                media="text/csv",
            ),
            parameters=[
                _param(
                    "query", "query", "The SPARQL query (SELECT)", EXAMPLE_QUERY, required=method == "get"
                ),
                _param("format", "query", "csv or xlsx", "xlsx"),
                _param("lang", "query", "The language of the labels", "vi"),
            ],
        )
        for method in ("get", "post")
    },
    "/mcp": {
        method: _op(
            "AI assistants",
            "Model Context Protocol (streamable HTTP)",
            "Read-only tools for AI assistants: search entities, describe a resource with its sources, "
            "list and "
            "run saved queries, run a read-only SPARQL query under /sparql's limits, summarise the ontology.",
            _text(
                "A JSON-RPC answer",
                '{"jsonrpc": "2.0", "id": 1, "result": {"tools": []}}',
                media="application/json",
            ),
        )
        for method in ("get", "post", "delete")
    },
    "/queries/{name}": _page(
        "Saved queries",
        "A saved query that does not exist",
        "404 with the names of the saved queries closest to the one asked for (the saved queries themselves "
        "are described one by one).",
        "no saved query 'funder'; did you mean: funders?",
        media="text/plain",
        parameters=[_param("name", "path", "The name asked for", "funder", required=True)],
    ),
    "/ontology": _page(
        "Pages",
        "The ontology",
        "An HTML page, or the ontology as RDF by the Accept header.",
        "<!doctype html>",
    ),
    "/context.jsonld": _page(
        "Pages",
        "The JSON-LD context of the project's terms",
        "",
        '{"@context": {"cg": "https://w3id.org/coopgraph/ontology#"}}',
        media="application/ld+json",
    ),
    "/id/{path}": _RESOURCE,
    "/vocab/{path}": _RESOURCE,
    "/graph/{path}": _RESOURCE,
    "/dumps/": _page(
        "Dumps",
        "The dump files, with their sizes and checksums",
        "HTML, or JSON with ?format=json.",
        '{"files": [{"name": "coopgraph.nq.gz", "sha256": "…"}]}',
        media="application/json",
    ),
    "/dumps/{name}": _page(
        "Dumps",
        "One dump file",
        "",
        "(gzipped N-Quads)",
        media="application/gzip",
        parameters=[_param("name", "path", "The file's name", "coopgraph.nq.gz")],
    ),
    "/.well-known/void": _page(
        "Dataset",
        "The dataset described (VoID, DCAT-AP)",
        "",
        "<https://w3id.org/coopgraph/> a void:Dataset .",
        media="text/turtle",
    ),
    "/sitemap.xml": _page(
        "Dataset", "The pages, listed for crawlers", "", "<urlset>…</urlset>", media="application/xml"
    ),
    "/static/{path}": _page(
        "Pages",
        "The pages' scripts, styles and fonts",
        "",
        "(a file)",
        media="application/octet-stream",
        parameters=[_param("path", "path", "The file", "ui/docs.js")],
    ),
    "/metrics": _page(
        "Operations",
        "The server's counters (Prometheus text format)",
        "Requests by route and status, query and update durations, requests stopped at the time "
        "limit, worker restarts, queue lengths, the store's generation and size, ingests and validations. "
        "Served to loopback clients and holders of the write token unless metrics_public is set.",
        'coopgraph_http_requests_total{method="GET",route="/sparql",status="200"} 12.0',
        media="text/plain; version=0.0.4",
    ),
    "/healthz": _page(
        "Operations", "The process answers", "Always 200 while the process runs.", "ok", media="text/plain"
    ),
    "/readyz": {
        "get": _op(
            "Operations",
            "Ready to answer queries: the store is open and the workers are up",
            "503 until then, with what is missing.",
            {
                "200": {
                    "description": "Ready",
                    "content": {"application/json": {"example": {"ready": True, "problems": {}}}},
                },
                "503": {
                    "description": "Not ready",
                    "content": {
                        "application/json": {
                            "example": {"ready": False, "problems": {"workers": "the workers are starting"}}
                        }
                    },
                },
            },
        )
    },
}


def openapi_path(route: Route) -> str:
    """The route's path as OpenAPI writes it (``{path:path}`` -> ``{path}``; a mount: its files)."""
    if route.kind == "files":
        return route.path.rstrip("/") + "/{path}"
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)


def document(api: FastAPI, table: list[Route]) -> None:
    """Merge :data:`DOCS` into the app's OpenAPI document for the routes FastAPI leaves out."""
    undocumented = [
        route.path for route in table if route.kind != "openapi" and openapi_path(route) not in DOCS
    ]
    if undocumented:
        raise ValueError(f"routes without an OpenAPI description in server.http.route_docs: {undocumented}")
    build = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            schema = build()
            paths = schema.setdefault("paths", {})
            for route in table:
                if route.kind != "openapi":
                    paths.setdefault(openapi_path(route), DOCS[openapi_path(route)])
            schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
            schemes["bearer"] = {"type": "http", "scheme": "bearer", "description": "The write token"}
            api.openapi_schema = schema
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]

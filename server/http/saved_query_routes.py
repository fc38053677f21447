"""``/queries``: the saved queries as an API, one documented route each, parameters bound as typed terms.

A route reads its parameters from the query string itself and documents them in the OpenAPI
document by hand (``openapi_extra``): FastAPI would check the values with its own messages (422),
and would describe a typed parameter read as a string with a contradictory schema.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from coopgraph.closest import did_you_mean
from coopgraph.saved_queries import (
    PATTERNS,
    BadParameter,
    Parameter,
    SavedQuery,
    candidates_query,
    existing_query,
    first_missing,
    unknown_resource,
)
from server.http import negotiation, result_downloads
from server.http.links import link
from server.http.protocol import ProtocolError
from server.http.query_page import reader_language, script_json
from server.http.sparql_endpoint import run
from server.http.state import State
from server.http.worker_calls import whole_answer
from server.workers.messages import Query, encode_term

#: A route's handler: FastAPI calls it with what its signature asks for (the request, a path parameter).
Endpoint = Callable[..., Awaitable[Response]]

#: How each parameter type is described in the OpenAPI document (JSON Schema 2020-12). The binding
#: (:meth:`Parameter.bind`) accepts every value these describe, written as a URL writes it.
_SCHEMAS: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "uri-reference"},  # a local name under the base is a reference
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "gYear": {"type": "string", "pattern": PATTERNS["gYear"]},
    "gYearMonth": {"type": "string", "pattern": PATTERNS["gYearMonth"]},
}
_RESULT_TYPES = {media: {"schema": {"type": "string"}} for media in negotiation.RESULTS}
#: ``?format=``: the short names the OpenAPI document lists, and the media types (and their aliases).
FORMATS = ("json", "xml", "csv", "tsv")
_FORMAT_VALUES = {
    **{name: name for name in FORMATS},
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: ``?format=`` for a file to keep: the answer with a label beside each IRI (:mod:`result_downloads`).
DOWNLOADS = {"xlsx": "xlsx", "labelled-csv": "csv"}
_FORMAT_PARAMETER = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "The result format: json, xml, csv or tsv (or its media type, such as text/csv); "
    "xlsx or labelled-csv for a file with a label beside each IRI (in the query's lang, else the "
    "Accept-Language header's); without it the Accept header decides, and a browser gets an HTML page.",
    "schema": {"type": "string", "enum": [*FORMATS, *DOWNLOADS]},
}


def result_format(value: str | None) -> str | None:
    """The short name of the format ``?format=`` asks for (None: not given), or :class:`BadParameter`."""
    if not value:
        return None
    # a "+" not percent-encoded in a URL reads as a space: application/sparql-results json
    key = value.split(";")[0].strip().lower().replace(" ", "+")
    if key not in _FORMAT_VALUES:
        raise BadParameter(
            f"format: '{value}' is not a result format; use json, xml, csv or tsv, "
            "or one of the media types " + ", ".join(m for m in _FORMAT_VALUES if "/" in m)
        )
    return _FORMAT_VALUES[key]


def parameter_schema(p: Parameter) -> dict[str, Any]:
    """The JSON Schema of one parameter: its type, its enumeration, its default as a typed value."""
    schema = dict(_SCHEMAS[p.type])
    if p.values:
        schema["enum"] = [p.json_value(v) for v in p.values]
    if p.default is not None:
        schema["default"] = p.json_value(p.default)
    return schema


def openapi_parameters(saved: SavedQuery) -> list[dict[str, Any]]:
    """The route's parameters as the OpenAPI document gives them: each of the query's, then ``format``."""
    documented = []
    for p in saved.parameters:
        description = p.description + (f" (an IRI, or its local name under {p.base})" if p.base else "")
        documented.append(
            {
                "name": p.name,
                "in": "query",
                # without a default an optional parameter stays unbound: the query matches any value
                "required": p.required and p.default is None,
                "description": description,
                "schema": parameter_schema(p),
            }
        )
    return [*documented, _FORMAT_PARAMETER]


def query_values(request: Request) -> dict[str, str]:
    """The query string as one value by name; :class:`BadParameter` for a name given twice."""
    items = request.query_params.multi_items()
    repeated = sorted(name for name, count in Counter(name for name, _ in items).items() if count > 1)
    if repeated:
        raise BadParameter(f"{repeated[0]}: given more than once; send one value")
    return dict(items)


async def execute(request: Request, state: State, saved: SavedQuery) -> Response:
    try:
        values = query_values(request)
        download = DOWNLOADS.get((values.get("format") or "").strip().lower())
        requested = None if download else result_format(values.pop("format", None))
        values.pop("format", None)
        bound = saved.bindings(values)
        given = saved.given_iris(values)
    except BadParameter as e:
        return PlainTextResponse(f"{e}\n", status_code=400)
    if given:
        unknown = await _unknown_resource(state, saved, values, given)
        if unknown is not None:
            return unknown
    substitutions = {k: encode_term(v) for k, v in bound.items()}
    try:
        if download:
            lang = _query_language(saved, values) or reader_language(request)
            return await result_downloads.labelled_file(
                request, state, saved.query, download, result_downloads.language(lang), substitutions
            )
        if requested is None and negotiation.prefers_html(request.headers.get("accept")):
            return await _html(request, state, saved, values, substitutions)
        params = {"format": [requested]} if requested else {}
        return await run(request, state, saved.query, params, substitutions=substitutions, union=True)
    except ProtocolError as e:
        return e.response()


async def _rows(state: State, query: str) -> list[dict[str, dict[str, str]]] | Response:
    """The rows of a query the route asks for itself, or the response saying why there are none."""
    message = Query(
        query=query, max_bytes=state.settings.max_result_bytes, results_type="application/sparql-results+json"
    )
    answered = await whole_answer(state, message)
    if isinstance(answered, Response):
        return answered
    reply, body = answered
    if reply.status != 200:
        return PlainTextResponse((reply.head.error or "error") + "\n", status_code=reply.status)
    rows: list[dict[str, dict[str, str]]] = json.loads(body)["results"]["bindings"]
    return rows


async def _unknown_resource(
    state: State, saved: SavedQuery, values: dict[str, str], given: dict[str, Any]
) -> Response | None:
    """404 naming the parameter and the closest resources when a given IRI is named nowhere in the
    store (the query would answer an empty table, as if the resource had nothing to show)."""
    found = await _rows(state, existing_query(given))
    if isinstance(found, Response):
        return found
    name = first_missing(given, {row["iri"]["value"] for row in found})
    if name is None:
        return None
    parameter = saved.parameter(name)
    candidates = await _rows(state, candidates_query(parameter))
    if isinstance(candidates, Response):
        return candidates
    labelled = [(row["s"]["value"], row["label"]["value"]) for row in candidates]
    return PlainTextResponse(f"{unknown_resource(parameter, values[name], labelled)}\n", status_code=404)


def saved_query_endpoint(state: State, saved: SavedQuery) -> Endpoint:
    """``/queries/{name}``: one saved query, run with the request's parameters."""

    async def endpoint(request: Request) -> Response:
        return await execute(request, state, saved)

    endpoint.__name__ = "query_" + saved.name.replace("-", "_")
    return endpoint


def saved_query_openapi(saved: SavedQuery) -> dict[str, Any]:
    """How ``/queries/{name}`` is documented (the keyword arguments of FastAPI's ``add_api_route``)."""
    return {
        "tags": ["saved queries", *saved.tags],
        "summary": saved.title,
        "description": saved.description + (f"\n\nExample: `{saved.example}`" if saved.example else ""),
        "responses": {
            200: {
                "description": "The answer, by content negotiation or ``?format=``",
                "content": {
                    **_RESULT_TYPES,
                    "text/html": {"schema": {"type": "string"}},
                    **{m: {"schema": {"type": "string"}} for m in result_downloads.FORMATS.values()},
                },
            },
            400: {"description": "A parameter value that does not fit its type, or an unknown one"},
            404: {"description": "An IRI parameter's value is named nowhere in the store (with the closest)"},
            406: {"description": "None of the Accept header's types can hold query results"},
        },
        "response_class": Response,
        "openapi_extra": {"parameters": openapi_parameters(saved)},
    }


def catalogue_endpoint(queries: dict[str, SavedQuery]) -> Endpoint:
    """``/queries``: the saved queries, as JSON or as an HTML page."""

    async def catalogue(request: Request) -> Response:
        try:
            values = query_values(request)
            requested = (values.get("format") or "").strip().lower()
            if requested not in ("", "json", "application/json", "html", "text/html"):
                raise BadParameter(f"format: '{values['format']}' is not json or html")
            if values.get("bind", "defaults") != "defaults":
                raise BadParameter(f"bind: '{values['bind']}' is not 'defaults'")
        except BadParameter as e:
            return PlainTextResponse(f"{e}\n", status_code=400)
        if requested in ("html", "text/html") or (
            not requested and negotiation.prefers_html(request.headers.get("accept"))
        ):
            return HTMLResponse(_catalogue_html(queries))
        listed = []
        for q in queries.values():
            entry = q.as_dict()
            if "bind" in values:
                entry["query"] = q.with_defaults()
            listed.append(entry)
        return JSONResponse({"queries": listed})

    return catalogue


CATALOGUE_OPENAPI: dict[str, Any] = {
    "tags": ["saved queries"],
    "summary": "The catalogue of saved queries",
    "description": "JSON (``?format=json`` or by default), or an HTML page for browsers.",
    "openapi_extra": {
        "parameters": [
            {
                "name": "format",
                "in": "query",
                "required": False,
                "description": "json or html; without it the Accept header decides.",
                "schema": {"type": "string", "enum": ["json", "html"]},
            },
            {
                "name": "bind",
                "in": "query",
                "required": False,
                "description": "defaults: each query's text binds its parameters' defaults in a VALUES "
                "clause, to run as it stands on /sparql (the query page's examples).",
                "schema": {"type": "string", "enum": ["defaults"]},
            },
        ],
        "responses": {"400": {"description": "An unknown format or bind value"}},
    },
}


def text_endpoint(queries: dict[str, SavedQuery]) -> Endpoint:
    """``/queries/{name}.rq``: a saved query's file, header included."""

    async def text(name: str) -> Response:
        saved = queries.get(name)
        if saved is None or saved.path is None:
            return unknown_query(name, queries)
        return PlainTextResponse(
            saved.path.read_text(encoding="utf-8"), media_type="application/sparql-query"
        )

    return text


TEXT_OPENAPI: dict[str, Any] = {"tags": ["saved queries"], "summary": "A saved query's text, with its header"}


# ---------------------------------------------------------------------------------------------- pages
#: The scripts of a saved query's page: the vendored view libraries, then the views and the page's own.
_VIEW_SCRIPTS = (
    "vendor/vega/vega.min.js",
    "vendor/vega-lite/vega-lite.min.js",
    "vendor/vega-embed/vega-embed.min.js",
    "vendor/cytoscape/cytoscape.min.js",
    "ui/views.js",
    "ui/saved.js",
)


def _page(title: str, body: str, scripts: tuple[str, ...] = (), lang: str = "en") -> str:
    tags = "".join(f'<script src="/static/{s}"></script>' for s in scripts)
    styles = '<link rel="stylesheet" href="/static/ui/views.css">' if scripts else ""
    return (
        f'<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} — coopgraph"
        f'</title><link rel="stylesheet" href="/static/ui/pages.css">{styles}</head><body>'
        f'<p><a href="/">coopgraph</a> · <a href="/queries">saved queries</a></p>{body}{tags}</body></html>'
    )


def _form(saved: SavedQuery, values: dict[str, str]) -> str:
    fields = "".join(
        f'<label>{html.escape(p.name)} <input name="{html.escape(p.name)}" '
        f'value="{html.escape(values.get(p.name) or p.default or "")}" '
        f'title="{html.escape(p.description)}"></label>'
        for p in saved.parameters
    )
    return f'<form method="get" action="/queries/{saved.name}">{fields}<button>Run</button></form>'


def _catalogue_html(queries: dict[str, SavedQuery]) -> str:
    items = "".join(
        f'<h2 id="{q.name}"><a href="/queries/{q.name}">{html.escape(q.title)}</a></h2>'
        f'<p>{html.escape(q.description)}</p><p class="tags">{" · ".join(html.escape(t) for t in q.tags)}</p>'
        f"{_form(q, {})}"
        for q in queries.values()
    )
    return _page(
        "Saved queries",
        f"<h1>Saved queries</h1><p>Each also answers JSON, CSV, TSV and XML "
        f'(<code>?format=</code>); see <a href="/docs">the API</a>.</p>{items}',
    )


def result_cell(binding: dict[str, str] | None) -> str:
    """One cell of a results table; an IRI is a link only if it is safe to follow (:mod:`links`)."""
    if binding is None:
        return "<td></td>"
    if binding["type"] == "uri":
        return f"<td>{link(binding['value'])}</td>"
    value = html.escape(binding["value"])
    lang = binding.get("xml:lang")
    return f'<td lang="{html.escape(lang)}">{value}</td>' if lang else f"<td>{value}</td>"


def result_rows(variables: list[str], rows: list[dict[str, dict[str, str]]]) -> str:
    """The rows of a results table, from SPARQL JSON bindings."""
    return "".join("<tr>" + "".join(result_cell(r.get(v)) for v in variables) + "</tr>" for r in rows)


async def _html(
    request: Request, state: State, saved: SavedQuery, values: dict[str, str], substitutions: dict[str, Any]
) -> Response:
    reply = await run(
        request, state, saved.query, {"format": ["json"]}, substitutions=substitutions, union=True
    )
    if reply.status_code != 200:
        return reply
    body = json.loads(reply.body)  # type: ignore[attr-defined]
    variables = body["head"].get("vars", [])
    rows = body.get("results", {}).get("bindings", [])
    head = "".join(f"<th>{html.escape(v)}</th>" for v in variables)

    table = result_rows(variables, rows)
    given = [(k, v) for k, v in values.items() if v]
    names = {**{f: f.upper() for f in FORMATS}, "labelled-csv": "CSV with labels", "xlsx": "XLSX with labels"}
    links = " · ".join(
        f'<a href="?{html.escape(urlencode([*given, ("format", f)]))}">{t}</a>' for f, t in names.items()
    )
    lang = _query_language(saved, values) or reader_language(request)
    config = {"view": saved.view, "lang": lang, "root": "", "endpoint": "/sparql", "results": body}
    content = (
        f"<h1>{html.escape(saved.title)}</h1><p>{html.escape(saved.description)}</p>{_form(saved, values)}"
        f'<p>{len(rows)} row(s) · {links}</p><nav class="cg-view-picker" id="cg-view-picker" '
        f'aria-label="Views"></nav><div id="cg-view" class="cg-view" hidden></div>'
        f'<table id="cg-table"><tr>{head}</tr>{table}</table>'
        f"<h2>Query</h2><pre>{html.escape(saved.query)}</pre>"
        f'<script id="cg-config" type="application/json">{script_json(config)}</script>'
    )
    return HTMLResponse(_page(saved.title, content, _VIEW_SCRIPTS, lang))


def _query_language(saved: SavedQuery, values: dict[str, str]) -> str | None:
    """The value of a saved query's own ``lang`` parameter, given or default (None: it has none)."""
    default = next((p.default for p in saved.parameters if p.name == "lang"), None)
    return values.get("lang") or default


def unknown_query(name: str, queries: dict[str, SavedQuery]) -> Response:
    """404 for a saved query that does not exist, with the names closest to it."""
    hint = did_you_mean(name, queries) or "; the saved queries are listed at /queries"
    return PlainTextResponse(f"no saved query '{name}'{hint}\n", status_code=404)


def unknown_query_endpoint(queries: dict[str, SavedQuery]) -> Endpoint:
    """``/queries/{name}`` for any other name: a 404 that names the closest saved queries."""

    async def unknown(request: Request) -> Response:
        return unknown_query(request.path_params["name"], queries)

    return unknown

"""``/queries``: the saved queries as an API, one documented route each, parameters bound as typed terms."""

from __future__ import annotations

import html
import inspect
import json
from typing import Any

from fastapi import FastAPI, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from coopgraph.saved_queries import BadParameter, SavedQuery
from server import negotiation
from server.protocol import ProtocolError
from server.sparql_endpoint import run
from server.state import State

#: How a parameter type is described in the OpenAPI document (values are checked by the binding).
_SCHEMAS: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "uri-reference"},
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "gYear": {"type": "string", "pattern": r"^-?\d{4,}$"},
    "gYearMonth": {"type": "string", "pattern": r"^-?\d{4,}-(0[1-9]|1[0-2])$"},
}
_RESULT_TYPES = {media: {"schema": {"type": "string"}} for media in negotiation.RESULTS}


def term_spec(term: Any) -> list[str]:
    """A bound term as the worker's substitutions take it."""
    if term.__class__.__name__ == "NamedNode":
        return ["iri", term.value]
    if term.language:
        return ["lang", term.value, term.language]
    return ["literal", term.value, term.datatype.value]


async def execute(request: Request, state: State, saved: SavedQuery, values: dict[str, str]) -> Response:
    extra = set(request.query_params) - {p.name for p in saved.parameters} - {"format"}
    try:
        if extra:
            raise BadParameter(
                f"unknown parameter(s) {', '.join(sorted(extra))}; this query takes "
                + (", ".join(p.name for p in saved.parameters) or "none")
            )
        bound = saved.bindings(values)
    except BadParameter as e:
        return PlainTextResponse(f"{e}\n", status_code=400)
    requested = request.query_params.get("format")
    if requested is None and negotiation.prefers_html(request.headers.get("accept")):
        return await _html(request, state, saved, values, bound)
    params = {"format": [requested]} if requested else {}
    try:
        return await run(
            request, state, saved.query, params, substitutions={k: term_spec(v) for k, v in bound.items()}
        )
    except ProtocolError as e:
        return e.response()


def _endpoint(state: State, saved: SavedQuery) -> Any:
    async def endpoint(request: Request, **values: str | None) -> Response:
        return await execute(request, state, saved, {k: v for k, v in values.items() if v is not None})

    parameters = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    for p in saved.parameters:
        schema = dict(_SCHEMAS[p.type])
        if p.values:
            schema["enum"] = list(p.values)
        description = p.description + (f" (an IRI, or its local name under {p.base})" if p.base else "")
        parameters.append(
            inspect.Parameter(
                p.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=str | None,
                default=Query(p.default, description=description, json_schema_extra=schema),
            )
        )
    parameters.append(
        inspect.Parameter(
            "format",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=str | None,
            default=Query(
                None,
                description="json, xml, csv or tsv; else the Accept header decides",
                json_schema_extra={"enum": ["json", "xml", "csv", "tsv"]},
            ),
        )
    )
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = "query_" + saved.name.replace("-", "_")
    return endpoint


def add_routes(api: FastAPI, state: State, queries: dict[str, SavedQuery]) -> None:
    async def catalogue(request: Request) -> Response:
        listed = [q.as_dict() for q in queries.values()]
        if request.query_params.get("format") == "json" or not negotiation.prefers_html(
            request.headers.get("accept")
        ):
            return JSONResponse({"queries": listed})
        return HTMLResponse(_catalogue_html(queries))

    async def text(name: str) -> Response:
        saved = queries.get(name)
        if saved is None or saved.path is None:
            return PlainTextResponse(f"no saved query '{name}'\n", status_code=404)
        return PlainTextResponse(
            saved.path.read_text(encoding="utf-8"), media_type="application/sparql-query"
        )

    api.add_api_route(
        "/queries",
        catalogue,
        methods=["GET"],
        tags=["saved queries"],
        summary="The catalogue of saved queries",
        description="JSON (``?format=json`` or by default), or an HTML page for browsers.",
    )
    api.add_api_route(
        "/queries/{name}.rq",
        text,
        methods=["GET"],
        tags=["saved queries"],
        summary="A saved query's text, with its header",
    )
    for saved in queries.values():
        api.add_api_route(
            f"/queries/{saved.name}",
            _endpoint(state, saved),
            methods=["GET"],
            tags=["saved queries", *saved.tags],
            summary=saved.title,
            description=saved.description + (f"\n\nExample: `{saved.example}`" if saved.example else ""),
            responses={
                200: {
                    "description": "The answer, by content negotiation or ``?format=``",
                    "content": _RESULT_TYPES,
                },
                400: {"description": "A parameter value that does not fit its type"},
            },
            response_class=Response,
        )


# ---------------------------------------------------------------------------------------------- pages
def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} — coopgraph'
        f'</title><link rel="stylesheet" href="/static/ui/pages.css"></head><body>'
        f'<p><a href="/">coopgraph</a> · <a href="/queries">saved queries</a></p>{body}</body></html>'
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


async def _html(
    request: Request, state: State, saved: SavedQuery, values: dict[str, str], bound: dict[str, Any]
) -> Response:
    reply = await run(
        request,
        state,
        saved.query,
        {"format": ["json"]},
        substitutions={k: term_spec(v) for k, v in bound.items()},
    )
    if reply.status_code != 200:
        return reply
    body = json.loads(reply.body)  # type: ignore[attr-defined]
    variables = body["head"].get("vars", [])
    rows = body.get("results", {}).get("bindings", [])
    head = "".join(f"<th>{html.escape(v)}</th>" for v in variables)

    def cell(binding: dict[str, str] | None) -> str:
        if binding is None:
            return "<td></td>"
        value = html.escape(binding["value"])
        if binding["type"] == "uri":
            return f'<td><a href="{value}">{value}</a></td>'
        lang = binding.get("xml:lang")
        return f'<td lang="{html.escape(lang)}">{value}</td>' if lang else f"<td>{value}</td>"

    table = "".join("<tr>" + "".join(cell(r.get(v)) for v in variables) + "</tr>" for r in rows)
    links = " · ".join(
        f'<a href="?{request.url.query}&format={f}">{f.upper()}</a>' for f in ("json", "csv", "tsv", "xml")
    )
    content = (
        f"<h1>{html.escape(saved.title)}</h1><p>{html.escape(saved.description)}</p>{_form(saved, values)}"
        f"<p>{len(rows)} row(s) · {links}</p><table><tr>{head}</tr>{table}</table>"
        f"<h2>Query</h2><pre>{html.escape(saved.query)}</pre>"
    )
    return HTMLResponse(_page(saved.title, content))

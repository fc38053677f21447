"""The W3C Reconciliation Service API 0.2 at ``/reconcile``, answered from the search index.

``GET /reconcile`` is the manifest; ``queries=`` (GET, or a POSTed form) a batch of queries, ``extend=``
a data extension; ``/reconcile/suggest/{entity,type,property}?prefix=``, ``/reconcile/preview?id=`` and
``/reconcile/extend/propose?type=`` the services the manifest names. Requests that do not follow the
protocol are answered 400 with ``{"error": ...}``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from coopgraph.search.reconcile import (
    BadQuery,
    extend,
    manifest,
    parse_batch,
    preview,
    propose_properties,
    reconcile,
    suggest_entities,
    suggest_properties,
    suggest_types,
)
from server.http.protocol import ProtocolError, content_type, parse_form, read_body
from server.http.search_routes import error, language, limit_param
from server.http.search_service import SearchService, SearchUnavailable


async def _params(request: Request, limit: int) -> dict[str, str]:
    """The request's parameters: its URL's, and a POSTed form's."""
    params = {k: v for k, v in request.query_params.items()}
    if request.method == "POST":
        media, _ = content_type(request)
        body = await read_body(request, limit)
        if media == "application/x-www-form-urlencoded":
            params.update({k: v[-1] for k, v in parse_form(body).items()})
        elif body:
            raise ProtocolError(415, "send the parameters as application/x-www-form-urlencoded")
    return params


def _json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as e:
        raise BadQuery(f"'{name}' is not JSON: {e}") from None


def _base(request: Request) -> str:
    state = request.app.state.coop
    return str(state.base_url(request))


async def service(request: Request, search: SearchService) -> Response:
    try:
        params = await _params(request, request.app.state.coop.settings.max_body_bytes)
        lang = language(request)
        if "queries" in params:
            batch = parse_batch(_json(params["queries"], "queries"))

            def answer_all(index: Any) -> dict[str, Any]:
                return {key: {"result": reconcile(index, *q, lang=lang)} for key, q in batch.items()}

            return JSONResponse(await search.run(answer_all))
        if "extend" in params:
            wanted = _json(params["extend"], "extend")
            return JSONResponse(await search.run(lambda index: extend(index, wanted, lang)))
        return JSONResponse(manifest(_base(request)))
    except BadQuery as e:
        return error(400, str(e))
    except ProtocolError as e:
        return error(e.status, e.message)
    except SearchUnavailable as e:
        return error(503, str(e))


async def suggest(request: Request, search: SearchService) -> Response:
    kind = request.path_params["kind"]
    prefix = request.query_params.get("prefix", "")
    if kind == "type":
        return JSONResponse(suggest_types(prefix))
    if kind == "property":
        return JSONResponse(suggest_properties(prefix))
    if kind != "entity":
        return error(404, "suggest services: entity, type, property")
    try:
        limit = limit_param(request.query_params.get("limit"))
        lang = language(request)
        if not prefix.strip():
            return JSONResponse({"result": []})
        return JSONResponse(await search.run(lambda index: suggest_entities(index, prefix, lang, limit)))
    except ValueError as e:
        return error(400, str(e))
    except SearchUnavailable as e:
        return error(503, str(e))


async def preview_page(request: Request, search: SearchService) -> Response:
    iri = request.query_params.get("id", "")
    if not iri:
        return error(400, "preview needs an 'id'")
    try:
        page = await search.run(lambda index: preview(index, iri, language(request)))
    except SearchUnavailable as e:
        return error(503, str(e))
    if page is None:
        return error(404, "no such entity")
    return HTMLResponse(page)


async def propose(request: Request, search: SearchService) -> Response:
    try:
        limit = limit_param(request.query_params.get("limit"))
    except ValueError as e:
        return error(400, str(e))
    return JSONResponse(propose_properties(request.query_params.get("type", ""), limit))


Endpoint = Callable[[Request], Awaitable[Response]]


def endpoints(search: SearchService) -> dict[str, Endpoint]:
    """The endpoints of ``/reconcile`` and its services, on one search service, by path."""

    def on(handler: Callable[[Request, SearchService], Awaitable[Response]]) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            return await handler(request, search)

        return endpoint

    return {
        "/reconcile": on(service),
        "/reconcile/suggest/{kind}": on(suggest),
        "/reconcile/preview": on(preview_page),
        "/reconcile/extend/propose": on(propose),
    }

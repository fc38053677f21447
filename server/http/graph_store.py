"""``/graphs``: the SPARQL 1.1 Graph Store HTTP Protocol, with indirect (``?graph=``, ``?default``) and
direct (``/graphs/…``) identification; writes need the bearer token and pass the validation gate."""

from __future__ import annotations

import json
import uuid

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from coopgraph import iris
from coopgraph.formats import RDF_MEDIA_TYPES
from coopgraph.store import DEFAULT_GRAPH
from server.http import negotiation
from server.http.auth import require_writer
from server.http.change_message import change_message
from server.http.conditional import not_modified, tag_headers, variant_of
from server.http.fairness import TooManyQueries, client_of
from server.http.protocol import ProtocolError, check_iri, content_type, read_body, single, url_params
from server.http.safety import system_graph_refusal
from server.http.state import State
from server.http.validation import report_lang, report_type
from server.http.worker_calls import answer_query, query_failure, write
from server.workers.messages import GraphDelete, GraphDump, GraphMerge, GraphReplace, Query
from server.workers.pool import Busy, Expired, WorkerCrashed

ALLOW = "GET, HEAD, PUT, POST, DELETE, OPTIONS"
PREFIX = "/graphs"


def _target(request: Request, state: State) -> str | None:
    """The graph a request names: ``?graph=IRI``, ``?default``, or the request URL itself (direct)."""
    params = url_params(request)
    path = request.url.path
    if path.rstrip("/") != PREFIX:
        if "graph" in params or "default" in params:
            raise ProtocolError(400, "a graph named by the URL path takes no 'graph' or 'default' parameter")
        return check_iri(state.base_url(request, path), "the URL path")
    graph = single(params.get("graph"), "graph")
    if graph is not None:
        if "default" in params:
            raise ProtocolError(400, "name either '?graph=' or '?default', not both")
        return check_iri(graph, "graph")
    if "default" in params:
        return DEFAULT_GRAPH
    return None


async def graph_store(request: Request) -> Response:
    state: State = request.app.state.coop
    method = request.method
    try:
        graph = _target(request, state)
        if method in ("GET", "HEAD"):
            return await _read(request, state, graph)
        if method not in ("PUT", "POST", "DELETE"):
            return PlainTextResponse("method not allowed\n", status_code=405, headers={"Allow": ALLOW})
        require_writer(request, state)
        if graph is not None and iris.is_system_graph(graph):
            raise ProtocolError(403, system_graph_refusal(graph))
        return await _write(request, state, graph)
    except ProtocolError as e:
        return e.response()


async def _read(request: Request, state: State, graph: str | None) -> Response:
    """GET or HEAD: one graph as RDF, or the catalogue when no graph is named (``304`` when the
    client's ``If-None-Match`` names the published generation)."""
    variant = variant_of(request.url.path, request.url.query, request.headers.get("accept"))
    unchanged = await not_modified(state, request.headers.get("if-none-match"), variant)
    if unchanged is not None:
        return unchanged
    if graph is None:
        return await _catalog(request, state, variant)
    media = negotiation.choose(request.headers.get("accept"), negotiation.RDF, negotiation.RDF_ALIASES)
    if media is None:
        raise ProtocolError(406, "accept one of " + ", ".join(negotiation.RDF))
    dump = GraphDump(graph=graph, rdf_type=media, max_bytes=state.settings.max_result_bytes)
    return await answer_query(state, dump, request.method == "HEAD", client_of(request.scope), variant)


async def _write(request: Request, state: State, graph: str | None) -> Response:
    """PUT, POST or DELETE (the token checked): sent to the write worker."""
    method = request.method
    message = change_message(request, url_params(request))
    origin = state.base_url(
        request, str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
    )
    if method == "DELETE":
        if graph is None:
            raise ProtocolError(400, "name the graph to delete with '?graph=' or '?default'")
        return await write(
            state,
            GraphDelete(
                graph=graph,
                who=state.settings.write_token_name,
                message=message,
                report_type=report_type(request),
                lang=report_lang(request),
            ),
        )
    location = None
    if graph is None:
        if method == "PUT":
            raise ProtocolError(400, "name the graph to replace with '?graph=' or '?default'")
        # the protocol's new graph: named under the graph store's own URL, so that its name (the Location)
        # is a URL that returns it here (direct identification), and ?graph= takes it too
        graph = location = check_iri(state.base_url(request, f"{PREFIX}/posted/{uuid.uuid4().hex}"), "")
    media, _ = content_type(request)
    if media == "multipart/form-data" and method == "POST":
        return await _multipart(request, state, graph, origin, message)
    if media not in RDF_MEDIA_TYPES:
        raise ProtocolError(
            415, f"send RDF: one of {', '.join(sorted(RDF_MEDIA_TYPES))} (got '{media or 'none'}')"
        )
    body = await read_body(request, state.settings.max_body_bytes)
    load = GraphReplace if method == "PUT" else GraphMerge
    load_request = load(
        graph=graph,
        media_type=RDF_MEDIA_TYPES[media].media_type,
        origin=origin,
        agent="coopgraph server",
        who=state.settings.write_token_name,
        message=message,
        report_type=report_type(request),
        lang=report_lang(request),
    )
    return await write(state, load_request, body, headers={"Location": location} if location else None)


async def _multipart(
    request: Request, state: State, graph: str, origin: str, message: str | None
) -> Response:
    """POST of several RDF documents as multipart/form-data: each part is merged into the graph, in order."""
    form = await request.form(max_files=100, max_part_size=state.settings.max_body_bytes)
    parts = []
    for _, value in form.multi_items():
        if isinstance(value, str):
            continue
        media = (value.content_type or "").split(";")[0].strip().lower()
        if media not in RDF_MEDIA_TYPES:
            raise ProtocolError(415, f"part '{value.filename}': send RDF (got '{media or 'none'}')")
        parts.append((RDF_MEDIA_TYPES[media].media_type, await value.read()))
    if not parts:
        raise ProtocolError(400, "the multipart body holds no RDF document")
    last: Response | None = None
    for media, body in parts:
        merge = GraphMerge(
            graph=graph,
            media_type=media,
            origin=origin,
            agent="coopgraph server",
            who=state.settings.write_token_name,
            message=message,
            report_type=report_type(request),
            lang=report_lang(request),
        )
        last = await write(state, merge, body)
        if last.status_code >= 300:
            return last
    assert last is not None
    return last


_LIST = (
    iris.sparql_prologue()
    + f"""
SELECT ?graph ?role ?key ?triples ?modified WHERE {{ GRAPH <{iris.CATALOG_GRAPH}> {{
  ?graph a void:Dataset ; dcterms:type ?role ; dcterms:identifier ?key ; void:triples ?triples ;
         dcterms:modified ?modified }} }} ORDER BY ?graph"""
)


async def _catalog(request: Request, state: State, variant: str) -> Response:
    """GET /graphs: the graphs the store holds, as the catalogue graph (RDF) or as JSON."""
    accept = request.headers.get("accept")
    wants_json = request.query_params.get("format") == "json" or (
        negotiation.choose(accept, ("text/turtle", "application/json")) == "application/json"
    )
    if not wants_json:
        media = negotiation.choose(accept, negotiation.RDF, negotiation.RDF_ALIASES)
        if media is None:
            raise ProtocolError(406, "accept one of " + ", ".join(negotiation.RDF) + " or application/json")
        dump = GraphDump(graph=iris.CATALOG_GRAPH, rdf_type=media, max_bytes=state.settings.max_result_bytes)
        return await answer_query(state, dump, request.method == "HEAD", client_of(request.scope), variant)
    listing = Query(
        query=_LIST, max_bytes=state.settings.max_result_bytes, results_type="application/sparql-results+json"
    )
    try:
        async with state.shares.slot(client_of(request.scope), state.settings.query_timeout):
            reply = await state.queries.call(listing, state.settings.query_timeout)
    except (Busy, Expired, WorkerCrashed, TooManyQueries) as e:
        return query_failure(e, state.settings.query_timeout)
    graphs = []
    for row in json.loads(reply.body or b"{}").get("results", {}).get("bindings", []):
        record = {k: v["value"] for k, v in row.items()}
        record["role"] = record["role"].removeprefix(iris.GRAPH_ROLE)
        record["triples"] = int(record["triples"])
        graphs.append(record)
    return Response(
        json.dumps({"graphs": graphs}, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={"Vary": "Accept", **tag_headers(reply.head.generation, variant)},
    )

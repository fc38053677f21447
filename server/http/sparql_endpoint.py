"""``/sparql``: the SPARQL 1.1 Protocol query operation (GET, POST form, POST direct, HEAD)."""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from coopgraph.sparql_errors import explain
from coopgraph.sparql_text import ScanError, scan_query
from server.http import negotiation, safety
from server.http.at_version import at_version
from server.http.conditional import not_modified, variant_of
from server.http.fairness import TooManyQueries, client_of
from server.http.observe import QUERY_TEXT
from server.http.protocol import (
    PostedOperation,
    ProtocolError,
    check_depth,
    check_iris,
    check_version,
    read_posted,
    single,
    url_params,
)
from server.http.service_description import describe
from server.http.state import PreparedGets, State
from server.http.worker_calls import answer_query, content_type, query_failure, query_response
from server.workers import messages
from server.workers.pool import Busy, Expired, WorkerCrashed

ALLOW = "GET, POST, HEAD, OPTIONS"


#: Scans kept, bounded by the total length of their texts (they are keyed by the whole text: a bound on
#: their count alone let 16 texts of 30 MB hold half a gigabyte), and the longest text kept.
SCAN_CACHE_BYTES, SCAN_CACHE_MAX_TEXT = 8 << 20, 64 << 10
_scans: OrderedDict[str, Any] = OrderedDict()
_scans_bytes = 0


def _scan(query: str) -> Any:
    """Scans are pure functions of the text; point lookups repeat the same few shapes."""
    global _scans_bytes
    found = _scans.get(query)
    if found is not None:
        _scans.move_to_end(query)
        return found
    try:
        found = scan_query(query)
    except ScanError as e:
        found = e
    if len(query) <= SCAN_CACHE_MAX_TEXT:
        _scans[query] = found
        _scans_bytes += len(query)
        while _scans_bytes > SCAN_CACHE_BYTES:
            oldest, _ = _scans.popitem(last=False)
            _scans_bytes -= len(oldest)
    return found


@lru_cache(maxsize=256)
def _negotiate(accept: str | None) -> tuple[str | None, str | None]:
    return (
        negotiation.choose(accept, negotiation.RESULTS, negotiation.RESULTS_ALIASES),
        negotiation.choose(accept, negotiation.RDF, negotiation.RDF_ALIASES),
    )


def _formats(request: Request, form: str, requested: str | None) -> tuple[str | None, str | None]:
    """The media types for a results answer and for a graph answer."""
    if requested:
        names = negotiation.FORMAT_NAMES.get(requested.lower())
        if names is None:
            raise ProtocolError(
                400,
                f"unknown format '{requested}'; use json, xml, csv, tsv, turtle, nt, "
                "nquads, trig, jsonld or rdfxml",
            )
        return names
    results, graph = _negotiate(request.headers.get("accept"))
    if form in ("SELECT", "ASK") and results is None:
        raise ProtocolError(
            406,
            "none of the Accept header's types can hold query results; accept one of "
            + ", ".join(negotiation.RESULTS),
        )
    if form in ("CONSTRUCT", "DESCRIBE") and graph is None:
        raise ProtocolError(
            406,
            "none of the Accept header's types can hold a graph; accept one of " + ", ".join(negotiation.RDF),
        )
    return results, graph


def _read_get(request: Request) -> tuple[str | None, dict[str, list[str]]]:
    """The query text and the protocol parameters of a GET or HEAD request."""
    params = url_params(request)
    if "update" in params:
        raise ProtocolError(405, "updates are sent with POST to /update", {"Allow": ALLOW})
    check_version(params)
    return single(params.get("query"), "query"), params


#: A query POSTed to /sparql: in a form's ``query`` field, or as the body.
POSTED_QUERY = PostedOperation(
    field="query",
    media_type="application/sparql-query",
    other_field="update",
    other_media_type="application/sparql-update",
    misdirected="updates are sent to /update, not to /sparql",
    unsupported="send the query as application/sparql-query, or as a form "
    "(application/x-www-form-urlencoded) with a 'query' field",
)


async def _read_request(request: Request, state: State) -> tuple[str | None, dict[str, list[str]]]:
    """The query text and the protocol parameters, by method and media type."""
    if request.method in ("GET", "HEAD"):
        return _read_get(request)
    return await read_posted(request, state.settings.max_body_bytes, POSTED_QUERY)


async def sparql(request: Request, state: State) -> Response:
    if request.method not in ("GET", "POST", "HEAD"):
        return PlainTextResponse("use GET or POST\n", status_code=405, headers={"Allow": ALLOW})
    try:
        query, params = await _read_request(request, state)
        if query is None:
            return await describe(request, state)
        return await run(request, state, query, params)
    except ProtocolError as e:
        return e.response()


def prepare(
    request: Request,
    state: State,
    query: str,
    params: dict[str, list[str]],
    substitutions: dict[str, list[str]] | None = None,
    max_bytes: int | None = None,
    union: bool = False,
) -> messages.Query:
    """The worker request for one query, checked (raises :class:`ProtocolError`); ``union``: read the union
    default graph even on a strict server (saved queries are written for it)."""
    request.scope[QUERY_TEXT] = query  # for the access log
    info = _scan(query)
    if isinstance(info, ScanError):
        raise ProtocolError(400, f"the query is not valid SPARQL: {explain(query, info)}")
    check_depth(info.depth, state.settings.max_nesting_depth, "query")
    check_iris(params, "default-graph-uri", "named-graph-uri")
    try:
        safety.check_query(info, state.settings.service_allowlist)
    except safety.Refused as e:
        raise ProtocolError(400, str(e)) from None
    default, named = safety.dataset(
        info, params.get("default-graph-uri", []), params.get("named-graph-uri", [])
    )
    results_type, rdf_type = _formats(request, info.form, single(params.get("format"), "format"))
    version = at_version(params)
    return messages.Query(
        query=query,
        default_graph=default,
        named_graphs=named,
        # A graph FROM or the parameters name that the store lacks is an empty graph (never fetched).
        strict_dataset=state.settings.strict_dataset and not union,
        with_catalog=state.settings.dataset_includes_catalog,
        prefixes=info.prefixes or None,
        results_type=results_type,
        rdf_type=rdf_type,
        max_bytes=max_bytes or state.settings.max_result_bytes,
        substitutions=substitutions,
        base_iri=state.base_url(request, "/sparql"),
        version=version,
    )


async def run(
    request: Request,
    state: State,
    query: str,
    params: dict[str, list[str]],
    substitutions: dict[str, list[str]] | None = None,
    max_bytes: int | None = None,
    union: bool = False,
) -> Response:
    """Run one query in a worker and answer with its results (shared with saved queries)."""
    prepared = prepare(request, state, query, params, substitutions, max_bytes, union)
    return await answer_query(state, prepared, request.method == "HEAD", client_of(request.scope))


# ---------------------------------------------------------------------------------------------- fast path
#: Prepared GET requests kept per server: the worker's request frame, or the protocol error to answer.
PREPARED_MAX = 2048
#: Longer query strings are prepared each time (bounds the cache to about 10 MB).
PREPARED_MAX_QUERY = 2048
_VARY = (b"vary", b"Accept")


@lru_cache(maxsize=64)
def _content_type_header(media: str) -> tuple[bytes, bytes]:
    return (b"content-type", content_type(media).encode("latin-1"))


def _prepare_get(scope: Scope, state: State) -> bytes | ProtocolError | None:
    """A GET/HEAD request's worker frame; None when it is not a query (the slow path answers it)."""
    request = Request(scope)
    try:
        query, params = _read_get(request)
        if query is None:
            return None
        return messages.encode_request(prepare(request, state, query, params))
    except ProtocolError as e:
        return e


async def endpoint(scope: Scope, receive: Receive, send: Send, state: State) -> None:
    """``/sparql`` as a raw ASGI app: GET and HEAD queries skip Starlette's request and response objects
    (their checked worker request is cached by query string and headers); the rest goes through
    :func:`sparql`."""
    method = scope["method"]
    if method == "GET" or method == "HEAD":
        accept = host = if_none_match = None
        for name, value in scope["headers"]:
            if name == b"accept":
                if accept is None:
                    accept = value
            elif name == b"host" and host is None:
                host = value
            elif name == b"if-none-match":
                if_none_match = value
        query_string = scope["query_string"]
        key = (
            method,
            query_string,
            accept,
            host,
            scope.get("scheme"),
            scope.get("server"),
            scope.get("root_path"),
        )
        cache: PreparedGets = state.prepared_gets
        prepared = cache.get(key)
        if prepared is None:
            prepared = _prepare_get(scope, state)
            if prepared is not None and len(query_string) <= PREPARED_MAX_QUERY:
                if len(cache) >= PREPARED_MAX:
                    del cache[next(iter(cache))]  # the oldest
                cache[key] = prepared
        if type(prepared) is bytes:
            variant = variant_of(query_string.decode("latin-1"), (accept or b"").decode("latin-1"))
            if if_none_match is not None:
                unchanged = await not_modified(state, if_none_match.decode("latin-1"), variant)
                if unchanged is not None:
                    await unchanged(scope, receive, send)
                    return
            await _answer_raw(state, prepared, method == "HEAD", scope, receive, send, variant)
            return
        if prepared is not None:
            await prepared.response()(scope, receive, send)
            return
    response = await sparql(Request(scope, receive), state)
    await response(scope, receive, send)


async def _answer_raw(
    state: State, frame: bytes, head_only: bool, scope: Scope, receive: Receive, send: Send, variant: str
) -> None:
    timeout = state.settings.query_timeout
    try:
        async with state.shares.slot(client_of(scope), timeout):
            reply = await state.queries.request(frame, timeout)
    except (Busy, Expired, WorkerCrashed, TooManyQueries) as e:
        await query_failure(e, timeout)(scope, receive, send)
        return
    body = reply.body
    if body is None or reply.status != 200:
        await (await query_response(state, reply, head_only, variant))(scope, receive, send)
        return
    headers = [
        _VARY,
        (b"content-length", b"%d" % len(body)),
        _content_type_header(reply.head.media_type),  # type: ignore[arg-type]
    ]
    if reply.head.generation:
        headers.append((b"etag", f'"{reply.head.generation}.{variant}"'.encode("latin-1")))
        headers.append((b"cache-control", b"no-cache"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head_only else body})

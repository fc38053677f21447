"""Dereferenceable IRIs: ``/id/…``, ``/vocab/…`` and ``/graph/…`` answer for the IRIs the project mints
under ``https://w3id.org/coopgraph/`` (the server stands for that base, at its own or its public URL).

Each IRI answers ``200`` with its description in the format negotiated (``303`` would cost every
client a second round trip for no information: the page is about the thing, and says so), with
``Content-Location`` naming the variant sent, ``Vary: Accept, Accept-Language`` and an ``ETag`` tied
to the store generation (``304`` to a matching ``If-None-Match``, checked in the worker before any
work). The lookup runs in a query worker (:class:`server.workers.messages.Describe`).
"""

from __future__ import annotations

import hashlib
import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from coopgraph import iris
from server.http import negotiation, resource_page
from server.http.conditional import etag, generation_in
from server.http.memento_links import resource_links
from server.http.ontology_page import request_language
from server.http.query_page import CONTENT_SECURITY_POLICY
from server.http.state import State
from server.http.worker_calls import content_type, whole_answer
from server.workers.describe import DESCRIPTION_JSON
from server.workers.messages import Describe

HTML = "text/html"
#: What a resource is offered as; the first is the answer to ``*/*`` (curl, most RDF tools).
OFFERS = (
    "text/turtle",
    HTML,
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
    "application/trig",
    "application/n-quads",
)
#: ``?format=`` names, and the one each media type is linked by (``Content-Location``).
FORMATS = {
    "html": HTML,
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "json": "application/ld+json",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "xml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
}
FORMAT_NAME = {
    HTML: "html",
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdfxml",
    "application/trig": "trig",
    "application/n-quads": "nq",
}
VARY = "Accept, Accept-Language"
#: Incoming links a page lists, and counts at most: a page of a hub (an article every node cites) reads
#: a bounded part of its links and links to all of them, page by page, as triple pattern fragments.
PAGE_INCOMING, PAGE_INCOMING_COUNT_CAP = 100, 10_000
#: Incoming links the RDF of a resource holds at most (in the store's order).
RDF_INCOMING = 500


def iri_of(request: Request) -> str:
    """The IRI a request stands for: the base with the request's path, as sent (percent-encoded)."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1").split("?", 1)[0]
    root = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return iris.BASE + path.lstrip("/")


def chosen_media(request: Request) -> str | None:
    """The format asked for by ``?format=`` (raises on an unknown name), else by ``Accept``."""
    name = request.query_params.get("format")
    if name is not None:
        media = FORMATS.get(name.lower())
        if media is None:
            raise ValueError(name)
        return media
    return negotiation.choose(request.headers.get("accept"), OFFERS, negotiation.RDF_ALIASES)


def _variant(media: str, lang: str, base: str) -> str:
    """What besides the generation makes one answer differ from another for the same IRI."""
    return hashlib.sha256(f"{media}|{lang}|{base}".encode()).hexdigest()[:12]


async def resource(request: Request) -> Response:
    state: State = request.app.state.coop
    headers = {"Vary": VARY}
    try:
        media = chosen_media(request)
    except ValueError as e:
        return PlainTextResponse(
            f"unknown format {e.args[0]!r}; use one of {', '.join(sorted(FORMATS))}\n",
            status_code=400,
            headers=headers,
        )
    if media is None:
        return PlainTextResponse(
            "none of the Accept header's types is offered; accept one of " + ", ".join(OFFERS) + "\n",
            status_code=406,
            headers=headers,
        )
    iri = iri_of(request)
    base = state.base_url(request)
    lang = request_language(request) if media == HTML else ""
    variant = _variant(media, lang, base)
    message = Describe(
        iri=iri,
        media_type=DESCRIPTION_JSON if media == HTML else media,
        max_bytes=state.settings.max_result_bytes,
        context_url=base + "/context.jsonld",
        unless_generation=generation_in(request.headers.get("if-none-match"), variant),
        incoming_limit=PAGE_INCOMING if media == HTML else RDF_INCOMING,
        incoming_count_cap=PAGE_INCOMING_COUNT_CAP if media == HTML else 0,
    )
    answered = await whole_answer(state, message)
    if isinstance(answered, Response):
        return answered
    reply, body = answered
    generation = reply.head.generation or ""
    if reply.status == 304:
        return Response(status_code=304, headers={**headers, "ETag": etag(generation, variant)})
    if reply.status == 404:
        return _not_found(request, media, json.loads(body), base, headers)
    if reply.status != 200:
        return PlainTextResponse(
            (reply.head.error or "error") + "\n", status_code=reply.status, headers=headers
        )
    own_url = base + request.url.path[len(request.scope.get("root_path", "")) :]
    headers.update(
        {
            "ETag": etag(generation, variant),
            "Cache-Control": "no-cache",
            "Content-Location": f"{own_url}?format={FORMAT_NAME[media]}",
            "Link": f'<{base}/.well-known/void>; rel="describedby", ' + resource_links(base, iri),
            "X-Content-Type-Options": "nosniff",
        }
    )
    if media == HTML:
        page = resource_page.render(json.loads(body), lang, base, own_url)
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["Content-Language"] = lang
        return HTMLResponse(page, headers=headers)
    headers["Access-Control-Allow-Origin"] = "*"
    return Response(body, media_type=content_type(media), headers=headers)


def _not_found(
    request: Request, media: str, data: dict[str, object], base: str, headers: dict[str, str]
) -> Response:
    """404: a page naming what the client may have meant, or the same in a line of text."""
    if media == HTML:
        page = resource_page.render_not_found(data, request_language(request), base)
        return HTMLResponse(
            page, status_code=404, headers={**headers, "Content-Security-Policy": CONTENT_SECURITY_POLICY}
        )
    suggestions = data.get("suggestions") or []
    text = f"no resource <{data.get('iri')}> in this dataset\n"
    if suggestions:
        text += "did you mean:\n" + "".join(f"  <{s}>\n" for s in suggestions)  # type: ignore[union-attr]
    return PlainTextResponse(text, status_code=404, headers=headers)

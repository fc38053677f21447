"""``/ldes``: a Linked Data Event Stream (the SEMIC/TREE LDES specification) of the versioned descriptions
of institutions (funders among them: they are organisations), agreements, programmes and events, so that
a portal replicates once and then follows.

- ``/ldes`` is the ``ldes:EventStream``: its members' timestamp (``prov:generatedAtTime``) and
  version-of (``dcterms:isVersionOf``) paths, and its view, the first page.
- ``/ldes/{p}`` is page ``p``, a ``tree:Node``: the members made by versions ``(p-1)·K+1`` to ``p·K``
  (:data:`PAGE_VERSIONS`), one for each resource of those kinds a version added or changed. A member is
  the resource's description right after the version (its memento, :mod:`memento_routes`, whose URL
  is the member's IRI), with the resource's statements on the member, each member's blank nodes its own.
- A page whose versions are all written (a later version exists) is closed: it never changes, is served
  ``immutable`` and links to the next page with a ``tree:GreaterThanOrEqualToRelation`` on the timestamp
  (the time of the next page's first version). The last page is open: ``no-cache``, with an ``ETag``.

Pages are made on request; a closed page is the same each time, so caches keep it for good. A resource
removed whole by a version is not a member of that version's page (the stream has no deletion members).
"""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse, serialize
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from coopgraph import iris
from coopgraph.store.history import History, Version
from server.http import changed_resources, negotiation
from server.http.state import State
from server.http.worker_calls import whole_answer
from server.workers.messages import Describe

#: Versions a page holds.
PAGE_VERSIONS = 20
#: The kinds of resource the stream follows (:data:`coopgraph.search.KINDS`).
FOLLOWED = ("institution", "agreement", "programme", "event")
LDES, TREE = "https://w3id.org/ldes#", "https://w3id.org/tree#"
RDF_TYPE = iris.PREFIXES["rdf"] + "type"
XSD_DATETIME = iris.PREFIXES["xsd"] + "dateTime"
TIMESTAMP = iris.PREFIXES["prov"] + "generatedAtTime"
VERSION_OF = iris.PREFIXES["dcterms"] + "isVersionOf"
OFFERS = ("text/turtle", "application/n-triples")
PREFIXES = {**iris.PREFIXES, "ldes": LDES, "tree": TREE}
IMMUTABLE = "public, max-age=31536000, immutable"


def _stamp(version: Version) -> Literal:
    return Literal(version.time, datatype=NamedNode(XSD_DATETIME))


def _answer(request: Request, triples: list[Triple], headers: dict[str, str]) -> Response:
    media = negotiation.choose(request.headers.get("accept"), OFFERS) or OFFERS[0]
    fmt = RdfFormat.TURTLE if media == "text/turtle" else RdfFormat.N_TRIPLES
    prefixes = PREFIXES if fmt == RdfFormat.TURTLE else None
    body = serialize(triples, format=fmt, prefixes=prefixes)
    return Response(body, media_type=media, headers={"Vary": "Accept", **headers})


def _stream_triples(base: str) -> list[Triple]:
    stream = NamedNode(f"{base}/ldes")
    return [
        Triple(stream, NamedNode(RDF_TYPE), NamedNode(LDES + "EventStream")),
        Triple(stream, NamedNode(LDES + "timestampPath"), NamedNode(TIMESTAMP)),
        Triple(stream, NamedNode(LDES + "versionOfPath"), NamedNode(VERSION_OF)),
        Triple(stream, NamedNode(TREE + "view"), NamedNode(f"{base}/ldes/1")),
    ]


async def event_stream(request: Request) -> Response:
    state: State = request.app.state.coop
    return _answer(request, _stream_triples(state.base_url(request)), {"Cache-Control": "no-cache"})


async def page(request: Request) -> Response:
    state: State = request.app.state.coop
    base = state.base_url(request)
    try:
        number = int(request.path_params["page"])
    except ValueError:
        return PlainTextResponse("a page is a number\n", status_code=404)
    log = History(state.settings.store)
    published = log.published()
    versions = log.versions(published)
    newest = versions[-1].number if versions else 0
    first, last = (number - 1) * PAGE_VERSIONS + 1, number * PAGE_VERSIONS
    if number < 1 or (first > newest and number != 1):
        return PlainTextResponse(f"no page {number}\n", status_code=404)
    held = [v for v in versions if first <= v.number <= last]
    scanned = await run_in_threadpool(changed_resources.scan, log, held)
    kinds = await changed_resources.kinds_of(state, scanned, FOLLOWED)
    if isinstance(kinds, Response):
        return kinds
    node = NamedNode(f"{base}/ldes/{number}")
    triples = [*_stream_triples(base), Triple(node, NamedNode(RDF_TYPE), NamedNode(TREE + "Node"))]
    for change in scanned.changes:
        if change.iri in kinds and change.what != "removed":
            found = await _member(state, base, change.iri, change.version)
            if isinstance(found, Response):
                return found
            triples += found
    closed = newest > last
    if closed:
        following = next(v for v in versions if v.number > last)
        relation = BlankNode()
        triples += [
            Triple(node, NamedNode(TREE + "relation"), relation),
            Triple(relation, NamedNode(RDF_TYPE), NamedNode(TREE + "GreaterThanOrEqualToRelation")),
            Triple(relation, NamedNode(TREE + "node"), NamedNode(f"{base}/ldes/{number + 1}")),
            Triple(relation, NamedNode(TREE + "path"), NamedNode(TIMESTAMP)),
            Triple(relation, NamedNode(TREE + "value"), _stamp(following)),
        ]
        headers = {"Cache-Control": IMMUTABLE, "ETag": f'"ldes-{number}"'}
    else:
        headers = {"Cache-Control": "no-cache", "ETag": f'"{published}-{newest}"'}
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    return _answer(request, triples, headers)


async def _member(state: State, base: str, iri: str, version: Version) -> list[Triple] | Response:
    """The member for ``iri`` at ``version``: its statements then, on the member's own IRI."""
    member = NamedNode(f"{base}/memento/{version.number}/{iri[len(iris.BASE) :]}")
    answered = await whole_answer(
        state,
        Describe(
            iri=iri,
            media_type="application/n-triples",
            max_bytes=state.settings.max_result_bytes,
            incoming_limit=0,
            version=version.number,
        ),
    )
    if isinstance(answered, Response):
        return answered
    reply, body = answered
    if reply.status == 404:
        return []  # nothing said about it then (only statements naming it changed)
    if reply.status != 200:
        return PlainTextResponse((reply.head.error or "error") + "\n", status_code=reply.status)
    resource = NamedNode(iri)
    own: dict[BlankNode, BlankNode] = {}  # each member's blank nodes are its own

    def term(t: object) -> object:
        if t == resource:
            return member
        if isinstance(t, BlankNode):
            return own.setdefault(t, BlankNode())
        return t

    triples = [
        Triple(member, NamedNode(VERSION_OF), resource),
        Triple(member, NamedNode(TIMESTAMP), _stamp(version)),
        Triple(NamedNode(f"{base}/ldes"), NamedNode(TREE + "member"), member),
    ]
    for t in parse(body, format=RdfFormat.N_TRIPLES):
        if t.subject == resource or isinstance(t.subject, BlankNode):
            triples.append(Triple(term(t.subject), t.predicate, term(t.object)))  # type: ignore[arg-type]
    return triples

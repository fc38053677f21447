"""``/fragments``: Triple Pattern Fragments (Linked Data Fragments) with Hydra controls.

``GET /fragments?subject=&predicate=&object=&graph=&page=`` answers one page of the triples matching
the pattern (terms in the TPF *explicit representation*: an IRI as it is, a literal as ``"text"@lang``
or ``"text"^^datatype``; empty or ``?var`` is a variable; a blank node ``_:b``, which names nothing
outside the answer it came in, matches nothing) from the union of the named graphs,
or from one graph with ``graph=``. Each page carries the fragment's metadata (``hydra:totalItems`` and
``void:triples``: exact up to a cap, an estimate beyond), the links to the first, previous and next
pages, and the ``hydra:search`` form (``{?subject,predicate,object}``) clients such as Comunica fill
in. The form of a fragment of one graph keeps its ``graph=``: each named graph is a TPF interface
of its own. TriG keeps the metadata in a graph of its own (``<page#metadata>``, as the LDF server
does); Turtle, N-Triples and JSON-LD hold data and metadata together; browsers get an HTML page with
the form. ``ETag``/``If-None-Match`` as on resource pages (the store generation).
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, serialize
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from coopgraph import iris
from server.http import negotiation
from server.http.conditional import etag, generation_in
from server.http.query_page import CONTENT_SECURITY_POLICY
from server.http.resource_page import Page
from server.http.state import State
from server.http.worker_calls import content_type, query_failure
from server.workers import messages
from server.workers.jsonld import write_dataset
from server.workers.pool import Busy, Expired, WorkerCrashed

PAGE_SIZE = 100
MAX_PAGE = 10_000  #: a deeper page would make the store skip a million matches
HTML = "text/html"
OFFERS = (
    "text/turtle",
    "application/trig",
    HTML,
    "application/ld+json",
    "application/n-triples",
    "application/n-quads",
)
FORMATS = {
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "trig": "application/trig",
    "html": HTML,
    "jsonld": "application/ld+json",
    "json": "application/ld+json",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
}
HYDRA = "http://www.w3.org/ns/hydra/core#"
VOID = iris.PREFIXES["void"]
RDF = iris.PREFIXES["rdf"]
XSD = iris.PREFIXES["xsd"]
PREFIXES = {**iris.PREFIXES, "hydra": HYDRA}
POSITIONS = (("subject", RDF + "subject"), ("predicate", RDF + "predicate"), ("object", RDF + "object"))
_LITERAL = re.compile(r'^"(?P<value>.*)"(?:@(?P<lang>[A-Za-z0-9-]+)|\^\^<?(?P<datatype>[^<>]+)>?)?$', re.S)


class BadPattern(ValueError):
    pass


def parse_term(text: str | None, position: str) -> list[str] | None:
    """A pattern term in the explicit representation, encoded for the worker; None: a variable."""
    if text is None:
        return None
    text = text.strip()
    if not text or text.startswith("?"):
        return None
    if text.startswith("_:"):  # a blank node of another answer: it names nothing here
        return ["bnode", text[2:]]
    try:
        if text.startswith('"'):
            found = _LITERAL.match(text)
            if found is None or position != "object":
                raise BadPattern(f"{position}: a literal stands only in the object position")
            if found["lang"]:
                return messages.encode_term(Literal(found["value"], language=found["lang"]))
            datatype = NamedNode(found["datatype"]) if found["datatype"] else None
            return messages.encode_term(Literal(found["value"], datatype=datatype))
        return messages.encode_term(NamedNode(text.removeprefix("<").removesuffix(">")))
    except ValueError as e:
        if isinstance(e, BadPattern):
            raise
        raise BadPattern(f"{position}: not an IRI or a literal: {text!r} ({e})") from None


def explicit(term: list[str] | None) -> str:
    """A term written back in the explicit representation (a form's value)."""
    if term is None:
        return ""
    kind, value = term[0], term[1]
    if kind == "iri":
        return value
    if kind == "lang":
        return f'"{value}"@{term[2]}'
    if kind == "literal" and len(term) > 2 and term[2] != XSD + "string":
        return f'"{value}"^^{term[2]}'
    return f'"{value}"'


def chosen_media(request: Request) -> str | None:
    name = request.query_params.get("format")
    if name is not None:
        if name.lower() not in FORMATS:
            raise BadPattern(f"unknown format {name!r}; use one of {', '.join(sorted(FORMATS))}")
        return FORMATS[name.lower()]
    return negotiation.choose(request.headers.get("accept"), OFFERS, negotiation.RDF_ALIASES)


def _page_number(request: Request) -> int:
    text = request.query_params.get("page", "1") or "1"
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise BadPattern(f"page: a number from 1 to {MAX_PAGE}")
    return int(text)


class Urls:
    """The addresses a page names: itself, its fragment's other pages, its dataset and search form."""

    def __init__(self, base: str, request: Request, graph: str | None) -> None:
        self.root = base + "/fragments"
        raw = request.scope.get("query_string", b"").decode("latin-1")
        self.page = self.root + ("?" + raw if raw else "")
        self.params = [
            (k, v) for k, v in parse_qsl(raw, keep_blank_values=True) if k not in ("page", "format")
        ]
        self.graph_query = "?graph=" + quote(graph, safe="") if graph else ""
        self.dataset = self.root + self.graph_query + "#dataset"
        joiner = "&" if graph else "?"
        self.template = self.root + self.graph_query + "{" + joiner + "subject,predicate,object}"

    def of_page(self, number: int) -> str:
        params = self.params + ([("page", str(number))] if number > 1 else [])
        return self.root + ("?" + urlencode(params) if params else "")


def _node(term: list[str]) -> Any:
    return messages.decode_term(term)


def has_next(data: dict[str, Any], number: int) -> bool:
    """Whether a page follows this one (past the counting cap, a full page says there may be one)."""
    full = len(data["rows"]) == PAGE_SIZE
    return full and (not data["exact"] or number * PAGE_SIZE < data["count"])


def metadata_quads(urls: Urls, data: dict[str, Any], number: int) -> list[Quad]:
    """The fragment's Hydra and VoID metadata, in the page's metadata graph."""
    page, dataset = NamedNode(urls.page), NamedNode(urls.dataset)
    graph = NamedNode(urls.page + "#metadata")
    count = Literal(str(data["count"]), datatype=NamedNode(XSD + "integer"))
    search = BlankNode()
    triples: list[tuple[Any, str, Any]] = [
        (graph, iris.PREFIXES["foaf"] + "primaryTopic", page),
        (dataset, RDF + "type", NamedNode(VOID + "Dataset")),
        (dataset, RDF + "type", NamedNode(HYDRA + "Collection")),
        (dataset, VOID + "subset", page),
        (dataset, HYDRA + "search", search),
        (search, HYDRA + "template", Literal(urls.template)),
        (search, HYDRA + "variableRepresentation", NamedNode(HYDRA + "ExplicitRepresentation")),
        (page, RDF + "type", NamedNode(HYDRA + "PartialCollectionView")),
        (
            page,
            iris.PREFIXES["dcterms"] + "title",
            Literal("A triple pattern fragment of coopgraph", language="en"),
        ),
        (page, VOID + "triples", count),
        (page, HYDRA + "totalItems", count),
        (page, HYDRA + "itemsPerPage", Literal(str(PAGE_SIZE), datatype=NamedNode(XSD + "integer"))),
        (page, HYDRA + "first", NamedNode(urls.of_page(1))),
    ]
    for name, prop in POSITIONS:
        mapping = BlankNode()
        triples += [
            (search, HYDRA + "mapping", mapping),
            (mapping, HYDRA + "variable", Literal(name)),
            (mapping, HYDRA + "property", NamedNode(prop)),
        ]
    if number > 1:
        triples.append((page, HYDRA + "previous", NamedNode(urls.of_page(number - 1))))
    if has_next(data, number):
        triples.append((page, HYDRA + "next", NamedNode(urls.of_page(number + 1))))
    return [Quad(s, NamedNode(p), o, graph) for s, p, o in triples]


def data_quads(data: dict[str, Any]) -> list[Quad]:
    return [Quad(_node(s), _node(p), _node(o), DefaultGraph()) for s, p, o in data["rows"]]


def rdf_body(media: str, data: list[Quad], metadata: list[Quad], context_url: str) -> bytes:
    if media == "application/ld+json":
        text = io.StringIO()
        write_dataset(text, data + metadata, context_url)
        return text.getvalue().encode("utf-8")
    out = io.BytesIO()
    fmt = RdfFormat.from_media_type(media)
    assert fmt is not None
    prefixes = PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
    if fmt.supports_datasets:
        serialize(data + metadata, out, format=fmt, prefixes=prefixes)
    else:
        serialize(list(dict.fromkeys(q.triple for q in data + metadata)), out, format=fmt, prefixes=prefixes)
    return out.getvalue()


async def fragment(request: Request) -> Response:
    state: State = request.app.state.coop
    headers = {"Vary": "Accept", "Access-Control-Allow-Origin": "*"}
    try:
        media = chosen_media(request)
        pattern = {name: parse_term(request.query_params.get(name), name) for name, _ in POSITIONS}
        graph_term = parse_term(request.query_params.get("graph"), "graph")
        if graph_term is not None and graph_term[0] != "iri":
            raise BadPattern("graph: the IRI of a named graph")
        number = _page_number(request)
    except BadPattern as e:
        return PlainTextResponse(f"{e}\n", status_code=400, headers=headers)
    if media is None:
        return PlainTextResponse(
            "accept one of " + ", ".join(OFFERS) + "\n", status_code=406, headers=headers
        )
    graph = graph_term[1] if graph_term else None
    base = state.base_url(request)
    urls = Urls(base, request, graph)
    variant = hashlib.sha256(f"{media}|{urls.page}".encode()).hexdigest()[:12]
    message = messages.Fragment(
        subject=pattern["subject"],
        predicate=pattern["predicate"],
        object=pattern["object"],
        graph=graph,
        offset=(number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
        unless_generation=generation_in(request.headers.get("if-none-match"), variant),
    )
    timeout = state.settings.query_timeout
    try:
        reply = await state.queries.call(message, timeout)
    except (Busy, Expired, WorkerCrashed) as e:
        return query_failure(e, timeout)
    generation = reply.head.generation or ""
    headers.update({"ETag": etag(generation, variant), "Cache-Control": "no-cache"})
    if reply.status == 304:
        return Response(status_code=304, headers=headers)
    if reply.status != 200 or reply.body is None:
        return PlainTextResponse((reply.head.error or "error") + "\n", status_code=reply.status or 500)
    data = json.loads(reply.body)
    metadata = metadata_quads(urls, data, number)
    if media == HTML:
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        page = render(urls, data, number, pattern, graph, base)
        return HTMLResponse(page, headers=headers)
    body = rdf_body(media, data_quads(data), metadata, base + "/context.jsonld")
    return Response(body, media_type=content_type(media), headers=headers)


def render(
    urls: Urls,
    data: dict[str, Any],
    number: int,
    pattern: dict[str, list[str] | None],
    graph: str | None,
    base: str,
) -> str:
    """The fragment for people: the form, the count, the triples (linked) and the pages around."""
    esc = html.escape
    page = Page({"labels": {}, "sources": {}}, "en", base)

    def shown(term: list[str]) -> str:
        if term[0] == "iri":
            return page.link(term[1])
        if term[0] == "bnode":
            return "<code>_:" + esc(term[1]) + "</code>"
        return "<code>" + esc(explicit(term)) + "</code>"

    fields = "".join(
        f'<label>{name} <input name="{name}" value="{esc(explicit(pattern[name]))}" size="40"></label> '
        for name, _ in POSITIONS
    )
    fields += f'<label>graph <input name="graph" value="{esc(graph or "")}" size="40"></label> '
    rows = "".join(
        f"<tr><td>{shown(s)}</td><td>{shown(p)}</td><td>{shown(o)}</td></tr>" for s, p, o in data["rows"]
    )
    about = "" if data["exact"] else "about "
    links = [f'<a href="{esc(urls.of_page(number - 1))}" rel="prev">previous</a>'] if number > 1 else []
    if has_next(data, number):
        links.append(f'<a href="{esc(urls.of_page(number + 1))}" rel="next">next</a>')
    own = urls.of_page(number)
    joiner = "&" if "?" in own else "?"
    formats = " ".join(
        f'<a href="{esc(own)}{joiner}format={n}">{n}</a>' for n in ("ttl", "trig", "jsonld", "nt")
    )
    first = (number - 1) * PAGE_SIZE + 1
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Triple pattern fragments — coopgraph</title>"
        f'<link rel="stylesheet" href="{esc(base)}/static/ui/pages.css">'
        f'<link rel="describedby" href="{esc(base)}/.well-known/void"></head><body>'
        f'<p><a href="{esc(base)}/">coopgraph</a> · <a href="{esc(base)}/query">query</a> · '
        f'<a href="{esc(base)}/.well-known/void">dataset description</a></p>'
        "<h1>Triple pattern fragments</h1>"
        "<p>The triples matching a pattern, a page at a time, for Linked Data Fragments clients "
        '(Comunica). An IRI as it is; a literal as <code>"text"@en</code> or '
        '<code>"2020"^^http://www.w3.org/2001/XMLSchema#gYear</code>; empty for any.</p>'
        f'<form method="get" action="{esc(urls.root)}" class="fragment-form">{fields}'
        "<button>Find</button></form>"
        f'<p class="fragment-count">{about}{data["count"]:,} matching triple(s); '
        f"{first if data['rows'] else 0}–{first + len(data['rows']) - 1 if data['rows'] else 0} shown. "
        f"{' · '.join(links)}</p>"
        '<table class="fragment"><tr><th>subject</th><th>predicate</th><th>object</th></tr>'
        f"{rows}</table><p>As {formats}</p></body></html>"
    )


def fragment_link(base: str, **pattern: str) -> str:
    """The address of a fragment, for pages that link to one (empty positions left out)."""
    params = {k: v for k, v in pattern.items() if v}
    return base + "/fragments" + ("?" + urlencode(params) if params else "")

"""The SPARQL 1.1 Service Description: ``GET /sparql`` without a query (browsers get the query page)."""

from __future__ import annotations

import rdflib
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from coopgraph import iris
from coopgraph.settings import Settings
from server.http import negotiation
from server.http.query_page import query_page
from server.http.state import State

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

_RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "N-Quads",
    "TriG",
    "RDF_XML",
    "JSON-LD",
)
_RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    # one graph: its Turtle is TriG, its N-Triples are N-Quads (rdflib's own writers need a dataset)
    "application/trig": "turtle",
    "application/n-quads": "nt",
}


#: This server's limits, as properties of the service (``limit:workerMemoryBytes 4294967296``).
LIMIT = Namespace(iris.BASE + "service/limit#")
#: The settings each limit reports (0 for a cap that is off).
LIMITS = {
    "queryTimeout": "query_timeout",
    "maxResultBytes": "max_result_bytes",
    "maxBodyBytes": "max_body_bytes",
    "maxNestingDepth": "max_nesting_depth",
    "workerMemoryBytes": "worker_memory_bytes",
    "maxClientQueries": "client_queries",
    "maxConnections": "max_connections",
}


SH = Namespace("http://www.w3.org/ns/shacl#")

_UNION = (
    "The union of all graphs (the store's own default graph and every named graph, the catalogue left out "
    "unless the query names it). The Graph Store Protocol's ?default names the store's own default graph, "
    "which is not this union."
)
_STRICT = (
    "The store's own default graph, as the Graph Store Protocol's ?default names it. The graphs coopgraph "
    "maintains itself (ontology, vocabularies, shapes, catalogue) are named graphs of a query's dataset "
    "only when the query names them."
)


def _prefixes(g: rdflib.Graph, service: URIRef) -> None:
    """The prefixes of minted resources, one per type (``inst:``, ``agr:``…), as SHACL declarations."""
    for prefix, namespace in sorted(iris.RESOURCE_PREFIXES.items()):
        g.bind(prefix, namespace)
        declaration = BNode()
        g.add((service, SH.declare, declaration))
        g.add((declaration, SH.prefix, Literal(prefix)))
        g.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))


def graph(endpoint: str, update: str | None, settings: Settings | None = None) -> rdflib.Graph:
    """The description of the query service at ``endpoint`` and, when writes are on, of the update service
    at ``update``: what each speaks, the formats, the default graph, the limits."""
    settings = settings or Settings()
    g = rdflib.Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("limit", LIMIT)
    g.bind("sh", SH)
    service = URIRef(endpoint + "#service")
    for name, setting in LIMITS.items():
        g.add((service, LIMIT[name], Literal(getattr(settings, setting))))
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint)))
    g.add((service, RDFS.label, Literal("coopgraph SPARQL query endpoint", lang="en")))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    features = ("EmptyGraphs",) if settings.strict_dataset else ("UnionDefaultGraph", "EmptyGraphs")
    for feature in features:
        g.add((service, SD.feature, SD[feature]))
    for name in _RESULT_FORMATS:
        g.add((service, SD.resultFormat, FORMATS[name]))
    dataset = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDFS.comment, Literal(_STRICT if settings.strict_dataset else _UNION, lang="en")))
    conforms = URIRef(iris.PREFIXES["dcterms"] + "conformsTo")
    g.add((service, conforms, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    _prefixes(g, service)
    if update is not None:
        writer = URIRef(update + "#service")
        g.add((writer, RDF.type, SD.Service))
        g.add((writer, SD.endpoint, URIRef(update)))
        g.add((writer, RDFS.label, Literal("coopgraph SPARQL update endpoint (bearer token)", lang="en")))
        g.add((writer, SD.supportedLanguage, SD.SPARQL11Update))
        g.add((writer, SD.defaultDataset, dataset))
        g.add((writer, conforms, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
        for name in ("Turtle", "N-Triples", "N-Quads", "TriG", "RDF_XML", "JSON-LD"):
            g.add((writer, SD.inputFormat, FORMATS[name]))
        for name in ("maxBodyBytes", "maxNestingDepth"):
            g.add((writer, LIMIT[name], Literal(getattr(settings, LIMITS[name]))))
    return g


async def describe(request: Request, state: State) -> Response:
    accept = request.headers.get("accept")
    if negotiation.prefers_html(accept):  # a browser: the query page, on the same URL
        return await query_page(request)
    media = negotiation.choose(accept, negotiation.RDF, negotiation.RDF_ALIASES)
    if media is None:
        return PlainTextResponse(
            "the service description is RDF; accept one of " + ", ".join(negotiation.RDF) + "\n",
            status_code=406,
        )
    update = state.base_url(request, "/update") if state.writes is not None else None
    body = graph(state.base_url(request, "/sparql"), update, state.settings).serialize(
        format=_RDFLIB_FORMATS[media]
    )
    return Response(body, media_type=media + "; charset=utf-8", headers={"Vary": "Accept"})

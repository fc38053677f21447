"""The SPARQL 1.1 Service Description: ``GET /sparql`` without a query (browsers get the query page)."""

from __future__ import annotations

import rdflib
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, VOID
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
    "application/trig": "trig",
    "application/n-quads": "nquads",
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


def graph(endpoint: str, update: str | None, settings: Settings | None = None) -> rdflib.Graph:
    g = rdflib.Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("limit", LIMIT)
    service = URIRef(endpoint + "#service")
    for name, setting in LIMITS.items() if settings is not None else ():
        g.add((service, LIMIT[name], Literal(getattr(settings, setting))))
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint)))
    g.add((service, RDFS.label, Literal("coopgraph SPARQL endpoint", lang="en")))
    for language in ("SPARQL11Query",) + (("SPARQL11Update",) if update else ()):
        g.add((service, SD.supportedLanguage, SD[language]))
    for feature in ("UnionDefaultGraph", "BasicFederatedQuery", "EmptyGraphs"):
        g.add((service, SD.feature, SD[feature]))
    for name in _RESULT_FORMATS:
        g.add((service, SD.resultFormat, FORMATS[name]))
    for name in ("Turtle", "N-Triples", "N-Quads", "TriG", "RDF_XML", "JSON-LD"):
        g.add((service, SD.inputFormat, FORMATS[name]))
    dataset = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDFS.comment, Literal("The union of all named graphs.", lang="en")))
    g.add(
        (
            service,
            URIRef(iris.PREFIXES["dcterms"] + "conformsTo"),
            URIRef("https://www.w3.org/TR/sparql11-protocol/"),
        )
    )
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

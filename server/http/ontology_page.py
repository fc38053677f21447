"""``/ontology``: the ontology for people (HTML documentation) and for programs (Turtle, JSON-LD, ...),
and ``/context.jsonld``, the JSON-LD context partner portals compact with.

The page is generated from ``ontology/`` and ``ontology/vocabularies/`` (the files the store is
initialised from), once per language, and cached: it changes only with a new release.
"""

from __future__ import annotations

from functools import lru_cache

import rdflib
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from coopgraph.settings import PROJECT_ROOT
from server.http import negotiation
from server.http.ontology_docs import render_ontology_html

ONTOLOGY = PROJECT_ROOT / "ontology"
CONTEXT = ONTOLOGY / "context.jsonld"
LANGUAGES = ("en", "vi", "fr")
#: rdflib serialiser names of the RDF media types the ontology is offered in.
RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


@lru_cache(maxsize=1)
def _ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted(ONTOLOGY.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=1)
def _vocabularies() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted((ONTOLOGY / "vocabularies").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=len(LANGUAGES))
def _page(lang: str) -> str:
    return render_ontology_html(_ontology(), _vocabularies(), lang=lang)


@lru_cache(maxsize=len(RDFLIB_FORMATS))
def _rdf(media: str) -> bytes:
    return _ontology().serialize(format=RDFLIB_FORMATS[media], encoding="utf-8")


def request_language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked:
        return asked if asked in LANGUAGES else "en"
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "en"


async def ontology(request: Request) -> Response:
    headers = {"Vary": "Accept, Accept-Language"}
    html = "text/html"
    offered = [html, *RDFLIB_FORMATS]
    media = negotiation.choose(request.headers.get("accept"), offered, {})
    if media is None:
        return PlainTextResponse(
            "none of the Accept header's types is offered; accept one of " + ", ".join(offered) + "\n",
            status_code=406,
            headers=headers,
        )
    if media == html:
        return HTMLResponse(_page(request_language(request)), headers=headers)
    return Response(_rdf(media), media_type=f"{media}; charset=utf-8", headers=headers)


async def context(request: Request) -> Response:
    return FileResponse(
        CONTEXT, media_type="application/ld+json", headers={"Access-Control-Allow-Origin": "*"}
    )

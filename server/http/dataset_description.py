"""``/.well-known/void``: the dataset described in VoID and DCAT-AP (licence, publisher, modified, the
triples of each graph, example resources, the SPARQL endpoint, the dumps, the vocabularies used), and
``/sitemap.xml``, every resource page for crawlers.

Both are SPARQL queries run by a query worker over the catalogue (the front never reads the store).
"""

from __future__ import annotations

import html
import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from coopgraph import iris
from server.http import negotiation, void_page
from server.http.guard import CONTENT_SECURITY_POLICY
from server.http.state import State
from server.http.worker_calls import answer_query, whole_answer
from server.workers.dumps import WHOLE
from server.workers.messages import Query

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
DESCRIPTION = (
    "A knowledge graph of international cooperation in education: institutions, agreements, funders,"
    " programmes and the source of every fact."
)
#: The vocabularies the data is written in (void:vocabulary).
VOCABULARIES = ("cg", "org", "prov", "schema", "skos", "dcterms", "time", "foaf", "dcat", "void", "spdx")
COMPRESSED = "http://www.iana.org/assignments/media-types/application/gzip"
#: Example resources: a few of each main class.
EXAMPLE_CLASSES = ("University", "Agreement", "Network", "Conference")
SITEMAP_LIMIT = 50000  #: the sitemap protocol's limit of addresses per file

_DESCRIPTION = """CONSTRUCT {{
  <{dataset}> a void:Dataset, dcat:Dataset ;
    dcterms:title "coopgraph"@en, "coopgraph"@vi, "coopgraph"@fr ;
    dcterms:description "{description}"@en ;
    dcterms:license <{licence}> ;
    dcterms:publisher {publisher} ;
    dcterms:modified ?modified ;
    void:triples ?total ;
    void:uriSpace "{resources}" ;
    void:sparqlEndpoint <{base}/sparql> ;
    dcat:landingPage <{base}/> ;
    void:exampleResource ?example ;
    void:vocabulary ?vocabulary ;
    void:subset ?graph ;
    {dumps}
  {publisher} a foaf:Organization ; foaf:name "coopgraph contributors" .
  ?graph a void:Dataset ; void:triples ?triples ; dcterms:modified ?loaded ; dcterms:type ?role .
  {distributions}
}} WHERE {{
  {{ GRAPH <{catalog}> {{ ?graph void:triples ?triples ; dcterms:modified ?loaded ; dcterms:type ?role }} }}
  UNION {{ SELECT (MAX(?m) AS ?modified) (SUM(?n) AS ?total) WHERE {{
      GRAPH <{catalog}> {{ ?any void:triples ?n ; dcterms:modified ?m }} }} }}
  UNION {{ SELECT ?example WHERE {{ VALUES ?class {{ {classes} }} {{ SELECT ?class (SAMPLE(?s) AS ?example)
      WHERE {{ ?s a ?class }} GROUP BY ?class }} }} }}
  UNION {{ VALUES ?vocabulary {{ {vocabularies} }} }}
}}"""
_SITEMAP = """SELECT DISTINCT ?s WHERE {{
  GRAPH ?g {{ ?s a ?type }}
  FILTER (isIRI(?s) && (STRSTARTS(STR(?s), "{id}") || STRSTARTS(STR(?s), "{vocab}")))
}} LIMIT {limit}"""


def description_query(base: str) -> str:
    publisher = f"<{base}/.well-known/void#publisher>"
    dumps, distributions = [], []
    for name, (media, _) in WHOLE.items():
        url = f"{base}/dumps/{name}"
        dumps.append(f"void:dataDump <{url}> ; dcat:distribution <{url}>")
        distributions.append(
            f'<{url}> a dcat:Distribution ; dcat:downloadURL <{url}> ; dcat:mediaType "{media}" ; '
            f"dcat:compressFormat <{COMPRESSED}> ; dcterms:license <{LICENCE}> ."
        )
    text = _DESCRIPTION.format(
        dataset=base + "/.well-known/void#dataset",
        description=DESCRIPTION,
        licence=LICENCE,
        publisher=publisher,
        resources=iris.RESOURCE,
        base=base,
        dumps=" ;\n    ".join(dumps) + " .",
        distributions="\n  ".join(distributions),
        catalog=iris.CATALOG_GRAPH,
        classes=" ".join(f"cg:{c}" for c in EXAMPLE_CLASSES),
        vocabularies=" ".join(f"<{iris.PREFIXES[p]}>" for p in VOCABULARIES),
    )
    return iris.sparql_prologue() + text


async def void(request: Request) -> Response:
    """The dataset description, in the RDF format negotiated (Turtle by default)."""
    state: State = request.app.state.coop
    name = request.query_params.get("format")
    if name == "html" or (name is None and negotiation.prefers_html(request.headers.get("accept"))):
        return await _void_page(request, state)
    if name is not None:
        media = dict(negotiation.FORMAT_NAMES).get(name, (None, None))[1]
    else:
        media = negotiation.choose(request.headers.get("accept"), negotiation.RDF, negotiation.RDF_ALIASES)
    if media is None:
        return PlainTextResponse(
            "accept one of " + ", ".join(negotiation.RDF) + "\n", status_code=406, headers={"Vary": "Accept"}
        )
    query = Query(
        query=description_query(state.base_url(request)),
        max_bytes=state.settings.max_result_bytes,
        rdf_type=media,
    )
    response = await answer_query(state, query, head_only=request.method == "HEAD")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


async def _void_page(request: Request, state: State) -> Response:
    """The description as an HTML page, for browsers."""
    base = state.base_url(request)
    query = Query(
        query=description_query(base),
        max_bytes=state.settings.max_result_bytes,
        rdf_type="application/n-triples",
    )
    answered = await whole_answer(state, query)
    if isinstance(answered, Response):
        return answered
    reply, body = answered
    if reply.status != 200:
        return PlainTextResponse((reply.head.error or "error") + "\n", status_code=reply.status)
    headers = {"Vary": "Accept", "Content-Security-Policy": CONTENT_SECURITY_POLICY}
    return HTMLResponse(void_page.render(body, base), headers=headers)


async def sitemap(request: Request) -> Response:
    """Every resource page, for crawlers (the sitemap protocol, at most 50,000 addresses)."""
    state: State = request.app.state.coop
    query = Query(
        query=_SITEMAP.format(id=iris.RESOURCE, vocab=iris.VOCAB, limit=SITEMAP_LIMIT),
        max_bytes=state.settings.max_result_bytes,
        results_type="application/sparql-results+json",
    )
    answered = await whole_answer(state, query)
    if isinstance(answered, Response):
        return answered
    reply, body = answered
    if reply.status != 200:
        return PlainTextResponse((reply.head.error or "error") + "\n", status_code=reply.status)
    base = state.base_url(request)
    rows = json.loads(body)["results"]["bindings"]
    urls = sorted(base + "/" + row["s"]["value"][len(iris.BASE) :] for row in rows)
    text = "".join(f"<url><loc>{html.escape(url)}</loc></url>\n" for url in urls)
    return Response(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + text + "</urlset>\n",
        media_type="application/xml; charset=utf-8",
    )

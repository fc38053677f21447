"""``/``: the home page, for people: what the dataset holds (resources counted by kind), a search box
that suggests as one types (``static/ui/suggest.js`` on ``/search``), and the ways in: the query
editor, saved queries, dumps, fragments, the ontology, the dataset description.

The counts are one SPARQL query run by a query worker (the front never reads the store).
"""

from __future__ import annotations

import html
import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from coopgraph import iris
from coopgraph.search import KINDS
from coopgraph.search.kinds import FUNDER_PROPERTIES
from server.http.query_page import CONTENT_SECURITY_POLICY
from server.http.state import State
from server.http.worker_calls import whole_answer
from server.workers.messages import Query

RDFS_SUBCLASS = iris.PREFIXES["rdfs"] + "subClassOf"
#: The ways into the dataset, in the order the page lists them: (path, name, what it is for).
LINKS = (
    ("/query", "Query editor", "SPARQL 1.1 on the whole dataset, in the browser"),
    ("/queries", "Saved queries", "documented questions, each a URL that answers in JSON, CSV or HTML"),
    ("/search", "Search", "any resource by name, in any language, with or without accents"),
    ("/fragments", "Triple pattern fragments", "for Linked Data Fragments clients such as Comunica"),
    ("/dumps/", "Dumps", "the whole dataset as gzipped N-Quads, TriG and JSON-LD"),
    ("/ontology", "Ontology", "the classes and properties the data is written in"),
    ("/.well-known/void", "Dataset description", "VoID and DCAT-AP: licence, graphs, sizes"),
    ("/reconcile", "Reconciliation service", "match a spreadsheet's names against the graph"),
    ("/docs", "HTTP API", "every route of this server (OpenAPI)"),
)


def counts_query() -> str:
    """Resources of each kind the search knows (a class, or its subclasses; funders by their role)."""
    values = " ".join(f'("{kind.name}" <{cls}>)' for kind in KINDS.values() for cls in kind.classes)
    funders = "|".join(f"<{p}>" for p in FUNDER_PROPERTIES)
    return (
        "SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {\n"
        f"  {{ VALUES (?kind ?class) {{ {values} }} ?s a/<{RDFS_SUBCLASS}>* ?class FILTER isIRI(?s) }}\n"
        f'  UNION {{ BIND ("funder" AS ?kind) ?x {funders} ?s FILTER isIRI(?s) }}\n'
        "} GROUP BY ?kind"
    )


async def _counts(state: State) -> dict[str, int] | Response:
    query = Query(
        query=counts_query(),
        max_bytes=state.settings.max_result_bytes,
        results_type="application/sparql-results+json",
    )
    answered = await whole_answer(state, query)
    if isinstance(answered, Response):
        return answered
    reply, body = answered
    if reply.status != 200:
        return PlainTextResponse((reply.head.error or "error") + "\n", status_code=reply.status)
    rows = json.loads(body)["results"]["bindings"]
    return {row["kind"]["value"]: int(row["n"]["value"]) for row in rows}


def render(counts: dict[str, int], base: str) -> str:
    esc = html.escape
    items = []
    for kind in KINDS.values():
        number = f"{counts.get(kind.name, 0):,}"
        items.append(
            f'<tr data-kind="{esc(kind.name)}"><th scope="row">{esc(kind.label)}</th>'
            f'<td class="count">{number}</td><td>{esc(kind.description)}</td></tr>'
        )
    links = "".join(
        f'<li><a href="{esc(base + path)}">{esc(name)}</a> — {esc(what)}</li>' for path, name, what in LINKS
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>coopgraph — international cooperation in education</title>"
        '<link rel="icon" href="data:,">'
        f'<link rel="stylesheet" href="{esc(base)}/static/ui/pages.css">'
        f'<link rel="stylesheet" href="{esc(base)}/static/ui/suggest.css">'
        f'<link rel="describedby" href="{esc(base)}/.well-known/void"></head><body>'
        "<h1>coopgraph</h1>"
        "<p>A knowledge graph of international cooperation in education: the institutions, the "
        "agreements they sign, the funders and programmes behind their projects, and the source of "
        "every fact.</p>"
        f'<form method="get" action="{esc(base)}/search" role="search" class="cg-search">'
        '<label for="cg-q">Find</label> '
        '<input type="search" id="cg-q" name="q" autocomplete="off" size="40" '
        'placeholder="ha long, Đại học Quốc gia Hà Nội, VNU, 清华大学…" '
        f'data-suggest="{esc(base)}/search" data-iri-base="{esc(iris.BASE)}" data-site="{esc(base)}/">'
        '<input type="hidden" name="format" value="html"> <button>Search</button></form>'
        "<h2>What the dataset holds</h2>"
        '<table class="cg-counts"><tr><th>kind</th><th>resources</th><th></th></tr>'
        f"{''.join(items)}</table>"
        f'<h2>Ways in</h2><ul class="cg-ways">{links}</ul>'
        f'<script src="{esc(base)}/static/ui/suggest.js"></script>'
        "</body></html>"
    )


async def home(request: Request) -> Response:
    state: State = request.app.state.coop
    counts = await _counts(state)
    if isinstance(counts, Response):
        return counts
    return HTMLResponse(
        render(counts, state.base_url(request)),
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )

"""The picture of a resource's neighbourhood on its page: the resource, the resources it names and
those that name it, and the organisations those name in turn (an institution's agreements and, beyond
them, its partners and funders), drawn in the browser by cytoscape (vendored,
``server/static/vendor/cytoscape/``).

The page carries the picture's data as JSON in a ``<script type="application/json">`` block (data, not
code: the Content-Security-Policy's ``script-src 'self'`` holds) and ``static/ui/network.js`` draws
it; each node links to its page. Only the project's resources (``/id/…``) are drawn: vocabulary
concepts and graphs would crowd the picture without saying who cooperates with whom.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from coopgraph import iris
from server.http.query_page import script_json

if TYPE_CHECKING:
    from server.http.resource_page import Page

#: Links that name where a fact comes from, not whom a resource works with.
NOT_DRAWN = frozenset({iris.PREFIXES["dcterms"] + "source", iris.PREFIXES["prov"] + "wasDerivedFrom"})
#: Neighbours drawn at most (the statements table lists them all).
MAX_NEIGHBOURS = 60
#: Organisations of the second ring drawn at most.
MAX_SECOND_RING = 40
LABEL_CHARS = 40


def _is_resource(iri: str) -> bool:
    return iri.startswith(iris.RESOURCE)


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def network_data(page: Page) -> dict[str, Any]:
    """Nodes (id, label, href, whether it is the page's resource, its ring: 0 the resource, 1 its
    neighbours, 2 the organisations they name) and edges (source, target, label)."""
    data = page.data
    centre = data["iri"]
    edges: dict[tuple[str, str, str], None] = {}
    for row in data["outgoing"]:
        target = row[2][1] if row[2][0] == "iri" else ""
        if (
            row[0] == ["iri", centre]
            and row[1] not in NOT_DRAWN
            and _is_resource(target)
            and target != centre
        ):
            edges[(centre, target, row[1])] = None
    for row in data["incoming"]:
        source = row[0][1] if row[0][0] == "iri" else ""
        if row[1] not in NOT_DRAWN and _is_resource(source) and source != centre:
            edges[(source, centre, row[1])] = None
    neighbours: list[str] = []
    for source, target, _ in edges:
        other = target if source == centre else source
        if other not in neighbours:
            neighbours.append(other)
    first = neighbours[:MAX_NEIGHBOURS]
    drawn = set(first) | {centre}
    # the second ring: the organisations the neighbours name (an agreement's other parties, funders)
    second: list[str] = []
    for neighbour, predicate, organisation in data.get("ring", []):
        if neighbour in drawn and predicate not in NOT_DRAWN and organisation != centre:
            edges[(neighbour, organisation, predicate)] = None
            if organisation not in drawn and organisation not in second:
                second.append(organisation)
    second = second[:MAX_SECOND_RING]
    drawn |= set(second)
    nodes = [
        {
            "id": iri,
            "label": _short(page.label(iri)[0]),
            "href": page.href(iri) or "",
            "centre": iri == centre,
            "ring": 0 if iri == centre else 1 if iri in first else 2,
        }
        for iri in [centre, *first, *second]
    ]
    links = [
        {"source": s, "target": t, "label": _short(page.label(p)[0])}
        for s, t, p in edges
        if s in drawn and t in drawn
    ]
    return {"nodes": nodes, "edges": links, "more": max(0, len(neighbours) - MAX_NEIGHBOURS)}


def network_section(page: Page) -> str:
    """The picture's section of the page, or nothing when the resource has no neighbour to draw."""
    data = network_data(page)
    if len(data["nodes"]) < 2:
        return ""
    base, title = html.escape(page.base), html.escape(page.text["network"])
    return (
        f'<h2 id="network">{title}</h2>'
        f'<div id="cg-network" class="cg-network" role="img" aria-label="{title}"></div>'
        f'<script type="application/json" id="cg-network-data">{script_json(data)}</script>'
        f'<script src="{base}/static/vendor/cytoscape/cytoscape.min.js"></script>'
        f'<script src="{base}/static/ui/network.js"></script>'
    )

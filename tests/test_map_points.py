"""The map view by coordinates, in a real headless Chromium: cities (and any place with WGS84
coordinates in the data, ``geo:lat`` and ``geo:long``, or a WKT point as ``geo:asWKT`` and the Wikidata
Query Service give them) drawn as points on the bundled world outline, one point per place.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from tests.conftest import Server
from tests.test_result_views import _screenshot
from tests.test_ui import DevTools, _assert_stayed_home, _open_page, browser, needs_chromium

__all__ = ["browser"]

JSON = "application/sparql-results+json"
PREFIXES = (
    "PREFIX cg: <https://w3id.org/coopgraph/ontology#>\n"
    "PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>\n"
    "PREFIX schema: <http://schema.org/>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
)
#: Every city with coordinates, and how many organisations the data seats there.
CITIES = (
    "#defaultView:Map\n"
    + PREFIXES
    + "SELECT ?city ?name ?lat ?long (COUNT(?org) AS ?organisations) WHERE {\n"
    "  ?city a schema:City ; geo:lat ?lat ; geo:long ?long .\n"
    '  OPTIONAL { ?city skos:prefLabel ?name FILTER (LANG(?name) = "en") }\n'
    "  OPTIONAL { ?org cg:city ?city }\n"
    "} GROUP BY ?city ?name ?lat ?long"
)
#: The same places as WKT points, as the Wikidata Query Service writes coordinates.
CITIES_WKT = (
    "#defaultView:Map\n" + PREFIXES + "SELECT ?city ?where WHERE {\n"
    "  ?city a schema:City ; geo:lat ?lat ; geo:long ?long .\n"
    '  BIND (STRDT(CONCAT("Point(", STR(?long), " ", STR(?lat), ")"), '
    "<http://www.opengis.net/ont/geosparql#wktLiteral>) AS ?where)\n"
    "}"
)
POINTS = ".yasr .cg-view svg .mark-symbol[class*='points'] path"
OUTLINE = ".yasr .cg-view svg .mark-shape path"


def _places(server: Server, query: str) -> set[tuple[str, str]]:
    rows = requests.post(
        server.url + "/sparql", data={"query": query}, headers={"Accept": JSON}, timeout=30
    ).json()["results"]["bindings"]
    return {(r["lat"]["value"], r["long"]["value"]) for r in rows}


def test_the_seed_cities_have_coordinates_from_a_recorded_source(server: Server) -> None:
    """Every city organisations are seated in (cg:city) has coordinates, taken from a register."""
    query = PREFIXES + (
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "SELECT DISTINCT ?city ?lat ?register WHERE {\n"
        "  ?org cg:city ?city .\n"
        "  OPTIONAL { GRAPH ?g { ?city geo:lat ?lat } ?g dcterms:source/dcterms:source ?register }\n"
        "}"
    )
    rows = requests.post(
        server.url + "/sparql", data={"query": query}, headers={"Accept": JSON}, timeout=30
    ).json()["results"]["bindings"]
    assert rows
    assert all("lat" in r for r in rows), [r["city"]["value"] for r in rows if "lat" not in r]
    assert {r["register"]["value"] for r in rows} == {"https://w3id.org/coopgraph/id/source/wikidata"}


def _draw(browser: DevTools, query: str) -> int:
    browser.evaluate(
        "(() => { const tab = window.coopgraphYasgui.getTab();"
        f" tab.setQuery({json.dumps(query)}); tab.query(); }})()"
    )
    browser.wait_for(f"document.querySelectorAll({json.dumps(OUTLINE)}).length > 100")
    return browser.wait_for(f"document.querySelectorAll({json.dumps(POINTS)}).length")


@needs_chromium
@pytest.mark.parametrize("query", [CITIES, CITIES_WKT], ids=["lat-long", "wkt"])
def test_the_map_draws_one_point_per_place_on_the_world_outline(
    server: Server, browser: DevTools, tmp_path: Path, query: str
) -> None:
    places = _places(server, CITIES)
    assert len(places) >= 4  # Asahikawa, Kitami, Beijing, Hanoi at least
    _open_page(browser, server.url + "/query")
    assert _draw(browser, query) == len(places)
    assert browser.evaluate("window.coopgraphYasgui.getTab().getYasr().selectedPlugin") == "map"
    # each point is its place, where its coordinates say, linking to the place's page: Beijing's to
    # the north-east of Hanoi's on the drawing (x grows eastwards, y southwards)
    drawn = browser.evaluate(
        """(() => { const found = {};
            const walk = mark => { (mark.items || []).forEach(item => {
              if ((mark.name || '').startsWith('points')) found[item.datum.href] = [item.x, item.y];
              (item.items || []).forEach(walk); }); };
            walk(document.querySelector('.yasr .cg-view').cgVegaView.scenegraph().root);
            return found; })()"""
    )
    assert len(drawn) == len(places)
    beijing, hanoi = drawn["/vocab/city/beijing"], drawn["/vocab/province/ha-noi"]
    assert beijing[0] > hanoi[0] and beijing[1] < hanoi[1], drawn
    _screenshot(browser, tmp_path, "map-points-" + ("wkt" if "wkt" in query.lower() else "lat-long"))
    _assert_stayed_home(browser, server)

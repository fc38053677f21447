"""A resource that many statements point at (an article every record cites), on a real server.

Its page counts the incoming links up to a cap, lists the first of them and links to all of them as
a triple pattern fragment; the pages of the nodes that cite it, and the RDF of the hub itself, stay
what they were.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
import requests

from server.http.resources import PAGE_INCOMING, PAGE_INCOMING_COUNT_CAP, RDF_INCOMING
from tests.conftest import Server, start_server

BASE = "https://w3id.org/coopgraph/"
HUB = BASE + "id/article/hub-test"
#: a hub past the count cap, and a smaller one that the page counts exactly
CITING, SMALL_CITING = PAGE_INCOMING_COUNT_CAP + 50, PAGE_INCOMING + 20
SMALL_HUB = BASE + "id/article/small-hub-test"
SOURCE = "http://purl.org/dc/terms/source"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _citing(i: int) -> str:
    return f"{BASE}id/organization/hub-citing-{i}"


def _graph_text() -> str:
    lines = [f'<{HUB}> <{LABEL}> "The article everyone cites"@en .']
    lines.append(f'<{SMALL_HUB}> <{LABEL}> "A smaller article"@en .')
    for i in range(CITING):
        lines.append(f"<{_citing(i)}> <{SOURCE}> <{HUB}> .")
        lines.append(f'<{_citing(i)}> <{LABEL}> "Citing organisation {i}"@en .')
    for i in range(SMALL_CITING):
        lines.append(f"<{_citing(i)}> <{SOURCE}> <{SMALL_HUB}> .")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def hub_server(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> Iterator[Server]:
    store = tmp_path_factory.mktemp("hub") / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    running = start_server(store)
    try:
        stored = requests.put(
            running.url + "/graphs",
            params={"graph": BASE + "graph/data/test/hub.nt"},
            data=_graph_text().encode(),
            headers={"Content-Type": "application/n-triples", **running.auth},
            timeout=300,
        )
        assert stored.status_code in (200, 201, 204), stored.text
        yield running
    finally:
        running.stop()


def _page(server: Server, iri: str, **params: str) -> str:
    answer = requests.get(
        server.url + "/" + iri[len(BASE) :], params=params, headers={"Accept": "text/html"}, timeout=60
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def _incoming_table(page: str) -> str:
    return page.split('<table class="statements incoming">', 1)[1].split("</table>", 1)[0]


def test_a_hub_page_shows_a_capped_count_and_the_first_links(hub_server: Server) -> None:
    page = _page(hub_server, HUB)
    assert f"Referred to by ({PAGE_INCOMING_COUNT_CAP:,}+)" in page  # more than the cap: a lower bound
    listed = re.findall(r'href="[^"]*/id/organization/hub-citing-\d+"', _incoming_table(page))
    assert len(listed) == PAGE_INCOMING
    assert f"The first {PAGE_INCOMING} of {PAGE_INCOMING_COUNT_CAP:,}+." in page
    more = re.search(r'<a rel="related" href="([^"]+)">All of them, page by page</a>', page)
    assert more is not None
    # the link leads to every incoming link, page by page: the fragment ?s ?p <hub>, counted beyond the page
    fragment = requests.get(html.unescape(more[1]), headers={"Accept": "application/n-triples"}, timeout=60)
    assert fragment.status_code == 200
    data = rdflib.Graph().parse(data=fragment.text, format="nt")
    assert len(set(data.triples((None, rdflib.URIRef(SOURCE), rdflib.URIRef(HUB))))) == 100
    hydra = "http://www.w3.org/ns/hydra/core#"
    assert [int(n) for n in data.objects(None, rdflib.URIRef(hydra + "totalItems"))] == [CITING]
    assert len(list(data.objects(None, rdflib.URIRef(hydra + "next")))) == 1
    # the count is written in the reader's language
    assert f"({PAGE_INCOMING_COUNT_CAP:,}+)".replace(",", ".") in _page(hub_server, HUB, lang="vi")


def test_a_smaller_hub_is_counted_exactly(hub_server: Server) -> None:
    page = _page(hub_server, SMALL_HUB)
    assert f"Referred to by ({SMALL_CITING:,})" in page
    assert f"The first {PAGE_INCOMING} of {SMALL_CITING:,}." in page
    listed = re.findall(r'href="[^"]*/id/organization/hub-citing-\d+"', _incoming_table(page))
    assert len(listed) == PAGE_INCOMING


def test_a_page_with_few_incoming_links_lists_them_all(hub_server: Server) -> None:
    page = _page(hub_server, BASE + "id/organization/vnu-hanoi")
    heading = re.search(r'<h2 id="incoming">Referred to by \((\d+)\)</h2>', page)
    assert heading is not None and int(heading[1]) > 5
    assert 'class="incoming-more"' not in page


def test_a_citing_node_page_names_the_hub_without_listing_its_links(hub_server: Server) -> None:
    page = _page(hub_server, _citing(7))
    assert "The article everyone cites" in page  # the article, by its label
    assert 'id="incoming"' not in page  # nothing points at the citing node
    assert "hub-citing-8" not in page  # the hub's other citers are not read into this page


def test_the_rdf_of_a_hub_holds_its_description_and_a_bounded_part_of_its_links(hub_server: Server) -> None:
    url = hub_server.url + "/" + HUB[len(BASE) :]
    turtle = requests.get(url, headers={"Accept": "text/turtle"}, timeout=60)
    assert turtle.status_code == 200
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    assert (
        rdflib.URIRef(HUB),
        rdflib.URIRef(LABEL),
        rdflib.Literal("The article everyone cites", lang="en"),
    ) in graph
    assert len(set(graph.triples((None, rdflib.URIRef(SOURCE), rdflib.URIRef(HUB))))) == RDF_INCOMING
    jsonld = requests.get(url, headers={"Accept": "application/ld+json"}, timeout=60)
    assert jsonld.status_code == 200
    assert "The article everyone cites" in jsonld.text

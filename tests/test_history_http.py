"""The history over HTTP, on a real server: writes through ``/update`` and the graph store become versions
named after the token; ``/history`` pages and answers conditional GETs; ``/history/{v}`` serves the
change as RDF Patch (which, applied to the dataset before, gives the dataset after), N-Quads, JSON and
HTML; ``/validation/history`` lists the gate's verdicts; a resource page links to its history."""

from __future__ import annotations

from urllib.parse import quote

import requests
from pyoxigraph import Quad

from coopgraph import rdf_patch
from coopgraph.store.local import LocalStore
from tests.conftest import Server

EX = "http://e.org/"
GRAPH = "https://w3id.org/coopgraph/graph/data/posted-things"


def dataset(server: Server) -> set[Quad]:
    opened = LocalStore(server.store, create=False)
    try:
        return set(opened.view()._store)
    finally:
        opened.close()


def test_writes_over_http_are_versions_served_in_every_format(writable_server: Server) -> None:
    url = writable_server.url
    first = requests.get(f"{url}/history", timeout=30)
    assert first.status_code == 200, first.text
    assert [v["kind"] for v in first.json()["versions"]] == ["ingest"]  # the seed, loaded by init
    tag = first.headers["ETag"]
    unchanged = requests.get(f"{url}/history", headers={"If-None-Match": tag}, timeout=30)
    assert unchanged.status_code == 304

    before = dataset(writable_server)
    done = requests.post(
        f"{url}/update",
        data={"update": f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}a> <{EX}p> "á"@vi, _:b }} }}'},
        headers=writable_server.auth,
        timeout=60,
    )
    assert done.status_code == 204, done.text
    after = dataset(writable_server)

    listed = requests.get(f"{url}/history", headers={"If-None-Match": tag}, timeout=30)
    assert listed.status_code == 200 and listed.headers["ETag"] != tag
    newest = listed.json()["versions"][0]
    assert newest["number"] == 2 and newest["kind"] == "update" and newest["who"] == "write-token"
    assert newest["graphs"][GRAPH] == {"added": 2, "removed": 0}
    assert newest["validation"]["conforms"] is True

    patch = requests.get(f"{url}/history/2", headers={"Accept": rdf_patch.MEDIA_TYPE}, timeout=30)
    assert patch.headers["Content-Type"].startswith(rdf_patch.MEDIA_TYPE)
    added, removed = rdf_patch.parse(patch.text)
    assert (before - set(removed)) | set(added) == after

    nquads = requests.get(f"{url}/history/2", headers={"Accept": "application/n-quads"}, timeout=30)
    assert f'<{EX}a> <{EX}p> "á"@vi <{GRAPH}> .' in nquads.text.splitlines()
    gone = requests.get(f"{url}/history/2?format=nq&part=removed", timeout=30)
    assert GRAPH not in gone.text  # the update added to the graph and removed nothing from it
    as_json = requests.get(f"{url}/history/2", headers={"Accept": "application/json"}, timeout=30).json()
    assert {"type": "literal", "value": "á", "xml:lang": "vi"} in [a["object"] for a in as_json["added"]]
    page = requests.get(f"{url}/history/2", headers={"Accept": "text/html"}, timeout=30)
    assert page.headers["Content-Type"].startswith("text/html") and f"{EX}a" in page.text
    cached = requests.get(f"{url}/history/2", headers={"If-None-Match": patch.headers["ETag"]}, timeout=30)
    assert cached.status_code == 304
    assert requests.get(f"{url}/history/99", timeout=30).status_code == 404

    deleted = requests.delete(
        f"{url}/graphs", params={"graph": GRAPH}, headers=writable_server.auth, timeout=60
    )
    assert deleted.status_code == 204, deleted.text
    only = requests.get(f"{url}/history", params={"graph": GRAPH}, timeout=30).json()["versions"]
    assert [(v["number"], v["kind"]) for v in only] == [(3, "delete"), (2, "update")]
    about = requests.get(f"{url}/history", params={"resource": f"{EX}a"}, timeout=30).json()["versions"]
    assert [v["number"] for v in about] == [3, 2]

    verdicts = requests.get(f"{url}/validation/history", timeout=30).json()["activities"]
    assert [a["version"] for a in verdicts] == [3, 2, 1]
    assert all(a["@type"] == "prov:Activity" and a["validation"]["conforms"] for a in verdicts)


def test_history_pages_link_to_the_next(writable_server: Server) -> None:
    url = writable_server.url
    for n in range(3):
        done = requests.post(
            f"{url}/update",
            data={"update": f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}a> <{EX}n> {n} }} }}"},
            headers=writable_server.auth,
            timeout=60,
        )
        assert done.status_code == 204, done.text
    seen, page = [], requests.get(f"{url}/history", params={"limit": 3}, timeout=30)
    while True:
        body = page.json()
        assert body["total"] == 4
        seen += [v["number"] for v in body["versions"]]
        if body["next"] is None:
            assert "Link" not in page.headers
            break
        assert page.headers["Link"] == f'<{body["next"]}>; rel="next"'
        page = requests.get(body["next"], timeout=30)
    assert seen == [4, 3, 2, 1]
    html = requests.get(f"{url}/history", headers={"Accept": "text/html"}, timeout=30)
    assert html.headers["Content-Type"].startswith("text/html") and f'href="{url}/history/4"' in html.text


def test_a_resource_page_links_to_its_history(server: Server) -> None:
    found = requests.get(
        f"{server.url}/sparql",
        params={"query": "SELECT ?o WHERE { ?o a <http://www.w3.org/ns/org#FormalOrganization> } LIMIT 1"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    ).json()["results"]["bindings"]
    iri = found[0]["o"]["value"]
    page = requests.get(
        iri.replace("https://w3id.org/coopgraph", server.url), headers={"Accept": "text/html"}, timeout=30
    )
    assert page.status_code == 200
    link = f'rel="version-history" href="{server.url}/history?resource={quote(iri, safe="")}"'
    assert link in page.text

"""Writes over HTTP: the token, SPARQL Update and the graph store, all through the validation gate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
import requests
from rdflib.compare import isomorphic

from coopgraph.store.local import LocalStore
from tests.conftest import Server, start_server

EX = "http://example.org/test/"
PERSON = f"""@prefix ex: <{EX}> .
ex:alice ex:name "Alice" ; ex:knows ex:bob .
ex:bob ex:name "Bob" .
"""
# An agreement with a single party and no type breaks several mandatory shapes of the project.
BAD_AGREEMENT = """@prefix cg: <https://w3id.org/coopgraph/ontology#> .
<https://w3id.org/coopgraph/id/agreement/test-broken> a cg:Agreement .
"""


@pytest.fixture(scope="module")
def writer(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> Iterator[Server]:
    import shutil

    store = tmp_path_factory.mktemp("writes") / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    running = start_server(store)
    yield running
    running.stop()


def dump(server: Server) -> list[str]:
    """Every quad of the store, straight from its published generation (sorted N-Quads lines)."""
    import io

    from pyoxigraph import RdfFormat

    store = LocalStore(server.store, create=False)
    try:
        out = io.BytesIO()
        store.dump(out, RdfFormat.N_QUADS)
        return sorted(line for line in out.getvalue().decode().splitlines() if "/graph/catalog>" not in line)
    finally:
        store.close()


def test_writes_need_the_token(writer: Server) -> None:
    url = writer.url + "/graphs?graph=" + EX + "g"
    assert requests.put(url, data=PERSON, headers={"Content-Type": "text/turtle"}).status_code == 401
    wrong = {"Authorization": "Bearer nope", "Content-Type": "text/turtle"}
    assert requests.put(url, data=PERSON, headers=wrong).status_code == 401
    r = requests.post(
        writer.url + "/update", data={"update": "CLEAR ALL"}, headers={"Authorization": "Basic x"}
    )
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")


def test_a_server_without_a_token_is_read_only(tmp_path: Path) -> None:
    server = start_server(tmp_path / "store", seed=False, token=None)
    try:
        r = requests.post(
            server.url + "/update", data={"update": "CLEAR ALL"}, headers={"Authorization": "Bearer anything"}
        )
        assert r.status_code == 403
        r = requests.put(server.url + "/graphs?default", data=PERSON, headers={"Content-Type": "text/turtle"})
        assert r.status_code == 403
        assert requests.get(server.url + "/sparql", params={"query": "ASK {}"}).status_code == 200
    finally:
        server.stop()


def test_graph_store_round_trip(writer: Server) -> None:
    graph = EX + "people"
    headers = {**writer.auth, "Content-Type": "text/turtle"}
    url = writer.url + "/graphs"
    assert requests.put(url, params={"graph": graph}, data=PERSON, headers=headers).status_code == 201
    assert requests.put(url, params={"graph": graph}, data=PERSON, headers=headers).status_code == 204
    got = requests.get(url, params={"graph": graph}, headers={"Accept": "application/n-triples"})
    assert got.status_code == 200
    assert isomorphic(
        rdflib.Graph().parse(data=got.text, format="nt"), rdflib.Graph().parse(data=PERSON, format="turtle")
    )
    more = f'<{EX}carol> <{EX}name> "Carol" .\n'
    r = requests.post(
        url,
        params={"graph": graph},
        data=more,
        headers={**writer.auth, "Content-Type": "application/n-triples"},
    )
    assert r.status_code == 204
    after = rdflib.Graph().parse(data=requests.get(url, params={"graph": graph}).text, format="turtle")
    assert len(after) == 4
    listing = {g["graph"]: g for g in requests.get(url, params={"format": "json"}).json()["graphs"]}
    assert listing[graph]["triples"] == 4
    assert requests.delete(url, params={"graph": graph}, headers=writer.auth).status_code == 204
    assert requests.get(url, params={"graph": graph}).status_code == 404
    assert requests.delete(url, params={"graph": graph}, headers=writer.auth).status_code == 404


@pytest.mark.parametrize("target", [f"graph={EX}bad", "default"], ids=["named", "default"])
def test_an_invalid_write_is_rejected_whole_with_the_report(writer: Server, target: str) -> None:
    before = dump(writer)
    r = requests.put(
        writer.url + "/graphs?" + target,
        data=BAD_AGREEMENT,
        headers={**writer.auth, "Content-Type": "text/turtle"},
    )
    assert r.status_code == 422
    report = r.json()["report"]
    assert report["conforms"] is False
    violations = [f for f in report["results"] if f["severity"] == "Violation"]
    assert violations
    assert all(f["focusNode"] == "<https://w3id.org/coopgraph/id/agreement/test-broken>" for f in violations)
    assert all({"en", "vi"} <= set(f["messages"]) for f in violations)
    assert all(f["file"] == "request body" and f["line"] == 2 for f in violations)
    update = "INSERT DATA {{ GRAPH <{}bad2> {{ {} }} }}".format(
        EX,
        BAD_AGREEMENT.split("\n", 1)[1].replace(
            "cg:Agreement", "<https://w3id.org/coopgraph/ontology#Agreement>"
        ),
    )
    r = requests.post(writer.url + "/update", data={"update": update}, headers=writer.auth)
    assert r.status_code == 422, r.text
    assert dump(writer) == before


def test_update_is_seen_at_once_and_catalogued(writer: Server) -> None:
    graph = EX + "updated"
    r = requests.post(
        writer.url + "/update",
        headers={**writer.auth, "Content-Type": "application/sparql-update"},
        data=f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}x> <{EX}label> "x" }} }}'.encode(),
    )
    assert r.status_code == 204, r.text
    ask = requests.get(writer.url + "/sparql", params={"query": f'ASK {{ <{EX}x> <{EX}label> "x" }}'})
    assert ask.json()["boolean"] is True
    listing = {
        g["graph"]: g
        for g in requests.get(writer.url + "/graphs", params={"format": "json"}).json()["graphs"]
    }
    assert listing[graph]["triples"] == 1
    r = requests.post(writer.url + "/update", data={"update": f"DROP GRAPH <{graph}>"}, headers=writer.auth)
    assert r.status_code == 204
    listing = requests.get(writer.url + "/graphs", params={"format": "json"}).json()["graphs"]
    assert graph not in {g["graph"] for g in listing}


def test_update_syntax_error_and_catalogue_protection(writer: Server) -> None:
    r = requests.post(writer.url + "/update", data={"update": "INSERT DATA { <a> <b> "}, headers=writer.auth)
    assert r.status_code == 400
    r = requests.post(
        writer.url + "/update",
        headers=writer.auth,
        data={"update": "DROP GRAPH <https://w3id.org/coopgraph/graph/catalog>"},
    )
    assert r.status_code == 403 and "maintained by coopgraph" in r.text


def test_multipart_post_merges_every_part(writer: Server) -> None:
    graph = EX + "multi"
    files = [
        ("a", ("a.ttl", PERSON, "text/turtle")),
        ("b", ("b.nt", f'<{EX}dan> <{EX}name> "Dan" .\n', "application/n-triples")),
    ]
    r = requests.post(writer.url + "/graphs", params={"graph": graph}, files=files, headers=writer.auth)
    assert r.status_code in (201, 204), r.text
    got = rdflib.Graph().parse(
        data=requests.get(writer.url + "/graphs", params={"graph": graph}).text, format="turtle"
    )
    assert len(got) == 4


def test_post_to_the_collection_creates_a_graph(writer: Server) -> None:
    r = requests.post(
        writer.url + "/graphs", data=PERSON, headers={**writer.auth, "Content-Type": "text/turtle"}
    )
    assert r.status_code == 201
    location = r.headers["location"]
    got = requests.get(writer.url + "/graphs", params={"graph": location})
    assert got.status_code == 200
    assert len(rdflib.Graph().parse(data=got.text, format="turtle")) == 3


def test_bad_payloads_are_400_with_the_line(writer: Server) -> None:
    r = requests.put(
        writer.url + "/graphs",
        params={"graph": EX + "broken"},
        data=b'<a> <b> "c .\n',
        headers={**writer.auth, "Content-Type": "application/n-triples"},
    )
    assert r.status_code == 400 and "request body:1" in r.text
    r = requests.put(
        writer.url + "/graphs",
        params={"graph": EX + "broken"},
        data=PERSON,
        headers={**writer.auth, "Content-Type": "application/pdf"},
    )
    assert r.status_code == 415
    date = f'<{EX}a> <{EX}on> "2024-13-45"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
    r = requests.put(
        writer.url + "/graphs",
        params={"graph": EX + "broken"},
        data=date,
        headers={**writer.auth, "Content-Type": "application/n-triples"},
    )
    assert r.status_code == 400 and "2024-13-45" in r.text and "not a valid date" in r.text


def test_a_write_is_checked_for_the_nodes_that_point_at_what_it_changed(writer: Server) -> None:
    """Untyping the source article leaves every fact citing it with a dcterms:source that is no
    schema:NewsArticle: the article itself is no longer targeted, but the facts that point at it are."""
    article = "https://w3id.org/coopgraph/id/article/bqn-3389250-fr"
    before = dump(writer)
    update = f"DELETE WHERE {{ GRAPH ?g {{ <{article}> a ?type }} }}"
    r = requests.post(writer.url + "/update", data={"update": update}, headers=writer.auth)
    assert r.status_code == 422, r.text
    violations = [f for f in r.json()["report"]["results"] if f["severity"] == "Violation"]
    assert violations and all(f["constraint"] == "ClassConstraintComponent" for f in violations)
    assert all(f["value"] == f"<{article}>" for f in violations)
    assert dump(writer) == before

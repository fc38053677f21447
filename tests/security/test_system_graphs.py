"""The graphs coopgraph maintains (ontology, vocabularies, shapes, catalogue) cannot be written over HTTP:
without the shapes every later write would go unvalidated. Naming one in a write is refused (403, the
graph named); ``CLEAR ALL``/``DROP ALL`` empty the data graphs only; a store that lost them anyway is
repaired from the project's files on the next start, with a line in the log.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
import requests
from pyoxigraph import RdfFormat
from rdflib.compare import isomorphic

from coopgraph import iris
from coopgraph.store import open_store
from tests.conftest import Server, start_server

SHAPES = iris.graph_iri("shapes", "coopgraph-mandatory.ttl")
ONTOLOGY = iris.graph_iri("ontology", "coopgraph.ttl")
VOCABULARY = iris.graph_iri("vocabulary", "country.ttl")
SYSTEM = [SHAPES, ONTOLOGY, VOCABULARY, iris.CATALOG_GRAPH]
BAD_AGREEMENT = """@prefix cg: <https://w3id.org/coopgraph/ontology#> .
<https://w3id.org/coopgraph/id/agreement/test-broken> a cg:Agreement .
"""


@pytest.fixture(scope="module")
def writer(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> Iterator[Server]:
    store = tmp_path_factory.mktemp("system-graphs") / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    running = start_server(store)
    yield running
    running.stop()


def graph_dump(server: Server, graph: str) -> list[str]:
    """The triples of one graph, straight from the store's published generation."""
    store = open_store(server.store, create=False)
    try:
        out = io.BytesIO()
        store.view().dump(out, RdfFormat.N_TRIPLES, graph)
        return sorted(out.getvalue().decode().splitlines())
    finally:
        store.close()


def update(server: Server, text: str) -> requests.Response:
    return requests.post(
        server.url + "/update",
        data=text.encode(),
        headers={**server.auth, "Content-Type": "application/sparql-update"},
    )


@pytest.mark.parametrize("graph", SYSTEM)
@pytest.mark.parametrize(
    "operation",
    [
        "DROP GRAPH <{g}>",
        "DROP SILENT GRAPH <{g}>",
        "CLEAR GRAPH <{g}>",
        "INSERT DATA {{ GRAPH <{g}> {{ <http://example.org/s> <http://example.org/p> 1 }} }}",
        "DELETE WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
        "MOVE <{g}> TO <http://example.org/elsewhere>",
        "COPY <http://example.org/elsewhere> TO <{g}>",
    ],
)
def test_an_update_naming_a_system_graph_is_forbidden(writer: Server, graph: str, operation: str) -> None:
    before = graph_dump(writer, graph)
    r = update(writer, operation.format(g=graph))
    assert r.status_code == 403, r.text
    assert f"<{graph}>" in r.text and "coopgraph" in r.text
    assert graph_dump(writer, graph) == before


@pytest.mark.parametrize("graph", SYSTEM)
@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_a_graph_store_write_to_a_system_graph_is_forbidden(writer: Server, graph: str, method: str) -> None:
    before = graph_dump(writer, graph)
    r = requests.request(
        method,
        writer.url + "/graphs",
        params={"graph": graph},
        data=b"<http://example.org/s> <http://example.org/p> 1 ." if method != "DELETE" else None,
        headers={**writer.auth, "Content-Type": "application/n-triples"},
    )
    assert r.status_code == 403, r.text
    assert f"<{graph}>" in r.text
    assert graph_dump(writer, graph) == before


def test_system_graphs_stay_readable(writer: Server) -> None:
    r = requests.get(writer.url + "/graphs", params={"graph": SHAPES}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and "sh:" in r.text


@pytest.mark.parametrize(
    "operation",
    ["CLEAR ALL", "DROP ALL", "CLEAR NAMED", "DROP NAMED", "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }"],
)
def test_clear_all_and_drop_all_touch_data_graphs_only(
    tmp_path: Path, seeded_store: Path, operation: str
) -> None:
    store = tmp_path / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    server = start_server(store)
    try:
        before = {g: graph_dump(server, g) for g in SYSTEM[:3]}
        r = update(server, operation)
        assert r.status_code == 204, r.text
        assert {g: graph_dump(server, g) for g in SYSTEM[:3]} == before
        listing = requests.get(server.url + "/graphs", params={"format": "json"}).json()["graphs"]
        roles = {g["graph"]: g["role"] for g in listing}
        assert SHAPES in roles and roles[SHAPES] == "shapes"
        assert graph_dump(server, iris.graph_iri("data", "seed/vnu-tsinghua-2025/people.csv")) == []
        # the gate still stands: an invalid write is refused
        r = requests.put(
            server.url + "/graphs",
            params={"graph": "http://example.org/bad"},
            data=BAD_AGREEMENT,
            headers={**server.auth, "Content-Type": "text/turtle"},
        )
        assert r.status_code == 422, r.text
    finally:
        server.stop()


@pytest.mark.parametrize("keep_records", [True, False], ids=["records-kept", "records-lost"])
def test_a_start_repairs_a_store_that_lost_its_system_graphs(
    tmp_path: Path, seeded_store: Path, keep_records: bool
) -> None:
    store_dir = tmp_path / "store"
    shutil.copytree(seeded_store, store_dir, symlinks=True)
    lost = [SHAPES, ONTOLOGY, VOCABULARY]
    store = open_store(store_dir, create=False)
    try:
        expected = {g: sorted(_lines(store, g)) for g in lost}
        with store.transaction(replace=lost) as tx:
            records = tx.records()
            for graph in lost:
                tx.drop_graph(graph)
                if not keep_records:
                    records.pop(graph)
            tx.write_records(records.values())
    finally:
        store.close()
    server = start_server(store_dir)
    try:
        log = server.log.read_text()
        for graph in lost:
            assert f"<{graph}>" in log and "repaired" in log, log
            assert isomorphic(_graph(graph_dump(server, graph)), _graph(expected[graph]))
        r = requests.put(
            server.url + "/graphs",
            params={"graph": "http://example.org/bad"},
            data=BAD_AGREEMENT,
            headers={**server.auth, "Content-Type": "text/turtle"},
        )
        assert r.status_code == 422, r.text
    finally:
        server.stop()


def _graph(lines: list[str]) -> rdflib.Graph:
    return rdflib.Graph().parse(data="\n".join(lines), format="nt")


def _lines(store: object, graph: str) -> list[str]:
    out = io.BytesIO()
    store.view().dump(out, RdfFormat.N_TRIPLES, graph)  # type: ignore[attr-defined]
    return out.getvalue().decode().splitlines()

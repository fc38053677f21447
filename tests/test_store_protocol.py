"""The store interface (:mod:`coopgraph.store.protocol`), through its verbs only.

Every test takes the ``store`` fixture (and ``backend``, for a second handle on the same store); a new
backend is tested by adding it to :data:`BACKENDS`: the tests run on it unchanged.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from coopgraph.store import (
    DEFAULT_GRAPH,
    ReadView,
    Store,
    StoreBusy,
    StoreTransaction,
    graph_node,
    open_store,
)
from coopgraph.store.catalog import GraphRecord, activity_iri, build_record
from tests import remote_servers

EX = "http://example.org/"
G1, G2 = EX + "graph/one", EX + "graph/two"
P = NamedNode(EX + "p")


class Backend:
    """Opens handles on one store; every handle sees what the others publish."""

    def __init__(self, open_handle: Callable[[], Store]) -> None:
        self._open = open_handle
        self.handles: list[Store] = []

    def open(self) -> Store:
        handle = self._open()
        self.handles.append(handle)
        return handle


def _embedded(tmp_path: Path) -> Callable[[], Store]:
    root = tmp_path / "store"
    open_store(root).close()
    return lambda: open_store(root, create=False)


def _remote(name: str) -> Callable[[Path], Callable[[], Store]]:
    """A store on a SPARQL server started once for the session (tests/remote_servers.py), emptied."""

    def reach(tmp_path: Path) -> Callable[[], Store]:
        running = remote_servers.server(name)
        running.open(tmp_path / "root").close()
        return lambda: running.open(tmp_path / "root", create=False)

    return reach


#: Each backend the protocol is checked on: a name and how to reach a new, empty store of it.
BACKENDS: dict[str, Callable[[Path], Callable[[], Store]]] = {
    "embedded": _embedded,
    "oxigraph-server": _remote("oxigraph"),
    "virtuoso": _remote("virtuoso"),
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    made = Backend(BACKENDS[request.param](tmp_path))
    yield made
    for handle in made.handles:
        handle.close()


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.open()


def ntriples(*subjects: int) -> bytes:
    return b"".join(f'<{EX}s{i}> <{EX}p> "{i}" .\n'.encode() for i in subjects)


def values(store: Store | ReadView | StoreTransaction, graph: str) -> set[str]:
    """The objects of ``?s ex:p ?o`` in one graph."""
    rows = store.query(f"SELECT ?o WHERE {{ ?s <{P.value}> ?o }}", default_graph=[graph])
    return {row["o"].value for row in rows}


def nquads(store: Store) -> list[bytes]:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return sorted(out.getvalue().splitlines())


def record(graph: str, triples: int, role: str = "data") -> GraphRecord:
    return build_record(
        graph,
        role=role,
        source=graph + ".ttl",
        media_type="text/turtle",
        checksum="0" * 64,
        triples=triples,
        activity=activity_iri("ingest", f"protocol-test/{graph.rsplit('/', 1)[-1]}"),
        loaded=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    )


# --------------------------------------------------------------------------- the interface itself


def test_the_store_its_view_and_its_transaction_satisfy_the_protocol(store: Store) -> None:
    assert isinstance(store, Store)
    assert isinstance(store.view(), ReadView)
    with store.transaction() as tx:
        assert isinstance(tx, StoreTransaction)


def test_a_new_store_is_empty(store: Store) -> None:
    assert store.graph_names() == set()
    assert store.records() == {}
    assert nquads(store) == []
    assert store.view().has_graph(DEFAULT_GRAPH)
    assert not store.view().has_graph(G1)


# --------------------------------------------------------------------------- loading, replacing, dropping


def test_load_replace_and_drop_graphs(store: Store) -> None:
    with store.transaction() as tx:
        tx.load(ntriples(1, 2), RdfFormat.N_TRIPLES, G1)
        tx.load(ntriples(3), RdfFormat.N_TRIPLES, G2)
        assert tx.count(G1) == 2
    assert store.graph_names() == {G1, G2}
    assert values(store, G1) == {"1", "2"}

    with store.transaction(replace=[G1]) as tx:
        tx.drop_graph(G1)
        tx.load(ntriples(7), RdfFormat.N_TRIPLES, G1)
    assert values(store, G1) == {"7"}
    assert values(store, G2) == {"3"}, "replacing one graph changed another"

    with store.transaction(replace=[G2]) as tx:
        tx.drop_graph(G2)
        tx.drop_graph(EX + "never-was")  # dropping what does not exist is no error
    assert store.graph_names() == {G1}
    assert not store.view().has_graph(G2)


def test_a_syntax_error_in_loaded_data_says_where(store: Store) -> None:
    with pytest.raises(SyntaxError) as error, store.transaction() as tx:
        tx.load(ntriples(1) + b"<broken\n", RdfFormat.N_TRIPLES, G1, bulk=False)
    assert error.value.lineno == 2
    assert store.graph_names() == set()


def test_quads_added_an_empty_graph_and_the_default_graph(store: Store) -> None:
    with store.transaction() as tx:
        tx.add([Quad(NamedNode(EX + "a"), P, Literal("in one"), graph_node(G1))])
        tx.add([Quad(NamedNode(EX + "b"), P, Literal("in the default graph"), graph_node(DEFAULT_GRAPH))])
        tx.add_graph(G2)
    view = store.view()
    assert view.graph_names() == {G1, G2}
    assert view.has_graph(G2) and list(view.quads(G2)) == []
    assert [(q.subject.value, q.object.value) for q in view.quads(G1)] == [(EX + "a", "in one")]
    assert [q.object.value for q in view.quads(DEFAULT_GRAPH)] == ["in the default graph"]

    with store.transaction() as tx:
        tx.drop_graph(DEFAULT_GRAPH)  # the default graph is emptied; it still exists
    assert list(store.view().quads(DEFAULT_GRAPH)) == []
    assert store.view().has_graph(DEFAULT_GRAPH)


def test_an_update_changes_the_transaction_and_a_bad_one_raises(store: Store) -> None:
    with store.transaction() as tx:
        tx.load(ntriples(1, 2), RdfFormat.N_TRIPLES, G1)
    with store.transaction() as tx:
        tx.update(f'PREFIX ex: <{EX}> DELETE WHERE {{ GRAPH <{G1}> {{ ?s ex:p "1" }} }}')
        tx.update(f'INSERT DATA {{ GRAPH <{G2}> {{ <s9> <p> "9" }} }}', base_iri=EX)
        with pytest.raises(SyntaxError):
            tx.update("INSERT NOTHING")
    assert values(store, G1) == {"2"}
    assert values(store, G2) == {"9"}


# --------------------------------------------------------------------------- atomicity


def test_an_exception_inside_a_transaction_discards_everything(store: Store) -> None:
    with store.transaction() as tx:
        tx.load(ntriples(1), RdfFormat.N_TRIPLES, G1)
        tx.write_records([record(G1, 1)])
    before, generation = nquads(store), store.generation

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), store.transaction(replace=[G1]) as tx:
        tx.drop_graph(G1)
        tx.load(ntriples(5, 6), RdfFormat.N_TRIPLES, G2)
        tx.update(f'INSERT DATA {{ GRAPH <{G1}> {{ <{EX}x> <{EX}p> "x" }} }}')
        tx.write_records([])
        raise Abandoned
    assert nquads(store) == before
    assert store.generation == generation
    assert store.records() == {G1: record(G1, 1)}


def test_changes_are_seen_by_readers_only_once_published(backend: Backend) -> None:
    writer, reader = backend.open(), backend.open()
    with writer.transaction() as tx:
        tx.load(ntriples(1), RdfFormat.N_TRIPLES, G1)
        assert values(tx, G1) == {"1"}
        assert values(reader, G1) == set(), "a reader saw an unpublished change"
    assert values(reader, G1) == {"1"}


def test_one_transaction_at_a_time(backend: Backend) -> None:
    first, second = backend.open(), backend.open()
    heard: list[str] = []
    with first.transaction() as tx:
        tx.load(ntriples(1), RdfFormat.N_TRIPLES, G1)
        with pytest.raises(StoreBusy), second.transaction(wait=0.2, on_wait=heard.append):
            pass
    assert heard, "a waiting writer was not told why"
    with second.transaction() as tx:
        tx.load(ntriples(2), RdfFormat.N_TRIPLES, G1)
    assert values(first, G1) == {"1", "2"}, "the second writer did not build on the first one's change"


# --------------------------------------------------------------------------- queries


@pytest.fixture
def two_graphs(store: Store) -> Store:
    with store.transaction() as tx:
        tx.load(ntriples(1), RdfFormat.N_TRIPLES, G1)
        tx.load(ntriples(2), RdfFormat.N_TRIPLES, G2)
        tx.load(ntriples(3), RdfFormat.N_TRIPLES, DEFAULT_GRAPH)
    return store


def test_the_default_graph_of_a_query(two_graphs: Store) -> None:
    store = two_graphs
    everything = f"SELECT ?o WHERE {{ ?s <{P.value}> ?o }}"
    assert {r["o"].value for r in store.query(everything)} == {"1", "2", "3"}
    assert {r["o"].value for r in store.query(everything, default_graph=[G1, G2])} == {"1", "2"}
    assert {r["o"].value for r in store.query(everything, default_graph=[DEFAULT_GRAPH])} == {"3"}
    assert list(store.query(everything, default_graph=[])) == []


def test_the_named_graphs_of_a_query(two_graphs: Store) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert {r["g"].value for r in two_graphs.query(query)} == {G1, G2}
    assert {r["g"].value for r in two_graphs.query(query, named_graphs=[G2])} == {G2}


def test_substitutions_and_the_base_iri_of_a_query(two_graphs: Store) -> None:
    query = "SELECT ?s ?o WHERE { ?s <p> ?o }"
    rows = two_graphs.query(query, substitutions={"o": Literal("2")}, base_iri=EX)
    assert [r["s"].value for r in rows] == [EX + "s2"]
    ask = f"ASK {{ <{EX}s1> <{P.value}> ?o }}"
    assert bool(two_graphs.query(ask, substitutions={"o": Literal("1")}))
    assert not bool(two_graphs.query(ask, substitutions={"o": Literal("2")}))
    with pytest.raises(SyntaxError):
        two_graphs.query("SELECT WHERE")


def test_a_view_and_a_transaction_query_like_the_store(two_graphs: Store) -> None:
    view = two_graphs.view()
    assert values(view, G1) == values(two_graphs, G1) == {"1"}
    with two_graphs.transaction() as tx:
        assert values(tx, G2) == {"2"}
        query = "SELECT ?s ?o WHERE { ?s <p> ?o }"
        # read inside the block: a transaction's results must not outlive it (see StoreTransaction)
        found = [r["s"].value for r in tx.query(query, substitutions={"o": Literal("3")}, base_iri=EX)]
        assert found == [EX + "s3"]


def test_query_before_sees_the_state_the_transaction_started_from(store: Store) -> None:
    ask = f'ASK {{ <{EX}s1> <{P.value}> "1" }}'
    with store.transaction() as tx:
        assert not bool(tx.query_before(ask))
        tx.load(ntriples(1), RdfFormat.N_TRIPLES, G1)
    with store.transaction(replace=[G1]) as tx:
        tx.drop_graph(G1)
        tx.load(ntriples(2), RdfFormat.N_TRIPLES, G1)
        assert not bool(tx.query(ask))
        assert bool(tx.query_before(ask))
        before = {r["o"].value for r in tx.query_before("SELECT ?o WHERE { ?s ?p ?o }", [G1])}
        assert before == {"1"}
        assert {r["o"].value for r in tx.query_before("SELECT ?o WHERE { ?s ?p ?o }", [G2])} == set()


# --------------------------------------------------------------------------- the catalogue


def test_records_are_written_whole_and_read_back(store: Store) -> None:
    with store.transaction() as tx:
        tx.load(ntriples(1, 2), RdfFormat.N_TRIPLES, G1)
        tx.load(ntriples(3), RdfFormat.N_TRIPLES, G2)
        tx.write_records([record(G1, 2), record(G2, 1, role="shapes")])
        assert set(tx.records()) == {G1, G2}
    assert store.records() == {G1: record(G1, 2), G2: record(G2, 1, role="shapes")}
    assert store.view().records() == store.records()

    with store.transaction() as tx:
        tx.write_records([record(G2, 1, role="shapes")])  # the whole catalogue: G1's record goes
    assert set(store.records()) == {G2}
    assert values(store, G1) == {"1", "2"}, "rewriting the catalogue touched a data graph"


def test_a_record_keeps_the_role_and_key_of_the_one_before() -> None:
    first = record(G1, 1, role="shapes")
    again = build_record(
        G1, previous=first, source=EX + "update", media_type="application/sparql-update", checksum="1" * 64,
        triples=2, activity=activity_iri("write", "again"),
    )  # fmt: skip
    assert (again.role, again.key, again.triples, again.source) == ("shapes", first.key, 2, EX + "update")
    assert again.loaded > first.loaded
    fresh = build_record(
        G2, source=G2, media_type="text/turtle", checksum="2" * 64, triples=0, activity=activity_iri("x", "y")
    )
    assert (fresh.role, fresh.key) == ("data", G2)


# --------------------------------------------------------------------------- dump, compact, generation


def test_dump_a_graph_or_the_whole_store(two_graphs: Store) -> None:
    out = io.BytesIO()
    two_graphs.dump(out, RdfFormat.TURTLE, G1)
    assert {(q.subject.value, q.object.value) for q in parse(out.getvalue(), format=RdfFormat.TURTLE)} == {
        (EX + "s1", "1")
    }
    whole = parse(b"\n".join(nquads(two_graphs)), format=RdfFormat.N_QUADS)
    graphs = {q.graph_name.value if isinstance(q.graph_name, NamedNode) else DEFAULT_GRAPH for q in whole}
    assert graphs == {G1, G2, DEFAULT_GRAPH}
    with pytest.raises(ValueError, match="holds one graph"):
        two_graphs.dump(io.BytesIO(), RdfFormat.TURTLE)


def test_the_generation_changes_when_a_transaction_publishes(store: Store) -> None:
    first = store.generation
    view = store.view()
    assert view.generation == first
    with store.transaction() as tx:
        tx.load(ntriples(1), RdfFormat.N_TRIPLES, G1)
    second = store.generation
    assert second != first
    assert view.generation == first, "a view moved to another generation while it was kept"
    assert values(view, G1) == set(), "a kept view saw a later generation's data"
    assert store.view().generation == second


def test_a_derived_file_belongs_to_one_generation_and_goes_with_it(backend: Backend) -> None:
    store, other = backend.open(), backend.open()
    old = store.view()
    path = old.derived_file("index.bin")
    assert path.parent.is_dir() and not path.exists(), "the file is only a place until someone writes it"
    path.write_bytes(b"old")
    assert old.derived_file("index.bin") == path
    with other.transaction() as tx:
        tx.load(ntriples(1), RdfFormat.N_TRIPLES, G1)
    new = other.view()
    assert new.derived_file("index.bin") != path, "two generations share a derived file"
    assert not new.derived_file("index.bin").exists(), "a new generation inherited the old one's file"
    assert old.derived_file("index.bin").read_bytes() == b"old", "a reader's derived file went away"
    store.view()  # the first handle lets go of the old generation
    other.collect()
    assert not path.exists(), "a derived file outlived its generation"
    assert not path.parent.exists()


def test_compacting_keeps_the_data(two_graphs: Store) -> None:
    with two_graphs.transaction() as tx:
        tx.write_records([record(G1, 1)])
    before, generation = nquads(two_graphs), two_graphs.generation
    assert two_graphs.compact() is True
    assert nquads(two_graphs) == before
    assert two_graphs.records() == {G1: record(G1, 1)}
    assert two_graphs.generation != generation
    compacted = two_graphs.generation
    assert two_graphs.compact() is False, "an already compact store was compacted again"
    assert two_graphs.generation == compacted
    two_graphs.collect()
    assert nquads(two_graphs) == before

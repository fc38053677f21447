"""The embedded store on disk: immutable generations, the ``CURRENT`` pointer, leases, the write lock.

Everything here runs on a real store directory; writers that must hold the lock or be killed run
in processes of their own.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat

from coopgraph import iris
from coopgraph.store.catalog import GraphRecord
from coopgraph.store.generations import StoreBusy, StoreMissing
from coopgraph.store.local import DEFAULT_GRAPH, LocalStore
from tests.conftest import PROJECT

EX = "http://example.org/"
G1, G2, G3 = EX + "graph/one", EX + "graph/two", EX + "graph/big"
GENERATION = re.compile(r"^g\d{8}$")


def ntriples(subjects: range, predicate: str = "p") -> bytes:
    return b"".join(f'<{EX}s{i}> <{EX}{predicate}> "{i}" .\n'.encode() for i in subjects)


def count(store: LocalStore, graph: str | None = None) -> int:
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    return int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")))["n"].value)


def current(root: Path) -> str:
    return (root / "CURRENT").read_text(encoding="ascii").strip()


def generation_dirs(root: Path) -> set[str]:
    return {p.name for p in (root / "gens").iterdir() if p.is_dir()}


def nquads(store: LocalStore) -> list[bytes]:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return sorted(out.getvalue().splitlines())


def child(code: str, *args: str) -> subprocess.Popen[str]:
    """A Python process of its own, importing the project like the command line does."""
    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=PROJECT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


#: Opens a transaction, writes one triple into it, says so, then waits for a line on stdin.
HOLDING_WRITER = f"""
import sys
from pathlib import Path
from pyoxigraph import RdfFormat
from coopgraph.store.local import LocalStore

store = LocalStore(Path(sys.argv[1]))
with store.transaction() as tx:
    tx.load(b'<{EX}held> <{EX}p> "by the other writer" .\\n', RdfFormat.N_TRIPLES, "{G2}")
    print("holding", flush=True)
    sys.stdin.readline()
print("published", flush=True)
"""


# --------------------------------------------------------------------------- creating and opening


def test_a_new_store_publishes_one_empty_generation(tmp_path: Path) -> None:
    root = tmp_path / "store"
    store = LocalStore(root)
    name = current(root)
    assert GENERATION.match(name)
    assert store.generation == name
    assert generation_dirs(root) == {name}
    assert count(store) == 0
    assert store.graph_names() == set()
    assert store.records() == {}


def test_opening_a_missing_store_without_create_says_so_and_creates_nothing(tmp_path: Path) -> None:
    root = tmp_path / "nowhere"
    with pytest.raises(StoreMissing, match="no coopgraph store here"):
        LocalStore(root, create=False)
    assert not root.exists()


def test_a_current_pointer_that_names_no_generation_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "store"
    LocalStore(root).close()
    (root / "CURRENT").write_text("not-a-generation\n", encoding="ascii")
    with pytest.raises(StoreMissing, match="does not name a generation"):
        LocalStore(root, create=False)


def test_reopening_a_store_keeps_its_data(tmp_path: Path) -> None:
    root = tmp_path / "store"
    store = LocalStore(root)
    with store.transaction() as tx:
        tx.load(ntriples(range(7)), RdfFormat.N_TRIPLES, G1)
    store.close()
    again = LocalStore(root, create=False)
    assert count(again, G1) == 7
    assert again.generation == current(root)


# --------------------------------------------------------------------------- transactions


def test_a_transaction_publishes_a_new_generation_and_removes_the_old_one(tmp_path: Path) -> None:
    root = tmp_path / "store"
    store = LocalStore(root)
    first = store.generation
    with store.transaction() as tx:
        tx.load(ntriples(range(10)), RdfFormat.N_TRIPLES, G1)
        assert tx.count(G1) == 10
        assert count(store, G1) == 0, "the published generation changed before the commit"
    second = current(root)
    assert second != first
    assert int(second[1:]) == int(first[1:]) + 1
    assert store.generation == second
    assert count(store, G1) == 10
    # This process read the old generation during the transaction; once it has moved on, the next
    # write removes the old generation.
    assert generation_dirs(root) <= {first, second}
    with store.transaction() as tx:
        tx.load(ntriples(range(10, 12)), RdfFormat.N_TRIPLES, G1)
    assert first not in generation_dirs(root), "a generation nobody holds was left behind"
    assert generation_dirs(root) <= {second, current(root)}


def test_a_failed_transaction_publishes_nothing_and_leaves_nothing(tmp_path: Path) -> None:
    root = tmp_path / "store"
    store = LocalStore(root)
    with store.transaction() as tx:
        tx.load(ntriples(range(5)), RdfFormat.N_TRIPLES, G1)
    before_name, before = current(root), nquads(store)

    class Stop(Exception):
        pass

    with pytest.raises(Stop), store.transaction() as tx:
        tx.drop_graph(G1)
        tx.load(ntriples(range(100, 150)), RdfFormat.N_TRIPLES, G2)
        raise Stop
    assert current(root) == before_name
    assert nquads(store) == before
    assert generation_dirs(root) == {before_name}


def test_the_default_graph_of_a_query_is_the_union_of_the_named_graphs(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    with store.transaction() as tx:
        tx.load(ntriples(range(3)), RdfFormat.N_TRIPLES, G1)
        tx.load(ntriples(range(3, 8)), RdfFormat.N_TRIPLES, G2)
    everything = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(next(iter(store.query(everything)))["n"].value) == 3 + 5
    only_one = store.query(everything, default_graph=[G2])
    assert int(next(iter(only_one))["n"].value) == 5
    with store.transaction() as tx:  # the store's own default graph, what an update without GRAPH writes
        tx.load(ntriples(range(100, 102)), RdfFormat.N_TRIPLES, DEFAULT_GRAPH)
    own_default = store.query(everything, default_graph=[DEFAULT_GRAPH])
    assert int(next(iter(own_default))["n"].value) == 2
    assert store.graph_names() == {G1, G2}


def test_the_catalogue_reads_back_what_was_written(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    record = GraphRecord(
        graph=G1,
        role="data",
        key="partner-x/things.csv",
        source="file:///somewhere/things.csv",
        media_type="text/csv",
        checksum=hashlib.sha256(b"things").hexdigest(),
        triples=3,
        loaded=datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC),
        activity=iris.RESOURCE + "ingest/abc/1",
        agent="coopgraph 0.1.0",
        used=("file:///somewhere/things.csv-metadata.json",),
    )
    with store.transaction() as tx:
        tx.load(ntriples(range(3)), RdfFormat.N_TRIPLES, G1)
        tx.write_records([record])
    assert store.records() == {G1: record}


# --------------------------------------------------------------------------- readers and writers


def test_a_reader_keeps_its_generation_until_it_lets_go(tmp_path: Path) -> None:
    root = tmp_path / "store"
    writer = LocalStore(root)
    with writer.transaction() as tx:
        tx.load(ntriples(range(4)), RdfFormat.N_TRIPLES, G1)
    reader = LocalStore(root, create=False)
    held = reader.generation
    old_view = reader.view()

    with writer.transaction() as tx:
        tx.load(ntriples(range(4, 10)), RdfFormat.N_TRIPLES, G1)
    newer = current(root)
    assert newer != held
    assert held in generation_dirs(root), "a generation a reader holds was removed"
    old_count = old_view.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")
    assert int(next(iter(old_count))["n"].value) == 4

    # The reader's next query moves it to the published generation and lets go of the old one.
    del old_view, old_count
    assert count(reader, G1) == 10
    assert reader.generation == newer
    with writer.transaction() as tx:
        tx.load(ntriples(range(10, 11)), RdfFormat.N_TRIPLES, G1)
    assert held not in generation_dirs(root)
    assert count(reader, G1) == 11


def test_a_second_writer_waits_for_the_first_and_builds_on_its_generation(tmp_path: Path) -> None:
    root = tmp_path / "store"
    store = LocalStore(root)
    with store.transaction() as tx:
        tx.load(ntriples(range(3)), RdfFormat.N_TRIPLES, G1)
    other = child(HOLDING_WRITER, str(root))
    try:
        assert other.stdout is not None and other.stdin is not None
        assert other.stdout.readline().strip() == "holding", other.stderr.read() if other.stderr else ""
        notes: list[str] = []
        with pytest.raises(StoreBusy) as busy, store.transaction(wait=0.3, on_wait=notes.append):
            pass
        assert f"pid {other.pid}" in str(busy.value)
        assert notes and f"pid {other.pid}" in notes[0]
        before = current(root)
        other.stdin.write("\n")
        other.stdin.flush()
        assert other.stdout.readline().strip() == "published"
        assert other.wait(timeout=60) == 0
    finally:
        if other.poll() is None:
            other.kill()
            other.wait()
    assert current(root) != before
    with store.transaction() as tx:  # waits as long as needed, then sees the other writer's triple
        tx.load(ntriples(range(3, 5)), RdfFormat.N_TRIPLES, G1)
    assert count(store, G1) == 5
    assert count(store, G2) == 1


def test_a_writer_killed_before_publishing_changes_nothing_and_its_leftovers_are_removed(
    tmp_path: Path,
) -> None:
    root = tmp_path / "store"
    store = LocalStore(root)
    with store.transaction() as tx:
        tx.load(ntriples(range(6)), RdfFormat.N_TRIPLES, G1)
    published, before = current(root), nquads(store)
    victim = child(HOLDING_WRITER, str(root))
    assert victim.stdout is not None
    assert victim.stdout.readline().strip() == "holding"
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(timeout=60) == -signal.SIGKILL

    assert current(root) == published
    leftovers = generation_dirs(root) - {published}
    assert leftovers, "the killed writer's unfinished generation should be on disk (test premise)"
    reopened = LocalStore(root, create=False)
    assert nquads(reopened) == before
    assert count(reopened, G2) == 0

    with reopened.transaction(wait=0) as tx:  # the dead writer's lock is free at once
        tx.load(ntriples(range(6, 8)), RdfFormat.N_TRIPLES, G1)
    # Left: the generation this process read during its write, and the one it published.
    assert generation_dirs(root) <= {published, current(root)}
    assert count(reopened, G1) == 8
    assert count(reopened, G2) == 0


def test_reading_a_published_generation_writes_nothing_into_it(tmp_path: Path) -> None:
    root = tmp_path / "store"
    store = LocalStore(root)
    with store.transaction() as tx:
        tx.load(ntriples(range(50)), RdfFormat.N_TRIPLES, G1)
    store.close()
    folder = root / "gens" / current(root)

    def snapshot() -> dict[str, tuple[int, int, str]]:
        return {
            p.name: (p.stat().st_size, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.iterdir())
        }

    before = snapshot()
    reader = LocalStore(root, create=False)
    assert count(reader, G1) == 50
    nquads(reader)
    reader.records()
    reader.close()
    assert snapshot() == before


# --------------------------------------------------------------------------- replacing graphs

G4 = EX + "graph/small"
_BLANK = re.compile(rb"_:[A-Za-z0-9]+")


def _without(lines: list[bytes], graph: str) -> list[bytes]:
    return [q for q in lines if not q.endswith(f"<{graph}> .".encode())]


def _blanks(lines: list[bytes]) -> set[bytes]:
    return {b for q in lines for b in _BLANK.findall(q)}


@pytest.mark.parametrize(
    "replaced",
    [
        pytest.param(G3, id="most-of-the-store-rebuild"),
        pytest.param(G4, id="small-graph-copy-and-delete"),
    ],
)
def test_replacing_a_graph_keeps_every_other_graph_exactly(tmp_path: Path, replaced: str) -> None:
    """Whether the copy starts empty and takes the other graphs over (the replaced graph is most of
    the store) or copies everything and deletes, the other graphs come out the same, blank nodes
    shared between graphs and the store's own default graph included (as a SPARQL update can write
    them)."""
    store = LocalStore(tmp_path / "store")
    shared = BlankNode()
    quads = [
        Quad(shared, NamedNode(EX + "name"), Literal("Đại học Hạ Long", language="vi"), NamedNode(G1)),
        Quad(shared, NamedNode(EX + "name"), Literal("下龙大学", language="zh"), NamedNode(G2)),
        Quad(NamedNode(EX + "a"), NamedNode(EX + "knows"), shared, NamedNode(G2)),
    ]
    now = datetime.now(UTC).replace(microsecond=0)
    with store.transaction() as tx:
        tx.add(quads)
        tx.load(ntriples(range(2000)), RdfFormat.N_TRIPLES, G3)
        tx.load(ntriples(range(3), predicate="small"), RdfFormat.N_TRIPLES, G4)
        tx.load(ntriples(range(2), predicate="own"), RdfFormat.N_TRIPLES, DEFAULT_GRAPH)  # no record
        tx.write_records(
            GraphRecord(g, "data", g.rsplit("/", 1)[-1], g, "text/turtle", "0" * 64, tx.count(g), now, g)
            for g in (G1, G2, G3, G4)
        )
    assert store._rebuild_pays([replaced]) == (replaced == G3), "the test no longer takes the path it names"
    kept = _without(nquads(store), replaced)

    with store.transaction(replace=[replaced]) as tx:
        tx.drop_graph(replaced)
        tx.load(ntriples(range(5), predicate="new"), RdfFormat.N_TRIPLES, replaced)
    after = _without(nquads(store), replaced)
    assert count(store, replaced) == 5
    # Blank node labels may change from one generation to the next; nothing else may.
    assert sorted(_BLANK.sub(b"_:b", q) for q in after) == sorted(_BLANK.sub(b"_:b", q) for q in kept)
    assert len(_blanks(after)) == len(_blanks(kept)), "blank nodes were split or merged"
    joined = store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G1}> {{ ?b ?p ?o }} GRAPH <{G2}> {{ ?x ?q ?b }} }}"
    )
    assert int(next(iter(joined))["n"].value) == 1, "the blank node shared by two graphs was split"

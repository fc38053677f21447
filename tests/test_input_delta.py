"""A new graph's version delta written from the file it was loaded from equals the graph read back out of
the store: the same quads, blank nodes as the store names them, typed literals as the store gives them
back, in every RDF format ingest reads; and a file the delta cannot be written from (a duplicate
statement, a graph written twice) is read back instead, with the same result."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import Quad, RdfFormat

from coopgraph.store import DEFAULT_GRAPH, LoadedFile
from coopgraph.store.history import graph_delta
from coopgraph.store.input_delta import FileRead, input_delta
from coopgraph.store.local import LocalStore
from ingest import batch
from ingest.sources import discover

EX = "http://e.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
GRAPH = "https://w3id.org/coopgraph/graph/data/test"

#: Plain lines (taken as text), and every kind of line that is not: blank nodes, escapes, tabs, a comment
#: after the statement, a statement after another, typed literals the store rewrites, capital language tags.
NTRIPLES = f"""\
# a comment line
<{EX}a> <{EX}p> <{EX}b> .
<{EX}a> <{EX}name> "Alpha"@EN .
<{EX}a> <{EX}year> "1990"^^<{XSD}gYear> .
<{EX}a> <{EX}n> "007"^^<{XSD}integer> .
<{EX}a> <{EX}n> "5"^^<{XSD}int> .
<{EX}a> <{EX}d> "1.50"^^<{XSD}decimal> .
<{EX}a> <{EX}ok> "1"^^<{XSD}boolean> .
<{EX}a> <{EX}t> "2020-01-01T00:00:00.000Z"^^<{XSD}dateTime> .
<{EX}a> <{EX}s> "plain"^^<{XSD}string> .
<{EX}a> <{EX}bad> "not a number"^^<{XSD}integer> .
<{EX}a> <{EX}odd> "x"^^<{EX}Type> .
<{EX}a> <{EX}note> _:n1 .
_:n1 <{EX}text> "a note" .
_:n1 <{EX}next> _:n2 .
_:n2 <{EX}text> "another" .
<{EX}\\u00E9t\\u00E9> <{EX}p> "esc\\"aped\\n" .
<{EX}tab>\t<{EX}p>\t<{EX}c> .
<{EX}c> <{EX}p> <{EX}d> . # a comment after it .
<{EX}e> <{EX}p> "Dept. #5 . <x>" .

<{EX}f> <{EX}p> <{EX}g>.
"""
TURTLE = f"""\
@prefix ex: <{EX}> .
@prefix xsd: <{XSD}> .
ex:a ex:p ex:b ; ex:name "Alpha"@en, "Alfa"@vi ; ex:n "01"^^xsd:integer ;
    ex:note [ ex:text "a note" ; ex:next [ ex:text "another" ] ] ;
    ex:list ( ex:x ex:y "z" ) .
_:lone ex:p "alone" .
<relative> ex:p ex:b .
"""
NQUADS = f"""\
# a comment line
<{EX}a> <{EX}p> <{EX}b> <{EX}g1> .
<{EX}a> <{EX}p> <{EX}c> .
_:b <{EX}p> "in g2"@en <{EX}g2> .
<{EX}a> <{EX}n> "02"^^<{XSD}integer> <{EX}g1> .
<{EX}a> <{EX}name> "Alpha"@EN _:g3 .
<{EX}a> <{EX}t> "2020-01-01T00:00:00.000Z"^^<{XSD}dateTime> <{EX}g1> .
<{EX}\\u00E9t\\u00E9> <{EX}p> "esc\\"aped <{EX}g1> .\\n" <{EX}g1> .
<{EX}tab>\t<{EX}p>\t<{EX}c>\t<{EX}g2>\t.
<{EX}c> <{EX}p> <{EX}d> <{EX}g1> . # a comment after it <{EX}x> .
<{EX}c> <{EX}p> <{EX}e> <{EX}g2> .
<{EX}f> <{EX}p> <{EX}g><{EX}g4>.
"""
TRIG = f"""\
@prefix ex: <{EX}> .
ex:g1 {{ ex:a ex:p ex:b ; ex:q [ ex:r "s" ] . }}
{{ ex:a ex:p ex:c . }}
"""
RDFXML = f"""\
<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="{EX}">
  <rdf:Description rdf:about="{EX}a">
    <ex:name xml:lang="en">Alpha</ex:name>
    <ex:n rdf:datatype="{XSD}integer">03</ex:n>
    <ex:note><rdf:Description><ex:text>a note</ex:text></rdf:Description></ex:note>
  </rdf:Description>
</rdf:RDF>
"""
JSONLD = f"""{{
  "@context": {{"ex": "{EX}"}},
  "@id": "ex:a",
  "ex:name": {{"@value": "Alpha", "@language": "en"}},
  "ex:note": {{"ex:text": "a note"}},
  "ex:n": {{"@value": "04", "@type": "{XSD}integer"}}
}}
"""
CASES = [
    ("data.nt", RdfFormat.N_TRIPLES, NTRIPLES),
    ("data.ttl", RdfFormat.TURTLE, TURTLE),
    ("data.nq", RdfFormat.N_QUADS, NQUADS),
    ("data.trig", RdfFormat.TRIG, TRIG),
    ("data.rdf", RdfFormat.RDF_XML, RDFXML),
    ("data.jsonld", RdfFormat.JSON_LD, JSONLD),
]


def _load(store: LocalStore, path: Path, fmt: RdfFormat, base: str = EX, early: bool = False) -> LoadedFile:
    """Load ``path`` into GRAPH in one transaction as ingest does (the bulk loader; the graphs of a
    dataset merged into the one graph); the file as the transaction was told of it (``early``: also
    before the load, as ingest does, so that it is read during the load)."""
    with store.transaction() as tx:
        if early:
            tx.will_load(GRAPH, path, fmt, base)
        if fmt.supports_datasets:
            node = pyoxigraph.NamedNode(GRAPH)
            quads = pyoxigraph.parse(path=str(path), format=fmt, base_iri=base, rename_blank_nodes=True)
            tx.add(Quad(q.subject, q.predicate, q.object, node) for q in quads)
        else:
            tx.load(path, fmt, GRAPH, base_iri=base, bulk=True)
        source = LoadedFile(path, fmt, base, tx.count(GRAPH))
        tx.loaded_from(GRAPH, source)
    return source


def _read_back(store: LocalStore) -> set[Quad]:
    return set(store.view().quads(GRAPH))


def _recorded(store: LocalStore) -> list[Quad]:
    version = store.history.latest(store.generation)
    assert version is not None
    return store.history.delta(version.number).added


@pytest.mark.parametrize(("name", "fmt", "text"), CASES, ids=[c[0] for c in CASES])
def test_delta_from_the_file_is_the_graph_read_back(
    tmp_path: Path, name: str, fmt: RdfFormat, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    source = _load(store, path, fmt)
    graph = _read_back(store)
    assert any(isinstance(q.subject, pyoxigraph.BlankNode) for q in graph)  # every case has blank nodes

    written = input_delta(store.view()._store, GRAPH, source)
    assert written is not None, "the delta was read back, not written from the file"
    gzipped, count = written
    from_file = list(pyoxigraph.parse(gzip.decompress(gzipped), format=RdfFormat.N_QUADS))
    assert count == len(from_file) == len(graph)
    assert set(from_file) == graph  # the same quads, blank nodes named as the store names them

    recorded = _recorded(store)  # what the version holds: the same, without a duplicate
    assert len(recorded) == len(graph) and set(recorded) == graph
    version = store.history.latest(store.generation)
    assert version is not None and version.graphs[GRAPH] == {"added": len(graph), "removed": 0}
    store.close()


def test_the_store_rewrites_what_the_text_says(tmp_path: Path) -> None:
    """The N-Triples case holds literals the store gives back otherwise than written: the delta has them
    as the store does, not as the file does."""
    path = tmp_path / "data.nt"
    path.write_text(NTRIPLES, encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    _load(store, path, RdfFormat.N_TRIPLES)
    values = {q.object for q in _recorded(store) if isinstance(q.object, pyoxigraph.Literal)}
    assert pyoxigraph.Literal("7", datatype=pyoxigraph.NamedNode(XSD + "integer")) in values
    assert pyoxigraph.Literal("5", datatype=pyoxigraph.NamedNode(XSD + "integer")) in values
    assert pyoxigraph.Literal("true", datatype=pyoxigraph.NamedNode(XSD + "boolean")) in values
    assert pyoxigraph.Literal("Alpha", language="en") in values
    assert not any(v.value in ("007", "1.50") for v in values)
    store.close()


@pytest.mark.parametrize(
    ("name", "fmt", "label", "blank_label"),
    [("big.nt", RdfFormat.N_TRIPLES, "", ""), ("big.nq", RdfFormat.N_QUADS, f" <{EX}g{{}}>", " _:g")],
    ids=["N-Triples", "N-Quads"],
)
def test_a_large_file_is_written_as_text(
    tmp_path: Path, name: str, fmt: RdfFormat, label: str, blank_label: str
) -> None:
    """Blocks of plain lines (the bulk of generated and exported data) and a block that is not; N-Quads in
    named graphs and the default graph, its delta written from the lines without their graph labels."""
    lines = [
        f'<{EX}s{i}> <{EX}name> "Name {i}"@en{label.format(i % 3)} .\n'
        f'<{EX}s{i}> <{EX}y> "{1900 + i % 100}"^^<{XSD}gYear> .\n'
        for i in range(60_000)
    ]
    lines.insert(30_000, f"_:x <{EX}p> <{EX}s1>{blank_label} .\n")
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    assert path.stat().st_size > 4 << 20  # more than one block
    store = LocalStore(tmp_path / "store")
    source = _load(store, path, fmt)
    graph = _read_back(store)
    assert input_delta(store.view()._store, GRAPH, source) is not None  # written from the file
    recorded = _recorded(store)
    assert len(recorded) == len(graph) == 120_001 and set(recorded) == graph
    store.close()


def test_duplicates_and_second_writes_are_read_back(tmp_path: Path) -> None:
    path = tmp_path / "dup.nt"
    lines = [f"<{EX}a> <{EX}p> <{EX}b> ."] * 2 + [
        f'<{EX}a> <{EX}n> "{n}"^^<{XSD}integer> .' for n in ("1", "01")
    ]
    path.write_text("\n".join(lines) + "\n")
    store = LocalStore(tmp_path / "store")
    source = _load(store, path, RdfFormat.N_TRIPLES)
    assert input_delta(store.view()._store, GRAPH, source) is None  # 4 lines, 2 statements: not vouched
    recorded = _recorded(store)
    assert len(recorded) == 2 and set(recorded) == _read_back(store)

    other = tmp_path / "other.nt"
    other.write_text(f"<{EX}c> <{EX}p> <{EX}d> .\n")
    second = "https://w3id.org/coopgraph/graph/data/second"
    with store.transaction() as tx:  # two loads into one graph: the file of the last is not all of it
        tx.load(other, RdfFormat.N_TRIPLES, second, bulk=False)
        tx.load(path, RdfFormat.N_TRIPLES, second, bulk=False)
        tx.loaded_from(second, LoadedFile(other, RdfFormat.N_TRIPLES, None, tx.count(second)))
        assert tx.inputs() == {}
        assert graph_delta(None, tx._store, [second], tx.inputs()).counts() == {
            second: {"added": 3, "removed": 0}
        }
    with store.transaction() as tx:  # written to after the claim: not vouched either
        third = "https://w3id.org/coopgraph/graph/data/third"
        tx.load(other, RdfFormat.N_TRIPLES, third, bulk=False)
        tx.loaded_from(third, LoadedFile(other, RdfFormat.N_TRIPLES, None, 1))
        assert set(tx.inputs()) == {third}
        tx.update(f"INSERT DATA {{ GRAPH <{third}> {{ <{EX}x> <{EX}p> <{EX}y> }} }}")
        assert tx.inputs() == {}
    store.close()


def test_ingest_records_the_file(tmp_path: Path) -> None:
    """Through the pipeline: the version of a new graph holds what the graph holds; a reload that
    replaces the graph is compared as before (its delta: what changed)."""
    data = tmp_path / "data"
    data.mkdir()
    text = NTRIPLES.replace('"not a number"', '"12"')  # ingest refuses an ill-typed literal
    (data / "things.nt").write_text(text, encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    sources, problems = discover([data])
    assert not problems
    batch.run(store, sources)
    graph = sources[0].graph
    quads = set(store.view().quads(graph))
    version = store.history.latest(store.generation)
    assert version is not None
    added = [
        q for q in store.history.delta(version.number).added if q.graph_name == pyoxigraph.NamedNode(graph)
    ]
    assert len(added) == len(quads) and set(added) == quads
    with gzip.open(store.history.dir / f"v{version.number:08d}.added.nq.gz") as recorded:
        assert b'"Alpha"@EN' in recorded.read()  # the file's own line: written from it, not read back

    (data / "things.nt").write_text(text.replace('"Alpha"@EN', '"Alfa"@es'), encoding="utf-8")
    batch.run(store, discover([data])[0])
    version = store.history.latest(store.generation)
    # the changed statement, and the four with blank nodes (named afresh by each load)
    assert version is not None and version.graphs[graph] == {"added": 5, "removed": 5}
    store.close()


@pytest.mark.parametrize(("name", "fmt", "text"), CASES, ids=[c[0] for c in CASES])
def test_a_read_begun_before_the_load_gives_the_same_delta(
    tmp_path: Path, name: str, fmt: RdfFormat, text: str
) -> None:
    """The file read on a thread of its own while the loader runs (as ingest does) gives the version the
    delta a read after the load gives: the graph as the store holds it."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    source = _load(store, path, fmt, early=True)
    graph = _read_back(store)
    recorded = _recorded(store)
    assert len(recorded) == len(graph) and set(recorded) == graph

    early = FileRead(GRAPH, path, fmt, EX).start()
    during = input_delta(store.view()._store, GRAPH, source, early)
    after = input_delta(store.view()._store, GRAPH, source)
    assert during is not None and after is not None
    as_read = set(pyoxigraph.parse(gzip.decompress(during[0]), format=RdfFormat.N_QUADS))
    assert during[1] == after[1] == len(graph) and as_read == graph
    store.close()


def test_a_read_is_used_only_for_its_own_unchanged_file(tmp_path: Path) -> None:
    path, other = tmp_path / "data.nt", tmp_path / "other.nt"
    path.write_text(f"<{EX}a> <{EX}p> <{EX}b> .\n")
    other.write_text(f"<{EX}c> <{EX}p> <{EX}d> .\n")
    store = LocalStore(tmp_path / "store")
    with store.transaction() as tx:  # the file changed while it was loaded: the graph is read back
        tx.will_load(GRAPH, path, RdfFormat.N_TRIPLES, None)
        tx.load(path, RdfFormat.N_TRIPLES, GRAPH)
        path.write_text(f"<{EX}a> <{EX}p> <{EX}b> .\n<{EX}a> <{EX}p> <{EX}c> .\n")
        tx.loaded_from(GRAPH, LoadedFile(path, RdfFormat.N_TRIPLES, None, tx.count(GRAPH)))
        assert tx.inputs() == {} and tx.reads() == {}
    assert set(_recorded(store)) == _read_back(store)

    second = "https://w3id.org/coopgraph/graph/data/second"
    with store.transaction() as tx:  # told of one file, loaded from another: that one is read after
        tx.will_load(second, path, RdfFormat.N_TRIPLES, None)
        tx.load(other, RdfFormat.N_TRIPLES, second)
        tx.loaded_from(second, LoadedFile(other, RdfFormat.N_TRIPLES, None, tx.count(second)))
        assert set(tx.inputs()) == {second} and tx.reads() == {}
    assert {q.subject.value for q in _recorded(store)} == {f"{EX}c"}
    store.close()


def test_reads_not_used_are_stopped(tmp_path: Path) -> None:
    path = tmp_path / "data.nt"
    path.write_text("".join(f'<{EX}s{i}> <{EX}p> "{i}" .\n' for i in range(1000)))
    store = LocalStore(tmp_path / "store")
    with store.transaction() as tx:
        tx.will_load(GRAPH, path, RdfFormat.N_TRIPLES, None)
        read = tx._reads[GRAPH][0]
        tx.discard()
    assert read._stop.is_set()  # the transaction's end stops it
    stopped = FileRead(GRAPH, path, RdfFormat.N_TRIPLES, None)
    stopped.stop()
    assert stopped.start().writer() is None  # a stopped read gives nothing to write from
    assert FileRead(GRAPH, path, RdfFormat.N_TRIPLES, None).start().writer() is not None
    store.close()


def test_a_new_graph_no_file_vouches_for_is_written_by_the_store(tmp_path: Path) -> None:
    """A table's graph, records or a write: the version holds the graph as the store does (blank nodes
    as it names them, literals as it gives them back, text with line ends and full stops), in a named
    graph and in the default graph."""
    store = LocalStore(tmp_path / "store")
    node = pyoxigraph.NamedNode(GRAPH)
    tricky = pyoxigraph.Literal('two .\nlines " .')
    with store.transaction() as tx:
        tx.add(
            [
                Quad(pyoxigraph.NamedNode(f"{EX}a"), pyoxigraph.NamedNode(f"{EX}note"), tricky, node),
                Quad(
                    pyoxigraph.BlankNode(),
                    pyoxigraph.NamedNode(f"{EX}n"),
                    pyoxigraph.Literal("007", datatype=pyoxigraph.NamedNode(f"{XSD}int")),
                    node,
                ),
                Quad(
                    pyoxigraph.NamedNode(f"{EX}a"),
                    pyoxigraph.NamedNode(f"{EX}name"),
                    pyoxigraph.Literal("A", language="EN"),
                    pyoxigraph.DefaultGraph(),
                ),
            ]
        )
    recorded = _recorded(store)
    held = set(store.view().quads(GRAPH)) | set(store.view().quads(DEFAULT_GRAPH))
    assert len(recorded) == len(held) == 3 and set(recorded) == held
    assert tricky in {q.object for q in recorded}
    version = store.history.latest(store.generation)
    assert version is not None
    assert version.graphs == {DEFAULT_GRAPH: {"added": 1, "removed": 0}, GRAPH: {"added": 2, "removed": 0}}
    store.close()


def test_the_statements_of_one_addition_are_the_new_graphs_delta(tmp_path: Path) -> None:
    """What one addition wrote into a new graph is its delta, in the store's form; a duplicate, a second
    write or a graph the store held before are compared or read back instead, with the same result."""
    store = LocalStore(tmp_path / "store")
    node = pyoxigraph.NamedNode(GRAPH)
    p, n = pyoxigraph.NamedNode(f"{EX}p"), pyoxigraph.NamedNode(f"{EX}n")
    odd = pyoxigraph.Literal("007", datatype=pyoxigraph.NamedNode(f"{XSD}int"))
    quads = [
        Quad(pyoxigraph.NamedNode(f"{EX}s{i}"), p, pyoxigraph.Literal(f"v{i}"), node) for i in range(25_000)
    ]
    quads += [Quad(pyoxigraph.BlankNode("b1"), n, odd, node)]
    with store.transaction() as tx:
        tx.will_add(GRAPH)
        tx.add(iter(quads))
        added = tx.added()
        assert set(added) == {GRAPH}  # vouched for by its count
        written = added[GRAPH]
        from_added = set(pyoxigraph.parse(gzip.decompress(written[0]), format=RdfFormat.N_QUADS))
    held = _read_back(store)
    assert written[1] == len(held) == 25_001 and from_added == held
    assert pyoxigraph.Literal("7", datatype=pyoxigraph.NamedNode(f"{XSD}integer")) in {q.object for q in held}
    recorded = _recorded(store)
    assert len(recorded) == len(held) and set(recorded) == held

    second = pyoxigraph.NamedNode("https://w3id.org/coopgraph/graph/data/second")
    with store.transaction() as tx:  # a duplicate: 2 written, 1 held, not vouched for
        tx.will_add(second.value)
        tx.add([Quad(p, p, p, second), Quad(p, p, p, second)])
        assert second.value in tx._added and tx.added() == {}
    assert _recorded(store) == [Quad(p, p, p, second)]

    third = "https://w3id.org/coopgraph/graph/data/third"
    with store.transaction() as tx:  # written again after the addition
        tx.will_add(third)
        tx.add([Quad(p, p, p, pyoxigraph.NamedNode(third))])
        tx.update(f"INSERT DATA {{ GRAPH <{third}> {{ <{EX}x> <{EX}p> <{EX}y> }} }}")
        assert tx.added() == {}
    assert len(_recorded(store)) == 2
    with store.transaction() as tx:  # a graph the store holds: compared with what it held
        tx.drop_graph(GRAPH)
        tx.will_add(GRAPH)
        tx.add(quads[:10])
        assert tx.added() == {}
    fourth = "https://w3id.org/coopgraph/graph/data/fourth"
    with store.transaction() as tx:  # not announced: not kept (read back)
        tx.add([Quad(p, p, p, pyoxigraph.NamedNode(fourth))])
        assert tx.added() == {}
        fifth = pyoxigraph.NamedNode("https://w3id.org/coopgraph/graph/data/fifth")
        tx.will_add(fifth.value)  # an announcement is for the next addition only
        tx.add([Quad(p, p, n, fifth)])
        assert set(tx.added()) == {fifth.value}
        tx.drop_graph(fifth.value)
        tx.add([Quad(p, p, p, fifth)])
        assert tx.added() == {}
    assert set(_recorded(store)) == {Quad(p, p, p, pyoxigraph.NamedNode(fourth)), Quad(p, p, p, fifth)}
    versions = store.history.versions(store.generation)
    assert versions[-2].graphs[GRAPH] == {"added": 0, "removed": 24_991}
    store.close()

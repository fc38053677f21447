"""N-Quads through the bulk loader (:mod:`ingest.native_load`): every statement lands in the source's
graph exactly as an independent parser reads it, lines the rewrite does not know still load, and a
broken line is reported where it is, as the exact parser reports it."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from pyoxigraph import RdfFormat
from rdflib.compare import isomorphic

from coopgraph.store.local import LocalStore
from ingest.batch import run
from ingest.errors import IngestError
from ingest.native_load import as_ntriples
from ingest.sources import discover

EX = "http://example.org/nq/"

#: The forms of N-Quads' terms: default and named graphs (IRI and blank node labels), literals with
#: escapes, language tags (with a direction), datatypes, labels with dots, tabs, comments, a line without
#: spaces, CRLF line ends and a last line without one.
NQUADS = (
    f'<{EX}s> <{EX}p> "plain" .\n'
    f'<{EX}s> <{EX}p> "a \\"quoted\\" word\\n" <{EX}g1> .\n'
    f"_:a.b <{EX}p> _:c <{EX}g1> . # a comment\n"
    "# a comment line\n"
    "\n"
    f'<{EX}s>\t<{EX}p>\t"tab"@en-gb\t_:g2 .\n'
    f'<{EX}s><{EX}p>"7"^^<http://www.w3.org/2001/XMLSchema#integer><{EX}g3>.\r\n'
    f'<{EX}s> <{EX}p> "ltr"@ar--ltr <{EX}g1> .\n'
    f"<{EX}s> <{EX}q> <{EX}o> <{EX}g4> ."
)


def ingest(store: LocalStore, path: Path) -> str:
    sources, problems = discover([path])
    assert problems == []
    run(store, sources)
    return sources[0].graph


def stored(store: LocalStore, graph: str) -> rdflib.Graph:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_TRIPLES, graph)
    return rdflib.Graph().parse(data=out.getvalue().decode("utf-8"), format="nt")


def as_one_graph(text: str) -> rdflib.Graph:
    """What rdflib reads in the N-Quads, every graph merged into one."""
    dataset = rdflib.Dataset()
    dataset.parse(data=text, format="nquads")
    merged = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        merged.add((s, p, o))
    return merged


def test_every_statement_lands_in_the_files_graph(tmp_path: Path) -> None:
    path = tmp_path / "mixed.nq"
    path.write_text(NQUADS.replace("@ar--ltr", "@ar"), encoding="utf-8")  # rdflib knows no direction
    store = LocalStore(tmp_path / "store")
    try:
        graph = ingest(store, path)
        assert isomorphic(stored(store, graph), as_one_graph(path.read_text(encoding="utf-8")))
        assert {EX + f"g{n}" for n in (1, 3, 4)}.isdisjoint(store.graph_names())
    finally:
        store.close()


def test_the_rewrite_keeps_lines_and_drops_only_graph_labels() -> None:
    rewritten = as_ntriples(NQUADS.encode())
    assert rewritten.count(b"\n") == NQUADS.count("\n")
    quads = list(pyoxigraph.parse(NQUADS.encode(), format=RdfFormat.N_QUADS))
    triples = list(pyoxigraph.parse(rewritten, format=RdfFormat.N_TRIPLES))
    assert [str(t) for t in triples] == [str(q.triple) for q in quads]


def test_a_line_the_rewrite_does_not_know_is_loaded_the_exact_way(tmp_path: Path) -> None:
    """An RDF 1.2 triple term: the rewrite leaves its line alone, the N-Triples parser refuses it, and
    the file is read again by the N-Quads parser."""
    path = tmp_path / "terms.nq"
    line = f"<{EX}s> <{EX}says> <<( <{EX}a> <{EX}b> <{EX}c> )>> <{EX}g> .\n"
    assert as_ntriples(line.encode()) == line.encode()
    path.write_text(f'<{EX}s> <{EX}p> "x" <{EX}g> .\n' + line, encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    try:
        graph = ingest(store, path)
        rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        assert int(next(iter(rows))["n"].value) == 2
    finally:
        store.close()


def test_a_broken_line_is_reported_at_its_line_as_the_parser_says(tmp_path: Path) -> None:
    path = tmp_path / "broken.nq"
    lines = [f'<{EX}s{n}> <{EX}p> "v{n}" <{EX}g> .\n' for n in range(5)]
    lines[3] = f"<{EX}s3> <{EX}p> <{EX}g> <{EX}h> <{EX}i> .\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(SyntaxError) as parsed:
        list(pyoxigraph.parse(path=str(path), format=RdfFormat.N_QUADS))
    store = LocalStore(tmp_path / "store")
    try:
        with pytest.raises(IngestError) as refused:
            ingest(store, path)
    finally:
        store.close()
    [problem] = refused.value.problems
    assert problem.line == 4 == parsed.value.lineno
    assert problem.message in str(parsed.value)

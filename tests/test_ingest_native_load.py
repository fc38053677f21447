"""N-Quads through the bulk loader (:mod:`ingest.native_load`): every statement lands in the source's
graph exactly as an independent parser reads it, lines the rewrite does not know still load, and a
broken line is reported where it is, as the exact parser reports it."""

from __future__ import annotations

import http.server
import io
import json
import threading
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from pyoxigraph import RdfFormat
from rdflib.compare import isomorphic

from coopgraph.formats import as_ntriples
from coopgraph.store.local import LocalStore
from ingest.batch import run
from ingest.errors import IngestError
from ingest.limits import BLOCK, InputLimits, check_source
from ingest.sources import discover
from tests.conftest import latest_version

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


# ------------------------------------------------------------------------------ TriG and JSON-LD
#: The same statements as TriG and as JSON-LD: a default graph and two named graphs, blank nodes
#: shared across graphs, typed and tagged literals.
TRIG = f"""@prefix ex: <{EX}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:s ex:p "plain", "hello"@en .
ex:g1 {{ ex:s ex:q _:a . _:a ex:year "1959"^^xsd:gYear . }}
GRAPH ex:g2 {{ _:a ex:p [ ex:n 7 ] ; ex:r ex:o }}
"""
JSONLD = f"""{{"@graph": [
  {{"@id": "{EX}s", "{EX}p": ["plain", {{"@value": "hello", "@language": "en"}}]}},
  {{"@id": "{EX}g1", "@graph": [
     {{"@id": "{EX}s", "{EX}q": {{"@id": "_:a"}}}},
     {{"@id": "_:a", "{EX}year": {{"@value": "1959", "@type": "http://www.w3.org/2001/XMLSchema#gYear"}}}}]}},
  {{"@id": "{EX}g2", "@graph": [
     {{"@id": "_:a", "{EX}p": {{"{EX}n": 7}}, "{EX}r": {{"@id": "{EX}o"}}}}]}}
]}}
"""
PARSED_CASES = {
    "trig": ("data.trig", TRIG, RdfFormat.TRIG),
    "json-ld": ("data.jsonld", JSONLD, RdfFormat.JSON_LD),
}


def python_path(text: str, fmt: RdfFormat, base: str) -> rdflib.Graph:
    """The quads as Oxigraph's parser gives them to Python, every graph merged into one."""
    merged = rdflib.Graph()
    out = io.BytesIO()
    triples = [q.triple for q in pyoxigraph.parse(text.encode(), format=fmt, base_iri=base)]
    pyoxigraph.serialize(triples, out, RdfFormat.N_TRIPLES)
    return merged.parse(data=out.getvalue().decode("utf-8"), format="nt")


@pytest.mark.parametrize("case", list(PARSED_CASES))
def test_trig_and_jsonld_give_the_quads_the_parser_gives(tmp_path: Path, case: str) -> None:
    name, text, fmt = PARSED_CASES[case]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    try:
        graph = ingest(store, path)
        expected = python_path(text, fmt, graph)
        assert len(expected) == 7
        assert isomorphic(stored(store, graph), expected)
        assert {EX + "g1", EX + "g2"}.isdisjoint(store.graph_names())
        # one blank node _:a across the file's graphs, another for the [ ... ] / nested object
        rows = store.query(
            f"SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?b ?p ?o }} "
            "FILTER(isBlank(?b)) }"
        )
        assert int(next(iter(rows))["n"].value) == 2
    finally:
        store.close()


@pytest.mark.parametrize("case", list(PARSED_CASES))
def test_the_same_file_twice_gives_two_sets_of_blank_nodes(tmp_path: Path, case: str) -> None:
    name, text, _ = PARSED_CASES[case]
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text(text, encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    try:
        for folder in ("one", "two"):
            found, _ = discover([tmp_path / folder], prefix=folder + "/")
            run(store, found)
        rows = store.query(
            f"SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{ GRAPH ?g {{ ?b <{EX}p> ?o }} FILTER(isBlank(?b)) }}"
        )
        assert int(next(iter(rows))["n"].value) == 2
    finally:
        store.close()


BROKEN = {
    "trig": ("bad.trig", f'@prefix ex: <{EX}> .\nex:g {{\n  ex:s ex:p ex:o .\n  ex:s ex:p "open .\n}}\n', 4),
    "json-ld": ("bad.jsonld", f'{{"@id": "{EX}s",\n "{EX}p": "x",\n "{EX}q": [1, 2,\n}}\n', 4),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_bad_syntax_names_the_file_and_the_line(tmp_path: Path, case: str) -> None:
    name, text, line = BROKEN[case]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    try:
        before = latest_version(tmp_path / "store")
        with pytest.raises(IngestError) as refused:
            ingest(store, path)
        assert latest_version(tmp_path / "store") == before
    finally:
        store.close()
    [problem] = refused.value.problems
    assert (problem.path, problem.line, problem.kind) == (str(path), line, "parse")


@pytest.mark.parametrize("case", list(PARSED_CASES))
def test_an_ill_typed_literal_is_reported_at_its_line_and_nothing_is_written(
    tmp_path: Path, case: str
) -> None:
    name, text, _ = PARSED_CASES[case]
    path = tmp_path / name
    path.write_text(text.replace('"1959"', '"19x9"'), encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    try:
        before = latest_version(tmp_path / "store")
        with pytest.raises(IngestError) as refused:
            ingest(store, path)
        assert latest_version(tmp_path / "store") == before
    finally:
        store.close()
    [problem] = refused.value.problems
    assert (problem.path, problem.kind, problem.value) == (str(path), "literal", "19x9")
    assert "not a valid gYear" in problem.message


def test_a_remote_jsonld_context_is_refused_naming_the_file_and_nothing_is_written(tmp_path: Path) -> None:
    """Oxigraph has no document loader here: the context is never fetched (a server that answers on
    loopback would see no request)."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = json.dumps({"@context": {"name": EX + "name"}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = f"http://127.0.0.1:{server.server_address[1]}/context.jsonld"
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps({"@context": context, "@id": EX + "s", "name": "x"}), encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    try:
        before = latest_version(tmp_path / "store")
        with pytest.raises(IngestError) as refused:
            ingest(store, path)
        assert latest_version(tmp_path / "store") == before
        assert store.graph_names() == set()
    finally:
        store.close()
        server.shutdown()
    [problem] = refused.value.problems
    assert problem.path == str(path)
    assert "remote @context" in problem.message and "never fetches" in problem.message
    assert requests == []


@pytest.mark.parametrize("deep", [False, True])
def test_the_depth_of_a_jsonld_document_on_one_line_is_measured_across_blocks(
    tmp_path: Path, deep: bool
) -> None:
    """A document written without line breaks (as serializers do) is read by blocks: a string left open
    at a block's end, brackets inside strings, and nesting past the limit after the first block."""
    filler = [{"@id": f"{EX}n{n}", f"{EX}p": "[[[{{ " + "x" * (n % 97) + ' \\" ]]'} for n in range(30_000)]
    limit = InputLimits().depth
    nested: object = "end"
    for _ in range(limit + 1 if deep else limit - 3):
        nested = [nested]
    text = json.dumps({"@graph": filler, f"{EX}q": nested}, separators=(",", ":"))
    assert "\n" not in text and len(text) > 2 * BLOCK  # the premise
    path = tmp_path / "one-line.jsonld"
    path.write_text(text, encoding="utf-8")
    [source], _ = discover([path])
    problems = check_source(source, InputLimits())
    assert bool(problems) == deep
    if deep:
        assert problems[0].line == 1 and "deeper than the limit" in problems[0].message

"""The W3C SPARQL 1.1 query, update and result-format evaluation tests, run over HTTP against a server.

Any server that speaks the SPARQL 1.1 Protocol: queries go to its query URL, updates to its update URL.
Each test starts from an empty dataset (``DROP ALL``, then the test's data in one ``INSERT DATA``, each
file's blank nodes kept apart), and its result is compared as the W3C does: graphs by isomorphism, result
sets as bags of solutions under one blank-node mapping, booleans as booleans; an update test compares the
default graph and each non-empty named graph after it. Syntax tests: a positive one must be answered 2xx,
a negative one 4xx. Literals: language tags compared without case, numbers of one datatype by value.

Graphs coopgraph maintains itself (ontology, vocabularies, shapes, catalogue) survive ``DROP ALL`` on a
coopgraph server; the named graphs an update test compares leave them out.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph
import requests
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, Variable
from rdflib.compare import isomorphic
from rdflib.query import Result
from rdflib.term import Node

from coopgraph import iris
from coopgraph.sparql_text import ScanError, scan_update
from tests.conftest import conformance_path
from tests.w3c.manifest import MF, entries, file_path

QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SPARQL11 = Path("rdf-tests/sparql/sparql11")
MANIFESTS = ("manifest-sparql11-query.ttl", "manifest-sparql11-update.ttl", "manifest-sparql11-results.ttl")
#: The suite's own base: a file of the copy is named as the W3C publishes it (graph names, query bases).
PUBLISHED = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"

QUERY_EVALUATION = {MF.QueryEvaluationTest, MF.CSVResultFormatTest}
UPDATE_EVALUATION = {MF.UpdateEvaluationTest, UT.UpdateEvaluationTest}
SYNTAX = {
    MF.PositiveSyntaxTest11: ("query", True),
    MF.NegativeSyntaxTest11: ("query", False),
    MF.PositiveUpdateSyntaxTest11: ("update", True),
    MF.NegativeUpdateSyntaxTest11: ("update", False),
}

_RESULT_MEDIA = {
    ".srx": ("application/sparql-results+json", "json"),
    ".srj": ("application/sparql-results+json", "json"),
    ".tsv": ("text/tab-separated-values", "tsv"),
    ".csv": ("text/csv", "csv"),
}
NTRIPLES = "application/n-triples"
RESULTS_JSON = "application/sparql-results+json"
_RDF_FORMATS = {
    ".ttl": pyoxigraph.RdfFormat.TURTLE,
    ".nt": pyoxigraph.RdfFormat.N_TRIPLES,
    ".rdf": pyoxigraph.RdfFormat.RDF_XML,
}


def published(path: Path) -> str:
    """The IRI the W3C publishes a file of the suite at (its base when it is parsed or run)."""
    root = conformance_path(SPARQL11).resolve()
    return PUBLISHED + path.resolve().relative_to(root).as_posix()


@dataclass(frozen=True)
class GraphData:
    """One file of a test's dataset: into the default graph (``name`` None) or a named graph."""

    path: Path
    name: str | None = None


@dataclass(frozen=True)
class Case:
    id: str  #: ``folder/name``, as the expected-failure lists name it
    kind: str  #: "query", "update", "syntax-query", "syntax-update"
    action: Path  #: the query or update file
    data: tuple[GraphData, ...] = ()
    result: tuple[GraphData, ...] = ()  #: update: the dataset after; query: one file of results
    positive: bool = True  #: syntax tests: whether the text is valid


def _case_id(test: Node, manifest_path: Path) -> str:
    return f"{manifest_path.parent.name}/{str(test).rsplit('#', 1)[-1]}"


def _update_data(graph: Graph, node: Node) -> tuple[GraphData, ...]:
    found = [GraphData(file_path(path)) for path in graph.objects(node, UT.data)]
    for named in graph.objects(node, UT.graphData):
        path = graph.value(named, UT.graph)
        found.append(GraphData(file_path(path), str(graph.value(named, RDFS.label))))
    return tuple(found)


def cases() -> list[Case]:
    """Every evaluation and syntax test of the SPARQL 1.1 query, update and result-format manifests."""
    found: list[Case] = []
    for manifest in MANIFESTS:
        for graph, test in entries(conformance_path(SPARQL11 / manifest)):
            kind = graph.value(test, RDF.type)
            action = graph.value(test, MF.action)
            manifest_path = file_path(test).with_suffix("") if "#" not in str(test) else file_path(test)
            case_id = _case_id(test, manifest_path)
            if kind in QUERY_EVALUATION:
                data = [GraphData(file_path(p)) for p in graph.objects(action, QT.data)]
                data += [
                    GraphData(file_path(p), published(file_path(p)))
                    for p in graph.objects(action, QT.graphData)
                ]
                result = graph.value(test, MF.result)
                found.append(
                    Case(
                        case_id,
                        "query",
                        file_path(graph.value(action, QT.query)),
                        tuple(data),
                        (GraphData(file_path(result)),) if result is not None else (),
                    )
                )
            elif kind in UPDATE_EVALUATION:
                found.append(
                    Case(
                        case_id,
                        "update",
                        file_path(graph.value(action, UT.request)),
                        _update_data(graph, action),
                        _update_data(graph, graph.value(test, MF.result)),
                    )
                )
            elif kind in SYNTAX:
                operation, positive = SYNTAX[kind]
                found.append(Case(case_id, "syntax-" + operation, file_path(action), positive=positive))
    return sorted(found, key=lambda case: case.id)


# ------------------------------------------------------------------------------------------ data and text
def _ntriples(path: Path) -> str:
    fmt = _RDF_FORMATS[path.suffix]
    graph = pyoxigraph.parse(path=str(conformance_path(path)), format=fmt, base_iri=published(path))
    return pyoxigraph.serialize(graph, format=pyoxigraph.RdfFormat.N_TRIPLES).decode()


_BLANK = re.compile(r"(?<![\w\"])_:([A-Za-z0-9_\-.]+)")


def insert_data(files: tuple[GraphData, ...]) -> str:
    """One ``INSERT DATA`` with the triples of every file (each file's blank nodes renamed apart)."""
    blocks = []
    for number, data in enumerate(files):
        triples = _BLANK.sub(
            lambda m, n=number: f"_:f{n}x{m.group(1).replace('.', '_')}", _ntriples(data.path)
        )
        blocks.append(triples if data.name is None else f"GRAPH <{data.name}> {{\n{triples}}}\n")
    return "INSERT DATA {\n" + "".join(blocks) + "}"


def with_base(path: Path) -> str:
    """The text of a query or update file, its base the IRI the W3C publishes it at."""
    return f"BASE <{published(path)}>\n" + conformance_path(path).read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------ comparison
def _blank_mapping(expected: list[dict[str, Node]], actual: list[dict[str, Node]]) -> bool:
    """Whether the two bags of solutions are equal under one bijection of blank nodes."""
    if len(expected) != len(actual):
        return False

    def key(row: Mapping[str, Node]) -> tuple[tuple[str, Node | None], ...]:
        return tuple(sorted((v, None if isinstance(t, BNode) else t) for v, t in row.items()))

    if Counter(map(key, expected)) != Counter(map(key, actual)):
        return False
    return _match(expected, list(actual), {}, set())


def _match(
    rows: list[dict[str, Node]], left: list[dict[str, Node]], mapping: dict[Node, Node], used: set[Node]
) -> bool:
    if not rows:
        return True
    row, rest = rows[0], rows[1:]
    for index, candidate in enumerate(left):
        if set(candidate) != set(row):
            continue
        added: dict[Node, Node] = {}
        ok = True
        for var, term in row.items():
            other = candidate[var]
            if isinstance(term, BNode) and isinstance(other, BNode):
                bound = mapping.get(term, added.get(term))
                if bound is None:
                    if other in used or other in added.values():
                        ok = False
                        break
                    added[term] = other
                elif bound != other:
                    ok = False
                    break
            elif term != other:
                ok = False
                break
        if ok:
            mapping.update(added)
            if _match(rest, left[:index] + left[index + 1 :], mapping, used | set(added.values())):
                return True
            for term in added:
                del mapping[term]
    return False


def _solutions(result: Result) -> list[dict[str, Node]]:
    return [{str(v): t for v, t in row.items() if t is not None} for row in result.bindings]


_NUMERIC = {XSD[name] for name in ("integer", "decimal", "double", "float", "int", "long", "short", "byte")}


def _literal_key(term: Node) -> Node:
    """A literal as the suite compares it: language tags without case, numbers of one datatype by value
    (``"1.0"^^xsd:decimal`` is ``"1"^^xsd:decimal``: the suite's files and servers differ in lexical form)."""
    if not isinstance(term, Literal):
        return term
    if term.language:
        return Literal(str(term), lang=term.language.lower())
    if term.datatype in _NUMERIC:
        try:
            value = Decimal(str(term).strip())
        except InvalidOperation:
            return term
        return Literal(
            format(value.normalize(), "f") if value.is_finite() else str(value), datatype=term.datatype
        )
    return term


def compare_results(expected: Result, actual: Result) -> str | None:
    if expected.type == "ASK" or actual.type == "ASK":
        if expected.type != actual.type or expected.askAnswer != actual.askAnswer:
            return f"expected ASK {expected.askAnswer}, got {actual.type} {actual.askAnswer}"
        return None
    want = [{v: _literal_key(t) for v, t in row.items()} for row in _solutions(expected)]
    got = [{v: _literal_key(t) for v, t in row.items()} for row in _solutions(actual)]
    if _blank_mapping(want, got):
        return None
    return f"expected {len(want)} solutions {want[:3]}…, got {len(got)} {got[:3]}…"


def compare_graphs(expected: Graph, actual: Graph, what: str) -> str | None:
    if isomorphic(expected, actual):
        return None
    return f"{what}: expected {len(expected)} triples, got {len(actual)} (not isomorphic)"


def _parse_graph(path: Path) -> Graph:
    return Graph().parse(data=_ntriples(path), format="nt")


def _expected_result(path: Path) -> Result:
    suffix = path.suffix
    if suffix in (".ttl", ".rdf"):
        graph = _parse_graph(path)
        result_set = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
        if (None, RDF.type, result_set.ResultSet) in graph:
            return _rs_graph(graph)
        result = Result("CONSTRUCT")
        result.graph = graph
        return result
    formats = {".srx": "xml", ".srj": "json", ".tsv": "tsv", ".csv": "csv"}
    with open(conformance_path(path), "rb") as source:
        return Result.parse(source, format=formats[suffix])


def _rs_graph(graph: Graph) -> Result:
    """A result set written in RDF (the ``rs:`` vocabulary of the DAWG tests)."""
    rs = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
    node = next(graph.subjects(RDF.type, rs.ResultSet))
    boolean = graph.value(node, rs.boolean)
    if boolean is not None:
        result = Result("ASK")
        result.askAnswer = bool(boolean.toPython())
        return result
    result = Result("SELECT")
    result.vars = [rdflib_variable(str(v)) for v in graph.objects(node, rs.resultVariable)]
    rows = []
    for solution in graph.objects(node, rs.solution):
        row = {}
        for binding in graph.objects(solution, rs.binding):
            row[rdflib_variable(str(graph.value(binding, rs.variable)))] = graph.value(binding, rs.value)
        rows.append(row)
    result.bindings = rows
    return result


def rdflib_variable(name: str) -> Variable:
    return Variable(name)


# ------------------------------------------------------------------------------------------ the endpoint
@dataclass
class Endpoint:
    query_url: str
    update_url: str
    gsp_url: str  #: the Graph Store Protocol endpoint (``?default`` reads the default graph)
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 60
    #: False for a server that would fetch a LOAD's source: such updates are not sent (this suite's LOADs
    #: name hosts of the Internet) and the test fails as not run. coopgraph refuses LOAD itself.
    sends_load: bool = True
    session: requests.Session = field(default_factory=requests.Session)

    def update(self, text: str) -> requests.Response:
        return self.session.post(
            self.update_url,
            data=text.encode("utf-8"),
            headers={**self.headers, "Content-Type": "application/sparql-update; charset=utf-8"},
            timeout=self.timeout,
        )

    def query(self, text: str, accept: str) -> requests.Response:
        return self.session.post(
            self.query_url,
            data=text.encode("utf-8"),
            headers={
                **self.headers,
                "Content-Type": "application/sparql-query; charset=utf-8",
                "Accept": accept,
            },
            timeout=self.timeout,
        )

    def reset(self, data: tuple[GraphData, ...]) -> str | None:
        """``DROP ALL``, then the test's data; a problem, or None."""
        answer = self.update(reset_text(data))
        if answer.status_code >= 300:
            return f"loading the data: {answer.status_code} {answer.text[:300]}"
        return None

    def problem(self, case: Case, loaded: bool = False) -> str | None:
        """Why the server fails ``case``, or None when it passes (``loaded``: a query test's data is
        already in place)."""
        try:
            return self._problem(case, loaded)
        except requests.RequestException as e:  # an answer cut short, a connection refused: a failure too
            return f"the request failed: {e}"

    def _problem(self, case: Case, loaded: bool) -> str | None:
        if case.kind.startswith("syntax-"):
            return self._syntax(case)
        if case.kind == "update":
            return self._update(case)
        problem = None if loaded else self.reset(case.data)
        return problem or self._query(case)

    def _syntax(self, case: Case) -> str | None:
        text = with_base(case.action)
        if case.kind == "syntax-update":  # run on whatever the previous test left (runs are in one order)
            if not self.sends_load and _loads(text):
                return "not run: the update has a LOAD, which this server would fetch from the network"
            answer = self.update(text)
        else:
            answer = self.query(text, f"{RESULTS_JSON}, {NTRIPLES};q=0.9")
        status = answer.status_code
        if case.positive and not 200 <= status < 300:
            return f"a valid text was refused: {status} {answer.text[:300]}"
        if not case.positive and not 400 <= status < 500:
            return f"an invalid text was answered {status}"
        return None

    def _query(self, case: Case) -> str | None:
        expected_path = case.result[0].path
        expected = _expected_result(expected_path)
        text = with_base(case.action)
        if expected.type in ("CONSTRUCT", "DESCRIBE"):
            answer = self.query(text, NTRIPLES)
            if answer.status_code != 200:
                return f"{answer.status_code} {answer.text[:300]}"
            return compare_graphs(expected.graph, Graph().parse(data=answer.text, format="nt"), "the graph")
        media, fmt = _RESULT_MEDIA.get(expected_path.suffix, ("application/sparql-results+json", "json"))
        answer = self.query(text, media)
        if answer.status_code != 200:
            return f"{answer.status_code} {answer.text[:300]}"
        try:
            actual = Result.parse(io.BytesIO(answer.content), format=fmt)
        except Exception as e:  # an ill-formed answer is a failure to report, whatever broke
            return f"the answer does not parse as {fmt}: {e}"
        return compare_results(expected, actual)

    def _update(self, case: Case) -> str | None:
        # two requests: Oxigraph's parser takes no prologue (BASE, PREFIX) after the first operation
        problem = self.reset(case.data)
        if problem:
            return problem
        text = with_base(case.action)
        if not self.sends_load and _loads(text):
            return "not run: the update has a LOAD, which this server would fetch from the network"
        answer = self.update(text)
        if answer.status_code >= 300:
            return f"the update was refused: {answer.status_code} {answer.text[:300]}"
        expected_default = Graph()
        expected_named: dict[str, Graph] = {}
        for data in case.result:
            parsed = _parse_graph(data.path)
            if data.name is None:
                expected_default += parsed
            else:
                expected_named[data.name] = expected_named.get(data.name, Graph()) + parsed
        problem = compare_graphs(expected_default, self._graph(None), "the default graph")
        if problem:
            return problem
        expected_named = {name: g for name, g in expected_named.items() if len(g)}
        actual_names = self._named_graphs()
        if set(expected_named) != actual_names:
            return f"named graphs: expected {sorted(expected_named)}, got {sorted(actual_names)}"
        for name, expected in expected_named.items():
            problem = compare_graphs(expected, self._graph(name), f"graph <{name}>")
            if problem:
                return problem
        return None

    def _graph(self, name: str | None) -> Graph:
        """A named graph, by a query; the default graph through the Graph Store Protocol (``?default``):
        a query's default graph may be a union."""
        if name is None:
            answer = self.session.get(
                self.gsp_url,
                params={"default": ""},
                headers={**self.headers, "Accept": "application/n-triples"},
                timeout=self.timeout,
            )
        else:
            answer = self.query(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}", NTRIPLES
            )
        answer.raise_for_status()
        return Graph().parse(data=answer.text, format="nt")

    def _named_graphs(self) -> set[str]:
        answer = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", RESULTS_JSON)
        answer.raise_for_status()
        names = {row["g"]["value"] for row in answer.json()["results"]["bindings"]}
        return {name for name in names if not iris.is_system_graph(name)}


def read_expected_failures(path: Path) -> dict[str, str]:
    """``test-id  reason`` per line (``#`` comments); every listed test must carry a reason."""
    found: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        if not line:
            continue
        test, _, reason = line.partition(" ")
        if not reason.strip():
            raise ValueError(f"{path.name}:{number}: {test} has no reason")
        found[test] = reason.strip()
    return found


def _loads(text: str) -> bool:
    try:
        return bool(scan_update(text).loads)
    except ScanError:
        return True  # not sent either: the scanner alone cannot tell


def reset_text(data: tuple[GraphData, ...]) -> str:
    return "DROP ALL" + (" ;\n" + insert_data(data) if data else "")


def run_all(endpoint: Endpoint, selected: list[Case]) -> Iterator[tuple[Case, str | None]]:
    """Each case with its problem (None: passed); the query tests that share a dataset share one load."""
    by_data: dict[tuple[GraphData, ...], list[Case]] = {}
    for case in selected:
        if case.kind == "query":
            by_data.setdefault(case.data, []).append(case)
        else:
            yield case, endpoint.problem(case)
    for data, group in by_data.items():
        problem = endpoint.reset(data)
        for case in group:
            yield case, problem or endpoint.problem(case, loaded=True)

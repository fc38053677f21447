"""The W3C SHACL test suite (core and SHACL-SPARQL): its cases, and the comparison of a report with theirs.

A validator is ``validate(data_graph, shapes_graph) -> report graph`` and must raise on the suite's
``sht:Failure`` cases (ill-formed shapes, SPARQL the SHACL-SPARQL rules exclude). The comparison is the
suite's own "full compliance" (data-shapes-test-suite/index.html): both reports reduced to the report
and result types, ``sh:conforms``, ``sh:result``, ``sh:focusNode``, ``sh:resultPath`` (its blank-node
structure un-shared), ``sh:resultSeverity``, ``sh:sourceConstraint``, ``sh:sourceConstraintComponent``,
``sh:sourceShape``, ``sh:value``, and ``sh:resultMessage`` only where the expected report has the same
message; the two must then be isomorphic.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace
from rdflib.compare import isomorphic
from rdflib.term import Node, _toPythonMapping

from tests.conftest import CONFORMANCE, conformance_path
from tests.w3c.manifest import MF, entries, file_path

SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SUITE = CONFORMANCE / "shacl" / "data-shapes-test-suite" / "tests"
RESULT_PREDICATES = {
    SH.focusNode,
    SH.resultSeverity,
    SH.sourceConstraint,
    SH.sourceConstraintComponent,
    SH.sourceShape,
    SH.value,
}
Validator = Callable[[Graph, Graph], Graph]


def load(path: Path) -> Graph:
    """A test file parsed without rdflib's literal normalisation.

    rdflib normalises literals by default ("1"^^xsd:boolean becomes "true", "01"^^xsd:integer "1"),
    which changes the meaning of cases such as core/property/uniqueLang-002 and the ill-formed literal
    cases; and only the lexical form "true" gives an xsd:boolean the value True (``sh:uniqueLang
    "1"^^xsd:boolean`` must not activate the constraint), as pyshacl does when it loads files.
    """
    old_normalize, old_boolean = rdflib.NORMALIZE_LITERALS, _toPythonMapping.get(XSD.boolean)
    rdflib.NORMALIZE_LITERALS = False
    _toPythonMapping[XSD.boolean] = lambda lexical: lexical.strip().lower() == "true"
    try:
        return Graph().parse(conformance_path(path), format="turtle", publicID=path.resolve().as_uri())
    finally:
        rdflib.NORMALIZE_LITERALS = old_normalize
        _toPythonMapping[XSD.boolean] = old_boolean


@dataclass(frozen=True)
class Case:
    id: str  # the test's path under the suite, e.g. /core/node/class-001
    data: Path
    shapes: Path
    manifest: Graph
    result: Node

    @property
    def expects_failure(self) -> bool:
        return self.result == SHT.Failure


def cases() -> list[Case]:
    found = []
    for graph, test in entries(SUITE / "manifest.ttl", parse=load):
        action = graph.value(test, MF.action)
        found.append(
            Case(
                "/" + file_path(test).relative_to(SUITE.resolve()).as_posix(),
                file_path(graph.value(action, SHT.dataGraph)),
                file_path(graph.value(action, SHT.shapesGraph)),
                graph,
                graph.value(test, MF.result),
            )
        )
    return found


def _copy_path(source: Graph, node: Node, target: Graph) -> Node:
    """A ``sh:resultPath`` value copied with fresh blank nodes (structures shared in the source un-shared)."""
    if not isinstance(node, BNode):
        return node
    copy = BNode()
    for p, o in source.predicate_objects(node):
        target.add((copy, p, _copy_path(source, o, target)))
    return copy


def _boolean(term: Node) -> Node:
    if isinstance(term, Literal):
        lexical = str(term).strip().lower()
        if lexical in ("true", "1"):
            return Literal(True)
        if lexical in ("false", "0"):
            return Literal(False)
    return term


def expected_report(manifest: Graph, result: Node) -> Graph:
    out, report = Graph(), BNode()
    out.add((report, RDF.type, SH.ValidationReport))
    for conforms in manifest.objects(result, SH.conforms):
        out.add((report, SH.conforms, _boolean(conforms)))
    for source in manifest.objects(result, SH.result):
        node = BNode()
        out.add((report, SH.result, node))
        out.add((node, RDF.type, SH.ValidationResult))
        for p, o in manifest.predicate_objects(source):
            if p in RESULT_PREDICATES or p == SH.resultMessage:
                out.add((node, p, o))
            elif p == SH.resultPath:
                out.add((node, p, _copy_path(manifest, o, out)))
    return out


def actual_report(report: Graph, expected_messages: set[Node]) -> Graph:
    """``report`` reduced as the suite compares it; blank nodes shared between results stay shared."""
    reports = set(report.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1, f"the report graph has {len(reports)} sh:ValidationReport nodes"
    source_report = reports.pop()
    out, reduced = Graph(), BNode()
    out.add((reduced, RDF.type, SH.ValidationReport))
    for conforms in report.objects(source_report, SH.conforms):
        out.add((reduced, SH.conforms, _boolean(conforms)))
    renamed: dict[Node, BNode] = {}

    def kept(term: Node) -> Node:
        return renamed.setdefault(term, BNode()) if isinstance(term, BNode) else term

    for source in report.objects(source_report, SH.result):
        node = BNode()
        out.add((reduced, SH.result, node))
        out.add((node, RDF.type, SH.ValidationResult))
        for p, o in report.predicate_objects(source):
            if p in RESULT_PREDICATES:
                out.add((node, p, kept(o)))
            elif p == SH.resultPath:
                out.add((node, p, _copy_path(report, o, out)))
            elif p == SH.resultMessage and o in expected_messages:
                out.add((node, p, o))
    return out


def _results(report: Graph) -> list[tuple[tuple[str, str], ...]]:
    rows = []
    for result in report.objects(None, SH.result):
        row = {
            p.split("#")[-1]: "_" if isinstance(o, BNode) else o.n3()
            for p, o in report.predicate_objects(result)
            if p != RDF.type
        }
        rows.append(tuple(sorted(row.items())))
    return sorted(rows)


def difference(expected: Graph, actual: Graph) -> str:
    wanted, got = _results(expected), _results(actual)
    return (
        f"sh:conforms expected {list(expected.objects(None, SH.conforms))}, "
        f"got {list(actual.objects(None, SH.conforms))}; {len(wanted)} results expected, {len(got)} given\n"
        f"  missing: {[r for r in wanted if r not in got][:4]}\n"
        f"  unexpected: {[r for r in got if r not in wanted][:4]}"
    )


def problem(case: Case, validate: Validator) -> str | None:
    """What ``validate`` gets wrong on ``case``, or None when it passes."""
    data, shapes = load(case.data), load(case.shapes)
    try:
        report = validate(data, shapes)
    except Exception as error:  # a raise is how a validator reports a validation failure
        if case.expects_failure:
            return None
        return "the validator raised: " + "".join(traceback.format_exception_only(error)).strip()
    if case.expects_failure:
        return "expected a validation failure (an exception), got a report"
    expected = expected_report(case.manifest, case.result)
    actual = actual_report(report, set(expected.objects(None, SH.resultMessage)))
    return None if isomorphic(expected, actual) else difference(expected, actual)

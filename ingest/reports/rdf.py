"""The report as the W3C ``sh:ValidationReport`` (the canonical form), in Turtle or JSON-LD.

Every finding is an ``sh:ValidationResult``. What SHACL has no term for is said with the report's own
terms (``report:``, :data:`ingest.reports.model.REPORT`): where the finding comes from (file, line,
sheet, row, column, graph), the focus node's labels, the shape's name and the fix. A problem with the
input itself has the input check as its shape and constraint (``report:ParseCheck``, ...) and the file
as its focus node.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from coopgraph import iris
from ingest.reports.model import REPORT, Finding, Report

SH = iris.PREFIXES["sh"]
XSD = iris.PREFIXES["xsd"]
RDF_TYPE = NamedNode(iris.PREFIXES["rdf"] + "type")
PREFIXES = {**iris.PREFIXES, "report": REPORT}


def _sh(name: str) -> NamedNode:
    return NamedNode(SH + name)


def _report(name: str) -> NamedNode:
    return NamedNode(REPORT + name)


def _integer(n: int) -> Literal:
    return Literal(str(n), datatype=NamedNode(XSD + "integer"))


def file_iri(name: str) -> NamedNode:
    """The IRI of an input file named in a finding: its file: URL, or a URN for a name of no file."""
    path = Path(name)
    if path.is_absolute():
        return NamedNode(path.as_uri())
    return NamedNode("urn:x-coopgraph:input:" + quote(name, safe=""))


def _component(finding: Finding) -> NamedNode:
    if finding.kind == "shacl":
        return _sh(finding.component)
    return _report(finding.component)


def result_triples(node: BlankNode, finding: Finding) -> list[Triple]:
    focus = finding.focus if finding.focus is not None else file_iri(finding.file or "input")
    triples = [
        Triple(node, RDF_TYPE, _sh("ValidationResult")),
        Triple(node, _sh("resultSeverity"), _sh(finding.severity)),
        Triple(node, _sh("focusNode"), focus),
        Triple(node, _sh("sourceConstraintComponent"), _component(finding)),
        Triple(node, _report("kind"), Literal(finding.kind)),
    ]
    if finding.shape_iri:
        triples.append(Triple(node, _sh("sourceShape"), NamedNode(finding.shape_iri)))
    if finding.path_iri:
        triples.append(Triple(node, _sh("resultPath"), NamedNode(finding.path_iri)))
    elif finding.path:
        triples.append(Triple(node, _report("pathText"), Literal(finding.path)))
    if finding.value is not None:
        triples.append(Triple(node, _sh("value"), finding.value))
    for lang, text in finding.messages.items():
        triples.append(Triple(node, _sh("resultMessage"), Literal(text, language=lang or None)))
    for lang, text in finding.focus_labels.items():
        triples.append(Triple(node, _report("focusLabel"), Literal(text, language=lang or None)))
    for lang, text in finding.shape_names.items():
        triples.append(Triple(node, _report("shapeName"), Literal(text, language=lang or None)))
    if finding.fix:
        triples.append(Triple(node, _report("fix"), Literal(finding.fix, language="en")))
    for lang, text in finding.fixes.items():
        if lang not in ("en", "") and text:
            triples.append(Triple(node, _report("fix"), Literal(text, language=lang)))
    if finding.file:
        triples.append(Triple(node, _report("file"), Literal(finding.file)))
    for name, number in (("line", finding.line), ("row", finding.row)):
        if number is not None:
            triples.append(Triple(node, _report(name), _integer(number)))
    if isinstance(finding.column, int):
        triples.append(Triple(node, _report("character"), _integer(finding.column)))
    elif finding.column:
        triples.append(Triple(node, _report("column"), Literal(finding.column)))
    if finding.sheet:
        triples.append(Triple(node, _report("sheet"), Literal(finding.sheet)))
    if finding.graph:
        triples.append(Triple(node, _report("graph"), NamedNode(finding.graph)))
    return triples


def report_triples(report: Report) -> list[Triple]:
    root = BlankNode("report")
    boolean = NamedNode(XSD + "boolean")
    triples = [
        Triple(root, RDF_TYPE, _sh("ValidationReport")),
        Triple(root, _sh("conforms"), Literal("true" if report.conforms else "false", datatype=boolean)),
        Triple(root, _report("checked"), Literal("true" if report.checked else "false", datatype=boolean)),
        Triple(root, _report("created"), Literal(report.created)),
    ]
    if report.subject:
        triples.append(Triple(root, _report("subject"), Literal(report.subject)))
    for severity, count in sorted(report.counts.items()):
        triples.append(Triple(root, _report(severity[0].lower() + severity[1:] + "Count"), _integer(count)))
    for graph in report.shapes_graphs:
        triples.append(Triple(root, _report("shapesGraph"), NamedNode(graph)))
    for n, finding in enumerate(report.findings, start=1):
        node = BlankNode(f"r{n}")
        triples.append(Triple(root, _sh("result"), node))
        triples.extend(result_triples(node, finding))
    return triples


def to_turtle(report: Report) -> bytes:
    return pyoxigraph.serialize(report_triples(report), format=pyoxigraph.RdfFormat.TURTLE, prefixes=PREFIXES)


def to_jsonld(report: Report) -> bytes:
    return pyoxigraph.serialize(report_triples(report), format=pyoxigraph.RdfFormat.JSON_LD)

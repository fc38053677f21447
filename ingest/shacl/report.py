"""Validation results and the report, as Python objects and as a standard sh:ValidationReport graph."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from .paths import Path, PredicatePath, path_triples
from .terms import RDF_TYPE, SH, XSD, Term, short, to_rdflib

ResultPath = ox.NamedNode | Path


@dataclass(eq=False)
class ValidationResult:
    focus_node: Term
    result_path: ResultPath | None
    value: Term | None
    source_shape: Term
    source_constraint_component: ox.NamedNode
    source_constraint: Term | None
    severity: ox.NamedNode
    messages: list[ox.Literal] = field(default_factory=list)
    details: list[ValidationResult] = field(default_factory=list)

    @property
    def path_sparql(self) -> str | None:
        """The result path as SPARQL property-path text (None when there is no path)."""
        if self.result_path is None:
            return None
        if isinstance(self.result_path, ox.NamedNode):
            return str(self.result_path)
        return self.result_path.sparql()

    def key(self) -> tuple[Any, ...]:
        return (
            self.focus_node,
            self.path_sparql,
            self.value,
            self.source_shape,
            self.source_constraint_component,
            self.source_constraint,
        )

    def message(self, language: str = "en") -> str:
        """The message in ``language`` if the shape gives one, else the first message."""
        for m in self.messages:
            if m.language == language:
                return m.value
        for m in self.messages:
            if not m.language:
                return m.value
        return self.messages[0].value if self.messages else ""

    def __repr__(self) -> str:
        parts = [f"focus={short(self.focus_node)}"]
        if self.result_path is not None:
            parts.append(f"path={self.path_sparql}")
        if self.value is not None:
            parts.append(f"value={short(self.value)}")
        parts.append(f"component={short(self.source_constraint_component)}")
        parts.append(f"shape={short(self.source_shape)}")
        return "ValidationResult(" + ", ".join(parts) + ")"


def path_node(path: ResultPath, out: list[tuple[Term, ox.NamedNode, Term]]) -> Term:
    if isinstance(path, ox.NamedNode):
        return path
    if isinstance(path, PredicatePath):
        return path.iri
    root, triples = path_triples(path)
    out.extend(triples)
    return root


@dataclass
class ValidationReport:
    results: list[ValidationResult]
    queries: int = 0  # number of SPARQL queries the validation ran
    # the shapes graph, to describe blank-node shapes in the report graph (a bare "[]" says nothing)
    shapes_graph: Any = field(default=None, repr=False, compare=False)

    @property
    def conforms(self) -> bool:
        return not self.results

    def counts(self) -> dict[str, int]:
        """Number of results per severity, e.g. {"Violation": 3, "Warning": 1}."""
        c = Counter(r.severity.value.rsplit("#", 1)[-1] for r in self.results)
        return dict(c)

    def triples(self) -> Iterator[tuple[Term, ox.NamedNode, Term]]:
        report = ox.BlankNode()
        yield report, RDF_TYPE, SH.ValidationReport
        yield report, SH.conforms, ox.Literal("true" if self.conforms else "false", datatype=XSD.boolean)
        described: set[Term] = set()
        for r in self.results:
            yield report, SH.result, (node := ox.BlankNode())
            yield from _result_triples(node, r)
            if self.shapes_graph is None:
                continue
            for source in (r.source_shape, r.source_constraint):
                if isinstance(source, ox.BlankNode) and source not in described:
                    described.add(source)
                    yield from self.shapes_graph.description(source, described)

    def to_quads(self, graph_name: ox.NamedNode | ox.BlankNode | None = None) -> list[ox.Quad]:
        g = graph_name if graph_name is not None else ox.DefaultGraph()
        return [ox.Quad(s, p, o, g) for s, p, o in self.triples()]

    def to_rdflib(self) -> Any:
        """The report as an rdflib.Graph (rdflib is imported only here)."""
        from rdflib import Graph

        from .terms import SH as _SH

        g = Graph()
        g.bind("sh", _SH.base)
        for s, p, o in self.triples():
            g.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))  # type: ignore[arg-type]
        return g

    def __repr__(self) -> str:
        return f"ValidationReport(conforms={self.conforms}, results={len(self.results)})"


def _result_triples(node: ox.BlankNode, r: ValidationResult) -> Iterator[tuple[Term, ox.NamedNode, Term]]:
    yield node, RDF_TYPE, SH.ValidationResult
    yield node, SH.focusNode, r.focus_node
    if r.result_path is not None:
        extra: list[tuple[Term, ox.NamedNode, Term]] = []
        yield node, SH.resultPath, path_node(r.result_path, extra)
        yield from extra
    if r.value is not None:
        yield node, SH.value, r.value
    yield node, SH.sourceShape, r.source_shape
    yield node, SH.sourceConstraintComponent, r.source_constraint_component
    if r.source_constraint is not None:
        yield node, SH.sourceConstraint, r.source_constraint
    yield node, SH.resultSeverity, r.severity
    for m in r.messages:
        yield node, SH.resultMessage, m
    for d in r.details:
        yield node, SH.detail, (child := ox.BlankNode())
        yield from _result_triples(child, d)

"""SHACL property paths: parsed from the shapes graph, rendered as SPARQL path text and as SHACL RDF."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from .graph import ListError, ShapesGraph
from .terms import RDF_FIRST, RDF_NIL, RDF_REST, SH, Term


class PathError(ValueError):
    """The node is not a well-formed SHACL path."""


Triples = list[tuple[Term, ox.NamedNode, Term]]


@dataclass(frozen=True)
class PredicatePath:
    iri: ox.NamedNode

    def sparql(self) -> str:
        return str(self.iri)

    @property
    def nullable(self) -> bool:
        return False

    def rdf(self, out: Triples, new_node: Callable[[], Term]) -> Term:
        return self.iri


@dataclass(frozen=True)
class InversePath:
    path: Path

    def sparql(self) -> str:
        return f"^{_group(self.path)}"

    @property
    def nullable(self) -> bool:
        return self.path.nullable

    def rdf(self, out: Triples, new_node: Callable[[], Term]) -> Term:
        node = new_node()
        out.append((node, SH.inversePath, self.path.rdf(out, new_node)))
        return node


@dataclass(frozen=True)
class SequencePath:
    paths: tuple[Path, ...]

    def sparql(self) -> str:
        return "(" + "/".join(_group(p) for p in self.paths) + ")"

    @property
    def nullable(self) -> bool:
        return all(p.nullable for p in self.paths)

    def rdf(self, out: Triples, new_node: Callable[[], Term]) -> Term:
        return _rdf_list([p.rdf(out, new_node) for p in self.paths], out, new_node)


@dataclass(frozen=True)
class AlternativePath:
    paths: tuple[Path, ...]

    def sparql(self) -> str:
        return "(" + "|".join(_group(p) for p in self.paths) + ")"

    @property
    def nullable(self) -> bool:
        return any(p.nullable for p in self.paths)

    def rdf(self, out: Triples, new_node: Callable[[], Term]) -> Term:
        node = new_node()
        head = _rdf_list([p.rdf(out, new_node) for p in self.paths], out, new_node)
        out.append((node, SH.alternativePath, head))
        return node


@dataclass(frozen=True)
class RepeatPath:
    """sh:zeroOrMorePath (``*``), sh:oneOrMorePath (``+``) or sh:zeroOrOnePath (``?``)."""

    path: Path
    op: str

    def sparql(self) -> str:
        return f"{_group(self.path)}{self.op}"

    @property
    def nullable(self) -> bool:
        return self.op in "*?" or self.path.nullable

    def rdf(self, out: Triples, new_node: Callable[[], Term]) -> Term:
        node = new_node()
        pred = {"*": SH.zeroOrMorePath, "+": SH.oneOrMorePath, "?": SH.zeroOrOnePath}[self.op]
        out.append((node, pred, self.path.rdf(out, new_node)))
        return node


Path = PredicatePath | InversePath | SequencePath | AlternativePath | RepeatPath

_REPEAT = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}


def _group(path: Path) -> str:
    text = path.sparql()
    if isinstance(path, PredicatePath) or (text.startswith("(") and text.endswith(")")):
        return text
    return f"({text})"


def _rdf_list(members: list[Term], out: Triples, new_node: Callable[[], Term]) -> Term:
    head: Term = RDF_NIL
    for m in reversed(members):
        node = new_node()
        out.append((node, RDF_FIRST, m))
        out.append((node, RDF_REST, head))
        head = node
    return head


def parse_path(graph: ShapesGraph, node: Term, _seen: frozenset[Term] = frozenset()) -> Path:
    """Parse the SHACL path at ``node``; PathError if it is ill-formed or recursive."""
    if isinstance(node, ox.NamedNode):
        return PredicatePath(node)
    if isinstance(node, ox.Literal):
        raise PathError(f"a literal ({node}) is not a path")
    if node in _seen:
        raise PathError("the path refers to itself (recursive path)")
    seen = _seen | {node}
    if graph.is_list(node):  # a list wins over other path predicates on the same node
        try:
            members = graph.items(node)
        except ListError as e:
            raise PathError(f"bad sequence path: {e}") from None
        if len(members) < 2:
            raise PathError("a sequence path needs at least two members")
        return SequencePath(tuple(parse_path(graph, m, seen) for m in members))
    kinds = [p for p in (SH.inversePath, SH.alternativePath, *_REPEAT) if graph.has(node, p)]
    if len(kinds) != 1:
        raise PathError(
            "a path blank node needs exactly one of sh:inversePath, sh:alternativePath, "
            "sh:zeroOrMorePath, sh:oneOrMorePath, sh:zeroOrOnePath"
        )
    kind = kinds[0]
    values = graph.objects(node, kind)
    if len(values) != 1:
        raise PathError(f"{kind} must have exactly one value")
    value = values[0]
    if kind == SH.inversePath:
        return InversePath(parse_path(graph, value, seen))
    if kind == SH.alternativePath:
        try:
            members = graph.items(value)
        except ListError as e:
            raise PathError(f"bad sh:alternativePath list: {e}") from None
        if len(members) < 2:
            raise PathError("sh:alternativePath needs a list of at least two paths")
        return AlternativePath(tuple(parse_path(graph, m, seen) for m in members))
    return RepeatPath(parse_path(graph, value, seen), _REPEAT[kind])


def path_triples(path: Path) -> tuple[Term, Triples]:
    """The path as SHACL RDF: (root node, triples); blank nodes are fresh pyoxigraph BlankNodes."""
    out: Triples = []
    root = path.rdf(out, ox.BlankNode)
    return root, out

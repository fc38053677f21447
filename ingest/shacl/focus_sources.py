"""Focus-node sources: SPARQL group patterns that bind one variable to a set of nodes.

Every constraint query is built around a source, so the same compiled constraint runs for the targets of
a shape, for the value nodes of an enclosing shape (nested sh:node, sh:or ..., evaluated for all nodes
at once), for a restricted set of focus nodes, or for a materialised set of nodes. A source never
needs its nodes written into the query when they are blank nodes (which SPARQL text cannot name).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from .hierarchy import Hierarchy
from .model import Targets
from .paths import Path
from .terms import RDF_TYPE, SUBCLASS_OF, Term, sparql_term


class Names:
    """Fresh variable names for one query (prefixed so they cannot meet a user's variables)."""

    def __init__(self) -> None:
        self.n = 0

    def fresh(self, hint: str = "v") -> str:
        self.n += 1
        return f"_sh{hint}{self.n}"


def values_block(var: str, nodes: list[Term]) -> str:
    return f"VALUES ?{var} {{ {' '.join(sparql_term(n) for n in nodes)} }}"


class Source:
    """Base class: ``pattern(var, names)`` is a group pattern binding ``?var`` to the nodes (possibly
    more than once: queries built on a source must not depend on the multiplicity)."""

    def pattern(self, var: str, names: Names) -> str:
        raise NotImplementedError

    @property
    def key(self) -> str:
        """The identity of the node set, for caches (not always the pattern text: two materialised
        sets of blank nodes have the same pattern)."""
        cached = getattr(self, "_key", None)
        if cached is None:
            cached = self._identity()
            object.__setattr__(self, "_key", cached)
        return cached

    def _identity(self) -> str:
        return self.pattern("x", Names())

    @property
    def superset_of(self) -> frozenset[Term] | None:
        """For a materialised source that had to include extra blank nodes: the nodes it stands for."""
        return None

    @property
    def stable(self) -> bool:
        """Whether the pattern is the same from one validation to the next (so queries can be cached)."""
        return False


@dataclass(frozen=True, eq=False)
class TargetSource(Source):
    """The target nodes of a shape. The pattern may bind a node more than once (a node with two
    classes of the target); every query built on a source is written to be safe with duplicates,
    which is cheaper than a DISTINCT sub-query over a large target set."""

    targets: Targets
    #: For servers without LATERAL (Virtuoso): the data's class hierarchy, read for this validation, so
    #: that each class is matched by its type listed with its subclasses, not by a path (hierarchy.py).
    hierarchy: Hierarchy | None = None

    def branches(self, var: str, names: Names) -> list[str]:
        t = self.targets
        out = []
        if t.nodes:
            out.append(values_block(var, t.nodes))
        if self.hierarchy is not None:
            h = self.hierarchy
            path = f"{RDF_TYPE}/{SUBCLASS_OF}*"
            out.extend(
                h.typed(var, c, names.fresh("t")) if h.writable(c) else f"?{var} {path} {sparql_term(c)} ."
                for c in t.classes
            )
        elif len(t.classes) == 1:
            out.extend(f"?{var} {RDF_TYPE}/{SUBCLASS_OF}* {sparql_term(c)} ." for c in t.classes)
        elif t.classes:
            # one VALUES branch rather than a UNION per class: Oxigraph then starts from the classes
            # instead of testing every class for every candidate node (100x faster on real shapes)
            c = names.fresh("c")
            out.append(f"{values_block(c, t.classes)} ?{var} {RDF_TYPE}/{SUBCLASS_OF}* ?{c} .")
        for p in t.subjects_of:
            out.append(f"?{var} {sparql_term(p)} ?{names.fresh('o')} .")
        for p in t.objects_of:
            out.append(f"?{names.fresh('s')} {sparql_term(p)} ?{var} .")
        return out

    def pattern(self, var: str, names: Names) -> str:
        branches = self.branches(var, names)
        if not branches:
            return "{ FILTER(false) }"
        return "{ " + " UNION ".join("{ " + b + " }" for b in branches) + " }"

    @property
    def stable(self) -> bool:
        return self.hierarchy is None  # else the text lists the classes of this validation's data

    def blank_targets(self, var: str, names: Names) -> str:
        """A query for all blank-node targets (a requested blank focus node cannot be written in a query)."""
        return f"SELECT DISTINCT ?{var} WHERE {{ {self.pattern(var, names)} FILTER(isBlank(?{var})) }}"


@dataclass(frozen=True, eq=False)
class NodesSource(Source):
    """A materialised set of nodes (requested focus nodes that are targets; nodes at a recursion cut).
    Blank nodes cannot be written into a query, so when there are any, every blank node of the data
    joins the source and results are intersected with ``nodes`` in Python (``superset_of``)."""

    nodes: frozenset[Term]

    def pattern(self, var: str, names: Names) -> str:
        nonblank = sorted((n for n in self.nodes if not isinstance(n, ox.BlankNode)), key=str)
        parts = []
        if nonblank:
            parts.append(values_block(var, nonblank))
        if self.has_blank:
            p, o, s = names.fresh("p"), names.fresh("o"), names.fresh("s")
            parts.append(f"{{ ?{var} ?{p} ?{o} }} UNION {{ ?{s} ?{p} ?{var} }} FILTER(isBlank(?{var}))")
        if not parts:
            return "{ FILTER(false) }"
        return f"{{ SELECT DISTINCT ?{var} WHERE {{ {' UNION '.join('{ ' + p + ' }' for p in parts)} }} }}"

    def _identity(self) -> str:
        return "nodes:" + " ".join(sorted(str(n) for n in self.nodes))

    @property
    def has_blank(self) -> bool:
        return any(isinstance(n, ox.BlankNode) for n in self.nodes)

    @property
    def superset_of(self) -> frozenset[Term] | None:
        return self.nodes if self.has_blank else None


def path_step(subject: str, path: Path, obj: str) -> str:
    """``?subject path ?obj`` as a pattern; for paths that can be empty the subject itself is also a
    value, even when it does not occur in the data (SPARQL's zero-length paths only cover graph nodes)."""
    if not path.nullable:
        return f"?{subject} {path.sparql()} ?{obj} ."
    return f"LATERAL {{ {{ ?{subject} {path.sparql()} ?{obj} }} UNION {{ BIND(?{subject} AS ?{obj}) }} }}"


@dataclass(frozen=True, eq=False)
class ValueSource(Source):
    """The value nodes reached from the nodes of ``parent`` through ``path``."""

    parent: Source
    path: Path

    def pattern(self, var: str, names: Names) -> str:
        f = names.fresh("f")
        return (
            f"{{ SELECT DISTINCT ?{var} WHERE {{ {self.parent.pattern(f, names)} "
            f"{path_step(f, self.path, var)} }} }}"
        )

    @property
    def superset_of(self) -> frozenset[Term] | None:
        return None

    @property
    def stable(self) -> bool:
        return self.parent.stable

    def _identity(self) -> str:
        return f"values({self.parent.key}) {self.path.sparql()}"


def value_source(parent: Source, path: Path | None) -> Source:
    """The value nodes of a shape whose focus nodes come from ``parent`` (node shapes: the same nodes)."""
    return parent if path is None else ValueSource(parent, path)


def pairs_pattern(source: Source, path: Path | None, this: str, value: str, names: Names) -> str:
    """A pattern binding ``?this`` (focus node) and ``?value`` (each of its value nodes)."""
    if path is None:
        return f"{source.pattern(this, names)} BIND(?{this} AS ?{value})"
    return f"{source.pattern(this, names)} {path_step(this, path, value)}"


def has_value_expr(this: str, path: Path | None, node_expr: str) -> str:
    """An expression that is true when ``node_expr`` is a value node of ``?this``."""
    if path is None:
        return f"sameTerm(?{this}, {node_expr})"
    test = f"EXISTS {{ ?{this} {path.sparql()} {node_expr} }}"
    if path.nullable:
        test = f"(sameTerm(?{this}, {node_expr}) || {test})"
    return test

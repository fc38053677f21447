"""Which of a set of given nodes each shape targets, looked up from the nodes themselves.

A query of the form ``VALUES ?this { ...given nodes... } { ?this rdf:type/rdfs:subClassOf* ?class }``
makes Oxigraph start the path from the classes and enumerate every instance in the data before joining
with the given nodes: its cost follows the size of the data, not the number of nodes. Here the nodes'
own statements are read instead (their types, whether they have a value for a predicate, whether a
statement points at them with a predicate), in chunks of nodes written into the query, and matched with
the targets in Python; the class hierarchy is read once, downwards from the target classes. The same
node sets result as from ``rdf:type/rdfs:subClassOf*`` and the other SHACL target definitions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from .focus_sources import values_block
from .hierarchy import Hierarchy
from .model import Shape
from .terms import RDF_TYPE, SUBCLASS_OF, Term, sparql_term

Select = Callable[[str], list[Any]]
#: Nodes per query: Oxigraph joins a VALUES block of up to about a hundred nodes by index lookups, and
#: larger blocks cost more per node (a thousand nodes cost 10-20x more per node than a hundred).
CHUNK = 100


def _chunks(items: list[Term], size: int = CHUNK) -> Iterable[list[Term]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _subclasses(select: Select, classes: set[Term]) -> dict[Term, set[Term]]:
    """Each class and its subclasses (rdfs:subClassOf*), read from the classes downwards: one branch
    per class with the class written in (a path from a constant end, which every planner starts there)."""
    out: dict[Term, set[Term]] = {c: {c} for c in classes}  # the zero-length path: a class is its own
    named = sorted((c for c in classes if not isinstance(c, ox.BlankNode)), key=str)
    if not named:
        return out
    branches = [f"{{ ?sub {SUBCLASS_OF}* {sparql_term(c)} BIND({sparql_term(c)} AS ?class) }}" for c in named]
    for row in select(f"SELECT DISTINCT ?sub ?class WHERE {{ {' UNION '.join(branches)} }}"):
        out[row["class"]].add(row["sub"])
    return out


def _types(select: Select, nodes: list[Term]) -> dict[Term, set[Term]]:
    found: dict[Term, set[Term]] = defaultdict(set)
    for chunk in _chunks(nodes):
        for row in select(
            f"SELECT ?this ?type WHERE {{ {values_block('this', chunk)} ?this {RDF_TYPE} ?type }}"
        ):
            found[row["this"]].add(row["type"])
    return found


def _with_predicate(
    select: Select, nodes: list[Term], predicates: set[ox.NamedNode], as_subject: bool
) -> dict[Term, set[Term]]:
    """For each node, the ``predicates`` it is the subject (or object) of a statement with. A node's
    own statements are read and filtered (a node has few); statements pointing at a node are only
    tested for existence (a node may be pointed at by a large part of the data)."""
    found: dict[Term, set[Term]] = defaultdict(set)
    if not predicates:
        return found
    ordered = sorted(predicates, key=str)
    for chunk in _chunks(nodes):
        block = values_block("this", chunk)
        if as_subject:
            listed = ", ".join(sparql_term(p) for p in ordered)
            query = f"SELECT DISTINCT ?this ?p WHERE {{ {block} ?this ?p ?o FILTER(?p IN ({listed})) }}"
        else:
            preds = values_block("p", ordered)
            query = f"SELECT ?this ?p WHERE {{ {block} {preds} FILTER EXISTS {{ ?s ?p ?this }} }}"
        for row in select(query):
            found[row["this"]].add(row["p"])
    return found


def given_targets(
    select: Select, shapes: list[Shape], nodes: list[Term], hierarchy: Hierarchy | None = None
) -> dict[int, set[Term]]:
    """For each shape (by id), the nodes among ``nodes`` (IRIs and literals) that are its targets.
    ``hierarchy``: the data's classes, already read (without LATERAL: hierarchy.py)."""
    classes = {c for s in shapes for c in s.targets.classes}
    subjects_of = {p for s in shapes for p in s.targets.subjects_of}
    objects_of = {p for s in shapes for p in s.targets.objects_of}
    if hierarchy is not None:
        subclasses = {c: set(hierarchy.down(c)) for c in classes}
    else:
        subclasses = _subclasses(select, classes) if classes else {}
    types = _types(select, nodes) if classes else {}
    as_subject = _with_predicate(select, nodes, subjects_of, True)
    as_object = _with_predicate(select, nodes, objects_of, False)
    given = set(nodes)
    out: dict[int, set[Term]] = {}
    for shape in shapes:
        t = shape.targets
        matched = {n for n in t.nodes if n in given}
        wanted_types = set().union(*(subclasses[c] for c in t.classes)) if t.classes else set()
        if wanted_types:
            matched.update(n for n, found in types.items() if found & wanted_types)
        if t.subjects_of:
            matched.update(n for n, found in as_subject.items() if found.intersection(t.subjects_of))
        if t.objects_of:
            matched.update(n for n, found in as_object.items() if found.intersection(t.objects_of))
        out[id(shape)] = matched
    return out

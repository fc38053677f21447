"""Which of a set of given nodes each shape targets, looked up from the nodes themselves.

A query of the form ``VALUES ?this { ...given nodes... } { ?this rdf:type/rdfs:subClassOf* ?class }``
makes Oxigraph start the path from the classes and enumerate every instance in the data before joining
with the given nodes: its cost follows the size of the data, not the number of nodes. Here the nodes'
own statements are read instead (their types, whether they have a value for a predicate, whether a
statement points at them with a predicate), in chunks of nodes written into the query (run at once on
the validation's threads), and matched with the targets in Python through the data's class hierarchy
(hierarchy.py), read once. The same node sets result as from ``rdf:type/rdfs:subClassOf*`` and the other
SHACL target definitions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from .focus_sources import values_block
from .hierarchy import Hierarchy
from .model import Shape
from .terms import RDF_TYPE, Term, sparql_term

#: Runs query texts (at once, where it can) and gives their solutions, in the order of the texts.
SelectMany = Callable[[list[str]], list[list[Any]]]
#: Nodes per query: Oxigraph joins a VALUES block of up to about a hundred nodes by index lookups, and
#: larger blocks cost more per node (a thousand nodes cost 10-20x more per node than a hundred).
CHUNK = 100


def _chunks(items: list[Term], size: int = CHUNK) -> list[list[Term]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _types_query(chunk: list[Term]) -> str:
    return f"SELECT ?this ?p WHERE {{ {values_block('this', chunk)} ?this {RDF_TYPE} ?p }}"


def _predicate_query(chunk: list[Term], ordered: list[Term], as_subject: bool) -> str:
    """A node's own statements are read and filtered (a node has few); statements pointing at a node are
    only tested for existence (a node may be pointed at by a large part of the data)."""
    block = values_block("this", chunk)
    if as_subject:
        listed = ", ".join(sparql_term(p) for p in ordered)
        return f"SELECT DISTINCT ?this ?p WHERE {{ {block} ?this ?p ?o FILTER(?p IN ({listed})) }}"
    return f"SELECT ?this ?p WHERE {{ {block} {values_block('p', ordered)} FILTER EXISTS {{ ?s ?p ?this }} }}"


def given_targets(
    select_many: SelectMany, shapes: list[Shape], nodes: list[Term], hierarchy: Hierarchy
) -> dict[int, set[Term]]:
    """For each shape (by id), the nodes among ``nodes`` (IRIs and literals) that are its targets.
    ``hierarchy``: the data's classes."""
    # which shapes each type, and each predicate (of a statement from or to the node), makes a node a
    # target of: each found (node, type or predicate) then names its shapes at once
    by_key: dict[tuple[str, Term], list[int]] = defaultdict(list)
    for shape in shapes:
        t = shape.targets
        for cls in t.classes:
            for sub in hierarchy.down(cls):
                by_key["type", sub].append(id(shape))
        for p in t.subjects_of:
            by_key["subject", p].append(id(shape))
        for p in t.objects_of:
            by_key["object", p].append(id(shape))
    kinds: list[str] = []
    texts: list[str] = []
    chunks = _chunks(nodes)
    if any(kind == "type" for kind, _ in by_key):
        kinds += ["type"] * len(chunks)
        texts += [_types_query(c) for c in chunks]
    for kind in ("subject", "object"):
        ordered = sorted((p for k, p in by_key if k == kind), key=str)
        if ordered:
            kinds += [kind] * len(chunks)
            texts += [_predicate_query(c, ordered, kind == "subject") for c in chunks]
    out: dict[int, set[Term]] = {id(shape): set() for shape in shapes}
    for kind, rows in zip(kinds, select_many(texts), strict=True):
        for row in rows:
            for shape_id in by_key.get((kind, row["p"]), ()):
                out[shape_id].add(row["this"])
    given = set(nodes)
    for shape in shapes:
        out[id(shape)].update(n for n in shape.targets.nodes if n in given)
    return out

"""The data's class hierarchy, read once: for the nodes of a batch, which shapes target them
(focus_targets.py), and, on servers whose planner cannot be trusted with ``rdf:type/rdfs:subClassOf*``
(those without LATERAL: Virtuoso 7.2), every class test.

Virtuoso 7.2 answers the path wrongly in some states: with the dataset named by several
``default-graph-uri`` (as the remote store names every query's dataset), a join through the path drops
rows, so a value whose type is not a subclass of the wanted class is not reported (docs/SCALE-OUT.md).
Whether it happens depends on the server's state (seen in one run of six of the same tests). Without
LATERAL, the gate therefore reads the ``rdfs:subClassOf`` statements of the data once per validation (a
plain triple pattern), closes them here, and writes each class test as ``rdf:type`` with the class and
its subclasses listed: no path is left for the server to plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from .terms import RDF_TYPE, SUBCLASS_OF, Term, sparql_term


class Hierarchy:
    """``rdfs:subClassOf`` statements, downwards: each class and its (transitive) subclasses."""

    def __init__(self, edges: Iterable[tuple[Term, Term]]) -> None:
        self._below: dict[Term, set[Term]] = defaultdict(set)
        for sub, sup in edges:
            self._below[sup].add(sub)
        self._closed: dict[Term, frozenset[Term]] = {}

    @classmethod
    def read(cls, select: Callable[[str], list[Any]]) -> Hierarchy:
        rows = select(f"SELECT DISTINCT ?sub ?super WHERE {{ ?sub {SUBCLASS_OF} ?super }}")
        return cls((r["sub"], r["super"]) for r in rows)

    def down(self, cls: Term) -> frozenset[Term]:
        """``cls`` and every class below it (rdfs:subClassOf*: a class is its own subclass)."""
        found = self._closed.get(cls)
        if found is None:
            seen = {cls}
            todo = [cls]
            while todo:
                for sub in self._below.get(todo.pop(), ()):
                    if sub not in seen:
                        seen.add(sub)
                        todo.append(sub)
            found = self._closed[cls] = frozenset(seen)
        return found

    def writable(self, cls: Term) -> bool:
        """Whether the class and its subclasses can all be written in a query (no blank node)."""
        return not any(isinstance(c, ox.BlankNode) for c in self.down(cls))

    def typed(self, var: str, cls: Term, type_var: str) -> str:
        """A pattern binding ``?var`` to the instances of ``cls`` (``writable(cls)`` must hold)."""
        listed = ", ".join(sparql_term(c) for c in sorted(self.down(cls), key=str))
        return f"?{var} {RDF_TYPE} ?{type_var} . FILTER(?{type_var} IN ({listed}))"

"""A small in-memory index of the shapes graph (shapes graphs are small; the data never goes here)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox

from .terms import RDF_FIRST, RDF_NIL, RDF_REST, RDF_TYPE, SUBCLASS_OF, Subject, Term


def _index() -> defaultdict[Term, list[Term]]:
    """An inner index (a module-level function, not a lambda, so that the graph can be pickled)."""
    return defaultdict(list)


class ListError(ValueError):
    """An RDF list that is not well formed (cycle, branch, missing rdf:first)."""


class ShapesGraph:
    """Subject/predicate and predicate/object indexes over the triples of the shapes graph."""

    def __init__(self, triples: Iterable[ox.Triple | ox.Quad]) -> None:
        self._sp: dict[Term, dict[ox.NamedNode, list[Term]]] = defaultdict(_index)  # type: ignore[arg-type]
        self._po: dict[ox.NamedNode, dict[Term, list[Term]]] = defaultdict(_index)
        self.triples: list[ox.Triple] = []
        seen: set[ox.Triple] = set()
        for t in triples:
            triple = ox.Triple(t.subject, t.predicate, t.object)
            if triple in seen:
                continue
            seen.add(triple)
            self.triples.append(triple)
            self._sp[t.subject][t.predicate].append(t.object)
            self._po[t.predicate][t.object].append(t.subject)

    def objects(self, subject: Term, predicate: ox.NamedNode) -> list[Term]:
        by_p = self._sp.get(subject)
        if not by_p:
            return []
        return list(by_p.get(predicate, ()))

    def value(self, subject: Term, predicate: ox.NamedNode) -> Term | None:
        objs = self.objects(subject, predicate)
        return objs[0] if objs else None

    def subjects(self, predicate: ox.NamedNode, obj: Term | None = None) -> list[Term]:
        by_o = self._po.get(predicate)
        if not by_o:
            return []
        if obj is None:
            out: list[Term] = []
            for subs in by_o.values():
                out.extend(subs)
            return list(dict.fromkeys(out))
        return list(by_o.get(obj, ()))

    def subject_objects(self, predicate: ox.NamedNode) -> Iterator[tuple[Term, Term]]:
        for obj, subs in self._po.get(predicate, {}).items():
            for s in subs:
                yield s, obj

    def predicates(self, subject: Term) -> list[ox.NamedNode]:
        return list(self._sp.get(subject, {}).keys())

    def has(self, subject: Term, predicate: ox.NamedNode) -> bool:
        return bool(self._sp.get(subject, {}).get(predicate))

    def items(self, head: Term) -> list[Term]:
        """The members of the RDF list starting at ``head``; ListError if it is not a well-formed list."""
        out: list[Term] = []
        node = head
        seen: set[Term] = set()
        while node != RDF_NIL:
            if node in seen:
                raise ListError("the list has a cycle")
            seen.add(node)
            firsts = self.objects(node, RDF_FIRST)
            rests = self.objects(node, RDF_REST)
            if len(firsts) != 1 or len(rests) != 1:
                raise ListError(f"list node {node} needs exactly one rdf:first and one rdf:rest")
            out.append(firsts[0])
            node = rests[0]
        return out

    def description(self, node: Term, seen: set[Term]) -> Iterator[tuple[Term, ox.NamedNode, Term]]:
        """The triples about a blank node, following blank-node objects (its concise bounded
        description); nodes in ``seen`` are not described again."""
        todo = [node]
        while todo:
            subject = todo.pop()
            for p, objects in self._sp.get(subject, {}).items():
                for o in objects:
                    yield subject, p, o
                    if isinstance(o, ox.BlankNode) and o not in seen:
                        seen.add(o)
                        todo.append(o)

    def is_list(self, node: Term) -> bool:
        return node == RDF_NIL or self.has(node, RDF_FIRST)

    def instances_of(self, cls: Term) -> set[Term]:
        """SHACL instances of ``cls`` in the shapes graph (rdf:type/rdfs:subClassOf*)."""
        classes = self.subclasses(cls)
        out: set[Term] = set()
        for c in classes:
            out.update(self.subjects(RDF_TYPE, c))
        return out

    def subclasses(self, cls: Term) -> set[Term]:
        todo = [cls]
        found = {cls}
        while todo:
            c = todo.pop()
            for sub in self.subjects(SUBCLASS_OF, c):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return found

    def is_instance_of(self, node: Subject, cls: Term) -> bool:
        types = set(self.objects(node, RDF_TYPE))
        return bool(types & self.subclasses(cls))


class DeferredGraph:
    """A shapes graph indexed on first use. A compiled model read from its cache (see cache.py) needs
    the graph only to describe blank-node shapes in a W3C report; indexing it costs most of what
    compiling the shapes costs."""

    def __init__(self, triples: Iterable[ox.Triple | ox.Quad]) -> None:
        self._triples = list(triples)
        self._graph: ShapesGraph | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._graph is None:
            self._graph = ShapesGraph(self._triples)
        return getattr(self._graph, name)

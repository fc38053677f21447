"""Adapter for the W3C SHACL test-suite runner: ``validate(data_graph, shapes_graph) -> report graph``.

The data graph is loaded into an in-memory Oxigraph store (its default graph) and the shapes graph into
a named graph of the same store, for ``$shapesGraph``. Oxigraph canonicalises some literals when it
stores them ("300"^^xsd:byte becomes "300"^^xsd:integer, "01"^^xsd:integer becomes "1"), so the report's
terms are mapped back to the terms of the graphs as given, and datatypes are checked strictly (no
leniency for the derived integer types, see datatypes.py): the suite compares against the input terms.
Raises on ill-formed shapes and unsupported SPARQL (the suite's sht:Failure tests).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .api import Shapes
from .cache import load_or_compile
from .terms import Term, from_rdflib, to_rdflib

SHAPES_GRAPH = ox.NamedNode("urn:x-coopgraph:shacl:shapes-graph")
_PROBE = ox.NamedNode("urn:x-coopgraph:shacl:probe")


class _DefaultGraphOnly:
    """The store seen with the data graph as default graph and the shapes graph as a named graph."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def query(self, text: str) -> Any:
        return self.store.query(text)


def _stored_form(scratch: ox.Store, term: Term) -> Term:
    if not isinstance(term, ox.Literal):
        return term
    scratch.add(ox.Quad(_PROBE, _PROBE, term))
    stored = next(iter(scratch.quads_for_pattern(_PROBE, _PROBE, None))).object
    scratch.clear()
    return stored


def _through_cache(shapes_graph: Any, folder: Path) -> Shapes:
    """The shapes compiled into the cache ``folder``, then read back from it."""
    bnodes: dict[str, ox.BlankNode] = {}
    triples = [ox.Triple(*(from_rdflib(t, bnodes) for t in triple)) for triple in shapes_graph]  # type: ignore[misc]
    load_or_compile(triples, folder)
    return load_or_compile(triples, folder)


def validate(data_graph: Any, shapes_graph: Any, lateral: bool = True, cache: Path | None = None) -> Any:
    """``cache``: a folder the compiled shapes go through (written, then read back) before validating."""
    shapes = Shapes.from_rdflib(shapes_graph) if cache is None else _through_cache(shapes_graph, cache)
    store, scratch = ox.Store(), ox.Store()
    originals: dict[Term, Any] = {}
    quads = []
    for graph_name, graph in ((ox.DefaultGraph(), data_graph), (SHAPES_GRAPH, shapes_graph)):
        bnodes: dict[str, ox.BlankNode] = {}
        for s, p, o in graph:
            terms = [from_rdflib(t, bnodes) for t in (s, p, o)]
            if graph_name == ox.DefaultGraph():
                for term, original in zip(terms, (s, p, o), strict=True):
                    if isinstance(term, ox.Literal):
                        originals.setdefault(_stored_form(scratch, term), original)
            quads.append(ox.Quad(*terms, graph_name))  # type: ignore[arg-type]
    store.extend(quads)
    report = shapes.validate(
        _DefaultGraphOnly(store), shapes_graph=SHAPES_GRAPH, lenient_integers=False, lateral=lateral
    )

    from rdflib import Graph

    def back(term: Term) -> Any:
        original = originals.get(term)  # (an rdflib Literal can be falsy: compare with None)
        return original if original is not None else to_rdflib(term)

    out = Graph()
    for s, p, o in report.triples():
        out.add((back(s), back(p), back(o)))
    return out

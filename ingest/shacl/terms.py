"""Vocabulary constants and small helpers for pyoxigraph terms (SPARQL text, rdflib conversion)."""

from __future__ import annotations

from typing import TypeAlias

import pyoxigraph as ox

Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal
Subject: TypeAlias = ox.NamedNode | ox.BlankNode


class _Namespace:
    """``NS.name`` and ``NS["name"]`` give a pyoxigraph NamedNode under a base IRI."""

    def __init__(self, base: str) -> None:
        self._base = base

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        return ox.NamedNode(self._base + name)

    def __getitem__(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(self._base + name)

    @property
    def base(self) -> str:
        return self._base


SH = _Namespace("http://www.w3.org/ns/shacl#")
RDF = _Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = _Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = _Namespace("http://www.w3.org/2001/XMLSchema#")
OWL = _Namespace("http://www.w3.org/2002/07/owl#")

RDF_TYPE = RDF.type
RDF_FIRST = RDF.first
RDF_REST = RDF.rest
RDF_NIL = RDF.nil
SUBCLASS_OF = RDFS.subClassOf


def sparql_term(term: Term) -> str:
    """The SPARQL/N-Triples text of an IRI or literal (blank nodes cannot be written in a query)."""
    if isinstance(term, ox.BlankNode):
        raise ValueError("a blank node cannot be written into SPARQL text")
    return str(term)


def is_blank(term: object) -> bool:
    return isinstance(term, ox.BlankNode)


def literal_text(term: Term | None) -> str | None:
    """The lexical form of a literal, None for anything else."""
    return term.value if isinstance(term, ox.Literal) else None


def short(term: object) -> str:
    """A compact human label for messages: prefixed name for well-known namespaces, else N-Triples."""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in (("sh", SH), ("rdf", RDF), ("rdfs", RDFS), ("xsd", XSD), ("owl", OWL)):
            if term.value.startswith(ns.base):
                return f"{prefix}:{term.value[len(ns.base) :]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return str(term)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


# --------------------------------------------------------------------------- rdflib edge
def from_rdflib(term: object, bnodes: dict[str, ox.BlankNode] | None = None) -> Term:
    """Convert an rdflib term to pyoxigraph, keeping literals' lexical forms exactly."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        key = str(term)
        if bnodes is None:
            return _bnode(key)
        found = bnodes.get(key)
        if found is None:
            found = bnodes[key] = _bnode(key)
        return found
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to a pyoxigraph term")


def _bnode(key: str) -> ox.BlankNode:
    try:
        return ox.BlankNode(key)
    except ValueError:
        return ox.BlankNode()


def to_rdflib(term: object) -> object:
    """Convert a pyoxigraph term to rdflib (xsd:string literals become plain literals)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language, normalize=False)
        if term.datatype == XSD.string:
            return Literal(term.value, normalize=False)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise TypeError(f"cannot convert {term!r} to an rdflib term")

"""JSON-LD compacted against the project's context (``ontology/context.jsonld``), written node by node.

pyoxigraph writes expanded JSON-LD, where a portal that frames by ``type`` or reads ``label`` finds
nothing; rdflib compacts, but holds the whole graph in memory. This writer takes the quads of one
subject at a time (as a store hands them out, grouped by subject) and writes one node object each,
using the context's terms where their definition fits the values (``@type: @id``, a datatype, a
language map) and compact IRIs (``cg:…``) or full IRIs elsewhere, so that expanding the output with
the same context gives back exactly the quads that went in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from typing import IO, Any

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Triple

from coopgraph.settings import PROJECT_ROOT

CONTEXT_FILE = PROJECT_ROOT / "ontology" / "context.jsonld"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
#: Characters a prefix IRI must end with to be used in compact IRIs (JSON-LD 1.1, gen-delims).
GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")
Node = NamedNode | BlankNode
Value = NamedNode | BlankNode | Literal


@dataclass(frozen=True)
class Term:
    """A term of the context: the IRI it stands for and how it shapes its values."""

    name: str
    iri: str
    coerce: str | None = None  #: "@id", or a datatype IRI the values are written without
    container: str | None = None  #: "@language", "@set" or None


class Context:
    """The terms and prefixes of a JSON-LD context, for compacting IRIs and choosing property keys."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.prefixes: dict[str, str] = {}
        raw: dict[str, Any] = {k: v for k, v in context.items() if not k.startswith("@")}
        for name, value in raw.items():
            if isinstance(value, str) and ":" not in name and value.endswith(GEN_DELIMS):
                self.prefixes[name] = value
        self.terms: dict[str, list[Term]] = {}
        self.class_terms: dict[str, str] = {}
        for name, value in raw.items():
            term = self._term(name, value)
            if term is None:
                continue
            self.terms.setdefault(term.iri, []).append(term)
            if term.coerce is None and term.container is None and isinstance(value, str):
                self.class_terms.setdefault(term.iri, name)

    def _term(self, name: str, value: Any) -> Term | None:
        if ":" in name or name in self.prefixes:
            return None
        if isinstance(value, str):
            return None if value.startswith("@") else Term(name, self.expand(value))
        if not isinstance(value, dict) or not set(value) <= {"@id", "@type", "@container"}:
            return None  # a definition this writer does not reproduce: the property gets a compact IRI
        if "@id" not in value or str(value["@id"]).startswith("@"):
            return None
        coerce = value.get("@type")
        if coerce is not None and coerce != "@id":
            coerce = self.expand(coerce)
        container = value.get("@container")
        if container not in (None, "@language", "@set"):
            return None
        return Term(name, self.expand(value["@id"]), coerce, container)

    def expand(self, value: str) -> str:
        prefix, colon, local = value.partition(":")
        if colon and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        return value

    def iri(self, iri: str) -> str:
        """``cg:Agreement`` for an IRI under a prefix of the context, the IRI itself otherwise."""
        best = ""
        found = iri
        for prefix, namespace in self.prefixes.items():
            if iri.startswith(namespace) and len(namespace) > len(best) and len(iri) > len(namespace):
                best, found = namespace, f"{prefix}:{iri[len(namespace) :]}"
        return found

    def type_name(self, iri: str) -> str:
        return self.class_terms.get(iri) or self.iri(iri)


@lru_cache(maxsize=1)
def project_context() -> Context:
    return Context(json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"])


def _node_id(node: Node, context: Context) -> str:
    return f"_:{node.value}" if isinstance(node, BlankNode) else context.iri(node.value)


def _expanded(value: Value, context: Context) -> Any:
    """A value object as expanded JSON-LD writes it (valid under any term without coercion)."""
    if isinstance(value, NamedNode | BlankNode):
        return {"@id": _node_id(value, context)}
    if value.language:
        return {"@value": value.value, "@language": value.language}
    if value.datatype.value == XSD_STRING:
        return value.value
    return {"@value": value.value, "@type": context.iri(value.datatype.value)}


def _fits(term: Term, values: list[Value]) -> bool:
    if term.container == "@language":
        return all(isinstance(v, Literal) and v.language for v in values)
    if term.coerce == "@id":
        return all(isinstance(v, NamedNode | BlankNode) for v in values)
    if term.coerce is not None:
        return all(
            isinstance(v, Literal) and not v.language and v.datatype.value == term.coerce for v in values
        )
    return True


def _property(predicate: str, values: list[Value], context: Context) -> tuple[str, Any]:
    """The key and the compacted value(s) of one property of a node."""
    for term in context.terms.get(predicate, ()):
        if not _fits(term, values):
            continue
        if term.container == "@language":
            by_language: dict[str, Any] = {}
            for v in values:
                assert isinstance(v, Literal) and v.language
                by_language.setdefault(v.language, []).append(v.value)
            return term.name, {k: v[0] if len(v) == 1 else v for k, v in by_language.items()}
        if term.coerce == "@id":
            written = [_node_id(v, context) for v in values]  # type: ignore[arg-type]
        elif term.coerce is not None:
            written = [v.value for v in values]
        else:
            written = [_expanded(v, context) for v in values]
        return term.name, written if len(written) > 1 or term.container == "@set" else written[0]
    written = [_expanded(v, context) for v in values]
    return context.iri(predicate), written[0] if len(written) == 1 else written


def node_object(
    subject: Node, triples: Iterable[tuple[NamedNode, Value]], context: Context
) -> dict[str, Any]:
    """One node object from the (predicate, object) pairs of one subject."""
    node: dict[str, Any] = {"id": _node_id(subject, context)}
    types: list[str] = []
    by_predicate: dict[str, list[Value]] = {}
    for predicate, obj in triples:
        if predicate.value == RDF_TYPE and isinstance(obj, NamedNode):
            types.append(context.type_name(obj.value))
        else:
            by_predicate.setdefault(predicate.value, []).append(obj)
    if types:
        node["type"] = types[0] if len(types) == 1 else types
    for predicate, values in by_predicate.items():
        key, written = _property(predicate, values, context)
        node[key] = written
    return node


def _nodes(triples: Iterable[Triple | Quad], context: Context) -> Iterator[dict[str, Any]]:
    """Node objects of triples grouped by subject (a subject seen again later gets a node of its own,
    which JSON-LD merges)."""
    for subject, group in groupby(triples, key=lambda t: t.subject):
        yield node_object(subject, ((t.predicate, t.object) for t in group), context)  # type: ignore[arg-type]


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_graph(out: IO[str], triples: Iterable[Triple | Quad], context_url: str) -> None:
    """A graph as one JSON-LD document: ``{"@context": url, "@graph": [nodes]}``."""
    out.write('{"@context":' + _dump(context_url) + ',"@graph":[\n')
    first = True
    for node in _nodes(triples, project_context()):
        out.write(("" if first else ",\n") + _dump(node))
        first = False
    out.write("\n]}\n")


def write_dataset(out: IO[str], quads: Iterable[Quad], context_url: str) -> None:
    """A dataset as one JSON-LD document: the default graph's nodes, then one named-graph object per
    graph (the quads grouped by graph, each graph's grouped by subject)."""
    context = project_context()
    out.write('{"@context":' + _dump(context_url) + ',"@graph":[\n')
    first = True
    for graph, group in groupby(quads, key=lambda q: q.graph_name):
        if isinstance(graph, DefaultGraph):
            for node in _nodes(group, context):
                out.write(("" if first else ",\n") + _dump(node))
                first = False
            continue
        out.write(("" if first else ",\n") + '{"id":' + _dump(_node_id(graph, context)) + ',"@graph":[\n')
        first = False
        inner_first = True
        for node in _nodes(group, context):
            out.write(("" if inner_first else ",\n") + _dump(node))
            inner_first = False
        out.write("\n]}")
    out.write("\n]}\n")

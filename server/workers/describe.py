"""What a resource IRI dereferences to, worked out in a query worker.

The description of a resource is its concise bounded description (its statements, and those of the
blank nodes they reach, recursively) plus the statements that point at it (incoming links), each with
the named graph that holds it. Programs get it as RDF (the graph formats merge the graphs; TriG and
N-Quads keep them); the resource page gets it as JSON together with what a page needs beside the
statements: the labels of every IRI it shows, the source article of each subject and the source of
each graph (from the catalogue).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, serialize

from coopgraph import iris
from coopgraph.store import ReadView
from server.workers import jsonld, messages

#: The media type of the description as the resource page reads it (never sent to a client).
DESCRIPTION_JSON = "application/vnd.coopgraph.description+json"
#: Properties read as the name of a thing, the first found in the reader's language wins.
LABELS = (
    iris.PREFIXES["rdfs"] + "label",
    iris.PREFIXES["skos"] + "prefLabel",
    iris.PREFIXES["schema"] + "name",
    iris.PREFIXES["foaf"] + "name",
)
SOURCE = iris.PREFIXES["dcterms"] + "source"
#: Blank nodes followed at most this deep (a description is bounded even on odd data).
MAX_DEPTH = 8

_OUTGOING = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"
_INCOMING = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT {limit}"
#: Incoming links counted up to a cap, so that a page of a hub (an article every node cites) reads a
#: bounded part of its links, not all of them.
#: The IRI is written in as an N-Triples term (pyoxigraph checks it; a substitution cannot reach a subquery).
_INCOMING_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { SELECT ?s WHERE { GRAPH ?g { ?s ?p {o} } } LIMIT {limit} }"
#: The label properties in a FILTER, not in a second VALUES block: with two, the store joined them
#: after reading far more than the names' own statements (tens of milliseconds a page).
_LABELS = """SELECT ?x ?p ?label WHERE {{
  VALUES ?x {{ {values} }}
  ?x ?p ?label FILTER (isLiteral(?label) && ?p IN ({labels}))
}}"""
_SOURCES = """SELECT ?x ?source WHERE {{ VALUES ?x {{ {values} }} ?x <{source}> ?source }}"""
#: A resource that is not there may be one with the same last segment under another path.
_SUGGEST = """SELECT DISTINCT ?s WHERE {{
  ?s ?p ?o FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{base}") && STRENDS(STR(?s), "{tail}"))
}} LIMIT 10"""


#: The organisations one step beyond a resource's neighbours (an agreement's other parties, a
#: programme's funders): the second ring of the network picture on its page.
_SECOND_RING = """SELECT DISTINCT ?n ?p ?m WHERE {{
  VALUES ?n {{ {values} }}
  ?n ?p ?m FILTER (isIRI(?m) && STRSTARTS(STR(?m), "{organizations}") && ?m != <{centre}>)
}} LIMIT {limit}"""
#: Neighbours whose own links are followed, and links of theirs kept, at most.
RING_NEIGHBOURS, RING_LINKS = 60, 150


@dataclass
class Description:
    iri: str
    outgoing: list[Quad] = field(default_factory=list)  #: the resource's and its blank nodes' statements
    incoming: list[Quad] = field(default_factory=list)  #: statements whose object is the resource
    #: how many statements point at the resource, counted up to a cap (None: not counted)
    incoming_count: int | None = None
    incoming_exact: bool = True  #: False: there are more than ``incoming_count``

    @property
    def found(self) -> bool:
        return bool(self.outgoing or self.incoming)

    def quads(self) -> list[Quad]:
        return self.outgoing + self.incoming


def describe(view: ReadView, iri: str, incoming_limit: int, count_cap: int = 0) -> Description:
    """The resource's bounded description and its first ``incoming_limit`` incoming links, in the store's
    order; with ``count_cap``, how many incoming links there are, counted up to that cap."""
    found = Description(iri)
    pending: list[tuple[NamedNode | BlankNode, int]] = [(NamedNode(iri), 0)]
    seen: set[NamedNode | BlankNode] = set()
    while pending:
        subject, depth = pending.pop(0)
        if subject in seen:
            continue
        seen.add(subject)
        for row in view.query(_OUTGOING, substitutions={"s": subject}):
            obj = row["o"]
            found.outgoing.append(Quad(subject, row["p"], obj, row["g"]))
            if isinstance(obj, BlankNode) and depth < MAX_DEPTH:
                pending.append((obj, depth + 1))
    query = _INCOMING.replace("{limit}", str(int(incoming_limit)))
    for row in view.query(query, substitutions={"o": NamedNode(iri)}):
        found.incoming.append(Quad(row["s"], row["p"], NamedNode(iri), row["g"]))
    if count_cap > 0:
        found.incoming_count, found.incoming_exact = count_incoming(view, iri, count_cap)
    return found


def count_incoming(view: ReadView, iri: str, cap: int) -> tuple[int, bool]:
    """How many statements point at ``iri``, counted up to ``cap`` (then ``(cap, False)``)."""
    query = _INCOMING_COUNT.replace("{o}", str(NamedNode(iri))).replace("{limit}", str(int(cap) + 1))
    counted = int(next(iter(view.query(query)))["n"].value)
    return min(counted, cap), counted <= cap


def suggestions(view: ReadView, iri: str) -> list[str]:
    """IRIs of the dataset ending like ``iri`` (``/id/institution/x``: ``/id/organization/x``)."""
    tail = iri.rstrip("/").rsplit("/", 1)[-1]
    if not tail or not iri.startswith(iris.BASE):
        return []
    text = _SUGGEST.format(base=iris.BASE, tail="/" + _escape(tail))
    return [row["s"].value for row in view.query(text)]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _values(names: Iterable[str]) -> str:
    return " ".join(f"<{name}>" for name in names if ">" not in name and " " not in name)


def labels(view: ReadView, names: set[str]) -> dict[str, dict[str, str]]:
    """For each IRI, its label by language tag ("" for a label without one)."""
    found: dict[str, dict[str, str]] = {}
    if not names:
        return found
    text = _LABELS.format(values=_values(sorted(names)), labels=", ".join(f"<{p}>" for p in LABELS))
    rank = {p: i for i, p in enumerate(LABELS)}
    rows = sorted(view.query(text), key=lambda row: rank[row["p"].value])  # stable: the first property wins
    for row in rows:
        label = row["label"]
        found.setdefault(row["x"].value, {}).setdefault(label.language or "", label.value)
    return found


def sources(view: ReadView, names: set[str]) -> dict[str, list[str]]:
    """``dcterms:source`` of each subject (its article) and of each graph (its file, in the catalogue)."""
    found: dict[str, list[str]] = {}
    if not names:
        return found
    for row in view.query(_SOURCES.format(values=_values(sorted(names)), source=SOURCE)):
        if isinstance(row["source"], NamedNode):
            found.setdefault(row["x"].value, []).append(row["source"].value)
    return found


def second_ring(view: ReadView, found: Description) -> list[list[str]]:
    """(neighbour, property, organisation) for the organisations the resource's neighbours name."""
    neighbours: list[str] = []
    for quad in found.outgoing:
        if quad.subject == NamedNode(found.iri) and quad.predicate.value != SOURCE:
            neighbours.append(quad.object.value if isinstance(quad.object, NamedNode) else "")
    for quad in found.incoming:
        if quad.predicate.value != SOURCE and isinstance(quad.subject, NamedNode):
            neighbours.append(quad.subject.value)
    chosen = [n for n in dict.fromkeys(neighbours) if n.startswith(iris.RESOURCE) and n != found.iri]
    if not chosen:
        return []
    text = _SECOND_RING.format(
        values=_values(chosen[:RING_NEIGHBOURS]),
        organizations=iris.RESOURCE + "organization/",
        centre=found.iri,
        limit=RING_LINKS,
    )
    return [[row["n"].value, row["p"].value, row["m"].value] for row in view.query(text)]


def _term(term: Any) -> list[str]:
    if isinstance(term, BlankNode):
        return ["bnode", term.value]
    return messages.encode_term(term)


def page_data(view: ReadView, found: Description) -> dict[str, Any]:
    """The description and everything the resource page shows beside it, as JSON-ready data."""
    named: set[str] = set()
    subjects: set[str] = {found.iri}
    graphs: set[str] = set()
    for quad in found.quads():
        named.add(quad.predicate.value)
        graphs.add(quad.graph_name.value)  # type: ignore[union-attr]
        for term in (quad.subject, quad.object):
            if isinstance(term, NamedNode):
                named.add(term.value)
        if isinstance(quad.subject, NamedNode):
            subjects.add(quad.subject.value)
    found_sources = sources(view, subjects | graphs)
    articles = {a for s in subjects for a in found_sources.get(s, ())}
    ring = second_ring(view, found)
    named |= graphs | articles | {row[1] for row in ring} | {row[2] for row in ring}
    return {
        "iri": found.iri,
        "generation": view.generation,
        "outgoing": [
            [_term(q.subject), q.predicate.value, _term(q.object), q.graph_name.value] for q in found.outgoing
        ],  # type: ignore[union-attr]
        "incoming": [[_term(q.subject), q.predicate.value, q.graph_name.value] for q in found.incoming],  # type: ignore[union-attr]
        "incoming_count": len(found.incoming) if found.incoming_count is None else found.incoming_count,
        "incoming_exact": found.incoming_exact,
        "labels": labels(view, named),
        "sources": found_sources,
        "ring": ring,
    }


def rdf_bytes(found: Description, media_type: str, context_url: str | None) -> bytes:
    """The description in an RDF format: graph formats merge the graphs, dataset formats keep them."""
    out = io.BytesIO()
    if media_type == "application/ld+json":
        text = io.StringIO()
        triples = _distinct(q.triple for q in found.outgoing + found.incoming)
        jsonld.write_graph(text, triples, context_url or "/context.jsonld")
        return text.getvalue().encode("utf-8")
    fmt = RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"no RDF format for {media_type}")
    prefixes = iris.PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
    if fmt.supports_datasets:
        serialize(found.quads(), out, format=fmt, prefixes=prefixes)
    else:
        serialize(_distinct(q.triple for q in found.quads()), out, format=fmt, prefixes=prefixes)
    return out.getvalue()


def _distinct(triples: Iterable[Any]) -> list[Any]:
    """Each triple once (the same statement can sit in several graphs), in first-seen order, grouped by
    subject as they came."""
    return list(dict.fromkeys(triples))


def page_bytes(view: ReadView, found: Description) -> bytes:
    return json.dumps(page_data(view, found), ensure_ascii=False).encode("utf-8")


def not_found_bytes(view: ReadView, iri: str) -> bytes:
    """What a 404 says: the IRIs the client may have meant."""
    suggested = suggestions(view, iri)
    data = {"iri": iri, "suggestions": suggested, "labels": labels(view, set(suggested))}
    return json.dumps(data, ensure_ascii=False).encode("utf-8")

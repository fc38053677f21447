"""A triple pattern fragment read in a query worker: one page of the triples matching a pattern, and
how many match.

The pattern's terms are written into the query as N-Triples terms (pyoxigraph escapes them), so no
text the client sent reaches the SPARQL parser as syntax. Without a graph the fragment reads the
union of the named graphs, each triple once; with one it reads that graph alone.

The count is exact up to ``count_cap`` matches; past it the fragment says it is an estimate: the
number of statements the catalogue records when the pattern is all variables, the cap otherwise (a
lower bound, which is what a client ordering its joins needs). A worker keeps the counts it made, by
generation and pattern, so that the pages after the first one of a large fragment do not count again.
"""

from __future__ import annotations

import json
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode

from coopgraph.store import ReadView
from server.workers import messages

Bound = NamedNode | Literal
#: Counts a worker keeps: (generation, pattern, graph, cap) -> (count, exact).
COUNTS_KEPT = 512
_counts: dict[tuple[Any, ...], tuple[int, bool]] = {}


def _position(name: str, term: Bound | None) -> str:
    return f"?{name}" if term is None else str(term)


def _where(subject: Bound | None, predicate: Bound | None, obj: Bound | None, graph: str | None) -> str:
    pattern = f"{_position('s', subject)} {_position('p', predicate)} {_position('o', obj)}"
    if graph is None:
        return "{ " + pattern + " }"
    return "{ GRAPH " + str(NamedNode(graph)) + " { " + pattern + " } }"


def _term(term: Any) -> list[str]:
    if isinstance(term, BlankNode):
        return ["bnode", term.value]
    return messages.encode_term(term)


def _bound(spec: list[str] | None) -> Bound | None:
    if spec is None:
        return None
    term = messages.decode_term(spec)
    assert not isinstance(term, BlankNode)
    return term


def read_fragment(view: ReadView, request: messages.Fragment) -> dict[str, Any]:
    """The page's triples (each as three encoded terms) and the count of all that match (none when the
    pattern names a blank node: one from another answer names nothing in this one)."""
    if any(
        spec is not None and spec[0] == "bnode"
        for spec in (request.subject, request.predicate, request.object)
    ):
        return {"generation": view.generation, "rows": [], "count": 0, "exact": True}
    subject, predicate, obj = _bound(request.subject), _bound(request.predicate), _bound(request.object)
    where = _where(subject, predicate, obj, request.graph)
    distinct = "DISTINCT " if request.graph is None else ""
    rows_query = f"SELECT {distinct}* WHERE {where} OFFSET {int(request.offset)} LIMIT {int(request.limit)}"
    fixed = {"s": subject, "p": predicate, "o": obj}
    rows = []
    for row in view.query(rows_query):
        rows.append(
            [_term(fixed[name] if fixed[name] is not None else row[name]) for name in ("s", "p", "o")]
        )
    cap = int(request.count_cap)
    count_query = f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT {distinct}* WHERE {where} LIMIT {cap + 1} }}"
    count = int(next(iter(view.query(count_query)))["n"].value)
    exact = count <= cap
    if not exact:
        count = cap
        if subject is None and predicate is None and obj is None:
            records = view.records()
            total = sum(r.triples for g, r in records.items() if request.graph in (None, g))
            count = max(cap, total)
    return {"generation": view.generation, "rows": rows, "count": count, "exact": exact}


def fragment_bytes(view: ReadView, request: messages.Fragment) -> bytes:
    return json.dumps(read_fragment(view, request), ensure_ascii=False).encode("utf-8")

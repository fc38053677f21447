"""The resources the store's versions changed, and what they are: what the Atom feed
(:mod:`server.http.feed_routes`) and the event stream (:mod:`server.http.ldes_routes`) are made of.

A version changed a resource when it added or removed a statement whose subject is the resource (an IRI
the project names). What a resource is (agreement, event, ...) is read from the store now by one query,
and for a resource removed since, from the ``rdf:type`` statements the versions removed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad
from starlette.responses import PlainTextResponse, Response

from coopgraph import iris
from coopgraph.search import KINDS
from coopgraph.store.history import History, Version
from server.http.state import State
from server.http.worker_calls import whole_answer
from server.workers.describe import LABELS
from server.workers.messages import Query

RDF_TYPE = iris.PREFIXES["rdf"] + "type"
SUBCLASS = iris.PREFIXES["rdfs"] + "subClassOf"


@dataclass
class Change:
    """One resource in one version."""

    version: Version
    iri: str
    what: str  #: new, changed or removed
    added: int
    removed: int


@dataclass
class Scanned:
    changes: list[Change]
    #: rdf:type and label statements the versions removed (what a resource removed since was).
    removed_types: dict[str, set[str]]
    removed_labels: dict[str, dict[str, str]]


def scan(log: History, versions: Iterable[Version]) -> Scanned:
    """The resources each version changed (subjects the project names), in the order of ``versions``."""
    found = Scanned([], {}, {})
    for version in versions:
        delta = log.delta(version.number)
        counts: dict[str, list[int]] = {}
        typed_added: set[str] = set()
        typed_removed: set[str] = set()
        for sign, quads in ((0, delta.added), (1, delta.removed)):
            for quad in quads:
                subject = quad.subject
                if not isinstance(subject, NamedNode) or not subject.value.startswith(iris.RESOURCE):
                    continue
                counts.setdefault(subject.value, [0, 0])[sign] += 1
                if quad.predicate.value == RDF_TYPE:
                    (typed_added if sign == 0 else typed_removed).add(subject.value)
                if sign == 1:
                    _keep_removed(found, quad)
        for iri, (added, removed) in counts.items():
            what = "new" if iri in typed_added - typed_removed else "changed"
            if iri in typed_removed - typed_added:
                what = "removed"
            found.changes.append(Change(version, iri, what, added, removed))
    return found


def _keep_removed(found: Scanned, quad: Quad) -> None:
    iri, obj = quad.subject.value, quad.object
    if quad.predicate.value == RDF_TYPE and isinstance(obj, NamedNode):
        found.removed_types.setdefault(iri, set()).add(obj.value)
    elif quad.predicate.value in LABELS and isinstance(obj, Literal):
        found.removed_labels.setdefault(iri, {}).setdefault(obj.language or "", obj.value)


def safe(iri: str) -> bool:
    """Whether the IRI can be written between ``<>`` in a query as it is."""
    return not set(iri) & set('<>"{}|^`\\ ')


def _values(names: set[str]) -> str:
    return " ".join(f"<{n}>" for n in sorted(names) if safe(n))


async def kinds_of(state: State, scanned: Scanned, followed: Iterable[str]) -> dict[str, str] | Response:
    """Resource -> kind, for the changed resources of the ``followed`` kinds."""
    if not scanned.changes:
        return {}
    rows = await select(state, kinds_query(scanned, followed))
    if isinstance(rows, Response):
        return rows
    return {row["r"]["value"]: row["kind"]["value"] for row in rows}


def kinds_query(scanned: Scanned, followed: Iterable[str]) -> str:
    """Which of the changed resources are of the ``followed`` kinds (:data:`coopgraph.search.KINDS`): by
    their types now, or the types removed."""
    classes = " ".join(f'("{k}" <{c}>)' for k in followed for c in KINDS[k].classes)
    removed = " ".join(
        f"(<{iri}> <{t}>)"
        for iri, types in scanned.removed_types.items()
        for t in types
        if safe(iri) and safe(t)
    )
    return (
        "SELECT DISTINCT ?r ?kind WHERE {\n"
        f"  VALUES (?kind ?class) {{ {classes} }}\n"
        f"  {{ VALUES ?r {{ {_values({c.iri for c in scanned.changes})} }} ?r a ?t }}\n"
        f"  UNION {{ VALUES (?r ?t) {{ {removed} }} }}\n"
        f"  ?t <{SUBCLASS}>* ?class\n"
        "}"
    )


def labels_query(names: set[str]) -> str:
    properties = ", ".join(f"<{p}>" for p in LABELS)
    return (
        f"SELECT ?r ?label WHERE {{ VALUES ?r {{ {_values(names)} }} "
        f"?r ?p ?label FILTER (isLiteral(?label) && ?p IN ({properties})) }}"
    )


async def select(state: State, query: str) -> list[dict[str, dict[str, str]]] | Response:
    answered = await whole_answer(
        state,
        Query(
            query=query,
            max_bytes=state.settings.max_result_bytes,
            results_type="application/sparql-results+json",
        ),
    )
    if isinstance(answered, Response):
        return answered
    reply, body = answered
    if reply.status != 200:
        return PlainTextResponse((reply.head.error or "error") + "\n", status_code=reply.status)
    return json.loads(body)["results"]["bindings"]

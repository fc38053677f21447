"""The store as it stood at an earlier version, read in a query worker: a query over the whole dataset at
version N (``/sparql?at-version=N``) and a resource's description at version N (its memento).

Both start from the published generation and undo, with the deltas the history keeps
(:mod:`coopgraph.store.history`), every version after N:

- a query needs the whole dataset then: a copy of the published generation with the later changes undone
  (:func:`coopgraph.store.history.view_at`, kept with the generation's derived files); the worker keeps
  the last one it opened;
- a description needs only the statements about one resource: those it has now, less the ones added
  since N, plus the ones removed since N; reading the later deltas is all it costs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad

from coopgraph.store import ReadView, Store
from coopgraph.store.history import History, undo_after, view_at
from server.workers import describe

#: A subject's statements, and the statements naming an object, in the named graphs (as
#: :func:`server.workers.describe.describe` reads them).
_OUTGOING = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"
_INCOMING = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT {limit}"
#: The one dataset at a version a worker keeps: ((generation, version), view).
_kept: dict[tuple[str, int], ReadView] = {}


def dataset_view(store: Store, number: int) -> ReadView:
    """The dataset right after version ``number``, queried as the published one is (ValueError when the
    store does not keep that version)."""
    view = store.view()
    key = (view.generation, number)
    if key not in _kept:
        found = view_at(History(store.root), view, number)
        _kept.clear()  # the last one only
        _kept[key] = found
    return _kept[key]


@dataclass
class _Undo:
    """What undoing the versions after one takes, indexed for descriptions."""

    gone: set[Quad]  #: statements there now that were not there then
    by_subject: dict[object, list[Quad]]  #: statements there then, removed since, by subject
    by_object: dict[object, list[Quad]]  #: the same, by object


#: The last undo a worker worked out ((generation, version), undo): the descriptions of one version (an
#: event stream's page, a crawler on the mementos) read the later deltas once.
_undone: dict[tuple[str, int], _Undo] = {}


def _undo(store: Store, view: ReadView, number: int) -> _Undo:
    key = (view.generation, number)
    if key not in _undone:
        undo = undo_after(History(store.root), view, number)
        found = _Undo(set(undo.removed), defaultdict(list), defaultdict(list))
        for quad in undo.added:
            if not isinstance(quad.graph_name, DefaultGraph):  # descriptions read the named graphs
                found.by_subject[quad.subject].append(quad)
                found.by_object[quad.object].append(quad)
        _undone.clear()
        _undone[key] = found
    return _undone[key]


def describe_at(store: Store, number: int, iri: str, incoming_limit: int) -> describe.Description:
    """The resource's bounded description and incoming links as they stood right after version
    ``number`` (ValueError when the store does not keep it)."""
    view = store.view()
    undo = _undo(store, view, number)
    found = describe.Description(iri)
    node = NamedNode(iri)
    pending: list[tuple[NamedNode | BlankNode, int]] = [(node, 0)]
    seen: set[NamedNode | BlankNode] = set()
    while pending:
        subject, depth = pending.pop(0)
        if subject in seen:
            continue
        seen.add(subject)
        now = [
            Quad(subject, row["p"], row["o"], row["g"])
            for row in view.query(_OUTGOING, substitutions={"s": subject})
        ]
        for quad in [q for q in now if q not in undo.gone] + undo.by_subject.get(subject, []):
            found.outgoing.append(quad)
            if isinstance(quad.object, BlankNode) and depth < describe.MAX_DEPTH:
                pending.append((quad.object, depth + 1))
    incoming = _INCOMING.replace("{limit}", str(int(incoming_limit)))
    now = [
        Quad(row["s"], row["p"], node, row["g"]) for row in view.query(incoming, substitutions={"o": node})
    ]
    found.incoming = ([q for q in now if q not in undo.gone] + undo.by_object.get(node, []))[:incoming_limit]
    return found

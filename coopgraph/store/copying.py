"""Copying graphs from one Oxigraph store into another through the bulk loader (a rebuild lays the data
out as a fresh load does)."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph
from pyoxigraph import NamedNode

from coopgraph.store.protocol import DEFAULT_GRAPH

__all__ = ["copy_graphs"]


def copy_graphs(source: pyoxigraph.Store, target: pyoxigraph.Store, keep: Callable[[str], bool]) -> None:
    """Bulk-load the graphs of ``source`` that ``keep`` accepts (the default graph as ``DEFAULT_GRAPH``)
    into ``target``, in one load. The quads are passed as they are, blank nodes with their labels (a
    parser or loader would name them afresh): the copied graphs stay equal, not merely isomorphic, so the
    store's history needs to compare only the graphs a change touches, and a blank node that several
    graphs share stays one node."""
    graphs: list[NamedNode | pyoxigraph.DefaultGraph] = [
        g for g in source.named_graphs() if isinstance(g, NamedNode) and keep(g.value)
    ]
    if keep(DEFAULT_GRAPH):
        graphs.insert(0, pyoxigraph.DefaultGraph())
    target.bulk_extend(q for g in graphs for q in source.quads_for_pattern(None, None, None, g))

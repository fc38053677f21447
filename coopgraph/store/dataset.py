"""The dataset a query reads when it names none: which graphs make its default graph and its named graphs.

Two modes (setting ``strict_dataset``):

- **union** (the default, for analysts): the default graph is the union of every graph; the named graphs
  are all the store's graphs.
- **strict** (SPARQL 1.1 as written): the default graph is the store's real default graph; the named
  graphs are the data graphs, the graphs coopgraph maintains itself (ontology, vocabularies, shapes,
  catalogue) left out.

In both, the catalogue (one provenance record per graph) is not a named graph of the dataset unless the
query names it (in its text, or with FROM / FROM NAMED or the protocol's parameters) or the setting
``dataset_includes_catalog`` is on: ``GRAPH ?g`` should list the data, not the records about the data. In
strict mode it is out of the default graph too; the union default graph keeps it, since the union is
Oxigraph's own (naming every graph but one instead made joins 21x slower). A strict query that names
another system graph in its text sees it as a named graph.

A dataset the query names itself (FROM, FROM NAMED, ``default-graph-uri``, ``named-graph-uri``) is used
as named; a graph the store lacks is an empty graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from coopgraph import iris
from coopgraph.store.protocol import DEFAULT_GRAPH


@dataclass(frozen=True)
class DatasetMode:
    strict: bool = False  #: the real default graph, and no system graph unless named
    with_catalog: bool = False  #: the catalogue is part of every dataset


def names_graph(text: str, graph: str, prefixes: Mapping[str, str]) -> bool:
    """Whether the query text names ``graph``: as ``<graph>``, or as a prefixed name of its prologue."""
    if f"<{graph}>" in text:
        return True
    return any(
        graph.startswith(namespace) and f"{prefix}:{graph[len(namespace) :]}" in text
        for prefix, namespace in prefixes.items()
    )


def query_dataset(
    graphs: Iterable[str],
    text: str,
    prefixes: Mapping[str, str],
    mode: DatasetMode,
) -> tuple[list[str] | None, list[str] | None]:
    """The default graph and the named graphs of a query that names no dataset, among the store's
    ``graphs`` (its named graphs). None: the store's own union (default graph), every graph (named)."""
    names = set(graphs)
    hidden = {
        g
        for g in names
        if iris.is_system_graph(g)
        and (not mode.with_catalog if g == iris.CATALOG_GRAPH else mode.strict)
        and not names_graph(text, g, prefixes)
    }
    if mode.strict:
        return [DEFAULT_GRAPH], sorted(names - hidden)
    if not hidden:
        return None, None
    # the union stays the store's own (naming every other graph instead made joins 21x slower):
    # the catalogue is left out of the named graphs only
    return None, sorted(names - hidden)

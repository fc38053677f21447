"""The store: named graphs with their catalogue, read through views, changed by transactions.

Callers use the names here and :mod:`coopgraph.store.catalog`; the interface is
:mod:`coopgraph.store.protocol`, and :func:`open_store` is the one place that chooses a backend.
"""

from __future__ import annotations

from pathlib import Path

from coopgraph.settings import Settings
from coopgraph.store.protocol import (
    DEFAULT_GRAPH,
    GraphReader,
    ReadView,
    Store,
    StoreBusy,
    StoreMissing,
    StoreTransaction,
    Term,
    graph_node,
)

__all__ = [
    "DEFAULT_GRAPH",
    "GraphReader",
    "ReadView",
    "Store",
    "StoreBusy",
    "StoreMissing",
    "StoreTransaction",
    "Term",
    "graph_node",
    "open_store",
]


def open_store(where: Settings | Path | str, *, create: bool = True) -> Store:
    """The store the settings (or a store directory) name; ``create``: start an empty one if there is
    none, else raise :class:`StoreMissing`. Today every store is the embedded one in a local directory."""
    from coopgraph.store.local import LocalStore  # a backend is imported when it is chosen

    root = where.store if isinstance(where, Settings) else Path(where)
    return LocalStore(root, create=create)

"""The store: named graphs with their catalogue, read through views, changed by transactions.

Callers use the names here and :mod:`coopgraph.store.catalog`; the interface is
:mod:`coopgraph.store.protocol`, and :func:`open_store` is the one place that chooses a backend.
"""

from __future__ import annotations

from pathlib import Path

from coopgraph.settings import Settings
from coopgraph.store.protocol import (
    DEFAULT_GRAPH,
    ChangeNote,
    GraphReader,
    LoadedFile,
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
    "ChangeNote",
    "GraphReader",
    "LoadedFile",
    "ReadView",
    "Store",
    "StoreBusy",
    "StoreMissing",
    "StoreTransaction",
    "Term",
    "graph_node",
    "open_store",
    "published_generation",
]


def open_store(where: Settings | Path | str, *, create: bool = True) -> Store:
    """The store the settings (or a store directory) name; ``create``: start an empty one if there is
    none, else raise :class:`StoreMissing`.

    The backend: the remote store (:mod:`coopgraph.store.remote`) when the settings name a SPARQL server
    (``remote_store``, or ``store = "sparql+http://..."``), else the embedded store in a local directory.
    """
    if isinstance(where, str) and where.startswith("sparql+"):
        where = Settings(remote_store=where)
    if isinstance(where, Settings) and where.remote_store:
        return _open_remote(where, create)
    from coopgraph.store.local import LocalStore  # a backend is imported when it is chosen

    root = where.store if isinstance(where, Settings) else Path(where)
    return LocalStore(root, create=create)


def published_generation(root: Path) -> str | None:
    """The name of the generation a local store directory publishes (None: no store there); read without
    opening the store, so that the caller holds no generation."""
    from coopgraph.store.generations import Generations

    return Generations(root).current()


def _open_remote(settings: Settings, create: bool) -> Store:
    from coopgraph.store.remote import RemoteStore
    from coopgraph.store.remote_http import Endpoints

    if settings.remote_auth not in ("basic", "digest"):
        raise ValueError(f"remote_auth is basic or digest, not {settings.remote_auth!r}")
    assert settings.remote_store is not None
    endpoints = Endpoints.from_location(
        settings.remote_store,
        query=settings.remote_query_url,
        update=settings.remote_update_url,
        graph_store=settings.remote_graph_store_url,
        user=settings.remote_user,
        password=settings.remote_password,
        token=settings.remote_token,
        digest=settings.remote_auth == "digest",
    )
    return RemoteStore(
        endpoints,
        settings.store,
        create=create,
        timeout=settings.query_timeout,
        write_timeout=settings.write_timeout,
        keep_seconds=settings.remote_keep_seconds,
    )

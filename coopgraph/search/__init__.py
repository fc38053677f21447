"""Search by name: an SQLite FTS5 index of the names of every resource, one per published state of the store.

Why SQLite FTS5: it is in Python's standard library (no server to run, no wheel to build), an index is
one file, and a file built under a temporary name and renamed into place fits the store's immutable
states: each state has its own index, which nobody changes after it is written. The index is read with
the store's query verb (:mod:`coopgraph.search.harvest`), so it works on any store backend.

    path = ensure_index(store.view())           # built on first use for that state
    hits = SearchIndex(path).search("ha long", kinds=["institution"], lang="vi")
"""

from __future__ import annotations

from coopgraph.search.index_file import INDEX_NAME, build_index, ensure_index, index_path
from coopgraph.search.kinds import KINDS, check_kinds
from coopgraph.search.normalise import search_key
from coopgraph.search.query import Hit, SearchIndex

__all__ = [
    "INDEX_NAME",
    "KINDS",
    "Hit",
    "SearchIndex",
    "build_index",
    "check_kinds",
    "ensure_index",
    "index_path",
    "search_key",
]

"""The search index of the published state, as the front process uses it.

Searching runs on a thread of the front process (``anyio.to_thread``), not in a query worker: a search is
a few indexed SQLite lookups on an immutable file, which take about a millisecond and release the GIL
while SQLite works, so sending them to a worker process would cost more than the search. The event loop
never runs one. Building an index is different (it reads every name in the store: seconds on a large
store, most of it Python), so it runs in a process of its own, ``python -m coopgraph.search build``,
one at a time, while the requests that need it wait without holding the loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import anyio.to_thread

from coopgraph.search import SearchIndex, index_path
from coopgraph.settings import Settings, store_environment
from coopgraph.store import Store, StoreMissing, open_store

log = logging.getLogger("coopgraph.search")
T = TypeVar("T")


class SearchUnavailable(Exception):
    """The index could not be built (the message says why)."""


class _Missing:
    """The index of the published state is not built yet."""


class SearchService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: Store | None = None
        self._view_lock = threading.Lock()  # the store's view is swapped by one thread at a time
        self._local = threading.local()  # each thread's open index
        self._build_lock: asyncio.Lock | None = None

    def _current(self) -> Path:
        with self._view_lock:
            if self._store is None:
                self._store = open_store(self.settings, create=False)
            return index_path(self._store.view())

    def _attempt(self, work: Callable[[SearchIndex], T]) -> T | _Missing:
        path = self._current()
        index: SearchIndex | None = getattr(self._local, "index", None)
        if index is None or index.path != path:
            if not path.exists():
                return _Missing()
            if index is not None:
                index.close()
            index = self._local.index = SearchIndex(path)
        return work(index)

    async def run(self, work: Callable[[SearchIndex], T]) -> T:
        """``work(index)`` on a thread, with the index of the published state (built first if needed)."""
        for _ in range(3):  # the state may move on while its index is built
            try:
                result = await anyio.to_thread.run_sync(self._attempt, work)
            except StoreMissing as e:
                raise SearchUnavailable(str(e)) from None
            if not isinstance(result, _Missing):
                return result
            await self._build()
        raise SearchUnavailable("the store kept changing while its search index was being built")

    async def _build(self) -> None:
        if self._build_lock is None:
            self._build_lock = asyncio.Lock()
        async with self._build_lock:
            if not await anyio.to_thread.run_sync(lambda: self._current().exists()):
                command = [sys.executable, "-m", "coopgraph.search", "build", str(self.settings.store)]
                process = await asyncio.create_subprocess_exec(
                    *command,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                    env={**os.environ, **store_environment(self.settings)},  # a remote store's too
                )
                try:
                    _, err = await asyncio.wait_for(process.communicate(), self.settings.write_timeout)
                except TimeoutError:
                    process.kill()
                    await process.wait()
                    raise SearchUnavailable("building the search index took too long") from None
                if process.returncode != 0:
                    message = err.decode(errors="replace").strip().splitlines()
                    log.error("building the search index failed: %s", err.decode(errors="replace"))
                    raise SearchUnavailable(f"the search index could not be built: {message[-1:]}")

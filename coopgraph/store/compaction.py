"""Compaction: the published generation rebuilt by Oxigraph's bulk loader, now or in the background.

Writes leave their changes in small level-0 files (and the write-ahead log) beside the bulk-loaded ones,
and every read merges them: scans and aggregates ran 1.2-1.6x slower than on the same data bulk-loaded.
RocksDB's own compaction (``optimize``) fixed the speed but left a generation 1.7-2x the size of a bulk
load; passing every quad through the bulk loader gives back the layout, the speed and the size of a fresh
load (and keeps blank nodes' labels), in a new generation that shares nothing with the old one, which is
reclaimed once no reader holds it.

In the background (:class:`BackgroundCompactor`) the rebuild holds no write lock: it reads a leased
generation, builds beside the generations (``gens/g00000042.compacting``, under ``gens/compact.lock``),
and publishes under the write lock only if that generation is still the current one; a write that
landed meanwhile wins, and the next quiet moment compacts again.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
from pyoxigraph import NamedNode

from coopgraph.store.generations import Generations
from coopgraph.store.protocol import StoreBusy, StoreMissing

log = logging.getLogger(__name__)

#: Left in a generation that a compaction wrote (RocksDB ignores files it did not name).
COMPACTED = "coopgraph-compacted"
_STAGING_SUFFIX = ".compacting"


def is_compacted(generation: Path) -> bool:
    return (generation / COMPACTED).exists()


def rebuild(source: Path, target: Path) -> None:
    """Bulk-load every graph of the generation at ``source`` (empty named graphs too) into a new
    Oxigraph directory ``target``, flushed and marked as compacted."""
    read = pyoxigraph.Store.read_only(str(source))
    built = pyoxigraph.Store(str(target))
    for graph in read.named_graphs():
        if isinstance(graph, NamedNode):
            built.add_graph(graph)
    # quad by quad through the bulk loader: blank nodes keep their labels (a load from text renames them)
    built.bulk_extend(read.quads_for_pattern(None, None, None, None))
    built.flush()
    del built, read  # closes both
    (target / COMPACTED).touch()


def compact_now(gens: Generations, wait: float | None = None) -> bool:
    """Publish a rebuilt copy of the current generation unless it already is one, holding the write lock
    all along (``wait``: for it, as for a transaction)."""
    current = gens.current()
    if current is None or is_compacted(gens.gens / current):
        return False
    with gens.write_lock(wait=wait):
        current = gens.current()
        if current is None or is_compacted(gens.gens / current):
            return False
        name, path = gens.begin(empty=True)
        try:
            rebuild(gens.gens / current, path)
        except BaseException:
            gens.discard(name)
            raise
        gens.publish(name)
    return True


@contextlib.contextmanager
def _compaction_lock(gens: Generations) -> Iterator[None]:
    """One compaction at a time over the store, across processes (blocks until it is free)."""
    fd = os.open(gens.gens / "compact.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def remove_abandoned(gens: Generations) -> None:
    """Remove what a compaction killed while building left behind (nothing while one is at work)."""
    if not gens.gens.is_dir():
        return
    fd = os.open(gens.gens / "compact.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return
        for path in gens.gens.glob("*" + _STAGING_SUFFIX):
            shutil.rmtree(path, ignore_errors=True)
    finally:
        os.close(fd)


def compact_in_background_once(gens: Generations, quiet: float) -> str | None:
    """Rebuild the current generation without the write lock and publish the rebuilt copy if it is still
    current; try again while writes overtake it. The name published, or None (nothing to do)."""
    with _compaction_lock(gens):
        while True:
            _wait_until_quiet(gens, quiet)
            lease = gens.lease()
            try:
                if is_compacted(lease.path):
                    return None
                staging = gens.gens / (lease.name + _STAGING_SUFFIX)
                shutil.rmtree(staging, ignore_errors=True)
                try:
                    rebuild(lease.path, staging)
                    with gens.write_lock(wait=0):
                        if gens.current() == lease.name:
                            name = gens.adopt(staging)
                            gens.publish(name)
                            return name
                except StoreBusy:
                    pass  # a writer at work: its generation is the one to compact
                finally:
                    shutil.rmtree(staging, ignore_errors=True)
            finally:
                lease.release()


def _wait_until_quiet(gens: Generations, quiet: float) -> None:
    """Until no generation has been published for ``quiet`` seconds."""
    while True:
        stamp = gens.current_stamp()
        time.sleep(quiet)
        if gens.current_stamp() == stamp:
            return


class BackgroundCompactor:
    """A thread that compacts the store a quiet moment after it is told of a write (:meth:`poke`)."""

    def __init__(self, gens: Generations, quiet: float) -> None:
        self.gens = gens
        self.quiet = quiet
        self._poked = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        #: The generations it published (for the curious, and for tests).
        self.published: list[str] = []

    def poke(self) -> None:
        with self._lock:
            self._poked.set()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="compactor", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            self._poked.wait()
            self._poked.clear()
            try:
                name = compact_in_background_once(self.gens, self.quiet)
                if name is not None:
                    self.published.append(name)
                    self.gens.collect()
            except (StoreMissing, FileNotFoundError):
                return  # the store is gone
            except Exception:  # logged; the next write tries again
                log.exception("background compaction of %s failed", self.gens.root)

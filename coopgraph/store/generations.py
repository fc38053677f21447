"""A store directory as a sequence of immutable Oxigraph generations.

Layout of the store directory::

    CURRENT          name of the published generation, replaced atomically (rename)
    write.lock       held (flock) by the one writer at a time, holds its pid
    gens/g00000042/  an Oxigraph (RocksDB) directory, never written after it is published
    gens/g00000042.lock  readers hold a shared flock on it while they use the generation
    gens/g00000042.derived/  files computed from that generation (the search index), removed with it

A writer copies the current generation (RocksDB checkpoint: hard links), changes the copy,
flushes it, fsyncs it and renames a new ``CURRENT`` into place. Until that rename nothing
a reader can see has changed; a writer killed at any moment leaves ``CURRENT`` on a complete
generation, and the next writer removes its leftovers. Opening a published generation
read-only writes nothing into it, so any number of processes may read it while another writes
the next one.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from coopgraph.store.protocol import StoreBusy, StoreMissing

_NAME = re.compile(r"^g(\d{8})$")
#: Where RocksDB builds a checkpoint (the copy that starts a generation) before renaming it: left behind
#: by a writer killed while copying.
_STAGING = re.compile(r"^(g\d{8})\.tmp$")
__all__ = ["Generations", "Lease", "StoreBusy", "StoreMissing"]


@dataclass
class Lease:
    """A reader's hold on one published generation: the generation is not removed while it lasts."""

    name: str
    path: Path
    fd: int

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing the descriptor drops the flock
            self.fd = -1


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    """Remove a folder with what it holds, or a file left where a folder was expected (an outside fault):
    either would stop every later writer from using the name."""
    if path.is_symlink() or path.is_file():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def _fsync_tree(path: Path) -> None:
    """Make a new generation durable. Files it shares with the previous one (hard links, so more than
    one link) were made durable when that one was published."""
    for entry in os.scandir(path):
        if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_nlink == 1:
            fd = os.open(entry.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(path)


class Generations:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.gens = self.root / "gens"
        self.current_file = self.root / "CURRENT"
        self.lock_file = self.root / "write.lock"

    # ------------------------------------------------------------------ reading
    def current(self) -> str | None:
        try:
            name = self.current_file.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        if not _NAME.match(name):
            raise StoreMissing(f"{self.current_file}: does not name a generation ({name!r})")
        return name

    def current_stamp(self) -> tuple[int, int] | None:
        """Changes whenever a new generation is published (the file is replaced, never rewritten)."""
        try:
            st = os.stat(self.current_file)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def lease(self) -> Lease:
        """Take a shared hold on the published generation."""
        for _ in range(100):
            name = self.current()
            if name is None:
                raise StoreMissing(f"{self.root}: no coopgraph store here (no CURRENT file)")
            if not (self.gens / name).is_dir():
                # Names only grow and the current generation is never collected: if CURRENT still
                # names it, it was current all along, and it is gone.
                if self.current() == name:
                    raise StoreMissing(
                        f"{self.root}: CURRENT names generation {name}, but {self.gens / name} does "
                        "not exist; the store is damaged (restore it from a backup, or ingest into a "
                        "new store)"
                    )
                continue
            lock_path = self.gens / f"{name}.lock"
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_SH)
            # The collector may have removed this generation between our read of CURRENT and the
            # flock; it removes the directory before the lock file, both under its exclusive lock.
            try:
                same = os.fstat(fd).st_ino == os.stat(lock_path).st_ino
            except FileNotFoundError:
                same = False
            if same and (self.gens / name).is_dir():
                return Lease(name, self.gens / name, fd)
            os.close(fd)
        raise StoreMissing(f"{self.root}: could not hold a generation (it kept changing)")

    # ------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def write_lock(
        self, wait: float | None = None, on_wait: Callable[[str], None] | None = None
    ) -> Iterator[None]:
        """Hold the store's single write lock; wait for it at most ``wait`` seconds (None: forever)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = None if wait is None else time.monotonic() + wait
            told = False
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as e:
                    if e.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                if deadline is not None and time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"{self.root}: another process (pid {holder}) is writing to the store"
                    ) from None
                if on_wait and not told:
                    on_wait(f"waiting for another writer (pid {holder}) to finish")
                    told = True
                time.sleep(0.05)
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            yield
        finally:
            os.close(fd)

    def _next_name(self) -> str:
        numbers = [int(m.group(1)) for p in self.gens.iterdir() if (m := _NAME.match(p.name))]
        return f"g{max(numbers, default=0) + 1:08d}"

    def begin(self, source: pyoxigraph.Store | None = None, empty: bool = False) -> tuple[str, Path]:
        """Create the next generation as a copy of the current one (``source``: that generation, opened),
        or empty (call under the write lock)."""
        self.gens.mkdir(parents=True, exist_ok=True)
        self.collect(keep_newer=False)
        name = self._next_name()
        path = self.gens / name
        current = self.current()
        if current is None or empty:
            path.mkdir()
        else:
            try:
                (source or pyoxigraph.Store.read_only(str(self.gens / current))).backup(str(path))
            except BaseException:  # a full disk, say: no half-copied generation is left behind
                self.discard(name)
                raise
        return name, path

    def adopt(self, finished: Path) -> str:
        """Give a generation built elsewhere in ``gens/`` (by a compaction) the next name; publish it next
        (call under the write lock)."""
        name = self._next_name()
        os.rename(finished, self.gens / name)
        return name

    def publish(self, name: str) -> None:
        """Make a finished generation the current one, durably (call under the write lock)."""
        _fsync_tree(self.gens / name)
        _fsync_dir(self.gens)
        tmp = self.root / "CURRENT.tmp"
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write(name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.current_file)
        _fsync_dir(self.root)

    def derived(self, name: str) -> Path:
        """The folder of files computed from generation ``name`` (made by whoever writes the first one)."""
        return self.gens / f"{name}.derived"

    def discard(self, name: str) -> None:
        _remove(self.gens / name)
        _remove(self.derived(name))
        with contextlib.suppress(FileNotFoundError):
            (self.gens / f"{name}.lock").unlink()

    def collect(self, keep_newer: bool = True) -> list[str]:
        """Remove the generations no reader holds but the current one. ``keep_newer`` spares those newer
        than the current one (a writer may be building one); without it, call under the write lock."""
        if not self.gens.is_dir():
            return []
        current = self.current()
        removed = []
        for path in self.gens.iterdir():
            staging = _STAGING.match(path.name)
            if staging and (not keep_newer or (current is not None and staging.group(1) <= current)):
                _remove(path)
                removed.append(path.name)
        names = {p.name.removesuffix(".lock").removesuffix(".derived") for p in self.gens.iterdir()}
        for name in sorted(names):
            if (
                name == current
                or not _NAME.match(name)
                or (keep_newer and current is not None and name > current)
            ):
                continue
            fd = os.open(self.gens / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a reader still uses it
                _remove(self.gens / name)
                _remove(self.derived(name))
                with contextlib.suppress(FileNotFoundError):
                    (self.gens / f"{name}.lock").unlink()
                removed.append(name)
            finally:
                os.close(fd)
        return removed

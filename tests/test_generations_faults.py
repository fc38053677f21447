"""The store's generations when things go wrong between two steps: a file that cannot be synced, a
collector that removes a generation while a reader is taking it, a pointer that moves under a reader.

Every step runs on a real store directory with real locks. Where a fault needs a precise moment, the
moment is made by real means: the test holds the collector's exclusive lock so that a reader waits in
``flock`` (seen in ``/proc/locks``), or ``CURRENT`` is a named pipe that answers each read of the
reader with the next name. Failing system calls are injected into ``coopgraph.store.generations`` only
(its ``os``), never into the rest of the process.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import stat
import threading
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph
import pytest

from coopgraph.store import generations as generations_module
from coopgraph.store.generations import Generations, Lease, StoreMissing
from tests.test_publish_atomic import publish_one

#: How long a helper thread waits for the reader to reach a step before the test gives up (a guard
#: against a hang, not a limit on the code's speed).
PATIENCE = 60.0


# ------------------------------------------------------------------------------------------------
# Faults in the system calls of the publish


def module_os(monkeypatch: pytest.MonkeyPatch, **calls: Callable[..., object]) -> None:
    """Give ``coopgraph.store.generations`` an ``os`` whose ``calls`` are replaced (the rest is ``os``)."""
    faulty = types.SimpleNamespace(
        **{name: getattr(os, name) for name in dir(os) if not name.startswith("__")}
    )
    for name, call in calls.items():
        setattr(faulty, name, call)
    monkeypatch.setattr(generations_module, "os", faulty)


def generation_with_data(generations: Generations) -> str:
    """Publish a generation that holds an Oxigraph store with data (files RocksDB writes)."""
    with generations.write_lock(wait=60):
        name, path = generations.begin(empty=True)
        store = pyoxigraph.Store(str(path))
        ex = "http://example.org/"
        store.extend(
            pyoxigraph.Quad(
                pyoxigraph.NamedNode(f"{ex}s{i}"), pyoxigraph.NamedNode(f"{ex}p"), pyoxigraph.Literal(str(i))
            )
            for i in range(500)
        )
        store.flush()
        store.optimize()
        del store
        generations.publish(name)
    return name


def next_generation_copy(generations: Generations) -> tuple[str, Path]:
    """Begin the next generation as a copy of the current one (a checkpoint: hard links), with one
    file of its own; under the write lock, which the caller must let go of."""
    name, path = generations.begin()
    (path / "written-by-this-generation").write_text("new data", encoding="ascii")
    return name, path


def test_a_new_file_that_cannot_be_synced_stops_the_publish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generations = Generations(tmp_path / "store")
    first = generation_with_data(generations)
    with generations.write_lock(wait=60):
        name, path = next_generation_copy(generations)
        failing = os.stat(path / "written-by-this-generation").st_ino

        def fsync(fd: int) -> None:
            if os.fstat(fd).st_ino == failing:
                raise OSError(errno.EIO, "the disk could not write the file")
            os.fsync(fd)

        module_os(monkeypatch, fsync=fsync)
        with pytest.raises(OSError, match="could not write"):
            generations.publish(name)
        monkeypatch.undo()
        assert generations.current() == first, "CURRENT names a generation whose data may be lost"
        assert not generations.current_file.with_name("CURRENT.tmp").exists()
        generations.discard(name)
    # The store goes on: the next writer publishes.
    second = generation_with_data(generations)
    assert generations.current() == second


def test_a_publish_syncs_what_is_new_to_the_generation_then_the_pointer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file new to the generation is synced before ``CURRENT`` names it; the files it shares with
    the previous generation (hard links) were synced when that one was published, and are not again."""
    generations = Generations(tmp_path / "store")
    generation_with_data(generations)
    events: list[tuple[str, int]] = []

    def fsync(fd: int) -> None:
        events.append(("fsync", os.fstat(fd).st_ino))
        os.fsync(fd)

    def replace(source: str | Path, target: str | Path) -> None:
        events.append(("replace", os.stat(source).st_ino))
        os.replace(source, target)

    with generations.write_lock(wait=60):
        name, path = next_generation_copy(generations)
        files = [entry for entry in os.scandir(path) if entry.is_file()]
        new = {entry.inode() for entry in files if entry.stat().st_nlink == 1}
        shared = {entry.inode() for entry in files if entry.stat().st_nlink > 1}
        assert new and shared, "a copy of a generation with data shares files with it and has its own"
        module_os(monkeypatch, fsync=fsync, replace=replace)
        generations.publish(name)
        monkeypatch.undo()
    synced = [inode for what, inode in events if what == "fsync"]
    replaced = next(i for i, (what, _) in enumerate(events) if what == "replace")
    assert new <= set(synced[:replaced]), "a new file was not synced before CURRENT named its generation"
    assert not shared & set(synced), "files shared with the previous generation were synced again"
    directories = {os.stat(path).st_ino, os.stat(generations.gens).st_ino, os.stat(generations.root).st_ino}
    assert directories <= set(synced)
    assert events[replaced][1] == os.stat(generations.current_file).st_ino
    assert events[replaced][1] in synced[:replaced], "the new pointer was not synced before the rename"
    assert generations.current() == name


def test_a_pointer_that_cannot_be_renamed_leaves_the_previous_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generations = Generations(tmp_path / "store")
    first = publish_one(generations)

    def replace(source: str | Path, target: str | Path) -> None:
        raise OSError(errno.ENOSPC, "no space left on the device")

    with generations.write_lock(wait=60):
        name, _ = generations.begin(empty=True)
        module_os(monkeypatch, replace=replace)
        with pytest.raises(OSError, match="no space"):
            generations.publish(name)
        monkeypatch.undo()
    assert generations.current() == first
    # The next writer removes the unpublished generation first, and so publishes its own under that name.
    published = publish_one(generations)
    assert generations.current() == published == name


# ------------------------------------------------------------------------------------------------
# A reader taking a generation while the collector removes it


def waiting_for_lock(path: Path) -> bool:
    """Whether a process waits for a flock on ``path`` (``/proc/locks`` lists waiters with ``->``)."""
    st = os.stat(path)
    file_id = f" {os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino} "
    with open("/proc/locks", encoding="ascii") as fh:
        return any("->" in line and file_id in line for line in fh)


@contextlib.contextmanager
def reader_thread(generations: Generations) -> Iterator[dict[str, object]]:
    """``generations.lease()`` in a thread; yields the dict its result (or its error) goes into."""
    result: dict[str, object] = {}

    def take() -> None:
        try:
            result["lease"] = generations.lease()
        except Exception as e:  # the test reports what the reader got
            result["error"] = e

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    try:
        yield result
    finally:
        thread.join(PATIENCE)
        assert not thread.is_alive(), "the reader never finished"


def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.005)


def leased(result: dict[str, object]) -> Lease:
    assert "error" not in result, result["error"]
    lease = result["lease"]
    assert isinstance(lease, Lease)
    return lease


@pytest.mark.parametrize(
    "lock_file_removed", [True, False], ids=["collected", "collector-killed-before-lock-file"]
)
def test_a_reader_waiting_for_a_generation_the_collector_removes_takes_the_next(
    tmp_path: Path, lock_file_removed: bool
) -> None:
    """The reader read ``CURRENT`` and found the generation; the collector, holding the generation's lock
    once a writer published the next one, removes it (and its lock file, unless it is killed first).
    The reader, let in afterwards, must not take the removed generation: it takes the new one."""
    generations = Generations(tmp_path / "store")
    old = publish_one(generations)
    lock_path = generations.gens / f"{old}.lock"
    collector = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(collector, fcntl.LOCK_EX)
        with reader_thread(Generations(generations.root)) as result:
            until(lambda: waiting_for_lock(lock_path), "the reader waits for the generation's lock")
            new = publish_one(generations)
            shutil.rmtree(generations.gens / old)
            if lock_file_removed:
                lock_path.unlink()
            os.close(collector)  # the collector is done, or killed: its lock goes with its descriptor
            collector = -1
        lease = leased(result)
    finally:
        if collector >= 0:
            os.close(collector)
    try:
        assert (lease.name, lease.path) == (new, generations.gens / new)
        assert lease.path.is_dir()
    finally:
        lease.release()


class ScriptedPointer:
    """``CURRENT`` as a named pipe that answers each read with the next of ``names``; after the last,
    ``CURRENT`` is a plain file naming the last one. Each read gets a pipe of its own, so two reads
    never run together."""

    def __init__(self, generations: Generations, names: list[str]) -> None:
        self.current = generations.current_file
        self.names = names
        self.answered = 0
        self.error: BaseException | None = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._answer, daemon=True)

    def _fresh_pipe(self) -> None:
        pipe = self.current.with_name("CURRENT.pipe")
        os.mkfifo(pipe)
        os.replace(pipe, self.current)

    def _open_when_read(self) -> int:
        deadline = time.monotonic() + PATIENCE
        while True:
            try:
                return os.open(self.current, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as e:  # ENXIO: nobody reads the pipe yet
                if e.errno != errno.ENXIO or time.monotonic() > deadline:
                    raise
                if self.stop.wait(0.002):
                    return -1

    def _answer(self) -> None:
        try:
            for i, name in enumerate(self.names):
                fd = self._open_when_read()
                if fd < 0:
                    return  # the reader is done (it read fewer times than scripted)
                # The reader has the pipe open: the next read finds the next pipe (or the plain file).
                if i + 1 < len(self.names):
                    self._fresh_pipe()
                else:
                    plain = self.current.with_name("CURRENT.plain")
                    plain.write_text(name + "\n", encoding="ascii")
                    os.replace(plain, self.current)
                os.write(fd, (name + "\n").encode())
                os.close(fd)
                self.answered += 1
        except BaseException as e:  # reported by the test
            self.error = e

    def __enter__(self) -> ScriptedPointer:
        self._fresh_pipe()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()  # the reader has done all its reads: each was answered (it read to the end)
        self.thread.join(PATIENCE)
        assert not self.thread.is_alive(), "the pointer's thread did not stop"


def test_a_reader_whose_generation_was_collected_after_it_read_current_takes_the_next(tmp_path: Path) -> None:
    """Between the reader's read of ``CURRENT`` and its look at the generation, a writer published the
    next one and the collector removed it: the reader reads ``CURRENT`` again and takes the new one."""
    generations = Generations(tmp_path / "store")
    old = publish_one(generations)
    new = publish_one(generations)
    assert generations.collect() == [old]
    with ScriptedPointer(generations, [old, new, new]) as pointer:
        lease = generations.lease()
    assert pointer.error is None and pointer.answered == 3
    try:
        assert (lease.name, lease.path) == (new, generations.gens / new)
    finally:
        lease.release()


def test_a_pointer_to_a_missing_generation_read_twice_is_a_damaged_store(tmp_path: Path) -> None:
    generations = Generations(tmp_path / "store")
    old = publish_one(generations)
    publish_one(generations)
    generations.collect()
    with ScriptedPointer(generations, [old, old]) as pointer, pytest.raises(StoreMissing, match="damaged"):
        generations.lease()
    assert pointer.error is None and pointer.answered == 2


# ------------------------------------------------------------------------------------------------
# The files the store makes for its locks, and its pointer's stamp


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_lock_files_are_plain_files_their_owner_writes_and_others_read(
    tmp_path: Path, umask_022: None
) -> None:
    generations = Generations(tmp_path / "store")
    with generations.write_lock(wait=60):
        assert mode(generations.lock_file) == 0o644
        name, _ = generations.begin(empty=True)
        generations.publish(name)
    lease = generations.lease()
    try:
        assert mode(generations.gens / f"{name}.lock") == 0o644
    finally:
        lease.release()


def test_the_pointers_stamp_is_none_before_the_first_publish_and_changes_with_each(tmp_path: Path) -> None:
    generations = Generations(tmp_path / "store")
    assert generations.current_stamp() is None
    publish_one(generations)
    first = generations.current_stamp()
    assert first is not None
    publish_one(generations)
    assert generations.current_stamp() not in (None, first)


# ------------------------------------------------------------------------------------------------
# What a writer killed while copying leaves behind


def test_a_staging_folder_left_by_a_killed_copy_is_removed_unless_a_writer_may_be_filling_it(
    tmp_path: Path,
) -> None:
    """RocksDB builds the copy that starts a generation in ``gNNNNNNNN.tmp``: a writer killed while
    copying leaves it. A reader's clean-up removes one named for a generation not newer than the current
    one, and spares a newer one (a writer may be copying into it now); the next writer removes both."""
    generations = Generations(tmp_path / "store")
    publish_one(generations)
    current = publish_one(generations)
    number = int(current[1:])
    older, same, newer = (generations.gens / f"g{n:08d}.tmp" for n in (number - 1, number, number + 1))
    for staging in (older, same, newer):
        staging.mkdir()
        (staging / "000012.sst").write_bytes(b"half a copy")
    removed = Generations(generations.root).collect()
    assert sorted(removed) == sorted([older.name, same.name, f"g{number - 1:08d}"])
    assert not older.exists() and not same.exists()
    assert (newer / "000012.sst").is_file()
    name = publish_one(generations)  # the next writer, under the lock, clears what is left
    assert not newer.exists()
    assert {p.name for p in generations.gens.iterdir()} >= {name} and generations.current() == name


def test_a_file_left_where_the_staging_folder_goes_is_removed_by_the_next_writer(tmp_path: Path) -> None:
    """A file where RocksDB makes its staging folder (``gNNNNNNNN.tmp``, left by an outside fault) would
    stop every later copy: the writer's clean-up removes it, as it removes a folder there, and the copy
    starts."""
    generations = Generations(tmp_path / "store")
    first = generation_with_data(generations)
    following = f"g{int(first[1:]) + 1:08d}"
    (generations.gens / f"{following}.tmp").write_text("a file, not a folder", encoding="ascii")
    with generations.write_lock(wait=60):
        name, path = generations.begin()
    assert name == following and path.is_dir()
    assert not (generations.gens / f"{following}.tmp").exists()


def test_a_copy_that_cannot_start_fails_with_its_own_error_and_leaves_no_generation(tmp_path: Path) -> None:
    """A copy that fails (here: a source that cannot be copied) gives the writer the copy's own error, not
    one from the clean-up after it, and leaves no generation behind."""
    generations = Generations(tmp_path / "store")
    first = generation_with_data(generations)
    following = f"g{int(first[1:]) + 1:08d}"
    in_memory = pyoxigraph.Store()  # it cannot be copied
    node = pyoxigraph.NamedNode("http://example.org/a")
    in_memory.add(pyoxigraph.Quad(node, node, node))
    with generations.write_lock(wait=60), pytest.raises(RuntimeError, match="backup"):
        generations.begin(source=in_memory)
    assert generations.current() == first
    assert not (generations.gens / following).exists()

"""The life of a generation around its publication: a reader's clean-up spares the one a writer is
building, and a reader's hold can be let go twice without touching any other descriptor."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from coopgraph.store.generations import Generations, StoreBusy
from tests.conftest import PROJECT, coopgraph
from tests.test_publish_atomic import publish_one


def test_a_readers_clean_up_spares_the_generation_a_writer_is_building(tmp_path: Path) -> None:
    writer = Generations(tmp_path / "store")
    publish_one(writer)
    older = publish_one(writer)
    with writer.write_lock(wait=60):
        name, path = writer.begin(empty=True)
        (path / "being-written").write_text("half a generation", encoding="ascii")
        # A reader (a query worker after its answer) removes what nobody uses, without the lock.
        assert Generations(writer.root).collect() == []  # the older one is current
        assert (path / "being-written").is_file()
        assert Generations(writer.root).collect(keep_newer=True) == []
        writer.publish(name)
    assert writer.current() == name
    assert Generations(writer.root).collect() == [older]
    assert {p.name for p in writer.gens.iterdir() if p.is_dir()} == {name}


RELEASE_TWICE = """
import os, sys
import pytest

from coopgraph.store.generations import Generations, StoreBusy
lease = Generations(sys.argv[1]).lease()
lease.release()
lease.release()
for fd in (0, 1, 2):
    os.fstat(fd)  # raises if a second release closed a descriptor it no longer owned
print("ok")
"""


def test_letting_go_of_a_generation_twice_closes_nothing_else(tmp_path: Path) -> None:
    publish_one(Generations(tmp_path / "store"))
    with open(tmp_path / "stdin", "w+") as stdin:
        done = subprocess.run(
            [sys.executable, "-c", RELEASE_TWICE, str(tmp_path / "store")],
            cwd=PROJECT,
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr


def test_a_store_in_a_folder_that_does_not_exist_yet_is_made_with_its_parents(tmp_path: Path) -> None:
    data = tmp_path / "thing.ttl"
    data.write_text('<http://example.org/t> <http://example.org/name> "t" .\n', encoding="utf-8")
    store = tmp_path / "not" / "yet" / "there" / "store"
    done = coopgraph("ingest", str(data), "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert Generations(store).current() is not None


def test_the_clean_up_goes_past_a_generation_a_reader_still_holds(tmp_path: Path) -> None:
    generations = Generations(tmp_path / "store")
    first = publish_one(generations)
    held = generations.lease()  # a reader still on the first generation
    try:
        second = publish_one(generations)
        third = publish_one(generations)
        assert generations.collect() == [second]  # the first is held; the one after it goes all the same
        assert {p.name for p in generations.gens.iterdir() if p.is_dir()} == {first, third}
    finally:
        held.release()
    assert generations.collect() == [first]


def test_a_writer_that_cannot_get_the_lock_in_time_is_told_who_holds_it(tmp_path: Path) -> None:
    """Without a callback to tell the user it waits, a second writer waits quietly, then gives up."""
    holder = Generations(tmp_path / "store")
    second = Generations(holder.root)
    with holder.write_lock(wait=0):
        with pytest.raises(StoreBusy, match=f"pid {os.getpid()}"), second.write_lock(wait=0.2):
            pytest.fail("two writers held the lock at once")
        told: list[str] = []
        with pytest.raises(StoreBusy), second.write_lock(wait=0.2, on_wait=told.append):
            pytest.fail("two writers held the lock at once")
        assert told == [f"waiting for another writer (pid {os.getpid()}) to finish"]
    with Generations(holder.root).write_lock(wait=0):
        pass  # free again once the holder let go


def test_a_lock_file_left_without_its_generation_is_cleared(tmp_path: Path) -> None:
    """A process killed between removing a generation and removing its lock file leaves the lock file."""
    generations = Generations(tmp_path / "store")
    publish_one(generations)
    stray = generations.gens / "g00000000.lock"
    stray.touch()
    assert generations.collect() == ["g00000000"]
    assert not stray.exists()
    name = publish_one(generations)  # the next writer is not in the way of the stray lock file
    assert generations.current() == name


def test_a_current_pointer_to_a_generation_that_is_gone_says_the_store_is_damaged(tmp_path: Path) -> None:
    store = tmp_path / "store"
    publish_one(Generations(store))
    (store / "CURRENT").write_text("g00000099\n", encoding="ascii")
    done = coopgraph("query", "ASK {}", "--store", str(store))
    assert done.returncode == 5, done.stderr
    assert "g00000099" in done.stderr and "damaged" in done.stderr

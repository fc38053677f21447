"""Compaction: a rebuilt generation holds the same data, is laid out as a fresh bulk load, is published in
the background after writes, and the generations it replaces leave the disk once no process holds them."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph
import requests
from pyoxigraph import RdfFormat

from coopgraph.store.compaction import (
    COMPACTED,
    compact_in_background_once,
    is_compacted,
    remove_abandoned,
)
from coopgraph.store.generations import Generations
from coopgraph.store.local import LocalStore
from tests.conftest import PROJECT, start_server

EX = "http://example.org/compaction/"


def disk_bytes(folder: Path) -> int:
    """What the files under ``folder`` take on disk, a file with several links counted once (as du)."""
    seen: set[int] = set()
    total = 0
    for directory, _, files in os.walk(folder):
        for name in files:
            st = os.lstat(os.path.join(directory, name))
            if st.st_ino not in seen:
                seen.add(st.st_ino)
                total += st.st_blocks * 512
    return total


def nquads(store: LocalStore) -> list[bytes]:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return sorted(out.getvalue().splitlines())


def write_graphs(store: LocalStore, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        with store.transaction() as tx:
            tx.update(
                f"INSERT DATA {{ GRAPH <{EX}g{i}> {{ <{EX}s{i}> <{EX}p> _:b{i} . _:b{i} <{EX}q> {i} . }} }}"
            )


def test_a_background_compaction_publishes_the_same_data_and_the_old_generation_goes(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    try:
        write_graphs(store, 5)
        with store.transaction() as tx:
            tx.add_graph(EX + "empty")  # an empty named graph is data too
        before, written = nquads(store), store.generation
        assert not is_compacted(store.generations.gens / written)
        name = compact_in_background_once(store.generations, quiet=0.05)
        assert name is not None and name > written
        assert store.generation == name and is_compacted(store.generations.gens / name)
        assert nquads(store) == before, "blank nodes and quads are kept as they were"
        assert EX + "empty" in store.graph_names()
        store.collect()
        left = {p.name for p in store.generations.gens.iterdir() if p.is_dir()}
        assert left == {name}
        assert compact_in_background_once(store.generations, quiet=0.05) is None, "compacted twice"
    finally:
        store.close()


def test_a_write_during_a_background_compaction_wins(tmp_path: Path) -> None:
    """The rebuild holds no write lock; when a write publishes first, the rebuilt copy of the older
    generation is thrown away and the newer one is compacted instead."""
    store = LocalStore(tmp_path / "store")
    try:
        write_graphs(store, 3)
        gens = store.generations
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITE_ONE, str(store.root)], cwd=PROJECT, stdout=subprocess.PIPE
        )
        assert writer.stdout is not None
        assert writer.stdout.readline() == b"locked\n"  # the writer holds the lock: our publish must wait
        name = compact_in_background_once(gens, quiet=0.2)
        assert writer.wait(timeout=120) == 0
        assert name is not None and is_compacted(gens.gens / name)
        assert EX + "late" in store.graph_names(), "the write that came first is in the compacted copy"
        assert not list(gens.gens.glob("*.compacting")), "a rebuilt copy was left behind"
    finally:
        store.close()


WRITE_ONE = """
import sys, time
from coopgraph.store.local import LocalStore
store = LocalStore(sys.argv[1], create=False)
with store.transaction() as tx:
    print("locked", flush=True)
    time.sleep(1.0)
    tx.update("INSERT DATA { GRAPH <http://example.org/compaction/late> { <urn:a> <urn:b> <urn:c> } }")
store.close()
"""

HOLD = """
import sys
from coopgraph.store.generations import Generations
lease = Generations(sys.argv[1]).lease()
print(lease.name, flush=True)
sys.stdin.readline()
"""


def test_a_generation_another_process_holds_stays_until_it_lets_go(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    try:
        write_graphs(store, 2)
        reader = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(store.root)],
            cwd=PROJECT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert reader.stdout is not None and reader.stdin is not None
        held = reader.stdout.readline().decode().strip()
        assert store.compact() is True
        assert (store.generations.gens / held).is_dir(), "removed while another process reads it"
        reader.stdin.write(b"\n")
        reader.stdin.close()
        assert reader.wait(timeout=60) == 0
        assert held in store.collect()
        assert not (store.generations.gens / held).exists()
    finally:
        store.close()


def test_what_a_killed_compaction_left_is_removed(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.close()
    left = store.generations.gens / "g00000001.compacting"
    pyoxigraph.Store(str(left)).flush()
    remove_abandoned(Generations(store.root))
    assert not left.exists()


def test_compacting_at_start_leaves_one_generation_the_size_of_a_bulk_load(tmp_path: Path) -> None:
    """The rebuilt generation is laid out as a bulk load of the same data, and the one it replaced goes."""
    store = LocalStore(tmp_path / "store")
    try:
        with store.transaction() as tx:
            for part in range(4):  # several writes: level-0 files beside the loaded ones
                keys = " ".join(str(part * 2000 + k) for k in range(2000))
                tx.update(
                    f"INSERT {{ GRAPH <{EX}big> {{ ?s <{EX}p> ?n }} }} WHERE {{ VALUES ?k {{ {keys} }} "
                    f'BIND(IRI(CONCAT("{EX}s", STR(?k))) AS ?s) BIND(?k * 7 AS ?n) }}'
                )
        assert store.compact() is True
        compacted = store.generations.gens / store.generation
        fresh = tmp_path / "fresh"
        loaded = pyoxigraph.Store(str(fresh))
        out = io.BytesIO()
        store.dump(out, RdfFormat.N_QUADS)
        loaded.bulk_load(out.getvalue(), format=RdfFormat.N_QUADS)
        loaded.flush()
        del loaded
        assert (compacted / COMPACTED).exists()
        assert disk_bytes(store.root) <= 1.3 * disk_bytes(fresh)
    finally:
        store.close()


def test_the_disk_stays_near_one_compacted_generation_after_20_writes_through_the_server(
    store_copy: Path,
) -> None:
    server = start_server(store_copy, seed=False)
    try:
        headers = {**server.auth, "Content-Type": "text/turtle"}
        for i in range(20):
            body = f'<{EX}s{i}> <{EX}name> "thing {i}" ; <{EX}next> [ <{EX}n> {i} ] .\n'
            r = requests.put(
                server.url + "/graphs", params={"graph": f"{EX}w{i}"}, data=body, headers=headers
            )
            assert r.status_code == 201, r.text
        gens = Generations(store_copy)
        deadline = time.monotonic() + 180  # how long the background work may take on a busy machine
        while True:
            current = gens.current()
            assert current is not None
            one = disk_bytes(gens.gens / current)
            total = disk_bytes(store_copy)
            if is_compacted(gens.gens / current) and total <= 1.3 * one:
                print(f"{total:,} bytes on disk, {one:,} in the current generation")
                break
            if time.monotonic() > deadline:
                listing = sorted(p.name for p in gens.gens.iterdir())
                raise AssertionError(f"{total:,} bytes on disk against {one:,} for {current}: {listing}")
            time.sleep(0.5)
        count = requests.get(
            server.url + "/sparql",
            params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX}name> ?o }}"},
            headers={"Accept": "application/sparql-results+json"},
        ).json()
        assert count["results"]["bindings"][0]["n"]["value"] == "20"
    finally:
        server.stop()

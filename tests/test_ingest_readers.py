"""Readers during an ingest see the old graph or the new one, never half of it.

Reader processes count the triples of a graph in a loop, together with the catalogue's count for
it in the same query, while a ``coopgraph ingest`` process replaces the graph with a version of
another size. One reader keeps its store open (it moves to a new generation when one is
published); the other opens the store afresh for every read.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coopgraph.store.local import LocalStore
from ingest.batch import run
from ingest.sources import discover
from tests.conftest import COOPGRAPH, PROJECT

BASE = "https://w3id.org/coopgraph/"
GRAPH = BASE + "graph/data/rows.nt"
OLD_ROWS, NEW_ROWS = 20_000, 25_000  # three triples a row

READER = """
import sys, time
from pathlib import Path
from coopgraph.store.local import LocalStore

root, graph, stop, mode = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4]
query = f'''SELECT ?n ?t WHERE {{
  {{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} }}
  OPTIONAL {{ GRAPH <https://w3id.org/coopgraph/graph/catalog> {{
    <{graph}> <http://rdfs.org/ns/void#triples> ?t }} }}
}}'''
kept = LocalStore(root, create=False)

def read():
    store = kept if mode == "kept" else LocalStore(root, create=False)
    row = next(iter(store.query(query)))
    catalogued = row["t"].value if row["t"] is not None else "-"
    print(time.monotonic(), row["n"].value, catalogued, flush=True)
    if store is not kept:
        store.close()

while not stop.exists():
    read()
read()  # once more, after the writer has finished
"""


def rows(path: Path, name: str, n: int) -> Path:
    path.parent.mkdir(parents=True)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            s = f"<http://e.org/{name}/r{i}>"
            out.write(
                f"{s} <http://e.org/type> <http://e.org/Row> .\n"
                f'{s} <http://e.org/label> "hàng {i} ({name})"@vi .\n'
                f'{s} <http://e.org/year> "{1990 + i % 35}"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n'
            )
    return path


@pytest.mark.parametrize("mode", ["kept", "fresh"], ids=["store-kept-open", "store-opened-per-read"])
def test_readers_see_the_old_graph_or_the_new_one_never_half(tmp_path: Path, mode: str) -> None:
    old = rows(tmp_path / "old" / "rows.nt", "old", OLD_ROWS)
    new = rows(tmp_path / "new" / "rows.nt", "new", NEW_ROWS)
    root = tmp_path / "store"
    store = LocalStore(root)
    run(store, discover([old])[0])
    store.close()
    old_state, new_state = (str(3 * OLD_ROWS),) * 2, (str(3 * NEW_ROWS),) * 2

    env = dict(os.environ, COOPGRAPH_STORE=str(root), PYTHONPATH=str(PROJECT))
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(root), GRAPH, str(stop), mode],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None
        first = reader.stdout.readline()  # the reader is reading before the writer starts
        assert first, reader.stderr.read() if reader.stderr else ""
        writer = subprocess.Popen(
            [*COOPGRAPH, "ingest", str(new)], cwd=PROJECT, env=env, stderr=subprocess.PIPE
        )
        lock, me = root / "write.lock", str(writer.pid).encode()
        locked = None
        while writer.poll() is None and locked is None:
            if lock.read_bytes().strip() == me:
                locked = time.monotonic()
            time.sleep(0.005)
        _, err = writer.communicate(timeout=600)
        done = time.monotonic()
        assert writer.returncode == 0, err
        stop.touch()
        out, err = reader.communicate(timeout=120)
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    assert reader.returncode == 0, err

    reads = [line.split() for line in [first, *out.splitlines()]]
    seen = [(n, t) for _, n, t in reads]
    assert set(seen) <= {old_state, new_state}, sorted(set(seen) - {old_state, new_state})
    assert seen[0] == old_state and seen[-1] == new_state
    switch = seen.index(new_state)
    assert all(s == new_state for s in seen[switch:]), "a reader went back to the old graph"
    assert locked is not None
    during = [r for r in reads if locked <= float(r[0]) <= done]
    print(
        f"{len(reads)} reads, {len(during)} while the writer held the lock, the new graph from read {switch}"
    )
    assert len(during) >= 3, f"the premise: reads while the writer held the lock ({len(reads)} in all)"

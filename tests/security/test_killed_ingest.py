"""An ingest killed while it writes leaves a half-written generation beside the published one; the next
start removes it (it may be hundreds of megabytes), and the store stays on its last complete state."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import requests

from coopgraph.store import open_store
from tests.conftest import COOPGRAPH, PROJECT, start_server


def _generations(store: Path) -> set[str]:
    return {p.name for p in (store / "gens").iterdir() if p.is_dir()}


def _current(store: Path) -> str:
    return (store / "CURRENT").read_text(encoding="ascii").strip()


def _compact(store: Path) -> None:
    opened = open_store(store, create=False)
    try:
        opened.compact()
    finally:
        opened.close()


def test_a_start_removes_a_killed_ingests_generation(tmp_path: Path, seeded_store: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    _compact(store)  # so that the start below has nothing to write: only the clean-up can remove it
    current = _current(store)
    big = tmp_path / "big.nt"
    with open(big, "w", encoding="utf-8") as out:
        for n in range(400_000):
            out.write(f'<http://example.org/s{n}> <http://example.org/p> "value {n}" .\n')
    ingest = subprocess.Popen(
        [*COOPGRAPH, "ingest", str(big)],
        cwd=PROJECT,
        env=dict(os.environ, COOPGRAPH_STORE=str(store)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while ingest.poll() is None and not {g for g in _generations(store) if g > current and "." not in g}:
            time.sleep(0.01)
        ingest.send_signal(signal.SIGKILL)
        assert ingest.wait() == -signal.SIGKILL, "the ingest ended before it could be killed"
    finally:
        if ingest.poll() is None:
            ingest.kill()
    half_written = {g for g in _generations(store) if g > current}
    assert half_written and _current(store) == current

    server = start_server(store)
    try:
        now = _current(store)  # the same, or its compacted copy made by the start
        assert not {g for g in _generations(store) if g > now}, _generations(store)
        assert not half_written & _generations(store), (half_written, _generations(store))
        r = requests.get(server.url + "/sparql", params={"query": "ASK { <http://example.org/s0> ?p ?o }"})
        assert r.json()["boolean"] is False  # nothing of the killed ingest was published
    finally:
        server.stop()


def test_opening_a_store_removes_an_unfinished_copy(tmp_path: Path, seeded_store: Path) -> None:
    """A writer killed while RocksDB copied the current generation leaves the copy's staging folder
    (``gNNNNNNNN.tmp``)."""
    store = tmp_path / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    current = _current(store)
    staging = store / "gens" / f"g{int(current[1:]) + 1:08d}.tmp"
    shutil.copytree(store / "gens" / current, staging)
    open_store(store, create=False).close()
    assert not staging.exists()
    assert _current(store) == current and (store / "gens" / current).is_dir()

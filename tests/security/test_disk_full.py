"""A full disk during ingest: a clear message and exit code 7 (not "internal error ... a bug"); during a
write over HTTP (PUT/POST ``/graphs``, ``/update``): 507 with the same message. Either way the store is
exactly as it was, with no half-written generation (or request body) left behind.

The store lives on a small tmpfs mounted for the test, which needs root (the CI runs as root).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from coopgraph.cli import exits
from tests.conftest import coopgraph, start_server

#: Room for an empty store (about 13 MB with the ontology, vocabularies and shapes) and little more.
SIZE = "16m"


def _mounted(tmp_path: Path, size: str) -> Iterator[Path]:
    """A directory on a tmpfs of ``size``, unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.fail(
            "this test mounts a small tmpfs to fill the disk under a store, which needs root; "
            "run the suite as root (as the CI does)"
        )
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs at {mount} (needed to fill a disk): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    yield from _mounted(tmp_path, SIZE)


@pytest.fixture
def server_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs with room for a store and its server (filled up by the test itself)."""
    yield from _mounted(tmp_path, "48m")


def _generations(store: Path) -> list[str]:
    return sorted(p.name for p in (store / "gens").iterdir())


def test_a_full_disk_is_reported_and_leaves_the_store_whole(small_disk: Path, tmp_path: Path) -> None:
    store = small_disk / "store"
    assert coopgraph("init", "--no-seed", store=store).returncode == exits.OK
    before = coopgraph("export", "--format", "nquads", store=store, check=True).stdout
    generations = _generations(store)
    big = tmp_path / "big.nt"  # about 18 MB, beside the small disk: more than it can hold
    with open(big, "w", encoding="utf-8") as out:
        for n in range(200_000):
            out.write(
                f'<http://example.org/s{n}> <http://example.org/p> "value {n}, padded to fill a disk" .\n'
            )

    result = coopgraph("ingest", str(big), store=store)

    assert result.returncode == exits.DISK_FULL, result.stderr
    assert result.stderr.startswith("error: the disk is full: "), result.stderr
    assert "No space left on device" in result.stderr
    assert "nothing was written" in result.stderr
    assert "internal error" not in result.stderr and "bug" not in result.stderr
    left = set(_generations(store)) - set(generations)  # older ones may have been collected meanwhile
    assert not left, f"a half-written generation was left on the disk: {left}"
    assert coopgraph("export", "--format", "nquads", store=store, check=True).stdout == before


def _fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` with a file until ``leave`` bytes are free."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(disk / "filler", "wb") as out:
        block = b"\0" * (1 << 20)
        remaining = free - leave
        while remaining > 0:
            remaining -= out.write(block[: min(len(block), remaining)])


def _triples(count: int) -> str:
    return "".join(
        f'<http://example.org/s{n}> <http://example.org/p> "value {n}, padded to fill a disk" .\n'
        for n in range(count)
    )


def test_a_full_disk_answers_507_to_every_write_and_leaves_the_store_whole(server_disk: Path) -> None:
    store = server_disk / "store"
    assert coopgraph("init", "--no-seed", store=store).returncode == exits.OK
    server = start_server(store, seed=False)
    try:
        before = coopgraph("export", "--format", "nquads", store=store, check=True).stdout
        generations = _generations(store)
        _fill(server_disk, leave=512 * 1024)
        graph = "http://example.org/too-big"
        body = _triples(40_000).encode()  # about 3.6 MB
        headers = {**server.auth, "Content-Type": "application/n-triples"}
        writes = {
            "PUT /graphs": lambda: requests.put(
                server.url + "/graphs", params={"graph": graph}, data=body, headers=headers
            ),
            "POST /graphs": lambda: requests.post(
                server.url + "/graphs", params={"graph": graph}, data=body, headers=headers
            ),
            "POST /update": lambda: requests.post(
                server.url + "/update",
                data=f"INSERT DATA {{ GRAPH <{graph}> {{ {_triples(40_000)} }} }}".encode(),
                headers={**server.auth, "Content-Type": "application/sparql-update"},
            ),
        }
        for name, send in writes.items():
            r = send()
            assert r.status_code == 507, (name, r.status_code, r.text)
            assert r.text.startswith("the disk is full: "), (name, r.text)
            assert "No space left on device" in r.text and "nothing was written" in r.text, (name, r.text)
            assert str(server_disk) not in r.text, "the answer does not show the server's paths"
            assert not set(_generations(store)) - set(generations), f"{name} left a half-written generation"
            assert not any((store / "tmp").glob("*")), f"{name} left its request body behind"
        assert coopgraph("export", "--format", "nquads", store=store, check=True).stdout == before
        (server_disk / "filler").unlink()  # with room again, the same write goes through
        assert writes["PUT /graphs"]().status_code == 201
        count = requests.get(
            server.url + "/sparql",
            params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
            headers={"Accept": "application/sparql-results+json"},
        ).json()["results"]["bindings"][0]["n"]["value"]
        assert count == "40000"
    finally:
        server.stop()

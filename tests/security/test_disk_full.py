"""A full disk during ingest: a clear message and exit code 7 (not "internal error ... a bug"), and the
store exactly as it was, with no half-written generation left behind.

The store lives on a small tmpfs mounted for the test, which needs root (the CI runs as root).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from coopgraph.cli import exits
from tests.conftest import coopgraph

SIZE = "12m"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A directory on a tmpfs of ``SIZE``, unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.fail(
            "this test mounts a small tmpfs to fill the disk under a store, which needs root; "
            "run the suite as root (as the CI does)"
        )
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs at {mount} (needed to fill a disk): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


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

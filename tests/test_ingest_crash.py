"""SIGKILL during ``coopgraph ingest``: at random moments of a real ingest of a large file, the
process is killed; after each kill the store opens, ``CURRENT`` names a complete generation, the
target graph holds either the whole old version or the whole new one, the catalogue agrees with
the graphs, and the next ingest succeeds and clears what the killed writer left.

The first kills interrupt the replacement of a whole old version of the graph, the last ones its
first load into a store where it is absent. The moments are drawn from [0, T) after the writer
takes the store's write lock, T being the time a complete ingest took in this run; the random
seed is printed, and ``COOPGRAPH_CRASH_SEED`` replays a run.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from coopgraph.store.local import LocalStore
from ingest.batch import BatchOptions, run
from ingest.sources import discover
from tests.conftest import COOPGRAPH, PROJECT

KILLS = 10
KILLS_REPLACING = 6  # the first kills interrupt a replacement, the others a load into an absent graph
MAX_ATTEMPTS = 30
BASE = "https://w3id.org/coopgraph/"
CATALOG = BASE + "graph/catalog"
TARGET = BASE + "graph/data/big.nt"
SIDE = BASE + "graph/data/side.ttl"
EX = "http://e.org/"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
SHAPES = f"""\
@prefix sh: <http://www.w3.org/ns/shacl#> .
<{EX}ThingShape> a sh:NodeShape ; sh:targetClass <{EX}Thing> ;
    sh:property [ sh:path <{EX}name> ; sh:minCount 1 ; sh:message "A thing needs a name."@en ] .
"""
SIDE_TTL = f'<{EX}side> a <{EX}Thing> ; <{EX}name> "Đại học Hạ Long"@vi .\n'


@dataclass(frozen=True)
class Version:
    """One version of the big file: its own predicates, so that a mix of two versions shows."""

    name: str
    path: Path
    triples: int
    labels: int  # triples with the predicate {EX}{name}/label

    def label(self) -> str:
        return f"{EX}{self.name}/label"


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def write_version(folder: Path, name: str, rows: int) -> Version:
    """``rows`` resources, three triples each: a type, a Vietnamese label, a date (checked on load)."""
    folder.mkdir(parents=True)
    path = folder / "big.nt"
    p = f"{EX}{name}/"
    with open(path, "w", encoding="utf-8") as out:
        for i in range(rows):
            s = f"<{p}r{i}>"
            out.write(
                f"{s} <{p}type> <{p}Row> .\n"
                f'{s} <{p}label> "hàng {i}"@vi .\n'
                f'{s} <{p}date> "2024-{1 + i % 12:02d}-{1 + i % 28:02d}"^^<{XSD_DATE}> .\n'
            )
    return Version(name, path, 3 * rows, rows)


def count(store: LocalStore, graph: str, predicate: str | None = None) -> int:
    p = f"<{predicate}>" if predicate else "?p"
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s {p} ?o }} }}")
    return int(next(iter(rows))["n"].value)


def generation_dirs(root: Path) -> set[str]:
    return {p.name for p in (root / "gens").iterdir() if p.is_dir()}


def consistent(root: Path, versions: dict[str, Version], side_triples: int) -> str | None:
    """Check the store after a kill; return the version the target graph holds (None: absent)."""
    name = (root / "CURRENT").read_text(encoding="ascii")
    assert re.fullmatch(r"g\d{8}\n?", name), f"CURRENT holds {name!r}"
    name = name.strip()
    assert (root / "gens" / name).is_dir(), f"CURRENT names {name}, which is not on disk"
    store = LocalStore(root, create=False)
    try:
        assert store.generation == name
        records = store.records()
        assert store.graph_names() == set(records) | {CATALOG}, "the catalogue and the graphs disagree"
        for graph, record in records.items():
            assert count(store, graph) == record.triples, f"{graph}: catalogue says {record.triples}"
        assert count(store, SIDE) == side_triples
        if TARGET not in records:
            return None
        record = records[TARGET]
        # both versions are published as source/big.nt: the checksum says which one is held
        held = [v for v in versions.values() if record.checksum == _sha256(v.path)]
        assert len(held) == 1, f"the catalogue's checksum {record.checksum} is of no version"
        version = held[0]
        assert record.triples == version.triples, "the target graph is not whole"
        for other in versions.values():
            expected = version.labels if other is version else 0
            assert count(store, TARGET, other.label()) == expected, f"{version.name} mixed with {other.name}"
        (source,), _ = discover([version.path])
        assert record.checksum == source.checksum()
        return version.name
    finally:
        store.close()


class Writer:
    """A ``coopgraph ingest`` of one file, and the moment it took the write lock."""

    def __init__(self, root: Path, path: Path) -> None:
        env = dict(os.environ, COOPGRAPH_STORE=str(root))
        self.lock_file = root / "write.lock"
        self.process = subprocess.Popen(
            [*COOPGRAPH, "ingest", str(path)],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_for_lock(self) -> float | None:
        """Poll the lock file until it names this writer; None when the process ended first."""
        me = str(self.process.pid).encode()
        while self.process.poll() is None:
            try:
                with open(self.lock_file, "rb") as fh:
                    if fh.read(32).strip() == me:
                        return time.monotonic()
            except FileNotFoundError:
                pass
            time.sleep(0.005)
        return None


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Version]:
    root = tmp_path_factory.mktemp("crash-data")
    return {
        v.name: v for v in (write_version(root / "a", "a", 50_000), write_version(root / "b", "b", 50_010))
    }


def _drop_target(root: Path) -> None:
    dropped = subprocess.run(
        [*COOPGRAPH, "drop", "big.nt"],
        cwd=PROJECT,
        env=dict(os.environ, COOPGRAPH_STORE=str(root)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert dropped.returncode == 0, dropped.stderr


def kill_ingests(folder: Path, versions: dict[str, Version], rng: random.Random) -> str:
    """Kill ingests of the big file at random moments until KILLS of them were killed while
    running; after KILLS_REPLACING, the target graph is dropped before each attempt."""
    root = folder / "store"
    store = LocalStore(root)
    shapes, side = folder / "shapes" / "things.ttl", folder / "side" / "side.ttl"
    for path, text in ((shapes, SHAPES), (side, SIDE_TTL)):
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    run(store, discover([shapes], role="shapes")[0])
    run(store, discover([side])[0])
    side_triples = count(store, SIDE)
    store.close()
    assert consistent(root, versions, side_triples) is None

    # A complete ingest: the old state, and how long the work under the lock takes.
    calibration = Writer(root, versions["a"].path)
    locked = calibration.wait_for_lock()
    assert calibration.process.wait(timeout=600) == 0, calibration.process.stderr.read()
    calibration.process.stderr.close()
    assert locked is not None
    work = time.monotonic() - locked
    state = consistent(root, versions, side_triples)
    assert state == "a"

    kills: list[tuple[float, str | None, str | None]] = []  # (share of T, state before, state after)
    completed = 0
    for attempt in range(MAX_ATTEMPTS):
        if len(kills) >= KILLS:
            break
        if len(kills) >= KILLS_REPLACING and state is not None:
            _drop_target(root)
            state = consistent(root, versions, side_triples)
            assert state is None
        target = "b" if state == "a" else "a"
        writer = Writer(root, versions[target].path)
        locked = writer.wait_for_lock()
        delay = rng.uniform(0, work)
        if locked is not None:
            time.sleep(max(0.0, locked + delay - time.monotonic()))
        if writer.process.poll() is None:
            writer.process.send_signal(signal.SIGKILL)
        # The writer may finish between the poll and the signal: its exit status, not the poll,
        # says whether it was killed, and a normal exit is a completed ingest, checked as one.
        status = writer.process.wait(timeout=60)
        killed = status == -signal.SIGKILL
        assert killed or status == 0, writer.process.stderr.read()
        writer.process.stderr.close()
        context = f"attempt {attempt}: {delay:.3f} s of {work:.3f} s after the lock"

        current_at_kill = (root / "CURRENT").read_text(encoding="ascii").strip()
        observed = consistent(root, versions, side_triples)
        if killed:
            assert observed in (state, target), context
            kills.append((delay / work, state, observed))
        else:
            assert observed == target, context
            completed += 1
        state = observed

        # The next writer gets the lock at once, succeeds, and removes what the killed one left.
        follow = folder / "follow" / f"after-{attempt}.ttl"
        follow.parent.mkdir(exist_ok=True)
        follow.write_text(f'<{EX}after/{attempt}> a <{EX}Thing> ; <{EX}name> "lần {attempt}"@vi .\n')
        store = LocalStore(root, create=False)
        result = run(store, discover([follow])[0], BatchOptions(wait=0))
        assert [g.triples for g in result.loaded] == [2], context  # its two triples
        store.close()
        assert generation_dirs(root) <= {current_at_kill, result.generation}, context
        assert consistent(root, versions, side_triples) == state, context

    summary = (
        f"{len(kills)} kills at "
        + ", ".join(f"{share:.0%} ({before}->{after})" for share, before, after in kills)
        + f"; {completed} ingest(s) finished first; the work under the lock took {work:.2f} s"
    )
    assert len(kills) >= KILLS, summary

    # Finally a whole ingest through the command line, after all those kills.
    target = "b" if state == "a" else "a"
    last = Writer(root, versions[target].path)
    assert last.process.wait(timeout=600) == 0, last.process.stderr.read()
    last.process.stderr.close()
    assert consistent(root, versions, side_triples) == target
    return summary


def test_sigkill_at_random_moments_of_an_ingest_leaves_a_consistent_store(
    tmp_path: Path, versions: dict[str, Version]
) -> None:
    seed = int(os.environ.get("COOPGRAPH_CRASH_SEED") or random.SystemRandom().randrange(2**32))
    print(f"COOPGRAPH_CRASH_SEED={seed}")
    try:
        print(kill_ingests(tmp_path, versions, random.Random(seed)))
    except AssertionError as e:
        raise AssertionError(f"COOPGRAPH_CRASH_SEED={seed}: {e}") from e

"""SIGKILL of the whole server (its front and its workers) at random moments of HTTP writes.

Each attempt replaces one large graph with another version of it, by ``PUT /graphs`` or by
``POST /update``, and kills every process of the server at a moment drawn from [0, T), T being the
time a complete write of that kind took in this run. After each kill a restarted server must serve
a consistent store: ``CURRENT`` names a complete generation, the catalogue agrees with the graphs,
the target graph holds the whole old version or the whole new one (never a mix, never a part), the
other graphs are untouched; and it must accept the next write, which clears what the killed writer
left. The random seed is printed, and ``COOPGRAPH_HTTP_CRASH_SEED`` replays a run.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import requests

from tests.conftest import Server, coopgraph, start_server

KILLS = 6
MAX_ATTEMPTS = 14
ROWS = 800
BASE = "https://w3id.org/coopgraph/"
CATALOG = BASE + "graph/catalog"
EX = "http://e.org/"
TARGET = EX + "graph/big"
FOLLOW = EX + "graph/follow"
SIDE = BASE + "graph/data/side.ttl"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
SHAPES = f"""\
@prefix sh: <http://www.w3.org/ns/shacl#> .
<{EX}ThingShape> a sh:NodeShape ; sh:targetClass <{EX}Thing> ;
    sh:property [ sh:path <{EX}name> ; sh:minCount 1 ; sh:message "A thing needs a name."@en ] .
"""
SIDE_TTL = f'<{EX}side> a <{EX}Thing> ; <{EX}name> "Đại học Hạ Long"@vi .\n'


@dataclass(frozen=True)
class Version:
    """One version of the big graph: its own predicates, so that a mix of two versions shows."""

    name: str
    body: str  # N-Triples
    triples: int

    @property
    def label(self) -> str:
        return f"{EX}{self.name}/label"


def make_version(name: str, rows: int) -> Version:
    p = f"{EX}{name}/"
    lines = []
    for i in range(rows):
        s = f"<{p}r{i}>"
        lines.append(
            f"{s} <{p}type> <{p}Row> .\n"
            f'{s} <{p}label> "hàng {i}"@vi .\n'
            f'{s} <{p}date> "2024-{1 + i % 12:02d}-{1 + i % 28:02d}"^^<{XSD_DATE}> .\n'
        )
    return Version(name, "".join(lines), 3 * rows)


VERSIONS = {v.name: v for v in (make_version("a", ROWS), make_version("b", ROWS + 7))}


def send(server: Server, op: str, version: Version) -> requests.Response:
    if op == "put":
        return requests.put(
            server.url + "/graphs",
            params={"graph": TARGET},
            data=version.body.encode(),
            headers={**server.auth, "Content-Type": "application/n-triples"},
            timeout=300,
        )
    update = f"DROP SILENT GRAPH <{TARGET}> ;\nINSERT DATA {{ GRAPH <{TARGET}> {{\n{version.body}}} }}"
    return requests.post(
        server.url + "/update",
        data=update.encode(),
        headers={**server.auth, "Content-Type": "application/sparql-update"},
        timeout=300,
    )


def select(server: Server, query: str) -> list[dict[str, str]]:
    r = requests.post(server.url + "/sparql", data={"query": query}, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in row.items()} for row in r.json()["results"]["bindings"]]


def generation_dirs(root: Path) -> set[str]:
    return {p.name for p in (root / "gens").iterdir() if p.is_dir()}


def current(root: Path) -> str:
    name = (root / "CURRENT").read_text(encoding="ascii")
    assert re.fullmatch(r"g\d{8}\n?", name), f"CURRENT holds {name!r}"
    name = name.strip()
    assert (root / "gens" / name).is_dir(), f"CURRENT names {name}, which is not on disk"
    return name


def consistent(server: Server, side_triples: int) -> str | None:
    """The store as the server serves it; returns the version the target graph holds (None: absent)."""
    listing = requests.get(server.url + "/graphs", params={"format": "json"}).json()["graphs"]
    catalogue = {g["graph"]: g["triples"] for g in listing}
    counts = {
        row["g"]: int(row["n"])
        for row in select(server, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    counts.pop(CATALOG, None)
    assert counts == catalogue, "the catalogue and the graphs disagree"
    assert counts[SIDE] == side_triples
    if TARGET not in counts:
        return None
    labels = {
        row["p"]: int(row["n"])
        for row in select(
            server,
            f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH <{TARGET}> {{ ?s ?p ?o }} }} GROUP BY ?p",
        )
    }
    held = [v for v in VERSIONS.values() if v.label in labels]
    assert len(held) == 1, f"the target graph mixes versions: {sorted(labels)}"
    version = held[0]
    assert counts[TARGET] == version.triples, f"version {version.name} is not whole: {counts[TARGET]}"
    assert labels[version.label] == version.triples // 3
    return version.name


def kill_server(server: Server) -> None:
    """SIGKILL every process of the server, its write worker first."""
    parent = psutil.Process(server.process.pid)
    children = parent.children(recursive=True)
    children.sort(key=lambda p: "--role write" not in " ".join(p.cmdline()))
    for process in [*children, parent]:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=60)
    psutil.wait_procs(children, timeout=60)


def prepare(root: Path, folder: Path) -> None:
    """A store holding the shapes and a side graph, loaded through the command line."""
    for name, text, role in (("shapes/things.ttl", SHAPES, "shapes"), ("side/side.ttl", SIDE_TTL, "data")):
        path = folder / name
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
        done = coopgraph("ingest", str(path), "--role", role, store=root)
        assert done.returncode == 0, done.stderr


def kill_writes(folder: Path, rng: random.Random) -> str:
    root = folder / "store"
    prepare(root, folder)
    server = start_server(root, seed=False)
    try:
        side_triples = requests.get(server.url + "/graphs", params={"format": "json"}).json()["graphs"]
        side_triples = next(g["triples"] for g in side_triples if g["graph"] == SIDE)
        assert consistent(server, side_triples) is None
        # Complete writes of each kind: the old state, and how long each kind takes.
        work: dict[str, float] = {}
        state: str | None = None
        for op, name in (("put", "a"), ("update", "b"), ("put", "a")):
            started = time.monotonic()
            r = send(server, op, VERSIONS[name])
            work[op] = time.monotonic() - started
            assert r.status_code in (201, 204), r.text
            state = consistent(server, side_triples)
            assert state == name

        kills: list[tuple[str, float, str | None, str | None]] = []
        completed = 0
        for attempt in range(MAX_ATTEMPTS):
            if len(kills) >= KILLS:
                break
            op = ("put", "update")[attempt % 2]
            target = "b" if state == "a" else "a"
            delay = rng.uniform(0, work[op])
            outcome: dict[str, object] = {}

            def write(
                server: Server = server, op: str = op, target: str = target, outcome: dict = outcome
            ) -> None:
                try:
                    outcome["status"] = send(server, op, VERSIONS[target]).status_code
                except requests.RequestException as e:  # refused, reset, or cut in the middle of the answer
                    outcome["error"] = e

            writer = threading.Thread(target=write)
            writer.start()
            time.sleep(delay)
            kill_server(server)
            writer.join(timeout=60)
            context = f"attempt {attempt}: {op} killed {delay:.3f} s of {work[op]:.3f} s after it was sent"
            # The front, killed a moment after the write worker, may have answered 500 in between.
            killed = "error" in outcome or outcome.get("status") == 500
            assert killed or outcome.get("status") in (201, 204), (context, outcome)

            current(root)
            server = start_server(root, seed=False)  # it may publish a compacted copy first
            served = current(root)
            observed = consistent(server, side_triples)
            if killed:
                assert observed in (state, target), context
                kills.append((op, delay / work[op], state, observed))
            else:
                assert observed == target, context
                completed += 1
            state = observed

            # The restarted server takes the next write; what the killed one left is gone.
            follow = f'<{EX}after/{attempt}> <{EX}n> "lần {attempt}"@vi .\n'
            r = requests.put(
                server.url + "/graphs",
                params={"graph": FOLLOW},
                data=follow.encode(),
                headers={**server.auth, "Content-Type": "application/n-triples"},
            )
            assert r.status_code in (201, 204), (context, r.text)
            assert generation_dirs(root) <= {served, current(root)}, context
            assert consistent(server, side_triples) == state, context

        summary = (
            f"{len(kills)} kills at "
            + ", ".join(f"{op} {share:.0%} ({before}->{after})" for op, share, before, after in kills)
            + f"; {completed} write(s) finished first; a whole write took "
            + ", ".join(f"{op} {seconds:.2f} s" for op, seconds in work.items())
        )
        assert len(kills) >= KILLS, summary

        # Finally a whole write after all those kills.
        target = "b" if state == "a" else "a"
        assert send(server, "put", VERSIONS[target]).status_code in (201, 204)
        assert consistent(server, side_triples) == target
        return summary
    finally:
        server.stop()


def test_sigkill_of_the_server_during_http_writes_leaves_a_consistent_store(tmp_path: Path) -> None:
    seed = int(os.environ.get("COOPGRAPH_HTTP_CRASH_SEED") or random.SystemRandom().randrange(2**32))
    print(f"COOPGRAPH_HTTP_CRASH_SEED={seed}")
    try:
        print(kill_writes(tmp_path, random.Random(seed)))
    except AssertionError as e:
        raise AssertionError(f"COOPGRAPH_HTTP_CRASH_SEED={seed}: {e}") from e

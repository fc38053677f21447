"""The same coopgraph on each store backend: the embedded store, Oxigraph server and Virtuoso.

For each backend, in the same run and on the same generated data (organisations the shapes target, as in
``bench_ingest.py``):

* ``ingest``   ``coopgraph ingest`` of the N-Triples file into a store holding the ontology, vocabularies,
               shapes and seed data: literal checks, load, the validation gate, catalogue, publication
* ``queries``  every saved query (parameters at their defaults), through the store interface (for a remote
               backend: one HTTP request to the server, with its dataset named), median of ``--requests``
* ``front``    the same queries through ``coopgraph serve``'s ``/sparql`` on that store; the difference
               with ``queries`` is what the front adds on top of the store's own answer time

The servers are started as the remote store's tests start them (``tests/remote_servers.py``: Oxigraph
server in memory, Virtuoso in a temporary directory), each emptied first. Peak RSS is coopgraph's own
process (ingest, queries) and the server's process tree (front; the SPARQL server's own RSS beside it).

    python bench/bench_remote.py [--triples 1000000] [--backends embedded,oxigraph] [--requests 5]

Prints two tables; writes nothing to the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "bench"))

from bench_ingest import write_domain  # noqa: E402
from bench_memory_soak import rss_mb  # noqa: E402
from bench_overload import free_port  # noqa: E402

#: Virtuoso is left out by default: the project's shapes do not validate on it yet (docs/SCALE-OUT.md).
BACKENDS = ("embedded", "oxigraph")


def saved_queries() -> dict[str, str]:
    """The text of each saved query as the query page runs it (parameters bound to their defaults)."""
    from coopgraph.saved_queries import load_all

    return {name: saved.with_defaults() for name, saved in sorted(load_all().items())}


# ------------------------------------------------------------------------------ in a child process
def run_one(case: str, source: Path, requests: int) -> dict[str, object]:
    """Runs in a child process whose environment names the store; prints its figures as JSON."""
    from coopgraph.settings import load_settings
    from coopgraph.store import open_store

    store = open_store(load_settings())
    out: dict[str, object] = {}
    try:
        if case == "ingest":
            from ingest.batch import run
            from ingest.progress import Progress
            from ingest.sources import discover

            sources, problems = discover([source])
            assert not problems, problems
            started = time.perf_counter()
            result = run(store, sources, progress=Progress(1, enabled=False))
            out["seconds"] = time.perf_counter() - started
            out["triples"] = result.triples
        else:
            timings = {}
            for name, text in saved_queries().items():
                runs = []
                for _ in range(requests):
                    started = time.perf_counter()
                    answer = store.view().query(text)
                    rows = sum(1 for _ in answer) if hasattr(answer, "__iter__") else 1
                    runs.append(time.perf_counter() - started)
                timings[name] = {"ms": 1000 * statistics.median(runs), "rows": rows}
            out["queries"] = timings
    finally:
        store.close()
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def child(case: str, source: Path, env: dict[str, str], requests: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--one", case, str(source), str(requests)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        env={**os.environ, **env},
    )
    if done.returncode != 0:
        raise SystemExit(f"{case} failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def through_front(env: dict[str, str], queries: dict[str, str], requests: int) -> dict[str, object]:
    """The saved queries through ``coopgraph serve``'s /sparql on the backend ``env`` names."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "coopgraph.cli.main", "serve", "--no-seed", "--port", str(port)],
        cwd=PROJECT,
        env={**os.environ, **env, "COOPGRAPH_QUERY_TIMEOUT": "600"},  # timed here, not stopped
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200):
            try:
                if httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None:
                raise SystemExit(f"serve failed: {server.stderr.read().decode()[-3000:]}")  # type: ignore[union-attr]
            time.sleep(0.1)
        timings: dict[str, float] = {}
        peak = 0.0
        with httpx.Client(timeout=300) as client:
            for name, text in queries.items():
                runs = []
                for _ in range(requests):
                    started = time.perf_counter()
                    answer = client.get(
                        base + "/sparql",
                        params={"query": text},
                        headers={"Accept": "application/sparql-results+json, text/turtle"},
                    )
                    answer.raise_for_status()
                    runs.append(time.perf_counter() - started)
                timings[name] = 1000 * statistics.median(runs)
                peak = max(peak, rss_mb(server.pid, tree=True))
        return {"queries": timings, "rss_mb": peak}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--requests", type=int, default=5, help="runs of each query (median)")
    parser.add_argument("--one", nargs=3, metavar=("CASE", "SOURCE", "REQUESTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        case, source, requests = args.one
        print(json.dumps(run_one(case, Path(source), int(requests))))
        return
    from tests import remote_servers

    work = Path(tempfile.mkdtemp(prefix="coopgraph-bench-remote-"))
    domain = work / "organisations.nt"
    triples = write_domain(domain, args.triples)
    queries = saved_queries()
    rows: dict[str, dict] = {}
    for backend in args.backends.split(","):
        root = work / f"store-{backend}"
        if backend == "embedded":
            env, server_pid = {"COOPGRAPH_STORE": str(root)}, None
        else:
            running = remote_servers.server(backend)
            env, server_pid = running.environ(root), running.process.pid
        init = subprocess.run(
            [sys.executable, "-m", "coopgraph.cli.main", "init"],
            capture_output=True,
            text=True,
            cwd=PROJECT,
            env={**os.environ, **env},
        )
        if init.returncode != 0:
            raise SystemExit(f"{backend}: init failed: {init.stderr[-3000:]}")
        ingest = child("ingest", domain, env, args.requests)
        store_side = child("queries", domain, env, args.requests)
        front = through_front(env, queries, args.requests)
        server_rss = rss_mb(server_pid, tree=True) if server_pid else 0.0
        rows[backend] = {"ingest": ingest, "store": store_side, "front": front, "server_rss": server_rss}
        print(f"{backend}: done", file=sys.stderr, flush=True)
    remote_servers.stop_all()

    print(f"machine: {os.cpu_count()} cores; {triples:,} triples over the seed; median of {args.requests}")
    print(
        f"{'backend':9} {'ingest s':>9} {'triples/s':>10} {'ingest RSS':>11} {'front RSS':>10}"
        f" {'server RSS':>11}"
    )
    for backend, row in rows.items():
        ing = row["ingest"]
        server = f"{row['server_rss']:8.0f} MB" if row["server_rss"] else "         -"
        print(
            f"{backend:9} {ing['seconds']:9.1f} {ing['triples'] / ing['seconds']:10,.0f} "
            f"{ing['rss_mb']:8.0f} MB {row['front']['rss_mb']:7.0f} MB {server}"
        )
    print()
    names = list(queries)
    header = "".join(f" {b + ' store':>15} {b + ' front':>15}" for b in rows)
    print(f"{'saved query (ms)':28}{header}")
    for name in names:
        cells = ""
        for row in rows.values():
            cells += f" {row['store']['queries'][name]['ms']:15.1f} {row['front']['queries'][name]:15.1f}"
        print(f"{name:28}{cells}")
    totals = ""
    for row in rows.values():
        store_total = sum(q["ms"] for q in row["store"]["queries"].values())
        front_total = sum(row["front"]["queries"].values())
        totals += f" {store_total:15.1f} {front_total:15.1f}"
    print(f"{'all (sum)':28}{totals}")


if __name__ == "__main__":
    main()

"""The same coopgraph on each store backend: the embedded store, Oxigraph server and Virtuoso.

For each backend, in the same run and on the same generated data (organisations the shapes target, as in
``bench_ingest.py``):

* ``ingest``   ``coopgraph ingest`` of the N-Triples file into a store holding the ontology, vocabularies,
               shapes and seed data: literal checks, load, the validation gate, catalogue, publication
* ``queries``  every saved query (parameters at their defaults), through the store interface (for a remote
               backend: one HTTP request to the server, with its dataset named), median of ``--requests``;
               each query in a process of its own, so that the peak RSS beside it is its own
* ``front``    the same queries through ``coopgraph serve``'s ``/sparql`` on that store; the difference
               with ``queries`` is what the front adds on top of the store's own answer time

The servers are started as the remote store's tests start them (``tests/remote_servers.py``: Oxigraph
server in memory, Virtuoso in a temporary directory), each emptied first. Peak RSS is coopgraph's own
process (ingest, each query) and the server's process tree (front, after each query; the SPARQL server's
own RSS beside it). The load average of the machine is read before and after each step.

    python bench/bench_remote.py [--triples 1000000] [--backends embedded,oxigraph,virtuoso]
                                 [--requests 5] [--limit 120] [--queries NAME,...] [--json FILE]

``--limit``: a query whose first run takes longer is run once (and stopped at the limit: in process by
killing its child, through the front by the server's own query time limit), and shown as such.

Prints the tables as Markdown (with the command, date, commit and load averages); ``--json`` keeps every
figure. Writes nothing to the repository.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "bench"))

from bench_ingest import write_domain  # noqa: E402
from bench_memory_soak import rss_mb  # noqa: E402
from bench_overload import free_port  # noqa: E402

BACKENDS = ("embedded", "oxigraph", "virtuoso")


def saved_queries() -> dict[str, str]:
    """The text of each saved query as the query page runs it (parameters bound to their defaults)."""
    from coopgraph.saved_queries import load_all

    return {name: saved.with_defaults() for name, saved in sorted(load_all().items())}


# ------------------------------------------------------------------------------ in a child process
def run_one(case: str, source: Path, requests: int, limit: float) -> dict[str, object]:
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
        else:  # "query:NAME"
            text = saved_queries()[case.removeprefix("query:")]
            runs = []
            rows = 0
            for _ in range(requests):
                started = time.perf_counter()
                answer = store.view().query(text)
                rows = sum(1 for _ in answer) if hasattr(answer, "__iter__") else 1
                runs.append(time.perf_counter() - started)
                if runs[0] * requests > limit:
                    break  # a slow query: one run says enough
            out.update(ms=1000 * statistics.median(runs), rows=rows, runs=len(runs))
    finally:
        store.close()
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def load_average() -> float:
    """The machine's load average over the last minute (other work on the machine slows every figure)."""
    return os.getloadavg()[0]


def commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=PROJECT
    )
    return done.stdout.strip() or "unknown"


def child(case: str, source: Path, env: dict[str, str], requests: int, limit: float | None = None) -> dict:
    """``case`` in a process of its own; a query still running after ``limit`` seconds is stopped."""
    timeouts = {} if limit is None else {"COOPGRAPH_QUERY_TIMEOUT": str(limit)}  # a remote store's own
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--one", case, str(source), str(requests), str(limit or 0)],
            capture_output=True,
            text=True,
            cwd=PROJECT,
            env={**os.environ, **env, **timeouts},
            timeout=None if limit is None else limit * 2,  # a first run under the limit, then one more
        )
    except subprocess.TimeoutExpired:
        return {"ms": None, "rows": None, "runs": 0, "rss_mb": None, "stopped": limit}
    if done.returncode != 0:
        if limit is None:
            raise SystemExit(f"{case} failed: {done.stderr[-3000:]}")
        said = done.stderr.strip().splitlines()[-1][-160:] if done.stderr.strip() else done.returncode
        return {"ms": None, "rows": None, "runs": 0, "rss_mb": None, "stopped": f"error: {said}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def through_front(
    env: dict[str, str], queries: dict[str, str], requests: int, limit: float
) -> dict[str, object]:
    """The saved queries through ``coopgraph serve``'s /sparql on the backend ``env`` names, each stopped
    by the server's own time limit at ``limit`` seconds."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "coopgraph.cli.main", "serve", "--no-seed", "--port", str(port)],
        cwd=PROJECT,
        env={**os.environ, **env, "COOPGRAPH_QUERY_TIMEOUT": str(limit)},
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
        timings: dict[str, dict[str, float]] = {}
        peak = 0.0
        with httpx.Client(timeout=900) as client:
            for name, text in queries.items():
                runs = []
                stopped = None
                for _ in range(requests):
                    started = time.perf_counter()
                    answer = client.get(
                        base + "/sparql",
                        params={"query": text},
                        headers={"Accept": "application/sparql-results+json, text/turtle"},
                    )
                    if answer.status_code != 200:
                        stopped = f"{answer.status_code} after {time.perf_counter() - started:.0f} s"
                        break
                    runs.append(time.perf_counter() - started)
                    if runs[0] * requests > limit:
                        break
                tree = rss_mb(server.pid, tree=True)
                peak = max(peak, tree)
                timings[name] = {
                    "ms": 1000 * statistics.median(runs) if runs else None,
                    "runs": len(runs),
                    "rss_mb": tree,
                    "stopped": stopped,
                }
        return {"queries": timings, "rss_mb": peak}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def measure(
    backend: str, domain: Path, root: Path, queries: dict[str, str], requests: int, limit: float
) -> dict[str, Any]:
    """Ingest, each saved query in process and through the front, on one backend."""
    from tests import remote_servers

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
    row: dict[str, Any] = {"load_before": load_average()}
    row["ingest"] = child("ingest", domain, env, requests)
    row["ingest"]["load_after"] = load_average()
    row["server_rss_after_ingest"] = rss_mb(server_pid, tree=True) if server_pid else None
    store_side: dict[str, Any] = {}
    for name in queries:
        store_side[name] = child(f"query:{name}", domain, env, requests, limit)
        print(f"  {backend} {name}: {_ms(store_side[name])}", file=sys.stderr, flush=True)
    row["store"] = store_side
    row["load_after_store"] = load_average()
    row["front"] = through_front(env, queries, requests, limit)
    row["load_after_front"] = load_average()
    row["server_rss"] = rss_mb(server_pid, tree=True) if server_pid else None
    return row


def _ms(figure: dict[str, Any]) -> str:
    """A median, or why there is none; ``¹`` marks a query timed once (its first run was slow)."""
    if figure["ms"] is None:
        stopped = figure.get("stopped")
        return f"stopped ({stopped})" if isinstance(stopped, str) else f"> {stopped:.0f} s"
    once = "¹" if figure.get("runs") == 1 else ""
    return f"{figure['ms']:.1f}{once}"


def markdown(run: dict[str, Any]) -> str:
    """The run's tables, with what they were measured under."""
    rows = run["backends"]
    lines = [
        f"`{run['command']}` — {run['date']}, commit `{run['commit']}`, {run['cores']} cores, "
        f"{run['triples']:,} triples over the seed, median of {run['requests']} runs",
        "",
        "| backend | ingest | triples/s | ingest peak RSS | SPARQL server RSS | load avg (before → after) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for backend, row in rows.items():
        ing = row["ingest"]
        server = f"{row['server_rss_after_ingest']:.0f} MB" if row["server_rss_after_ingest"] else "—"
        lines.append(
            f"| {backend} | {ing['seconds']:.1f} s | {ing['triples'] / ing['seconds']:,.0f} | "
            f"{ing['rss_mb']:.0f} MB | {server} | {row['load_before']:.1f} → {ing['load_after']:.1f} |"
        )
    lines += [
        "",
        "Saved queries (ms, median; peak RSS of the process or of the server's tree beside each):",
        "",
    ]
    header = "| saved query | rows |" + "".join(f" {b} store | {b} front | {b} front adds |" for b in rows)
    lines += [header, "|---|---:|" + "---:|---:|---:|" * len(rows)]
    for name in run["queries"]:
        first = next(iter(rows.values()))
        expected = first["store"][name]["rows"]
        cells = f"| `{name}` | {expected if expected is not None else '?'} |"
        for row in rows.values():
            own, front = row["store"][name], row["front"]["queries"][name]
            wrong = "" if own["rows"] in (expected, None) else f" **{own['rows']} rows**"
            own_rss = f" ({own['rss_mb']:.0f} MB)" if own["rss_mb"] else ""
            adds = (
                f"{front['ms'] - own['ms']:+.1f}"
                if own["ms"] is not None and front["ms"] is not None
                else "—"
            )
            cells += f" {_ms(own)}{own_rss}{wrong} | {_ms(front)} ({front['rss_mb']:.0f} MB) | {adds} |"
        lines.append(cells)
    totals = "| all answered (sum) | |"
    for row in rows.values():
        both = [
            n
            for n in run["queries"]
            if row["store"][n]["ms"] is not None and row["front"]["queries"][n]["ms"] is not None
        ]
        own = sum(row["store"][n]["ms"] for n in both)
        front = sum(row["front"]["queries"][n]["ms"] for n in both)
        totals += f" {own:.1f} | {front:.1f} | {front - own:+.1f} |"
    lines.append(totals)
    lines += ["", "¹ timed once: its first run took longer than the limit divided by the runs asked for."]
    lines += [
        "",
        "Load average after the in-process queries / after the front: "
        + "; ".join(
            f"{b} {r['load_after_store']:.1f} / {r['load_after_front']:.1f}" for b, r in rows.items()
        ),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--requests", type=int, default=5, help="runs of each query (median)")
    parser.add_argument("--limit", type=float, default=120, help="seconds a query may run")
    parser.add_argument("--queries", help="only these saved queries (names, comma-separated)")
    parser.add_argument("--json", type=Path, help="where to keep every figure")
    parser.add_argument(
        "--one", nargs=4, metavar=("CASE", "SOURCE", "REQUESTS", "LIMIT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:
        case, source, requests, limit = args.one
        print(json.dumps(run_one(case, Path(source), int(requests), float(limit) or float("inf"))))
        return
    from tests import remote_servers

    work = Path(tempfile.mkdtemp(prefix="coopgraph-bench-remote-"))
    domain = work / "organisations.nt"
    triples = write_domain(domain, args.triples)
    queries = saved_queries()
    if args.queries:
        wanted = args.queries.split(",")
        unknown = set(wanted) - set(queries)
        if unknown:
            raise SystemExit(f"no saved query named {', '.join(sorted(unknown))}")
        queries = {name: queries[name] for name in wanted}
    run: dict[str, Any] = {
        "command": "python bench/bench_remote.py " + " ".join(sys.argv[1:]),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "cores": os.cpu_count(),
        "triples": triples,
        "requests": args.requests,
        "limit": args.limit,
        "queries": list(queries),
        "backends": {},
    }
    try:
        for backend in args.backends.split(","):
            run["backends"][backend] = measure(
                backend, domain, work / f"store-{backend}", queries, args.requests, args.limit
            )
            if args.json:
                args.json.write_text(json.dumps(run, indent=1))
            print(f"{backend}: done", file=sys.stderr, flush=True)
    finally:
        remote_servers.stop_all()
    print(markdown(run))


if __name__ == "__main__":
    main()

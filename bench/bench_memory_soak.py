"""Memory under hostile queries, and a mixed read/write soak.

1. **30 MB queries**: the RSS of the server's main process (the web process, not its workers) before and
   after ``--big-queries`` distinct queries of ``--big-mb`` MB each (a ``VALUES`` list of short strings,
   one a line), and how each was answered.
2. **Soak**: for ``--duration`` seconds, ``--readers`` clients send saved queries, point lookups and
   ``ASK``s while one writer inserts and deletes small graphs through ``/update`` (with the token); the
   answers by status, read latency (p50, p99), writes done, and the RSS of the main process and of all
   the server's processes at the start and at the end.

A ``coopgraph serve`` on a fresh store (the bundled data), default settings.

    python bench/bench_memory_soak.py [--duration 600] [--readers 4] [--big-queries 16] [--big-mb 30]

Prints the figures; writes nothing to the repository.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import psutil
from bench_overload import free_port, percentile, start

PROJECT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
MB = 1024 * 1024
READS = [
    "/sparql?" + urlencode({"query": "ASK {}"}),
    "/sparql?"
    + urlencode(
        {"query": "SELECT ?p ?o WHERE { <https://w3id.org/coopgraph/id/organization/vnu-hanoi> ?p ?o }"}
    ),
    "/queries/institutions-per-country",
    "/queries/agreement-signatories",
    "/queries/cooperation-by-status?status=planned",
]


def rss_mb(pid: int, tree: bool = False) -> float:
    """Resident memory of the process (``tree``: with all its children), in MB."""
    process = psutil.Process(pid)
    processes = [process, *process.children(recursive=True)] if tree else [process]
    total = 0
    for p in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total / MB


def big_query(n: int, size: int) -> bytes:
    """A query of about ``size`` bytes, different for each ``n``."""
    line = f'"value-{n:04d}-' + "x" * 80 + '"\n'
    count = size // len(line)
    return (f"# query {n}\nASK {{ VALUES ?v {{\n" + line * count + "} }\n").encode()


def memory_scenario(port: int, pid: int, queries: int, size_mb: int) -> None:
    before = rss_mb(pid)
    statuses: Counter[int] = Counter()
    peak = before
    for n in range(queries):
        body = big_query(n, size_mb * MB)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        connection.request("POST", "/sparql", body=body, headers={"Content-Type": "application/sparql-query"})
        response = connection.getresponse()
        response.read()
        statuses[response.status] += 1
        peak = max(peak, rss_mb(pid))
    time.sleep(2)
    after = rss_mb(pid)
    answered = ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items()))
    print(f"{queries} queries of {size_mb} MB: answered {answered}")
    print(f"main process RSS: {before:.0f} MB before, {peak:.0f} MB at the peak, {after:.0f} MB after")


def reader(
    port: int, stop: threading.Event, latencies: list[float], statuses: Counter[int], refusals: Counter[str]
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    rng = random.Random(threading.get_ident())
    while not stop.is_set():
        path = rng.choice(READS)
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
            response = connection.getresponse()
            body = response.read()
        except OSError:
            statuses[-1] += 1
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            continue
        statuses[response.status] += 1
        if response.status == 200:
            latencies.append((time.perf_counter() - started) * 1000)
        else:
            reason = body.decode("utf-8", "replace").strip().splitlines()[:1]
            refusals[f"{response.status} {path.split('?')[0]}: {reason[0] if reason else ''}"] += 1


def writer(port: int, stop: threading.Event, statuses: Counter[int]) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    n = 0
    while not stop.is_set():
        graph = f"http://example.org/soak/{n % 20}"
        triples = " ".join(
            f'<http://example.org/s{n}-{i}> <http://example.org/p> "v{i}" .' for i in range(50)
        )
        for update in (f"INSERT DATA {{ GRAPH <{graph}> {{ {triples} }} }}", f"DROP SILENT GRAPH <{graph}>"):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            try:
                connection.request("POST", "/update", body=update.encode(), headers=headers)
                response = connection.getresponse()
                response.read()
                statuses[response.status] += 1
            except OSError:
                statuses[-1] += 1
        n += 1


def soak(port: int, pid: int, duration: float, readers: int) -> None:
    start_main, start_all = rss_mb(pid), rss_mb(pid, tree=True)
    stop = threading.Event()
    latencies: list[float] = []
    reads: Counter[int] = Counter()
    refusals: Counter[str] = Counter()
    writes: Counter[int] = Counter()
    threads = [
        threading.Thread(target=reader, args=(port, stop, latencies, reads, refusals)) for _ in range(readers)
    ]
    threads.append(threading.Thread(target=writer, args=(port, stop, writes)))
    for thread in threads:
        thread.start()
    time.sleep(duration)
    stop.set()
    for thread in threads:
        thread.join()
    end_main, end_all = rss_mb(pid), rss_mb(pid, tree=True)
    print(f"soak: {duration:.0f} s, {readers} readers and 1 writer")
    print(f"reads by status: {dict(sorted(reads.items()))} ({sum(reads.values()) / duration:.0f}/s)")
    for reason, count in refusals.most_common():
        print(f"  refused {count} x {reason}")
    median = statistics.median(latencies) if latencies else float("nan")
    slowest = max(latencies, default=float("nan"))
    print(f"read latency: p50 {median:.1f} ms, p99 {percentile(latencies, 99):.1f} ms, max {slowest:.1f} ms")
    print(f"writes by status: {dict(sorted(writes.items()))} ({sum(writes.values()) / duration:.1f}/s)")
    print(f"RSS main process: {start_main:.0f} MB at the start, {end_main:.0f} MB at the end")
    print(f"RSS all processes: {start_all:.0f} MB at the start, {end_all:.0f} MB at the end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600.0, help="soak seconds")
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--big-queries", type=int, default=16)
    parser.add_argument("--big-mb", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        subprocess.run(
            [sys.executable, "-m", "coopgraph.cli.main", "init", "--store", str(store)],
            cwd=PROJECT,
            check=True,
            capture_output=True,
        )
        port = free_port()
        server = start(store, port, {"write_token": TOKEN})
        try:
            memory_scenario(port, server.pid, args.big_queries, args.big_mb)
            soak(port, server.pid, args.duration, args.readers)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()

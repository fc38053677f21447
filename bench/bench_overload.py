"""Cheap queries while runaway ones run: ``ASK {}`` latency (p50, p99) and 503 count from one client, with
0 and with ``--runaways`` expensive queries in flight from another client.

A ``coopgraph serve`` on a fresh store (the bundled data) with ``--workers`` query workers. The runaway
client (127.0.0.1) keeps ``--runaways`` cartesian-product counts in flight, each sent again as soon as it is
answered (refused with 503, or stopped at the query time limit); the measured client (127.0.0.2, another
client to the server) sends ``--asks`` sequential ASKs over one keep-alive connection.

    python bench/bench_overload.py [--runaways 4] [--asks 500] [--workers 4]

Prints a table; writes nothing to the repository.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

PROJECT = Path(__file__).resolve().parent.parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ASK = "/sparql?" + urlencode({"query": "ASK {}"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(store: Path, port: int, settings: dict[str, object]) -> subprocess.Popen[bytes]:
    """``coopgraph serve`` on ``store`` with ``settings`` (names of coopgraph's settings), once it answers."""
    env = dict(os.environ, COOPGRAPH_STORE=str(store))
    env.update({"COOPGRAPH_" + name.upper(): str(value) for name, value in settings.items()})
    process = subprocess.Popen(
        [sys.executable, "-m", "coopgraph.cli.main", "serve", "--port", str(port)],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", ASK)
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("coopgraph serve did not start")


def measure(port: int, asks: int) -> tuple[list[float], int]:
    """Latencies (ms) of the ASKs answered, and how many were refused (503)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=("127.0.0.2", 0))
    latencies, refused = [], 0
    for _ in range(asks):
        started = time.perf_counter()
        connection.request("GET", ASK, headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        response.read()
        if response.status == 503:
            refused += 1
        else:
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies, refused


def runaway_client(port: int, stop: threading.Event) -> None:
    body = urlencode({"query": RUNAWAY})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    while not stop.is_set():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        try:
            connection.request("POST", "/sparql", body=body, headers=headers)
            connection.getresponse().read()
        except OSError:
            pass
        if not stop.is_set():
            time.sleep(0.05)


def scenario(port: int, runaways: int, asks: int) -> tuple[list[float], int]:
    stop = threading.Event()
    threads = [
        threading.Thread(target=runaway_client, args=(port, stop), daemon=True) for _ in range(runaways)
    ]
    for thread in threads:
        thread.start()
    if runaways:
        time.sleep(1.0)  # let the runaways reach the workers
    try:
        return measure(port, asks)
    finally:
        stop.set()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runaways", type=int, default=4)
    parser.add_argument("--asks", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--query-timeout", type=float, default=30.0)
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
        server = start(store, port, {"workers": args.workers, "query_timeout": args.query_timeout})
        try:
            print(f"ASK {{}} from one client, {args.asks} sequential requests, {args.workers} query workers")
            print(f"{'runaways':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'503':>5}")
            for runaways in (0, args.runaways):
                latencies, refused = scenario(port, runaways, args.asks)
                median = statistics.median(latencies) if latencies else float("nan")
                p99, worst = percentile(latencies, 99), max(latencies, default=float("nan"))
                print(f"{runaways:>8} {median:>8.2f} {p99:>8.2f} {worst:>8.2f} {refused:>5}")
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()

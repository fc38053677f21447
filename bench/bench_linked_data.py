"""Resource pages and triple pattern fragments at 1M triples, against Oxigraph's server answering the
equivalent ``DESCRIBE``, in one run.

Same synthetic data for both (organisations and agreements under ``https://w3id.org/coopgraph/id/``, so
that the server dereferences them; their classes are not the ontology's, so that the validation gate has
nothing to check and the ingest is the pipeline's own cost):

* ``ours``      ``coopgraph serve``: ``/id/organization/oN`` as Turtle and as the HTML page (the bounded
                description plus incoming links: an organisation is named by about four agreements, and the
                page has their labels, the network picture's second ring and the sources), and
                ``/fragments?subject=…`` (TriG, first page with its count) and ``/fragments?predicate=…``
                (a page of 100 of about 400,000 matches, with the count capped at 100,000)
* ``oxigraph``  ``oxigraph serve-read-only --union-default-graph``: ``DESCRIBE <…/oN>`` as Turtle (the
                bounded description alone: no incoming links, no labels)

Latency: sequential requests from one keep-alive client, the cases alternating, each on a random one of
1,000 organisations; p50 and p99 of ``--requests`` each. Peak RSS: psutil, the process tree of each server,
sampled every 0.2 s over the whole run.

    python bench/bench_linked_data.py [--triples 1000000] [--requests 500]

Prints a table; writes nothing to the repository. Needs the ``bench`` extra (oxigraph, psutil).
"""

from __future__ import annotations

import argparse
import http.client
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_endpoint import Contender, RssSampler, free_port

PROJECT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
ID = "https://w3id.org/coopgraph/id/"
B = "http://example.org/bench/"
GRAPH = "https://w3id.org/coopgraph/graph/data/bench.nt"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SAMPLE = 1000


def write_data(path: Path, triples: int) -> int:
    """About ``triples`` N-Triples: a third in organisations (5 triples), the rest in agreements (6)."""
    rng = random.Random(11)
    orgs = max(SAMPLE, triples // 3 // 5)
    agreements = max(1, (triples - orgs * 5) // 6)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(orgs):
            s = f"<{ID}organization/o{i}>"
            out.write(
                f"{s} {RDF_TYPE} <{B}Organisation> .\n"
                f'{s} {LABEL} "Organisation {i}"@en .\n{s} {LABEL} "Tổ chức {i}"@vi .\n'
                f"{s} <{B}country> <{B}country/C{rng.randrange(60)}> .\n"
                f'{s} <{B}founded> "{rng.randrange(1850, 2024)}" .\n'
            )
        for j in range(agreements):
            s = f"<{ID}agreement/a{j}>"
            out.write(
                f"{s} {RDF_TYPE} <{B}Agreement> .\n"
                f'{s} {LABEL} "Agreement {j}"@en .\n'
                f"{s} <{B}partner> <{ID}organization/o{rng.randrange(orgs)}> .\n"
                f"{s} <{B}partner> <{ID}organization/o{rng.randrange(orgs)}> .\n"
                f'{s} <{B}year> "{rng.randrange(1990, 2026)}" .\n'
                f"{s} <{B}topic> <{B}topic/{rng.randrange(7)}> .\n"
            )
    return orgs


class Client:
    """One keep-alive connection to a server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str, accept: str) -> tuple[float, int]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        started = time.perf_counter()
        self.conn.request("GET", path, headers={"Accept": accept})
        response = self.conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}: {body[:300]!r}")
        return elapsed, len(body)


def wait_ready(client: Client, path: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log.read_text(errors="replace")[-3000:])
        try:
            client.get(path, "*/*")
            return
        except (OSError, http.client.HTTPException, RuntimeError):
            client.conn = None
            time.sleep(0.3)
    raise RuntimeError(f"no answer from {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coopgraph-bench-ld-") as tmp:
        work = Path(tmp)
        data = work / "data.nt"
        orgs = write_data(data, args.triples)
        coopgraph = [sys.executable, "-m", "coopgraph.cli.main"]
        t = time.perf_counter()
        subprocess.run(
            [*coopgraph, "ingest", str(data), "--store", str(work / "ours")],
            check=True,
            cwd=PROJECT,
            stdout=subprocess.DEVNULL,
        )
        print(f"coopgraph ingest: {time.perf_counter() - t:.1f} s", flush=True)
        oxigraph = str(VENV_BIN / "oxigraph")
        subprocess.run(
            [oxigraph, "load", "--location", str(work / "ox"), "--file", str(data), "--graph", GRAPH],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        ours_port, ox_port = free_port(), free_port()
        with open(work / "ours.log", "wb") as log:
            ours = subprocess.Popen(
                [*coopgraph, "serve", "--store", str(work / "ours"), "--no-seed", "--port", str(ours_port)],
                cwd=PROJECT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        with open(work / "ox.log", "wb") as log:
            ox = subprocess.Popen(
                [
                    *(oxigraph, "serve-read-only", "--location", str(work / "ox")),
                    *("--union-default-graph", "--bind", f"127.0.0.1:{ox_port}"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        contenders = {"ours": Contender("ours", ours), "oxigraph": Contender("oxigraph", ox)}
        sampler = RssSampler(contenders)
        sampler.start()
        try:
            run(args, orgs, Client(ours_port), Client(ox_port), ours, ox, work)
        finally:
            sampler.halt.set()
            for contender in contenders.values():
                contender.stop()
        print("peak RSS: " + ", ".join(f"{c.name} {c.peak_rss / 2**20:,.0f} MB" for c in contenders.values()))


def run(
    args: argparse.Namespace,
    orgs: int,
    ours: Client,
    ox: Client,
    ours_process: subprocess.Popen[bytes],
    ox_process: subprocess.Popen[bytes],
    work: Path,
) -> None:
    wait_ready(ours, "/fragments?page=1", ours_process, work / "ours.log")
    wait_ready(ox, "/query?query=ASK%7B%7D", ox_process, work / "ox.log")
    rng = random.Random(5)
    sample = rng.sample(range(orgs), SAMPLE)
    partner = urllib.parse.quote(B + "partner", safe="")

    def describe(i: int) -> str:
        return "/query?" + urllib.parse.urlencode({"query": f"DESCRIBE <{ID}organization/o{i}>"})

    cases = {
        "ours: resource, Turtle": (ours, lambda i: f"/id/organization/o{i}", "text/turtle"),
        "ours: resource page, HTML": (ours, lambda i: f"/id/organization/o{i}", "text/html"),
        "ours: fragment ?subject (TriG)": (
            ours,
            lambda i: "/fragments?subject=" + urllib.parse.quote(f"{ID}organization/o{i}", safe=""),
            "application/trig",
        ),
        "ours: fragment ?predicate, page 2 (TriG)": (
            ours,
            lambda i: f"/fragments?predicate={partner}&page=2",
            "application/trig",
        ),
        "oxigraph: DESCRIBE, Turtle": (ox, describe, "text/turtle"),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    sizes: dict[str, list[int]] = {name: [] for name in cases}
    for client, path, accept in cases.values():  # warm: each once
        client.get(path(sample[0]), accept)
    for n in range(args.requests):
        i = sample[n % SAMPLE]
        for name, (client, path, accept) in cases.items():
            elapsed, size = client.get(path(i), accept)
            times[name].append(elapsed)
            sizes[name].append(size)
    print(f"\n{args.requests} requests each, {orgs:,} organisations\n")
    print("| case | p50 ms | p99 ms | bytes (median) |")
    print("|---|---:|---:|---:|")
    for name, values in times.items():
        values.sort()
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        print(
            f"| {name} | {statistics.median(values) * 1000:.2f} | {p99 * 1000:.2f} | "
            f"{int(statistics.median(sizes[name])):,} |"
        )


if __name__ == "__main__":
    main()

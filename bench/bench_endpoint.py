"""The SPARQL endpoint against rdflib-endpoint, Oxigraph's own server and pyoxigraph in-process, in one run.

Same synthetic data (organisations, agreements, countries: labels, years, partner links) at each size, same
four queries, every contender running at once so that the timings alternate between them:

* ``ours``       ``coopgraph serve`` (front process + query workers), GET /sparql, under uvicorn (httptools,
                 uvloop); ``ours-granian`` the same under Granian (the setting ``front``)
* ``rdflib``     rdflib-endpoint serving an rdflib ``Dataset`` on oxrdflib's Oxigraph store (default graph =
                 the union of the named graphs; rdflib-endpoint prepares each query, so rdflib's own SPARQL
                 engine evaluates it over the store), GET /sparql
* ``oxigraph``   ``oxigraph serve-read-only --union-default-graph``, GET /query
* ``inprocess``  pyoxigraph in a process of its own: ``Store.read_only`` + ``query`` + JSON serialisation
                 (latency only, measured inside that process)

Queries: ``point`` (every triple of one organisation, a random one of 1,000 per request), ``join``
(3 patterns: agreements of a year with a partner in a country), ``aggregate`` (organisations per country,
GROUP BY/COUNT), ``text`` (agreements whose label CONTAINS a word, through LCASE). Every contender must give
the same row counts before anything is timed.

Latency: median of sequential requests from a Python client (keep-alive), requests alternating between the
contenders. Throughput: ``wrk`` at 1 and 8 connections for ``--duration`` seconds (point lookups) or half of
it (the other queries), with the CPU time the server's processes spent per answer; a contender whose
single-request latency is above ``--wrk-max-latency`` is not run under wrk (it would still be answering the
queued requests when the next run starts). Peak RSS: psutil, summed over each contender's process tree,
sampled every 0.2 s over the whole run.

    python bench/bench_endpoint.py [--sizes 100000,1000000] [--duration 10] [--quick]

Prints tables and the ratios; writes nothing to the repository. Needs ``wrk`` on the PATH and the ``bench``
extra (oxigraph, rdflib-endpoint, psutil, granian).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

PROJECT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
B = "http://example.org/bench/"
GRAPH = B + "graph"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
ACCEPT = "application/sparql-results+json"
COUNTRIES = 60
SECTORS = ("university", "college", "institute", "ministry", "foundation", "agency", "school", "academy")
TOPICS = ("fisheries", "nursing", "engineering", "languages", "agronomy", "teacher training", "medicine")
#: The word the text query looks for: one of the programme names, each used by about 1 in 400 agreements.
WORD = "korivan"
YEAR, COUNTRY = 2010, 7
POINT_IDS = 1000
QUERIES = ("point", "join", "aggregate", "text")
#: ``coopgraph serve`` under each HTTP front (the setting ``front``), each with its query workers.
OURS_FRONTS = {"ours": "uvicorn", "ours-granian": "granian"}
#: The floors (see :func:`serve_floor`) by name: the mode each runs in.
FLOORS = {
    "floor": "inline",
    "floor-thread": "thread",
    "floor-granian": "granian-asgi",
    "floor-rsgi": "granian-rsgi",
}
CONTENDERS = (*OURS_FRONTS, "rdflib", "oxigraph", "inprocess", *FLOORS)
SERVERS = (*OURS_FRONTS, "rdflib", "oxigraph", *FLOORS)
#: Run by default; the floors are asked for by name (--contenders ours,oxigraph,floor,floor-granian).
DEFAULT_CONTENDERS = ("ours", "ours-granian", "rdflib", "oxigraph", "inprocess")


# ----------------------------------------------------------------------------------------------- data
def programme_names(count: int) -> list[str]:
    rng = random.Random(3)
    syllables = ["ba", "do", "ke", "li", "mo", "nu", "pa", "ri"]
    syllables += ["sa", "te", "vu", "za", "ho", "ga", "fe", "ti"]
    names = {WORD}
    while len(names) < count:
        names.add("".join(rng.choice(syllables) for _ in range(3)) + rng.choice("nrlm"))
    return sorted(names)


def write_data(path: Path, triples: int) -> tuple[int, int, int]:
    """About ``triples`` N-Triples: a third organisations (5 triples each), the rest agreements (7 each)."""
    rng = random.Random(11)
    orgs = max(POINT_IDS, triples // 3 // 5)
    agreements = max(1, (triples - orgs * 5 - COUNTRIES * 3) // 7)
    names = programme_names(400)
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for c in range(COUNTRIES):
            s = f"<{B}country/C{c}>"
            out.write(f'{s} {RDF_TYPE} <{B}Country> .\n{s} {LABEL} "Country {c}"@en .\n')
            out.write(f'{s} <{B}code> "C{c}" .\n')
            written += 3
        for i in range(orgs):
            s = f"<{B}org/{i}>"
            sector = rng.choice(SECTORS)
            out.write(
                f"{s} {RDF_TYPE} <{B}Organisation> .\n"
                f'{s} {LABEL} "{sector.title()} number {i} of {rng.choice(names).title()}"@en .\n'
                f"{s} <{B}country> <{B}country/C{rng.randrange(COUNTRIES)}> .\n"
                f'{s} <{B}founded> "{rng.randrange(1850, 2024)}"^^<{XSD}integer> .\n'
                f"{s} <{B}sector> <{B}sector/{sector}> .\n"
            )
            written += 5
        for j in range(agreements):
            s = f"<{B}agreement/{j}>"
            a, b = rng.randrange(orgs), rng.randrange(orgs)
            year = rng.randrange(1990, 2026)
            out.write(
                f"{s} {RDF_TYPE} <{B}Agreement> .\n"
                f'{s} {LABEL} "{rng.choice(names).title()} programme: agreement on '
                f'{rng.choice(TOPICS)} cooperation no. {j}"@en .\n'
                f'{s} <{B}year> "{year}"^^<{XSD}integer> .\n'
                f"{s} <{B}partner> <{B}org/{a}> .\n"
                f"{s} <{B}partner> <{B}org/{b}> .\n"
                f'{s} <{B}signed> "{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"'
                f"^^<{XSD}date> .\n"
                f"{s} <{B}topic> <{B}topic/{rng.randrange(len(TOPICS))}> .\n"
            )
            written += 7
    return written, orgs, agreements


def point_ids(orgs: int) -> list[int]:
    return random.Random(5).sample(range(orgs), POINT_IDS)


def queries(orgs: int) -> dict[str, list[str]]:
    """Each query's texts: one text, or for ``point`` one per organisation looked up."""
    prefix = f"PREFIX b: <{B}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    return {
        "point": [f"SELECT ?p ?o WHERE {{ <{B}org/{i}> ?p ?o }}" for i in point_ids(orgs)],
        "join": [
            prefix + f"SELECT ?a ?o WHERE {{ ?a b:year {YEAR} . ?a b:partner ?o . "
            f"?o b:country <{B}country/C{COUNTRY}> }}"
        ],
        "aggregate": [
            prefix + "SELECT ?c (COUNT(?o) AS ?n) WHERE { ?o a b:Organisation ; b:country ?c } GROUP BY ?c"
        ],
        "text": [
            prefix + "SELECT ?a ?label WHERE { ?a a b:Agreement ; rdfs:label ?label "
            f'FILTER(CONTAINS(LCASE(?label), "{WORD}")) }}'
        ],
    }


# ------------------------------------------------------------------------------------- child processes
def serve_rdflib(store: str, data: str, port: int) -> None:
    """rdflib-endpoint over an rdflib Dataset on oxrdflib's Oxigraph store (runs in a child process)."""
    import pyoxigraph as ox
    import uvicorn
    from oxrdflib.store import OxigraphStore
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    inner = ox.Store(store)
    inner.bulk_load(path=data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH))
    dataset = Dataset(store=OxigraphStore(store=inner), default_union=True)
    app = SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def serve_floor(store: str, port: int, mode: str) -> None:
    """The least a Python server can do per query: an HTTP server and a bare function that answers
    ``?query=`` from a read-only pyoxigraph store, with nothing else (no protocol checks, no negotiation,
    no limits). ``inline``: uvicorn (httptools, uvloop) and an ASGI function evaluating on the event loop,
    so one slow query stops every other request; ``thread``: the same on a thread pool, the least a server
    that keeps its event loop free must do (and the query still cannot be stopped); ``granian-asgi`` and
    ``granian-rsgi``: the inline function under Granian (embedded, one Rust thread), through its ASGI and
    its RSGI interface. A ceiling for any Python front, not a peer."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import pyoxigraph as ox
    import uvicorn

    st = ox.Store.read_only(store)
    pool = ThreadPoolExecutor(os.cpu_count() or 1)
    headers = [(b"content-type", b"application/sparql-results+json")]

    def answer(query: str) -> bytes:
        results = st.query(query, use_default_graph_as_union=True)
        return results.serialize(format=ox.QueryResultsFormat.JSON)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        query = urllib.parse.parse_qs(scope["query_string"].decode()).get("query", ["ASK {}"])[0]
        if mode == "inline":
            body = answer(query)
        else:
            body = await asyncio.get_running_loop().run_in_executor(pool, answer, query)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    if mode.startswith("granian"):
        serve_granian(app, answer, port, mode)
        return
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
    )


def serve_granian(asgi: Any, answer: Any, port: int, mode: str) -> None:
    """Granian embedded on uvloop, as ``coopgraph serve`` runs it (server.http.granian_front)."""
    import asyncio

    import uvloop
    from granian.constants import HTTPModes, Interfaces
    from granian.log import LogLevels
    from granian.server.embed import Server

    content_type = [("content-type", "application/sparql-results+json")]

    async def rsgi(scope: Any, protocol: Any) -> None:
        query = urllib.parse.parse_qs(scope.query_string).get("query", ["ASK {}"])[0]
        protocol.response_bytes(200, content_type, answer(query))

    server = Server(
        asgi if mode == "granian-asgi" else rsgi,
        address="127.0.0.1",
        port=port,
        interface=Interfaces.ASGINL if mode == "granian-asgi" else Interfaces.RSGI,
        http=HTTPModes.http1,
        websockets=False,
        log_level=LogLevels.warning,
    )

    async def run() -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, server.stop)
        await server.serve()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(run())


def serve_inprocess(store: str) -> None:
    """pyoxigraph in-process: one JSON request per line on stdin, one JSON answer per line on stdout."""
    import pyoxigraph as ox

    st = ox.Store.read_only(store)
    out = sys.stdout
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        started = time.perf_counter()
        results = st.query(request["query"], use_default_graph_as_union=True)
        body = results.serialize(format=ox.QueryResultsFormat.JSON)
        elapsed = time.perf_counter() - started
        rows = len(json.loads(body)["results"]["bindings"]) if request.get("count") else None
        out.write(json.dumps({"seconds": elapsed, "rows": rows}) + "\n")
        out.flush()


# ---------------------------------------------------------------------------------------- contenders
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Contender:
    name: str
    process: subprocess.Popen[bytes]
    path: str = ""  # the query path of a server
    port: int = 0
    log: Path | None = None
    peak_rss: int = 0
    conn: http.client.HTTPConnection | None = None
    used: float = 0.0  # when the connection last answered
    skipped: set[str] = field(default_factory=set)

    def url(self, query: str) -> str:
        return f"{self.path}?{urllib.parse.urlencode({'query': query})}"

    def ask(self, query: str, count: bool = False, timeout: float = 300) -> tuple[float, int | None]:
        """One request: (seconds, rows if asked)."""
        if self.name == "inprocess":
            assert self.process.stdin is not None and self.process.stdout is not None
            self.process.stdin.write((json.dumps({"query": query, "count": count}) + "\n").encode())
            self.process.stdin.flush()
            answer = json.loads(self.process.stdout.readline())
            return answer["seconds"], answer["rows"]
        if self.conn is not None and time.monotonic() - self.used > 2:  # servers drop idle keep-alives
            self.conn.close()
            self.conn = None
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            self.conn.connect()
        assert self.conn.sock is not None
        self.conn.sock.settimeout(timeout)
        started = time.perf_counter()
        try:
            self.conn.request("GET", self.url(query), headers={"Accept": ACCEPT})
            response = self.conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        elapsed = time.perf_counter() - started
        self.used = time.monotonic()
        if response.status != 200:
            raise RuntimeError(f"{self.name}: HTTP {response.status}: {body[:300]!r}")
        rows = len(json.loads(body)["results"]["bindings"]) if count else None
        return elapsed, rows

    def _tree(self) -> list[psutil.Process]:
        """The contender's process and its children (none once it has gone)."""
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def tree_rss(self) -> int:
        total = 0
        for p in self._tree():
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total

    def tree_cpu(self) -> float:
        """CPU seconds (user + system) used so far by the contender's process and its children."""
        total = 0.0
        for p in self._tree():
            with contextlib.suppress(psutil.Error):
                times = p.cpu_times()
                total += times.user + times.system
        return total

    def stop(self) -> None:
        if self.conn is not None:
            self.conn.close()
        if self.process.poll() is None:
            try:
                children = psutil.Process(self.process.pid).children(recursive=True)
            except psutil.Error:
                children = []
            self.process.send_signal(signal.SIGTERM if self.name != "inprocess" else signal.SIGKILL)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            for child in children:  # workers that outlived their server
                with contextlib.suppress(psutil.Error):
                    child.kill()


def wait_ready(contender: Contender, probe: str, limit: float = 300) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if contender.process.poll() is not None:
            log = contender.log.read_text(errors="replace")[-3000:] if contender.log else ""
            raise RuntimeError(f"{contender.name} exited with {contender.process.returncode}:\n{log}")
        try:
            contender.ask(probe, timeout=10)
            return
        except (OSError, http.client.HTTPException, RuntimeError):
            time.sleep(0.2)
    raise RuntimeError(f"{contender.name} did not answer within {limit:g} s")


def start_contenders(work: Path, data: Path, args: argparse.Namespace) -> dict[str, Contender]:
    """Prepare each contender's store, start them all and wait until each answers."""
    enabled: tuple[str, ...] = args.contenders
    ours = Path(args.ours_root).resolve() if args.ours_root else PROJECT
    env = dict(os.environ, PYTHONPATH=str(ours))
    if args.ours_workers:
        env["COOPGRAPH_WORKERS"] = str(args.ours_workers)
    oxigraph, coopgraph = [str(VENV_BIN / "oxigraph")], [sys.executable, "-m", "coopgraph.cli.main"]
    started: dict[str, Contender] = {}
    timings: dict[str, float] = {}
    ox_store = work / "oxigraph"
    t = time.perf_counter()
    subprocess.run(
        [*oxigraph, "load", "--location", str(ox_store), "--file", str(data), "--graph", GRAPH],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    timings["oxigraph load"] = time.perf_counter() - t
    probe = "ASK {}"
    try:
        ingested: Path | None = None
        for name, front in OURS_FRONTS.items():
            if name not in enabled:
                continue
            store = work / name
            if ingested is None:
                t = time.perf_counter()
                subprocess.run(
                    [*coopgraph, "ingest", str(data), "--store", str(store), "--format", "json"],
                    check=True,
                    env=env,
                    cwd=ours,
                    stdout=subprocess.DEVNULL,
                )
                timings["coopgraph ingest"] = time.perf_counter() - t
                ingested = store
            else:  # a store of its own: each server compacts and locks its store as if alone
                shutil.copytree(ingested, store, symlinks=True)
            port, log = free_port(), work / f"{name}.log"
            with open(log, "wb") as out:
                process = subprocess.Popen(
                    [*coopgraph, "serve", "--store", str(store), "--no-seed", "--port", str(port)],
                    env=dict(env, COOPGRAPH_FRONT=front),
                    cwd=ours,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started[name] = Contender(name, process, "/sparql", port, log)
        if "rdflib" in enabled:
            port, log = free_port(), work / "rdflib.log"
            with open(log, "wb") as out:
                process = subprocess.Popen(
                    [sys.executable, __file__, "--child-rdflib", str(work / "rdflib"), str(data), str(port)],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started["rdflib"] = Contender("rdflib", process, "/sparql", port, log)
        if "oxigraph" in enabled:
            port, log = free_port(), work / "oxigraph.log"
            # The default graph is the union of the named graphs, as in ours and in the rdflib Dataset.
            options = ["--union-default-graph", "--bind", f"127.0.0.1:{port}"]
            with open(log, "wb") as out:
                process = subprocess.Popen(
                    [*oxigraph, "serve-read-only", "--location", str(ox_store), *options],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started["oxigraph"] = Contender("oxigraph", process, "/query", port, log)
        for name, mode in FLOORS.items():
            if name not in enabled:
                continue
            port, log = free_port(), work / f"{name}.log"
            with open(log, "wb") as out:
                process = subprocess.Popen(
                    [sys.executable, __file__, "--child-floor", str(ox_store), str(port), mode],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started[name] = Contender(name, process, "/sparql", port, log)
        if "inprocess" in enabled:
            process = subprocess.Popen(
                [sys.executable, __file__, "--child-inprocess", str(ox_store)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            assert process.stdout is not None
            if not json.loads(process.stdout.readline()).get("ready"):
                raise RuntimeError("the in-process contender did not start")
            started["inprocess"] = Contender("inprocess", process)
        t = time.perf_counter()
        for contender in started.values():
            if contender.name != "inprocess":
                wait_ready(contender, probe)
        timings["servers ready"] = time.perf_counter() - t
    except BaseException:
        for contender in started.values():
            contender.stop()
        raise
    print("  setup: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()), flush=True)
    return started


class RssSampler(threading.Thread):
    def __init__(self, contenders: dict[str, Contender]) -> None:
        super().__init__(daemon=True)
        self.contenders = contenders
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(0.2):
            for c in self.contenders.values():
                c.peak_rss = max(c.peak_rss, c.tree_rss())


# -------------------------------------------------------------------------------------------- timings
#: A contender slower than this (seconds, first request) is timed once: the count check's request.
SLOW = 5.0


def check_counts(
    contenders: dict[str, Contender], texts: dict[str, list[str]]
) -> tuple[dict[str, int], dict[str, dict[str, float]]]:
    """Row counts of every query (the first five point lookups each) must be the same everywhere.
    Also returns how long each contender took for each query's first text (cold)."""
    counts: dict[str, int] = {}
    first: dict[str, dict[str, float]] = {}
    for name, variants in texts.items():
        for text in variants[:5]:
            seen = {}
            for c in contenders.values():
                elapsed, seen[c.name] = c.ask(text, count=True)
                first.setdefault(name, {}).setdefault(c.name, elapsed)
            if len(set(seen.values())) != 1:
                raise SystemExit(f"row counts differ for {name}: {seen}\n{text}")
            counts.setdefault(name, next(iter(seen.values())))  # type: ignore[arg-type]
    return counts, first


def latencies(
    contenders: dict[str, Contender], texts: list[str], reps: int, budget: float, first: dict[str, float]
) -> dict[str, list[float]]:
    """Sequential requests, alternating between contenders, until ``reps`` each or ``budget`` s each
    (at least 3); a contender whose first request took more than ``SLOW`` s keeps that one time."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    spent = dict.fromkeys(contenders, 0.0)
    for name, seconds in first.items():
        if seconds > SLOW:
            times[name].append(seconds)
            spent[name] = float("inf")
    rng = random.Random(1)
    for contender in contenders.values():  # warm-up: a few requests (ours spreads them over its workers)
        for _ in range(3 if spent[contender.name] < budget else 0):
            if contender.ask(texts[0])[0] > 0.5:
                break
    for rep in range(reps):
        text = rng.choice(texts)
        order = list(contenders.values())
        if rep % 2:
            order.reverse()
        active = [c for c in order if len(times[c.name]) < 3 or spent[c.name] < budget]
        active = [c for c in active if spent[c.name] != float("inf")]
        if not active:
            break
        for contender in active:
            elapsed, _ = contender.ask(text)
            times[contender.name].append(elapsed)
            spent[contender.name] += elapsed
    return times


LUA = """
local paths = {%s}
local n = #paths
math.randomseed(%d)
request = function()
  return wrk.format("GET", paths[math.random(n)], {["Accept"] = "%s"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKJSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"errors\\": %%d, "
    .. "\\"non2xx\\": %%d, \\"p50_us\\": %%d, \\"p99_us\\": %%d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
"""


def wrk(
    contender: Contender, texts: list[str], connections: int, seconds: float, work: Path
) -> dict[str, Any]:
    script = work / f"wrk-{contender.name}.lua"
    paths = ", ".join(json.dumps(contender.url(t)) for t in texts)
    script.write_text(LUA % (paths, 7, ACCEPT), encoding="utf-8")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s"]
    result = subprocess.run(
        [*command, "-s", str(script), f"http://127.0.0.1:{contender.port}"],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{result.stdout}\n{result.stderr}")
    stats = json.loads(line[len("WRKJSON ") :])
    stats["rps"] = stats["requests"] / (stats["duration_us"] / 1e6)
    return stats


def settle(contenders: dict[str, Contender], limit: float = 5.0) -> None:
    """Wait until no server burns CPU (a server may still be answering requests wrk gave up on)."""
    deadline = time.monotonic() + limit
    procs = []
    for c in contenders.values():
        try:
            root = psutil.Process(c.process.pid)
            procs += [root, *root.children(recursive=True)]
        except psutil.Error:
            pass

    def busy() -> float:
        total = 0.0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.cpu_percent(None)
        return total

    busy()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        if busy() < 20:
            return


# ---------------------------------------------------------------------------------------------- report
def fmt_ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.2f}"


def fmt_mb(n: int) -> str:
    return f"{n / 1e6:,.0f}"


def bench_size(size: int, args: argparse.Namespace, root: Path) -> dict[str, Any]:
    work = root / f"n{size}"
    work.mkdir()
    data = work / "data.nt"
    triples, orgs, agreements = write_data(data, size)
    print(f"\n== {triples:,} triples ({orgs:,} organisations, {agreements:,} agreements)", flush=True)
    texts = {name: variants for name, variants in queries(orgs).items() if name in args.queries}
    contenders = start_contenders(work, data, args)
    sampler = RssSampler(contenders)
    sampler.start()
    result: dict[str, Any] = {"triples": triples, "latency": {}, "samples": {}, "wrk": {}, "rss": {}}
    try:
        result["rows"], first = check_counts(contenders, texts)
        print("  rows: " + ", ".join(f"{k} {v:,}" for k, v in result["rows"].items()), flush=True)
        for query in args.queries:
            times = latencies(contenders, texts[query], args.reps, args.latency_budget, first[query])
            result["latency"][query] = {name: statistics.median(t) for name, t in times.items() if t}
            result["samples"][query] = {name: len(t) for name, t in times.items()}
            print(
                f"  latency {query}: "
                + ", ".join(f"{k} {fmt_ms(v)} ms" for k, v in result["latency"][query].items()),
                flush=True,
            )
        servers = [c for c in contenders.values() if c.name in SERVERS]
        for query in args.queries:
            seconds = args.duration if query == "point" else args.duration / 2
            for connections in (1, 8):
                order = servers if connections == 1 else list(reversed(servers))
                for contender in order:
                    key = f"{query}/c{connections}/{contender.name}"
                    latency = result["latency"][query].get(contender.name)
                    if latency is None or latency > args.wrk_max_latency:
                        result["wrk"][key] = None
                        continue
                    settle(contenders)
                    cpu = contender.tree_cpu()
                    result["wrk"][key] = s = wrk(contender, texts[query], connections, seconds, work)
                    # CPU per answer: steadier than req/s on a machine that other work shares
                    s["cpu_us"] = (contender.tree_cpu() - cpu) / max(1, s["requests"]) * 1e6
                    print(
                        f"  wrk {key}: {s['rps']:,.0f} req/s, p50 {s['p50_us'] / 1000:.2f} ms, "
                        f"{s['cpu_us']:,.0f} CPU µs/request"
                        + (f", {s['errors']} errors" if s["errors"] else "")
                        + (f", {s['non2xx']} non-2xx" if s["non2xx"] else ""),
                        flush=True,
                    )
    finally:
        sampler.halt.set()
        sampler.join()
        for contender in contenders.values():
            contender.peak_rss = max(contender.peak_rss, contender.tree_rss())
            contender.stop()
        result["rss"] = {c.name: c.peak_rss for c in contenders.values()}
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return result


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        "\n| triples | query | contender | latency ms (c=1, median) | req/s c=1 | p50 ms c=1 | req/s c=8 "
        "| p50 ms c=8 | server CPU µs/request c=8 | peak RSS MB |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        for query in args.queries:
            for name in args.contenders:
                latency = r["latency"][query].get(name)
                once = " (1 run)" if r["samples"][query].get(name) == 1 else ""
                cells = []
                for c in (1, 8):
                    s = r["wrk"].get(f"{query}/c{c}/{name}")
                    cells += ["—", "—"] if s is None else [f"{s['rps']:,.0f}", f"{s['p50_us'] / 1000:,.2f}"]
                eight = r["wrk"].get(f"{query}/c8/{name}")
                cells.append("—" if eight is None or "cpu_us" not in eight else f"{eight['cpu_us']:,.0f}")
                print(
                    f"| {r['triples']:,} | {query} ({r['rows'][query]:,} rows) | {name} "
                    f"| {fmt_ms(latency)}{once} | "
                    + " | ".join(cells)
                    + f" | {fmt_mb(r['rss'].get(name, 0))} |"
                )
    print("\nRatios (above 1 is better for ours; targets in brackets):")
    for r in results:

        def rps(query: str, c: int, name: str, r: dict[str, Any] = r) -> float | None:
            s = r["wrk"].get(f"{query}/c{c}/{name}")
            return None if s is None else s["rps"]

        def ratio(a: float | None, b: float | None) -> str:
            return "n/a" if not a or not b else f"{a / b:.2f}"

        n = f"{r['triples']:,}"
        for c in (1, 8):
            for name in OURS_FRONTS:
                if rps("point", c, name):
                    print(
                        f"  {n} point lookup req/s c={c}: {name}/rdflib-endpoint "
                        f"{ratio(rps('point', c, name), rps('point', c, 'rdflib'))} [≥ 10], "
                        f"{name}/oxigraph-server "
                        f"{ratio(rps('point', c, name), rps('point', c, 'oxigraph'))} [≥ 0.5]"
                    )
            for floor in FLOORS:
                if rps("point", c, floor):
                    print(
                        f"  {n} point lookup req/s c={c}: {floor}/oxigraph-server "
                        f"{ratio(rps('point', c, floor), rps('point', c, 'oxigraph'))}, "
                        f"ours/{floor} {ratio(rps('point', c, 'ours'), rps('point', c, floor))}"
                    )
        lat = r["latency"].get("aggregate", {})
        print(
            f"  {n} aggregate latency ours/pyoxigraph-in-process "
            f"{ratio(lat.get('ours'), lat.get('inprocess'))} [≤ 1.2]"
        )
        for name in OURS_FRONTS:
            if name in r["rss"]:
                print(f"  {n} peak RSS of {name} (all its processes): {fmt_mb(r['rss'][name])} MB [< 1000]")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child-rdflib":
        serve_rdflib(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--child-floor":
        serve_floor(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--child-inprocess":
        serve_inprocess(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="triples, comma-separated")
    parser.add_argument("--duration", type=float, default=10.0, help="wrk seconds for point lookups")
    parser.add_argument("--quick", action="store_true", help="100k only, 2 s wrk runs, fewer latency samples")
    parser.add_argument(
        "--contenders",
        default=",".join(DEFAULT_CONTENDERS),
        help="some of " + ",".join(CONTENDERS) + " (default: " + ",".join(DEFAULT_CONTENDERS) + ")",
    )
    parser.add_argument("--ours-workers", type=int, help="query workers of ours (default: its default)")
    parser.add_argument("--queries", default=",".join(QUERIES), help="some of " + ",".join(QUERIES))
    parser.add_argument("--ours-root", help="run ours from this checkout (before/after comparisons)")
    parser.add_argument("--reps", type=int, default=41, help="latency samples per query and contender (max)")
    parser.add_argument("--latency-budget", type=float, default=4.0, help="seconds of latency samples (max)")
    parser.add_argument("--wrk-max-latency", type=float, default=0.5, help="seconds; slower ones skip wrk")
    parser.add_argument("--keep", action="store_true", help="keep the stores and logs (printed path)")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.duration, args.reps, args.latency_budget = "100000", 2.0, 15, 1.5
    args.contenders = tuple(c for c in args.contenders.split(",") if c)
    args.queries = tuple(q for q in args.queries.split(",") if q)
    if set(args.queries) - set(QUERIES):
        parser.error(f"queries are some of {', '.join(QUERIES)}")
    unknown = set(args.contenders) - set(CONTENDERS)
    if unknown:
        parser.error(f"unknown contender(s): {', '.join(sorted(unknown))}")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not on the PATH (apt-get install wrk)")
    sizes = [int(float(s)) for s in args.sizes.replace("_", "").split(",") if s]
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.2f}; python {sys.version.split()[0]}")
    root = Path(tempfile.mkdtemp(prefix="bench-endpoint-"))
    results = []
    try:
        for size in sizes:
            results.append(bench_size(size, args, root))
    finally:
        if args.keep:
            print(f"kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    report(results, args)
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

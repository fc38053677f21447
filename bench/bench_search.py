"""Search: index build time, ``/search`` latency over HTTP, the same lookups as a SPARQL scan, reconciliation.

A store of ``--resources`` synthetic organisations (default 100,000), each with a Vietnamese, an English and
(one in three) a Chinese label, an acronym (one in four), a country, a founding year, a website and filler
facts, about ten triples each, loaded through the store's interface with the project's ontology. Then:

* the index build (``coopgraph.search.build_index`` on the published state): seconds, resources, names;
* ``coopgraph serve``'s app (front + query workers) on a loopback port, without the first-start bootstrap;
* ``--queries`` mixed lookups (default 1,000), sequential, one keep-alive client: exact names, names without
  their accents, the first word or two as typed, acronyms, two Chinese characters; ``GET /search?limit=10``;
  p50 and p99 of the wall time per request;
* the same lookups as SPARQL over ``GET /sparql`` (``FILTER(CONTAINS(LCASE(STR(?label)), "..."))``, LIMIT 10,
  the lower-cased text as typed: a scan that also cannot drop accents), on ``--sparql-queries`` of them
  (default 50: each reads every label);
* reconciliation of a 1,000-row table: ``POST /reconcile`` in batches of 10 (OpenRefine's batch size).

    python bench/bench_search.py [--resources 100000] [--queries 1000] [--sparql-queries 50]

Prints the figures; writes nothing to the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from pyoxigraph import RdfFormat

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from coopgraph import iris  # noqa: E402
from coopgraph.search import build_index, index_path  # noqa: E402
from coopgraph.store import open_store  # noqa: E402

PLACES = (
    "Hà Nội Hạ Long Lạng Sơn Quảng Ninh Thanh Hóa Đà Nẵng Huế Cần Thơ Hải Phòng Vinh Nha Trang Bắc Giang "
    "Thái Nguyên Đồng Tháp Bình Dương Tây Nguyên Kiên Giang Sóc Trăng Trà Vinh Phú Yên Gia Lai Kon Tum"
)
SYLLABLES = PLACES.split()
KINDS_VI = ("Trường Đại học", "Học viện", "Sở Giáo dục", "Viện Nghiên cứu", "Trường Cao đẳng")
KINDS_EN = ("University", "Academy", "Department of Education", "Research Institute", "College")
HAN = "清华北京大学复旦浙江南京中山武汉四川吉林厦门同济天津东南西交通科技师范农业医科理工"
COUNTRIES = ("vn", "cn", "jp", "de")


def strip(text: str) -> str:
    import unicodedata

    return "".join(
        c
        for c in unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
        if not unicodedata.combining(c)
    )


def make_names(count: int, rng: random.Random) -> list[dict[str, str]]:
    names = []
    for n in range(count):
        kind = rng.randrange(len(KINDS_VI))
        place = " ".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))
        entry = {
            "vi": f"{KINDS_VI[kind]} {place} {n}",
            "en": f"{strip(place)} {KINDS_EN[kind]} {n}",
            "country": COUNTRIES[n % len(COUNTRIES)],
        }
        if n % 3 == 0:
            entry["zh"] = "".join(rng.choice(HAN) for _ in range(4)) + "大学"
        if n % 4 == 0:
            entry["acronym"] = "".join(w[0] for w in strip(place).split()).upper() + str(n)
        names.append(entry)
    return names


def turtle(names: list[dict[str, str]]) -> bytes:
    lines = [
        "@prefix cg: <https://w3id.org/coopgraph/ontology#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix schema: <http://schema.org/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
    ]
    for n, e in enumerate(names):
        s = f"<{iris.RESOURCE}organization/bench-{n}>"
        parts = [
            f"{s} a cg:University",
            f'rdfs:label "{e["vi"]}"@vi, "{e["en"]}"@en' + (f', "{e["zh"]}"@zh' if "zh" in e else ""),
            f"cg:country <{iris.VOCAB}country/{e['country']}>",
            f'schema:foundingDate "{1900 + n % 120}"^^xsd:gYear',
            f"schema:url <https://example.org/u/{n}>",
            f'cg:rorId "bench{n:07d}"',
            f"cg:partner <{iris.RESOURCE}organization/bench-{(n * 7919) % len(names)}>",
        ]
        if "acronym" in e:
            parts.append(f'cg:acronym "{e["acronym"]}"')
        lines.append(" ;\n    ".join(parts) + " .")
    return "\n".join(lines).encode()


def lookups(names: list[dict[str, str]], count: int, rng: random.Random) -> list[str]:
    """Mixed queries: exact, unaccented, as typed (a prefix), acronyms, Chinese."""
    out = []
    while len(out) < count:
        e = rng.choice(names)
        kind = len(out) % 5
        if kind == 0:
            out.append(e["vi"])
        elif kind == 1:
            out.append(strip(e["vi"]).lower())
        elif kind == 2:
            out.append(" ".join(e["en"].split()[:2])[:-1])
        elif kind == 3 and "acronym" in e:
            out.append(e["acronym"])
        elif kind == 4 and "zh" in e:
            out.append(e["zh"][:2])
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--sparql-queries", type=int, default=50)
    parser.add_argument("--rows", type=int, default=1000, help="rows of the table to reconcile")
    args = parser.parse_args()
    rng = random.Random(11)
    folder = Path(tempfile.mkdtemp(prefix="coopgraph-bench-search-"))
    store_dir = folder / "store"

    names = make_names(args.resources, rng)
    started = time.perf_counter()
    store = open_store(store_dir)
    with store.transaction() as tx:
        tx.load(
            PROJECT / "ontology" / "coopgraph.ttl",
            RdfFormat.TURTLE,
            iris.graph_iri("ontology", "coopgraph.ttl"),
        )
        tx.load(turtle(names), RdfFormat.TURTLE, iris.graph_iri("data", "bench.ttl"))
    store.compact()
    triples = int(
        next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value
    )
    loaded = time.perf_counter() - started
    print(f"store: {args.resources:,} resources, {triples:,} triples, loaded in {loaded:.1f} s")

    view = store.view()
    target = index_path(view)
    partial = target.with_name(target.name + ".partial")
    built = build_index(view, partial, view.generation)
    partial.rename(target)
    print(
        f"index: {built['resources']:,} resources, {built['names']:,} names in {built['seconds']:.1f} s "
        f"(reading the store {built['harvest_seconds']:.1f} s); {target.stat().st_size / 1e6:.0f} MB"
    )
    store.close()

    port = free_port()
    env = dict(
        os.environ, COOPGRAPH_STORE=str(store_dir), COOPGRAPH_WORKERS="2", COOPGRAPH_QUERY_TIMEOUT="600"
    )
    code = (
        "import uvicorn; from coopgraph.settings import load_settings; "
        "from server.http.app import create_app; "
        f"uvicorn.run(create_app(load_settings(None)), host='127.0.0.1', port={port}, log_level='warning')"
    )
    server = subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT, env=env)
    url = f"http://127.0.0.1:{port}"
    session = requests.Session()
    try:
        for _ in range(600):
            try:
                if session.get(url + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        queries = lookups(names, args.queries, rng)
        session.get(url + "/search", params={"q": "warm up"}).raise_for_status()
        times, found = [], 0
        for text in queries:
            t0 = time.perf_counter()
            reply = session.get(url + "/search", params={"q": text, "limit": 10})
            times.append(time.perf_counter() - t0)
            reply.raise_for_status()
            found += bool(reply.json()["results"])
        p50, p99 = percentiles(times)
        print(
            f"/search: {len(queries):,} queries, {found:,} with results; "
            f"p50 {p50 * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms"
        )

        sparql_times = []
        for text in queries[: args.sparql_queries]:
            needle = json.dumps(text.lower())
            sparql = (
                "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label "
                f"FILTER(CONTAINS(LCASE(STR(?label)), {needle})) }} LIMIT 10"
            )
            t0 = time.perf_counter()
            reply = session.get(
                url + "/sparql",
                params={"query": sparql},
                headers={"Accept": "application/sparql-results+json"},
            )
            sparql_times.append(time.perf_counter() - t0)
            reply.raise_for_status()
        s50, s99 = percentiles(sparql_times)
        print(
            f"SPARQL CONTAINS(LCASE): {len(sparql_times)} queries; "
            f"p50 {s50 * 1e3:.1f} ms, p99 {s99 * 1e3:.1f} ms; /search is {s50 / p50:.0f}x faster at p50"
        )

        rows = [rng.choice(names) for _ in range(args.rows)]
        table = [
            {"query": strip(r["vi"]) if i % 2 else r["en"], "type": "institution"} for i, r in enumerate(rows)
        ]
        t0 = time.perf_counter()
        matched = 0
        for start in range(0, len(table), 10):
            batch = {f"q{i}": q for i, q in enumerate(table[start : start + 10])}
            reply = session.post(url + "/reconcile", data={"queries": json.dumps(batch)})
            reply.raise_for_status()
            matched += sum(bool(r["result"]) and r["result"][0]["match"] for r in reply.json().values())
        seconds = time.perf_counter() - t0
        print(
            f"/reconcile: {len(table):,} rows in batches of 10 in {seconds:.2f} s, "
            f"{matched:,} certain matches"
        )
    finally:
        server.terminate()
        server.wait()
    print(f"(store left in {folder}; remove it when done)")


if __name__ == "__main__":
    main()

"""Two servers and a writer on one store, with queries running throughout: every query is answered, no
generation a process reads is removed under it, and both servers see every write."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import requests

from coopgraph.store.compaction import is_compacted
from coopgraph.store.generations import Generations
from tests.conftest import Server, coopgraph, start_server

EX = "http://example.org/shared/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


class Querying(threading.Thread):
    """Queries one server again and again until told to stop; keeps every failure."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.answered = 0

    def run(self) -> None:
        queries = [
            COUNT,
            f"SELECT ?o WHERE {{ ?s <{EX}name> ?o }} ORDER BY ?o",
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        ]
        while not self.stop.is_set():
            for query in queries:
                try:
                    r = requests.get(
                        self.server.url + "/sparql", params={"query": query}, headers=JSON, timeout=60
                    )
                    if r.status_code != 200:
                        self.failures.append(f"{r.status_code}: {r.text[:300]}")
                    else:
                        r.json()["results"]["bindings"]
                        self.answered += 1
                except Exception as e:
                    self.failures.append(f"{type(e).__name__}: {e}")


def names(server: Server) -> set[str]:
    r = requests.get(
        server.url + "/sparql", params={"query": f"SELECT ?o WHERE {{ ?s <{EX}name> ?o }}"}, headers=JSON
    )
    assert r.status_code == 200, r.text
    return {b["o"]["value"] for b in r.json()["results"]["bindings"]}


def test_two_servers_and_a_writer_share_a_store_under_queries(store_copy: Path, tmp_path: Path) -> None:
    first = start_server(store_copy, seed=False)
    second = start_server(store_copy, seed=False)
    readers = [Querying(first), Querying(second)]
    try:
        for reader in readers:
            reader.start()
        written = set()
        headers = {**first.auth, "Content-Type": "text/turtle"}
        for i in range(6):
            # the command line writes...
            data = tmp_path / f"cli-{i}.ttl"
            data.write_text(f'<{EX}cli{i}> <{EX}name> "cli {i}" ; <{EX}n> [ <{EX}k> {i} ] .\n', "utf-8")
            done = coopgraph("ingest", str(data), store=store_copy)
            assert done.returncode == 0, done.stderr
            written.add(f"cli {i}")
            # ...and each server, whose write worker then compacts in the background
            for server in (first, second):
                body = f'<{EX}{server.url[-5:]}-{i}> <{EX}name> "http {server.url} {i}" .\n'
                graph = {"graph": f"{EX}http/{server.url[-5:]}/{i}"}
                r = requests.put(
                    server.url + "/graphs", params=graph, data=body, headers={**headers, **server.auth}
                )
                assert r.status_code == 201, r.text
                written.add(f"http {server.url} {i}")
        # the last write's generation is compacted in the background, and the older ones reclaimed,
        # while the queries go on
        gens = Generations(store_copy)
        deadline = time.monotonic() + 180  # how long the background work may take on a busy machine
        while not is_compacted(gens.gens / str(gens.current())):
            assert time.monotonic() < deadline, sorted(p.name for p in gens.gens.iterdir())
            time.sleep(0.5)
        seen = [reader.answered for reader in readers]
        while any(reader.answered < n + 10 for reader, n in zip(readers, seen, strict=True)):
            assert all(reader.is_alive() for reader in readers)
            time.sleep(0.2)
        for reader in readers:
            reader.stop.set()
        for reader in readers:
            reader.join(timeout=120)
        for reader in readers:
            assert reader.failures == [], reader.failures[:5]
            assert reader.answered > 0
        assert names(first) == written
        assert names(second) == written
    finally:
        for reader in readers:
            reader.stop.set()
        first.stop()
        second.stop()
    for server in (first, second):
        log = server.log.read_text(errors="replace")
        assert "Traceback" not in log and "No such file" not in log, log[-3000:]

"""Safe by default: no request makes the server contact another host; slow queries are stopped;
bodies and answers are bounded; CORS never pairs a wildcard with credentials."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil
import pytest
import requests
import requests.adapters

from tests.conftest import Server, start_server

# A cartesian product of the seed data with itself three times: far longer than any time limit.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


class Listener:
    """A local HTTP endpoint that records every request; it answers SERVICE calls with one solution."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                outer.requests.append(f"{self.command} {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                body = json.dumps(
                    {
                        "head": {"vars": ["x"]},
                        "results": {
                            "bindings": [{"x": {"type": "literal", "value": "from the allowed endpoint"}}]
                        },
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/sparql"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


@pytest.fixture
def listener() -> Iterator[Listener]:
    running = Listener()
    yield running
    running.close()


def test_service_load_and_from_reach_no_other_host(server: Server, listener: Listener) -> None:
    queries = [
        f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{listener.url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"PREFIX x: <{listener.url}#> SELECT * WHERE {{ ?s ?p trueSERVICE x:y {{ ?s ?p ?o }} }}",
    ]
    for query in queries:
        r = requests.post(server.url + "/sparql", data={"query": query})
        assert r.status_code == 400, (query, r.status_code, r.text)
        assert "SERVICE" in r.text
    # a graph the store lacks is an empty graph (SPARQL 1.1), never fetched
    for query in (
        f"SELECT * FROM <{listener.url}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{listener.url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"ASK FROM<{listener.url}> {{ ?s ?p ?o }}",
    ):
        r = requests.post(
            server.url + "/sparql",
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert r.status_code == 200, (query, r.status_code, r.text)
        assert r.json().get("results", {}).get("bindings", []) == [] and r.json().get("boolean") in (
            None,
            False,
        )
    for update in (
        f"LOAD SILENT <{listener.url}>",
        f"LOAD SILENT <{listener.url}> INTO GRAPH <{listener.url}>",
    ):
        r = requests.post(server.url + "/update", data={"update": update}, headers=server.auth)
        assert r.status_code == 204, r.text
    r = requests.post(server.url + "/update", data={"update": f"LOAD <{listener.url}>"}, headers=server.auth)
    assert r.status_code == 400 and "LOAD" in r.text
    r = requests.post(
        server.url + "/update",
        headers=server.auth,
        data={"update": f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"},
    )
    assert r.status_code == 400
    assert listener.requests == []


def test_the_operators_allow_list_opens_one_endpoint(tmp_path: Path, listener: Listener) -> None:
    server = start_server(
        tmp_path / "store", seed=False, extra_env={"COOPGRAPH_SERVICE_ALLOWLIST": listener.url}
    )
    try:
        r = requests.get(
            server.url + "/sparql",
            params={"query": f"SELECT ?x WHERE {{ SERVICE <{listener.url}> {{ ?x ?p ?o }} }}"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["results"]["bindings"][0]["x"]["value"] == "from the allowed endpoint"
        assert len(listener.requests) == 1
        other = listener.url.replace("/sparql", "/other")
        r = requests.get(
            server.url + "/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{other}> {{ ?x ?p ?o }} }}"}
        )
        assert r.status_code == 400
        assert len(listener.requests) == 1
    finally:
        server.stop()


class SourceAddress(requests.adapters.HTTPAdapter):
    """Connections from another loopback address: another client to the server."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def _workers(server: Server) -> set[int]:
    parent = psutil.Process(server.process.pid)
    return {p.pid for p in parent.children(recursive=True) if "--role query" in " ".join(p.cmdline())}


def _cpu_seconds(pid: int) -> float:
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system


def wait_until_a_worker_runs(server: Server, slow: threading.Thread) -> int:
    """Poll until a query worker computes: the slow query is in flight there (an idle worker waits
    on its pipe and spends no CPU). Returns its pid; fails if the request ended first."""
    idle = {pid: _cpu_seconds(pid) for pid in _workers(server)}
    while slow.is_alive():
        for pid, spent in idle.items():
            if _cpu_seconds(pid) - spent >= 0.1:
                return pid
        time.sleep(0.02)
    pytest.fail("the slow query ended before any worker was seen running it")


def test_a_slow_query_is_stopped_and_others_are_served_meanwhile(store_copy: Path) -> None:
    server = start_server(store_copy, query_timeout=5, workers=2)
    try:
        before = _workers(server)
        outcome: dict[str, requests.Response] = {}
        slow = threading.Thread(
            target=lambda: outcome.setdefault(
                "slow", requests.get(server.url + "/sparql", params={"query": SLOW}, timeout=60)
            )
        )
        slow.start()
        running = wait_until_a_worker_runs(server, slow)
        answered_while_running = 0
        other = requests.Session()  # another client: a client's own queries wait for its share of workers
        other.mount("http://", SourceAddress("127.0.0.2"))
        while slow.is_alive():
            r = other.get(
                server.url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c }"}
            )
            assert r.status_code == 200
            if slow.is_alive():
                answered_while_running += 1
        assert answered_while_running > 0
        assert outcome["slow"].status_code == 503
        assert "limit" in outcome["slow"].text
        # The worker that ran it was killed: its process is gone, and the CPU with it.
        killed = before - _workers(server)
        assert killed == {running}
        assert not any(
            psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE for pid in killed
        )
        # A fresh worker takes its place and the server goes on answering.
        deadline = time.monotonic() + 30
        while len(_workers(server)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(_workers(server)) == 2
        assert requests.get(server.url + "/sparql", params={"query": "ASK {}"}).status_code == 200
    finally:
        server.stop()


def test_body_and_answer_size_limits(store_copy: Path) -> None:
    server = start_server(
        store_copy, extra_env={"COOPGRAPH_MAX_BODY_BYTES": "4000", "COOPGRAPH_MAX_RESULT_BYTES": "20000"}
    )
    try:
        padding = "#" + "x" * 5000 + "\n"
        r = requests.post(
            server.url + "/sparql",
            data=(padding + "ASK {}").encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
        assert r.status_code == 413
        big = "SELECT * WHERE { ?s ?p ?o }"
        r = requests.get(server.url + "/sparql", params={"query": big})
        assert r.status_code == 413 and "LIMIT" in r.text
        r = requests.get(server.url + "/sparql", params={"query": big + " LIMIT 5"})
        assert r.status_code == 200
    finally:
        server.stop()


def test_cors_names_origins_and_never_pairs_a_wildcard_with_credentials(
    store_copy: Path, tmp_path: Path
) -> None:
    portal = "https://portal.example"
    preflight = {
        "Origin": portal,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type",
    }
    server = start_server(store_copy, extra_env={"COOPGRAPH_CORS_ORIGINS": portal})
    try:
        r = requests.options(server.url + "/sparql", headers=preflight)
        assert r.headers.get("access-control-allow-origin") == portal
        assert r.headers.get("access-control-allow-credentials") == "true"
        r = requests.get(
            server.url + "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in r.headers
    finally:
        server.stop()
    other = tmp_path / "other"
    server = start_server(other, seed=False, extra_env={"COOPGRAPH_CORS_ORIGINS": "*"})
    try:
        r = requests.get(server.url + "/sparql", params={"query": "ASK {}"}, headers={"Origin": portal})
        assert r.headers.get("access-control-allow-origin") == "*"
        assert "access-control-allow-credentials" not in r.headers
    finally:
        server.stop()


def test_the_event_loop_stays_free_during_a_query(store_copy: Path) -> None:
    """While every worker runs a slow query, the server still answers what needs no worker."""
    server = start_server(store_copy, query_timeout=5, workers=1)
    try:
        slow = threading.Thread(target=lambda: requests.get(server.url + "/sparql", params={"query": SLOW}))
        slow.start()
        (worker,) = _workers(server)
        assert wait_until_a_worker_runs(server, slow) == worker
        r = requests.get(server.url + "/sparql", headers={"Accept": "text/turtle"})  # the service description
        assert r.status_code == 200
        assert slow.is_alive() and worker in _workers(server), "the only worker was still busy"
        slow.join()
    finally:
        server.stop()

"""What the server says about itself: the access log (plain and JSON lines, never a secret) and
``/metrics`` (parsed by prometheus-client's own parser, its counters moving with the requests)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from starlette.requests import Request

from coopgraph.settings import Settings
from server.http.metrics import allowed
from server.http.state import State
from server.workers.pool import Pool
from tests.conftest import TOKEN, Server, start_server

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
QUICK = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
TURTLE = (
    '<https://w3id.org/coopgraph/id/institution/x> <http://www.w3.org/2000/01/rdf-schema#label> "X"@en .\n'
)


def log_lines(server: Server, wanted: Callable[[list[str]], bool], seconds: float = 30) -> list[str]:
    """The server's log, once ``wanted`` holds for its lines (they are written as requests end)."""
    deadline = time.monotonic() + seconds
    while True:
        lines = server.log.read_text(errors="replace").splitlines()
        if wanted(lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> Iterator[Server]:
    import shutil

    store = tmp_path_factory.mktemp("plain-log") / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    running = start_server(store)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def json_server(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> Iterator[Server]:
    """JSON lines, and a one-second time limit on queries."""
    import shutil

    store = tmp_path_factory.mktemp("json-log") / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    running = start_server(store, query_timeout=1, extra_env={"COOPGRAPH_ACCESS_LOG": "json"})
    yield running
    running.stop()


def _every_kind_of_request(server: Server) -> dict[str, requests.Response]:
    """A GET and a POST query, an update and a graph-store write with the token, a page, a 404."""
    url = server.url
    return {
        "get": requests.get(url + "/sparql", params={"query": QUICK}),
        "post": requests.post(url + "/sparql", data={"query": QUICK + " # posted"}),
        "update": requests.post(
            url + "/update",
            data="INSERT DATA { GRAPH <https://w3id.org/coopgraph/graph/data/ops> { <x:a> <x:b> ",
            headers={**server.auth, "Content-Type": "application/sparql-update"},
        ),
        "graph": requests.put(
            url + "/graphs",
            params={"graph": "https://w3id.org/coopgraph/graph/data/ops-test"},
            data=TURTLE,
            headers={**server.auth, "Content-Type": "text/turtle"},
        ),
        "page": requests.get(url + "/healthz"),
        "missing": requests.get(url + "/no/such/page", headers={"Authorization": "Bearer not-the-token"}),
    }


def test_a_plain_line_per_request_and_no_secret(plain_server: Server) -> None:
    answers = _every_kind_of_request(plain_server)
    assert answers["get"].status_code == 200 and answers["post"].status_code == 200
    assert answers["update"].status_code == 400
    lines = log_lines(plain_server, lambda ls: any(" /no/such/page " in line for line in ls))
    requests_logged = [line for line in lines if " 127.0.0.1 " in line]

    def line_of(method: str, path: str, status: int) -> str:
        found = [line for line in requests_logged if f" {method} {path} {status} " in line]
        assert found, (method, path, status, requests_logged)
        return found[-1]

    get = line_of("GET", "/sparql", 200)
    assert '"SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"' in get
    assert get.split(" ")[0].endswith("Z")  # the time, in UTC
    assert f"{len(answers['get'].content)}B" in get and "ms" in get and " id=" in get
    post = line_of("POST", "/sparql", 200)
    assert "# posted" in post and " id=" in post
    update = line_of("POST", "/update", 400)
    assert '"INSERT DATA { GRAPH' in update and " id=" in update
    line_of("PUT", "/graphs", answers["graph"].status_code)
    line_of("GET", "/healthz", 200)
    line_of("GET", "/no/such/page", 404)
    # the query string is not the path: a GET's query is in its excerpt only, never the whole URL
    assert all("?query=" not in line for line in requests_logged)
    log = plain_server.log.read_text(errors="replace")
    assert TOKEN not in log and "not-the-token" not in log
    assert "Bearer" not in log and "authorization" not in log.lower()


def test_json_lines_and_the_stop_at_the_time_limit_named_by_the_query_id(json_server: Server) -> None:
    seen_before = {
        json.loads(line).get("id")
        for line in json_server.log.read_text().splitlines()
        if line.startswith("{")
    }
    slow = requests.get(json_server.url + "/sparql", params={"query": SLOW}, timeout=60)
    assert slow.status_code == 503
    quick = requests.get(json_server.url + "/sparql", params={"query": QUICK}, headers=json_server.auth)
    assert quick.status_code == 200

    def parsed(lines: list[str]) -> list[dict]:
        return [json.loads(line) for line in lines if line.startswith("{")]

    def answered(entries: list[dict]) -> list[dict]:
        return [e for e in entries if e.get("path") == "/sparql" and e.get("status") == 503]

    def events(entries: list[dict], name: str) -> list[str]:
        return sorted(e["id"] for e in entries if e.get("event") == name)

    def restarted(lines: list[str]) -> bool:  # the restart is logged once the new worker is up
        entries = parsed(lines)
        return len(events(entries, "worker_restarted")) >= len(answered(entries)) > 0

    entries = parsed(log_lines(json_server, restarted))
    stops = answered(entries)  # this test's, and another's of this module if it ran before
    line = next(e for e in stops if e["query"] == SLOW and e["id"] not in seen_before)
    assert set(line) >= {"time", "client", "method", "path", "status", "bytes", "duration_ms", "id", "query"}
    assert line["client"] == "127.0.0.1" and line["method"] == "GET"
    ids = sorted(e["id"] for e in stops)
    assert events(entries, "stopped_at_time_limit") == ids
    assert events(entries, "worker_restarted") == ids
    stopped = next(e for e in entries if e.get("event") == "stopped_at_time_limit" and e["id"] == line["id"])
    assert "time limit" in stopped["message"] and stopped["role"] == "query"
    assert TOKEN not in json_server.log.read_text(errors="replace")


# ---------------------------------------------------------------------------------------------- /metrics
def scrape(server: Server) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of ``/metrics``, parsed by prometheus-client: (name, labels) -> value."""
    r = requests.get(server.url + "/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_requests_durations_writes_and_validations(plain_server: Server) -> None:
    before = scrape(plain_server)
    for _ in range(3):
        assert requests.get(plain_server.url + "/sparql", params={"query": QUICK}).status_code == 200
    assert (
        requests.get(plain_server.url + "/sparql", params={"query": "SELECT ?x WHERE {"}).status_code == 400
    )
    written = requests.put(
        plain_server.url + "/graphs",
        params={"graph": "https://w3id.org/coopgraph/graph/data/metrics-test"},
        data=TURTLE,
        headers={**plain_server.auth, "Content-Type": "text/turtle"},
    )
    checked = requests.post(
        plain_server.url + "/validate", data=TURTLE, headers={"Content-Type": "text/turtle"}
    )
    after = scrape(plain_server)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ok = {"route": "/sparql", "method": "GET"}
    assert moved("coopgraph_http_requests_total", **ok, status="200") == 3
    assert moved("coopgraph_http_requests_total", **ok, status="400") == 1
    assert moved("coopgraph_query_duration_seconds_count") == 4
    assert moved("coopgraph_query_duration_seconds_bucket", le="+Inf") == 4
    assert moved("coopgraph_update_duration_seconds_count") == 1
    assert moved("coopgraph_ingests_total", status=str(written.status_code)) == 1
    assert moved("coopgraph_validations_total", status=str(checked.status_code)) == 1
    assert value(after, "coopgraph_workers", role="query") == 2
    assert value(after, "coopgraph_queue_length", role="query") == 0
    # one label per route of the table, never one per resource
    requests.get(plain_server.url + "/id/institution/nowhere-1")
    requests.get(plain_server.url + "/id/institution/nowhere-2")
    routes = {dict(labels).get("route") for name, labels in scrape(plain_server) if "requests" in name}
    assert "/id/{path:path}" in routes and not any(r and "nowhere" in r for r in routes)


def test_metrics_tell_the_store_and_a_write_moves_its_generation(plain_server: Server) -> None:
    before = scrape(plain_server)
    generations = [k for k in before if k[0] == "coopgraph_store_generation"]
    assert len(generations) == 1
    assert value(before, "coopgraph_store_size_bytes") > 0
    r = requests.put(
        plain_server.url + "/graphs",
        params={"graph": "https://w3id.org/coopgraph/graph/data/generation-test"},
        data=TURTLE,
        headers={**plain_server.auth, "Content-Type": "text/turtle"},
    )
    assert r.status_code in (201, 204), r.text
    after = scrape(plain_server)
    (_, labels), number = next((k, v) for k, v in after.items() if k[0] == "coopgraph_store_generation")
    assert number > before[generations[0]]
    assert dict(labels)["name"].endswith(str(int(number)))


def test_metrics_count_stops_at_the_time_limit_and_restarts(json_server: Server) -> None:
    before = scrape(json_server)
    outcome: dict[str, requests.Response] = {}
    slow = threading.Thread(
        target=lambda: outcome.setdefault(
            "slow", requests.get(json_server.url + "/sparql", params={"query": SLOW}, timeout=60)
        )
    )
    slow.start()
    slow.join()
    assert outcome["slow"].status_code == 503
    deadline = time.monotonic() + 60
    while True:  # the worker is replaced in the background
        after = scrape(json_server)
        if (
            value(after, "coopgraph_worker_restarts_total", role="query")
            > value(before, "coopgraph_worker_restarts_total", role="query")
            or time.monotonic() > deadline
        ):
            break
        time.sleep(0.2)
    stops = "coopgraph_time_limit_stops_total"
    assert value(after, stops, role="query") - value(before, stops, role="query") == 1
    restarts = "coopgraph_worker_restarts_total"
    assert value(after, restarts, role="query") - value(before, restarts, role="query") == 1
    assert value(after, stops, role="write") == 0


def _request(client: str, headers: dict[str, str] | None = None) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return Request(
        {"type": "http", "method": "GET", "path": "/metrics", "headers": raw, "client": (client, 5)}
    )


def test_metrics_are_for_this_machine_and_the_token_holder_unless_opened(tmp_path: Path) -> None:
    def state(**settings: object) -> State:
        chosen = Settings(store=tmp_path, **settings)  # type: ignore[arg-type]
        return State(settings=chosen, queries=Pool(tmp_path, "query", 1))

    closed = state(write_token="s3cret")
    assert allowed(_request("127.0.0.1"), closed) and allowed(_request("::1"), closed)
    assert not allowed(_request("203.0.113.7"), closed)
    assert not allowed(_request("203.0.113.7", {"Authorization": "Bearer wrong"}), closed)
    assert allowed(_request("203.0.113.7", {"Authorization": "Bearer s3cret"}), closed)
    assert not allowed(_request("203.0.113.7", {"Authorization": "Bearer "}), state())  # no token set
    assert allowed(_request("203.0.113.7"), state(metrics_public=True))

"""A few runaway queries from one client do not starve the others: a client may hold only its share of the
query workers (``max_client_queries``), its other queries wait for one of its own to end (503 with a
Retry-After past the time limit), and a cheap query from another client finds a worker free."""

from __future__ import annotations

import http.client
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Server, start_server

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
RUNAWAYS = 4


@pytest.fixture
def server(tmp_path: Path, seeded_store: Path) -> Iterator[Server]:
    store = tmp_path / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    running = start_server(store, workers=2, query_timeout=10)
    yield running
    running.stop()


def _ask_from(server: Server, address: str) -> http.client.HTTPResponse:
    """ASK {} from another loopback address: another client."""
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120, source_address=(address, 0))
    connection.request(
        "GET", "/sparql?" + urlencode({"query": "ASK {}"}), headers={"Accept": "application/json"}
    )
    return connection.getresponse()


def busy_workers(server: Server) -> int:
    """The query workers at work now, as the server counts them (its /metrics, asked from loopback): a
    count that does not depend on how much CPU a loaded machine gives the workers."""
    text = requests.get(server.url + "/metrics", timeout=30).text
    for family in text_string_to_metric_families(text):
        if family.name == "coopgraph_workers_busy":
            return int(sum(s.value for s in family.samples if s.labels.get("role") == "query"))
    raise AssertionError("/metrics has no coopgraph_workers_busy")


def test_runaway_queries_of_one_client_leave_a_worker_for_another(server: Server) -> None:
    answers: list[requests.Response] = []

    def runaway() -> None:
        answers.append(requests.post(server.url + "/sparql", data={"query": RUNAWAY}, timeout=120))

    threads = [threading.Thread(target=runaway) for _ in range(RUNAWAYS)]
    for thread in threads:
        thread.start()
    try:
        while not busy_workers(server):  # until a runaway query runs
            assert all(t.is_alive() for t in threads), [r.text for r in answers]
        answer = _ask_from(server, "127.0.0.2")
        assert answer.status == 200, answer.read()
        assert json.loads(answer.read())["boolean"] is True
        assert all(t.is_alive() for t in threads), "the ASK was answered while the runaways were in flight"
        assert busy_workers(server) == 1, "the client's share is one of the two workers"
    finally:
        for thread in threads:
            thread.join()
    assert len(answers) == RUNAWAYS
    for r in answers:
        assert r.status_code == 503, r.text
        assert r.headers["Retry-After"].isdigit()

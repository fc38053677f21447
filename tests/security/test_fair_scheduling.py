"""A few runaway queries from one client do not starve the others: a client may hold only its share of the
query workers (``max_client_queries``), the rest of its queries are refused at once with 503 and a
Retry-After, and a cheap query from another client finds a worker free."""

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

from tests.conftest import Server, start_server

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
RUNAWAYS = 4


@pytest.fixture
def server(tmp_path: Path, seeded_store: Path) -> Iterator[Server]:
    store = tmp_path / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    running = start_server(store, workers=2, query_timeout=20)
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


def test_runaway_queries_of_one_client_leave_a_worker_for_another(server: Server) -> None:
    answers: list[requests.Response] = []
    refused = threading.Semaphore(0)

    def runaway() -> None:
        r = requests.post(server.url + "/sparql", data={"query": RUNAWAY}, timeout=120)
        answers.append(r)
        refused.release()

    threads = [threading.Thread(target=runaway) for _ in range(RUNAWAYS)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(RUNAWAYS - 1):  # all but the one query that holds this client's worker
            refused.acquire()
        running = [t for t in threads if t.is_alive()]
        assert len(running) == 1, "the client's share is one of the two workers: one runaway runs"
        answer = _ask_from(server, "127.0.0.2")
        assert answer.status == 200, answer.read()
        assert json.loads(answer.read())["boolean"] is True
        assert running[0].is_alive(), "the ASK was answered while the runaway query still ran"
    finally:
        for thread in threads:
            thread.join()
    assert len(answers) == RUNAWAYS
    for r in answers:
        assert r.status_code == 503, r.text
        assert r.headers["Retry-After"].isdigit()

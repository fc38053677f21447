"""Query workers replaced by fresh ones after a number of requests or past a resident memory
(``worker_max_requests``, ``worker_recycle_bytes``), on a real server: every request is still answered,
and each worker that is replaced is a new process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests

from tests.conftest import Server, start_server
from tests.test_operations import scrape, value

QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


def query_workers(server: Server) -> set[int]:
    """The process ids of the server's query workers."""
    found = set()
    for child in psutil.Process(server.process.pid).children(recursive=True):
        try:
            command = child.cmdline()
        except psutil.NoSuchProcess:
            continue
        if "--role" in command and command[command.index("--role") + 1] == "query":
            found.add(child.pid)
    return found


def ask_and_see_who_answered(server: Server, asks: int) -> list[set[int]]:
    """Send ``asks`` queries one after another; after each answer, the query workers running."""
    seen = []
    for _ in range(asks):
        answer = requests.get(server.url + "/sparql", params={"query": QUERY}, headers=JSON, timeout=60)
        assert answer.status_code == 200, answer.text
        assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 0
        seen.append(query_workers(server))
    return seen


@pytest.fixture
def recycling_server(store_copy: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    server = start_server(store_copy, workers=1, extra_env=request.param)
    yield server
    server.stop()


@pytest.mark.parametrize("recycling_server", [{"COOPGRAPH_WORKER_MAX_REQUESTS": "3"}], indirect=True)
def test_a_worker_is_replaced_after_its_requests(recycling_server: Server) -> None:
    first = query_workers(recycling_server)
    seen = ask_and_see_who_answered(recycling_server, 7)
    # requests 1-3 on the first worker, 4-6 on a second, 7 on a third: each replaced once idle
    workers = set().union(first, *seen)
    assert len(workers) == 3, seen
    assert value(scrape(recycling_server), "coopgraph_worker_restarts_total", role="query") == 2
    assert "recycled after 3 requests (setting worker_max_requests)" in recycling_server.log.read_text()


def restarts_once_settled(server: Server, expected: int) -> float:
    """The query workers restarted, read until it reaches ``expected`` (replacements start in the
    background after an answer has gone out) or 60 s have passed."""
    deadline = time.monotonic() + 60
    while (restarts := value(scrape(server), "coopgraph_worker_restarts_total", role="query")) < expected:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return restarts


@pytest.mark.parametrize("recycling_server", [{"COOPGRAPH_WORKER_RECYCLE_BYTES": "1"}], indirect=True)
def test_a_worker_past_its_memory_is_replaced_after_its_request(recycling_server: Server) -> None:
    """A bound every worker passes: each request is answered, then its worker is replaced (so the
    worker running at the end is none of the first ones)."""
    first = query_workers(recycling_server)
    ask_and_see_who_answered(recycling_server, 3)
    assert restarts_once_settled(recycling_server, 3) == 3
    assert "bytes resident (setting worker_recycle_bytes)" in recycling_server.log.read_text()
    assert query_workers(recycling_server).isdisjoint(first)


@pytest.mark.parametrize(
    "recycling_server", [{"COOPGRAPH_WORKER_RECYCLE_BYTES": str(64 * 1024**3)}], indirect=True
)
def test_a_worker_under_its_memory_is_kept(recycling_server: Server) -> None:
    first = query_workers(recycling_server)
    seen = ask_and_see_who_answered(recycling_server, 5)
    time.sleep(0.5)  # a replacement would have started by now
    assert all(workers == first for workers in [*seen, query_workers(recycling_server)]), (first, seen)
    assert value(scrape(recycling_server), "coopgraph_worker_restarts_total", role="query") == 0

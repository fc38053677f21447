"""The setting ``front``: the app under Granian answers like under uvicorn (query, access log, /metrics,
a body past the limit refused 413) and stops with exit code 0 on SIGTERM; an unknown front is refused
before the store is touched."""

from __future__ import annotations

import signal
from pathlib import Path

import requests

from coopgraph.cli import exits
from tests.conftest import coopgraph, free_port, start_server


def test_the_app_under_granian_answers_refuses_and_stops_cleanly(store_copy: Path) -> None:
    server = start_server(
        store_copy, extra_env={"COOPGRAPH_FRONT": "granian", "COOPGRAPH_MAX_BODY_BYTES": "1000"}
    )
    try:
        answer = requests.get(
            server.url + "/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert answer.status_code == 200
        assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 1000
        too_big = requests.post(
            server.url + "/sparql",
            data=b"x" * 5000,
            headers={"Content-Type": "application/sparql-query"},
            timeout=30,
        )
        assert too_big.status_code == 413
        metrics = requests.get(server.url + "/metrics", timeout=30)
        assert metrics.status_code == 200 and "coopgraph_workers_busy" in metrics.text
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=60) == 0
    finally:
        server.stop()
    log = server.log.read_text(errors="replace")
    assert " GET /sparql 200 " in log and " POST /sparql 413 " in log
    assert "Traceback" not in log


def test_an_unknown_front_is_a_usage_error(tmp_path: Path) -> None:
    result = coopgraph(
        "serve", "--port", str(free_port()), store=tmp_path / "store", env={"COOPGRAPH_FRONT": "nginx"}
    )
    assert result.returncode == exits.USAGE
    assert "front is one of uvicorn, granian" in result.stderr
    assert not (tmp_path / "store").exists()  # refused before the store was touched

"""Comunica (``@comunica/query-sparql``), a JavaScript SPARQL engine, queries ``/sparql`` as a plain source:
it reads the service description to detect a SPARQL endpoint, then sends the query there.

The engine is the one ``make comunica`` installs with npm (:func:`tests.conftest.comunica_command`); without
it the test fails and says so.
"""

from __future__ import annotations

import json
import subprocess

import requests

from tests.conftest import Server, comunica_command

QUERY = """PREFIX org: <http://www.w3.org/ns/org#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?o ?label WHERE { ?o a/rdfs:subClassOf* org:Organization ; rdfs:label ?label }"""


def _server_rows(server: Server) -> list[tuple[str, str]]:
    r = requests.get(
        server.url + "/sparql", params={"query": QUERY}, headers={"Accept": "application/sparql-results+json"}
    )
    assert r.status_code == 200
    return sorted((b["o"]["value"], b["label"]["value"]) for b in r.json()["results"]["bindings"])


def test_comunica_detects_the_endpoint_and_queries_it(server: Server) -> None:
    done = subprocess.run(
        [comunica_command(), server.url + "/sparql", QUERY, "-t", "application/sparql-results+json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout)
    rows = sorted((b["o"]["value"], b["label"]["value"]) for b in answer["results"]["bindings"])
    expected = _server_rows(server)
    assert expected, "the seed data has organisations"
    assert rows == expected
    assert "Metadata extraction" not in done.stderr, done.stderr[-2000:]

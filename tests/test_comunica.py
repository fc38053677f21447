"""Comunica (``@comunica/query-sparql``), a JavaScript SPARQL engine, queries ``/sparql`` as a plain source:
it reads the service description to detect a SPARQL endpoint, then sends the query there.

The engine is installed with npm into a cache directory outside the repository (``COOPGRAPH_NODE_CACHE``,
else ``~/.cache/coopgraph``) the first time; without node and npm (``make system-deps`` installs them) or
without the npm registry the test fails and says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from tests.conftest import Server

#: The 4.x line runs on Node.js 18 and 20 (Debian's); 5.x needs Node.js 22.
COMUNICA = "@comunica/query-sparql@4.5.0"
QUERY = """PREFIX org: <http://www.w3.org/ns/org#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?o ?label WHERE { ?o a/rdfs:subClassOf* org:Organization ; rdfs:label ?label }"""


def _cache() -> Path:
    root = os.environ.get("COOPGRAPH_NODE_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "coopgraph"


@pytest.fixture(scope="module")
def comunica() -> Path:
    """The ``comunica-sparql`` command, installed once per cache directory."""
    folder = _cache() / COMUNICA.replace("/", "+").replace("@", "")
    command = folder / "node_modules" / ".bin" / "comunica-sparql"
    if command.exists():
        return command
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.fail("Comunica's test needs node and npm: run `make system-deps` (Debian's nodejs and npm)")
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder), COMUNICA],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0 or not command.exists():
        pytest.fail(
            f"npm could not install {COMUNICA} into {folder} (is the npm registry reachable?):\n"
            + (done.stderr or done.stdout)[-2000:]
        )
    return command


def _server_rows(server: Server) -> list[tuple[str, str]]:
    r = requests.get(
        server.url + "/sparql", params={"query": QUERY}, headers={"Accept": "application/sparql-results+json"}
    )
    assert r.status_code == 200
    return sorted((b["o"]["value"], b["label"]["value"]) for b in r.json()["results"]["bindings"])


def test_comunica_detects_the_endpoint_and_queries_it(comunica: Path, server: Server) -> None:
    done = subprocess.run(
        [str(comunica), server.url + "/sparql", QUERY, "-t", "application/sparql-results+json"],
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

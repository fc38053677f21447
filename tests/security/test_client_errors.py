"""What the client got wrong is answered 4xx with a message naming the parameter, never 500: malformed
IRIs in every parameter that takes one, CLEAR/DROP of a graph that does not exist and CREATE of one that
does (their SILENT forms succeed, as the spec says), invalid UTF-8 in the URL, queries nested deeper than
``max_nesting_depth``. The store is unchanged by every refused request, and no worker is lost to them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from coopgraph import iris
from coopgraph.settings import Settings
from tests.conftest import Server, start_server
from tests.security.test_system_graphs import graph_dump, update

#: Ten kinds of malformed IRI (a parameter's value, sent percent-encoded).
MALFORMED = {
    "empty": "",
    "relative": "relative/path",
    "space": "http://example.org/a b",
    "angle": "http://example.org/<x>",
    "quote": 'http://example.org/"q"',
    "brace": "http://example.org/{x}",
    "bad-percent": "http://example.org/%zz",
    "bad-host": "http://[::1/x",
    "backslash": "http://example.org/a\\b",
    "control": "http://example.org/\x01",
}
DATA_GRAPH = iris.graph_iri("data", "seed/vnu-tsinghua-2025/people.csv")
MISSING = "http://example.org/no-such-graph"
LIMIT = Settings().max_nesting_depth


@pytest.fixture(scope="module")
def writer(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> Iterator[Server]:
    store = tmp_path_factory.mktemp("client-errors") / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    running = start_server(store)
    yield running
    running.stop()


def assert_refused(r: requests.Response, status: int, *words: str) -> None:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.text.strip(), "an error answer says what was wrong"
    for word in words:
        assert word in r.text, (word, r.text)


def worker_pids(server: Server) -> set[int]:
    """The server's worker processes (one that crashed is replaced by a new process)."""
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {int(child) for child in children}


@pytest.mark.parametrize("value", list(MALFORMED.values()), ids=list(MALFORMED))
@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
def test_a_malformed_dataset_iri_is_a_400(writer: Server, name: str, value: str) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    r = requests.get(writer.url + "/sparql", params={"query": query, name: value})
    assert_refused(r, 400, name)
    r = requests.post(writer.url + "/sparql", data={"query": query, name: value})
    assert_refused(r, 400, name)


@pytest.mark.parametrize("value", list(MALFORMED.values()), ids=list(MALFORMED))
@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "POST", "DELETE"])
def test_a_malformed_graph_parameter_is_a_400(writer: Server, method: str, value: str) -> None:
    r = requests.request(
        method,
        writer.url + "/graphs",
        params={"graph": value},
        data=b"<http://example.org/s> <http://example.org/p> 1 ." if method in ("PUT", "POST") else None,
        headers={**writer.auth, "Content-Type": "application/n-triples"},
    )
    if method == "HEAD":
        assert r.status_code == 400
    else:
        assert_refused(r, 400, "graph")


@pytest.mark.parametrize("value", list(MALFORMED.values()), ids=list(MALFORMED))
@pytest.mark.parametrize("name", ["using-graph-uri", "using-named-graph-uri"])
def test_a_malformed_using_iri_is_a_400(writer: Server, name: str, value: str) -> None:
    before = graph_dump(writer, DATA_GRAPH)
    r = requests.post(
        writer.url + "/update",
        params={name: value},
        data=f"DELETE {{ GRAPH <{DATA_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}",
        headers={**writer.auth, "Content-Type": "application/sparql-update"},
    )
    assert_refused(r, 400, name)
    assert graph_dump(writer, DATA_GRAPH) == before


@pytest.mark.parametrize(
    "text, words",
    [
        (f"CLEAR GRAPH <{MISSING}>", [MISSING, "SILENT"]),
        (f"DROP GRAPH <{MISSING}>", [MISSING, "SILENT"]),
        (f"CREATE GRAPH <{DATA_GRAPH}>", [DATA_GRAPH, "SILENT"]),
    ],
)
def test_graph_management_on_the_wrong_graph_is_a_400(writer: Server, text: str, words: list[str]) -> None:
    before = graph_dump(writer, DATA_GRAPH)
    assert_refused(update(writer, text), 400, *words)
    assert graph_dump(writer, DATA_GRAPH) == before


@pytest.mark.parametrize(
    "text",
    [
        f"CLEAR SILENT GRAPH <{MISSING}>",
        f"DROP SILENT GRAPH <{MISSING}>",
        f"CREATE SILENT GRAPH <{DATA_GRAPH}>",
    ],
)
def test_silent_graph_management_succeeds(writer: Server, text: str) -> None:
    before = graph_dump(writer, DATA_GRAPH)
    r = update(writer, text)
    assert r.status_code == 204, r.text
    assert graph_dump(writer, DATA_GRAPH) == before


def test_the_graph_store_answers_404_for_a_missing_graph(writer: Server) -> None:
    assert_refused(requests.get(writer.url + "/graphs", params={"graph": MISSING}), 404, MISSING)
    r = requests.delete(writer.url + "/graphs", params={"graph": MISSING}, headers=writer.auth)
    assert_refused(r, 404, MISSING)


@pytest.mark.parametrize(
    "url",
    [
        "/sparql?query=ASK%20%7B%7D&x=%FF",
        "/sparql?query=ASK%20%7B%20FILTER(%22%FF%22)%20%7D",
        "/graphs?graph=http://example.org/%FF",
        "/queries?format=%FF",
        "/ontology?lang=%C3",
    ],
)
def test_invalid_utf8_in_the_url_is_a_400(writer: Server, url: str) -> None:
    assert_refused(requests.get(writer.url + url), 400, "UTF-8")


def _nested(kind: str, depth: int) -> tuple[str, int]:
    """A query of ``kind`` and the bracket depth it reaches ({, ( and [ counted alike)."""
    if kind == "parentheses":
        return "ASK { FILTER(" + "(" * depth + "true" + ")" * depth + ") }", depth + 2
    if kind == "groups":
        return "ASK " + "{ " * depth + "}" * depth, depth
    p = "<http://example.org/p>"
    return "ASK { ?s " + p + f" [ {p} " * depth + "1" + " ]" * depth + " }", depth + 1


@pytest.mark.parametrize("kind", ["parentheses", "groups", "blank-nodes"])
def test_a_query_nested_too_deep_is_refused_before_parsing(writer: Server, kind: str) -> None:
    workers = worker_pids(writer)
    for depth in (LIMIT + 1, 5_000, 50_000):
        query, reached = _nested(kind, depth)
        r = requests.post(
            writer.url + "/sparql", data=query, headers={"Content-Type": "application/sparql-query"}
        )
        assert_refused(r, 400, "nest", str(LIMIT))
        assert f"{reached} deep" in r.text
    inside = requests.post(
        writer.url + "/sparql",
        data=_nested(kind, LIMIT - 2)[0],
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    assert inside.status_code == 200, inside.text
    assert worker_pids(writer) == workers


def test_an_update_nested_too_deep_is_refused(writer: Server) -> None:
    text = (
        "INSERT DATA { <http://example.org/s> <http://example.org/p> "
        + "(" * 5_000
        + "1"
        + ")" * 5_000
        + " }"
    )
    assert_refused(update(writer, text), 400, "nest", str(LIMIT))

"""Writes through ``/update`` get the literal checks ingest makes: an ill-typed ``xsd:date`` (or a literal
over ``max_literal_bytes``) is refused with a 400 that names it, and nothing is stored."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from coopgraph.settings import Settings
from tests.conftest import Server, start_server
from tests.security.test_system_graphs import graph_dump, update

GRAPH = "http://example.org/literal-checks"
PREFIXES = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
S, D = "<http://example.org/s>", "<http://example.org/d>"


def insert(triples: str) -> str:
    """An INSERT DATA of ``triples`` into the test's graph."""
    return f"{PREFIXES}INSERT DATA {{ GRAPH <{GRAPH}> {{ {triples} }} }}"


@pytest.fixture(scope="module")
def writer(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> Iterator[Server]:
    store = tmp_path_factory.mktemp("update-literals") / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    running = start_server(store)
    yield running
    running.stop()


def _graphs(server: Server) -> set[str]:
    r = requests.get(
        server.url + "/sparql",
        params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    r.raise_for_status()
    return {b["g"]["value"] for b in r.json()["results"]["bindings"]}


@pytest.mark.parametrize(
    ("literal", "kind"),
    [
        ('"2024-13-45"^^xsd:date', "date"),
        ('"2023-02-29"^^xsd:date', "date"),
        ('"twelve"^^xsd:integer', "integer"),
        ('"1999-5"^^xsd:gYearMonth', "gYearMonth"),
    ],
)
def test_an_ill_typed_literal_is_refused_and_nothing_stored(writer: Server, literal: str, kind: str) -> None:
    before = _graphs(writer)
    r = update(writer, insert(f"{S} {D} {literal}"))
    assert r.status_code == 400, (r.status_code, r.text)
    value = literal.split('"')[1]
    assert f"'{value}' is not a valid {kind}" in r.text, r.text
    assert "nothing was changed" in r.text
    assert _graphs(writer) == before
    assert GRAPH not in before


def test_an_ill_typed_literal_among_good_ones_names_it_and_stores_none(writer: Server) -> None:
    text = (
        f"{PREFIXES}INSERT DATA {{ GRAPH <{GRAPH}> {{ <http://example.org/a> <http://example.org/d> "
        '"2024-01-31"^^xsd:date . <http://example.org/b> <http://example.org/d> "2024-01-32"^^xsd:date } }'
    )
    r = update(writer, text)
    assert r.status_code == 400, r.text
    assert "'2024-01-32' is not a valid date (in <http://example.org/b>" in r.text, r.text
    assert "Write the date as YYYY-MM-DD" in r.text, "the accepted form is shown"
    assert "2024-01-31" not in r.text
    assert GRAPH not in _graphs(writer)


def test_an_insert_where_that_makes_an_ill_typed_literal_is_refused(writer: Server) -> None:
    seeded = update(writer, insert('<http://example.org/x> <http://example.org/t> "2024-02-30"'))
    assert seeded.status_code == 204, seeded.text
    before = graph_dump(writer, GRAPH)
    text = (
        f"{PREFIXES}INSERT {{ GRAPH <{GRAPH}> {{ ?s <http://example.org/d> ?d }} }} "
        f"WHERE {{ GRAPH <{GRAPH}> {{ ?s <http://example.org/t> ?t }} BIND(STRDT(?t, xsd:date) AS ?d) }}"
    )
    r = update(writer, text)
    assert r.status_code == 400, r.text
    assert "'2024-02-30' is not a valid date" in r.text
    assert graph_dump(writer, GRAPH) == before
    assert update(writer, f"DROP GRAPH <{GRAPH}>").status_code == 204


def test_a_literal_over_the_size_limit_is_refused(writer: Server) -> None:
    limit = Settings().max_literal_bytes
    r = update(writer, insert(f'{S} {D} "{"x" * (limit + 1)}"'))
    assert r.status_code == 400, r.status_code
    assert "max_literal_bytes" in r.text
    assert GRAPH not in _graphs(writer)


def test_a_well_typed_literal_is_stored(writer: Server) -> None:
    r = update(writer, insert(f'{S} {D} "2024-02-29"^^xsd:date'))
    assert r.status_code == 204, r.text
    assert '"2024-02-29"^^<http://www.w3.org/2001/XMLSchema#date>' in "".join(graph_dump(writer, GRAPH))
    assert update(writer, f"DROP GRAPH <{GRAPH}>").status_code == 204

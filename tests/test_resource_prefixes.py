"""One prefix per type of minted resource, offered to every query: ``proj:vietmus`` where
``cgr:project/vietmus`` is a SPARQL syntax error."""

from __future__ import annotations

import pyoxigraph
import pytest

from coopgraph import iris
from tests.test_seed_data import load_seed_store, select


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> pyoxigraph.Store:
    return load_seed_store(tmp_path_factory.mktemp("seed"))[0]


def test_a_slash_in_a_prefixed_name_is_a_syntax_error() -> None:
    """The premise: why ``cgr:`` cannot name a resource."""
    with pytest.raises(SyntaxError):
        pyoxigraph.Store().query(iris.sparql_prologue() + "SELECT * WHERE { cgr:project/vietmus ?p ?o }")


def test_every_type_of_resource_in_the_seed_has_its_prefix(seed_store: pyoxigraph.Store) -> None:
    rows = select(
        seed_store,
        f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
        f'FILTER (STRSTARTS(STR(?s), "{iris.RESOURCE}") && ?g != <{iris.CATALOG_GRAPH}>) }}',
    )
    kinds = {row["s"].value.removeprefix(iris.RESOURCE).split("/")[0] for row in rows}
    offered = {ns.removeprefix(iris.RESOURCE).rstrip("/") for ns in iris.RESOURCE_PREFIXES.values()}
    assert kinds <= offered, sorted(kinds - offered)
    assert len(set(iris.RESOURCE_PREFIXES.values())) == len(iris.RESOURCE_PREFIXES), "one prefix per type"


def test_queries_name_resources_by_their_type_prefix(seed_store: pyoxigraph.Store) -> None:
    query = iris.sparql_prologue() + (
        "SELECT ?funder WHERE { proj:vietmus cg:fundedBy ?funder . "
        "agr:vnu-tsinghua-mou-2024 cg:party inst:vnu-hanoi }"
    )
    rows = select(seed_store, query)
    assert [r["funder"].value for r in rows] == [iris.RESOURCE + "organization/european-union"]


def test_the_query_page_offers_the_type_prefixes() -> None:
    from server.http.query_page import default_query

    prologue = default_query()
    for prefix, namespace in iris.RESOURCE_PREFIXES.items():
        assert f"PREFIX {prefix}: <{namespace}>\n" in prologue
    assert iris.compact(iris.RESOURCE + "project/vietmus", iris.QUERY_PREFIXES) == "proj:vietmus"

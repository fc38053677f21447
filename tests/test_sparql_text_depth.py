"""The bracket depth the scanner reports, which the server compares with its nesting limit before a
request reaches Oxigraph's recursive parser: the same whatever optional keyword comes before a group."""

from __future__ import annotations

import pytest

from coopgraph.sparql_text import scan_query, scan_update


@pytest.mark.parametrize(
    ("with_keyword", "without", "depth"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT * { ?s ?p ?o }", 1),
        ("SELECT ?s WHERE { { ?s ?p ?o } }", "SELECT ?s { { ?s ?p ?o } }", 2),
        ("ASK WHERE { ?s ?p [ ?q ?o ] }", "ASK { ?s ?p [ ?q ?o ] }", 2),
        (
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER((1 < 2)) }",
            "CONSTRUCT { ?s ?p ?o } { ?s ?p ?o FILTER((1 < 2)) }",
            3,
        ),
        ("DESCRIBE ?s WHERE { ?s ?p [ ?q ( 1 ) ] }", "DESCRIBE ?s { ?s ?p [ ?q ( 1 ) ] }", 3),
        (
            "SELECT * FROM <http://example.org/g> WHERE { { { ?s ?p ?o } } }",
            "SELECT * FROM <http://example.org/g> { { { ?s ?p ?o } } }",
            3,
        ),
    ],
)
def test_a_querys_depth_is_its_deepest_bracket_with_or_without_where(
    with_keyword: str, without: str, depth: int
) -> None:
    assert scan_query(with_keyword).depth == depth
    assert scan_query(without).depth == depth
    assert scan_query(with_keyword).form == scan_query(without).form


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("DELETE WHERE { ?s ?p ?o }", 1),
        ("INSERT { ?s ?p ?o } WHERE { { ?s ?p ?o } }", 2),
        (
            "INSERT DATA { GRAPH <http://x/g> { <http://x/s> <http://x/p> (1) } }",
            3,
        ),
        ("DELETE { ?s ?p ?o } INSERT { ?o ?p ?s } USING <http://example.org/g> WHERE { ?s ?p ?o }", 1),
    ],
)
def test_an_updates_depth_is_its_deepest_bracket(text: str, depth: int) -> None:
    assert scan_update(text).depth == depth

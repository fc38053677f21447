"""A ``<`` inside an expression that starts no IRI is an operator, even where Oxigraph then fails: the
scanner leaves that syntax error to Oxigraph and goes on finding what follows."""

from __future__ import annotations

from coopgraph.sparql_text import scan_query


def test_a_less_than_that_starts_no_iri_in_an_expression_is_read_as_an_operator() -> None:
    info = scan_query("SELECT * WHERE { FILTER (<= 1) SERVICE <http://evil.example/> {} }")
    assert info.services == ["http://evil.example/"]


def test_a_less_than_inside_a_function_call_of_the_select_clause_is_an_operator() -> None:
    """In ``YEAR(?a<#>`` the ``#`` starts a comment, as in a FILTER: read as an IRI ``<#>``, the
    long string after it would hide the SERVICE that Oxigraph runs."""
    text = 'SELECT (YEAR(?a<#>"""\n?b) AS ?y) WHERE { SERVICE <http://evil.example/> {} } #"""'
    assert scan_query(text).services == ["http://evil.example/"]

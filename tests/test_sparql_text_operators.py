"""How the scanner reads a ``<`` or a ``.`` that may start an operand or be an operator: as Oxigraph
reads it, and where Oxigraph fails, so that it leaves the syntax error to Oxigraph and goes on finding
what follows."""

from __future__ import annotations

import pytest

from coopgraph.sparql_text import scan_query


def test_a_less_than_that_starts_no_iri_in_an_expression_is_read_as_an_operator() -> None:
    info = scan_query("SELECT * WHERE { FILTER (<= 1) SERVICE <http://evil.example/> {} }")
    assert info.services == ["http://evil.example/"]


def test_a_less_than_inside_a_function_call_of_the_select_clause_is_an_operator() -> None:
    """In ``YEAR(?a<#>`` the ``#`` starts a comment, as in a FILTER: read as an IRI ``<#>``, the
    long string after it would hide the SERVICE that Oxigraph runs."""
    text = 'SELECT (YEAR(?a<#>"""\n?b) AS ?y) WHERE { SERVICE <http://evil.example/> {} } #"""'
    assert scan_query(text).services == ["http://evil.example/"]


@pytest.mark.parametrize("padding", ["", " "])
def test_a_dot_before_a_space_is_punctuation_wherever_it_stands(padding: str) -> None:
    """The character after a ``.`` decides whether it starts a number, at an odd place as at an even one
    (a comment first, whose second character is a digit, shifts every place by one)."""
    info = scan_query(f"#1{padding}\nSELECT * WHERE {{ ?s ?p ?o . ?a ?b ?c . }}")
    assert info.form == "SELECT"


def test_a_less_than_inside_a_function_call_of_a_subquerys_group_by_is_an_operator() -> None:
    """The same after ``GROUP BY`` of a subquery, whose ``(`` opens an expression (only after ``VALUES``
    does it open a list of variables)."""
    text = (
        'SELECT * WHERE { { SELECT (COUNT(*) AS ?c) WHERE { ?s ?p ?d } GROUP BY YEAR(?d<#>"""\n?b) } '
        'SERVICE <http://evil.example/> {} } #"""'
    )
    assert scan_query(text).services == ["http://evil.example/"]


def test_a_collection_after_a_subquery_is_a_list_where_less_than_starts_an_iri() -> None:
    """Only the group holding the subquery reads modifiers after it: in the group around it, ``(`` after
    a predicate opens a collection, where ``<#>`` is an IRI (not ``<`` and a comment hiding the SERVICE)."""
    text = (
        "BASE <http://example.org/> SELECT * WHERE { { SELECT * WHERE { ?s ?p ?o } } "
        "?s <x:p> (?a<#>) . SERVICE <http://evil.example/> {} }"
    )
    assert scan_query(text).services == ["http://evil.example/"]


def test_a_less_than_after_a_keyword_that_is_no_operand_starts_an_iri() -> None:
    """``COUNT(DISTINCT <#>)``: after ``DISTINCT`` (not ``true`` or ``false``), ``<`` starts an IRI."""
    select = "BASE <http://example.org/> SELECT (COUNT(DISTINCT <#>) AS ?c)"
    text = f"{select} WHERE {{ SERVICE <http://evil.example/> {{}} }}"  # one line: no comment may end
    assert scan_query(text).services == ["http://evil.example/"]


def test_a_collection_in_a_group_with_keywords_but_no_subquery_is_a_list() -> None:
    """Only ``SELECT`` makes a group read modifiers: after ``a`` or ``FILTER`` a collection is still one."""
    text = (
        "BASE <http://example.org/> SELECT * WHERE { ?s a <x:C> . ?s <x:p> (?a<#>) . "
        "SERVICE <http://evil.example/> {} }"
    )
    assert scan_query(text).services == ["http://evil.example/"]


def test_a_collection_inside_a_blank_node_property_list_is_a_list() -> None:
    text = (
        "BASE <http://example.org/> SELECT * WHERE { ?s <x:p> [ <x:q> (?a<#>) ] . "
        "SERVICE <http://evil.example/> {} }"
    )
    assert scan_query(text).services == ["http://evil.example/"]

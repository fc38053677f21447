"""The scanner's fallback and its less common paths: a load glued to a prefixed name in text it did not
recognise, a prefixed name that only starts like LOAD in text it did, the solution modifiers of a
subquery, and IRIs whose paths are longer than a few hundred characters."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from coopgraph.sparql_text import resolve_iri, scan_query, scan_update


def test_a_load_glued_to_a_prefixed_name_after_an_operation_not_recognised_is_a_load() -> None:
    """``CLEAR GRAPH ;`` is not an operation the scanner knows: what follows is scanned as text, where
    ``LOADex:x`` (LOAD glued to a prefixed name, as Oxigraph reads it) still counts as a load."""
    info = scan_update("PREFIX ex: <http://ex/> INSERT DATA { } ; CLEAR GRAPH ; LOADex:x")
    assert info.operations == ["INSERT DATA"]
    assert info.loads == ["ex:x"]


def test_a_prefixed_name_that_starts_like_load_in_recognised_text_is_no_load() -> None:
    info = scan_update("PREFIX loader: <http://l/> INSERT DATA { loader:a loader:b loader:c }")
    assert (info.operations, info.loads) == (["INSERT DATA"], [])


def test_the_modifiers_of_a_subquery_are_expressions() -> None:
    """After a subquery's WHERE, ``ORDER BY (?a<#>…`` is an expression: ``<`` an operator and ``#`` a
    comment, as Oxigraph reads it. Read as the IRI ``<#>``, the long string after it would hide the
    SERVICE that Oxigraph runs."""
    text = (
        'SELECT * WHERE { { SELECT ?a WHERE { ?a ?b ?c } ORDER BY (?a<#>"""\n?b) } '
        'SERVICE <http://evil.example/> {} } #"""'
    )
    ox.Store().query(text.replace("SERVICE <http://evil.example/> {}", ""))  # Oxigraph reads the rest
    assert scan_query(text).services == ["http://evil.example/"]


LONG = "x" * 300


@pytest.mark.parametrize(
    "ref",
    [
        *(f"{LONG}/y/..", f"/{LONG}/y/..", f"{LONG}/..", f"{LONG}/y/.", f"a/{LONG}/..", f"{LONG}/y/../"),
        *("./" * 200 + "..", "../" * 100 + "..", "./" * 200 + "."),  # the last segment far from the start
    ],
)
@pytest.mark.parametrize("base", ["http://a/b/c", "urn:a"])
def test_a_long_reference_ending_in_dot_segments_resolves_as_oxigraph_resolves_it(
    ref: str, base: str
) -> None:
    """Paths longer than 256 characters: the last segments are found by their place, whatever its size."""
    solution = next(iter(ox.Store().query(f"BASE <{base}> SELECT (<{ref}> AS ?x) {{}}")))  # type: ignore[call-overload]
    assert resolve_iri(ref, base) == solution["x"].value

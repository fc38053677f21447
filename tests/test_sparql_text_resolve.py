"""Relative references against a base whose path has no ``/`` (``urn:a``): the merged path starts with
the reference itself, so its leading dot segments are removed as Oxigraph removes them."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from coopgraph.sparql_text import resolve_iri


@pytest.mark.parametrize("ref", ["./x", "..x", "../x", "..", ".", ".x", "x/./y"])
def test_a_reference_against_a_rootless_base_resolves_as_oxigraph_resolves_it(ref: str) -> None:
    base = "urn:a"
    solution = next(iter(ox.Store().query(f"BASE <{base}> SELECT (<{ref}> AS ?x) {{}}")))  # type: ignore[call-overload]
    assert resolve_iri(ref, base) == solution["x"].value

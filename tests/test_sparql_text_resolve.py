"""Relative references against a base whose path has no ``/`` (``urn:a``): the merged path starts with
the reference itself, so its leading dot segments are removed as Oxigraph removes them."""

from __future__ import annotations

import itertools

import pyoxigraph as ox
import pytest

from coopgraph.sparql_text import resolve_iri


@pytest.mark.parametrize("ref", ["./x", "..x", "../x", "..", ".", ".x", "x/./y"])
def test_a_reference_against_a_rootless_base_resolves_as_oxigraph_resolves_it(ref: str) -> None:
    base = "urn:a"
    solution = next(iter(ox.Store().query(f"BASE <{base}> SELECT (<{ref}> AS ?x) {{}}")))  # type: ignore[call-overload]
    assert resolve_iri(ref, base) == solution["x"].value


BASES = [
    "urn:a", "urn:a/b", "urn:a/b/", "urn:a:b", "urn:/a", "urn:/a/b", "urn:///x", "tag:x.org,2001:y/z",
    "http://a", "http://a/", "http://a/b/c", "http://a/b/c/d?q#f", "file:///x/y",
]  # fmt: skip


def references() -> list[str]:
    """Every path of one to three segments among ``.``, ``..``, ``x``, ``y``, rooted or not, with and without
    a final ``/``; and absolute, network-path, query-only, fragment-only and empty references."""
    found = {"http://q/./r/../s", "urn:./x", "//h/./p", "g", "?q", "#f", ""}
    for length in range(1, 4):
        for segments in itertools.product([".", "..", "x", "y"], repeat=length):
            for root in ("", "/"):
                found |= {root + "/".join(segments), root + "/".join(segments) + "/"}
    return sorted(found)


@pytest.mark.parametrize("base", BASES)
def test_every_reference_resolves_as_oxigraph_resolves_it(base: str) -> None:
    """The scanner names the graphs a query reads and writes: each must be the IRI Oxigraph will use, dot
    segments, missing authorities and absolute references included (an absolute IRI is kept as written)."""
    store = ox.Store()
    differ = []
    for ref in references():
        query = f"BASE <{base}> SELECT (<{ref}> AS ?x) {{}}"
        expected = next(iter(store.query(query)))["x"].value  # type: ignore[call-overload]
        if resolve_iri(ref, base) != expected:
            differ.append((ref, resolve_iri(ref, base), expected))
    assert not differ, differ[:10]

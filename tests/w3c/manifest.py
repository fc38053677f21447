"""W3C test manifests: the entries of an ``mf:Manifest`` and of the manifests it includes."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

from rdflib import RDF, Graph, Namespace
from rdflib.collection import Collection
from rdflib.term import Node

from tests.conftest import conformance_path

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")


def file_path(iri: Node) -> Path:
    """The file a ``file:`` IRI of a manifest names (manifests are parsed with their own file IRI as base)."""
    return Path(urllib.parse.unquote(urllib.parse.urlparse(str(iri)).path))


def parse_turtle(path: Path) -> Graph:
    return Graph().parse(conformance_path(path), format="turtle", publicID=path.resolve().as_uri())


def _members(graph: Graph, node: Node) -> list[Node]:
    """An ``mf:include`` value: an RDF list (SPARQL suites) or one manifest per triple (SHACL suite)."""
    if (node, RDF.first, None) in graph or node == RDF.nil:
        return list(Collection(graph, node))
    return [node]


def entries(
    manifest: Path, parse: Callable[[Path], Graph] = parse_turtle, seen: set[Path] | None = None
) -> Iterator[tuple[Graph, Node]]:
    """Each test of ``manifest`` and of the manifests it includes, with the graph that describes it."""
    seen = set() if seen is None else seen
    manifest = manifest.resolve()
    if manifest in seen:
        return
    seen.add(manifest)
    graph = parse(manifest)
    for node in graph.subjects(RDF.type, MF.Manifest):
        for value in sorted(graph.objects(node, MF.include)):
            for include in _members(graph, value):
                yield from entries(file_path(include), parse, seen)
        for entry_list in graph.objects(node, MF.entries):
            for test in Collection(graph, entry_list):
                yield graph, test

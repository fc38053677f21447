"""Screening (ingest/shacl/screen.py): property shapes that read one property of the same nodes are
checked in one pass, then exactly on the nodes it marks. The results must be those of each shape's own
queries on every node, for any data: generated data is validated both ways and compared."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.shacl import Shapes, ValidationReport, screen
from ingest.shacl.components import ValueLevel
from ingest.shacl.focus_sources import TargetSource
from ingest.shacl.model import Targets
from tests.test_shacl_engine import PREFIXES, shapes_of

EX = "http://example.org/"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
#: Two node shapes with the same targets, six property shapes on rdfs:label between them (every kind of
#: constraint a screen reads), one on another property that stays alone, and a property shape with the
#: same targets of its own, whose sh:or, sh:not and sh:xone test the value alone.
SHAPES = """
ex:Labelled a sh:NodeShape ; sh:targetClass ex:A ; sh:property ex:P1 , ex:P2 , ex:P3 , ex:P4 .
ex:P1 sh:path rdfs:label ; sh:minCount 1 .
ex:P2 sh:path rdfs:label ; sh:datatype rdf:langString ; sh:nodeKind sh:Literal .
ex:P3 sh:path rdfs:label ; sh:qualifiedValueShape [ sh:languageIn ( "vi" "en" ) ] ; sh:qualifiedMinCount 1 .
ex:P4 sh:path rdfs:label ; sh:uniqueLang true ; sh:maxCount 3 .
ex:Recommended a sh:NodeShape ; sh:targetClass ex:A ; sh:property ex:P5 , ex:P6 , ex:P7 .
ex:P5 sh:path rdfs:label ; sh:severity sh:Warning ;
    sh:qualifiedValueShape [ sh:languageIn ( "en" ) ] ; sh:qualifiedMinCount 1 .
ex:P6 sh:path rdfs:label ; sh:minCount 2 ; sh:pattern "^x" ;
    sh:qualifiedValueShape [ sh:datatype xsd:string ] ; sh:qualifiedMaxCount 0 .
ex:P7 sh:path ex:note ; sh:minCount 1 .
ex:P8 a sh:PropertyShape ; sh:targetClass ex:A ; sh:path rdfs:label ;
    sh:or ( [ sh:datatype rdf:langString ] [ sh:nodeKind sh:IRI ; sh:pattern "y$" ] ) ;
    sh:not [ sh:in ( "xy" ) ] ;
    sh:xone ( [ sh:pattern "^x" ] [ sh:pattern "y$" ] [ sh:languageIn ( "fr" ) ] ) .
"""
TEXTS = ("x", "y", "xy")
LANGS = (None, "en", "vi", "fr", "en-GB")
GRAPHS = (EX + "g1", EX + "g2")

label = st.tuples(st.sampled_from(TEXTS), st.sampled_from(LANGS), st.sampled_from(GRAPHS), st.booleans())
node = st.tuples(st.lists(label, max_size=5), st.booleans(), st.booleans())


def store_of(nodes: list[tuple[list[tuple[str, str | None, str, bool]], bool, bool]]) -> ox.Store:
    """Nodes of ex:A (each blank or named, with a note or not) and their labels, each in one of two
    graphs (the same label in both is two statements of one value); a label may be an IRI."""
    store = ox.Store()
    for i, (labels, blank, noted) in enumerate(nodes):
        subject: ox.NamedNode | ox.BlankNode = ox.BlankNode(f"b{i}") if blank else ox.NamedNode(f"{EX}n{i}")
        graph = ox.NamedNode(GRAPHS[0])
        store.add(ox.Quad(subject, RDF_TYPE, ox.NamedNode(EX + "A"), graph))
        if noted:
            store.add(ox.Quad(subject, ox.NamedNode(EX + "note"), ox.Literal("n"), graph))
        for text, lang, in_graph, iri in labels:
            value: ox.Literal | ox.NamedNode
            if iri:
                value = ox.NamedNode(EX + text)
            else:
                value = ox.Literal(text, language=lang) if lang else ox.Literal(text)
            store.add(ox.Quad(subject, LABEL, value, ox.NamedNode(in_graph)))
    return store


@contextmanager
def unscreened() -> Iterator[None]:
    """Every screened shape runs its own queries on its whole source (the screen's marks ignored)."""
    kept = screen.MOST_FLAGGED
    screen.MOST_FLAGGED = -1
    try:
        yield
    finally:
        screen.MOST_FLAGGED = kept


def outcome(report: ValidationReport) -> Counter[tuple[str, ...]]:
    def text(term: object) -> str:
        return "" if term is None else str(term)

    return Counter(
        (
            text(r.focus_node),
            text(r.source_shape),
            text(r.source_constraint_component),
            text(r.value),
            text(r.severity),
            text(r.result_path),
        )
        for r in report.results
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(node, min_size=1, max_size=6))
def test_screened_results_equal_each_shapes_own_queries(
    nodes: list[tuple[list[tuple[str, str | None, str, bool]], bool, bool]],
) -> None:
    shapes = shapes_of(SHAPES)
    store = store_of(nodes)
    screened = shapes.validate(store, workers=1)
    with unscreened():
        plain = shapes.validate(store, workers=1)
    assert outcome(screened) == outcome(plain)
    # without LATERAL nothing is screened, and sh:or, sh:not, sh:xone run a query per member shape
    assert outcome(shapes.validate(store, workers=1, lateral=False)) == outcome(plain)
    named = [ox.NamedNode(f"{EX}n{i}") for i, (_, blank, _) in enumerate(nodes) if not blank][:3]
    if named:  # a batch: only some focus nodes
        screened = shapes.validate(store, focus=named, workers=1)
        with unscreened():
            plain = shapes.validate(store, focus=named, workers=1)
        assert outcome(screened) == outcome(plain)


def test_valid_data_costs_one_query_for_the_group() -> None:
    data = "".join(f'ex:n{i} a ex:A ; ex:note "n" ; rdfs:label "x{i}"@en , "{i}y"@vi .\n' for i in range(5))
    store = ox.Store()
    store.load(PREFIXES + data, format=ox.RdfFormat.TURTLE)
    shapes = shapes_of(SHAPES.replace('sh:minCount 2 ; sh:pattern "^x" ;', ""))
    screened = shapes.validate(store, workers=1)
    with unscreened():
        plain = shapes.validate(store, workers=1)
    assert screened.conforms and plain.conforms
    # without the screen: one query or more for each of the six label shapes; with it: one in all
    assert screened.queries <= plain.queries - 5


def test_groups_are_siblings_of_one_source_and_one_property() -> None:
    shapes: Shapes = shapes_of(SHAPES)
    vl = ValueLevel()
    jobs = []
    for top in shapes.targeted:
        source = TargetSource(top.targets)
        jobs.extend((prop, source, top) for prop in top.properties)
        if top.path is not None:
            jobs.append((top, source, None))
    (group,) = screen.groups(jobs, vl)
    wanted = [f"<{EX}P{i}>" for i in (1, 2, 3, 4, 5, 6, 8)]
    assert sorted(str(shape.node) for shape, _, _ in group) == wanted
    other = TargetSource(Targets(classes=[ox.NamedNode(EX + "B")]))
    assert screen.groups([(group[0][0], other, group[0][2]), group[1]], vl) == []

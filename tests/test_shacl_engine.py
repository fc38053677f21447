"""ingest.shacl on the real pyoxigraph store: every core component (a conforming and a violating node),
SHACL-SPARQL, messages, severities, focus restriction, ill-typed literals, ill-formed shapes, and the
report graph compared with pyshacl's."""

from __future__ import annotations

import logging
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare

from ingest.shacl import Shapes, ShapesError, ValidationFailure, ValidationReport
from ingest.shacl import api as shacl_api
from ingest.shacl.paths import SequencePath
from tests.w3c.shacl import actual_report

EX = "http://example.org/"
SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES = """\
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def shapes_of(ttl: str) -> Shapes:
    return Shapes.from_quads(ox.parse(PREFIXES + ttl, format=ox.RdfFormat.TURTLE))


def store_of(ttl: str) -> ox.Store:
    store = ox.Store()
    store.load(PREFIXES + ttl, format=ox.RdfFormat.TURTLE)
    return store


def validate(shapes_ttl: str, data_ttl: str, **kwargs: Any) -> ValidationReport:
    return shapes_of(shapes_ttl).validate(store_of(data_ttl), **kwargs)


def show(term: Any) -> str | None:
    """Compact text of a term: ex:local for example IRIs, N-Triples otherwise."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        for prefix, ns in (("ex:", EX), ("sh:", SH), ("xsd:", XSD)):
            if term.value.startswith(ns):
                return prefix + term.value[len(ns) :]
        return str(term)
    if isinstance(term, ox.Literal):
        text = str(term)
        if term.datatype.value.startswith(XSD):
            text = text.replace(f"^^<{term.datatype.value}>", "^^xsd:" + term.datatype.value[len(XSD) :])
        return text
    if isinstance(term, ox.BlankNode):
        return str(term)
    return term.sparql()  # a complex path


def rows(report: ValidationReport) -> list[tuple[str | None, ...]]:
    """(focus, path, value, component, severity) of each result, sorted."""
    out = [
        (
            show(r.focus_node),
            show(r.result_path),
            show(r.value),
            show(r.source_constraint_component),
            show(r.severity),
        )
        for r in report.results
    ]
    return sorted(out, key=lambda row: tuple(x or "" for x in row))


# --------------------------------------------------------------------------- core components
# Each case: a shape targeting ex:good and ex:bad, data for both, and the results expected for ex:bad
# as (path, value, component). ex:good must conform.
V = "sh:Violation"
CASES: dict[str, tuple[str, str, list[tuple[str | None, str | None, str]]]] = {
    "class": (
        "sh:path ex:p ; sh:class ex:C",
        "ex:good ex:p ex:c1 . ex:c1 a ex:Sub . ex:Sub rdfs:subClassOf ex:C . ex:bad ex:p ex:c2, 3 .",
        [
            ("ex:p", "ex:c2", "sh:ClassConstraintComponent"),
            ("ex:p", '"3"^^xsd:integer', "sh:ClassConstraintComponent"),
        ],
    ),
    "datatype": (
        "sh:path ex:p ; sh:datatype xsd:integer",
        'ex:good ex:p 42 . ex:bad ex:p "42" .',
        [("ex:p", '"42"', "sh:DatatypeConstraintComponent")],
    ),
    "nodeKind": (
        "sh:path ex:p ; sh:nodeKind sh:IRI",
        'ex:good ex:p ex:x . ex:bad ex:p "x" , [] .',
        [("ex:p", '"x"', "sh:NodeKindConstraintComponent"), ("ex:p", "_", "sh:NodeKindConstraintComponent")],
    ),
    "minCount": (
        "sh:path ex:p ; sh:minCount 2",
        "ex:good ex:p 1, 2 . ex:bad ex:p 1 .",
        [("ex:p", None, "sh:MinCountConstraintComponent")],
    ),
    "minCount-1-missing": (
        "sh:path ex:p ; sh:minCount 1",
        "ex:good ex:p 1 . ex:bad ex:q 1 .",
        [("ex:p", None, "sh:MinCountConstraintComponent")],
    ),
    "maxCount": (
        "sh:path ex:p ; sh:maxCount 1",
        "ex:good ex:p 1 . ex:bad ex:p 1, 2 .",
        [("ex:p", None, "sh:MaxCountConstraintComponent")],
    ),
    "maxCount-2": (
        "sh:path ex:p ; sh:maxCount 2",
        "ex:good ex:p 1, 2 . ex:bad ex:p 1, 2, 3 .",
        [("ex:p", None, "sh:MaxCountConstraintComponent")],
    ),
    "min-and-maxCount-with-datatype": (
        "sh:path ex:p ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:integer",
        'ex:good ex:p 1 . ex:bad ex:p 1, "two" .',
        [
            ("ex:p", None, "sh:MaxCountConstraintComponent"),
            ("ex:p", '"two"', "sh:DatatypeConstraintComponent"),
        ],
    ),
    "minExclusive": (
        "sh:path ex:p ; sh:minExclusive 5",
        'ex:good ex:p 6 . ex:bad ex:p 5, "abc" .',
        [
            ("ex:p", '"5"^^xsd:integer', "sh:MinExclusiveConstraintComponent"),
            ("ex:p", '"abc"', "sh:MinExclusiveConstraintComponent"),
        ],
    ),
    "minInclusive": (
        "sh:path ex:p ; sh:minInclusive 5",
        "ex:good ex:p 5 . ex:bad ex:p 4 .",
        [("ex:p", '"4"^^xsd:integer', "sh:MinInclusiveConstraintComponent")],
    ),
    "maxExclusive": (
        'sh:path ex:p ; sh:maxExclusive "2024-01-01"^^xsd:date',
        'ex:good ex:p "2023-12-31"^^xsd:date . ex:bad ex:p "2024-01-01"^^xsd:date .',
        [("ex:p", '"2024-01-01"^^xsd:date', "sh:MaxExclusiveConstraintComponent")],
    ),
    "maxInclusive": (
        "sh:path ex:p ; sh:maxInclusive 5.5",
        "ex:good ex:p 5.5 . ex:bad ex:p 6 .",
        [("ex:p", '"6"^^xsd:integer', "sh:MaxInclusiveConstraintComponent")],
    ),
    "minLength": (
        "sh:path ex:p ; sh:minLength 3",
        'ex:good ex:p "abc" . ex:bad ex:p "ab" .',
        [("ex:p", '"ab"', "sh:MinLengthConstraintComponent")],
    ),
    "maxLength": (
        "sh:path ex:p ; sh:maxLength 3",
        'ex:good ex:p "Hà Nội" . ex:bad ex:p "Thành phố Hồ Chí Minh" .'.replace("Hà Nội", "Huế"),
        [("ex:p", '"Thành phố Hồ Chí Minh"', "sh:MaxLengthConstraintComponent")],
    ),
    "pattern-with-flags": (
        'sh:path ex:p ; sh:pattern "^ag-[0-9]+$" ; sh:flags "i"',
        'ex:good ex:p "AG-12" . ex:bad ex:p "AG12" .',
        [("ex:p", '"AG12"', "sh:PatternConstraintComponent")],
    ),
    "languageIn": (
        'sh:path ex:p ; sh:languageIn ( "vi" "en" )',
        'ex:good ex:p "Hà Nội"@vi, "Hanoi"@en-GB . ex:bad ex:p "Hanoï"@fr, "plain" .',
        [
            ("ex:p", '"Hanoï"@fr', "sh:LanguageInConstraintComponent"),
            ("ex:p", '"plain"', "sh:LanguageInConstraintComponent"),
        ],
    ),
    "uniqueLang": (
        "sh:path ex:p ; sh:uniqueLang true",
        'ex:good ex:p "a"@vi, "b"@en, "c" , "d" . ex:bad ex:p "a"@vi, "b"@vi .',
        [("ex:p", None, "sh:UniqueLangConstraintComponent")],
    ),
    "equals": (
        "sh:path ex:p ; sh:equals ex:q",
        "ex:good ex:p 1 ; ex:q 1 . ex:bad ex:p 1, 2 ; ex:q 1, 3 .",
        [
            ("ex:p", '"2"^^xsd:integer', "sh:EqualsConstraintComponent"),
            ("ex:p", '"3"^^xsd:integer', "sh:EqualsConstraintComponent"),
        ],
    ),
    "disjoint": (
        "sh:path ex:p ; sh:disjoint ex:q",
        "ex:good ex:p 1 ; ex:q 2 . ex:bad ex:p 1, 2 ; ex:q 2 .",
        [("ex:p", '"2"^^xsd:integer', "sh:DisjointConstraintComponent")],
    ),
    "lessThan": (
        "sh:path ex:start ; sh:lessThan ex:end",
        'ex:good ex:start "2020-01-01"^^xsd:date ; ex:end "2021-01-01"^^xsd:date . '
        'ex:bad ex:start "2022-01-01"^^xsd:date ; ex:end "2021-01-01"^^xsd:date .',
        [("ex:start", '"2022-01-01"^^xsd:date', "sh:LessThanConstraintComponent")],
    ),
    "lessThanOrEquals": (
        "sh:path ex:start ; sh:lessThanOrEquals ex:end",
        "ex:good ex:start 3 ; ex:end 3 . ex:bad ex:start 4 ; ex:end 3 .",
        [("ex:start", '"4"^^xsd:integer', "sh:LessThanOrEqualsConstraintComponent")],
    ),
    "not": (
        "sh:path ex:p ; sh:not [ sh:class ex:Bad ]",
        "ex:good ex:p ex:x . ex:bad ex:p ex:y . ex:y a ex:Bad .",
        [("ex:p", "ex:y", "sh:NotConstraintComponent")],
    ),
    "and": (
        "sh:path ex:p ; sh:and ( [ sh:datatype xsd:integer ] [ sh:minInclusive 0 ] )",
        "ex:good ex:p 1 . ex:bad ex:p -1 .",
        [("ex:p", '"-1"^^xsd:integer', "sh:AndConstraintComponent")],
    ),
    "or": (
        "sh:path ex:p ; sh:or ( [ sh:datatype xsd:string ] [ sh:datatype rdf:langString ] )",
        'ex:good ex:p "a", "b"@vi . ex:bad ex:p 1 .',
        [("ex:p", '"1"^^xsd:integer', "sh:OrConstraintComponent")],
    ),
    "xone": (
        "sh:path ex:p ; sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] )",
        "ex:good ex:p ex:a . ex:a a ex:A . ex:bad ex:p ex:ab , ex:none . ex:ab a ex:A, ex:B .",
        [("ex:p", "ex:ab", "sh:XoneConstraintComponent"), ("ex:p", "ex:none", "sh:XoneConstraintComponent")],
    ),
    "node": (
        "sh:path ex:p ; sh:node ex:Named . ex:Named sh:property [ sh:path ex:name ; sh:minCount 1 ]",
        'ex:good ex:p ex:x . ex:x ex:name "X" . ex:bad ex:p ex:y .',
        [("ex:p", "ex:y", "sh:NodeConstraintComponent")],
    ),
    "node-on-blank-values": (
        "sh:path ex:p ; sh:node ex:Named . ex:Named sh:property [ sh:path ex:name ; sh:minCount 1 ]",
        'ex:good ex:p [ ex:name "X" ] . ex:bad ex:p [ ex:other 1 ] .',
        [("ex:p", "_", "sh:NodeConstraintComponent")],
    ),
    "property": (
        "sh:path ex:address ; sh:property [ sh:path ex:city ; sh:minCount 1 ]",
        'ex:good ex:address [ ex:city "Huế" ] . ex:bad ex:address ex:addr . ',
        [],  # the result's focus is the address, checked in its own test below
    ),
    "qualifiedMinCount": (
        "sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:Uni ] ; sh:qualifiedMinCount 2",
        "ex:good ex:p ex:u1, ex:u2 . ex:u1 a ex:Uni . ex:u2 a ex:Uni . ex:bad ex:p ex:u1, ex:x .",
        [("ex:p", None, "sh:QualifiedMinCountConstraintComponent")],
    ),
    "qualifiedMaxCount": (
        "sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:Uni ] ; sh:qualifiedMaxCount 1",
        "ex:good ex:p ex:u1, ex:x . ex:u1 a ex:Uni . ex:u2 a ex:Uni . ex:bad ex:p ex:u1, ex:u2 .",
        [("ex:p", None, "sh:QualifiedMaxCountConstraintComponent")],
    ),
    "hasValue": (
        "sh:path ex:p ; sh:hasValue ex:vn",
        "ex:good ex:p ex:vn, ex:cn . ex:bad ex:p ex:cn .",
        [("ex:p", None, "sh:HasValueConstraintComponent")],
    ),
    "in": (
        'sh:path ex:p ; sh:in ( ex:vn ex:cn "vi" 1 )',
        'ex:good ex:p ex:vn, "vi", 1 . ex:bad ex:p ex:jp, "vi"@vi, 1.0 .',
        [
            ("ex:p", "ex:jp", "sh:InConstraintComponent"),
            ("ex:p", '"vi"@vi', "sh:InConstraintComponent"),
            ("ex:p", '"1"^^xsd:decimal', "sh:InConstraintComponent"),
        ],  # the store writes 1.0 as "1"
    ),
    "inverse-path": (
        "sh:path [ sh:inversePath ex:member ] ; sh:minCount 1",
        "ex:x ex:member ex:good . ex:bad ex:member ex:x .",
        [("^ex:member", None, "sh:MinCountConstraintComponent")],
    ),
}


def _path(text: str | None) -> str | None:
    if text is None or not text.startswith("^"):
        return text
    return f"^<{EX}{text[4:]}>"


@pytest.mark.parametrize("lateral", [True, False])
@pytest.mark.parametrize("name", sorted(CASES))
def test_core_component(name: str, lateral: bool) -> None:
    """Each component, in the form for a store with LATERAL and in the portable one (Virtuoso's)."""
    shape, data, expected = CASES[name]
    report = validate(
        f"ex:S a sh:PropertyShape ; sh:targetNode ex:good, ex:bad ; {shape} .", data, lateral=lateral
    )
    found = [r for r in rows(report) if r[0] == "ex:good"]
    assert found == [], f"ex:good should conform: {found}"
    got = sorted(
        (
            (r[1], "_" if r[2] and r[2].startswith("_:") else r[2], r[3], r[4])
            for r in rows(report)
            if r[0] == "ex:bad"
        ),
        key=str,
    )
    want = sorted(((_path(p), v, c, V) for p, v, c in expected), key=str)
    assert got == want
    for r in report.results:
        if show(r.focus_node) == "ex:bad":
            assert r.source_shape == ox.NamedNode(EX + "S")
        assert len(r.messages) == 1 and r.messages[0].value  # generated English text, no sh:message given


def test_property_shape_results_have_the_value_as_focus() -> None:
    report = validate(
        "ex:S a sh:NodeShape ; sh:targetNode ex:good, ex:bad ; "
        "sh:property [ sh:path ex:address ; sh:property ex:City ] . "
        "ex:City sh:path ex:city ; sh:minCount 1 .",
        'ex:good ex:address [ ex:city "Huế" ] . ex:bad ex:address ex:addr .',
    )
    assert rows(report) == [("ex:addr", "ex:city", None, "sh:MinCountConstraintComponent", V)]
    assert report.results[0].source_shape == ox.NamedNode(EX + "City")


@pytest.mark.parametrize(
    ("shape", "data", "expected"),
    [
        ("sh:class ex:C", "ex:good a ex:C . ex:bad a ex:D .", ("ex:bad", "sh:ClassConstraintComponent")),
        ("sh:nodeKind sh:Literal", "", ("ex:bad", "sh:NodeKindConstraintComponent")),
        ("sh:in ( ex:good )", "", ("ex:bad", "sh:InConstraintComponent")),
        ("sh:hasValue ex:good", "", ("ex:bad", "sh:HasValueConstraintComponent")),
        ('sh:pattern "good$"', "", ("ex:bad", "sh:PatternConstraintComponent")),
        (
            "sh:closed true ; sh:ignoredProperties ( rdf:type ) ; sh:property [ sh:path ex:p ]",
            "ex:good a ex:C ; ex:p 1 . ex:bad ex:p 1 ; ex:q 2 .",
            ("ex:bad", "sh:ClosedConstraintComponent"),
        ),
        (
            "sh:equals ex:self",
            "ex:good ex:self ex:good . ex:bad ex:self ex:other .",
            ("ex:bad", "sh:EqualsConstraintComponent"),
        ),
        (
            "sh:disjoint ex:self",
            "ex:good ex:self ex:other . ex:bad ex:self ex:bad .",
            ("ex:bad", "sh:DisjointConstraintComponent"),
        ),
    ],
)
def test_node_shape_components(shape: str, data: str, expected: tuple[str, str]) -> None:
    if "nodeKind" in shape or "pattern" in shape:
        targets = 'sh:targetNode "good", ex:bad'
        good = '"good"'
    else:
        targets = "sh:targetNode ex:good, ex:bad"
        good = "ex:good"
    report = validate(f"ex:S a sh:NodeShape ; {targets} ; {shape} .", data)
    focus = {show(r.focus_node) for r in report.results}
    assert good not in focus
    assert {(show(r.focus_node), show(r.source_constraint_component)) for r in report.results} == {expected}
    for r in report.results:
        if show(r.source_constraint_component) == "sh:ClosedConstraintComponent":
            assert (show(r.result_path), show(r.value)) == ("ex:q", '"2"^^xsd:integer')
        elif "Equals" in expected[1] or "Disjoint" in expected[1]:
            assert r.value is not None
        elif "HasValue" not in expected[1]:
            assert r.value == r.focus_node  # node shapes: the value is the focus node


def test_qualified_value_shapes_disjoint() -> None:
    shapes = """
    ex:Hand a sh:NodeShape ; sh:targetNode ex:good, ex:bad ;
      sh:property [ sh:path ex:digit ; sh:qualifiedValueShape [ sh:class ex:Thumb ] ;
                    sh:qualifiedMinCount 1 ; sh:qualifiedValueShapesDisjoint true ] ;
      sh:property [ sh:path ex:digit ; sh:qualifiedValueShape [ sh:class ex:Finger ] ;
                    sh:qualifiedMinCount 1 ; sh:qualifiedValueShapesDisjoint true ] .
    """
    data = """
    ex:good ex:digit ex:t, ex:f . ex:t a ex:Thumb . ex:f a ex:Finger .
    ex:bad ex:digit ex:both . ex:both a ex:Thumb, ex:Finger .
    """
    assert [r[:4] for r in rows(validate(shapes, data))] == [
        ("ex:bad", "ex:digit", None, "sh:QualifiedMinCountConstraintComponent"),
        ("ex:bad", "ex:digit", None, "sh:QualifiedMinCountConstraintComponent"),
    ]


# --------------------------------------------------------------------------- paths
def test_complex_paths_and_result_path_model() -> None:
    shapes = """
    ex:S a sh:NodeShape ; sh:targetNode ex:a ;
      sh:property [ sh:path ( ex:p [ sh:zeroOrMorePath ex:q ] ) ; sh:datatype xsd:integer ] ;
      sh:property [ sh:path [ sh:alternativePath ( ex:p ex:r ) ] ; sh:nodeKind sh:IRI ] ;
      sh:property [ sh:path [ sh:oneOrMorePath ex:q ] ; sh:maxCount 1 ] ;
      sh:property [ sh:path [ sh:zeroOrOnePath ex:q ] ; sh:class ex:Q ] .
    """
    data = 'ex:a ex:p ex:b . ex:b ex:q ex:c . ex:c ex:q "x" . ex:a ex:r 5 . ex:b a ex:Q .'
    report = validate(shapes, data)
    got = {(r.path_sparql, show(r.value), show(r.source_constraint_component)) for r in report.results}
    p, q, r = (f"<{EX}{x}>" for x in "pqr")
    assert got == {
        (f"({p}/({q}*))", "ex:b", "sh:DatatypeConstraintComponent"),
        (f"({p}/({q}*))", "ex:c", "sh:DatatypeConstraintComponent"),
        (f"({p}/({q}*))", '"x"', "sh:DatatypeConstraintComponent"),
        (f"({p}|{r})", '"5"^^xsd:integer', "sh:NodeKindConstraintComponent"),
        (f"{q}?", "ex:a", "sh:ClassConstraintComponent"),
    }
    seq = next(r.result_path for r in report.results if isinstance(r.result_path, SequencePath))
    graph = ValidationReport([next(x for x in report.results if x.result_path is seq)]).to_rdflib()
    lists = list(graph.objects(None, rdflib.URIRef(SH + "resultPath")))
    assert len(lists) == 1 and (lists[0], rdflib.RDF.first, rdflib.URIRef(EX + "p")) in graph


def test_zero_length_path_includes_focus_node_absent_from_data() -> None:
    report = validate(
        "ex:S a sh:PropertyShape ; sh:targetNode ex:nowhere ; "
        "sh:path [ sh:zeroOrMorePath ex:p ] ; sh:datatype xsd:string .",
        "ex:other ex:p ex:x .",
    )
    assert rows(report) == [("ex:nowhere", f"<{EX}p>*", "ex:nowhere", "sh:DatatypeConstraintComponent", V)]


@pytest.mark.parametrize("lateral", [True, False])
@pytest.mark.parametrize("path", ["ex:label", "[ sh:zeroOrOnePath ex:label ]", "( ex:name ex:label )"])
def test_unique_lang_one_result_per_tag_per_node(lateral: bool, path: str) -> None:
    """One result per focus node and repeated tag, whether the values are grouped node by node (LATERAL)
    or all at once, for a node reached through two target classes, over several kinds of path."""
    values = {
        "ex:label": "ex:{n} ex:label {v} .",
        "[ sh:zeroOrOnePath ex:label ]": "ex:{n} ex:label {v} .",
        "( ex:name ex:label )": "ex:{n} ex:name ex:{n}-name . ex:{n}-name ex:label {v} .",
    }[path]
    data = "ex:Sub rdfs:subClassOf ex:Org . ex:bad a ex:Org, ex:Sub . ex:good a ex:Sub . ex:one a ex:Org .\n"
    labels = {
        "bad": ['"a"@vi', '"b"@vi', '"c"@en', '"d"@en', '"e"@fr', '"f"', '"g"'],
        "good": ['"a"@vi', '"a"@en', '"a"', '"b"'],
        "one": ['"x"@vi', '"y"@en'],
    }
    data += "\n".join(values.format(n=n, v=v) for n, vs in labels.items() for v in vs)
    shapes = (
        f"ex:S a sh:NodeShape ; sh:targetClass ex:Org, ex:Sub ; "
        f"sh:property [ sh:path {path} ; sh:uniqueLang true ] ."
    )
    report = validate(shapes, data, lateral=lateral)
    got = sorted((show(r.focus_node), r.source_constraint_component.value) for r in report.results)
    assert got == [("ex:bad", SH + "UniqueLangConstraintComponent")] * 2


@pytest.mark.parametrize("lateral", [True, False])
@pytest.mark.parametrize("path", ["ex:p", "[ sh:inversePath ex:q ]", "( ex:r ex:p )"])
def test_max_count_one_counts_distinct_values(lateral: bool, path: str) -> None:
    """sh:maxCount 1 alone: a node with two values fails once; one value stated in two graphs is one
    value; a node reached through two target classes is reported once."""
    statements = {
        "ex:p": "GRAPH ex:g{g} {{ ex:{n} ex:p {v} }}",
        "[ sh:inversePath ex:q ]": "GRAPH ex:g{g} {{ {v} ex:q ex:{n} }}",
        "( ex:r ex:p )": "GRAPH ex:g{g} {{ ex:{n} ex:r ex:{n}-r . ex:{n}-r ex:p {v} }}",
    }[path]
    values = {"two": [(1, "ex:a"), (1, "ex:b")], "twice": [(1, "ex:a"), (2, "ex:a")], "one": [(2, "ex:c")]}
    data = "ex:Sub rdfs:subClassOf ex:Org . ex:two a ex:Org, ex:Sub . ex:twice a ex:Sub . ex:one a ex:Org .\n"
    data += "\n".join(statements.format(g=g, n=n, v=v) for n, vs in values.items() for g, v in vs)
    store = ox.Store()
    store.load(PREFIXES + data, format=ox.RdfFormat.TRIG)
    shapes = shapes_of(
        "ex:S a sh:NodeShape ; sh:targetClass ex:Org, ex:Sub ; "
        f"sh:property [ sh:path {path} ; sh:maxCount 1 ] ."
    )
    report = shapes.validate(store, lateral=lateral)
    got = [(show(r.focus_node), r.source_constraint_component.value) for r in report.results]
    assert got == [("ex:two", SH + "MaxCountConstraintComponent")]


@pytest.mark.parametrize("lateral", [True, False])
def test_sh_class_and_target_class_follow_the_whole_hierarchy(lateral: bool) -> None:
    """Subclasses over several steps, in several graphs, through a blank-node class and round a cycle:
    sh:targetClass and sh:class find the same instances with LATERAL and without (where the classes are
    listed from the hierarchy read once, not matched by a path)."""
    data = """
        GRAPH ex:schema { ex:Student rdfs:subClassOf ex:Person . ex:Person rdfs:subClassOf ex:Agent .
            _:anon rdfs:subClassOf ex:Person . ex:A rdfs:subClassOf ex:B . ex:B rdfs:subClassOf ex:A .
            ex:B rdfs:subClassOf ex:Agent . }
        GRAPH ex:data { ex:club ex:member ex:ada, ex:ghost, ex:rock, ex:loop, ex:bob .
            ex:ada a ex:Student . ex:ghost a _:anon . ex:rock a ex:Stone . ex:loop a ex:A . ex:bob a ex:B . }
    """
    store = ox.Store()
    store.load(PREFIXES + data, format=ox.RdfFormat.TRIG)
    shapes = shapes_of(
        "ex:People a sh:NodeShape ; sh:targetClass ex:Person ;"
        "  sh:property [ sh:path ex:name ; sh:minCount 1 ] ."
        "ex:Members a sh:NodeShape ; sh:targetSubjectsOf ex:member ;"
        "  sh:property [ sh:path ex:member ; sh:class ex:Person ] ."
        "ex:Loop a sh:NodeShape ; sh:targetClass ex:B ; sh:class ex:A ."
    )
    report = shapes.validate(store, lateral=lateral)
    got = sorted(
        (show(r.focus_node), show(r.value), show(r.source_constraint_component)) for r in report.results
    )
    assert got == [
        ("ex:ada", None, "sh:MinCountConstraintComponent"),
        ("ex:club", "ex:bob", "sh:ClassConstraintComponent"),
        ("ex:club", "ex:loop", "sh:ClassConstraintComponent"),
        ("ex:club", "ex:rock", "sh:ClassConstraintComponent"),
        ("ex:ghost", None, "sh:MinCountConstraintComponent"),
    ]
    focus = shapes.validate(
        store, focus=[ox.NamedNode(EX + "ghost"), ox.NamedNode(EX + "loop")], lateral=lateral
    )
    assert sorted(show(r.focus_node) for r in focus.results) == ["ex:ghost"]


# --------------------------------------------------------------------------- targets
def test_all_target_kinds() -> None:
    shapes = """
    ex:Person a rdfs:Class, sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
    ex:ByClass a sh:NodeShape ; sh:targetClass ex:Org ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
    ex:BySubject a sh:NodeShape ; sh:targetSubjectsOf ex:signs ; sh:class ex:Person .
    ex:ByObject a sh:NodeShape ; sh:targetObjectsOf ex:signs ; sh:class ex:Agreement .
    ex:ByNode a sh:NodeShape ; sh:targetNode ex:lonely, "a literal" ; sh:nodeKind sh:IRI .
    """
    data = """
    ex:ann a ex:Student . ex:Student rdfs:subClassOf ex:Person .
    ex:uni a ex:University . ex:University rdfs:subClassOf ex:Org .
    ex:uni ex:signs ex:mou .
    """
    got = {(r[0], r[3]) for r in rows(validate(shapes, data))}
    assert got == {
        ("ex:ann", "sh:MinCountConstraintComponent"),  # implicit class target, via rdfs:subClassOf
        ("ex:uni", "sh:MinCountConstraintComponent"),  # sh:targetClass via rdfs:subClassOf
        ("ex:uni", "sh:ClassConstraintComponent"),  # sh:targetSubjectsOf
        ("ex:mou", "sh:ClassConstraintComponent"),  # sh:targetObjectsOf
        ('"a literal"', "sh:NodeKindConstraintComponent"),  # sh:targetNode, not in the data
    }


def test_deactivated_shapes_are_skipped() -> None:
    shapes = """
    ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:class ex:C ; sh:deactivated true .
    ex:T a sh:NodeShape ; sh:targetNode ex:a ;
      sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:deactivated true ] .
    ex:U a sh:NodeShape ; sh:targetNode ex:a ; sh:node [ sh:class ex:C ; sh:deactivated true ] .
    ex:W a sh:NodeShape ; sh:targetNode ex:a ; sh:class ex:C ; sh:deactivated false .
    """
    assert [r[0::3] for r in rows(validate(shapes, ""))] == [("ex:a", "sh:ClassConstraintComponent")]


# --------------------------------------------------------------------------- severity and messages
def test_severity_and_messages_in_all_languages() -> None:
    shapes = """
    ex:S a sh:NodeShape ; sh:targetClass ex:Org ;
      sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:severity sh:Warning ;
                    sh:message "An organisation needs a name."@en, "Tổ chức cần có tên."@vi ] ;
      sh:property [ sh:path ex:site ; sh:pattern "^https://" ; sh:severity sh:Info ;
                    sh:message "{$value} is not an https address (shape {$this})"@en ] .
    """
    report = validate(shapes, 'ex:o a ex:Org ; ex:site "http://x" .')
    assert not report.conforms
    by_component = {show(r.source_constraint_component): r for r in report.results}
    warning = by_component["sh:MinCountConstraintComponent"]
    assert show(warning.severity) == "sh:Warning"
    assert {(m.value, m.language) for m in warning.messages} == {
        ("An organisation needs a name.", "en"),
        ("Tổ chức cần có tên.", "vi"),
    }
    assert warning.message("vi") == "Tổ chức cần có tên."
    info = by_component["sh:PatternConstraintComponent"]
    assert show(info.severity) == "sh:Info"
    assert [m.value for m in info.messages] == [f"http://x is not an https address (shape {EX}o)"]
    assert report.counts() == {"Warning": 1, "Info": 1}


def test_default_messages_are_english_text() -> None:
    report = validate(
        "ex:S a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ex:p ; sh:datatype xsd:date .",
        'ex:a ex:p "soon" .',
    )
    (result,) = report.results
    assert result.messages == [
        ox.Literal('"soon" is not a well-formed literal of datatype xsd:date', language="en")
    ]


# --------------------------------------------------------------------------- ill-typed literals
def test_ill_typed_literals_are_detected() -> None:
    shapes = """
    ex:S a sh:NodeShape ; sh:targetNode ex:a ;
      sh:property [ sh:path ex:date ; sh:datatype xsd:date ] ;
      sh:property [ sh:path ex:int ; sh:datatype xsd:integer ] ;
      sh:property [ sh:path ex:year ; sh:datatype xsd:gYear ] ;
      sh:property [ sh:path ex:byte ; sh:datatype xsd:byte ] ;
      sh:property [ sh:path ex:bool ; sh:datatype xsd:boolean ] .
    """
    data = """
    ex:a ex:date "2024-13-45"^^xsd:date, "2024-02-29"^^xsd:date ;
         ex:int "12a"^^xsd:integer, 12 ;
         ex:year "20x4"^^xsd:gYear, "2024"^^xsd:gYear ;
         ex:byte "300"^^xsd:byte, "c"^^xsd:byte, "12"^^xsd:byte ;
         ex:bool "yes"^^xsd:boolean, true .
    """
    got = {(r[1], r[2]) for r in rows(validate(shapes, data))}
    assert got == {
        ("ex:date", '"2024-13-45"^^xsd:date'),
        ("ex:int", '"12a"^^xsd:integer'),
        ("ex:year", '"20x4"^^xsd:gYear'),
        ("ex:byte", '"300"^^xsd:integer'),  # the store keeps "300"^^xsd:byte as an xsd:integer
        ("ex:byte", '"c"^^xsd:byte'),
        ("ex:bool", '"yes"^^xsd:boolean'),
    }


def test_derived_integer_types_strict_mode() -> None:
    shapes = "ex:S a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ex:n ; sh:datatype xsd:int ."
    data = 'ex:a ex:n "5"^^xsd:int, 6 .'
    assert validate(shapes, data).conforms  # the store cannot tell "5"^^xsd:int from 5
    strict = validate(shapes, data, lenient_integers=False)
    assert len(strict.results) == 2


# --------------------------------------------------------------------------- focus restriction
FOCUS_SHAPES = """
ex:S a sh:NodeShape ; sh:targetClass ex:Org ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ] ;
  sh:property [ sh:path ex:partner ; sh:node ex:Named ] .
ex:Named sh:property [ sh:path ex:name ; sh:minCount 1 ] .
ex:T a sh:NodeShape ; sh:targetNode ex:o3 ; sh:class ex:Org .
"""
FOCUS_DATA = (
    " ".join(f"ex:o{i} a ex:Org ; ex:partner ex:o{i + 1} ." for i in range(50)) + " ex:o0 ex:name 'x' ."
)


def test_focus_restriction_small_set() -> None:
    shapes, store = shapes_of(FOCUS_SHAPES), store_of(FOCUS_DATA)
    full = shapes.validate(store)
    assert len(full.results) == 49 + 50  # o1..o49 no name; o0..o49 partners without a name
    some = [ox.NamedNode(EX + "o0"), ox.NamedNode(EX + "o3"), ox.NamedNode(EX + "unknown")]
    report = shapes.validate(store, focus=some)
    assert rows(report) == [
        ("ex:o0", "ex:partner", "ex:o1", "sh:NodeConstraintComponent", V),
        ("ex:o3", "ex:name", None, "sh:MinCountConstraintComponent", V),
        ("ex:o3", "ex:partner", "ex:o4", "sh:NodeConstraintComponent", V),
    ]
    assert shapes.validate(store, focus=[]).conforms


def test_focus_restriction_large_set_filters_in_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shacl_api, "FOCUS_VALUES_LIMIT", 5)
    shapes, store = shapes_of(FOCUS_SHAPES), store_of(FOCUS_DATA)
    focus = [ox.NamedNode(f"{EX}o{i}") for i in range(0, 50, 5)]
    report = shapes.validate(store, focus=focus)
    assert {r.focus_node for r in report.results} <= set(focus)
    assert len(report.results) == 9 + 10


def test_focus_restriction_with_blank_nodes() -> None:
    shapes = shapes_of(
        "ex:S a sh:NodeShape ; sh:targetClass ex:Org ; sh:property [ sh:path ex:name ; sh:minCount 1 ] ."
    )
    store = store_of("[] a ex:Org . [] a ex:Org . ex:named a ex:Org ; ex:name 'N' . ex:other a ex:Org .")
    blanks = [
        r["o"] for r in store.query("SELECT ?o WHERE { ?o a <http://example.org/Org> FILTER isBlank(?o) }")
    ]
    report = shapes.validate(store, focus=[blanks[0], ox.NamedNode(EX + "named")])
    assert [r.focus_node for r in report.results] == [blanks[0]]


def test_focus_restriction_finds_every_kind_of_target_over_several_chunks() -> None:
    """Focus nodes matched to targets from the nodes' own statements (types through subclasses,
    subjects of, objects of, target nodes), in chunks: the same results as the whole validation."""
    shapes = shapes_of(
        """
        ex:ByClass a sh:NodeShape ; sh:targetClass ex:Org, ex:Person ;
          sh:property [ sh:path ex:name ; sh:minCount 1 ] .
        ex:BySubject a sh:NodeShape ; sh:targetSubjectsOf ex:founded ;
          sh:property [ sh:path ex:founded ; sh:datatype xsd:gYear ] .
        ex:ByObject a sh:NodeShape ; sh:targetObjectsOf ex:partner ; sh:nodeKind sh:IRI ;
          sh:property [ sh:path ex:code ; sh:minCount 1 ] .
        ex:ByNode a sh:NodeShape ; sh:targetNode ex:n7, "lit" ; sh:class ex:Org .
        ex:Implicit a rdfs:Class, sh:NodeShape ; sh:property [ sh:path ex:code ; sh:maxCount 0 ] .
        """
    )
    n = shacl_api.CHUNK * 2 + 7
    data = [
        "ex:University rdfs:subClassOf ex:Body . ex:Body rdfs:subClassOf ex:Org ."
        " ex:Sub rdfs:subClassOf ex:Implicit ."
    ]
    for i in range(n):
        kind = ("ex:University", "ex:Person", "ex:Sub", "ex:Other")[i % 4]
        founded = '"1990"^^xsd:gYear' if i % 3 == 0 else "1990"
        data.append(f"ex:n{i} a {kind} ; ex:founded {founded} .")
        if i % 5:
            data.append(f"ex:n{i} ex:name 'N{i}' ; ex:code 'C{i}' .")
        data.append(f"ex:n{(i * 7) % n} ex:partner ex:n{i} .")
    store = store_of(" ".join(data))
    full = shapes.validate(store)
    nodes = [ox.NamedNode(f"{EX}n{i}") for i in range(n)] + [ox.Literal("lit")]
    focused = shapes.validate(store, focus=nodes)
    assert rows(focused) == rows(full)
    assert {c for *_, c, _ in rows(full)} >= {
        "sh:MinCountConstraintComponent",
        "sh:DatatypeConstraintComponent",
        "sh:MaxCountConstraintComponent",
        "sh:ClassConstraintComponent",
    }
    some = nodes[::9]
    part = shapes.validate(store, focus=some)
    assert rows(part) == [r for r in rows(full) if r[0] in {show(x) for x in some}]
    assert part.results


# --------------------------------------------------------------------------- SHACL-SPARQL
def test_sparql_constraint_prebinding_messages_and_path() -> None:
    shapes = """
    ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
    ex:Agreement a sh:NodeShape ; sh:targetClass ex:Agreement ;
      sh:sparql [
        sh:prefixes ex: ;
        sh:message "{?value} is before the start {?start}"@en ,
                   "Ngày kết thúc {?value} trước ngày bắt đầu"@vi ;
        sh:select \"\"\"SELECT $this ?value ?start (ex:end AS ?path) WHERE {
            $this ex:start ?start ; ex:end ?value . FILTER (?value < ?start) }\"\"\" ] .
    """
    data = "ex:a a ex:Agreement ; ex:start 5 ; ex:end 3 . ex:b a ex:Agreement ; ex:start 1 ; ex:end 3 ."
    report = validate(shapes, data)
    (r,) = report.results
    assert (show(r.focus_node), show(r.result_path), show(r.value)) == ("ex:a", "ex:end", '"3"^^xsd:integer')
    assert show(r.source_constraint_component) == "sh:SPARQLConstraintComponent"
    assert isinstance(r.source_constraint, ox.BlankNode)
    assert {m.value for m in r.messages} == {"3 is before the start 5", "Ngày kết thúc 3 trước ngày bắt đầu"}


def test_sparql_constraint_on_property_shape_with_path_substitution() -> None:
    shapes = """
    ex:S a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ( ex:p ex:q ) ;
      sh:sparql [ sh:select "SELECT $this ?value WHERE { $this $PATH ?value . FILTER (?value > 1) }" ] .
    """
    report = validate(shapes, "ex:a ex:p ex:b . ex:b ex:q 1, 2 .")
    assert [(r[0], r[2]) for r in rows(report)] == [("ex:a", '"2"^^xsd:integer')]
    assert report.results[0].path_sparql == f"(<{EX}p>/<{EX}q>)"


def test_sparql_constraint_component_ask_and_select_validators() -> None:
    shapes = """
    ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
    ex:LangComponent a sh:ConstraintComponent ;
      sh:parameter [ sh:path ex:lang ] ;
      sh:message "Value must be in language {$lang}" ;
      sh:validator [ a sh:SPARQLAskValidator ; sh:prefixes ex: ;
                     sh:ask "ASK { FILTER (isLiteral($value) && langMatches(lang($value), $lang)) }" ] ;
      sh:nodeValidator [ a sh:SPARQLSelectValidator ;
                         sh:select \"\"\"SELECT $this WHERE { FILTER NOT EXISTS {
                             $this ?p ?o FILTER(langMatches(lang(?o), $lang)) } }\"\"\" ] .
    ex:P a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ex:label ; ex:lang "vi" .
    ex:N a sh:NodeShape ; sh:targetNode ex:a, ex:b ; ex:lang "vi" .
    """
    data = 'ex:a ex:label "Hà Nội"@vi, "Hanoi"@en . ex:b ex:label "Hue"@en .'
    got = rows(validate(shapes, data))
    assert got == [
        ("ex:a", "ex:label", '"Hanoi"@en', "ex:LangComponent", V),
        ("ex:b", None, "ex:b", "ex:LangComponent", V),
    ]
    r = validate(shapes, data).results[0]
    assert [m.value for m in r.messages] == ["Value must be in language vi"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT $this WHERE { $this ?p ?o . MINUS { $this ?p 1 } }",
        "SELECT $this WHERE { VALUES ?o { 1 } $this ?p ?o }",
        "SELECT $this WHERE { SERVICE <http://example.org/sparql> { $this ?p ?o } }",
        "SELECT $this WHERE { BIND (ex:x AS $this) }",
        "SELECT $this WHERE { $this ?p ?o . { SELECT ?o WHERE { ?s ?p ?o } } }",
    ],
)
def test_unsupported_sparql_is_rejected(query: str) -> None:
    with pytest.raises(ShapesError, match=r"shape <http://example\.org/S>"):
        shapes_of(f'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "{query}" ] .')


# --------------------------------------------------------------------------- ill-formed shapes
@pytest.mark.parametrize(
    ("shape", "problem"),
    [
        ('sh:path ex:p ; sh:minCount "one"', "sh:minCount must be an xsd:integer"),
        ("sh:path ex:p ; sh:minCount -1", "must not be negative"),
        ("sh:path ex:p, ex:q", "exactly one sh:path"),
        ("sh:path [ sh:alternativePath ( ex:p ) ]", "at least two"),
        ("sh:path [ ex:unknown ex:p ]", "ill-formed sh:path"),
        ("sh:path ex:p ; sh:nodeKind ex:Thing", "sh:nodeKind must be one of"),
        ('sh:path ex:p ; sh:class "Org"', "sh:class values must be IRIs"),
        ("sh:path ex:p ; sh:datatype xsd:string, xsd:integer", "at most one value"),
        ('sh:path ex:p ; sh:in "a"', "well-formed RDF list"),
        ("sh:path ex:p ; sh:severity 1", "must be an IRI"),
        ('sh:path ex:p ; sh:deactivated "yes"', "must be a boolean"),
        ('sh:path ex:p ; sh:pattern "a" ; sh:flags "z"', "unsupported sh:flags"),
    ],
)
def test_ill_formed_shapes_raise_a_clear_error(shape: str, problem: str) -> None:
    with pytest.raises(ShapesError) as info:
        shapes_of(f"ex:Bad a sh:PropertyShape ; sh:targetNode ex:a ; {shape} .")
    assert f"shape <{EX}Bad>" in str(info.value) and problem in str(info.value)


def test_ill_formed_node_and_property_shapes() -> None:
    with pytest.raises(ShapesError, match="sh:NodeShape must not have a sh:path"):
        shapes_of("ex:Bad a sh:NodeShape ; sh:path ex:p .")
    with pytest.raises(ShapesError, match="needs a sh:path"):
        shapes_of("ex:Bad a sh:PropertyShape ; sh:targetNode ex:a .")
    with pytest.raises(ShapesError, match="only allowed on property shapes"):
        shapes_of("ex:Bad a sh:NodeShape ; sh:targetNode ex:a ; sh:minCount 1 .")
    with pytest.raises(ShapesError, match="must be a property shape"):
        shapes_of("ex:Bad a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:class ex:C ] .")


def test_unused_ill_formed_path_is_ignored() -> None:
    assert validate(
        "ex:S a sh:NodeShape ; sh:targetNode ex:a . _:p sh:alternativePath ( ex:p ) .", ""
    ).conforms


# --------------------------------------------------------------------------- recursion
def test_recursive_shapes_terminate() -> None:
    shapes = """
    ex:Person a sh:NodeShape ; sh:targetClass ex:Person ;
      sh:property [ sh:path ex:name ; sh:minCount 1 ] ;
      sh:property [ sh:path ex:knows ; sh:node ex:Person ] .
    """
    data = """
    ex:a a ex:Person ; ex:name "A" ; ex:knows ex:b .
    ex:b ex:name "B" ; ex:knows ex:a, ex:c .
    ex:c ex:knows ex:a .
    """
    got = {(r[0], r[3]) for r in rows(validate(shapes, data))}
    # ex:c has no name, so ex:b (who knows ex:c) does not conform, so ex:a (who knows ex:b) does not
    assert got == {("ex:a", "sh:NodeConstraintComponent")}


def test_recursive_shapes_over_blank_nodes() -> None:
    shapes = """
    ex:List a sh:NodeShape ; sh:targetNode ex:head ;
      sh:property [ sh:path ex:value ; sh:datatype xsd:integer ] ;
      sh:property [ sh:path ex:next ; sh:node ex:List ] .
    """
    data = 'ex:head ex:value 1 ; ex:next [ ex:value 2 ; ex:next [ ex:value "three" ; ex:next ex:head ] ] .'
    got = [(r[0], r[3]) for r in rows(validate(shapes, data))]
    assert got == [("ex:head", "sh:NodeConstraintComponent")]


# --------------------------------------------------------------------------- API and report graph
def test_constructors_and_data_objects() -> None:
    ttl = "ex:S a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ex:p ; sh:minCount 1 ."
    store = store_of("ex:b ex:p 1 .")
    shapes_store = ox.Store()
    shapes_store.load(PREFIXES + ttl, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(EX + "shapes"))
    graph = rdflib.Graph().parse(data=PREFIXES + ttl, format="turtle")

    class QueryOnly:  # anything with .query(sparql, substitutions=None)
        def query(self, sparql: str, substitutions: dict[Any, Any] | None = None) -> Any:
            return store.query(sparql, substitutions=substitutions, use_default_graph_as_union=True)

    for shapes in (
        Shapes.from_rdflib(graph),
        Shapes.from_store(shapes_store, ox.NamedNode(EX + "shapes")),
        Shapes.from_quads(ox.parse(PREFIXES + ttl, format=ox.RdfFormat.TURTLE)),
    ):
        for data in (store, QueryOnly()):
            report = shapes.validate(data)
            assert rows(report) == [("ex:a", "ex:p", None, "sh:MinCountConstraintComponent", V)]
    quads = report.to_quads(ox.NamedNode(EX + "report"))
    assert all(q.graph_name == ox.NamedNode(EX + "report") for q in quads)
    assert (
        ox.Quad(
            quads[0].subject,
            ox.NamedNode(SH + "conforms"),
            ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean")),
            ox.NamedNode(EX + "report"),
        )
        in quads
    )


def test_store_is_validated_as_the_union_of_its_graphs() -> None:
    shapes = shapes_of(
        "ex:S a sh:NodeShape ; sh:targetClass ex:Org ; sh:property [ sh:path ex:name ; sh:minCount 1 ] ."
    )
    store = ox.Store()
    store.add(
        ox.Quad(
            ox.NamedNode(EX + "o"), ox.NamedNode(RDF_TYPE), ox.NamedNode(EX + "Org"), ox.NamedNode(EX + "g1")
        )
    )
    assert not shapes.validate(store).conforms
    store.add(
        ox.Quad(ox.NamedNode(EX + "o"), ox.NamedNode(EX + "name"), ox.Literal("O"), ox.NamedNode(EX + "g2"))
    )
    assert shapes.validate(store).conforms


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def copy_graph(graph: rdflib.Graph, prefixes_of: rdflib.Graph) -> rdflib.Graph:
    """A copy of ``graph`` with the prefixes of ``prefixes_of`` (pyshacl compares prefixed names)."""
    out = rdflib.Graph()
    for prefix, namespace in prefixes_of.namespaces():
        out.bind(prefix, namespace, override=True)
    for triple in graph:
        out.add(triple)
    return out


PYSHACL_PAIRS = [
    (
        """ex:S a sh:NodeShape ; sh:targetClass ex:Org ;
             sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype rdf:langString ] ;
             sh:property [ sh:path ( ex:member [ sh:inversePath ex:of ] ) ; sh:class ex:Person ] ;
             sh:property [ sh:path ex:country ; sh:in ( ex:VN ex:CN ) ;
                           sh:message "Bad country"@en, "Sai quốc gia"@vi ] .""",
        """ex:o1 a ex:Org ; ex:name "A"@vi, "B"@en ; ex:country ex:JP ; ex:member ex:m . ex:x ex:of ex:m .
           ex:o2 a ex:Org ; ex:name "plain" ; ex:country ex:VN .""",
    ),
    (
        """ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:signs ; sh:closed true ;
             sh:property [ sh:path ex:signs ; sh:node ex:T ] ;
             sh:property [ sh:path ex:start ; sh:lessThan ex:end ] .
           ex:T sh:or ( [ sh:class ex:MoU ] [ sh:class ex:Contract ] ) .""",
        """ex:u ex:signs ex:m1, ex:m2 ; ex:start 5 ; ex:end 3 . ex:m1 a ex:MoU . ex:m2 a ex:Letter .""",
    ),
]


@pytest.mark.parametrize("pair", range(len(PYSHACL_PAIRS)))
def test_report_graph_matches_pyshacl(pair: int) -> None:
    pyshacl = pytest.importorskip("pyshacl")
    shapes_ttl, data_ttl = PYSHACL_PAIRS[pair]
    shapes_graph = rdflib.Graph().parse(data=PREFIXES + shapes_ttl, format="turtle")
    data_graph = rdflib.Graph().parse(data=PREFIXES + data_ttl, format="turtle")
    logging.disable(logging.CRITICAL)
    _conforms, expected, _text = pyshacl.validate(data_graph, shacl_graph=shapes_graph, inference="none")
    logging.disable(logging.NOTSET)
    store = ox.Store()
    store.load(data_graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    ours = Shapes.from_rdflib(shapes_graph).validate(store).to_rdflib()
    # both reduced as the W3C suite's comparison reduces them (messages kept), then compared as graphs
    messages = set(shapes_graph.objects(None, rdflib.URIRef(SH + "message")))
    assert rdflib.compare.isomorphic(actual_report(ours, messages), actual_report(expected, messages))
    # and pyshacl's own comparison of a report with an expected one (it edits the report graph)
    from pyshacl.validator_conformance import compare_validation_reports

    # pyshacl's generated messages are its own wording, and sh:detail is optional: both left out
    expected.remove((None, rdflib.URIRef(SH + "resultMessage"), None))
    for result, detail in list(expected.subject_objects(rdflib.URIRef(SH + "detail"))):
        expected -= expected.cbd(detail)
        expected.remove((result, rdflib.URIRef(SH + "detail"), detail))
    report_node = next(expected.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "ValidationReport")))
    assert compare_validation_reports(
        copy_graph(ours, expected), expected, report_node, logging.getLogger("test")
    )
    assert len(ours) > 0


def test_shapes_graph_and_current_shape_prebinding() -> None:
    ttl = """
    ex:S a sh:NodeShape ; sh:targetNode ex:a ; ex:limit 2 ;
      sh:sparql [ sh:select \"\"\"SELECT $this ?value WHERE {
          GRAPH $shapesGraph { $currentShape <http://example.org/limit> ?limit }
          $this <http://example.org/n> ?value . FILTER (?value > ?limit) }\"\"\" ] .
    """
    shapes = shapes_of(ttl)
    store = store_of("ex:a ex:n 1, 3 .")
    graph = ox.NamedNode(EX + "shapes")
    store.load(PREFIXES + ttl, format=ox.RdfFormat.TURTLE, to_graph=graph)
    report = shapes.validate(store, shapes_graph=graph)
    assert [(r[0], r[2]) for r in rows(report)] == [("ex:a", '"3"^^xsd:integer')]
    with pytest.raises(ShapesError, match=r"\$shapesGraph"):
        shapes.validate(store)


def test_sparql_failure_variable_aborts_validation() -> None:
    shapes = shapes_of(
        'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this ?failure '
        'WHERE { BIND (true AS ?failure) }" ] .'
    )
    with pytest.raises(ValidationFailure):
        shapes.validate(store_of("ex:a ex:p 1 ."))


def test_sparql_constraint_inside_a_nested_shape() -> None:
    shapes = """
    ex:S a sh:NodeShape ; sh:targetClass ex:Agreement ; sh:property [ sh:path ex:party ; sh:node ex:Party ] .
    ex:Party sh:sparql [ sh:select \"\"\"SELECT $this WHERE {
        FILTER NOT EXISTS { $this <http://example.org/country> ?c } }\"\"\" ] .
    """
    data = (
        "ex:m a ex:Agreement ; ex:party ex:p1, ex:p2 . ex:p1 ex:country ex:VN . "
        "ex:n a ex:Agreement ; ex:party ex:p1 ."
    )
    assert [(r[0], r[2], r[3]) for r in rows(validate(shapes, data))] == [
        ("ex:m", "ex:p2", "sh:NodeConstraintComponent")
    ]


def test_threads_give_the_same_results() -> None:
    shapes, store = shapes_of(FOCUS_SHAPES), store_of(FOCUS_DATA)
    one = shapes.validate(store, workers=1)
    two = shapes.validate(store, workers=2)
    assert rows(one) == rows(two) and len(one.results) == 99


def test_requested_blank_node_is_checked_only_against_its_own_shapes() -> None:
    shapes = shapes_of(
        "ex:A a sh:NodeShape ; sh:targetClass ex:Org ; sh:property [ sh:path ex:name ; sh:minCount 1 ] . "
        "ex:B a sh:NodeShape ; sh:targetClass ex:Person ; sh:property [ sh:path ex:email ; sh:minCount 1 ] ."
    )
    store = store_of("[] a ex:Org . [] a ex:Person .")
    org = next(iter(store.query("SELECT ?o WHERE { ?o a <http://example.org/Org> }")))["o"]
    person = next(iter(store.query("SELECT ?o WHERE { ?o a <http://example.org/Person> }")))["o"]
    report = shapes.validate(store, focus=[org, person])
    assert sorted((str(r.focus_node), show(r.result_path)) for r in report.results) == sorted(
        [(str(org), "ex:name"), (str(person), "ex:email")]
    )


@pytest.mark.parametrize(
    ("value", "datatype", "expected"),
    [
        ("true", "boolean", True),
        ("1", "boolean", True),
        ("1", "integer", True),  # Virtuoso's answer to a boolean expression
        ("1", "int", True),
        ("false", "boolean", False),
        ("0", "integer", False),
        ("1", "string", False),  # a string that happens to read 1 is not a flag
        ("true", "string", False),
        ("1", "decimal", False),
    ],
)
def test_a_flag_is_true_only_as_a_boolean_or_the_integer_one(
    value: str, datatype: str, expected: bool
) -> None:
    from ingest.shacl.engine import flag_true

    assert flag_true(ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))) is expected
    assert flag_true(None) is False
    assert flag_true(ox.NamedNode(EX + "true")) is False

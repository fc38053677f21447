"""Tests of coopgraph.sparql_text: traps, every update operation, the W3C corpus, and Oxigraph itself.

Three references are used: hand-written expectations for each trap; rdflib's parser over the W3C
SPARQL test suites (an independent reading of form, FROM and SERVICE); and Oxigraph, the program
that acts on the text, observed from outside: a local HTTP server records whether Oxigraph really
contacts it, and a store with one triple per named graph shows which dataset a query really uses.
"""

from __future__ import annotations

import glob
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph.sparql_text import QueryInfo, ScanError, UpdateInfo, resolve_iri, scan_query, scan_update
from tests import http_recorder as recorder
from tests.conftest import CONFORMANCE, conformance_path

TESTS = CONFORMANCE / "rdf-tests" / "sparql"
EX = "http://example.org/"


def q(text: str) -> QueryInfo:
    return scan_query(text)


def u(text: str) -> UpdateInfo:
    return scan_update(text)


# ------------------------------------------------------------------------------------------------
# Keywords hidden in strings, comments, IRIs, prefixed names and variables


@pytest.mark.parametrize(
    "literal",
    [
        '"SERVICE <http://evil/> { }"',
        "'SERVICE <http://evil/> { }'",
        '"""x\n} SERVICE <http://evil/> { }\n"""',
        "'''x\n} SERVICE <http://evil/> { }\n'''",
        r'"a\"} SERVICE <http://evil/> { } #"',
        r"'a\'} SERVICE <http://evil/> { } #'",
        '"""a""} SERVICE <http://evil/> { } "\'"""',
        "'''a''} SERVICE <http://evil/> { } \"'''",
        r'"\\" . ?s ?p "SERVICE <http://evil/> {}"',
    ],
)
def test_keywords_inside_strings_are_not_seen(literal: str) -> None:
    info = q(f"SELECT * FROM <{EX}g> WHERE {{ ?s ?p {literal} }}")
    assert info.services == []
    assert info.from_graphs == [f"{EX}g"]


def test_string_ending_in_quotes_closes_where_oxigraph_closes_it() -> None:
    # '''a'''' is the string "a" followed by a new ' string: the SERVICE is inside that one.
    assert q("SELECT * { ?s ?p '''a'''' SERVICE <http://evil/> {} ' }").services == []
    assert q("SELECT * { ?s ?p '''a''' , 'b' SERVICE <http://evil/> {} }").services == ["http://evil/"]


def test_comments_hide_keywords_to_the_end_of_the_line() -> None:
    info = q(
        "SELECT * # FROM <http://g/>\nWHERE { ?s ?p ?o # SERVICE <http://evil/> { }\n}\r# SERVICE <x> {}"
    )
    assert (info.from_graphs, info.services) == ([], [])
    info = q("SELECT * WHERE { # }\n SERVICE <http://evil/> { } }")
    assert info.services == ["http://evil/"]


def test_hash_inside_iris_and_strings_is_not_a_comment() -> None:
    info = q("SELECT * FROM <http://g/#x> WHERE { ?s <http://p/#q> '#' . SERVICE <http://evil/#s> { } }")
    assert info.from_graphs == ["http://g/#x"]
    assert info.services == ["http://evil/#s"]


def test_keywords_inside_iris_are_not_seen() -> None:
    info = q("SELECT * WHERE { <http://x/SERVICE> <http://x/FROM> <http://x/?q=SERVICE%7B&FROM=1#'> }")
    assert (info.services, info.from_graphs) == ([], [])


def test_prefixed_names_named_like_keywords() -> None:
    info = q(
        "PREFIX ex: <http://ex/> PREFIX service: <http://s/> PREFIX : <http://d/>\n"
        "SELECT * WHERE { ex:service :from service:x . ?s ex:SERVICE ex:from . GRAPH service:g { ?a ?b ?c } }"
    )
    assert (info.services, info.from_graphs) == ([], [])


def test_variables_named_like_keywords() -> None:
    info = q("SELECT ?service $from WHERE { ?service ?from $SERVICE . ?FROM ?named ?silent }")
    assert (info.services, info.from_graphs, info.from_named_graphs) == ([], [], [])


def test_odd_case_whitespace_and_no_spaces() -> None:
    info = q("select*from<http://a/>FROM\tnAmEd\n<http://b/>WhErE{?s ?p ?o.sErViCe\r\n<http://c/>{}}")
    assert info.form == "SELECT"
    assert info.from_graphs == ["http://a/"]
    assert info.from_named_graphs == ["http://b/"]
    assert info.services == ["http://c/"]


# ------------------------------------------------------------------------------------------------
# Query forms, prologue and dataset clauses


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * { }", "SELECT"),
        ("PREFIX a: <http://a/> BASE <http://b/> ask { }", "ASK"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://x>", "DESCRIBE"),
        ("# SELECT\n  Describe * WHERE { }", "DESCRIBE"),
        ("INSERT DATA { }", ""),
        ("'SELECT' * { }", ""),
    ],
)
def test_query_form(text: str, form: str) -> None:
    assert q(text).form == form


def test_prefixes_and_base_are_reported_resolved() -> None:
    info = q("BASE <http://a/b/> PREFIX : <c#> PREFIX ex: <http://ex/>\nPREFIX e.x-1: <../d/> SELECT * {}")
    assert info.base == "http://a/b/"
    assert info.prefixes == {"": "http://a/b/c#", "ex": "http://ex/", "e.x-1": "http://a/d/"}


def test_from_clauses_expand_prefixed_names_and_resolve_relative_iris() -> None:
    info = q(
        "BASE <http://a/b/c/d;p?q>\nPREFIX g: <graphs/>\n"
        "SELECT * FROM <#x> FROM <../a> FROM <?q> FROM g:one FROM NAMED <g> FROM NAMED g: WHERE { }"
    )
    assert info.from_graphs == [
        "http://a/b/c/d;p?q#x",
        "http://a/b/a",
        "http://a/b/c/d;p?q",
        "http://a/b/c/graphs/one",
    ]
    assert info.from_named_graphs == ["http://a/b/c/g", "http://a/b/c/graphs/"]


def test_each_base_is_resolved_against_the_previous_one() -> None:
    info = q("BASE <http://a/x/y> BASE <../z/> BASE <w> SELECT * FROM <g> { }")
    assert info.base == "http://a/z/w"
    assert info.from_graphs == ["http://a/z/g"]


def test_relative_iri_without_base_is_not_made_up() -> None:
    # Oxigraph rejects a relative IRI when there is no base: no dataset is invented for it.
    assert q("SELECT * FROM <g> WHERE { }").from_graphs == []
    assert scan_query("SELECT * FROM <g> WHERE { }", base_iri="http://base/x").from_graphs == [
        "http://base/g"
    ]


def test_default_prefixes_given_to_oxigraph_can_be_given_too() -> None:
    info = scan_query("SELECT * FROM ex:g WHERE { SERVICE ex:s {} }", prefixes={"ex": "http://ex/"})
    assert (info.from_graphs, info.services, info.prefixes) == (["http://ex/g"], ["http://ex/s"], {})


def test_escapes_in_iris_are_decoded() -> None:
    info = q(r"SELECT * FROM <http://g/\u0041\U00000042> WHERE { SERVICE <http://e/\u00e9> {} }")
    assert info.from_graphs == ["http://g/AB"]
    assert info.services == ["http://e/é"]


def test_construct_template_comes_before_from() -> None:
    info = q(
        "CONSTRUCT { ?s <http://p/FROM> <http://x> } FROM <http://g1/> FROM NAMED <http://g2/> WHERE { }"
    )
    assert (info.form, info.from_graphs, info.from_named_graphs) == (
        "CONSTRUCT",
        ["http://g1/"],
        ["http://g2/"],
    )
    info = q("CONSTRUCT FROM <http://g1/> WHERE { ?s ?p ?o }")
    assert info.from_graphs == ["http://g1/"]


def test_describe_and_ask_dataset_clauses() -> None:
    info = q("PREFIX ex: <http://ex/> DESCRIBE ?x ex:y <http://z> FROM ex:g FROM NAMED ex:n")
    assert (info.form, info.from_graphs, info.from_named_graphs) == (
        "DESCRIBE",
        ["http://ex/g"],
        ["http://ex/n"],
    )
    info = q("ASK FROM <http://g/> { ?s ?p ?o }")
    assert (info.form, info.from_graphs) == ("ASK", ["http://g/"])


def test_from_only_at_top_level() -> None:
    info = q(
        "PREFIX from: <http://f/> SELECT * WHERE { ?s from:p 'FROM <http://a>' FILTER(?s != from:x) }"
        " ORDER BY ?s # FROM <http://b>\n"
    )
    assert (info.from_graphs, info.from_named_graphs) == ([], [])


def test_from_after_select_expressions_with_less_than_and_quotes() -> None:
    info = q("SELECT (?a<'>' AS ?b) (CONCAT('<', \"#\") AS ?c) FROM <http://g/> WHERE { }")
    assert info.from_graphs == ["http://g/"]


# ------------------------------------------------------------------------------------------------
# SERVICE anywhere in patterns


def test_service_nested_anywhere() -> None:
    info = q(
        "PREFIX e: <http://e/>\n"
        "SELECT (EXISTS { SERVICE e:1 {} } AS ?x) WHERE {\n"
        "  { SELECT ?s WHERE { SERVICE e:2 { ?s ?p ?o } } }\n"
        "  OPTIONAL { SERVICE e:3 { SERVICE e:4 {} } }\n"
        "  { SERVICE e:5 {} } UNION { MINUS { SERVICE e:6 {} } }\n"
        "  GRAPH ?g { FILTER NOT EXISTS { SERVICE e:7 {} } }\n"
        "  BIND(EXISTS { SERVICE e:8 {} } AS ?y)\n"
        "  FILTER(EXISTS { { SELECT * { SERVICE e:9 {} } } })\n"
        "} GROUP BY ?s HAVING (EXISTS { SERVICE e:10 {} }) ORDER BY ASC(EXISTS { SERVICE e:11 {} })"
    )
    assert info.services == [f"http://e/{i}" for i in range(1, 12)]
    assert info.service_silent is False


def test_service_silent_and_variable_targets() -> None:
    info = q("SELECT * { SERVICE SILENT <http://a/> {} SERVICE ?v {} SERVICE $w {} }")
    assert info.services == ["http://a/", "?v", "?w"]
    assert info.service_silent is True


def test_service_target_with_undeclared_prefix_is_kept_raw() -> None:
    # Oxigraph rejects it; the caller still sees something it must refuse.
    assert q("SELECT * { SERVICE nope:x {} }").services == ["nope:x"]


# ------------------------------------------------------------------------------------------------
# Where Oxigraph reads text differently from the SPARQL grammar (each one is a way to hide a SERVICE)


def test_glued_keywords_as_oxigraph_reads_them() -> None:
    p = "PREFIX : <http://d/> PREFIX ex: <http://ex/> PREFIX silent: <http://s/>\n"
    assert q(p + "SELECT * { SERVICE:x {} }").services == ["http://d/x"]
    assert q(p + "SELECT * { SERVICEex:x {} }").services == ["http://ex/x"]
    assert q(p + "SELECT * { ?s ?p trueSERVICE<http://t/>{} }").services == ["http://t/"]
    assert q(p + "SELECT * { ?s ?p trueSERVICEex:x {} }").services == ["http://ex/x"]
    info = q(p + "SELECT * { SERVICESILENT<http://u/>{} }")
    assert (info.services, info.service_silent) == (["http://u/"], True)
    # SERVICE silent:x is SERVICE SILENT :x when ":" is declared, else SERVICE silent:x
    info = q(p + "SELECT * { SERVICE silent:x {} }")
    assert (info.services, info.service_silent) == (["http://d/x"], True)
    info = q("PREFIX silent: <http://s/> SELECT * { SERVICE silent:x {} }")
    assert (info.services, info.service_silent) == (["http://s/x"], False)
    info = q(p + "ASKFROM<http://g/>FROMNAMEDex:n FROM NAMEDex:m{}")
    assert (info.form, info.from_graphs, info.from_named_graphs) == ("ASK", ["http://g/"], EX_NM)
    assert q("PREFIXex:<http://ex/> SELECT*FROMex:g{}").from_graphs == ["http://ex/g"]
    assert q(p + "DESCRIBEex:x FROMex:g").from_graphs == ["http://ex/g"]


EX_NM = ["http://ex/n", "http://ex/m"]


def test_from_named_prefix_is_tried_as_an_iri_first() -> None:
    # Oxigraph tries "FROM iri" before "FROM NAMED iri": named:x is a default graph if named: is declared.
    assert q("PREFIX named: <http://n/> SELECT * FROM named:x {}").from_graphs == ["http://n/x"]
    info = q("PREFIX : <http://d/> SELECT * FROM named:x {}")
    assert (info.from_graphs, info.from_named_graphs) == ([], ["http://d/x"])
    info = q("PREFIX fromage: <http://c/> PREFIX ex: <http://e/> DESCRIBE <http://x> fromage:brie FROMex:g")
    assert info.from_graphs == ["http://e/g"]


def test_local_names_take_one_group_of_dots() -> None:
    # Oxigraph reads ex:a.b.SERVICE<…>{} as "ex:a.b . SERVICE <…> {}".
    info = q("PREFIX ex: <http://e/> SELECT * { ?s ?p ex:a.b.SERVICE<http://evil/>{} }")
    assert info.services == ["http://evil/"]
    assert q("PREFIX ex: <http://e/> SELECT * { ?s ?p ex:a..b , ex:a.SERVICE }").services == []
    with pytest.raises(ScanError):  # ex:a..b.c is "ex:a..b" "." "c", and "c" is no token
        q("PREFIX ex: <http://e/> SELECT * { ?s ?p ex:a..b.c }")


def test_less_than_after_an_operand_is_an_operator() -> None:
    # In "?o<#>" the "#" starts a comment and in "?o<'>'" the "'" starts a string, as in Oxigraph.
    assert q("SELECT * { FILTER(?o<#>\n2)SERVICE<http://evil/>{} }").services == ["http://evil/"]
    assert q("SELECT * { FILTER(?o<'>')SERVICE<http://evil/>{} #'\n }").services == ["http://evil/"]
    assert q("SELECT * { BIND(1<'>' AS ?x) ?s ?p '>SERVICE<http://no/>{}' }").services == []
    # … but an IRI where a term is expected, also inside brackets that are not expressions.
    assert q("SELECT * { ?s ?p (1 <http://x#y>) . FILTER(?o < <http://a#'>) }").services == []
    assert q("SELECT * { VALUES (?a ?b) { (1 <http://x#'>) } SERVICE <http://e/> {} }").services == [
        "http://e/"
    ]


def test_ambiguous_less_than_after_glued_filter_is_refused() -> None:
    # FILTERex:f( may be a function call after FILTER or a collection: Oxigraph's reading of the "<"
    # depends on a full parse, so the request is refused rather than guessed.
    with pytest.raises(ScanError, match="ambiguous"):
        q("PREFIX ex: <http://e/> SELECT * { FILTERex:f(?o<'>', 1) }")
    assert q("PREFIX ex: <http://e/> SELECT * { FILTERex:f(?o < 2) }").services == []


# ------------------------------------------------------------------------------------------------
# Text that cannot be tokenized


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('SELECT * { ?s ?p "abc }', 1, 18),
        ("SELECT * {\n  ?s ?p 'abc\n}", 2, 9),
        ('SELECT * {\n ?s ?p """abc\n\n}', 2, 10),  # "" is an empty string, then "abc is unterminated
        ("SELECT * {\n\n ?s ?p '''abc }", 3, 10),
        ('SELECT * { ?s ?p "a\\qb" }', 1, 18),
        ("SELECT * {\n  ?s ?p <http://x/ }", 2, 9),
        ("SELECT * { ?s ?p <http://x/\\n> }", 1, 18),
        ("SELECT * { ?s ?p ?o } \\", 1, 23),
        ("SELECT * { ?s foo ?o }", 1, 15),
        ("SELECT * { ?s ?p $ }", 1, 18),
    ],
)
def test_untokenizable_text_raises_scan_error_with_line_and_column(text: str, line: int, column: int) -> None:
    with pytest.raises(ScanError) as raised:
        q(text)
    assert (raised.value.line, raised.value.column) == (line, column)
    assert f"line {line}, column {column}" in str(raised.value)
    assert isinstance(raised.value, ValueError)


# ------------------------------------------------------------------------------------------------
# Updates


@pytest.mark.parametrize(
    ("text", "operations", "written"),
    [
        ("INSERT DATA { <http://s> <http://p> 1 }", ["INSERT DATA"], ["DEFAULT"]),
        ("INSERT DATA { GRAPH <http://g> { <http://s> <http://p> 1 } }", ["INSERT DATA"], ["http://g"]),
        (
            "DELETE DATA { <http://s> <http://p> 1 . GRAPH <http://g> { <http://s> <http://p> 1 } }",
            ["DELETE DATA"],
            ["http://g", "DEFAULT"],
        ),
        ("DELETE WHERE { GRAPH ?g { ?s ?p ?o } }", ["DELETE WHERE"], ["?g"]),
        ("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["MODIFY"], ["DEFAULT"]),
        ("INSERT { GRAPH <http://g> { ?s ?p ?o } } WHERE { ?s ?p ?o }", ["MODIFY"], ["http://g"]),
        (
            "WITH <http://w> DELETE { ?s ?p ?o } INSERT { ?s ?p 2 } WHERE { ?s ?p ?o }",
            ["MODIFY"],
            ["http://w"],
        ),
        ("LOAD <http://x/data.ttl>", ["LOAD"], ["DEFAULT"]),
        ("LOAD SILENT <http://x/data.ttl> INTO GRAPH <http://g>", ["LOAD"], ["http://g"]),
        ("CLEAR GRAPH <http://g>", ["CLEAR"], ["http://g"]),
        ("CLEAR SILENT DEFAULT", ["CLEAR"], ["DEFAULT"]),
        ("DROP NAMED", ["DROP"], ["NAMED"]),
        ("DROP SILENT ALL", ["DROP"], ["ALL"]),
        ("CREATE SILENT GRAPH <http://g>", ["CREATE"], ["http://g"]),
        ("COPY <http://a> TO DEFAULT", ["COPY"], ["DEFAULT"]),
        ("MOVE SILENT GRAPH <http://a> TO GRAPH <http://b>", ["MOVE"], ["http://a", "http://b"]),
        ("ADD DEFAULT TO <http://d>", ["ADD"], ["http://d"]),
    ],
)
def test_update_operations_and_graphs_written(text: str, operations: list[str], written: list[str]) -> None:
    info = u(text)
    assert info.operations == operations
    assert info.graphs_written == written


def test_update_sequence_with_its_own_prologues() -> None:
    info = u(
        "PREFIX ex: <http://ex/>\nLOAD ex:data INTO GRAPH ex:g ;\n"
        "BASE <http://b/> PREFIX y: <y/>\n"
        "INSERT DATA { GRAPH y:g { y:s y:p 'LOAD <http://evil/> ; DROP ALL' } } ;\n"
        "WITH ex:w DELETE { ?s ?p ?o } USING ex:u USING NAMED <n> WHERE { SERVICE ex:s { ?s ?p ?o } } ;"
    )
    assert info.operations == ["LOAD", "INSERT DATA", "MODIFY"]
    assert info.loads == ["http://ex/data"]
    assert info.graphs_written == ["http://ex/g", "http://b/y/g", "http://ex/w"]
    assert info.using_graphs == ["http://ex/u"]
    assert info.using_named_graphs == ["http://b/n"]
    assert info.services == ["http://ex/s"]
    assert info.prefixes == {"ex": "http://ex/", "y": "http://b/y/"}
    assert info.base == "http://b/"


def test_update_keywords_inside_strings_and_comments_are_not_operations() -> None:
    info = u('INSERT DATA { <http://s> <http://p> """LOAD <http://evil/> ;\nDROP ALL""" } # ; LOAD <x>\n')
    assert (info.operations, info.loads, info.graphs_written) == (["INSERT DATA"], [], ["DEFAULT"])


def test_update_glued_keywords_as_oxigraph_reads_them() -> None:
    info = u(
        "PREFIX ex: <http://ex/> PREFIX : <http://d/> LOADex:x;LOADSILENT<http://y>;LOAD silent:z;DROPALL;"
        "CLEARGRAPH<http://g>;INSERTDATA{GRAPH:h{:a :b :c}}"
    )
    assert info.operations == ["LOAD", "LOAD", "LOAD", "DROP", "CLEAR", "INSERT DATA"]
    assert info.loads == ["http://ex/x", "http://y", "http://d/z"]
    assert info.graphs_written == ["DEFAULT", "ALL", "http://g", "http://d/h"]


def test_update_not_recognised_still_reports_load_and_service() -> None:
    info = u(
        "PREFIX ex: <http://ex/> INSERT DATA { } ; CLEAR GRAPH ; LOAD <http://evil/> ; "
        "DELETE { ?s ?p ?o } WHERE { SERVICE <http://e/> {} }"
    )
    assert info.operations == ["INSERT DATA"]
    assert info.loads == ["http://evil/"]
    assert info.services == ["http://e/"]


# ------------------------------------------------------------------------------------------------
# Relative IRI resolution (RFC 3986, §5.4)

RFC_BASE = "http://a/b/c/d;p?q"
RFC_EXAMPLES = {
    "g:h": "g:h",
    "g": "http://a/b/c/g",
    "./g": "http://a/b/c/g",
    "g/": "http://a/b/c/g/",
    "/g": "http://a/g",
    "//g": "http://g",
    "?y": "http://a/b/c/d;p?y",
    "g?y": "http://a/b/c/g?y",
    "#s": "http://a/b/c/d;p?q#s",
    "g#s": "http://a/b/c/g#s",
    "g?y#s": "http://a/b/c/g?y#s",
    ";x": "http://a/b/c/;x",
    "g;x": "http://a/b/c/g;x",
    "g;x?y#s": "http://a/b/c/g;x?y#s",
    "": "http://a/b/c/d;p?q",
    ".": "http://a/b/c/",
    "./": "http://a/b/c/",
    "..": "http://a/b/",
    "../": "http://a/b/",
    "../g": "http://a/b/g",
    "../..": "http://a/",
    "../../": "http://a/",
    "../../g": "http://a/g",
    "../../../g": "http://a/g",
    "../../../../g": "http://a/g",
    "/./g": "http://a/g",
    "/../g": "http://a/g",
    "g.": "http://a/b/c/g.",
    ".g": "http://a/b/c/.g",
    "g..": "http://a/b/c/g..",
    "..g": "http://a/b/c/..g",
    "./../g": "http://a/b/g",
    "./g/.": "http://a/b/c/g/",
    "g/./h": "http://a/b/c/g/h",
    "g/../h": "http://a/b/c/h",
    "g;x=1/./y": "http://a/b/c/g;x=1/y",
    "g;x=1/../y": "http://a/b/c/y",
    "g?y/./x": "http://a/b/c/g?y/./x",
    "g?y/../x": "http://a/b/c/g?y/../x",
    "g#s/./x": "http://a/b/c/g#s/./x",
    "g#s/../x": "http://a/b/c/g#s/../x",
    "http:g": "http:g",
}


@pytest.mark.parametrize(("ref", "expected"), RFC_EXAMPLES.items())
def test_resolve_iri_rfc3986_examples(ref: str, expected: str) -> None:
    assert resolve_iri(ref, RFC_BASE) == expected
    assert q(f"BASE <{RFC_BASE}> SELECT * FROM <{ref}> {{}}").from_graphs == [expected]


def test_resolve_iri_agrees_with_oxigraph() -> None:
    store = ox.Store()
    cases = [
        (b, r)
        for b in ("http://a/b#frag", "http://a", "urn:x:y", "http://a/b/", "file:///tmp/q.rq")
        for r in ("", "#z", "?k", "c", "../../c", "/c/./d/../e", "//h/p", "x:y", ".")
    ]
    for base, ref in cases:
        expected = next(iter(store.query(f"BASE <{base}> SELECT (<{ref}> AS ?x) {{}}")))["x"].value
        assert resolve_iri(ref, base) == expected, (base, ref)
    assert resolve_iri("c", None) is None


# ------------------------------------------------------------------------------------------------
# Against Oxigraph itself


ORACLE_PREFIXES = "PREFIX ex: <EVIL> PREFIX : <EVIL> PREFIX silent: <EVIL> PREFIX service: <http://s/>\n"
SERVICE_CASES = [  # (pattern, does Oxigraph contact the server?)
    ("SERVICE <EVIL> {}", True),
    ("sErViCe\n<EVIL>\n{}", True),
    ("SERVICE<EVIL>{}", True),
    ("SERVICE SILENT <EVIL> {}", True),
    ("SERVICESILENT<EVIL>{}", True),
    ("SERVICE # a comment <x>\n <EVIL> {}", True),
    ("SERVICE:x {}", True),
    ("SERVICEex:x {}", True),
    ("SERVICE silent:x {}", True),
    ("?s ?p trueSERVICE<EVIL>{}", True),
    ("?s ?p ex:a.b.SERVICE<EVIL>{}", True),
    ("FILTER(?o<#>\n2)SERVICE<EVIL>{}", True),
    ("{ SELECT * { SERVICE <EVIL> {} } }", True),
    ("OPTIONAL { SERVICE <EVIL> {} }", True),
    ("FILTER EXISTS { SERVICE <EVIL> {} }", True),
    ("SERVICE SILENT <EVIL> { SERVICE <EVILinner> {} }", True),
    ('?s ?p "SERVICE <EVIL> {}"', False),
    ("?s ?p 'SERVICE <EVIL> {}'", False),
    ("?s ?p '''x'SERVICE <EVIL> {}'''", False),
    ('?s ?p """x"SERVICE <EVIL> {}"""', False),
    ('?s ?p "a\\"SERVICE <EVIL> {}"', False),
    ("# SERVICE <EVIL> {}\n", False),
    ("?s ex:service ?o", False),
    ("?service ?p ?o", False),
    ("?s ?p ex:a.SERVICE", False),
    ("GRAPH service:g { }", False),
    ("?s ?p <EVIL#SERVICE>", False),
    ("BIND(1<'>' AS ?x) ?s ?p '>SERVICE<EVIL>{}'", False),
    ("FILTER(?o < <http://a#'>) ?s ?p '>SERVICE<EVIL>{}'", False),
]


@pytest.mark.parametrize(("pattern", "contacts"), SERVICE_CASES)
def test_service_detection_agrees_with_oxigraph(evil: str, pattern: str, contacts: bool) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"), ox.Literal(1)))
    text = (ORACLE_PREFIXES + "SELECT * WHERE { VALUES ?o { 1 } " + pattern + " }").replace("EVIL", evil)
    assert recorder.contacts(store, text) is contacts  # the oracle sees what the case says it sees
    info = scan_query(text)
    assert bool(info.services) is contacts
    if contacts:
        assert recorder.Recorder.hits and all(
            any((h.lstrip("/") in s) for s in info.services) for h in recorder.Recorder.hits
        )


LOAD_CASES = [
    ("LOAD <EVIL>", True),
    ("LOAD SILENT <EVIL> INTO GRAPH <http://g>", True),
    ("LOADex:x", True),
    ("LOADSILENT<EVIL>", True),
    ("LOAD silent:x", True),
    ("INSERT DATA { <http://s> <http://p> 'LOAD <EVIL>' }", False),
    ("INSERT DATA { <http://s> <http://p> <http://o> } # ; LOAD <EVIL>\n", False),
]


@pytest.mark.parametrize(("text", "contacts"), LOAD_CASES)
def test_load_detection_agrees_with_oxigraph(evil: str, text: str, contacts: bool) -> None:
    text = (ORACLE_PREFIXES + text).replace("EVIL", evil)
    assert recorder.contacts(ox.Store(), text, update=True) is contacts
    assert bool(scan_update(text).loads) is contacts


GRAPHS = ["http://g/1", "http://g/2", "http://g/3", "http://g/4", "http://g/%32", "http://g/g/2"]


def _dataset_store() -> ox.Store:
    """One triple per named graph, whose object is the graph's own IRI."""
    store = ox.Store()
    for g in GRAPHS:
        store.add(ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"), ox.Literal(g), ox.NamedNode(g)))
    return store


DATASET_CASES = [
    "SELECT * FROM <http://g/1> FROM NAMED <http://g/2> WHERE BODY",
    "SELECT*FROM<http://g/1>FROM<http://g/3>FROM NAMED<http://g/2>WHERE BODY",
    "PREFIX g: <http://g/> SELECT * FROMg:1 FROM NAMEDg:2 BODY",
    "PREFIX named: <http://g/> SELECT * FROM named:4 BODY",
    "PREFIX : <http://g/> SELECT * FROM named:4 BODY",
    "BASE <http://g/x> SELECT * FROM <1> FROM <./3> FROM NAMED <../g/2> FROM NAMED <../4> BODY",
    "SELECT ?o ?g (?o<'>' AS ?z) FROM <http://g/1> WHERE BODY",
    "SELECT * FROM <http://g/1> # FROM <http://g/2>\nWHERE BODY",
    "SELECT * WHERE BODY # FROM <http://g/2>",
    "SELECT * FROM <http://g/\\u0031> FROM NAMED <http://g/%32> BODY",
    "PREFIX from: <http://g/> SELECT * FROM from:3 BODY",
]


@pytest.mark.parametrize("template", DATASET_CASES)
def test_dataset_clauses_agree_with_oxigraph(template: str) -> None:
    body = "{ { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?x } } }"
    text = template.replace("BODY", body)
    rows = list(_dataset_store().query(text))
    default = {r["o"].value for r in rows if r["o"] is not None}
    named = {r["g"].value for r in rows if r["g"] is not None}
    info = scan_query(text)
    assert set(info.from_graphs) == default
    if info.from_graphs or info.from_named_graphs:
        assert set(info.from_named_graphs) == named


def test_construct_and_ask_datasets_agree_with_oxigraph() -> None:
    store = _dataset_store()
    for text in (
        "CONSTRUCT { ?s ?p ?o } FROM <http://g/2> FROM <http://g/3> WHERE { ?s ?p ?o }",
        "CONSTRUCT FROM <http://g/4> WHERE { ?s ?p ?o }",
    ):
        used = {t.object.value for t in store.query(text)}
        assert set(scan_query(text).from_graphs) == used
    ask = "PREFIX g: <http://g/> ASKFROMg:2{?s ?p 'http://g/2'}"
    assert bool(store.query(ask))
    assert scan_query(ask).from_graphs == ["http://g/2"]


UPDATE_WRITE_CASES = [
    "INSERT DATA { <http://s> <http://p> 9 }",
    "INSERT DATA { GRAPH <http://g/1> { <http://s> <http://p> 9 } }",
    "DELETE DATA { GRAPH <http://g/2> { <http://s> <http://p> 'http://g/2' } }",
    "DELETE WHERE { GRAPH ?g { ?s ?p 'http://g/3' } }",
    "WITH <http://g/1> DELETE { ?s ?p ?o } INSERT { GRAPH <http://g/2> { ?s ?p 7 } } WHERE { ?s ?p ?o }",
    "INSERT { ?s ?p ?o } WHERE { GRAPH <http://g/4> { ?s ?p ?o } }",
    "CLEAR GRAPH <http://g/1>",
    "DROP DEFAULT",
    "DROP NAMED",
    "CLEAR ALL",
    "COPY <http://g/1> TO <http://g/2>",
    "MOVE <http://g/3> TO DEFAULT",
    "ADD <http://g/4> TO <http://g/1>",
    "PREFIX : <http://g/> INSERTDATA{GRAPH:3{:s :p 5}}",
]


@pytest.mark.parametrize("text", UPDATE_WRITE_CASES)
def test_graphs_written_cover_what_oxigraph_changes(text: str) -> None:
    store = _dataset_store()
    store.add(ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"), ox.Literal("0")))

    def contents() -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for quad in store:
            name = "DEFAULT" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
            out.setdefault(name, set()).add(str(quad.triple))
        return out

    before = contents()
    store.update(text)
    after = contents()
    changed = {g for g in before.keys() | after.keys() if before.get(g) != after.get(g)}
    assert changed  # each case changes something, so the comparison below proves something
    written = set(scan_update(text).graphs_written)
    if "ALL" in written:
        return
    if "NAMED" in written or any(g.startswith("?") for g in written):  # GRAPH ?g may write any named graph
        changed &= {"DEFAULT"}
    assert changed <= written


# ------------------------------------------------------------------------------------------------
# The W3C test suites, against rdflib's parser


def _manifest_files(root: Path, query_types: set[str], update_types: set[str]) -> dict[str, str]:
    from rdflib import RDF, Graph, Namespace, URIRef

    mf = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
    qt = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
    ut = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
    found: dict[str, str] = {}
    for manifest in sorted(glob.glob(str(conformance_path(root) / "*" / "manifest.ttl"))):
        graph = Graph()
        graph.parse(manifest, format="turtle", publicID="file://" + manifest)
        for test, kind in graph.subject_objects(RDF.type):
            name = str(kind).rpartition("#")[2]
            if name not in query_types | update_types:
                continue
            for action in graph.objects(test, mf.action):
                for f in (action, *graph.objects(action, qt.query), *graph.objects(action, ut.request)):
                    if (
                        isinstance(f, URIRef)
                        and str(f).startswith("file://")
                        and str(f).endswith((".rq", ".ru"))
                    ):
                        found[str(f)[len("file://") :]] = "query" if name in query_types else "update"
    return found


def _rdflib_services(node: object, out: list[str]) -> list[str]:
    from rdflib import Variable
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
        term = node["term"]
        out.append(f"?{term}" if isinstance(term, Variable) else str(term))
    if isinstance(node, dict):
        for value in node.values():
            _rdflib_services(value, out)
    elif isinstance(node, list | tuple):
        for value in node:
            _rdflib_services(value, out)
    return out


@pytest.fixture(scope="module")
def sparql11() -> dict[str, str]:
    files = _manifest_files(
        TESTS / "sparql11",
        {"PositiveSyntaxTest11", "QueryEvaluationTest", "CSVResultFormatTest"},
        {"PositiveUpdateSyntaxTest11", "UpdateEvaluationTest"},
    )
    assert len(files) > 450
    return files


@pytest.fixture(autouse=True)
def _quiet_rdflib() -> Iterator[None]:
    logging.disable(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
    logging.disable(logging.NOTSET)


def test_sparql11_queries_agree_with_rdflib(sparql11: dict[str, str]) -> None:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    compared, differences, rdflib_failed = 0, [], []
    for path, kind in sorted(sparql11.items()):
        if kind != "query":
            continue
        text = conformance_path(path).read_text(encoding="utf-8")
        info = scan_query(text, base_iri="file://" + path)  # must not raise ScanError
        try:
            algebra = translateQuery(parseQuery(text), base="file://" + path).algebra
        except Exception:  # rdflib cannot parse a few of them (nested SERVICE)
            rdflib_failed.append(path)
            continue
        compared += 1
        dataset = algebra.get("datasetClause") or []
        expected = (
            algebra.name.removesuffix("Query").upper(),
            [str(d["default"]) for d in dataset if "default" in d],
            [str(d["named"]) for d in dataset if "named" in d],
            sorted(set(_rdflib_services(algebra, []))),
        )
        got = (info.form, info.from_graphs, info.from_named_graphs, sorted(info.services))
        if got != expected:
            differences.append((path, expected, got))
    print(f"\nSPARQL 1.1 queries: {compared} compared with rdflib, rdflib failed on {len(rdflib_failed)}")
    assert differences == []
    assert compared > 350
    assert len(rdflib_failed) < 5


def test_sparql11_federation_files_rdflib_cannot_parse() -> None:
    # rdflib fails on these two; the expected SERVICE targets are read from the files by hand.
    service = TESTS / "sparql11" / "service"
    info = scan_query(conformance_path(service / "service03.rq").read_text())
    assert (info.services, info.service_silent) == (
        ["http://example1.org/sparql", "http://example2.org/sparql"],
        False,
    )
    info = scan_query(conformance_path(service / "service06.rq").read_text())
    assert (info.services, info.service_silent) == (
        ["http://example1.org/sparql", "http://invalid.endpoint.org/sparql"],
        True,
    )


def test_sparql11_updates_agree_with_rdflib(sparql11: dict[str, str]) -> None:
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    names = {
        "InsertData": "INSERT DATA",
        "DeleteData": "DELETE DATA",
        "DeleteWhere": "DELETE WHERE",
        "Modify": "MODIFY",
        "Load": "LOAD",
        "Clear": "CLEAR",
        "Create": "CREATE",
        "Drop": "DROP",
        "Copy": "COPY",
        "Move": "MOVE",
        "Add": "ADD",
    }
    compared, differences = 0, []
    for path, kind in sorted(sparql11.items()):
        if kind != "update":
            continue
        text = conformance_path(path).read_text(encoding="utf-8")
        info = scan_update(text, base_iri="file://" + path)  # must not raise ScanError
        try:
            ops = translateUpdate(parseUpdate(text), base="file://" + path).algebra
        except Exception:
            continue
        compared += 1
        usings = [x for op in ops if op.name == "Modify" and "using" in op for x in op["using"]]
        expected = (
            [names[op.name] for op in ops],
            [str(op["iri"]) for op in ops if op.name == "Load"],
            [str(x["default"]) for x in usings if "default" in x],
            [str(x["named"]) for x in usings if "named" in x],
            sorted(_rdflib_services(ops, [])),
        )
        got = (info.operations, info.loads, info.using_graphs, info.using_named_graphs, sorted(info.services))
        if got != expected:
            differences.append((path, expected, got))
    print(f"\nSPARQL 1.1 updates: {compared} compared with rdflib")
    assert differences == []
    assert compared > 100


def test_sparql10_dataset_clauses_agree_with_rdflib() -> None:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    files = _manifest_files(TESTS / "sparql10", {"QueryEvaluationTest", "PositiveSyntaxTest"}, set())
    compared, with_from, differences = 0, 0, []
    for path in sorted(files):
        text = conformance_path(path).read_text(encoding="utf-8")
        info = scan_query(text, base_iri="file://" + path)
        try:
            algebra = translateQuery(parseQuery(text), base="file://" + path).algebra
        except Exception:
            continue
        compared += 1
        dataset = algebra.get("datasetClause") or []
        with_from += bool(dataset)
        expected = (
            [str(d["default"]) for d in dataset if "default" in d],
            [str(d["named"]) for d in dataset if "named" in d],
        )
        if (info.from_graphs, info.from_named_graphs) != expected:
            differences.append((path, expected, info))
    print(f"\nSPARQL 1.0 queries: {compared} compared, {with_from} with dataset clauses")
    assert differences == []
    assert with_from > 10

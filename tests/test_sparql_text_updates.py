"""Update requests the structure scanner follows only in part: what it still reports (every LOAD, the
graphs a template writes, the CLEAR or DROP of all graphs) is exact."""

from __future__ import annotations

import pytest

from coopgraph.sparql_text import scan_update

EVIL = "http://evil.example/x"


@pytest.mark.parametrize(
    "text",
    [
        f"CLEAR GRAPH ; LOAD SILENT <{EVIL}>",  # the first operation is not recognised: the rest is scanned
        f"CLEAR GRAPH ; LOAD <{EVIL}>",
        f"CLEAR DEFAULT LOAD <{EVIL}>",  # an operation followed by text that is not ";"
        f"INSERT DATA {{ }} LOAD SILENT <{EVIL}> INTO GRAPH <http://example.org/g>",
    ],
)
def test_a_load_in_text_that_is_not_recognised_is_still_reported(text: str) -> None:
    assert scan_update(text).loads == [EVIL]


@pytest.mark.parametrize(
    ("text", "clear_all"),
    [
        ("CLEAR ALL", [(0, 9, "CLEAR", "ALL", False)]),
        ("DROP SILENT NAMED", [(0, 17, "DROP", "NAMED", True)]),
        ("DROP  ALL ; CLEAR SILENT  ALL", [(0, 9, "DROP", "ALL", False), (12, 29, "CLEAR", "ALL", True)]),
        ("CLEAR DEFAULT", []),
        ("DROP SILENT DEFAULT", []),
        ("CLEAR GRAPH <http://example.org/g>", []),
    ],
)
def test_each_clear_or_drop_of_all_or_named_graphs_is_placed(
    text: str, clear_all: list[tuple[int, int, str, str, bool]]
) -> None:
    assert scan_update(text).clear_all == clear_all


@pytest.mark.parametrize("graph", ["GRAPHex:g", "GRAPH ex:g", "GRAPH<http://example.org/g>"])
def test_a_template_with_only_a_graph_block_writes_only_that_graph(graph: str) -> None:
    info = scan_update(f"PREFIX ex: <http://example.org/> INSERT DATA {{ {graph} {{ <x:s> <x:p> <x:o> }} }}")
    assert info.operations == ["INSERT DATA"]
    assert info.graphs_written == ["http://example.org/g"]


def test_a_triple_term_closing_right_before_a_brace_ends_where_it_ends() -> None:
    info = scan_update("INSERT DATA { <x:s> <x:p> <<( <x:a> <x:b> <x:c> )>>}; CLEAR GRAPH <x:g>")
    assert info.operations == ["INSERT DATA", "CLEAR"]
    assert info.graphs_written == ["DEFAULT", "x:g"]


def test_a_graph_block_after_an_annotation_is_written() -> None:
    """``{| … |}`` closes the annotation: the GRAPH block after it is at the template's own level."""
    info = scan_update(
        "INSERT DATA { <x:s> <x:p> <x:o> {| <x:q> <x:r> |} GRAPH <x:g> { <x:a> <x:b> <x:c> } }"
    )
    assert info.graphs_written == ["x:g", "DEFAULT"]


@pytest.mark.parametrize(
    ("text", "silent_loads"),
    [
        ("LOAD SILENT <x:a> INTO GRAPH <x:g>", [(0, 34)]),
        ("LOAD SILENT <x:a>", [(0, 17)]),
        ("LOAD <x:a> INTO GRAPH <x:g>", []),
    ],
)
def test_a_silent_load_is_placed_to_the_end_of_its_graph(
    text: str, silent_loads: list[tuple[int, int]]
) -> None:
    assert scan_update(text).silent_loads == silent_loads


def test_with_glued_to_its_graph_names_the_graph_written() -> None:
    info = scan_update("WITH<x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert info.with_graphs == ["x:g"]
    assert info.graphs_written == ["x:g"]


def test_an_iri_or_a_number_spelled_like_load_is_no_load() -> None:
    info = scan_update("BASE <http://example.org/> INSERT DATA { <LOAD> <x:p> <x:o> . <SILENT> <x:p> 1 }")
    assert info.operations == ["INSERT DATA"]
    assert info.loads == []


@pytest.mark.parametrize("first", ["", "CLEAR GRAPH ; "])  # recognised, or scanned as text not recognised
def test_silent_after_another_operation_than_load_is_no_load(first: str) -> None:
    info = scan_update(
        f"{first}ADD SILENT <x:a> TO <x:b> ; COPY SILENT <x:a> TO <x:c> ; MOVE SILENT <x:d> TO <x:e>"
    )
    assert info.loads == []


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("INSERT DATA { [ <x:p> <x:o> ] }", ["DEFAULT"]),
        ("INSERT { [ <x:p> ?o ] } WHERE { ?s <x:p> ?o }", ["DEFAULT"]),
        ("INSERT DATA { GRAPH <x:g> { <x:s> <x:p> <x:o> } [ <x:p> <x:o> ] }", ["x:g", "DEFAULT"]),
    ],
)
def test_a_template_of_one_blank_node_property_list_writes_the_default_graph(
    text: str, written: list[str]
) -> None:
    assert scan_update(text).graphs_written == written

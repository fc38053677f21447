"""The scanner at the edges a third mutation sample found untested: the line of an error in a text that
starts with a newline, keywords glued to the IRI after them (``INTO GRAPH<g>``, ``USING<g>``), a prefix
that only ends like ``SERVICE``, and ``GRAPH`` blocks glued to prefixed names in an update's data.
Each expectation is checked against Oxigraph where Oxigraph acts on the text."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from coopgraph.sparql_text import ScanError, scan_query, scan_update
from tests import http_recorder as recorder

A_TRIPLE = "<http://a.example/> <http://b.example/> <http://c.example/>"


def test_an_error_after_a_leading_newline_is_on_the_line_it_is_on() -> None:
    with pytest.raises(ScanError) as caught:
        scan_query('\nSELECT * WHERE { ?s ?p "open }')
    assert (caught.value.line, caught.value.column) == (2, 24)


def test_into_graph_glued_to_its_iri_is_the_end_of_a_silent_load() -> None:
    """The span of a LOAD SILENT is what the server removes from the text (it never fetches): its end is
    the end of the graph's IRI even with no space after GRAPH, as Oxigraph reads it."""
    text = "LOAD SILENT <http://x.example/> INTO GRAPH<http://g.example/>"
    info = scan_update(text)
    assert info.silent_loads == [(0, len(text))]
    assert info.graphs_written == ["http://g.example/"]


def test_using_glued_to_its_iri_is_a_using_clause() -> None:
    text = "DELETE { ?s ?p ?o } USING<http://u.example/> WHERE { ?s ?p ?o }"
    ox.Store().update(text)  # Oxigraph reads it
    assert scan_update(text).using_graphs == ["http://u.example/"]


def test_a_prefix_that_only_ends_like_service_is_no_service() -> None:
    """``GRAPHfooservice:x {`` is GRAPH glued to a name whose prefix ends like SERVICE: no service."""
    text = "PREFIX fooservice: <http://f.example/> SELECT * WHERE { GRAPHfooservice:x { ?s ?p ?o } }"
    ox.Store().query(text)
    assert scan_query(text).services == []


def test_the_default_graph_is_written_beside_glued_graph_blocks() -> None:
    """``GRAPHex:g { … }`` is a GRAPH block (Oxigraph reads the keyword glued to the name); one triple
    beside three such blocks is written to the default graph, and the scanner says so."""
    blocks = " ".join(f"GRAPHex:{g} {{ {A_TRIPLE} }}" for g in "ghi")
    text = f"PREFIX ex: <http://ex.example/> INSERT DATA {{ {blocks} {A_TRIPLE} }}"
    store = ox.Store()
    store.update(text)
    changed = {"DEFAULT" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value for q in store}
    assert sorted(scan_update(text).graphs_written) == sorted(changed)
    assert "DEFAULT" in changed


def test_in_text_not_recognised_only_a_name_starting_with_load_is_a_load() -> None:
    """After an operation the scanner does not know (``CLEAR GRAPH ;``), the rest is scanned as text:
    a prefixed name glued to LOAD is a load, other prefixed names are not."""
    info = scan_update("PREFIX ex: <http://ex/> CLEAR GRAPH ; INSERT DATA { ex:a ex:b ex:c } ; LOADex:x")
    assert info.loads == ["ex:x"]


def test_into_graph_glued_to_into_names_the_graph_written() -> None:
    """``INTOGRAPH<g>``: Oxigraph reads the keywords without a word boundary; the graph written is g."""
    text = "LOAD SILENT <http://x.example/> INTOGRAPH<http://g.example/>"
    info = scan_update(text)
    assert info.graphs_written == ["http://g.example/"]
    assert info.silent_loads == [(0, len(text))]


def test_a_string_right_after_less_than_is_read_whole(evil: str) -> None:
    """``BIND(?o<"a" …)``: the string after the operator is a string (a SERVICE after it is seen), as Oxigraph
    reads it: it calls the SERVICE."""
    store = ox.Store()
    text = f'SELECT * WHERE {{ VALUES ?o {{ 1 }} BIND(?o<"a" AS ?x) SERVICE <{evil}> {{}} ?s ?p "b" }}'
    assert recorder.contacts(store, text)
    assert scan_query(text).services == [evil]


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT*FROM<http://g.example/>WHERE{}", "SELECT"),
        ("SELECT DISTINCT*FROM<http://g.example/>WHERE{}", "SELECT"),
        ("SELECT REDUCED ?s FROM <http://g.example/> WHERE{ ?s ?p ?o }", "SELECT"),
        ("SELECT?s FROM <http://g.example/> WHERE{ ?s ?p ?o }", "SELECT"),
        ("CONSTRUCT FROM <http://g.example/> WHERE{ ?s ?p ?o }", "CONSTRUCT"),
        ("CONSTRUCT{}FROM<http://g.example/>WHERE{}", "CONSTRUCT"),
    ],
)
def test_glued_query_forms_keep_their_dataset(text: str, form: str) -> None:
    """Each form with its keywords glued to what follows, as Oxigraph accepts it: the whole query is read
    as that form (not by the fallback scan) with its FROM graph and its depth."""
    ox.Store().query(text)
    info = scan_query(text)
    assert (info.form, info.from_graphs, info.depth) == (form, ["http://g.example/"], 1)


@pytest.mark.parametrize(
    "pattern",
    ["<< ?s ?p ?o >> ?q ?r .", "?x ?q <<( ?s ?p ?o )>> .", "?s ?p ?o {| ?q ?r |} .", "?s ?p ?o {|?q ?r|}."],
)
def test_a_service_after_rdf_1_2_terms_is_seen(pattern: str) -> None:
    """Reifiers, triple terms and annotations (RDF 1.2, which Oxigraph reads) close where Oxigraph closes
    them: the SERVICE after them is seen, and the depth is theirs."""
    text = f"SELECT * WHERE {{ {pattern} SERVICE <http://s.example/> {{}} }}"
    ox.Store().query(text.replace("SERVICE <http://s.example/> {}", ""))  # Oxigraph reads the rest
    info = scan_query(text)
    assert (info.services, info.depth) == (["http://s.example/"], 2)


def test_using_named_without_an_iri_ends_the_scan() -> None:
    """The scanner ends on any text, here one Oxigraph refuses (it is scanned before Oxigraph sees it)."""
    info = scan_update("DELETE { ?s ?p ?o } USING NAMED 1 WHERE { ?s ?p ?o }")
    assert info.using_named_graphs == []

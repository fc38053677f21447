"""SPARQL errors that teach, as Oxigraph's errors come out of a real store, on the HTTP endpoint (the
query page shows the 400's body) and on the command line: the same text."""

from __future__ import annotations

import pyoxigraph
import pytest
import requests

from coopgraph.iris import QUERY_PREFIXES
from coopgraph.sparql_errors import expected_in_words, explain, undeclared_prefixes
from tests.conftest import Server, coopgraph


def oxigraph_error(text: str) -> SyntaxError:
    with pytest.raises(SyntaxError) as caught:
        pyoxigraph.Store().query(text)
    return caught.value


def test_an_undeclared_prefix_is_named_with_the_prefix_line_to_add() -> None:
    text = "SELECT ?s WHERE {\n  ?s a cg:Agreement\n}"
    error = oxigraph_error(text)
    message = explain(text, error)
    assert message.startswith("prefix `cg:` is not declared (line 2, column 8)")
    assert "\n    ?s a cg:Agreement\n         ^\n" in message
    assert message.endswith(f"add this line at the top of the query:\n  PREFIX cg: <{QUERY_PREFIXES['cg']}>")
    assert "\\u{" not in message and len(message) < 300  # no list of Unicode ranges
    # one the project does not know: declared by the user, the project's prefixes listed
    other = explain("SELECT * WHERE { ?s a foo:Bar }", oxigraph_error("SELECT * WHERE { ?s a foo:Bar }"))
    assert "prefix `foo:` is not declared" in other and "PREFIX foo: <namespace IRI>" in other
    assert "cg:" in other


def test_prefixes_in_strings_iris_and_comments_are_not_uses() -> None:
    text = 'PREFIX ex: <http://e/>\nSELECT * WHERE { ?s <http://x/a:b> "no:pe" ; ex:p ?o } # cg:x'
    assert undeclared_prefixes(text) == []
    assert undeclared_prefixes("SELECT * WHERE { ?s a cg:A ; cgr:b ?o }") == [("cg", 22), ("cgr", 29)]


def test_a_syntax_error_shows_the_line_a_caret_and_what_was_expected_in_words() -> None:
    text = "SELECT ?x WHERE { ?x ?p ?o }\nORDER ?x"
    message = explain(text, oxigraph_error(text))
    line, shown, caret = message.split("\n")
    assert line.startswith("line 2, column ") and "expected the keyword BY" in line
    column = int(line.split("column ")[1].split(":")[0])
    assert shown == "  ORDER ?x" and caret == "  " + " " * (column - 1) + "^"
    unfinished = "SELECT * WHERE { ?s ?p ?o "
    words = explain(unfinished, oxigraph_error(unfinished))
    assert "`.` (the end of a triple pattern)" in words and "`}` (the end of the group)" in words
    assert "[_]" not in words
    assert "a query starts with one of them" in explain("SELEC * {}", oxigraph_error("SELEC * {}"))
    assert expected_in_words("one of ABS, AVG, STR, [_]").startswith("an expression")
    assert expected_in_words("IRI parsing failed").startswith("a valid absolute IRI")


def test_an_update_as_a_query_is_sent_where_updates_go() -> None:
    text = "PREFIX ex: <http://e/>\nINSERT DATA { ex:a ex:b ex:c }"
    assert "this is an update, not a query: send it with POST to /update" in explain(
        text, oxigraph_error(text)
    )


def test_the_endpoint_and_the_command_line_say_the_same(server: Server) -> None:
    for text in ("SELECT * WHERE { ?s a cg:Agreement }", "SELECT ?x WHERE { ?x ?p ?o } ORDER ?x"):
        r = requests.get(server.url + "/sparql", params={"query": text})
        assert r.status_code == 400
        expected = explain(text, oxigraph_error(text))
        assert r.text == f"the query is not valid SPARQL: {expected}\n"
        cli = coopgraph("query", text, store=server.store)
        assert cli.returncode == 6
        assert cli.stderr.strip() == f"error: the query is not valid SPARQL: {expected}"


def test_an_update_sent_to_sparql_is_told_to_use_update(server: Server) -> None:
    update = "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }"
    as_query = requests.get(server.url + "/sparql", params={"query": update})
    assert as_query.status_code == 400 and "send it with POST to /update" in as_query.text
    as_form = requests.post(server.url + "/sparql", data={"update": update})
    assert as_form.status_code in (400, 405) and "/update" in as_form.text
    as_body = requests.post(
        server.url + "/sparql", data=update, headers={"Content-Type": "application/sparql-update"}
    )
    assert as_body.status_code in (400, 405, 415) and "/update" in as_body.text
    cli = coopgraph("query", update, store=server.store)
    assert cli.returncode == 6 and "coopgraph ingest" in cli.stderr and "/update" in cli.stderr


def test_an_update_with_an_undeclared_prefix_is_told_so(server: Server) -> None:
    r = requests.post(
        server.url + "/update",
        data="INSERT DATA { GRAPH <https://w3id.org/coopgraph/graph/data/x> { cgr:a cg:b 1 } }",
        headers={**server.auth, "Content-Type": "application/sparql-update"},
    )
    assert r.status_code == 400
    assert "prefix `cgr:` is not declared" in r.text and f"PREFIX cgr: <{QUERY_PREFIXES['cgr']}>" in r.text

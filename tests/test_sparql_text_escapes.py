"""An IRI escape ``\\uXXXX`` that decodes to a surrogate (U+D800 to U+DFFF) makes no IRI, for the scanner
as for Oxigraph; the code points just outside that range do."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from coopgraph.sparql_text import scan_query


def oxigraph_reads(text: str) -> bool:
    try:
        list(ox.Store().query(text))  # type: ignore[arg-type]
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize(
    ("escape", "valid"), [("D7FF", True), ("D800", False), ("DBFF", False), ("DFFF", False)]
)
def test_a_surrogate_escape_in_an_iri_makes_no_iri(escape: str, valid: bool) -> None:
    text = f"SELECT * FROM <http://example.org/\\u{escape}> WHERE {{}}"
    assert oxigraph_reads(text) is valid
    expected = [f"http://example.org/{chr(int(escape, 16))}"] if valid else []
    assert scan_query(text).from_graphs == expected

"""The dataset clauses of ``DESCRIBE *``, which the server applies itself."""

from __future__ import annotations

from coopgraph.sparql_text import scan_query

G = "http://example.org/g"


def test_describe_star_has_its_dataset_clauses_read() -> None:
    assert scan_query(f"DESCRIBE * FROM <{G}> WHERE {{ ?s ?p ?o }}").from_graphs == [G]
    assert scan_query(f"DESCRIBE * FROM NAMED <{G}> {{ }}").from_named_graphs == [G]
    assert scan_query(f"DESCRIBE*FROM<{G}>{{}}").from_graphs == [G]

"""``SERVICE silent:x`` is ``SERVICE SILENT :x`` to Oxigraph (it tries the keyword first), but only
for a prefix spelled ``silent``: every other prefix names the service it reads as."""

from __future__ import annotations

import pytest

from coopgraph.sparql_text import scan_query

EVIL, GOOD = "http://evil.example/", "http://good.example/"
PROLOGUE = f"PREFIX : <{EVIL}> PREFIX abcdef: <{GOOD}a/> PREFIX zzzzzz: <{GOOD}z/> PREFIX silent: <{GOOD}s/> "


@pytest.mark.parametrize(
    ("pattern", "services", "silent"),
    [
        ("SERVICE abcdef:y {}", [f"{GOOD}a/y"], False),  # sorts before "silent"
        ("SERVICE zzzzzz:y {}", [f"{GOOD}z/y"], False),  # sorts after "silent"
        ("SERVICEabcdef:y {}", [f"{GOOD}a/y"], False),
        ("SERVICE silent:y {}", [f"{EVIL}y"], True),
        ("SERVICE SILENT:y {}", [f"{EVIL}y"], True),
        ("SERVICE SILENT silent:y {}", [f"{GOOD}s/y"], True),  # the keyword is there: silent: is the prefix
        ("SERVICE <silent:y> {}", ["silent:y"], False),  # an IRI of the scheme silent
    ],
)
def test_only_the_prefix_silent_reads_as_the_keyword(pattern: str, services: list[str], silent: bool) -> None:
    info = scan_query(f"{PROLOGUE}SELECT * {{ {pattern} }}")
    assert info.services == services
    assert info.service_silent is silent

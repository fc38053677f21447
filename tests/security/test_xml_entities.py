"""XML that declares entities is refused before any parser sees it: a few hundred bytes of nested
entities ("billion laughs") expand to gigabytes, and an external DTD is a request to fetch a URL.

Every case goes through the real ``coopgraph ingest`` (bad input, exit 3, the file and line named,
the store unchanged) and, for the bodies the server accepts, through ``PUT /graphs`` (400).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from coopgraph.cli import exits
from coopgraph.xml_guard import check_bytes
from tests.conftest import Server, coopgraph

RDF_HEAD = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
)
BODY = (
    '  <rdf:Description rdf:about="http://example.org/x"><ex:p>{text}</ex:p></rdf:Description>\n</rdf:RDF>\n'
)


def billion_laughs() -> str:
    """Ten levels of ten references each: 10^9 copies of "lol" from about 600 bytes."""
    names = "abcdefghij"
    entities = ['<!ENTITY a "lol">']
    for level in range(1, 10):
        entities.append(f'<!ENTITY {names[level]} "' + f"&{names[level - 1]};" * 10 + '">')
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
        + "\n".join(entities)
        + "\n]>\n"
        + RDF_HEAD
        + BODY.format(text="&j;")
    )


EXTERNAL_DTD = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
    + RDF_HEAD
    + BODY.format(text="x")
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!-- a comment <!ENTITY in a comment is no declaration -->\n'
    '<!DOCTYPE rdf:RDF [\n  <!ELEMENT rdf:RDF ANY>\n  <!ENTITY secret SYSTEM "file:///etc/passwd">\n]>\n'
    + RDF_HEAD
    + BODY.format(text="&secret;")
)
#: A DOCTYPE with neither entities nor an external subset is harmless and still read.
PLAIN_DOCTYPE = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ATTLIST ex:p note CDATA "a"> ]>\n'
    + RDF_HEAD
    + BODY.format(text="plain")
)


def test_the_billion_laughs_file_is_small() -> None:
    assert 500 < len(billion_laughs().encode()) < 700


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (billion_laughs(), 3, "entity"),
        (EXTERNAL_DTD, 2, "external DTD"),
        (EXTERNAL_ENTITY, 5, "entity"),
    ],
    ids=["billion-laughs", "external-dtd", "external-entity"],
)
def test_ingest_refuses_entity_declarations(
    store_copy: Path, tmp_path: Path, text: str, line: int, words: str
) -> None:
    path = tmp_path / "laughs.rdf"
    path.write_text(text, encoding="utf-8")
    before = coopgraph("export", "--format", "nquads", store=store_copy, check=True).stdout

    result = coopgraph("ingest", str(path), store=store_copy)

    assert result.returncode == exits.BAD_INPUT, result.stderr
    assert f"{path}:{line}:" in result.stderr
    assert words in result.stderr
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert coopgraph("export", "--format", "nquads", store=store_copy, check=True).stdout == before


def test_a_doctype_without_entities_is_still_read(store_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "plain.rdf"
    path.write_text(PLAIN_DOCTYPE, encoding="utf-8")
    result = coopgraph("ingest", str(path), store=store_copy)
    assert result.returncode == exits.OK, result.stderr
    found = coopgraph(
        "query", "ASK { <http://example.org/x> ?p 'plain' }", "--format", "json", store=store_copy
    )
    assert json.loads(found.stdout)["boolean"] is True


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be"], ids=["utf16-bom", "utf16le", "utf16be"]
)
def test_the_guard_reads_utf16_too(encoding: str) -> None:
    text = billion_laughs().replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    refusal = check_bytes(text.encode(encoding))
    assert refusal is not None
    assert refusal.line == 3


def test_the_guard_streams_a_long_prolog_and_stops_at_the_root() -> None:
    comment = "<!-- " + "x" * (3 << 20) + " -->\n"
    late = '<?xml version="1.0"?>\n' + comment + '<!DOCTYPE r [ <!ENTITY e "e"> ]>\n<r>&e;</r>'
    refusal = check_bytes(late.encode())
    assert refusal is not None and refusal.line == 3
    # A quoted "]>" inside a declaration does not end the internal subset.
    quoted = '<!DOCTYPE r [\n<!ATTLIST r n CDATA "]>">\n<!ENTITY e "e">\n]>\n<r>&e;</r>'
    refusal = check_bytes(quoted.encode())
    assert refusal is not None and refusal.line == 3
    # After the root element starts, text is the parser's business: "<!ENTITY" there is no declaration.
    assert check_bytes(b"<r><![CDATA[<!ENTITY e 'e'>]]></r>") is None


def test_put_graphs_refuses_entities(writable_server: Server) -> None:
    graph = "http://example.org/graph/laughs"
    before = requests.get(
        writable_server.url + "/graphs", headers={"Accept": "application/n-quads"}, timeout=30
    ).text
    response = requests.put(
        writable_server.url + "/graphs",
        params={"graph": graph},
        data=billion_laughs().encode(),
        headers={**writable_server.auth, "Content-Type": "application/rdf+xml"},
        timeout=60,
    )
    assert response.status_code == 400, response.text
    assert "request body:3:" in response.text and "entity" in response.text
    after = requests.get(
        writable_server.url + "/graphs", headers={"Accept": "application/n-quads"}, timeout=30
    ).text
    assert after == before

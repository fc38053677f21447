"""The store's past over HTTP, on a real server: Memento (RFC 7089) for a resource written, then changed
(TimeMap, TimeGate, mementos and their headers), a query at an earlier version (``/sparql?at-version=``)
against the rows the store gave then, and the message of a write kept with its version."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote

import requests

from tests.conftest import Server

BASE = "https://w3id.org/coopgraph/"
THING = BASE + "id/test/memento-thing"
PATH = "id/test/memento-thing"
GRAPH = BASE + "graph/data/memento-things"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
NAMES = f"SELECT ?name WHERE {{ <{THING}> <{LABEL}> ?name }} ORDER BY ?name"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
LINK = re.compile(r'<([^>]*)>\s*;\s*rel="([^"]*)"')


def links(header: str) -> dict[str, str]:
    """rel -> target of a Link header (each rel of a space-separated list)."""
    found: dict[str, str] = {}
    for target, rels in LINK.findall(header):
        for rel in rels.split():
            found.setdefault(rel, target)
    return found


def rows(server: Server, query: str, **params: str) -> list[dict]:
    answer = requests.get(
        f"{server.url}/sparql",
        params={"query": query, **params},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]["bindings"]


def update(server: Server, text: str, headers: dict[str, str] | None = None, **params: str) -> None:
    done = requests.post(
        f"{server.url}/update",
        params=params,
        data={"update": text},
        headers={**server.auth, **(headers or {})},
        timeout=60,
    )
    assert done.status_code == 204, done.text


def newest(server: Server) -> dict:
    return requests.get(f"{server.url}/history", timeout=30).json()["versions"][0]


def test_a_resource_changed_has_mementos_with_the_old_description(writable_server: Server) -> None:
    url = writable_server.url
    message = "first name, đầu tiên"
    update(
        writable_server,
        f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{THING}> <{LABEL}> "Old name"@en }} }}',
        headers={"X-Coopgraph-Message": quote(message)},
    )
    first = newest(writable_server)
    assert first["message"] == message
    names_then, count_then = rows(writable_server, NAMES), rows(writable_server, COUNT)
    time.sleep(1.1)  # HTTP dates have whole seconds: the second version falls in a later one
    update(
        writable_server,
        f'DELETE DATA {{ GRAPH <{GRAPH}> {{ <{THING}> <{LABEL}> "Old name"@en }} }};'
        f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{THING}> <{LABEL}> "New name"@en }} }}',
        message="renamed",
    )
    second = newest(writable_server)
    assert second["number"] == first["number"] + 1 and second["message"] == "renamed"
    listed = requests.get(f"{url}/history", headers={"Accept": "text/html"}, timeout=30).text
    assert "renamed" in listed and "đầu tiên" in listed

    # a query at the first version gives the rows the store gave then; without it, the rows now
    assert rows(writable_server, NAMES, **{"at-version": str(first["number"])}) == names_then
    assert rows(writable_server, COUNT, **{"at-version": str(first["number"])}) == count_then
    assert [r["name"]["value"] for r in names_then] == ["Old name"]
    assert [r["name"]["value"] for r in rows(writable_server, NAMES)] == ["New name"]

    # the original links to its TimeGate and TimeMap
    original = requests.get(f"{url}/{PATH}", headers={"Accept": "text/turtle"}, timeout=30)
    assert original.status_code == 200
    assert links(original.headers["Link"])["timegate"] == f"{url}/timegate/{PATH}"
    assert links(original.headers["Link"])["timemap"] == f"{url}/timemap/{PATH}"
    page = requests.get(f"{url}/{PATH}", headers={"Accept": "text/html"}, timeout=30).text
    assert f'rel="timemap" href="{url}/timemap/{PATH}"' in page

    # the TimeMap (RFC 7089 section 5): original, self, timegate, one memento a version that changed it
    timemap = requests.get(f"{url}/timemap/{PATH}", timeout=30)
    assert timemap.headers["Content-Type"].startswith("application/link-format")
    entries = LINK.findall(timemap.text)
    assert (f"{url}/{PATH}", "original") in entries and (f"{url}/timegate/{PATH}", "timegate") in entries
    assert (f"{url}/timemap/{PATH}", "self") in entries
    mementos = [(t, r) for t, r in entries if "memento" in r.split()]
    assert mementos == [
        (f"{url}/memento/{first['number']}/{PATH}", "first memento"),
        (f"{url}/memento/{second['number']}/{PATH}", "last memento"),
    ]
    dates = re.findall(r'datetime="([^"]+)"', timemap.text)
    first_time = datetime.fromisoformat(first["time"])
    assert parsedate_to_datetime(dates[0]) == first_time.replace(microsecond=0)
    as_json = requests.get(f"{url}/timemap/{PATH}", headers={"Accept": "application/json"}, timeout=30)
    assert [m["uri"] for m in as_json.json()["mementos"]["list"]] == [t for t, _ in mementos]

    # the TimeGate: 302 to the memento as it stood at the time asked, Vary, Link to original and TimeMap
    asked = format_datetime(first_time.astimezone(UTC), usegmt=True)
    gate = requests.get(
        f"{url}/timegate/{PATH}", headers={"Accept-Datetime": asked}, allow_redirects=False, timeout=30
    )
    assert gate.status_code == 302
    assert gate.headers["Location"] == f"{url}/memento/{first['number']}/{PATH}"
    assert gate.headers["Vary"].lower() == "accept-datetime"
    assert links(gate.headers["Link"])["original"] == f"{url}/{PATH}"
    assert links(gate.headers["Link"])["timemap"] == f"{url}/timemap/{PATH}"
    earlier = format_datetime(first_time.astimezone(UTC) - timedelta(days=400), usegmt=True)
    before = requests.get(
        f"{url}/timegate/{PATH}", headers={"Accept-Datetime": earlier}, allow_redirects=False, timeout=30
    )
    assert before.headers["Location"] == f"{url}/memento/{first['number']}/{PATH}"  # the first
    latest = requests.get(f"{url}/timegate/{PATH}", allow_redirects=False, timeout=30)
    assert latest.headers["Location"] == f"{url}/memento/{second['number']}/{PATH}"
    bad = requests.get(f"{url}/timegate/{PATH}", headers={"Accept-Datetime": "yesterday"}, timeout=30)
    assert bad.status_code == 400

    # the memento: the old description, Memento-Datetime, Link to original, TimeGate and TimeMap
    old = requests.get(gate.headers["Location"], headers={"Accept": "text/turtle"}, timeout=30)
    assert old.status_code == 200, old.text
    assert '"Old name"@en' in old.text and "New name" not in old.text
    assert parsedate_to_datetime(old.headers["Memento-Datetime"]) == first_time.replace(microsecond=0)
    found = links(old.headers["Link"])
    assert found["original"] == f"{url}/{PATH}" and found["timegate"] == f"{url}/timegate/{PATH}"
    assert found["timemap"] == f"{url}/timemap/{PATH}"
    new = requests.get(latest.headers["Location"], headers={"Accept": "application/n-triples"}, timeout=30)
    assert f'<{THING}> <{LABEL}> "New name"@en .' in new.text and "Old name" not in new.text
    old_page = requests.get(gate.headers["Location"], headers={"Accept": "text/html"}, timeout=30)
    assert "Old name" in old_page.text and f"version {first['number']}" in old_page.text

    # the query worker refuses what it cannot rebuild
    missing = requests.get(f"{url}/sparql", params={"query": NAMES, "at-version": "999"}, timeout=30)
    assert missing.status_code == 404
    wrong = requests.get(f"{url}/sparql", params={"query": NAMES, "at-version": "two"}, timeout=30)
    assert wrong.status_code == 400
    assert requests.get(f"{url}/memento/999/{PATH}", timeout=30).status_code == 404


def test_a_message_on_graph_store_writes_is_kept(writable_server: Server) -> None:
    url = writable_server.url
    put = requests.put(
        f"{url}/graphs",
        params={"graph": GRAPH, "message": "from the partners' sheet"},
        data=f'<{THING}> <{LABEL}> "Put"@en .'.encode(),
        headers={**writable_server.auth, "Content-Type": "text/turtle"},
        timeout=60,
    )
    assert put.status_code in (201, 204), put.text
    assert newest(writable_server)["message"] == "from the partners' sheet"
    deleted = requests.delete(
        f"{url}/graphs",
        params={"graph": GRAPH},
        headers={**writable_server.auth, "X-Coopgraph-Message": "dropped"},
        timeout=60,
    )
    assert deleted.status_code == 204, deleted.text
    assert newest(writable_server)["message"] == "dropped"
    twice = requests.delete(
        f"{url}/graphs",
        params={"graph": GRAPH, "message": "a"},
        headers={**writable_server.auth, "X-Coopgraph-Message": "b"},
        timeout=60,
    )
    assert twice.status_code == 400


def test_a_memento_holds_the_blank_nodes_of_its_time(writable_server: Server) -> None:
    """A change inside a blank node the resource reaches (not a statement about the resource itself):
    the memento before it shows the old value, the one after it the new."""
    note = "http://e.org/note"
    text = "http://e.org/text"
    update(
        writable_server, f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{THING}> <{note}> [ <{text}> "draft" ] }} }}'
    )
    before = newest(writable_server)["number"]
    update(
        writable_server,
        f'DELETE {{ GRAPH <{GRAPH}> {{ ?b <{text}> "draft" }} }} '
        f'INSERT {{ GRAPH <{GRAPH}> {{ ?b <{text}> "final" }} }} '
        f"WHERE {{ GRAPH <{GRAPH}> {{ <{THING}> <{note}> ?b }} }}",
    )
    after = newest(writable_server)["number"]
    assert after == before + 1
    for number, shown, hidden in ((before, "draft", "final"), (after, "final", "draft")):
        memento = requests.get(
            f"{writable_server.url}/memento/{number}/{PATH}",
            headers={"Accept": "application/n-quads"},
            timeout=30,
        )
        assert memento.status_code == 200, memento.text
        assert f'<{text}> "{shown}"' in memento.text and hidden not in memento.text

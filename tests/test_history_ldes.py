"""The Linked Data Event Stream, on a real server, replicated by the real ``ldes-client`` (npm, rdf-connect;
``make ldes-client`` installs it): after enough versions to close the first page, the client follows the
TREE relation, and the newest member of each resource holds exactly the statements the store holds about
it now, for every institution, agreement, programme and event; closed pages are immutable, the last open.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
import requests
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse

from server.http.ldes_routes import PAGE_VERSIONS
from tests.conftest import PROJECT, Server

BASE = "https://w3id.org/coopgraph/"
TREE = "https://w3id.org/tree#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
VERSION_OF = "http://purl.org/dc/terms/isVersionOf"
TIMESTAMP = "http://www.w3.org/ns/prov#generatedAtTime"
NOTE = "http://purl.org/dc/terms/description"
GRAPH = BASE + "graph/data/ldes-notes"
FOLLOWED = f"""SELECT DISTINCT ?r WHERE {{
  VALUES ?class {{ <http://www.w3.org/ns/org#Organization> <{BASE}ontology#Agreement>
                  <{BASE}ontology#CooperationActivity> <http://schema.org/Event> }}
  ?r a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?class FILTER STRSTARTS(STR(?r), "{BASE}id/")
}}"""
STATEMENTS = "SELECT ?r ?p ?o WHERE { GRAPH ?g { ?r ?p ?o } VALUES ?r { %s } }"


def ldes_client_command() -> str:
    """The ``ldes-client`` command (``make ldes-client`` installs it into .venv/ldes-client; ``LDES_CLIENT``
    names another); the test fails, saying so, without it."""
    for candidate in (
        os.environ.get("LDES_CLIENT"),
        str(PROJECT / ".venv" / "ldes-client" / "node_modules" / ".bin" / "ldes-client"),
        shutil.which("ldes-client"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("ldes-client is not installed: run 'make ldes-client' (make test does)", pytrace=False)


def select(server: Server, query: str) -> list[dict]:
    answer = requests.get(
        f"{server.url}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]["bindings"]


def term(binding: dict) -> object:
    if binding["type"] == "uri":
        return NamedNode(binding["value"])
    if binding["type"] == "bnode":
        return None  # blank nodes are compared by the statements that lead to them: not here
    if "xml:lang" in binding:
        return Literal(binding["value"], language=binding["xml:lang"])
    return Literal(binding["value"], datatype=NamedNode(binding.get("datatype", f"{XSD}string")))


def test_the_client_replicates_the_stream_to_what_the_store_holds(writable_server: Server) -> None:
    url = writable_server.url
    resources = sorted(r["r"]["value"] for r in select(writable_server, FOLLOWED))
    assert len(resources) > 10
    changed = next(r for r in resources if "/agreement/" in r)
    for n in range(PAGE_VERSIONS):  # the seed is version 1: these close the first page
        done = requests.post(
            f"{url}/update",
            data={"update": f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{changed}> <{NOTE}> "note {n}"@en }} }}'},
            headers=writable_server.auth,
            timeout=60,
        )
        assert done.status_code == 204, done.text
    versions = requests.get(f"{url}/history", params={"limit": 500}, timeout=30).json()["versions"]
    assert len(versions) == PAGE_VERSIONS + 1

    # the TREE structure: page 1 closed (immutable, a relation to page 2 at its first version's time)
    first = requests.get(f"{url}/ldes/1", headers={"Accept": "application/n-triples"}, timeout=120)
    assert first.status_code == 200 and "immutable" in first.headers["Cache-Control"]
    triples = list(parse(first.content, format=RdfFormat.N_TRIPLES))
    relations = [t.object for t in triples if t.predicate == NamedNode(TREE + "relation")]
    assert len(relations) == 1
    about = {(t.predicate.value, t.object) for t in triples if t.subject == relations[0]}
    newest_time = next(v["time"] for v in versions if v["number"] == PAGE_VERSIONS + 1)
    assert (TREE + "node", NamedNode(f"{url}/ldes/2")) in about
    assert (TREE + "path", NamedNode(TIMESTAMP)) in about
    assert (RDF_TYPE, NamedNode(TREE + "GreaterThanOrEqualToRelation")) in about
    value = next(o for p, o in about if p == TREE + "value")
    assert datetime.fromisoformat(value.value) == datetime.fromisoformat(newest_time)
    last = requests.get(f"{url}/ldes/2", headers={"Accept": "application/n-triples"}, timeout=60)
    assert last.headers["Cache-Control"] == "no-cache"
    assert not [
        t for t in parse(last.content, format=RdfFormat.N_TRIPLES) if t.predicate.value == TREE + "relation"
    ]
    assert requests.get(f"{url}/ldes/3", timeout=30).status_code == 404

    # the real client, from the stream's URL
    done = subprocess.run(
        [ldes_client_command(), f"{url}/ldes"], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    members: dict[str, list[tuple[datetime, NamedNode]]] = {}
    statements: dict[NamedNode, set[tuple[str, object]]] = {}
    for t in parse(done.stdout.encode(), format=RdfFormat.N_TRIPLES):
        if isinstance(t.subject, NamedNode):
            statements.setdefault(t.subject, set()).add((t.predicate.value, t.object))
    for member, said in statements.items():
        if not any(p == VERSION_OF for p, _ in said):
            continue
        original = next(o.value for p, o in said if p == VERSION_OF)
        when = next(datetime.fromisoformat(o.value) for p, o in said if p == TIMESTAMP)
        members.setdefault(original, []).append((when, member))
    assert sorted(members) == resources  # every institution, agreement, programme and event; no other
    assert len(members[changed]) == PAGE_VERSIONS + 1  # the seed's version, then each note

    # the newest member of each resource says what the store says about it now
    now: dict[str, set[tuple[str, object]]] = {r: set() for r in resources}
    for start in range(0, len(resources), 50):
        chunk = " ".join(f"<{r}>" for r in resources[start : start + 50])
        for row in select(writable_server, STATEMENTS % chunk):
            obj = term(row["o"])
            if obj is not None:
                now[row["r"]["value"]].add((row["p"]["value"], obj))
    for original, found in members.items():
        newest = max(found, key=lambda pair: pair[0])[1]
        said = {
            (p, o)
            for p, o in statements[newest]
            if p not in (VERSION_OF, TIMESTAMP) and not isinstance(o, BlankNode)
        }
        assert said == now[original], original

"""The remote store beyond the protocol tests (which run on it through ``tests/test_store_protocol.py``):
ingest and its validation gate on a SPARQL server, a writer killed at random moments and the recovery
on the next open, old versions collected, and credentials kept out of reprs and messages.

The servers are real (tests/remote_servers.py): Oxigraph server and Virtuoso on loopback ports.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import rdflib
import requests
from pyoxigraph import BlankNode, Literal, RdfFormat, parse

from coopgraph.settings import Settings, load_settings
from coopgraph.store import Store, StoreMissing, open_store
from coopgraph.store.remote import CONTROL, VERSION
from coopgraph.store.remote_http import Endpoints, RemoteError
from coopgraph.store.sparql_rewrite import bind_values, rewrite_graphs, route_update
from ingest.batch import BatchRejected, run
from ingest.sources import discover
from tests import remote_servers
from tests.conftest import COOPGRAPH, PROJECT, Server, coopgraph, start_server
from tests.test_ingest_batches import SHAPES, data_graph, things, write
from tests.test_store_protocol import G1, ntriples, values

SERVERS = ["oxigraph", "virtuoso"]


def server_state(running: remote_servers.SparqlServer) -> list[str]:
    """Every quad on the server but in the control graph, as text, sorted (what a reader could see)."""
    rows = running.select(
        "SELECT (CONCAT(STR(?g), ' ', STR(?s), ' ', STR(?p), ' ', STR(?o)) AS ?q) "
        f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{CONTROL}>) }}"
    )
    return sorted(r for r in rows if not r.startswith(("http://www.openlinksw.com/", "http://localhost:")))


def copies_left(running: remote_servers.SparqlServer) -> set[str]:
    """Version graphs on the server that no generation reads: a transaction's copies."""
    versions = {g for g in running.graphs() if g.startswith(VERSION)}
    read = running.select(f"SELECT ?at WHERE {{ GRAPH <{CONTROL}> {{ ?e <urn:x-coopgraph:at> ?at }} }}")
    return versions - set(read)


@pytest.mark.parametrize("name", SERVERS)
def test_ingest_and_its_gate_on_a_remote_store(name: str, tmp_path: Path) -> None:
    running = remote_servers.server(name)
    store = running.open(tmp_path / "root")
    try:
        shapes = write(tmp_path / "shapes" / "things.ttl", SHAPES)
        run(store, discover([shapes], role="shapes")[0])
        good = write(tmp_path / "data" / "things.ttl", things("hanoi", "hue", partner={"hue": "hanoi"}))
        result = run(store, discover([good])[0])
        graph = data_graph("things.ttl")
        triples = len(list(parse(path=str(good), format=RdfFormat.TURTLE)))
        assert [g.triples for g in result.loaded] == [triples]
        assert store.records()[graph].triples == triples
        assert result.report is not None and result.report.findings == [] and result.report.counts == {}
        before, generation = server_state(running), store.generation

        # a partner that is no thing, and a thing with no name: rejected, the server unchanged
        write(good, things("hanoi", "hue", partner={"hue": "nowhere"}) + things("vinh", named=False))
        with pytest.raises(BatchRejected) as rejected:
            run(store, discover([good])[0])
        assert len(rejected.value.report.violations) == 2
        assert server_state(running) == before, "a rejected batch changed the server"
        assert store.generation == generation
        assert copies_left(running) == set(), "a rejected batch left copies"
    finally:
        store.close()


def test_a_view_reads_its_generation_until_it_is_collected(tmp_path: Path) -> None:
    running = remote_servers.server("oxigraph")
    settings = Settings(store=tmp_path / "root", remote_store=running.location, remote_keep_seconds=0)
    store = open_store(settings)
    try:
        with store.transaction() as tx:
            tx.load(ntriples(1), RdfFormat.N_TRIPLES, G1)
        old = store.view()
        with store.transaction(replace=[G1]) as tx:
            tx.drop_graph(G1)
            tx.load(ntriples(2), RdfFormat.N_TRIPLES, G1)
        assert values(old, G1) == {"1"}, "a kept view did not read its own generation"
        assert values(store, G1) == {"2"}
        kept = {g for g in running.graphs() if g.startswith(VERSION)}
        assert len(kept) == 1, "the replaced version is not kept for the old view"
        assert old.generation in store.collect()
        assert not any(g.startswith(VERSION) for g in running.graphs())
        with pytest.raises(StoreMissing, match="collected"):
            values(old, G1)
        assert values(store, G1) == {"2"}
    finally:
        store.close()


def test_credentials_stay_out_of_reprs_and_messages(tmp_path: Path) -> None:
    running = remote_servers.server("oxigraph")
    secret = "s3cret-pa55"
    settings = load_settings(
        environ={
            "COOPGRAPH_STORE": running.location.replace("://", f"://steward:{secret}@"),
            "COOPGRAPH_REMOTE_TOKEN": "t0ken-" + secret,
        }
    )
    assert settings.remote_store is not None and settings.remote_store.startswith("sparql+http://")
    assert secret not in repr(settings)
    assert (settings.remote_user, settings.remote_password) == ("steward", secret)
    endpoints = Endpoints.from_location(running.location.replace("://", f"://steward:{secret}@"))
    assert (endpoints.user, endpoints.password) == ("steward", secret)
    assert secret not in repr(endpoints) and secret not in endpoints.query
    store = open_store(Settings(store=tmp_path / "root", remote_store=settings.remote_store))
    try:
        assert secret not in repr(store)
        with store.transaction() as tx:
            tx.load(ntriples(1), RdfFormat.N_TRIPLES, G1)
        assert values(store, G1) == {"1"}  # Oxigraph server ignores the credentials; they were sent
    finally:
        store.close()
    unreachable = Settings(
        store=tmp_path / "root", remote_store=f"sparql+http://steward:{secret}@127.0.0.1:9/x"
    )
    with pytest.raises(RemoteError) as error:
        open_store(unreachable)
    assert secret not in str(error.value)


# --------------------------------------------------------------------------- a writer killed


def remote_state(running: remote_servers.SparqlServer, root: Path, versions: dict[str, int]) -> str | None:
    """Open the store (its recovery runs), check it, and say which version the target graph holds."""
    store = running.open(root, create=False)
    try:
        records = store.records()
        assert store.graph_names() == set(records) | {records_graph(store)}, "catalogue and graphs disagree"
        for graph, record in records.items():
            rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[graph])
            assert int(next(iter(rows))["n"].value) == record.triples, f"{graph} is not whole"
        target = data_graph("big.nt")
        if target not in records:
            return None
        # each version has predicates of its own: a mix of two shows, and so does a part of one
        held = {}
        for name in versions:
            rows = store.query(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <http://e.org/{name}/label> ?o }}",
                default_graph=[target],
            )
            held[name] = int(next(iter(rows))["n"].value)
        whole = [name for name, triples in versions.items() if held[name] == triples]
        assert len(whole) == 1 and sum(held.values()) == records[target].triples, f"the graph holds {held}"
        return whole[0]
    finally:
        store.close()


def records_graph(store: Store) -> str:
    return next(g for g in store.graph_names() if g.endswith("/graph/catalog"))


def big_file(folder: Path, name: str, rows: int) -> Path:
    path = folder / name / "big.nt"
    path.parent.mkdir(parents=True)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(rows):
            out.write(f'<http://e.org/{name}/r{i}> <http://e.org/{name}/label> "hàng {i}"@vi .\n')
    return path


def wait_for_lock(process: subprocess.Popen[str], lock_file: Path) -> float | None:
    """When the writer took the store's write lock (None: it ended first)."""
    me = str(process.pid).encode()
    while process.poll() is None:
        try:
            if lock_file.read_bytes()[:32].strip() == me:
                return time.monotonic()
        except FileNotFoundError:
            pass
        time.sleep(0.005)
    return None


def test_a_writer_killed_at_random_moments_leaves_the_remote_store_whole(tmp_path: Path) -> None:
    """Like tests/test_ingest_crash.py on Oxigraph server: ``coopgraph ingest`` killed at random moments
    of its work under the write lock; after each kill the store opens (dropping what the writer left),
    the target graph holds one whole version and the catalogue agrees. The first kills interrupt the
    replacement of a version, the last ones a load into a store without the graph. The random seed is
    printed; ``COOPGRAPH_CRASH_SEED`` replays a run."""
    seed = int(os.environ.get("COOPGRAPH_CRASH_SEED") or random.SystemRandom().randrange(2**32))
    rng = random.Random(seed)
    running = remote_servers.server("oxigraph")
    root = tmp_path / "root"
    versions = {"a": 20_000, "b": 20_010}
    files = {name: big_file(tmp_path, name, rows) for name, rows in versions.items()}
    env = dict(os.environ, **running.environ(root))
    shapes = write(tmp_path / "shapes" / "things.ttl", SHAPES)
    store = running.open(root)
    run(store, discover([shapes], role="shapes")[0])
    store.close()

    def coopgraph(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*COOPGRAPH, *args],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    first = coopgraph("ingest", str(files["a"]))
    locked = wait_for_lock(first, root / "write.lock")
    assert first.wait(timeout=300) == 0, first.stderr.read() if first.stderr else ""
    assert locked is not None
    work = time.monotonic() - locked
    state = remote_state(running, root, versions)
    assert state == "a"
    kills: list[str] = []
    for attempt in range(40):  # until 8 writers were killed while running
        if len(kills) >= 8:
            break
        if len(kills) >= 5 and state is not None:  # from now on, loads into a store without the graph
            dropped = coopgraph("drop", "big.nt")
            assert dropped.wait(timeout=120) == 0, dropped.stderr.read() if dropped.stderr else ""
            state = remote_state(running, root, versions)
        target = "b" if state == "a" else "a"
        writer = coopgraph("ingest", str(files[target]))
        locked = wait_for_lock(writer, root / "write.lock")
        delay = rng.uniform(0, work)
        if locked is not None:
            time.sleep(max(0.0, locked + delay - time.monotonic()))
        if writer.poll() is None:
            writer.send_signal(signal.SIGKILL)
        status = writer.wait(timeout=120)
        assert status in (0, -signal.SIGKILL), writer.stderr.read() if writer.stderr else ""
        if writer.stderr:
            writer.stderr.close()
        observed = remote_state(running, root, versions)
        context = f"COOPGRAPH_CRASH_SEED={seed}, attempt {attempt}, {delay:.2f} s of {work:.2f} s"
        assert observed in ((state, target) if status else (target,)), context
        if status:
            kills.append(f"{delay / work:.0%} ({state}->{observed})")
        elif locked is not None:  # it finished first: later writers are killed within the time it took
            work = min(work, time.monotonic() - locked)
        state = observed
    assert len(kills) >= 8, (
        f"COOPGRAPH_CRASH_SEED={seed}: only {len(kills)} writers were killed while running"
    )

    # a last whole ingest, and nothing the killed writers left remains on the server
    last = coopgraph("ingest", str(files["b" if state == "a" else "a"]))
    assert last.wait(timeout=300) == 0, last.stderr.read() if last.stderr else ""
    remote_state(running, root, versions)
    assert copies_left(running) == set()
    print(f"COOPGRAPH_CRASH_SEED={seed}: kills at {', '.join(kills)}; the work took {work:.2f} s")


# --------------------------------------------------------------------------- the rewriting of SPARQL text


def test_graph_names_are_rewritten_only_where_they_name_a_graph() -> None:
    moved = {"http://e/g": "urn:x-coopgraph:version/1"}.get
    text = "PREFIX e: <http://e/> SELECT * FROM NAMED e:g { GRAPH e:g { e:g ?p <g> } }"
    assert rewrite_graphs(text, moved, base_iri="http://e/") == (
        "PREFIX e: <http://e/> SELECT * FROM NAMED <urn:x-coopgraph:version/1> "
        "{ GRAPH <urn:x-coopgraph:version/1> { e:g ?p <g> } }"
    )


def test_updates_are_routed_to_the_graph_of_the_default_graph() -> None:
    moved = {"http://e/g": "urn:v1"}.get
    plan = route_update(
        'INSERT DATA { <http://e/s> <http://e/p> "1" } ; CLEAR DEFAULT ; '
        "DELETE WHERE { GRAPH <http://e/g> { ?s ?p ?o } } ; "
        "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
        moved,
        "urn:D",
        ["urn:v1"],
    )
    assert plan.text == (
        'WITH <urn:D> INSERT  { <http://e/s> <http://e/p> "1" } WHERE {} ; CLEAR GRAPH <urn:D> ; '
        "DELETE WHERE { GRAPH <urn:v1> { ?s ?p ?o } } ; "
        "DELETE { GRAPH ?g { ?s ?p ?o } } USING <urn:D> USING NAMED <urn:v1> WHERE { GRAPH ?g { ?s ?p ?o } }"
    )
    assert plan.variable_graph and plan.named == {"http://e/g"}
    with pytest.raises(ValueError, match="ALL"):
        route_update("DROP ALL", moved, "urn:D", [])


def test_substitutions_are_bound_first_in_the_where_clause() -> None:
    bound = bind_values("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"o": Literal("x", language="vi")})
    assert bound == 'CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?o) { ("x"@vi) }  ?s ?p ?o }'
    with pytest.raises(ValueError, match="blank node"):
        bind_values("SELECT * { ?s ?p ?o }", {"o": BlankNode()})


# --------------------------------------------------------------------------- the server on a remote store


def answers(url: str, name: str) -> list[tuple[tuple[str, str], ...]]:
    response = requests.get(f"{url}/queries/{name}", headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, f"{name}: {response.status_code} {response.text[:300]}"
    rows = response.json()["results"]["bindings"]
    return sorted(tuple(sorted((k, v["value"]) for k, v in row.items())) for row in rows)


def test_the_server_answers_saved_queries_from_a_remote_store(tmp_path: Path, server: Server) -> None:
    """``coopgraph serve`` on Oxigraph server: it loads the bundled data there, its workers open the
    store from the settings, and saved queries, resource pages, search (its index built from the remote
    data) and the dumps answer as on the embedded store (the ``server`` fixture)."""
    running = remote_servers.server("oxigraph")
    root = tmp_path / "root"
    settings = {k: v for k, v in running.environ(root).items() if k != "COOPGRAPH_STORE"}
    remote = start_server(root, token=None, extra_env=settings)
    try:
        assert any(g.startswith("https://w3id.org/coopgraph/graph/") for g in running.graphs())
        for name in ("institutions-per-country", "network-sizes"):
            found = answers(remote.url, name)
            assert found, f"{name} found nothing on the remote store"
            assert found == answers(server.url, name)
        same_pages_search_and_dumps(remote.url, server.url)
        assert not (root / "gens").exists(), "an embedded store was made beside the remote one"
    finally:
        remote.stop()


def same_pages_search_and_dumps(remote: str, embedded: str) -> None:
    """What partner portals and analysts read besides queries: the same on both servers."""
    # a resource, as Turtle and JSON-LD: the same statements
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        graphs = []
        for base in (remote, embedded):
            response = requests.get(f"{base}/id/organization/vnu-hanoi", headers={"Accept": accept})
            assert response.status_code == 200, response.text[:300]
            graphs.append(rdflib.Graph().parse(data=response.text, format=fmt, publicID=base + "/"))
        remote_graph, embedded_graph = (
            {tuple(str(t).replace(base, "") for t in triple) for triple in g}
            for g, base in zip(graphs, (remote, embedded), strict=True)
        )
        assert len(remote_graph) > 10 and remote_graph == embedded_graph
    # search (the index built from the remote data)
    hits = []
    for base in (remote, embedded):
        found = requests.get(f"{base}/search", params={"q": "Tsinghua", "format": "json"})
        assert found.status_code == 200, f"{base}: {found.status_code} {found.text[:300]}"
        hits.append([h["iri"] for h in found.json()["results"]])
    assert hits[0] and hits[0] == hits[1]
    # the dump of the whole dataset: the same data graphs, statement for statement
    dumps = []
    for base in (remote, embedded):
        files = requests.get(f"{base}/dumps/", headers={"Accept": "application/json"}).json()["files"]
        whole = next(f for f in files if f["graph"] is None and "nquads" in f["media_type"].replace("-", ""))
        body = gzip.decompress(
            requests.get(whole["url"].replace(whole["url"].split("/dumps/")[0], base)).content
        )
        data = [
            line
            for line in body.decode().splitlines()
            if line.rsplit(" ", 2)[-2].startswith("<https://w3id.org/coopgraph/graph/data/")
        ]
        dumps.append((len(data), {line for line in data if "_:" not in line}))  # blank labels differ
    assert dumps[0][0] > 100 and dumps[0] == dumps[1]


@pytest.mark.parametrize("name", SERVERS)
def test_the_bundled_data_passes_the_gate_with_the_project_shapes(name: str, tmp_path: Path) -> None:
    """``coopgraph init`` on a SPARQL server: the ontology, vocabularies, shapes and seed data go through
    the gate with the project's own shapes (inverse paths, sh:class over the ontology's hierarchy in its
    own graph ...), and the gate finds what it finds on the embedded store."""
    embedded = coopgraph("init", store=tmp_path / "embedded")
    assert embedded.returncode == 0, embedded.stderr
    running = remote_servers.server(name)
    remote = coopgraph("init", env={**running.environ(tmp_path / "root"), "COOPGRAPH_QUERY_TIMEOUT": "120"})
    assert remote.returncode == 0, remote.stdout + remote.stderr

    def findings(report: Path, env: dict[str, str]) -> list[tuple[str, ...]]:
        """The whole store checked again, every finding written to a CSV report."""
        checked = coopgraph("validate", "--report", str(report), env=env)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        with report.open(encoding="utf-8-sig", newline="") as f:
            return sorted((r["severity"], r["resource"], r["path"], r["shape"]) for r in csv.DictReader(f))

    on_embedded = findings(tmp_path / "embedded.csv", {"COOPGRAPH_STORE": str(tmp_path / "embedded")})
    assert on_embedded and all(severity != "Violation" for severity, *_ in on_embedded)
    assert findings(tmp_path / "remote.csv", running.environ(tmp_path / "root")) == on_embedded


def test_a_partial_answer_from_virtuoso_is_an_error_not_a_result(tmp_path: Path) -> None:
    """Virtuoso's "anytime" queries: with a ``timeout`` on the query URL, a query that runs past it is
    answered HTTP 200 with the rows found so far (none here) and ``X-SQL-State: S1TAT``. The store refuses
    that answer, so no check can pass on data the server never looked at."""
    running = remote_servers.server("virtuoso")
    root = tmp_path / "root"
    made = running.open(root)
    try:
        with made.transaction() as tx:
            tx.load(ntriples(*range(300)), RdfFormat.N_TRIPLES, G1)
    finally:
        made.close()
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    settings = running.store_settings(root)
    anytime = dataclasses.replace(settings, remote_query_url=f"{settings.remote_query_url}?timeout=200")
    store = open_store(anytime, create=False)
    try:
        assert len(list(store.view().query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 5"))) == 5  # fast: whole
        with pytest.raises(RemoteError, match="only part of the result"):
            list(store.view().query(slow))
    finally:
        store.close()
    running.empty()


def violations_on(name: str, lateral: bool, tmp_path: Path, shapes_text: str, data_text: str) -> list[Any]:
    """The violations the gate finds in ``data_text`` against ``shapes_text`` on the server ``name``
    (which has LATERAL or not, as ``lateral`` says): the batch must be rejected."""
    running = remote_servers.server(name)
    store = running.open(tmp_path / "root")
    try:
        assert store.view().lateral is lateral
        run(store, discover([write(tmp_path / "shapes" / "shapes.ttl", shapes_text)], role="shapes")[0])
        with pytest.raises(BatchRejected) as rejected:
            run(store, discover([write(tmp_path / "data" / "data.ttl", data_text)])[0])
        return list(rejected.value.report.violations)
    finally:
        store.close()


@pytest.mark.parametrize(("name", "lateral"), [("oxigraph", True), ("virtuoso", False)])
def test_the_gate_writes_portable_sparql_for_a_server_without_lateral(
    name: str, lateral: bool, tmp_path: Path
) -> None:
    """A SPARQL constraint and a target of several classes on a server that lacks LATERAL (Virtuoso):
    the gate asks the server once and writes standard SPARQL; the same violations as with LATERAL."""
    violations = violations_on(name, lateral, tmp_path, NAMED_THINGS_SHAPES, NAMED_THINGS_DATA)
    found = sorted(str(f.focus) for f in violations)
    assert found == ["<http://example.org/nameless>", "<http://example.org/unlabelled-place>"]


@pytest.mark.parametrize(("name", "lateral"), [("oxigraph", True), ("virtuoso", False)])
def test_sh_class_on_a_server_without_lateral(name: str, lateral: bool, tmp_path: Path) -> None:
    """sh:class on a node shape (the value node is the focus node, bound by BIND) and on a property
    shape: Virtuoso compiles the portable form, and both servers find the same violations."""
    violations = violations_on(name, lateral, tmp_path, CLASS_SHAPES, CLASS_DATA)
    found = sorted((str(f.focus), str(f.value)) for f in violations)
    assert found == [
        ("<http://example.org/bob>", "<http://example.org/bob>"),  # an agent, not a person
        ("<http://example.org/club>", "<http://example.org/rock>"),
        ("<http://example.org/rock>", "<http://example.org/rock>"),
    ]


@pytest.mark.parametrize(("name", "lateral"), [("oxigraph", True), ("virtuoso", False)])
def test_sh_class_with_the_hierarchy_in_another_graph(name: str, lateral: bool, tmp_path: Path) -> None:
    """The classes' hierarchy loaded first, from a file of its own (its own graph, as the ontology is), then
    the data: the gate reads the hierarchy across graphs and finds the same violations as with one file."""
    hierarchy = "\n".join(
        line for line in CLASS_DATA.splitlines() if "subClassOf" in line or "@prefix" in line
    )
    data = "\n".join(line for line in CLASS_DATA.splitlines() if "subClassOf" not in line)
    running = remote_servers.server(name)
    store = running.open(tmp_path / "root")
    try:
        assert store.view().lateral is lateral
        run(store, discover([write(tmp_path / "shapes" / "shapes.ttl", CLASS_SHAPES)], role="shapes")[0])
        run(store, discover([write(tmp_path / "schema" / "hierarchy.ttl", hierarchy + "\n")])[0])
        with pytest.raises(BatchRejected) as rejected:
            run(store, discover([write(tmp_path / "data" / "data.ttl", data + "\n")])[0])
    finally:
        store.close()
    found = sorted((str(f.focus), str(f.value)) for f in rejected.value.report.violations)
    assert found == [
        ("<http://example.org/bob>", "<http://example.org/bob>"),
        ("<http://example.org/club>", "<http://example.org/rock>"),
        ("<http://example.org/rock>", "<http://example.org/rock>"),
    ]


CLASS_SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:MemberIsAPerson a sh:NodeShape ;
    sh:targetObjectsOf ex:member ;
    sh:class ex:Person .
ex:ClubMembers a sh:NodeShape ;
    sh:targetClass ex:Club ;
    sh:property [ sh:path ex:member ; sh:class ex:Agent ] .
"""

CLASS_DATA = """\
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Student rdfs:subClassOf ex:Person .
ex:Person rdfs:subClassOf ex:Agent .
ex:club a ex:Club ; ex:member ex:ada , ex:bob , ex:rock .
ex:ada a ex:Student .
ex:bob a ex:Robot .
ex:Robot rdfs:subClassOf ex:Agent .
ex:rock a ex:Stone .
"""


NAMED_THINGS_SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Named a sh:NodeShape ;
    sh:targetClass ex:Person , ex:Place ;
    sh:sparql [ sh:message "no label" ;
        sh:select '''SELECT $this WHERE {
            FILTER NOT EXISTS { $this <http://www.w3.org/2000/01/rdf-schema#label> ?l } }''' ] .
"""

NAMED_THINGS_DATA = """\
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:ada a ex:Person ; rdfs:label "Ada" .
ex:nameless a ex:Person .
ex:hanoi a ex:Place ; rdfs:label "Hà Nội" .
ex:unlabelled-place a ex:Place .
ex:Student rdfs:subClassOf ex:Person .
"""

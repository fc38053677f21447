"""Where the SPARQL 1.1 specifications are exact: the dataset of a query (union and strict), FROM an unknown
graph, LOAD SILENT, operations in a POST's URL, the protocol version, the service description and the
Graph Store Protocol's formats and Location. Against a live server, with real clients."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from coopgraph import iris
from tests.conftest import TOKEN, Server, start_server

EX = "http://example.org/"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
PERSON = f'<{EX}alice> <{EX}name> "Alice"@en ; <{EX}knows> [ <{EX}name> "Bob" ] ; <{EX}age> 42 .\n'


def _serve(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path, strict: bool) -> Server:
    store = tmp_path_factory.mktemp("strict" if strict else "union") / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    if strict:  # started as a user would: the command's flag
        return start_server(store, extra_args=["--strict-dataset"])
    return start_server(store)


@pytest.fixture(scope="module")
def union(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> Iterator[Server]:
    server = _serve(tmp_path_factory, seeded_store, strict=False)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> Iterator[Server]:
    server = _serve(tmp_path_factory, seeded_store, strict=True)
    yield server
    server.stop()


def select(server: Server, query: str, **params: str) -> list[dict[str, str]]:
    r = requests.get(
        server.url + "/sparql",
        params={"query": query, **params},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in row.items()} for row in r.json()["results"]["bindings"]]


def update(server: Server, text: str) -> requests.Response:
    return requests.post(
        server.url + "/update",
        data=text.encode(),
        headers={**server.auth, "Content-Type": "application/sparql-update"},
    )


def graphs(server: Server) -> set[str]:
    return {row["g"] for row in select(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}


# ------------------------------------------------------------------------------------------ the dataset
def test_the_catalogue_is_a_named_graph_only_when_named(union: Server) -> None:
    assert iris.CATALOG_GRAPH not in graphs(union)
    assert any(g.startswith(iris.GRAPH + "ontology/") for g in graphs(union)), "union: system graphs stay"
    named = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iris.CATALOG_GRAPH}> {{ ?s ?p ?o }} }}"
    assert int(select(union, named)[0]["n"]) > 0
    assert (
        int(
            select(
                union,
                "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                **{"default-graph-uri": iris.CATALOG_GRAPH},
            )[0]["n"]
        )
        > 0
    )


def test_from_an_unknown_graph_is_an_empty_graph(union: Server) -> None:
    assert select(union, f"SELECT * FROM <{EX}nowhere> WHERE {{ ?s ?p ?o }}") == []
    assert select(union, f"SELECT ?g FROM NAMED <{EX}nowhere> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == []


def test_strict_default_graph_is_the_stores_own(
    tmp_path_factory: pytest.TempPathFactory, seeded_store: Path
) -> None:
    strict = _serve(tmp_path_factory, seeded_store, strict=True)  # its own: DROP ALL empties it
    try:
        _check_strict_dataset(strict)
    finally:
        strict.stop()


def _check_strict_dataset(strict: Server) -> None:
    assert (
        update(
            strict, f"DROP ALL ; INSERT DATA {{ <{EX}d> <{EX}p> 1 . GRAPH <{EX}g> {{ <{EX}n> <{EX}p> 2 }} }}"
        ).status_code
        == 204
    )
    rows = select(strict, "SELECT ?s WHERE { ?s ?p ?o }")
    assert rows == [{"s": f"{EX}d"}], "the default graph, not the union"
    assert graphs(strict) == {f"{EX}g"}, "no system graph unless named"
    ontology = next(g for g in _system_graphs(strict) if g.startswith(iris.GRAPH + "ontology/"))
    named = select(strict, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ontology}> {{ ?s ?p ?o }} }}")
    assert int(named[0]["n"]) > 0, "a system graph the query names is there, and DROP ALL kept it"


def _system_graphs(server: Server) -> list[str]:
    r = requests.get(server.url + "/graphs", params={"format": "json"})
    return [g["graph"] for g in r.json()["graphs"] if iris.is_system_graph(g["graph"])]


def test_saved_queries_read_the_union_on_a_strict_server(strict: Server, union: Server) -> None:
    """Saved queries are written for the union: a strict server answers them as the union one does."""
    answers = [
        requests.get(server.url + "/queries/institutions-per-country", params={"format": "json"})
        for server in (strict, union)
    ]
    assert [a.status_code for a in answers] == [200, 200]
    rows = [a.json()["results"]["bindings"] for a in answers]
    assert rows[0] and rows[0] == rows[1]


# ------------------------------------------------------------------------------------------ updates
def test_load_silent_succeeds_and_changes_nothing_load_is_refused(union: Server) -> None:
    before = graphs(union)
    for text in (
        f"LOAD SILENT <{EX}data.ttl>",
        f"LOAD SILENT <{EX}data.ttl> INTO GRAPH <{EX}loaded> ;\n"
        f"INSERT DATA {{ GRAPH <{EX}after> {{ <{EX}a> <{EX}b> <{EX}c> }} }}",
    ):
        assert update(union, text).status_code == 204, text
    assert graphs(union) == before | {f"{EX}after"}
    refused = update(union, f"LOAD <{EX}data.ttl>")
    assert refused.status_code == 400 and "LOAD" in refused.text


def test_an_operation_in_the_url_of_a_post_is_refused(union: Server) -> None:
    r = requests.post(
        union.url + "/update", params={"update": f"INSERT DATA {{ <{EX}u> <{EX}p> 1 }}"}, headers=union.auth
    )
    assert r.status_code == 400
    form = requests.post(
        union.url + "/update",
        params={"update": f"INSERT DATA {{ <{EX}u> <{EX}p> 1 }}"},
        data={"update": f"INSERT DATA {{ <{EX}v> <{EX}p> 1 }}"},
        headers=union.auth,
    )
    assert form.status_code == 400
    assert select(union, f"SELECT * WHERE {{ <{EX}u> ?p ?o }}") == []
    query = requests.post(union.url + "/sparql", params={"query": "ASK {}"}, data={"query": "ASK {}"})
    assert query.status_code == 400


@pytest.mark.parametrize(("version", "status"), [("1.1", 200), ("1.2", 200), ("2.0", 400), ("", 400)])
def test_the_version_parameter(union: Server, version: str, status: int) -> None:
    get = requests.get(union.url + "/sparql", params={"query": "ASK {}", "version": version})
    post = requests.post(union.url + "/sparql", data={"query": "ASK {}", "version": version})
    assert (get.status_code, post.status_code) == (status, status)
    write = requests.post(
        union.url + "/update", data={"update": "INSERT DATA { }", "version": version}, headers=union.auth
    )
    assert write.status_code == (204 if status == 200 else 400)


# ------------------------------------------------------------------------------------- service description
@pytest.mark.parametrize("media", sorted(RDF_TYPES))
def test_the_service_description_in_every_rdf_format(union: Server, media: str) -> None:
    r = requests.get(union.url + "/sparql", headers={"Accept": media})
    assert r.status_code == 200, r.text
    parsed = rdflib.Dataset().parse(data=r.text, format=RDF_TYPES[media])
    description = rdflib.Graph()
    for s, p, o, _ in parsed.quads():
        description.add((s, p, o))
    query, writer = (rdflib.URIRef(union.url + path) for path in ("/sparql", "/update"))
    service = description.value(None, SD.endpoint, query)
    update_service = description.value(None, SD.endpoint, writer)
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in description
    assert (update_service, SD.supportedLanguage, SD.SPARQL11Update) in description
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in description
    assert (None, SD.feature, SD.BasicFederatedQuery) not in description, "SERVICE is refused"
    assert (service, SD.feature, SD.UnionDefaultGraph) in description
    formats = set(description.objects(service, SD.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    comment = str(next(description.objects(description.value(None, SD.defaultGraph), rdflib.RDFS.comment)))
    assert "?default" in comment
    limits = {str(p).rsplit("#", 1)[-1] for p in description.predicates(service) if "limit#" in str(p)}
    assert {"queryTimeout", "maxResultBytes"} <= limits
    declared = {
        str(description.value(d, rdflib.URIRef("http://www.w3.org/ns/shacl#prefix"))): str(
            description.value(d, rdflib.URIRef("http://www.w3.org/ns/shacl#namespace"))
        )
        for d in description.objects(service, rdflib.URIRef("http://www.w3.org/ns/shacl#declare"))
    }
    assert declared == iris.RESOURCE_PREFIXES


def test_a_strict_server_describes_its_default_graph(strict: Server) -> None:
    r = requests.get(strict.url + "/sparql", headers={"Accept": "text/turtle"})
    description = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (None, SD.feature, SD.UnionDefaultGraph) not in description
    comment = str(next(description.objects(description.value(None, SD.defaultGraph), rdflib.RDFS.comment)))
    assert "own default graph" in comment


# ------------------------------------------------------------------------------------------ graph store
def _put(server: Server, graph: str) -> None:
    r = requests.put(
        server.url + "/graphs",
        params={"graph": graph},
        data=PERSON.encode(),
        headers={**server.auth, "Content-Type": "text/turtle"},
    )
    assert r.status_code in (201, 204), r.text


@pytest.mark.parametrize("media", sorted(RDF_TYPES))
def test_rdflib_reads_every_graph_store_format_back_to_the_same_triples(union: Server, media: str) -> None:
    graph = f"{EX}person"
    _put(union, graph)
    expected = rdflib.Graph().parse(data=PERSON, format="turtle")
    r = requests.get(union.url + "/graphs", params={"graph": graph}, headers={"Accept": media})
    assert r.status_code == 200
    if RDF_TYPES[media] in ("nquads", "trig"):  # dataset formats keep the graph's name
        dataset = rdflib.Dataset().parse(data=r.text, format=RDF_TYPES[media])
        read = dataset.graph(rdflib.URIRef(graph))
    else:
        read = rdflib.Graph().parse(data=r.text, format=RDF_TYPES[media])
    assert len(read) == len(expected) and isomorphic(read, expected)


def test_post_location_returns_the_graph(union: Server) -> None:
    r = requests.post(
        union.url + "/graphs", data=PERSON.encode(), headers={**union.auth, "Content-Type": "text/turtle"}
    )
    assert r.status_code == 201
    location = r.headers["Location"]
    direct = requests.get(location, headers={"Accept": "text/turtle"})
    assert direct.status_code == 200
    assert isomorphic(
        rdflib.Graph().parse(data=direct.text, format="turtle"),
        rdflib.Graph().parse(data=PERSON, format="turtle"),
    )
    indirect = requests.get(
        union.url + "/graphs", params={"graph": location}, headers={"Accept": "text/turtle"}
    )
    assert indirect.status_code == 200


# ------------------------------------------------------------------------------------------ real clients
def test_sparqlwrapper_writes_and_reads(strict: Server) -> None:
    writer = SPARQLWrapper(strict.url + "/sparql", updateEndpoint=strict.url + "/update")
    writer.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    writer.setMethod(POST)
    writer.setQuery(f'INSERT DATA {{ GRAPH <{EX}wrapper> {{ <{EX}w> <{EX}p> "written" }} }}')
    writer.query()
    reader = SPARQLWrapper(strict.url + "/sparql")
    reader.setQuery(f"SELECT ?o WHERE {{ GRAPH <{EX}wrapper> {{ <{EX}w> <{EX}p> ?o }} }}")
    reader.setReturnFormat(JSON)
    rows = reader.query().convert()["results"]["bindings"]  # type: ignore[index]
    assert [row["o"]["value"] for row in rows] == ["written"]


def test_rdflib_sparql_store_writes_and_reads(strict: Server) -> None:
    store = SPARQLUpdateStore(
        query_endpoint=strict.url + "/sparql",
        update_endpoint=strict.url + "/update",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    dataset = rdflib.Dataset(store=store)
    graph = dataset.graph(rdflib.URIRef(f"{EX}sparqlstore"))
    graph.add((rdflib.URIRef(f"{EX}s"), rdflib.URIRef(f"{EX}p"), rdflib.Literal("stored", lang="en")))
    read = rdflib.Graph(store=store, identifier=rdflib.URIRef(f"{EX}sparqlstore"))
    assert list(read.objects(rdflib.URIRef(f"{EX}s"), rdflib.URIRef(f"{EX}p"))) == [
        rdflib.Literal("stored", lang="en")
    ]
    graph.remove((rdflib.URIRef(f"{EX}s"), None, None))
    assert len(read) == 0

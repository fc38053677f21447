"""The query endpoint as clients see it: methods, formats, negotiation, errors, real client libraries."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.util import from_n3
from SPARQLWrapper import JSON, POST, XML, SPARQLWrapper

from coopgraph.store.local import LocalStore

ORGS = """PREFIX org: <http://www.w3.org/ns/org#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?o ?label WHERE { ?o a/rdfs:subClassOf* org:Organization ; rdfs:label ?label } ORDER BY ?o ?label"""
CONSTRUCT = """PREFIX org: <http://www.w3.org/ns/org#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?o ?p ?v } WHERE { ?o a/rdfs:subClassOf* org:Organization ; ?p ?v }"""
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


def store_rows(server, query: str) -> list[tuple[str, ...]]:
    """The answer straight from the server's store (a published generation may be read by anyone)."""
    store = LocalStore(server.store, create=False)
    try:
        results = store.query(query)
        variables = [v.value for v in results.variables]
        return [tuple(row[v].value if row[v] is not None else "" for v in variables) for row in results]
    finally:
        store.close()


def json_rows(body: dict) -> list[tuple[str, ...]]:
    variables = body["head"]["vars"]
    return [tuple(b.get(v, {}).get("value", "") for v in variables) for b in body["results"]["bindings"]]


def test_get_answers_what_the_store_holds(server) -> None:
    expected = store_rows(server, ORGS)
    assert len(expected) >= 10  # the seed data has institutions with labels in several languages
    r = requests.get(server.url + "/sparql", params={"query": ORGS})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert json_rows(r.json()) == expected


def test_post_form_and_post_direct_answer_as_get(server) -> None:
    get = requests.get(server.url + "/sparql", params={"query": ORGS}).json()
    form = requests.post(server.url + "/sparql", data={"query": ORGS})
    direct = requests.post(
        server.url + "/sparql", data=ORGS.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json() == get


@pytest.mark.parametrize("media", list(RESULT_TYPES))
def test_select_in_every_results_format(server, media: str) -> None:
    expected = store_rows(server, ORGS)
    r = requests.get(server.url + "/sparql", params={"query": ORGS}, headers={"Accept": media})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    name = RESULT_TYPES[media]
    if name in ("json", "xml"):
        result = rdflib.query.Result.parse(io.BytesIO(r.content), format=name)
        rows = [tuple(str(row[v]) if row[v] is not None else "" for v in result.vars) for row in result]
    else:
        if name == "csv":
            reader = csv.reader(io.StringIO(r.text))
            next(reader)
            rows = [tuple(row) for row in reader]
        else:  # TSV cells are RDF terms in Turtle syntax
            lines = r.text.rstrip("\n").split("\n")[1:]
            rows = [tuple(str(from_n3(cell)) for cell in line.split("\t")) for line in lines]
    assert rows == expected


def test_ask_as_json_and_xml(server) -> None:
    for media in ("application/sparql-results+json", "application/sparql-results+xml"):
        r = requests.get(
            server.url + "/sparql", params={"query": "ASK { ?s a ?c }"}, headers={"Accept": media}
        )
        assert r.status_code == 200
        assert "true" in r.text


def test_construct_in_every_graph_format(server) -> None:
    graphs = {}
    for media, name in GRAPH_TYPES.items():
        r = requests.post(server.url + "/sparql", data={"query": CONSTRUCT}, headers={"Accept": media})
        assert r.status_code == 200, (media, r.text)
        assert r.headers["content-type"].split(";")[0] == media
        g = rdflib.Dataset() if name in ("nquads", "trig") else rdflib.Graph()
        g.parse(data=r.content, format=name)
        graphs[media] = rdflib.Graph()
        for triple in (
            g.triples((None, None, None))
            if isinstance(g, rdflib.Graph) and name not in ("nquads", "trig")
            else ((s, p, o) for s, p, o, _ in g.quads((None, None, None, None)))
        ):
            graphs[media].add(triple)
        assert len(graphs[media]) > 50
    first = graphs["text/turtle"]
    for media, g in graphs.items():
        assert isomorphic(first, g), media


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
        ("application/json", "application/sparql-results+json"),
        ("text/tab-separated-values;q=1, text/csv;q=1", "text/csv"),
        ("", "application/sparql-results+json"),
    ],
)
def test_negotiation_follows_q_values(server, accept: str, chosen: str) -> None:
    r = requests.get(
        server.url + "/sparql", params={"query": "SELECT (1 AS ?x) {}"}, headers={"Accept": accept}
    )
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == chosen
    assert r.headers["vary"] == "Accept"


def test_406_when_nothing_fits(server) -> None:
    r = requests.get(
        server.url + "/sparql", params={"query": "SELECT (1 AS ?x) {}"}, headers={"Accept": "image/png"}
    )
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.text
    r = requests.get(
        server.url + "/sparql",
        params={"query": CONSTRUCT},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 406


def test_head_has_the_headers_of_get_and_no_body(server) -> None:
    get = requests.get(server.url + "/sparql", params={"query": ORGS}, headers={"Accept": "text/csv"})
    head = requests.head(server.url + "/sparql", params={"query": ORGS}, headers={"Accept": "text/csv"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert int(head.headers["content-length"]) == len(get.content)


def test_syntax_error_is_a_400_with_the_parsers_message(server) -> None:
    r = requests.get(server.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p "})
    assert r.status_code == 400
    assert "not valid SPARQL" in r.text
    r = requests.get(server.url + "/sparql", params={"query": "SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?y"})
    assert r.status_code == 400


def test_form_body_is_decoded_once(server) -> None:
    # The literal "100%41" must arrive as such both ways: percent-decoding twice would give "100A".
    query = 'SELECT ("100%41" AS ?x) {}'
    body = "query=" + quote(query, safe="")
    post = requests.post(
        server.url + "/sparql",
        data=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    get = requests.get(server.url + "/sparql?query=" + quote(query, safe=""))
    for r in (post, get):
        assert r.status_code == 200
        assert r.json()["results"]["bindings"][0]["x"]["value"] == "100%41"


def test_service_description_without_a_query(server) -> None:
    r = requests.get(server.url + "/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    services = list(g.subjects(sd.endpoint, rdflib.URIRef(server.url + "/sparql")))
    assert services
    assert (services[0], sd.supportedLanguage, sd.SPARQL11Query) in g
    assert (services[0], sd.supportedLanguage, sd.SPARQL11Update) not in g  # /sparql takes no update
    updates = list(g.subjects(sd.endpoint, rdflib.URIRef(server.url + "/update")))  # the server has a token
    assert updates and (updates[0], sd.supportedLanguage, sd.SPARQL11Update) in g


def test_sparqlwrapper_get_and_post(server) -> None:
    expected = store_rows(server, ORGS)
    for method in ("GET", POST):
        client = SPARQLWrapper(server.url + "/sparql")
        client.setQuery(ORGS)
        client.setMethod(method)
        client.setReturnFormat(JSON)
        assert json_rows(client.query().convert()) == expected
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(ORGS)
    client.setReturnFormat(XML)
    document = client.query().convert()
    assert len(document.getElementsByTagName("result")) == len(expected)


def test_rdflib_sparqlstore(server) -> None:
    expected = store_rows(server, ORGS)
    graph = rdflib.Graph(store=SPARQLStore(server.url + "/sparql", returnFormat="json"))
    rows = [tuple(str(v) for v in row) for row in graph.query(ORGS)]
    assert rows == expected


def test_dataset_from_the_query_and_from_the_protocol(server) -> None:
    graphs = requests.get(server.url + "/graphs", params={"format": "json"}).json()["graphs"]
    seed = next(g["graph"] for g in graphs if g["role"] == "data")
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    in_graph = int(
        store_rows(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{seed}> {{ ?s ?p ?o }} }}")[0][0]
    )
    from_clause = requests.get(
        server.url + "/sparql", params={"query": count.replace("WHERE", f"FROM <{seed}> WHERE")}
    )
    protocol = requests.get(server.url + "/sparql", params={"query": count, "default-graph-uri": seed})
    everything = requests.get(server.url + "/sparql", params={"query": count})
    for r in (from_clause, protocol):
        assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == in_graph
    assert int(everything.json()["results"]["bindings"][0]["n"]["value"]) > in_graph


def test_unknown_method_and_update_on_the_query_endpoint(server) -> None:
    assert requests.put(server.url + "/sparql", data="x").status_code == 405
    r = requests.post(server.url + "/sparql", data={"update": "CLEAR ALL"})
    assert r.status_code == 400 and "/update" in r.text
    r = requests.post(server.url + "/sparql", data="ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_graph_listing_as_json_and_rdf(server) -> None:
    listing = requests.get(server.url + "/graphs", params={"format": "json"})
    assert listing.status_code == 200
    graphs = {g["graph"]: g for g in listing.json()["graphs"]}
    roles = {g["role"] for g in graphs.values()}
    assert {"data", "ontology", "shapes", "vocabulary"} <= roles
    rdf = requests.get(server.url + "/graphs", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=rdf.text, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    assert {str(s) for s in g.subjects(rdflib.RDF.type, void.Dataset)} == set(graphs)
    body = json.dumps(listing.json())
    assert "triples" in body

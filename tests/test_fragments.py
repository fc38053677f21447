"""Triple Pattern Fragments on a real server, read by rdflib and by the Comunica client.

The Comunica test runs the real client (npm ``@comunica/query-sparql``, the one ``make comunica`` installs:
:func:`tests.conftest.comunica_command`).
"""

from __future__ import annotations

import json
import subprocess

import pytest
import rdflib
import requests
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from tests.conftest import Server, comunica_command

HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
CG = "https://w3id.org/coopgraph/ontology#"
VNU = "https://w3id.org/coopgraph/id/organization/vnu-hanoi"
AGREEMENTS_GRAPH = "https://w3id.org/coopgraph/graph/data/seed/vnu-tsinghua-2025/agreements.yaml"


def sparql_rows(server: Server, query: str) -> list[dict[str, str]]:
    answer = requests.get(
        server.url + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    answer.raise_for_status()
    return [{k: v["value"] for k, v in row.items()} for row in answer.json()["results"]["bindings"]]


def fragment(server: Server, accept: str = "application/trig", **params: str) -> requests.Response:
    return requests.get(server.url + "/fragments", params=params, headers={"Accept": accept}, timeout=30)


def read(response: requests.Response) -> rdflib.Dataset:
    assert response.status_code == 200, response.text
    dataset = rdflib.Dataset()
    dataset.parse(data=response.content, format="trig", publicID=response.url)
    return dataset


def data_triples(dataset: rdflib.Dataset) -> set[tuple[object, object, object]]:
    return set(dataset.default_graph)


def test_a_fragment_holds_the_matching_triples_and_its_controls(server: Server) -> None:
    response = fragment(server, subject=VNU)
    assert response.headers["content-type"].startswith("application/trig")
    dataset = read(response)
    triples = data_triples(dataset)
    expected = sparql_rows(server, f"SELECT DISTINCT ?p ?o WHERE {{ <{VNU}> ?p ?o }}")
    assert {(str(p), str(o)) for _, p, o in triples} == {(r["p"], r["o"]) for r in expected}
    assert all(str(s) == VNU for s, _, _ in triples)
    # the metadata sits in a graph of its own, which names the page as its topic
    page = URIRef(response.url)
    metadata = dataset.graph(URIRef(response.url + "#metadata"))
    assert (URIRef(response.url + "#metadata"), FOAF.primaryTopic, page) in metadata
    assert metadata.value(page, HYDRA.totalItems).toPython() == len(expected)
    assert metadata.value(page, VOID.triples).toPython() == len(expected)
    assert metadata.value(page, HYDRA.next) is None  # a single page
    search = metadata.value(URIRef(server.url + "/fragments#dataset"), HYDRA.search)
    assert str(metadata.value(search, HYDRA.template)) == server.url + "/fragments{?subject,predicate,object}"
    mapped = {
        (str(metadata.value(m, HYDRA.variable)), metadata.value(m, HYDRA.property))
        for m in metadata.objects(search, HYDRA.mapping)
    }
    assert mapped == {("subject", RDF.subject), ("predicate", RDF.predicate), ("object", RDF.object)}


def test_pages_follow_each_other_and_cover_the_fragment(server: Server) -> None:
    expected = sparql_rows(server, "SELECT DISTINCT ?s ?o WHERE { ?s a ?o }")
    assert len(expected) > 100  # more than a page
    seen: list[tuple[str, str]] = []
    url: str | None = server.url + "/fragments?" + "predicate=" + requests.utils.quote(str(RDF.type), safe="")
    pages = 0
    while url is not None:
        response = requests.get(url, headers={"Accept": "application/trig"}, timeout=30)
        dataset = read(response)
        metadata = dataset.graph(URIRef(response.url + "#metadata"))
        assert metadata.value(URIRef(response.url), HYDRA.totalItems).toPython() == len(expected)
        seen += [(str(s) if isinstance(s, URIRef) else "_", str(o)) for s, _, o in data_triples(dataset)]
        following = metadata.value(URIRef(response.url), HYDRA.next)
        url = str(following) if following is not None else None
        pages += 1
    assert pages == -(-len(expected) // 100)
    # each triple once (blank nodes, labelled anew by each answer, compared by number)
    named = [(r["s"] if r["s"].startswith("http") else "_", r["o"]) for r in expected]
    assert sorted(seen) == sorted(named)


def test_literals_in_the_object_position(server: Server) -> None:
    dataset = read(fragment(server, predicate=str(RDFS.label), object='"Đại học Quốc gia Hà Nội"@vi'))
    assert data_triples(dataset) == {(URIRef(VNU), RDFS.label, Literal("Đại học Quốc gia Hà Nội", lang="vi"))}
    none = read(fragment(server, predicate=str(RDFS.label), object='"Đại học Quốc gia Hà Nội"@fr'))
    assert data_triples(none) == set()


def test_one_graph_is_an_interface_of_its_own(server: Server) -> None:
    response = fragment(server, graph=AGREEMENTS_GRAPH)
    dataset = read(response)
    expected = sparql_rows(server, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{AGREEMENTS_GRAPH}> {{ ?s ?p ?o }} }}")
    metadata = dataset.graph(URIRef(response.url + "#metadata"))
    assert metadata.value(URIRef(response.url), HYDRA.totalItems).toPython() == len(expected)
    templates = {str(t) for t in metadata.objects(None, HYDRA.template)}
    assert templates == {
        server.url
        + "/fragments?graph="
        + requests.utils.quote(AGREEMENTS_GRAPH, safe="")
        + "{&subject,predicate,object}"
    }


@pytest.mark.parametrize(
    ("accept", "parser"),
    [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt")],
)
def test_every_rdf_format_carries_data_and_controls(server: Server, accept: str, parser: str) -> None:
    response = fragment(server, accept, subject=VNU)
    assert response.status_code == 200
    dataset = rdflib.Dataset().parse(data=response.content, format=parser, publicID=response.url)
    assert (URIRef(VNU), RDF.type, URIRef(CG + "University")) in dataset.default_graph
    totals = [o for _, _, o, _ in dataset.quads((URIRef(response.url), HYDRA.totalItems, None, None))]
    expected = sparql_rows(server, f"SELECT DISTINCT ?p ?o WHERE {{ <{VNU}> ?p ?o }}")
    assert [t.toPython() for t in totals] == [len(expected)]


def test_the_html_page_has_the_form_and_escapes_values(server: Server) -> None:
    response = fragment(server, "text/html", subject=VNU, predicate='<script>alert("x")</script>')
    assert response.status_code == 400  # not an IRI
    page = fragment(server, "text/html", subject=VNU)
    assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    assert '<input name="subject" value="' + VNU + '"' in page.text
    assert '/id/organization/vnu-hanoi"' in page.text  # linked to its page
    marked = fragment(server, "text/html", object='"<b>x</b>"@en')
    assert "&lt;b&gt;x&lt;/b&gt;" in marked.text and "<b>x</b>" not in marked.text


def test_a_blank_node_from_another_answer_matches_nothing(server: Server) -> None:
    dataset = read(fragment(server, subject="_:b0"))
    assert data_triples(dataset) == set()
    totals = [o.toPython() for _, _, o, _ in dataset.quads((None, HYDRA.totalItems, None, None))]
    assert totals == [0]


def test_bad_requests(server: Server) -> None:
    assert fragment(server, subject='"a literal"').status_code == 400
    assert fragment(server, graph="_:g").status_code == 400
    assert fragment(server, page="0").status_code == 400
    assert fragment(server, format="pdf").status_code == 400
    assert fragment(server, "image/png").status_code == 406


def test_etag_and_304(server: Server) -> None:
    first = fragment(server, subject=VNU)
    tag = first.headers["etag"]
    again = requests.get(first.url, headers={"Accept": "application/trig", "If-None-Match": tag}, timeout=30)
    assert again.status_code == 304 and again.headers["etag"] == tag
    other = requests.get(first.url, headers={"Accept": "text/turtle", "If-None-Match": tag}, timeout=30)
    assert other.status_code == 200  # another variant: another tag


def test_comunica_answers_as_sparql_does(server: Server) -> None:
    query = (
        f"PREFIX cg: <{CG}> PREFIX rdfs: <{RDFS}> "
        "SELECT ?institution ?name ?agreement WHERE { ?institution a cg:University ; rdfs:label ?name . "
        '?agreement cg:party ?institution . FILTER (LANG(?name) = "en") }'
    )
    expected = sparql_rows(server, query)
    assert expected  # the join finds rows
    done = subprocess.run(
        [
            comunica_command(),
            server.url + "/fragments",
            query,
            "--outputType",
            "application/sparql-results+json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [{k: v["value"] for k, v in row.items()} for row in json.loads(done.stdout)["results"]["bindings"]]
    key = lambda r: tuple(sorted(r.items()))  # noqa: E731
    assert sorted(rows, key=key) == sorted(expected, key=key)

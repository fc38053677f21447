"""Every answer carries the security headers; every route that serves GET also answers HEAD and OPTIONS;
the API pages load nothing from elsewhere; links made from data lead only to http, https or mailto."""

from __future__ import annotations

import re

import pytest
import rdflib
import requests

from server.http.ontology_docs import render_ontology_html
from server.http.saved_query_routes import result_rows
from tests.conftest import Server

HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")
ASK = "/sparql?query=ASK%20%7B%7D"
#: Paths served to GET, with the Accept header of the usual client.
GET_ROUTES = {
    ASK: "application/sparql-results+json",
    "/sparql": "text/turtle",
    "/": "text/html",
    "/query": "text/html",
    "/fragments": "application/trig",
    "/.well-known/void": "text/html",
    "/ontology": "text/html",
    "/context.jsonld": "application/ld+json",
    "/queries": "text/html",
    "/queries/network-sizes": "text/html",
    "/queries/network-sizes.rq": "application/sparql-query",
    "/graphs": "application/json",
    "/graphs?graph=https://w3id.org/coopgraph/graph/catalog": "text/turtle",
    "/openapi.json": "application/json",
    "/docs": "text/html",
    "/redoc": "text/html",
    "/static/ui/query.css": "text/css",
}
UNSAFE = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "java\tscript:x",
]


@pytest.mark.parametrize("path", [*GET_ROUTES, "/no-such-page", "/sparql?query=nonsense", "/update"])
def test_every_answer_carries_the_security_headers(server: Server, path: str) -> None:
    r = requests.get(server.url + path, headers={"Accept": GET_ROUTES.get(path, "*/*")})
    for name in HEADERS:
        assert name in r.headers, (path, r.status_code, dict(r.headers))
    assert "frame-ancestors" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_a_post_answer_carries_the_security_headers(server: Server) -> None:
    r = requests.post(server.url + "/sparql", data={"query": "ASK {}"})
    assert r.status_code == 200
    assert all(name in r.headers for name in HEADERS), dict(r.headers)


@pytest.mark.parametrize("path", list(GET_ROUTES))
def test_head_answers_wherever_get_does(server: Server, path: str) -> None:
    accept = {"Accept": GET_ROUTES[path]}
    got = requests.get(server.url + path, headers=accept)
    head = requests.head(server.url + path, headers=accept)
    assert got.status_code == 200, (path, got.text[:200])
    assert head.status_code == 200, path
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


@pytest.mark.parametrize("path", list(GET_ROUTES))
def test_options_names_the_methods_of_the_route(server: Server, path: str) -> None:
    r = requests.options(server.url + path)
    assert r.status_code in (200, 204), (path, r.status_code, r.text)
    allowed = {m.strip() for m in r.headers["Allow"].split(",")}
    assert {"GET", "HEAD", "OPTIONS"} <= allowed, (path, allowed)
    if path.startswith("/graphs"):
        assert {"PUT", "POST", "DELETE"} <= allowed
    assert "DELETE" not in allowed or path.startswith("/graphs")


@pytest.mark.parametrize("page, script", [("/docs", "SwaggerUIBundle"), ("/redoc", "Redoc")])
def test_the_api_pages_load_nothing_from_elsewhere(server: Server, page: str, script: str) -> None:
    text = requests.get(server.url + page).text
    references = re.findall(r'(?:src|href)="([^"]+)"', text)
    assert references, text
    assert all(ref.startswith("/") for ref in references), references
    assert "<script>" not in text  # no inline script: the Content-Security-Policy refuses them
    bodies = ""
    for ref in references:
        r = requests.get(server.url + ref)
        assert r.status_code == 200, ref
        bodies += r.text if ref.endswith(".js") else ""
    assert script in bodies
    assert requests.get(server.url + "/openapi.json").json()["paths"]


@pytest.mark.parametrize("target", UNSAFE)
def test_a_results_table_links_only_safe_iris(target: str) -> None:
    rows = [
        {"x": {"type": "uri", "value": target}},
        {"x": {"type": "uri", "value": "https://example.org/ok"}},
    ]
    page = result_rows(["x"], rows)
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs == ["https://example.org/ok"], page
    assert "<script" not in page


@pytest.mark.parametrize("target", UNSAFE)
def test_the_ontology_page_links_only_safe_iris(target: str) -> None:
    g = rdflib.Graph()
    onto = rdflib.URIRef("https://w3id.org/coopgraph/ontology#")
    g.add((onto, rdflib.RDF.type, rdflib.OWL.Ontology))
    g.add((onto, rdflib.DCTERMS.license, rdflib.URIRef(target)))
    g.add((onto, rdflib.DCTERMS.license, rdflib.URIRef("mailto:team@example.org")))
    cls = rdflib.URIRef("https://w3id.org/coopgraph/ontology#Thing")
    g.add((cls, rdflib.RDF.type, rdflib.OWL.Class))
    g.add((cls, rdflib.RDFS.subClassOf, rdflib.URIRef(target)))
    page = render_ontology_html(g)
    hrefs = re.findall(r'href="([^"#][^"]*)"', page)
    assert "mailto:team@example.org" in hrefs
    assert not [h for h in hrefs if not h.startswith(("http:", "https:", "mailto:"))], hrefs


def test_options_on_update_names_post_only(server: Server) -> None:
    r = requests.options(server.url + "/update")
    assert {m.strip() for m in r.headers["Allow"].split(",")} == {"POST", "OPTIONS"}

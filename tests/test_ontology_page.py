"""``/ontology`` and ``/context.jsonld`` on a live server: documentation for people, RDF for programs."""

from __future__ import annotations

import json

import pytest
import rdflib
import requests
from rdflib import OWL, RDF

from tests.conftest import Server
from tests.test_ui import DevTools, needs_chromium
from tests.test_ui import browser as browser  # the fixture: a headless Chromium

CG = "https://w3id.org/coopgraph/ontology#"


def test_ontology_page_in_english_by_default(server: Server) -> None:
    response = requests.get(server.url + "/ontology", headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="Agreement"' in response.text and ">Classes</h2>" in response.text


@pytest.mark.parametrize(
    ("how", "heading"), [({"params": {"lang": "vi"}}, "Lớp"), ({"lang": "fr"}, "Classes")]
)
def test_ontology_page_in_the_asked_language(server: Server, how: dict, heading: str) -> None:
    headers = {"Accept": "text/html"}
    if "lang" in how:
        headers["Accept-Language"] = f"{how['lang']};q=0.9, en;q=0.5"
    response = requests.get(server.url + "/ontology", headers=headers, params=how.get("params"), timeout=30)
    assert response.status_code == 200
    assert f">{heading}</h2>" in response.text
    assert "Accept-Language" in response.headers["vary"]


@pytest.mark.parametrize(
    ("media", "rdflib_format"),
    [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")],
)
def test_ontology_as_rdf_by_content_negotiation(server: Server, media: str, rdflib_format: str) -> None:
    response = requests.get(server.url + "/ontology", headers={"Accept": media}, timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    ontologies = list(graph.subjects(RDF.type, OWL.Ontology))
    assert ontologies and (None, OWL.versionIRI, None) in graph
    assert (rdflib.URIRef(CG + "Agreement"), RDF.type, OWL.Class) in graph


def test_ontology_refuses_what_it_cannot_offer(server: Server) -> None:
    response = requests.get(server.url + "/ontology", headers={"Accept": "image/png"}, timeout=30)
    assert response.status_code == 406 and "text/turtle" in response.text


def test_context_for_partner_portals(server: Server) -> None:
    response = requests.get(server.url + "/context.jsonld", timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    context = response.json()["@context"]
    assert context["cg"] == CG
    # A record written with the context expands to the ontology's terms.
    record = {"@context": response.json()["@context"], "@id": "cg:x", "@type": "cg:Agreement"}
    graph = rdflib.Graph().parse(data=json.dumps(record), format="json-ld")
    assert (rdflib.URIRef(CG + "x"), RDF.type, rdflib.URIRef(CG + "Agreement")) in graph


@needs_chromium
def test_a_browser_lands_on_a_term(server: Server, browser: DevTools) -> None:
    browser.navigate(server.url + "/ontology#Agreement")
    assert browser.evaluate("document.getElementById('Agreement') !== null")
    # The term's section is where the browser scrolled to.
    assert browser.evaluate("Math.abs(document.getElementById('Agreement').getBoundingClientRect().top) < 50")
    assert browser.evaluate("document.querySelectorAll('script, link[rel=stylesheet], img').length") == 0
    assert browser.exceptions() == []
    assert all(url.startswith(server.url) for _, url in browser.requests())

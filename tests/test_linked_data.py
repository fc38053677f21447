"""Linked data on a real server: dereferenceable IRIs, resource pages, dumps, the dataset description.

Answers are read by real RDF clients: rdflib (its own content negotiation included), pyld for JSON-LD
against the served ``/context.jsonld``, and raptor's ``rapper`` as an independent parser.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
import rdflib
import requests
from pyld import jsonld
from rdflib.compare import isomorphic

from tests.conftest import Server, coopgraph, start_server

BASE = "https://w3id.org/coopgraph/"
VNU = BASE + "id/organization/vnu-hanoi"
MOU = BASE + "id/agreement/vnu-tsinghua-mou-2024"
AGREEMENTS_GRAPH = BASE + "graph/data/seed/vnu-tsinghua-2025/agreements.yaml"
#: Media type -> rdflib parser name.
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}
RAPPER = shutil.which("rapper")
needs_rapper = pytest.mark.skipif(
    RAPPER is None, reason="raptor's rapper is not installed (make test installs it: make system-deps)"
)


def url_of(server: Server, iri: str) -> str:
    assert iri.startswith(BASE)
    return server.url + "/" + iri[len(BASE) :]


def minted_iris(server: Server) -> list[str]:
    """Every IRI under id/, vocab/ and graph/ that the seed dataset says something about, by /sparql."""
    query = f"""SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
      FILTER (isIRI(?s) && (STRSTARTS(STR(?s), "{BASE}id/") || STRSTARTS(STR(?s), "{BASE}vocab/")
                            || STRSTARTS(STR(?s), "{BASE}graph/"))) }}"""
    answer = requests.get(server.url + "/sparql", params={"query": query}, timeout=30)
    answer.raise_for_status()
    return sorted(row["s"]["value"] for row in answer.json()["results"]["bindings"])


def parsed(answer: requests.Response, media: str) -> rdflib.Dataset:
    data = rdflib.Dataset()
    data.parse(data=answer.content, format=RDF_FORMATS[media], publicID=answer.url)
    return data


def _context_loader(url: str, options: Any = None) -> dict[str, Any]:
    """pyld's document loader: the contexts come from the server under test (loopback only)."""
    assert url.startswith("http://127.0.0.1:"), url
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": requests.get(url, timeout=10).json()}  # fmt: skip


def jsonld_quads(document: Any) -> set[str]:
    """The N-Quads lines pyld reads from a JSON-LD document (blank nodes left out of the comparison)."""
    text = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": _context_loader})
    return {line for line in text.splitlines() if "_:" not in line}


# ---------------------------------------------------------------------------------------------- resources
def test_every_minted_iri_dereferences_in_every_format(server: Server) -> None:
    names = minted_iris(server)
    assert len(names) > 150 and VNU in names and MOU in names
    session = requests.Session()
    for iri in names:
        url = url_of(server, iri)
        for media in RDF_FORMATS:
            answer = session.get(url, headers={"Accept": media}, timeout=30)
            assert answer.status_code == 200, (iri, media, answer.text)
            assert answer.headers["Content-Type"].startswith(media)
            assert "Accept" in answer.headers["Vary"]
            data = parsed(answer, media)
            subject = rdflib.URIRef(iri)
            about = next(data.quads((subject, None, None, None)), None) or next(
                data.quads((None, None, subject, None)), None
            )
            assert about is not None, (iri, media)
        page = session.get(url, headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html"), iri


def test_the_formats_hold_the_same_statements(server: Server) -> None:
    url = url_of(server, MOU)
    turtle = parsed(requests.get(url, headers={"Accept": "text/turtle"}, timeout=30), "text/turtle")
    graph = rdflib.Graph()
    for triple in turtle.triples((None, None, None)):
        graph.add(triple)
    for media in ("application/n-triples", "application/rdf+xml", "application/ld+json"):
        other = rdflib.Graph().parse(
            data=requests.get(url, headers={"Accept": media}, timeout=30).content, format=RDF_FORMATS[media]
        )
        assert isomorphic(graph, other), media
    assert len(graph) > 20


def test_rdflib_follows_content_negotiation(server: Server) -> None:
    graph = rdflib.Graph().parse(url_of(server, VNU))
    label = rdflib.Literal("Đại học Quốc gia Hà Nội", lang="vi")
    assert (rdflib.URIRef(VNU), rdflib.RDFS.label, label) in graph


def test_jsonld_compacts_against_the_served_context_to_the_same_graph(server: Server) -> None:
    url = url_of(server, MOU)
    document = requests.get(url, headers={"Accept": "application/ld+json"}, timeout=30).json()
    assert document["@context"] == server.url + "/context.jsonld"
    node = next(n for n in document["@graph"] if n["id"] == "cgr:agreement/vnu-tsinghua-mou-2024")
    assert node["type"] == "Agreement"  # framed by type: the context's own term
    assert node["dateSigned"] == "2024-08-27"
    assert "cgr:organization/vnu-hanoi" in node["party"]
    nt = requests.get(url, headers={"Accept": "application/n-triples"}, timeout=30).text
    assert jsonld_quads(document) == {line.strip() for line in nt.splitlines() if line and "_:" not in line}


@needs_rapper
@pytest.mark.parametrize(("media", "syntax"), [("text/turtle", "turtle"), ("application/rdf+xml", "rdfxml")])
def test_an_independent_parser_reads_the_answers(
    server: Server, media: str, syntax: str, tmp_path: Any
) -> None:
    assert RAPPER is not None
    for iri in (
        VNU,
        MOU,
        BASE + "vocab/country/vn",
        BASE + "graph/data/seed/vnu-tsinghua-2025/agreements.yaml",
    ):
        body = requests.get(url_of(server, iri), headers={"Accept": media}, timeout=30).content
        path = tmp_path / "answer"
        path.write_bytes(body)
        result = subprocess.run(
            [RAPPER, "-q", "-i", syntax, "-o", "ntriples", str(path), iri],
            capture_output=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr.decode()
        lines = [line for line in result.stdout.decode().splitlines() if line.strip()]
        expected = rdflib.Graph().parse(data=body, format=RDF_FORMATS[media])
        assert len(lines) == len(expected) > 0, iri


def test_format_parameter_406_and_400(server: Server) -> None:
    url = url_of(server, VNU)
    answer = requests.get(url, params={"format": "nt"}, headers={"Accept": "text/html"}, timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/n-triples")
    answer = requests.get(url, headers={"Accept": "image/png"}, timeout=30)
    assert answer.status_code == 406 and "Accept" in answer.headers["Vary"]
    assert requests.get(url, params={"format": "docx"}, timeout=30).status_code == 400
    assert requests.get(url, timeout=30).headers["Content-Type"].startswith("text/turtle")  # curl's */*
    browser = requests.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, timeout=30)
    assert browser.headers["Content-Type"].startswith("text/html")
    assert browser.headers["Content-Location"] == url + "?format=html"


def test_unknown_iri_is_a_404_that_helps(server: Server) -> None:
    wrong = server.url + "/id/institution/vnu-hanoi"  # the resource is an organization
    text = requests.get(wrong, headers={"Accept": "text/turtle"}, timeout=30)
    assert text.status_code == 404 and VNU in text.text
    page = requests.get(wrong, headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    assert f'href="{server.url}/id/organization/vnu-hanoi"' in page.text
    assert "Vietnam National University, Hanoi" in page.text  # the suggestion by its label
    nothing = requests.get(server.url + "/id/nothing/at-all", headers={"Accept": "text/html"}, timeout=30)
    assert nothing.status_code == 404 and "Did you mean" not in nothing.text


def test_etag_and_304(server: Server) -> None:
    url = url_of(server, VNU)
    for accept in ("text/turtle", "text/html"):
        first = requests.get(url, headers={"Accept": accept}, timeout=30)
        tag = first.headers["ETag"]
        again = requests.get(url, headers={"Accept": accept, "If-None-Match": tag}, timeout=30)
        assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == tag
    turtle = requests.get(url, headers={"Accept": "text/turtle"}, timeout=30).headers["ETag"]
    other = requests.get(
        url, headers={"Accept": "application/n-triples", "If-None-Match": turtle}, timeout=30
    )
    assert other.status_code == 200  # another variant's tag does not match
    stale = requests.get(url, headers={"Accept": "text/turtle", "If-None-Match": '"g0.x"'}, timeout=30)
    assert stale.status_code == 200


def test_the_server_stands_for_its_public_url(store_copy: Any) -> None:
    """Behind a proxy the links lead to the public address; the IRIs in the data stay the project's."""
    public = "https://portal.example.org/coopgraph"
    running = start_server(store_copy, token=None, extra_env={"COOPGRAPH_PUBLIC_URL": public})
    try:
        url = running.url + "/id/organization/vnu-hanoi"
        page = requests.get(url, headers={"Accept": "text/html"}, timeout=30)
        assert f'href="{public}/vocab/country/vn"' in page.text
        assert f'href="{public}/id/agreement/vnu-tsinghua-mou-2024"' in page.text
        assert running.url not in page.text
        assert page.headers["Content-Location"] == public + "/id/organization/vnu-hanoi?format=html"
        turtle = requests.get(url, headers={"Accept": "text/turtle"}, timeout=30)
        graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
        assert (rdflib.URIRef(VNU), None, None) in graph
        document = requests.get(url, headers={"Accept": "application/ld+json"}, timeout=30).json()
        assert document["@context"] == public + "/context.jsonld"
    finally:
        running.stop()


# ---------------------------------------------------------------------------------------------- pages
def test_page_shows_labels_in_the_readers_language(server: Server) -> None:
    url = url_of(server, MOU)
    vi = requests.get(url, params={"lang": "vi"}, headers={"Accept": "text/html"}, timeout=30)
    assert '<html lang="vi">' in vi.text and vi.headers["Content-Language"] == "vi"
    assert "Biên bản ghi nhớ hợp tác giữa Đại học Quốc gia Hà Nội và Đại học Thanh Hoa (2024)" in vi.text
    assert ">Đại học Thanh Hoa<" in vi.text  # a linked IRI shown by its label
    assert "ngày 27 tháng 8 năm 2024" in vi.text  # a date written out
    fr = requests.get(url, headers={"Accept": "text/html", "Accept-Language": "fr-FR,fr;q=0.9"}, timeout=30)
    assert '<html lang="fr">' in fr.text and "27 août 2024" in fr.text
    en = requests.get(url, headers={"Accept": "text/html"}, timeout=30).text
    assert "27 August 2024" in en
    # a value with no label in the reader's language shows a fallback, marked with its language
    assert 'gives the day, 27 August 2024. <span class="lang">en</span>' in vi.text


def test_page_shows_incoming_links_and_provenance(server: Server) -> None:
    page = requests.get(url_of(server, VNU), headers={"Accept": "text/html"}, timeout=30).text
    assert 'id="incoming"' in page
    assert f'href="{server.url}/id/agreement/vnu-tsinghua-mou-2024"' in page  # points at VNU
    assert (
        f'href="{server.url}/graph/data/seed/vnu-tsinghua-2025/organizations.csv"' in page
    )  # the graph of a statement
    assert f'href="{server.url}/id/article/vnu-tsinghua-2025"' in page  # the article the subject cites
    schema = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    described = json.loads(schema)
    assert described["@type"] == "CollegeOrUniversity" and described["@id"] == VNU


def test_page_escapes_values_and_links_only_web_iris(writable_server: Server) -> None:
    hostile = "https://w3id.org/coopgraph/id/organization/hostile-label"
    turtle = f"""
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <{hostile}> rdfs:label "<script>alert(1)</script>"@en ;
        rdfs:seeAlso <javascript:alert(2)> , <mailto:office@example.org> .
    """
    stored = requests.put(
        writable_server.url + "/graphs",
        params={"graph": BASE + "graph/data/test/hostile.ttl"},
        data=turtle.encode(),
        headers={"Content-Type": "text/turtle", **writable_server.auth},
        timeout=60,
    )
    assert stored.status_code in (200, 201, 204), stored.text
    page = requests.get(url_of(writable_server, hostile), headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    assert html.escape("<script>alert(1)</script>") in page.text
    assert 'href="javascript:' not in page.text
    assert 'href="mailto:office@example.org"' in page.text
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_a_write_changes_the_etag(writable_server: Server) -> None:
    url = url_of(writable_server, VNU)
    tag = requests.get(url, headers={"Accept": "text/turtle"}, timeout=30).headers["ETag"]
    graph, alt = BASE + "graph/data/test/x", "http://www.w3.org/2004/02/skos/core#altLabel"
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <{VNU}> <{alt}> "ĐHQG"@vi }} }}'
    stored = requests.post(
        writable_server.url + "/update", data={"update": update}, headers=writable_server.auth, timeout=60
    )
    assert stored.status_code in (200, 204), stored.text
    after = requests.get(url, headers={"Accept": "text/turtle", "If-None-Match": tag}, timeout=30)
    assert after.status_code == 200 and after.headers["ETag"] != tag and '"ĐHQG"@vi' in after.text


# ---------------------------------------------------------------------------------------------- dumps
def _manifest(server: Server) -> dict[str, Any]:
    answer = requests.get(server.url + "/dumps/", params={"format": "json"}, timeout=120)
    answer.raise_for_status()
    return answer.json()


def test_dumps_are_listed_with_checksums_that_hold(server: Server) -> None:
    found = _manifest(server)
    names = {f["name"] for f in found["files"]}
    assert {"coopgraph.nq.gz", "coopgraph.trig.gz", "coopgraph.jsonld.gz"} <= names
    assert any(
        f["graph"] == BASE + "graph/data/seed/vnu-tsinghua-2025/agreements.yaml" for f in found["files"]
    )
    sums = requests.get(server.url + "/dumps/SHA256SUMS", timeout=30).text
    for entry in found["files"]:
        body = requests.get(entry["url"], timeout=60)
        assert body.status_code == 200 and body.headers["Content-Type"] == "application/gzip"
        assert int(body.headers["Content-Length"]) == entry["size"] == len(body.content)
        digest = hashlib.sha256(body.content).hexdigest()
        assert digest == entry["sha256"] and f"{digest}  {entry['name']}\n" in sums
        gzip.decompress(body.content)
    page = requests.get(server.url + "/dumps/", headers={"Accept": "text/html"}, timeout=30)
    assert page.headers["Content-Type"].startswith("text/html") and "coopgraph.trig.gz" in page.text


def _download(server: Server, name: str) -> bytes:
    return gzip.decompress(requests.get(f"{server.url}/dumps/{name}", timeout=60).content)


def test_dumps_hold_the_store_in_every_format(server: Server, tmp_path: Any) -> None:
    exported = tmp_path / "export.nq"
    result = coopgraph("export", "--format", "nquads", "-o", str(exported), store=server.store)
    assert result.returncode == 0, result.stderr
    expected = {line for line in exported.read_text().splitlines() if line and "_:" not in line}
    nquads = _download(server, "coopgraph.nq.gz").decode()
    assert {line for line in nquads.splitlines() if line and "_:" not in line} == expected
    trig = rdflib.Dataset()
    trig.parse(data=_download(server, "coopgraph.trig.gz"), format="trig")
    assert len(trig) == len(nquads.splitlines())
    document = json.loads(
        gzip.decompress(requests.get(server.url + "/dumps/coopgraph.jsonld.gz", timeout=60).content)
    )
    assert document["@context"] == server.url + "/context.jsonld"
    assert jsonld_quads(document) == expected


def test_export_writes_the_same_dump_files(server: Server, tmp_path: Any) -> None:
    found = _manifest(server)
    target = tmp_path / "dumps"
    result = coopgraph(
        "export", "--dumps", str(target), "--context-url", found["context"], store=server.store
    )
    assert result.returncode == 0, result.stderr
    for entry in found["files"]:
        assert hashlib.sha256((target / entry["name"]).read_bytes()).hexdigest() == entry["sha256"]


def test_dumps_answer_conditional_gets(server: Server) -> None:
    url = server.url + "/dumps/coopgraph.nq.gz"
    first = requests.get(url, timeout=60)
    tag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert requests.get(url, headers={"If-None-Match": tag}, timeout=30).status_code == 304
    assert requests.get(url, headers={"If-Modified-Since": modified}, timeout=30).status_code == 304
    earlier = format_datetime(datetime.now(UTC) - timedelta(days=30), usegmt=True)
    assert requests.get(url, headers={"If-Modified-Since": earlier}, timeout=30).status_code == 200
    assert requests.get(url, headers={"If-None-Match": '"other"'}, timeout=30).status_code == 200
    head = requests.head(url, timeout=30)
    assert head.status_code == 200 and head.headers["Content-Length"] == first.headers["Content-Length"]
    assert requests.get(server.url + "/dumps/nothing.gz", timeout=30).status_code == 404


# ---------------------------------------------------------------------------------------------- description
def test_void_describes_the_dataset(server: Server) -> None:
    answer = requests.get(server.url + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=30)
    assert answer.status_code == 200
    graph = rdflib.Graph().parse(data=answer.text, format="turtle")
    void, dcat, dcterms = (rdflib.Namespace(n) for n in (
        "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"))  # fmt: skip
    dataset = rdflib.URIRef(server.url + "/.well-known/void#dataset")
    assert (dataset, rdflib.RDF.type, dcat.Dataset) in graph
    assert (dataset, void.sparqlEndpoint, rdflib.URIRef(server.url + "/sparql")) in graph
    assert graph.value(dataset, dcterms.license) is not None
    assert graph.value(dataset, dcterms.modified) is not None
    assert graph.value(dataset, dcterms.publisher) is not None
    assert len(list(graph.objects(dataset, void.exampleResource))) >= 3
    assert rdflib.URIRef("https://w3id.org/coopgraph/ontology#") in set(
        graph.objects(dataset, void.vocabulary)
    )
    for dump in graph.objects(dataset, void.dataDump):
        assert requests.head(str(dump), timeout=120).status_code == 200
    catalogue = json.loads(coopgraph("graphs", "--format", "json", store=server.store, check=True).stdout)
    for record in catalogue:
        subset = rdflib.URIRef(record["graph"])
        assert (dataset, void.subset, subset) in graph
        assert int(graph.value(subset, void.triples)) == record["triples"]


def test_sitemap_lists_resource_pages(server: Server) -> None:
    answer = requests.get(server.url + "/sitemap.xml", timeout=30)
    assert answer.status_code == 200
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = [loc.text for loc in ET.fromstring(answer.content).iter(f"{namespace}loc")]
    assert url_of(server, VNU) in locations and url_of(server, MOU) in locations
    for location in locations[:20]:
        assert requests.get(location or "", headers={"Accept": "text/html"}, timeout=30).status_code == 200

"""A small store to search: a few institutions, a person, a funder, a project and an agreement, named in
Vietnamese, English, French, Chinese and Japanese, on the project's ontology and its country and province
vocabularies. The fixture conforms to the shapes: it can be ingested as a steward would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat

from coopgraph import iris
from coopgraph.store import Store, open_store
from tests.conftest import PROJECT, Server, coopgraph, start_server

ONTOLOGY = PROJECT / "ontology" / "coopgraph.ttl"
DATA_GRAPH = iris.graph_iri("data", "search-fixture.ttl")
ORG = iris.RESOURCE + "organization/"
PROVINCE = iris.VOCAB + "province/"
COUNTRY = iris.VOCAB + "country/"
VOCABULARIES = ("country", "province")
VOCAB_GRAPH = iris.graph_iri("vocabulary", "")

FIXTURE = """
@prefix cg: <https://w3id.org/coopgraph/ontology#> .
@prefix org: <https://w3id.org/coopgraph/id/organization/> .
@prefix article: <https://w3id.org/coopgraph/id/article/> .
@prefix country: <https://w3id.org/coopgraph/vocab/country/> .
@prefix province: <https://w3id.org/coopgraph/vocab/province/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

article:search-fixture a schema:NewsArticle ; rdfs:label "Names to search for"@en ;
    schema:inLanguage "en" ; schema:datePublished "2025"^^xsd:gYear ; schema:url <https://example.org/names> ;
    dcterms:source article:search-fixture .

org:ha-long-university a cg:University ; dcterms:source article:search-fixture ;
    rdfs:label "Trường Đại học Hạ Long"@vi, "Ha Long University"@en, "Université d'Ha Long"@fr ;
    cg:country country:vn ; schema:location province:quang-ninh ;
    schema:url <https://daihochalong.edu.vn/> ; schema:foundingDate "2014"^^xsd:gYear .

org:tsinghua-university a cg:University ; dcterms:source article:search-fixture ;
    rdfs:label "Đại học Thanh Hoa"@vi, "Tsinghua University"@en, "清华大学"@zh ;
    skos:altLabel "ĐH Thanh Hoa"@vi ;
    cg:country country:cn ; cg:rorId "03cve4549" ; cg:wikidataId "Q16955" .

org:vnu-hanoi a cg:University ; dcterms:source article:search-fixture ;
    rdfs:label "Đại học Quốc gia Hà Nội"@vi, "Vietnam National University, Hanoi"@en, "越南河内国家大学"@zh ;
    skos:altLabel "ĐHQGHN"@vi ; cg:acronym "VNU" ; cg:country country:vn .

org:lang-son-doet a cg:EducationDepartment ; dcterms:source article:search-fixture ;
    rdfs:label "Sở Giáo dục và Đào tạo tỉnh Lạng Sơn"@vi, "Lang Son Department of Education and Training"@en ;
    cg:country country:vn ; schema:location province:lang-son ; cg:jurisdiction province:lang-son .

org:osaka-university a cg:University ; dcterms:source article:search-fixture ;
    rdfs:label "Osaka University"@en, "大阪大学"@ja, "Đại học Osaka"@vi ; cg:country country:jp .

org:european-union a cg:IntergovernmentalOrganisation ; dcterms:source article:search-fixture ;
    rdfs:label "European Union"@en, "Liên minh châu Âu"@vi ; cg:acronym "EU" .

<https://w3id.org/coopgraph/id/project/revfin> a cg:Project ; dcterms:source article:search-fixture ;
    rdfs:label "REVFIN: fishing gear waste in Vietnamese waters"@en ;
    cg:funding <https://w3id.org/coopgraph/id/funding/revfin> .
<https://w3id.org/coopgraph/id/funding/revfin> a cg:Funding ; dcterms:source article:search-fixture ;
    rdfs:label "Funding of REVFIN by the European Union"@en ; cg:funder org:european-union .

<https://w3id.org/coopgraph/id/person/le-quan> a schema:Person ; dcterms:source article:search-fixture ;
    rdfs:label "Lê Quân"@vi, "Le Quan"@en .

<https://w3id.org/coopgraph/id/agreement/vnu-tsinghua-mou> a cg:Agreement ;
    dcterms:source article:search-fixture ;
    cg:agreementType <https://w3id.org/coopgraph/vocab/agreement-type/memorandum-of-understanding> ;
    cg:party org:vnu-hanoi, org:tsinghua-university ;
    rdfs:label "Biên bản ghi nhớ giữa Đại học Quốc gia Hà Nội và Đại học Thanh Hoa"@vi,
        "Memorandum between Vietnam National University, Hanoi and Tsinghua University"@en .
"""


def fixture_store(root: Path) -> Store:
    """A store holding the ontology, the country and province vocabularies, and the fixture (no shapes:
    loaded through the store's interface, not validated)."""
    store = open_store(root)
    with store.transaction() as tx:
        tx.load(ONTOLOGY, RdfFormat.TURTLE, iris.graph_iri("ontology", "coopgraph.ttl"))
        for scheme in VOCABULARIES:
            tx.load(
                PROJECT / "ontology" / "vocabularies" / f"{scheme}.ttl",
                RdfFormat.TURTLE,
                VOCAB_GRAPH + scheme,
            )
        tx.load(FIXTURE.encode(), RdfFormat.TURTLE, DATA_GRAPH)
    return store


def names_store(folder: Path) -> Path:
    """A store made as a steward makes one: ``coopgraph init --no-seed``, then the fixture ingested (and
    validated) from a file."""
    source = folder / "names.ttl"
    source.write_text(FIXTURE, encoding="utf-8")
    store = folder / "store"
    for args in (("init", "--no-seed"), ("ingest", str(source))):
        result = coopgraph(*args, store=store)
        assert result.returncode == 0, result.stderr
    return store


@pytest.fixture(scope="session")
def names_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A read-only server of the fixture (tests must not write to it)."""
    running = start_server(names_store(tmp_path_factory.mktemp("names")), seed=False)
    yield running
    running.stop()

"""A small store to search: a few institutions, a province, a person, a funder and an agreement, named in
Vietnamese, English, French, Chinese and Japanese, on the project's ontology."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import RdfFormat

from coopgraph import iris
from coopgraph.store import Store, open_store
from tests.conftest import PROJECT

ONTOLOGY = PROJECT / "ontology" / "coopgraph.ttl"
DATA_GRAPH = iris.graph_iri("data", "search-fixture.ttl")
ORG = iris.RESOURCE + "organization/"
PROVINCE = iris.VOCAB + "province/"
COUNTRY = iris.VOCAB + "country/"

FIXTURE = """
@prefix cg: <https://w3id.org/coopgraph/ontology#> .
@prefix org: <https://w3id.org/coopgraph/id/organization/> .
@prefix country: <https://w3id.org/coopgraph/vocab/country/> .
@prefix province: <https://w3id.org/coopgraph/vocab/province/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

country:vn a skos:Concept, schema:Country ; cg:isoCode "VN" ;
    skos:prefLabel "Vietnam"@en, "Việt Nam"@vi, "越南"@zh .
country:cn a skos:Concept, schema:Country ; cg:isoCode "CN" ;
    skos:prefLabel "China"@en, "Trung Quốc"@vi, "中国"@zh .
country:jp a skos:Concept, schema:Country ; cg:isoCode "JP" ; skos:prefLabel "Japan"@en .

province:lang-son a skos:Concept, cg:Province ; cg:isoCode "VN-09" ; cg:country country:vn ;
    skos:prefLabel "Lang Son"@en, "Lạng Sơn"@vi, "谅山省"@zh .
province:quang-ninh a skos:Concept, cg:Province ; cg:isoCode "VN-13" ; cg:country country:vn ;
    skos:prefLabel "Quang Ninh"@en, "Quảng Ninh"@vi .

org:ha-long-university a cg:University ;
    rdfs:label "Trường Đại học Hạ Long"@vi, "Ha Long University"@en, "Université d'Ha Long"@fr ;
    cg:country country:vn ; schema:location province:quang-ninh ;
    schema:url <https://daihochalong.edu.vn/> ; schema:foundingDate "2014"^^xsd:gYear .

org:tsinghua-university a cg:University ;
    rdfs:label "Đại học Thanh Hoa"@vi, "Tsinghua University"@en, "清华大学"@zh ;
    skos:altLabel "ĐH Thanh Hoa"@vi ;
    cg:country country:cn ; cg:rorId "03cve4549" ; cg:wikidataId "Q16955" .

org:vnu-hanoi a cg:University ;
    rdfs:label "Đại học Quốc gia Hà Nội"@vi, "Vietnam National University, Hanoi"@en, "越南河内国家大学"@zh ;
    skos:altLabel "ĐHQGHN"@vi ; cg:acronym "VNU" ; cg:country country:vn .

org:lang-son-doet a cg:EducationDepartment ;
    rdfs:label "Sở Giáo dục và Đào tạo tỉnh Lạng Sơn"@vi, "Lang Son Department of Education and Training"@en ;
    cg:country country:vn ; schema:location province:lang-son .

org:osaka-university a cg:University ;
    rdfs:label "Osaka University"@en, "大阪大学"@ja, "Đại học Osaka"@vi ; cg:country country:jp .

org:european-union a cg:IntergovernmentalOrganisation ;
    rdfs:label "European Union"@en, "Liên minh châu Âu"@vi ; cg:acronym "EU" .

<https://w3id.org/coopgraph/id/project/revfin> a cg:Project ;
    rdfs:label "REVFIN: fishing gear waste in Vietnamese waters"@en ;
    cg:funding <https://w3id.org/coopgraph/id/funding/revfin> .
<https://w3id.org/coopgraph/id/funding/revfin> a cg:Funding ; cg:funder org:european-union .

<https://w3id.org/coopgraph/id/person/le-quan> a schema:Person ; rdfs:label "Lê Quân"@vi, "Le Quan"@en .

<https://w3id.org/coopgraph/id/agreement/vnu-tsinghua-mou> a cg:Agreement ;
    rdfs:label "Biên bản ghi nhớ giữa Đại học Quốc gia Hà Nội và Đại học Thanh Hoa"@vi,
        "Memorandum between Vietnam National University, Hanoi and Tsinghua University"@en .
"""


def fixture_store(root: Path, extra: str = "") -> Store:
    """A store holding the ontology and the fixture (and ``extra`` Turtle in the same graph)."""
    store = open_store(root)
    with store.transaction() as tx:
        tx.load(ONTOLOGY, RdfFormat.TURTLE, iris.graph_iri("ontology", "coopgraph.ttl"))
        tx.load((FIXTURE + extra).encode(), RdfFormat.TURTLE, DATA_GRAPH)
    return store

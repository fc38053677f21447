"""The SHACL shapes in shapes/: they pass the SHACL meta-shapes, a complete valid
example produces no result at all, and each invalid example produces exactly the
expected results (focus node, path, constraint component, severity) — with
pyshacl and with the project's own validator, ingest.shacl.

Every case starts from BASE (valid and complete, so no warning either) plus the
ontology and the vocabularies, removes some triples and adds others.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
import rdflib
from pyshacl.entrypoints import meta_validate
from rdflib import RDF, BNode, URIRef
from rdflib.namespace import SH

ROOT = Path(__file__).resolve().parents[1]
SHAPE_FILES = sorted((ROOT / "shapes").glob("*.ttl"))
CGSH = "https://w3id.org/coopgraph/shapes#"

PREFIXES = """
@prefix cg:      <https://w3id.org/coopgraph/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema:  <http://schema.org/> .
@prefix time:    <http://www.w3.org/2006/time#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix x:       <https://w3id.org/coopgraph/id/test/> .
@prefix role:    <https://w3id.org/coopgraph/vocab/participation-role/> .
@prefix post:    <https://w3id.org/coopgraph/vocab/post-role/> .
@prefix atype:   <https://w3id.org/coopgraph/vocab/agreement-type/> .
@prefix status:  <https://w3id.org/coopgraph/vocab/status/> .
@prefix topic:   <https://w3id.org/coopgraph/vocab/topic/> .
@prefix measure: <https://w3id.org/coopgraph/vocab/measure/> .
@prefix country: <https://w3id.org/coopgraph/vocab/country/> .
@prefix province: <https://w3id.org/coopgraph/vocab/province/> .
"""

# A small, complete and valid dataset: every shape that targets it is satisfied,
# recommended ones included.
BASE = """
x:article a schema:NewsArticle ; rdfs:label "A test article"@en ; schema:inLanguage "vi" ;
    schema:datePublished "2025-05"^^xsd:gYearMonth ; schema:publisher x:news ;
    schema:url <https://example.org/article> ; dcterms:source x:article .
x:news a schema:NewsMediaOrganization , org:FormalOrganization ; rdfs:label "Báo Thử"@vi , "Test News"@en ,
    "Journal test"@fr ; cg:country country:vn ; dcterms:source x:article .
x:uni-a a cg:University ; rdfs:label "Đại học A"@vi , "University A"@en , "Université A"@fr ;
    cg:country country:vn ; schema:location province:quang-ninh ; dcterms:source x:article .
x:uni-b a cg:University ; rdfs:label "University B"@en , "Université B"@fr , "乙大学"@zh ;
    cg:country country:cn ;
    cg:rorId "03cve4549" ; cg:wikidataId "Q16955" ; dcterms:source x:article .
x:gov-jp a cg:Government ; rdfs:label "Government of Japan"@en , "Gouvernement japonais"@fr ;
    cg:country country:jp ; cg:jurisdiction country:jp ; dcterms:source x:article .
x:net a cg:UniversityNetwork ; rdfs:label "Network"@en , "Réseau"@fr ; dcterms:source x:article .
x:p1 a schema:Person ; rdfs:label "Person One"@en , "Personne Un"@fr ; dcterms:source x:article .
x:p2 a schema:Person ; rdfs:label "Person Two"@en , "Personne Deux"@fr ; dcterms:source x:article .
x:post-a a org:Post ; rdfs:label "President of University A"@en ; org:postIn x:uni-a ;
    org:role post:university-president ; org:heldBy x:p1 ; dcterms:source x:article .
x:post-b a org:Post ; rdfs:label "President of University B"@en ; org:postIn x:uni-b ;
    org:role post:university-president ; org:heldBy x:p2 ; dcterms:source x:article .
x:ag a cg:Agreement ; rdfs:label "Agreement"@en ; cg:agreementType atype:memorandum-of-understanding ;
    cg:party x:uni-a , x:uni-b ; cg:dateSigned "2025-03-02"^^xsd:date ; cg:status status:signed ;
    cg:topic topic:student-exchange ; cg:scope "student exchange"@en ; dcterms:source x:article .
x:sa a cg:SigningAct ; rdfs:label "Signing"@en ; cg:signingOf x:ag ; dcterms:date "2025-03-02"^^xsd:date ;
    cg:occasion x:ev ; prov:qualifiedAssociation x:sig1 , x:sig2 ; dcterms:source x:article .
x:sig1 a cg:Signatory ; prov:agent x:p1 ; prov:hadRole role:signatory ; cg:onBehalfOf x:uni-a ;
    cg:inCapacityOf x:post-a ; dcterms:source x:article .
x:sig2 a cg:Signatory ; prov:agent x:p2 ; prov:hadRole role:signatory ; cg:onBehalfOf x:uni-b ;
    cg:inCapacityOf x:post-b ; dcterms:source x:article .
x:pr a cg:Project ; rdfs:label "Project"@en ; cg:acronym "PRJ" ; cg:topic topic:music-education ;
    cg:funding x:fu ; cg:fundedBy x:gov-jp ; cg:targetArea country:vn ; prov:qualifiedAssociation x:pa1 ;
    dcterms:source x:article .
x:fu a cg:Funding ; rdfs:label "Funding"@en ; cg:funder x:gov-jp ; cg:amount x:amount ;
    dcterms:source x:article .
x:amount a schema:MonetaryAmount ; schema:value 1000 ; schema:currency "EUR" .
x:pa1 a cg:Participation ; prov:agent x:uni-a ; prov:hadRole role:partner ;
    schema:startDate "2020"^^xsd:gYear ; schema:endDate "2021-06"^^xsd:gYearMonth ; dcterms:source x:article .
x:m1 a org:Membership ; rdfs:label "Membership"@en ; org:member x:uni-a ; org:organization x:net ;
    org:role role:member ; org:memberDuring x:i1 ; dcterms:source x:article .
x:i1 a time:ProperInterval ; time:hasBeginning x:t1 .
x:t1 a time:Instant ; time:inXSDgYear "2020"^^xsd:gYear .
x:c1 a cg:ReportedCount ; rdfs:label "Members"@en ; cg:countSubject x:net ;
    cg:measure measure:member-organisations ;
    cg:countValue "23"^^xsd:nonNegativeInteger ; dcterms:date "2025"^^xsd:gYear ; dcterms:source x:article .
x:ev a cg:Conference ; rdfs:label "Conference"@en ; schema:startDate "2025-03-01"^^xsd:date ;
    prov:qualifiedAssociation x:pa2 ; dcterms:source x:article .
x:pa2 a cg:Participation ; prov:agent x:uni-b ; prov:hadRole role:organiser ; dcterms:source x:article .
x:pl a cg:Plan ; rdfs:label "Plan"@en ; dcterms:identifier "1/KH" ; dcterms:issued "2025"^^xsd:gYear ;
    dcterms:publisher x:gov-jp ; cg:topic topic:international-integration ; dcterms:source x:article .
x:ps a cg:Partnership ; rdfs:label "Partnership"@en ; cg:partner x:uni-a , x:uni-b ;
    schema:startDate "2006"^^xsd:gYear ; dcterms:source x:article .
"""

X = "https://w3id.org/coopgraph/id/test/"
CG = "https://w3id.org/coopgraph/ontology#"
V = "https://w3id.org/coopgraph/vocab/"
P = {
    "cg": CG,
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "http://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "time": "http://www.w3.org/2006/time#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}
VIOLATION, WARNING = str(SH.Violation), str(SH.Warning)


def iri(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return P[prefix] + local


@dataclass(frozen=True)
class Expected:
    focus: str  # "x:local" or a full IRI
    path: str | None  # "cg:party", "^prov:qualifiedAssociation" or None
    component: str  # local name in sh:, e.g. "MinCountConstraintComponent"
    severity: str = VIOLATION

    def key(self) -> tuple[str, str | None, str, str]:
        focus = X + self.focus[2:] if self.focus.startswith("x:") else self.focus
        path = None
        if self.path is not None:
            path = f"^<{iri(self.path[1:])}>" if self.path.startswith("^") else f"<{iri(self.path)}>"
        return focus, path, str(SH) + self.component, self.severity


@dataclass(frozen=True)
class Case:
    name: str
    expected: tuple[Expected, ...]
    add: str = ""
    remove: str = ""
    why: str = field(default="", compare=False)


def V_(focus: str, path: str | None, component: str) -> Expected:
    return Expected(focus, path, component, VIOLATION)


def W_(focus: str, path: str | None, component: str) -> Expected:
    return Expected(focus, path, component, WARNING)


MIN, MAX, CLASS, SPARQL = (
    "MinCountConstraintComponent",
    "MaxCountConstraintComponent",
    "ClassConstraintComponent",
    "SPARQLConstraintComponent",
)

CASES: list[Case] = [
    # --- valid variants: partial dates of every allowed precision, widest reading of ranges
    Case("valid-base", ()),
    Case(
        "valid-signing-year-only",
        (),
        remove="x:ag cg:dateSigned '2025-03-02'^^xsd:date . x:sa dcterms:date '2025-03-02'^^xsd:date .",
        add="x:ag cg:dateSigned '2025'^^xsd:gYear . x:sa dcterms:date '2025-03'^^xsd:gYearMonth .",
    ),
    Case(
        "valid-end-same-year-as-start",
        (),
        remove="x:pa1 schema:endDate '2021-06'^^xsd:gYearMonth .",
        add="x:pa1 schema:endDate '2020'^^xsd:gYear .",
    ),
    # --- agreements
    Case(
        "agreement-one-party",
        (V_("x:ag", "cg:party", MIN),),
        remove="x:ag cg:party x:uni-b . x:sa prov:qualifiedAssociation x:sig2 . x:sig2 a cg:Signatory ; "
        "prov:agent x:p2 ; prov:hadRole role:signatory ; cg:onBehalfOf x:uni-b ; cg:inCapacityOf x:post-b ; "
        "dcterms:source x:article .",
    ),
    Case("agreement-party-is-a-person", (V_("x:ag", "cg:party", CLASS),), add="x:ag cg:party x:p1 ."),
    Case(
        "agreement-without-type",
        (V_("x:ag", "cg:agreementType", MIN),),
        remove="x:ag cg:agreementType atype:memorandum-of-understanding .",
    ),
    Case(
        "agreement-two-types",
        (V_("x:ag", "cg:agreementType", MAX),),
        add="x:ag cg:agreementType atype:cooperation-agreement .",
    ),
    Case(
        "agreement-type-outside-vocabulary",
        (V_("x:ag", "cg:agreementType", "NodeConstraintComponent"),),
        remove="x:ag cg:agreementType atype:memorandum-of-understanding .",
        add="x:ag cg:agreementType status:signed .",
    ),
    Case(
        "agreement-topic-outside-vocabulary",
        (V_("x:ag", "cg:topic", "NodeConstraintComponent"),),
        add="x:ag cg:topic role:partner .",
    ),
    Case(
        "date-with-time-is-not-a-partial-date",
        (V_("x:ag", "cg:dateSigned", "OrConstraintComponent"),),
        remove="x:ag cg:dateSigned '2025-03-02'^^xsd:date .",
        add="x:ag cg:dateSigned '2025-03-02T10:00:00'^^xsd:dateTime .",
    ),
    Case(
        "date-as-plain-string",
        (V_("x:ev", "schema:startDate", "OrConstraintComponent"),),
        remove="x:ev schema:startDate '2025-03-01'^^xsd:date .",
        add="x:ev schema:startDate '1 March 2025' .",
    ),
    Case(
        "agreement-two-signing-dates",
        (V_("x:ag", "cg:dateSigned", MAX),),
        add="x:ag cg:dateSigned '2025-03'^^xsd:gYearMonth .",
    ),
    Case(
        "agreement-ended-before-signed",
        (V_("x:ag", "cg:dateEnded", SPARQL),),
        add="x:ag cg:dateEnded '2024'^^xsd:gYear .",
    ),
    Case(
        "signed-after-source-published",
        (V_("x:ag", "cg:dateSigned", SPARQL), V_("x:sa", "dcterms:date", SPARQL)),
        remove="x:ag cg:dateSigned '2025-03-02'^^xsd:date . x:sa dcterms:date '2025-03-02'^^xsd:date .",
        add="x:ag cg:dateSigned '2025-06-01'^^xsd:date . x:sa dcterms:date '2025-06-01'^^xsd:date .",
    ),
    # --- signing acts and signatories
    Case(
        "signatory-for-a-non-party",
        (V_("x:sig2", "cg:onBehalfOf", SPARQL),),
        remove="x:sig2 cg:onBehalfOf x:uni-b ; cg:inCapacityOf x:post-b .",
        add="x:sig2 cg:onBehalfOf x:gov-jp ; cg:inCapacityOf x:post-c . x:post-c a org:Post ; "
        "rdfs:label 'Prime minister'@en ; org:postIn x:gov-jp ; org:role post:prime-minister ; "
        "org:heldBy x:p2 ; "
        "dcterms:source x:article .",
    ),
    Case(
        "signatory-is-an-organisation",
        (V_("x:sig1", "prov:agent", CLASS), V_("x:sig1", "cg:inCapacityOf", SPARQL)),
        remove="x:sig1 prov:agent x:p1 .",
        add="x:sig1 prov:agent x:uni-a .",
    ),
    Case(
        "signatory-does-not-hold-the-post",
        (V_("x:sig1", "cg:inCapacityOf", SPARQL),),
        remove="x:post-a org:heldBy x:p1 .",
        add="x:post-a org:heldBy x:p2 .",
    ),
    Case(
        "signatory-with-witness-role",
        (V_("x:sig1", "prov:hadRole", "HasValueConstraintComponent"),),
        remove="x:sig1 prov:hadRole role:signatory .",
        add="x:sig1 prov:hadRole role:witness .",
    ),
    Case(
        "signatory-for-nobody", (V_("x:sig1", "cg:onBehalfOf", MIN),), remove="x:sig1 cg:onBehalfOf x:uni-a ."
    ),
    Case(
        "signing-act-signs-two-agreements",
        (V_("x:sa", "cg:signingOf", MAX),),
        add="x:sa cg:signingOf x:ag2 . x:ag2 a cg:Agreement ; rdfs:label 'Second'@en ; "
        "cg:agreementType atype:cooperation-agreement ; cg:party x:uni-a , x:uni-b ; "
        "cg:status status:signed ; "
        "cg:dateSigned '2025-03-02'^^xsd:date ; cg:topic topic:student-exchange ; dcterms:source x:article .",
    ),
    # --- participations
    Case(
        "participation-without-role",
        (V_("x:pa1", "prov:hadRole", MIN),),
        remove="x:pa1 prov:hadRole role:partner .",
    ),
    Case(
        "participation-role-outside-vocabulary",
        (V_("x:pa1", "prov:hadRole", "NodeConstraintComponent"),),
        remove="x:pa1 prov:hadRole role:partner .",
        add="x:pa1 prov:hadRole topic:music-education .",
    ),
    Case(
        "participation-attached-to-nothing",
        (V_("x:pa9", "^prov:qualifiedAssociation", MIN),),
        add="x:pa9 a cg:Participation ; prov:agent x:uni-a ; prov:hadRole role:partner ; "
        "dcterms:source x:article .",
    ),
    Case(
        "participation-agent-is-a-place",
        (V_("x:pa1", "prov:agent", "OrConstraintComponent"),),
        remove="x:pa1 prov:agent x:uni-a .",
        add="x:pa1 prov:agent country:vn .",
    ),
    Case(
        "end-before-start",
        (V_("x:pa1", "schema:endDate", SPARQL),),
        remove="x:pa1 schema:endDate '2021-06'^^xsd:gYearMonth .",
        add="x:pa1 schema:endDate '2019-12-31'^^xsd:date .",
    ),
    # --- funding
    Case(
        "funder-is-a-country",
        (V_("x:fu", "cg:funder", CLASS), V_("x:fu", "cg:funder", SPARQL)),
        remove="x:fu cg:funder x:gov-jp . x:pr cg:fundedBy x:gov-jp .",
        add="x:fu cg:funder country:jp .",
    ),
    Case(
        "funded-by-a-country",
        (
            V_("x:pr", "cg:fundedBy", CLASS),
            V_("x:pr", "cg:fundedBy", SPARQL),
            W_("x:pr", "cg:fundedBy", SPARQL),
        ),
        remove="x:pr cg:fundedBy x:gov-jp .",
        add="x:pr cg:fundedBy country:jp .",
    ),
    Case(
        "funding-without-funder",
        (V_("x:fu", "cg:funder", MIN), W_("x:pr", "cg:fundedBy", SPARQL)),
        remove="x:fu cg:funder x:gov-jp .",
    ),
    Case(
        "amount-with-bad-currency",
        (V_("x:amount", "schema:currency", "PatternConstraintComponent"),),
        remove="x:amount schema:currency 'EUR' .",
        add="x:amount schema:currency 'euro' .",
    ),
    # --- memberships and time
    Case(
        "member-of-itself",
        (V_("x:m1", "org:member", SPARQL),),
        remove="x:m1 org:member x:uni-a .",
        add="x:m1 org:member x:net .",
    ),
    Case("membership-role-missing", (V_("x:m1", "org:role", MIN),), remove="x:m1 org:role role:member ."),
    Case(
        "interval-ends-before-it-begins",
        (V_("x:i1", "time:hasEnd", SPARQL),),
        add="x:i1 time:hasEnd x:t2 . x:t2 a time:Instant ; time:inXSDgYear '2019'^^xsd:gYear .",
    ),
    Case(
        "instant-given-two-ways",
        (V_("x:t1", None, "XoneConstraintComponent"),),
        add="x:t1 time:inXSDDate '2020-01-01'^^xsd:date .",
    ),
    # --- sources and labels
    Case("no-source", (V_("x:ev", "dcterms:source", MIN),), remove="x:ev dcterms:source x:article ."),
    Case(
        "source-is-not-an-article",
        (V_("x:ev", "dcterms:source", CLASS),),
        remove="x:ev dcterms:source x:article .",
        add="x:ev dcterms:source x:uni-a .",
    ),
    Case(
        "label-without-language",
        (V_("x:p1", "rdfs:label", "DatatypeConstraintComponent"),),
        add="x:p1 rdfs:label 'Plain name' .",
    ),
    Case(
        "two-labels-in-one-language",
        (V_("x:p1", "rdfs:label", "UniqueLangConstraintComponent"),),
        add="x:p1 rdfs:label 'Another name'@en .",
    ),
    Case(
        "labels-in-any-language",
        (),
        add="x:p1 rdfs:label 'Person Eins'@de , '인물 하나'@ko , 'บุคคลหนึ่ง'@th , 'ບຸກຄົນໜຶ່ງ'@lo , "
        "'បុគ្គលមួយ'@km , '人物一'@zh-Hant .",
        why="any well-formed BCP 47 tag is accepted beside the main label",
    ),
    Case(
        "no-label-in-vietnamese-or-english",
        (
            V_("x:p1", "rdfs:label", "QualifiedMinCountConstraintComponent"),
            W_("x:p1", "rdfs:label", "QualifiedMinCountConstraintComponent"),
        ),
        remove="x:p1 rdfs:label 'Person One'@en .",
        add="x:p1 rdfs:label '인물 하나'@ko .",
    ),
    Case(
        "no-label",
        (
            V_("x:c1", "rdfs:label", MIN),
            V_("x:c1", "rdfs:label", "QualifiedMinCountConstraintComponent"),
            W_("x:c1", "rdfs:label", "QualifiedMinCountConstraintComponent"),
        ),
        remove="x:c1 rdfs:label 'Members'@en .",
    ),
    # --- identifiers and places
    Case(
        "ror-given-as-url",
        (V_("x:uni-b", "cg:rorId", "PatternConstraintComponent"),),
        remove="x:uni-b cg:rorId '03cve4549' .",
        add="x:uni-b cg:rorId 'https://ror.org/03cve4549' .",
    ),
    Case(
        "wikidata-without-q",
        (V_("x:uni-b", "cg:wikidataId", "PatternConstraintComponent"),),
        remove="x:uni-b cg:wikidataId 'Q16955' .",
        add="x:uni-b cg:wikidataId '16955' .",
    ),
    Case(
        "country-code-alpha-3",
        (V_(V + "country/de", "cg:isoCode", "PatternConstraintComponent"),),
        remove="country:de cg:isoCode 'DE' .",
        add="country:de cg:isoCode 'DEU' .",
    ),
    Case(
        "province-code-of-another-country",
        (V_(V + "province/guangxi", "cg:isoCode", SPARQL),),
        remove="province:guangxi cg:isoCode 'CN-GX' .",
        add="province:guangxi cg:isoCode 'VN-GX' .",
    ),
    Case(
        "province-without-iso-code",
        (V_(V + "province/guangxi", "cg:isoCode", SPARQL),),
        remove="province:guangxi cg:isoCode 'CN-GX' .",
        why="only a unit created after the ISO list (cg:validFrom) may have no code",
    ),
    Case(
        "organisation-country-outside-vocabulary",
        (V_("x:uni-a", "cg:country", "NodeConstraintComponent"),),
        remove="x:uni-a cg:country country:vn .",
        add="x:uni-a cg:country province:quang-ninh .",
    ),
    Case(
        "unit-of-nothing",
        (V_("x:lab", "org:unitOf", MIN),),
        add="x:lab a cg:Laboratory ; rdfs:label 'Lab'@en , 'Laboratoire'@fr ; dcterms:source x:article .",
    ),
    Case(
        "government-body-without-jurisdiction",
        (V_("x:gov-jp", "cg:jurisdiction", MIN),),
        remove="x:gov-jp cg:jurisdiction country:jp .",
    ),
    Case(
        "post-in-no-organisation",
        (V_("x:post-z", "org:postIn", MIN),),
        add="x:post-z a org:Post ; rdfs:label 'Post'@en ; org:role post:prime-minister ; "
        "dcterms:source x:article .",
    ),
    Case(
        "count-not-a-whole-number",
        (V_("x:c1", "cg:countValue", "DatatypeConstraintComponent"),),
        remove="x:c1 cg:countValue '23'^^xsd:nonNegativeInteger .",
        add="x:c1 cg:countValue '-1'^^xsd:integer .",
    ),
    Case(
        "article-without-publication-date",
        (V_("x:article", "schema:datePublished", MIN),),
        remove="x:article schema:datePublished '2025-05'^^xsd:gYearMonth .",
    ),
    Case(
        "article-url-as-string",
        (V_("x:article", "schema:url", "NodeKindConstraintComponent"),),
        remove="x:article schema:url <https://example.org/article> .",
        add="x:article schema:url 'https://example.org/article' .",
    ),
    Case("partnership-of-one", (V_("x:ps", "cg:partner", MIN),), remove="x:ps cg:partner x:uni-b ."),
    Case(
        "plan-without-issuer",
        (V_("x:pl", "dcterms:publisher", MIN),),
        remove="x:pl dcterms:publisher x:gov-jp .",
    ),
    Case(
        "place-inside-an-organisation",
        (V_(V + "province/guangxi", "schema:containedInPlace", CLASS),),
        add="province:guangxi schema:containedInPlace x:uni-a .",
    ),
    # --- recommended (sh:Warning)
    Case(
        "agreement-without-status", (W_("x:ag", "cg:status", MIN),), remove="x:ag cg:status status:signed ."
    ),
    Case(
        "planned-agreement-with-signing-date",
        (W_("x:ag", "cg:dateSigned", SPARQL),),
        remove="x:ag cg:status status:signed .",
        add="x:ag cg:status status:planned .",
    ),
    Case(
        "signed-agreement-without-signing-act",
        (W_("x:ag2", "cg:status", SPARQL),),
        add="x:ag2 a cg:Agreement ; rdfs:label 'Second'@en ; cg:agreementType atype:cooperation-agreement ; "
        "cg:party x:uni-a , x:uni-b ; cg:status status:signed ; cg:dateSigned '2025-03-02'^^xsd:date ; "
        "cg:topic topic:student-exchange ; dcterms:source x:article .",
    ),
    Case(
        "signing-date-disagrees-with-agreement",
        (W_("x:sa", "dcterms:date", SPARQL),),
        remove="x:sa dcterms:date '2025-03-02'^^xsd:date .",
        add="x:sa dcterms:date '2025-01'^^xsd:gYearMonth .",
    ),
    Case(
        "signatory-post-outside-the-party",
        (W_("x:sig1", "cg:inCapacityOf", SPARQL),),
        remove="x:post-a org:postIn x:uni-a .",
        add="x:post-a org:postIn x:uni-b .",
    ),
    Case(
        "no-english-label",
        (W_("x:p1", "rdfs:label", "QualifiedMinCountConstraintComponent"),),
        remove="x:p1 rdfs:label 'Person One'@en .",
        add="x:p1 rdfs:label 'Người Một'@vi .",
    ),
    Case(
        "vietnamese-organisation-without-vietnamese-name",
        (W_("x:uni-a", "rdfs:label", SPARQL),),
        remove="x:uni-a rdfs:label 'Đại học A'@vi .",
    ),
    Case(
        "institution-without-country",
        (W_("x:uni-b", "cg:country", MIN),),
        remove="x:uni-b cg:country country:cn .",
    ),
    Case(
        "project-without-funding",
        (W_("x:pr", "cg:funding", MIN),),
        remove="x:pr cg:funding x:fu ; cg:fundedBy x:gov-jp . x:fu a cg:Funding ; rdfs:label 'Funding'@en ; "
        "cg:funder x:gov-jp ; cg:amount x:amount ; dcterms:source x:article . "
        "x:amount a schema:MonetaryAmount ; "
        "schema:value 1000 ; schema:currency 'EUR' .",
    ),
    Case(
        "funded-by-without-funding-node",
        (W_("x:pr", "cg:fundedBy", SPARQL),),
        add="x:pr cg:fundedBy x:uni-b .",
    ),
    Case(
        "event-without-date",
        (W_("x:ev", "schema:startDate", MIN),),
        remove="x:ev schema:startDate '2025-03-01'^^xsd:date .",
    ),
    Case(
        "article-without-publisher",
        (W_("x:article", "schema:publisher", MIN),),
        remove="x:article schema:publisher x:news .",
    ),
]


def _turtle(body: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=PREFIXES + body.replace("'", '"'), format="turtle")


PLACE_SCHEMES = ("country", "province", "city")
VOCAB = "https://w3id.org/coopgraph/vocab/"


def _named_places() -> set[URIRef]:
    """The places the cases name, and the places those lie in."""
    text = BASE + "".join(c.add + c.remove for c in CASES)
    return {
        URIRef(f"{VOCAB}{scheme}/{slug}")
        for scheme, slug in re.findall(r"\b(country|province|city):([a-z0-9-]+)", text)
    }


@functools.cache
def model_graph() -> rdflib.Graph:
    """The ontology and the vocabularies, with only the places the cases name: pyshacl takes about 20 s
    a case over all 249 countries and 88 provinces, which the seed data's validation covers
    (tests/test_seed_data.py, tests/test_ontology.py)."""
    graph = rdflib.Graph()
    for path in sorted((ROOT / "ontology").rglob("*.ttl")):
        part = rdflib.Graph().parse(path, format="turtle")
        if path.stem in PLACE_SCHEMES:
            keep = _named_places()
            keep |= {o for p in keep for o in part.objects(p, URIRef("http://schema.org/containedInPlace"))}
            concepts = set(part.subjects(RDF.type, URIRef("http://www.w3.org/2004/02/skos/core#Concept")))
            if not concepts & keep:
                continue
            dropped = concepts - keep
            for s, p, o in list(part):
                if s in dropped or o in dropped:
                    part.remove((s, p, o))
        graph += part
    return graph


@functools.cache
def shapes_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in SHAPE_FILES:
        graph.parse(path, format="turtle")
    return graph


def case_graph(case: Case) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph += model_graph()
    graph += _turtle(BASE)
    if case.remove:
        removed = _turtle(case.remove)
        missing = [t for t in removed if t not in graph]
        assert not missing, f"{case.name}: triples to remove are not in the base: {missing}"
        graph -= removed
    if case.add:
        graph += _turtle(case.add)
    return graph


def _path_text(graph: rdflib.Graph, path: rdflib.term.Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return f"<{path}>"
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return f"^<{inverse}>"
    raise AssertionError(f"unexpected complex result path {path!r}")


def run_pyshacl(data: rdflib.Graph) -> set[tuple[str, str | None, str, str]]:
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes_graph(), inference="none", allow_warnings=True
    )
    found = set()
    for result in report.objects(None, SH.result):  # top-level results only, not sh:detail
        found.add(
            (
                str(report.value(result, SH.focusNode)),
                _path_text(report, report.value(result, SH.resultPath)),
                str(report.value(result, SH.sourceConstraintComponent)),
                str(report.value(result, SH.resultSeverity)),
            )
        )
    return found


def _ox_text(term: object) -> str:
    value = getattr(term, "value", None)
    return str(value) if value is not None else str(term)


def run_ingest_shacl(data: rdflib.Graph) -> set[tuple[str, str | None, str, str]]:
    shacl = pytest.importorskip("ingest.shacl")
    store = pyoxigraph.Store()
    store.load(data.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    report = _ingest_shapes(shacl).validate(store)
    found = set()
    for r in report.results:
        path = r.result_path
        path_text = (
            None if path is None else (str(path) if isinstance(path, pyoxigraph.NamedNode) else path.sparql())
        )
        found.add(
            (_ox_text(r.focus_node), path_text, _ox_text(r.source_constraint_component), _ox_text(r.severity))
        )
    return found


_INGEST_SHAPES: dict[str, object] = {}


def _ingest_shapes(shacl: object) -> object:
    if "shapes" not in _INGEST_SHAPES:
        _INGEST_SHAPES["shapes"] = shacl.Shapes.from_rdflib(shapes_graph())  # type: ignore[attr-defined]
    return _INGEST_SHAPES["shapes"]


VALIDATORS = {"pyshacl": run_pyshacl, "ingest.shacl": run_ingest_shacl}


# ---------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", SHAPE_FILES, ids=lambda p: p.name)
def test_shapes_file_passes_the_meta_shapes(path: Path) -> None:
    graph = rdflib.Graph().parse(path, format="turtle")
    conforms, _report, text = meta_validate(graph, inference="none")
    assert conforms, text


def test_shapes_together_pass_shacl_shacl() -> None:
    shacl_shacl = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"
    conforms, _report, text = pyshacl.validate(
        shapes_graph(), shacl_graph=rdflib.Graph().parse(shacl_shacl), inference="none"
    )
    assert conforms, text


def test_split_by_severity() -> None:
    """Violations live in the mandatory file, warnings in the recommended one."""
    for path in SHAPE_FILES:
        graph = rdflib.Graph().parse(path, format="turtle")
        expected = SH.Violation if "mandatory" in path.name else SH.Warning
        severities = set(graph.objects(None, SH.severity))
        assert severities == {expected}, (path.name, severities)


def test_every_shape_is_named_described_and_has_bilingual_messages() -> None:
    graph = shapes_graph()
    shapes = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))
    assert len(shapes) > 100
    for shape in shapes:
        assert isinstance(shape, URIRef) and str(shape).startswith(CGSH), (
            f"shape without a stable IRI: {shape}"
        )
        names = {lit.language for lit in graph.objects(shape, SH.name)}
        assert {"en", "vi"} <= names, f"{shape}: sh:name in en and vi"
        assert any(lit.language == "en" for lit in graph.objects(shape, SH.description)), (
            f"{shape}: sh:description"
        )
        constraints = [
            p
            for p in graph.predicates(shape)
            if p
            not in {
                RDF.type,
                SH.name,
                SH.description,
                SH.message,
                SH.severity,
                SH.path,
                SH.targetClass,
                SH.targetNode,
                SH.targetSubjectsOf,
                SH.targetObjectsOf,
                SH.property,
                SH.qualifiedMinCount,
                SH.deactivated,
            }
        ]
        if graph.value(shape, SH.path) is not None:
            assert len(constraints) == 1, f"{shape}: one constraint per property shape, found {constraints}"
            messages = {lit.language for lit in graph.objects(shape, SH.message)}
            assert {"en", "vi"} <= messages, f"{shape}: sh:message in en and vi"
    for constraint in graph.subjects(RDF.type, SH.SPARQLConstraint):
        assert isinstance(constraint, URIRef)
        assert {lit.language for lit in graph.objects(constraint, SH.message)} >= {"en", "vi"}
        assert graph.value(constraint, SH.prefixes) is not None


def test_enough_invalid_cases() -> None:
    invalid = [c for c in CASES if c.expected]
    assert len(invalid) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("validator", list(VALIDATORS))
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, validator: str) -> None:
    found = VALIDATORS[validator](case_graph(case))
    expected = {e.key() for e in case.expected}
    assert found == expected, (
        f"\nmissing:    {sorted(expected - found, key=str)}\nunexpected: {sorted(found - expected, key=str)}"
    )


def test_every_sparql_rule_is_exercised() -> None:
    """Each SHACL-SPARQL constraint is triggered by at least one invalid case."""
    graph = shapes_graph()
    rules = {s for s in graph.subjects(SH.sparql, None)}
    triggered = set()
    for case in CASES:
        if not any(e.component == SPARQL for e in case.expected):
            continue
        _conforms, report, _ = pyshacl.validate(
            case_graph(case), shacl_graph=graph, inference="none", allow_warnings=True
        )
        triggered |= {
            report.value(r, SH.sourceShape)
            for r in report.subjects(RDF.type, SH.ValidationResult)
            if report.value(r, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent
        }
    assert rules <= triggered, sorted(str(r) for r in rules - triggered)


PARAMETER_COMPONENT = {
    SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent",
    SH["class"]: "ClassConstraintComponent",
    SH.datatype: "DatatypeConstraintComponent",
    SH.pattern: "PatternConstraintComponent",
    SH.hasValue: "HasValueConstraintComponent",
    SH.node: "NodeConstraintComponent",
    SH["or"]: "OrConstraintComponent",
    SH.xone: "XoneConstraintComponent",
    SH.languageIn: "LanguageInConstraintComponent",
    SH.uniqueLang: "UniqueLangConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent",
    SH.qualifiedMinCount: "QualifiedMinCountConstraintComponent",
    SH.sparql: "SPARQLConstraintComponent",
}


def test_every_kind_of_constraint_has_an_invalid_case() -> None:
    """Each constraint component the shapes use is triggered, at each severity it is used with."""
    graph = shapes_graph()
    used = set()
    for shape in set(graph.subjects(SH.severity, None)):
        severity = str(graph.value(shape, SH.severity))
        for parameter, component in PARAMETER_COMPONENT.items():
            if (shape, parameter, None) in graph:
                used.add((component, severity))
    exercised = {(e.component, e.severity) for case in CASES for e in case.expected}
    assert used - exercised == set(), sorted(used - exercised)


def test_blank_node_free_shapes() -> None:
    """Property shapes are IRIs; only lists and inline value shapes are blank nodes."""
    graph = shapes_graph()
    for shape in set(graph.subjects(SH.path, None)):
        assert not isinstance(shape, BNode)

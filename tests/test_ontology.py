"""The ontology, the SKOS vocabularies, the JSON-LD context, the SSSOM mappings and
the generated HTML documentation."""

from __future__ import annotations

import csv
import functools
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
import yaml
from rdflib import OWL, RDF, RDFS, SKOS, Literal, URIRef
from rdflib.namespace import DCTERMS, SH

from server.http.ontology_docs import render_ontology_html

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology"
CG = "https://w3id.org/coopgraph/ontology#"
VOCAB = "https://w3id.org/coopgraph/vocab/"
BUILTIN = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#", str(SH))
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDFS.Datatype)
VOCAB_FILES = sorted((ONTOLOGY / "vocabularies").glob("*.ttl"))
SCHEMES = {
    "agreement-type",
    "participation-role",
    "topic",
    "status",
    "country",
    "province",
    "city",
    "graph-role",
    "post-role",
    "measure",
}


@functools.cache
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY / "coopgraph.ttl", format="turtle")


@functools.cache
def vocabularies() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in VOCAB_FILES:
        graph.parse(path, format="turtle")
    return graph


def declared_terms(graph: rdflib.Graph) -> set[URIRef]:
    return {s for t in TERM_TYPES for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)}


def local_terms() -> set[URIRef]:
    return {t for t in declared_terms(ontology()) if str(t).startswith(CG)}


def languages(graph: rdflib.Graph, subject: URIRef, predicate: URIRef) -> set[str]:
    return {o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal) and o.language}


# ---------------------------------------------------------------------------
# parsing and metadata
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", [ONTOLOGY / "coopgraph.ttl", *VOCAB_FILES], ids=lambda p: p.name)
def test_parses_with_rdflib_and_oxigraph(path: Path) -> None:
    assert len(rdflib.Graph().parse(path, format="turtle")) > 20
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) > 20


def test_ontology_header() -> None:
    g = ontology()
    onto = URIRef("https://w3id.org/coopgraph/ontology")
    assert (onto, RDF.type, OWL.Ontology) in g
    assert g.value(onto, OWL.versionIRI) == URIRef("https://w3id.org/coopgraph/ontology/0.1.0")
    assert str(g.value(onto, OWL.versionInfo)) == "0.1.0"
    assert g.value(onto, DCTERMS.license) is not None
    assert {"en", "vi"} <= languages(g, onto, DCTERMS.title)


def test_term_counts() -> None:
    classes = {t for t in local_terms() if (t, RDF.type, OWL.Class) in ontology()}
    properties = {
        t
        for t in local_terms()
        if (t, RDF.type, OWL.ObjectProperty) in ontology()
        or (t, RDF.type, OWL.DatatypeProperty) in ontology()
    }
    assert len(classes) >= 30
    assert len(properties) >= 30


# ---------------------------------------------------------------------------
# labels and definitions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "term", sorted(declared_terms(ontology()), key=str), ids=lambda t: str(t).rsplit("/", 1)[-1]
)
def test_every_term_is_labelled_and_defined_in_english_and_vietnamese(term: URIRef) -> None:
    g = ontology()
    assert {"en", "vi"} <= languages(g, term, RDFS.label), f"{term}: rdfs:label @en and @vi"
    assert {"en", "vi"} <= languages(g, term, SKOS.definition), f"{term}: skos:definition @en and @vi"
    labels = [o for o in g.objects(term, RDFS.label)]
    assert len({o.language for o in labels}) == len(labels), f"{term}: one label per language"


def test_local_terms_are_defined_by_the_ontology() -> None:
    for term in local_terms():
        assert ontology().value(term, RDFS.isDefinedBy) == URIRef("https://w3id.org/coopgraph/ontology"), term


def test_domains_and_ranges_are_declared() -> None:
    g = ontology()
    known = declared_terms(g) | {RDFS.Literal, RDF.langString}
    for term in local_terms():
        for predicate in (RDFS.domain, RDFS.range, RDFS.subClassOf, RDFS.subPropertyOf):
            for value in g.objects(term, predicate):
                if isinstance(value, URIRef) and not str(value).startswith(
                    "http://www.w3.org/2001/XMLSchema#"
                ):
                    assert value in known, f"{term} {predicate} {value}: undeclared"


def test_no_equivalence_to_external_terms() -> None:
    g = ontology() + vocabularies()
    for s, p, o in g.triples((None, None, None)):
        if p in (OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty) and isinstance(o, URIRef):
            pytest.fail(f"{s} {p} {o}: use skos:*Match in mappings.sssom.tsv instead")


# ---------------------------------------------------------------------------
# vocabularies
# ---------------------------------------------------------------------------


def test_one_file_per_scheme() -> None:
    assert {p.stem for p in VOCAB_FILES} == SCHEMES
    for path in VOCAB_FILES:
        g = rdflib.Graph().parse(path, format="turtle")
        schemes = set(g.subjects(RDF.type, SKOS.ConceptScheme))
        assert schemes == {URIRef(VOCAB + path.stem)}, path.name


def test_concepts_labelled_defined_and_in_their_scheme() -> None:
    g = vocabularies()
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 80
    for concept in concepts:
        scheme = g.value(concept, SKOS.inScheme)
        assert scheme is not None and str(concept).startswith(str(scheme) + "/"), concept
        assert {"en", "vi"} <= languages(g, concept, SKOS.prefLabel), concept
        assert {"en", "vi"} <= languages(g, concept, SKOS.definition), concept
        assert concept.split("/")[-1] == concept.split("/")[-1].lower(), f"{concept}: lowercase slug"
        broader = g.value(concept, SKOS.broader)
        top = g.value(concept, SKOS.topConceptOf)
        assert (broader is None) != (top is None), f"{concept}: a top concept or a narrower one"
        if top is not None:
            assert (top, SKOS.hasTopConcept, concept) in g
    for scheme in g.subjects(RDF.type, SKOS.ConceptScheme):
        assert {"en", "vi"} <= languages(g, scheme, SKOS.prefLabel), scheme
        assert {"en", "vi"} <= languages(g, scheme, SKOS.definition), scheme


def test_graph_role_scheme() -> None:
    g = vocabularies()
    scheme = URIRef(VOCAB + "graph-role")
    concepts = {str(c).rsplit("/", 1)[-1] for c in g.subjects(SKOS.inScheme, scheme)}
    assert concepts == {"data", "ontology", "vocabulary", "shapes", "catalog"}


def test_places_carry_iso_codes() -> None:
    g = vocabularies()
    schema = rdflib.Namespace("http://schema.org/")
    countries = set(g.subjects(RDF.type, schema.Country))
    provinces = set(g.subjects(RDF.type, URIRef(CG + "Province")))
    assert {str(c).rsplit("/", 1)[-1] for c in countries} >= {"vn", "cn", "jp", "de"}
    assert len(provinces) >= 7
    for place in countries | provinces:
        # a province formed after the ISO list (cg:validFrom) may have no code yet
        has_code = g.value(place, URIRef(CG + "isoCode")) is not None
        assert has_code or g.value(place, URIRef(CG + "validFrom")) is not None, place


def test_every_iso_3166_country_with_its_names_in_vietnamese_english_and_french() -> None:
    """The country scheme is ISO 3166-1 as pycountry publishes it: every code, named in vi, en and fr."""
    pycountry = pytest.importorskip("pycountry")
    g = vocabularies()
    schema = rdflib.Namespace("http://schema.org/")
    codes = {str(g.value(c, URIRef(CG + "isoCode"))): c for c in g.subjects(RDF.type, schema.Country)}
    expected = {c.alpha_2 for c in pycountry.countries}
    assert len(expected) == 249
    assert set(codes) == expected
    for country in pycountry.countries:
        concept = codes[country.alpha_2]
        assert str(concept) == f"{VOCAB}country/{country.alpha_2.lower()}"
        assert {"vi", "en", "fr"} <= languages(g, concept, SKOS.prefLabel), country.alpha_2
        assert str(g.value(concept, URIRef(CG + "isoAlpha3"))) == country.alpha_3
    english = {str(label) for label in g.objects(codes["KR"], SKOS.prefLabel) if label.language == "en"}
    assert english == {"South Korea"}


VN = "https://w3id.org/coopgraph/vocab/country/vn"
DCTERMS_REPLACES = URIRef("http://purl.org/dc/terms/replaces")
DCTERMS_REPLACED = URIRef("http://purl.org/dc/terms/isReplacedBy")


def _vietnamese_units(g: rdflib.Graph) -> set[URIRef]:
    return {
        p
        for p in g.subjects(RDF.type, URIRef(CG + "Province"))
        if (p, URIRef(CG + "country"), URIRef(VN)) in g
    }


def test_vietnams_63_provinces_and_the_34_of_the_2025_merger() -> None:
    """ISO 3166-2:VN's 63 units until 30 June 2025; 34 from 1 July 2025 (Resolution 202/2025/QH15)."""
    pycountry = pytest.importorskip("pycountry")
    g = vocabularies()
    units = _vietnamese_units(g)
    until = {p for p in units if g.value(p, URIRef(CG + "validFrom")) is None}
    after = {p for p in units if g.value(p, URIRef(CG + "validUntil")) is None}
    iso = {s.code for s in pycountry.subdivisions.get(country_code="VN")}
    assert len(iso) == 63
    assert {str(g.value(p, URIRef(CG + "isoCode"))) for p in until} == iso
    assert len(after) == 34
    ended = until - after
    assert len(ended) == 52 and len(until & after) == 11
    for old in ended:
        assert str(g.value(old, URIRef(CG + "validUntil"))) == "2025-06-30"
        new = g.value(old, DCTERMS_REPLACED)
        assert new in after and (new, DCTERMS_REPLACES, old) in g, old
    for new in after - until:
        assert str(g.value(new, URIRef(CG + "validFrom"))) == "2025-07-01"
        assert len(set(g.objects(new, DCTERMS_REPLACES))) >= 2, new
    resolution = URIRef("https://w3id.org/coopgraph/id/decision/resolution-202-2025-qh15")
    assert all((p, URIRef("http://purl.org/dc/terms/source"), resolution) in g for p in units)
    assert str(g.value(resolution, URIRef(CG + "dateInForce"))) == "2025-07-01"


# ---------------------------------------------------------------------------
# JSON-LD context
# ---------------------------------------------------------------------------


@functools.cache
def context() -> dict:
    return json.loads((ONTOLOGY / "context.jsonld").read_text(encoding="utf-8"))["@context"]


def _expand(value: str) -> str:
    prefix, _, local = value.partition(":")
    ns = context().get(prefix)
    return ns + local if isinstance(ns, str) and ns.startswith("http") else value


def test_context_covers_every_local_term() -> None:
    ctx = context()
    assert ctx["@version"] == 1.1
    mapped = set()
    for key, value in ctx.items():
        if key.startswith("@"):
            continue
        iri = value if isinstance(value, str) else value.get("@id", "")
        mapped.add(_expand(iri))
    missing = {str(t) for t in local_terms()} - mapped
    assert not missing, sorted(missing)


def test_context_round_trip() -> None:
    doc = {
        "@context": context(),
        "@graph": [
            {
                "id": "cgr:agreement/example",
                "type": "Agreement",
                "label": {"vi": "Biên bản ghi nhớ", "en": "Memorandum"},
                "party": ["cgr:organization/a", "cgr:organization/b"],
                "dateSigned": "2024-08-27",
                "dateInForce": {"@value": "2024-09", "@type": "xsd:gYearMonth"},
                "agreementType": "cgv:agreement-type/memorandum-of-understanding",
                "scope": {"en": ["research", "student exchange"]},
            }
        ],
    }
    g = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    agreement = URIRef("https://w3id.org/coopgraph/id/agreement/example")
    assert (agreement, RDF.type, URIRef(CG + "Agreement")) in g
    assert (agreement, RDFS.label, Literal("Biên bản ghi nhớ", lang="vi")) in g
    assert (agreement, URIRef(CG + "dateSigned"), Literal("2024-08-27", datatype=rdflib.XSD.date)) in g
    assert (agreement, URIRef(CG + "dateInForce"), Literal("2024-09", datatype=rdflib.XSD.gYearMonth)) in g
    assert len(set(g.objects(agreement, URIRef(CG + "party")))) == 2
    assert (
        agreement,
        URIRef(CG + "agreementType"),
        URIRef(VOCAB + "agreement-type/memorandum-of-understanding"),
    ) in g
    assert len(set(g.objects(agreement, URIRef(CG + "scope")))) == 2


# ---------------------------------------------------------------------------
# SSSOM mappings
# ---------------------------------------------------------------------------


def read_sssom(path: Path) -> tuple[dict, list[dict[str, str]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [line[1:] for line in lines if line.startswith("#")]
    body = [line for line in lines if not line.startswith("#")]
    metadata = yaml.safe_load("\n".join(h[1:] if h.startswith(" ") else h for h in header))
    rows = list(csv.DictReader(io.StringIO("\n".join(body)), delimiter="\t"))
    return metadata, rows


def test_sssom_parses_and_maps_existing_terms() -> None:
    metadata, rows = read_sssom(ONTOLOGY / "mappings.sssom.tsv")
    curie_map = metadata["curie_map"]
    for key in ("mapping_set_id", "license", "mapping_set_version"):
        assert metadata.get(key), key
    assert {"eurio", "frapo", "vivo", "wikidata"} <= set(curie_map)
    assert len(rows) >= 30
    allowed = {
        "skos:exactMatch",
        "skos:closeMatch",
        "skos:broadMatch",
        "skos:narrowMatch",
        "skos:relatedMatch",
    }
    targets = set()
    terms = local_terms()
    for row in rows:
        assert row["predicate_id"] in allowed, row
        prefix, _, local = row["subject_id"].partition(":")
        assert URIRef(curie_map[prefix] + local) in terms, (
            f"{row['subject_id']} is not a term of the ontology"
        )
        target_prefix = row["object_id"].partition(":")[0]
        assert target_prefix in curie_map, row
        targets.add(target_prefix)
        assert row["mapping_justification"].startswith("semapv:"), row
        assert 0 < float(row["confidence"]) <= 1
    assert {"eurio", "frapo", "vivo", "wikidata"} <= targets


# ---------------------------------------------------------------------------
# shapes use only defined terms
# ---------------------------------------------------------------------------


def test_shapes_use_only_defined_terms() -> None:
    shapes = rdflib.Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        shapes.parse(path, format="turtle")
    known = declared_terms(ontology())
    used: set[URIRef] = set()
    for predicate in (SH.path, SH.inversePath, SH["class"], SH.targetClass, SH.targetSubjectsOf, SH.datatype):
        used |= {o for o in shapes.objects(None, predicate) if isinstance(o, URIRef)}
    undefined = {t for t in used if not str(t).startswith(BUILTIN) and t not in known}
    assert not undefined, sorted(undefined)
    # vocabulary concepts and schemes named by the shapes exist
    vocab = vocabularies()
    for value in shapes.objects(None, SH.hasValue):
        if str(value).startswith(VOCAB):
            assert (value, None, None) in vocab, value


# ---------------------------------------------------------------------------
# HTML documentation
# ---------------------------------------------------------------------------


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.tags: set[str] = set()
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag in {"script", "link", "img", "iframe"} or (tag != "a" and values.get("src")):
            self.external.append(tag)


@pytest.mark.parametrize("lang", ["en", "vi", "fr"])
def test_html_documentation(lang: str) -> None:
    page = render_ontology_html(ontology(), vocabularies(), lang=lang)
    parser = _Anchors()
    parser.feed(page)
    assert not parser.external, "the page must be self-contained"
    assert "style" in parser.tags
    for term in local_terms():
        assert str(term)[len(CG) :] in parser.ids, f"no anchor for {term}"
    for scheme in SCHEMES:
        assert f"vocab:{scheme}" in parser.ids, scheme
    for concept in vocabularies().subjects(RDF.type, SKOS.Concept):
        assert "vocab:" + str(concept)[len(VOCAB) :] in parser.ids, concept
    assert 'id="org:Membership"' in page
    assert "Biên bản ghi nhớ".lower() in page.lower() or "biên bản ghi nhớ" in page
    assert "0.1.0" in page and "creativecommons.org/licenses/by/4.0" in page
    heading = {"en": "Classes", "vi": "Lớp", "fr": "Classes"}[lang]
    assert f">{heading}</h2>" in page


def test_html_documentation_without_vocabularies() -> None:
    page = render_ontology_html(ontology())
    assert 'id="Agreement"' in page and 'id="vocab:topic"' not in page

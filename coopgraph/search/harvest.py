"""What the search index holds, read from the store through its query verb (any :class:`GraphReader`).

One :class:`Resource` per named thing: its names (labels, alternative labels, acronyms, identifiers), its
kinds (:mod:`coopgraph.search.kinds`), its countries, and the few facts that reconciliation shows and
extends with (website, ROR, Wikidata, founding date, place).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from coopgraph import iris
from coopgraph.search.kinds import FUNDER_PROPERTIES, KINDS
from coopgraph.store import GraphReader

_RDFS, _SKOS, _SCHEMA = iris.PREFIXES["rdfs"], iris.PREFIXES["skos"], iris.PREFIXES["schema"]
_CG, _FOAF = iris.ONTOLOGY, iris.PREFIXES["foaf"]

#: Name properties, and the field of the index each one fills.
NAME_FIELDS: dict[str, str] = {
    _SKOS + "prefLabel": "prefLabel",
    _RDFS + "label": "label",
    _SCHEMA + "name": "name",
    _FOAF + "name": "name",
    _SKOS + "altLabel": "altLabel",
    _SKOS + "hiddenLabel": "hiddenLabel",
    _CG + "acronym": "acronym",
    _SKOS + "notation": "code",
    _CG + "isoCode": "iso",
    _CG + "rorId": "ror",
    _CG + "wikidataId": "wikidata",
}
#: Fields that name a resource in the words of a language (the others are codes).
LABEL_FIELDS = ("prefLabel", "label", "name")

#: The facts kept beside the names: fact -> properties it is read from.
FACT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "website": (_SCHEMA + "url", _FOAF + "homepage"),
    "founded": (_SCHEMA + "foundingDate",),
    "ror": (_CG + "rorId",),
    "wikidata": (_CG + "wikidataId",),
    "iso": (_CG + "isoCode",),
}
#: Where a resource is (its place's names are what a "city" constraint is compared with).
PLACE_PROPERTIES = (_SCHEMA + "location", _SCHEMA + "containedInPlace")
COUNTRY_PROPERTY = _CG + "country"
_COUNTRY_CLASS = _SCHEMA + "Country"

#: Namespaces whose terms are the model, not things to find.
_MODEL_NAMESPACES = (iris.ONTOLOGY, iris.SHAPES, iris.GRAPH)
#: Namespaces of the things the project names.
_THING_NAMESPACES = (iris.RESOURCE, iris.VOCAB)


@dataclass
class Name:
    text: str
    lang: str
    field: str


@dataclass
class Resource:
    iri: str
    names: list[Name] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    #: Country concept IRIs.
    countries: set[str] = field(default_factory=set)
    facts: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    places: set[str] = field(default_factory=set)

    def labels(self) -> dict[str, str]:
        """One label per language (``""``: no language), preferred labels first."""
        chosen: dict[str, str] = {}
        for rank in LABEL_FIELDS:
            for name in self.names:
                if name.field == rank:
                    chosen.setdefault(name.lang, name.text)
        return chosen


def _values(reader: GraphReader, sparql: str) -> Iterable[tuple[object, ...]]:
    for row in reader.query(sparql):
        yield tuple(row)


def _kinds_of_classes(reader: GraphReader) -> dict[str, set[str]]:
    """Each class (the ontology's subclasses included) -> the kinds its instances are."""
    roots = " ".join(f"(<{c}> {_literal(k.name)})" for k in KINDS.values() for c in k.classes)
    rdfs_sub = f"<{_RDFS}subClassOf>"
    found: dict[str, set[str]] = defaultdict(set)
    sparql = f"SELECT DISTINCT ?c ?kind WHERE {{ VALUES (?root ?kind) {{ {roots} }} ?c {rdfs_sub}* ?root }}"
    for cls, kind in _values(reader, sparql):
        if isinstance(cls, NamedNode):
            found[cls.value].add(str(kind.value))  # type: ignore[attr-defined]
    for k in KINDS.values():  # a class the ontology does not describe is still its own kind's
        for c in k.classes:
            found[c].add(k.name)
    return found


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wanted(iri: str, resource: Resource) -> bool:
    if iri.startswith(_MODEL_NAMESPACES):
        return False
    return iri.startswith(_THING_NAMESPACES) or bool(resource.kinds)


def _country_code(iri: str, resources: dict[str, Resource]) -> str:
    country = resources.get(iri)
    iso = country.facts.get("iso") if country else None
    return (iso[0] if iso else iri.rstrip("/").rsplit("/", 1)[-1]).lower()


def harvest(reader: GraphReader) -> dict[str, Resource]:
    """Every resource with a name, by IRI."""
    found: dict[str, Resource] = {}

    def get(subject: object) -> Resource | None:
        return found.get(subject.value) if isinstance(subject, NamedNode) else None

    predicates = " ".join(f"<{p}>" for p in NAME_FIELDS)
    for s, p, o in _values(reader, f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {predicates} }} ?s ?p ?o }}"):
        if isinstance(s, NamedNode) and isinstance(o, Literal) and o.value.strip():
            name = Name(o.value.strip(), (o.language or "").lower(), NAME_FIELDS[p.value])  # type: ignore[attr-defined]
            resource = found.setdefault(s.value, Resource(s.value))
            if name not in resource.names:  # the same triple may be in several graphs
                resource.names.append(name)

    kinds = _kinds_of_classes(reader)
    for s, c in _values(reader, f"SELECT ?s ?c WHERE {{ ?s <{iris.RDF_TYPE}> ?c }}"):
        if (resource := get(s)) is not None and isinstance(c, NamedNode):
            resource.classes.add(c.value)
            resource.kinds |= kinds.get(c.value, set())
    funders = " ".join(f"<{p}>" for p in FUNDER_PROPERTIES)
    for (s,) in _values(reader, f"SELECT DISTINCT ?s WHERE {{ VALUES ?p {{ {funders} }} ?x ?p ?s }}"):
        if (resource := get(s)) is not None:
            resource.kinds.add("funder")

    for fact, properties in FACT_PROPERTIES.items():
        values = " ".join(f"<{p}>" for p in properties)
        for s, o in _values(reader, f"SELECT ?s ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o }}"):
            if (resource := get(s)) is not None:
                value = o.value  # type: ignore[attr-defined]
                if value not in resource.facts[fact]:
                    resource.facts[fact].append(value)
    for s, c in _values(reader, f"SELECT ?s ?c WHERE {{ ?s <{COUNTRY_PROPERTY}> ?c }}"):
        if (resource := get(s)) is not None and isinstance(c, NamedNode):
            resource.countries.add(c.value)
    places = " ".join(f"<{p}>" for p in PLACE_PROPERTIES)
    for s, place in _values(reader, f"SELECT ?s ?place WHERE {{ VALUES ?p {{ {places} }} ?s ?p ?place }}"):
        if (resource := get(s)) is not None and isinstance(place, NamedNode):
            resource.places.add(place.value)

    chosen = {iri: r for iri, r in found.items() if _wanted(iri, r)}
    for resource in chosen.values():
        if _COUNTRY_CLASS in resource.classes:
            resource.countries.add(resource.iri)
    return chosen


def country_codes(resource: Resource, resources: dict[str, Resource]) -> list[tuple[str, str]]:
    """The resource's countries: (ISO code in lower case, country IRI), by code."""
    return sorted((_country_code(c, resources), c) for c in resource.countries)

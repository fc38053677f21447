"""The search index's rows computed the plain way, as the index was first built: every resource gathered
in a Python dict from whole query answers, then numbered. ``coopgraph.search`` now builds the index a
batch at a time through SQLite (so that its memory does not grow with the store); this is the reference
its tables are compared with."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from coopgraph import iris
from coopgraph.search.harvest import (
    COUNTRY_CLASS,
    COUNTRY_PROPERTY,
    FACT_PROPERTIES,
    NAME_FIELDS,
    PLACE_PROPERTIES,
    iri_wanted,
    kinds_of_classes,
)
from coopgraph.search.kinds import FUNDER_PROPERTIES
from coopgraph.search.normalise import compact_key, search_key
from coopgraph.search.resources import Name
from coopgraph.search.resources import Resource as Named
from coopgraph.store import GraphReader


@dataclass
class Resource(Named):
    kinds: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    facts: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    places: set[str] = field(default_factory=set)


def _pairs(reader: GraphReader, properties: tuple[str, ...] | list[str]) -> list[tuple[object, object]]:
    values = " ".join(f"<{p}>" for p in properties)
    return [tuple(r) for r in reader.query(f"SELECT ?s ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o }}")]  # type: ignore[misc]


def harvest(reader: GraphReader) -> dict[str, Resource]:
    """Every resource wanted, by IRI, in the order the store first named them."""
    found: dict[str, Resource] = {}
    names = " ".join(f"<{p}>" for p in NAME_FIELDS)
    for s, p, o in reader.query(f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {names} }} ?s ?p ?o }}"):
        if isinstance(s, NamedNode) and isinstance(o, Literal) and o.value.strip():
            name = Name(o.value.strip(), (o.language or "").lower(), NAME_FIELDS[p.value])  # type: ignore[attr-defined]
            resource = found.setdefault(s.value, Resource(s.value))
            if name not in resource.names:
                resource.names.append(name)
    kinds = kinds_of_classes(reader)
    for s, c in _pairs(reader, [iris.RDF_TYPE]):
        if isinstance(s, NamedNode) and s.value in found and isinstance(c, NamedNode):
            found[s.value].classes.add(c.value)
            found[s.value].kinds |= kinds.get(c.value, set())
    funders = " ".join(f"<{p}>" for p in FUNDER_PROPERTIES)
    for (s,) in reader.query(f"SELECT DISTINCT ?s WHERE {{ VALUES ?p {{ {funders} }} ?x ?p ?s }}"):
        if isinstance(s, NamedNode) and s.value in found:
            found[s.value].kinds.add("funder")
    for fact, properties in FACT_PROPERTIES.items():
        for s, o in _pairs(reader, properties):
            if isinstance(s, NamedNode) and s.value in found and o.value not in found[s.value].facts[fact]:  # type: ignore[attr-defined]
                found[s.value].facts[fact].append(o.value)  # type: ignore[attr-defined]
    for s, c in _pairs(reader, [COUNTRY_PROPERTY]):
        if isinstance(s, NamedNode) and s.value in found and isinstance(c, NamedNode):
            found[s.value].countries.add(c.value)
    for s, place in _pairs(reader, PLACE_PROPERTIES):
        if isinstance(s, NamedNode) and s.value in found and isinstance(place, NamedNode):
            found[s.value].places.add(place.value)
    chosen = {iri: r for iri, r in found.items() if iri_wanted(iri, bool(r.kinds))}
    for resource in chosen.values():
        if COUNTRY_CLASS in resource.classes:
            resource.countries.add(resource.iri)
    return chosen


def _english(resource: Resource | None) -> str:
    labels = resource.labels() if resource else {}
    return labels.get("en") or labels.get("") or next(iter(labels.values()), "")


def index_tables(reader: GraphReader) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The rows of the tables ``resource`` and ``name`` of the index of what ``reader`` reads."""
    resources = harvest(reader)
    resource_rows: list[tuple[object, ...]] = []
    name_rows: list[tuple[object, ...]] = []
    for number, r in enumerate(resources.values(), start=1):
        codes = []
        for c in r.countries:
            country = resources.get(c)
            iso = country.facts.get("iso") if country else None
            codes.append(((iso[0] if iso else c.rstrip("/").rsplit("/", 1)[-1]).lower(), c))
        codes.sort()
        facts: dict[str, object] = {k: list(v) for k, v in r.facts.items() if v}
        facts["country"] = [
            {"id": c, "code": k, "name": _english(resources.get(c)) or k.upper()} for k, c in codes
        ]
        facts["place"] = sorted(
            {search_key(n.text) for p in r.places if p in resources for n in resources[p].names}
        )
        resource_rows.append(
            (
                number,
                r.iri,
                f" {' '.join(sorted(r.kinds))} ",
                f" {' '.join(code for code, _ in codes)} ",
                json.dumps(sorted(r.classes)),
                json.dumps(r.labels(), ensure_ascii=False),
                json.dumps(facts, ensure_ascii=False),
            )
        )
        for name in r.names:
            if key := search_key(name.text):
                row = (number, name.field, name.lang, name.text, key, compact_key(key))
                name_rows.append((len(name_rows) + 1, *row))
    return resource_rows, name_rows

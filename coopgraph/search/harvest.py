"""What the search index holds, read from the store through its query verb (any :class:`GraphReader`).

Each query's rows stream into a staging table of an SQLite database (:func:`stage`), a batch at a time:
nothing the size of the store is held in Python, and SQLite groups the rows by resource from its own
files (:mod:`coopgraph.search.resources` reads them back, one resource at a time).

What is read per named thing: its names (labels, alternative labels, acronyms, identifiers), its classes
(hence its kinds, :mod:`coopgraph.search.kinds`), its countries, and the few facts that reconciliation
shows and extends with (website, ROR, Wikidata, founding date, place).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator

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
COUNTRY_CLASS = _SCHEMA + "Country"

#: Namespaces whose terms are the model, not things to find.
_MODEL_NAMESPACES = (iris.ONTOLOGY, iris.SHAPES, iris.GRAPH)
#: Namespaces of the things the project names.
_THING_NAMESPACES = (iris.RESOURCE, iris.VOCAB)

#: Rows sent to SQLite at once while the store's answer streams in.
BATCH_ROWS = 5_000

#: The staging tables; ``seq`` keeps the order in which the store gave the rows (the index numbers
#: resources and names in that order, and lists facts in it).
STAGING = """
CREATE TABLE name (seq INTEGER PRIMARY KEY, iri TEXT NOT NULL, field TEXT NOT NULL,
                         lang TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE class (iri TEXT NOT NULL, class TEXT NOT NULL);
CREATE TABLE class_kind (class TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE funded (iri TEXT NOT NULL);
CREATE TABLE fact (seq INTEGER PRIMARY KEY, iri TEXT NOT NULL, fact TEXT NOT NULL, value TEXT NOT NULL);
CREATE TABLE country (iri TEXT NOT NULL, country TEXT NOT NULL);
CREATE TABLE place (iri TEXT NOT NULL, place TEXT NOT NULL);
"""
STAGING_INDEXES = """
CREATE INDEX name_iri ON name(iri, seq);
CREATE INDEX class_iri ON class(iri);
CREATE INDEX class_kind_class ON class_kind(class);
CREATE INDEX funded_iri ON funded(iri);
CREATE INDEX fact_iri ON fact(iri, seq);
CREATE INDEX country_iri ON country(iri);
CREATE INDEX place_iri ON place(iri);
"""


def _values(reader: GraphReader, sparql: str) -> Iterator[tuple[object, ...]]:
    for row in reader.query(sparql):
        yield tuple(row)


def _iris(terms: Iterable[str]) -> str:
    return " ".join(f"<{t}>" for t in terms)


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def kinds_of_classes(reader: GraphReader) -> dict[str, set[str]]:
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


def iri_wanted(iri: str, has_kinds: bool) -> bool:
    """Whether a named resource is a thing to find (not a term of the model)."""
    if iri.startswith(_MODEL_NAMESPACES):
        return False
    return iri.startswith(_THING_NAMESPACES) or has_kinds


def _names(reader: GraphReader) -> Iterator[tuple[str, str, str, str]]:
    sparql = f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {_iris(NAME_FIELDS)} }} ?s ?p ?o }}"
    for s, p, o in _values(reader, sparql):
        if isinstance(s, NamedNode) and isinstance(o, Literal) and o.value.strip():
            yield s.value, NAME_FIELDS[p.value], (o.language or "").lower(), o.value.strip()  # type: ignore[attr-defined]


def _pairs(
    reader: GraphReader, properties: Iterable[str], *, named_object: bool
) -> Iterator[tuple[str, str]]:
    """(subject, object) of the given properties; objects that are IRIs only if ``named_object``."""
    sparql = f"SELECT ?s ?o WHERE {{ VALUES ?p {{ {_iris(properties)} }} ?s ?p ?o }}"
    for s, o in _values(reader, sparql):
        if isinstance(s, NamedNode) and (isinstance(o, NamedNode) or not named_object):
            yield s.value, o.value  # type: ignore[attr-defined]


def _funded(reader: GraphReader) -> Iterator[tuple[str]]:
    sparql = f"SELECT DISTINCT ?s WHERE {{ VALUES ?p {{ {_iris(FUNDER_PROPERTIES)} }} ?x ?p ?s }}"
    for (s,) in _values(reader, sparql):
        if isinstance(s, NamedNode):
            yield (s.value,)


def _facts(reader: GraphReader) -> Iterator[tuple[str, str, str]]:
    for fact, properties in FACT_PROPERTIES.items():
        for s, value in _pairs(reader, properties, named_object=False):
            yield s, fact, value


def _insert(conn: sqlite3.Connection, sql: str, rows: Iterable[tuple[object, ...]], batch: int) -> None:
    """Insert the rows ``batch`` at a time, as they come."""
    pending: list[tuple[object, ...]] = []
    for row in rows:
        pending.append(row)
        if len(pending) >= batch:
            conn.executemany(sql, pending)
            pending.clear()
    if pending:
        conn.executemany(sql, pending)


def stage(reader: GraphReader, conn: sqlite3.Connection, batch: int = BATCH_ROWS) -> None:
    """Read what the index needs from the store into staging tables of the (new, empty) database of
    ``conn``, ``batch`` rows at a time; then index them by resource."""
    conn.executescript(STAGING)
    kinds = kinds_of_classes(reader)
    conn.executemany(
        "INSERT INTO class_kind VALUES (?, ?)", [(c, k) for c, ks in kinds.items() for k in sorted(ks)]
    )
    _insert(conn, "INSERT INTO name(iri, field, lang, text) VALUES (?, ?, ?, ?)", _names(reader), batch)
    classes = _pairs(reader, [iris.RDF_TYPE], named_object=True)
    _insert(conn, "INSERT INTO class VALUES (?, ?)", classes, batch)
    _insert(conn, "INSERT INTO funded VALUES (?)", _funded(reader), batch)
    _insert(conn, "INSERT INTO fact(iri, fact, value) VALUES (?, ?, ?)", _facts(reader), batch)
    countries = _pairs(reader, [COUNTRY_PROPERTY], named_object=True)
    _insert(conn, "INSERT INTO country VALUES (?, ?)", countries, batch)
    places = _pairs(reader, PLACE_PROPERTIES, named_object=True)
    _insert(conn, "INSERT INTO place VALUES (?, ?)", places, batch)
    conn.executescript(STAGING_INDEXES)

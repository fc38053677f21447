"""The resources to index, read back from the staging tables (:mod:`coopgraph.search.harvest`) one at a time.

The resources wanted are numbered in the order the store first named them; each table is then read in
that order (one index lookup per resource), so that a resource's rows are together and only one resource
is in Python at once. The names of countries and places, which other resources show, are looked up
per country and per place.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from coopgraph.search.harvest import COUNTRY_CLASS, FACT_PROPERTIES, iri_wanted
from coopgraph.search.normalise import compact_key, search_key

#: Fields that name a resource in the words of a language (the others are codes).
LABEL_FIELDS = ("prefLabel", "label", "name")

#: A resource's row of the index (id, iri, kinds, countries, classes, labels, facts) and its names' rows
#: (field, lang, text, key, compact).
IndexRows = tuple[tuple[object, ...], list[tuple[str, str, str, str, str]]]

_CHOSEN = """
CREATE TABLE chosen (number INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE);
INSERT INTO chosen(iri)
SELECT n.iri FROM (SELECT iri, MIN(seq) AS first FROM name GROUP BY iri) AS n
WHERE wanted(n.iri, EXISTS (SELECT 1 FROM class c JOIN class_kind k ON k.class = c.class WHERE c.iri = n.iri)
                    OR EXISTS (SELECT 1 FROM funded f WHERE f.iri = n.iri))
ORDER BY n.first;
CREATE TABLE country_info (country TEXT PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL);
CREATE TABLE place_key (place TEXT NOT NULL, key TEXT NOT NULL);
"""

#: Per table, its rows for each resource wanted, by resource number.
_STREAMS = {
    "names": "SELECT c.number, n.field, n.lang, n.text FROM chosen c CROSS JOIN name n ON n.iri = c.iri "
    "ORDER BY c.number, n.seq",
    "classes": "SELECT c.number, k.class FROM chosen c CROSS JOIN class k ON k.iri = c.iri ORDER BY c.number",
    "funded": "SELECT DISTINCT c.number FROM chosen c CROSS JOIN funded f ON f.iri = c.iri ORDER BY c.number",
    "facts": "SELECT c.number, f.fact, f.value FROM chosen c CROSS JOIN fact f ON f.iri = c.iri "
    "ORDER BY c.number, f.seq",
    "countries": "SELECT c.number, k.country FROM chosen c CROSS JOIN country k ON k.iri = c.iri "
    "ORDER BY c.number",
    "places": "SELECT c.number, p.place FROM chosen c CROSS JOIN place p ON p.iri = c.iri ORDER BY c.number",
}


@dataclass
class Name:
    text: str
    lang: str
    field: str


@dataclass
class Resource:
    iri: str
    names: list[Name] = field(default_factory=list)

    def labels(self) -> dict[str, str]:
        """One label per language (``""``: no language), preferred labels first."""
        chosen: dict[str, str] = {}
        for rank in LABEL_FIELDS:
            for name in self.names:
                if name.field == rank:
                    chosen.setdefault(name.lang, name.text)
        return chosen


def _unique_names(rows: list[tuple[str, str, str]]) -> list[Name]:
    """The names of (field, lang, text) rows, each once (a triple may be in several graphs), in order."""
    names: list[Name] = []
    for field_name, lang, text in rows:
        name = Name(text, lang, field_name)
        if name not in names:
            names.append(name)
    return names


def _english(labels: dict[str, str]) -> str:
    return labels.get("en") or labels.get("") or next(iter(labels.values()), "")


class _Stream:
    """The rows of one of :data:`_STREAMS`, handed out a resource at a time."""

    def __init__(self, conn: sqlite3.Connection, sql: str) -> None:
        self._groups = groupby(conn.execute(sql), key=itemgetter(0))
        self._head = next(self._groups, None)

    def take(self, number: int) -> list[tuple[object, ...]]:
        """The rows of resource ``number`` (asked in increasing order)."""
        while self._head is not None and self._head[0] < number:
            self._head = next(self._groups, None)
        if self._head is None or self._head[0] != number:
            return []
        rows = [row[1:] for row in self._head[1]]
        self._head = next(self._groups, None)
        return rows


def _names_of(conn: sqlite3.Connection, iri: str) -> list[Name]:
    rows = conn.execute("SELECT field, lang, text FROM name WHERE iri = ? ORDER BY seq", (iri,))
    return _unique_names(rows.fetchall())


def _is_chosen(conn: sqlite3.Connection, iri: str) -> bool:
    return conn.execute("SELECT 1 FROM chosen WHERE iri = ?", (iri,)).fetchone() is not None


def _describe_countries(conn: sqlite3.Connection) -> None:
    """``country_info``: the ISO code and English name of each country a resource wanted is in."""
    countries = conn.execute(
        "SELECT DISTINCT k.country FROM chosen c CROSS JOIN country k ON k.iri = c.iri "
        "UNION SELECT c.iri FROM chosen c CROSS JOIN class k ON k.iri = c.iri WHERE k.class = ?",
        (COUNTRY_CLASS,),
    ).fetchall()  # one row per country
    for (country,) in countries:
        iso, name = None, ""
        if _is_chosen(conn, country):
            first_iso = conn.execute(
                "SELECT value FROM fact WHERE iri = ? AND fact = 'iso' ORDER BY seq LIMIT 1", (country,)
            ).fetchone()
            iso = first_iso[0] if first_iso else None
            name = _english(Resource(country, _names_of(conn, country)).labels())
        code = (iso if iso else country.rstrip("/").rsplit("/", 1)[-1]).lower()
        conn.execute("INSERT INTO country_info VALUES (?, ?, ?)", (country, code, name or code.upper()))


def _describe_places(conn: sqlite3.Connection) -> None:
    """``place_key``: the search keys of the names of each place a resource wanted is in."""
    places = conn.execute(
        "SELECT DISTINCT p.place FROM chosen c CROSS JOIN place p ON p.iri = c.iri "
        "WHERE p.place IN (SELECT iri FROM chosen)"
    ).fetchall()
    for (place,) in places:
        keys = {search_key(n.text) for n in _names_of(conn, place)}
        conn.executemany("INSERT INTO place_key VALUES (?, ?)", [(place, key) for key in keys])


def choose(conn: sqlite3.Connection) -> int:
    """Number the resources wanted and describe their countries and places; how many are wanted."""
    conn.create_function(
        "wanted", 2, lambda iri, has_kinds: iri_wanted(iri, bool(has_kinds)), deterministic=True
    )
    conn.executescript(_CHOSEN)
    _describe_countries(conn)
    _describe_places(conn)
    conn.execute("CREATE INDEX place_key_place ON place_key(place)")
    conn.commit()
    return conn.execute("SELECT COUNT(*) FROM chosen").fetchone()[0]


def index_rows(conn: sqlite3.Connection) -> Iterator[IndexRows]:
    """Per resource wanted, in order: its row and its names' rows (after :func:`choose`)."""
    kinds_of: dict[str, set[str]] = {}
    for cls, kind in conn.execute("SELECT class, kind FROM class_kind"):  # one row per class and kind
        kinds_of.setdefault(cls, set()).add(kind)
    streams = {name: _Stream(conn, sql) for name, sql in _STREAMS.items()}
    reader = conn.cursor()  # point lookups, beside the streams' own cursors
    for number, iri in conn.execute("SELECT number, iri FROM chosen ORDER BY number"):
        names = _unique_names(streams["names"].take(number))  # type: ignore[arg-type]
        classes = {c for (c,) in streams["classes"].take(number)}
        kinds = {kind for c in classes for kind in kinds_of.get(c, ())}
        if streams["funded"].take(number):
            kinds.add("funder")
        facts: dict[str, list[object]] = {}
        for fact, value in streams["facts"].take(number):
            values = facts.setdefault(fact, [])  # type: ignore[arg-type]
            if value not in values:
                values.append(value)
        facts = {fact: facts[fact] for fact in FACT_PROPERTIES if fact in facts}
        countries = {c for (c,) in streams["countries"].take(number)}
        if COUNTRY_CLASS in classes:
            countries.add(iri)
        codes = sorted(
            (code, country, name)
            for country in countries
            for code, name in reader.execute(
                "SELECT code, name FROM country_info WHERE country = ?", (country,)
            )
        )
        facts["country"] = [{"id": country, "code": code, "name": name} for code, country, name in codes]
        keys: set[str] = set()
        for (place,) in streams["places"].take(number):
            keys.update(k for (k,) in reader.execute("SELECT key FROM place_key WHERE place = ?", (place,)))
        facts["place"] = sorted(keys)
        resource = Resource(iri, names)
        row = (
            number,
            iri,
            f" {' '.join(sorted(kinds))} ",
            f" {' '.join(code for code, _, _ in codes)} ",
            json.dumps(sorted(classes)),
            json.dumps(resource.labels(), ensure_ascii=False),
            json.dumps(facts, ensure_ascii=False),
        )
        name_rows = []
        for name in names:
            key = search_key(name.text)
            if key:
                name_rows.append((name.field, name.lang, name.text, key, compact_key(key)))
        yield row, name_rows

"""The search index of one published state of the store: an SQLite file, built whole, then renamed into place.

The file lives where the store keeps files derived from that state (``ReadView.derived_file``): a reader
of one state never sees the index of another, and the store removes the index with its state. The first
reader that wants an index builds it (under a lock, so that the processes of a server build it once);
the others wait for it.

Tables: ``resource`` (one row per named thing: kinds, countries, labels by language, facts), ``name``
(one row per name: its search key and compact key, B-tree indexed, for exact and prefix matches) and
``name_words`` (FTS5, the words of each name and the words joined to their neighbours, for matches on
words; contentless, its rowid is the name's).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from coopgraph.search.harvest import Resource, country_codes, harvest
from coopgraph.search.normalise import compact_key, joined_words, search_key
from coopgraph.store import GraphReader, ReadView

#: The index file's name; the number changes with the layout, so that a newer program builds its own.
INDEX_NAME = "search-v2.sqlite"

#: unicode61 with its own folding off: the keys are folded already (coopgraph.search.normalise), and
#: Chinese and Japanese characters arrive as one word each. The trigram tokenizer was the other choice:
#: it finds no word shorter than three characters, and ``清华`` is two.
TOKENIZER = "unicode61 remove_diacritics 0"

SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE resource (
    id INTEGER PRIMARY KEY,
    iri TEXT NOT NULL UNIQUE,
    kinds TEXT NOT NULL,       -- ' institution funder ': spaces around each, for LIKE '% kind %'
    countries TEXT NOT NULL,   -- ' vn cn '
    classes TEXT NOT NULL,     -- JSON list of class IRIs
    labels TEXT NOT NULL,      -- JSON {{lang: label}}
    facts TEXT NOT NULL        -- JSON {{fact: [values]}}, 'country': [{{id, code, name}}], 'place': [keys]
);
CREATE TABLE name (
    id INTEGER PRIMARY KEY,
    resource INTEGER NOT NULL REFERENCES resource(id),
    field TEXT NOT NULL,
    lang TEXT NOT NULL,
    text TEXT NOT NULL,
    key TEXT NOT NULL,
    compact TEXT NOT NULL
);
CREATE VIRTUAL TABLE name_words USING fts5(
    words, joined, content='', tokenize='{TOKENIZER}', prefix='2 3'
);
"""
INDEXES = """
CREATE INDEX name_compact ON name(compact);
CREATE INDEX name_resource ON name(resource);
"""


def index_path(view: ReadView) -> Path:
    """Where the index of this view's state is (it may not be built yet)."""
    return view.derived_file(INDEX_NAME)


def _english(resource: Resource | None) -> str:
    if resource is None:
        return ""
    labels = resource.labels()
    return labels.get("en") or labels.get("") or next(iter(labels.values()), "")


def _rows(resources: dict[str, Resource]) -> Iterator[tuple[tuple[object, ...], list[tuple[str, ...]]]]:
    """Per resource: its row, and its names' rows (field, lang, text, key, compact)."""
    for number, resource in enumerate(resources.values(), start=1):
        codes = country_codes(resource, resources)
        facts: dict[str, list[object]] = {k: list(v) for k, v in resource.facts.items() if v}
        facts["country"] = [
            {"id": c, "code": code, "name": _english(resources.get(c)) or code.upper()} for code, c in codes
        ]
        facts["place"] = sorted(
            {search_key(n.text) for p in resource.places if p in resources for n in resources[p].names}
        )
        row = (
            number,
            resource.iri,
            f" {' '.join(sorted(resource.kinds))} ",
            f" {' '.join(code for code, _ in codes)} ",
            json.dumps(sorted(resource.classes)),
            json.dumps(resource.labels(), ensure_ascii=False),
            json.dumps(facts, ensure_ascii=False),
        )
        names = []
        for name in resource.names:
            key = search_key(name.text)
            if key:
                names.append((name.field, name.lang, name.text, key, compact_key(key)))
        yield row, names


def build_index(reader: GraphReader, target: Path, generation: str = "") -> dict[str, float]:
    """Write the index of what ``reader`` reads into the file ``target`` (replaced); its counts and time."""
    started = time.monotonic()
    resources = harvest(reader)
    harvested = time.monotonic()
    target.unlink(missing_ok=True)
    conn = sqlite3.connect(target)
    try:
        conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        names = 0
        with conn:
            resource_rows, name_rows, word_rows = [], [], []
            for row, names_of_row in _rows(resources):
                resource_rows.append(row)
                for field, lang, text, key, compact in names_of_row:
                    names += 1
                    name_rows.append((names, row[0], field, lang, text, key, compact))
                    word_rows.append((names, key, joined_words(key)))
            conn.executemany("INSERT INTO resource VALUES (?, ?, ?, ?, ?, ?, ?)", resource_rows)
            conn.executemany("INSERT INTO name VALUES (?, ?, ?, ?, ?, ?, ?)", name_rows)
            conn.executemany("INSERT INTO name_words(rowid, words, joined) VALUES (?, ?, ?)", word_rows)
            conn.executescript(INDEXES)
            conn.execute("INSERT INTO name_words(name_words) VALUES ('optimize')")
            conn.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [("generation", generation), ("resources", str(len(resources))), ("names", str(names))],
            )
    finally:
        conn.close()
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())
    return {
        "resources": len(resources),
        "names": names,
        "harvest_seconds": harvested - started,
        "seconds": time.monotonic() - started,
    }


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def ensure_index(view: ReadView) -> Path:
    """The index of the view's state, built first if nobody has yet (one builder at a time)."""
    path = index_path(view)
    if path.exists():
        return path
    with _locked(path.with_name(path.name + ".lock")):
        if not path.exists():
            partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
            build_index(view, partial, view.generation)
            os.replace(partial, path)
    return path

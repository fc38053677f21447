"""The search index of one published state of the store: an SQLite file, built whole, then renamed into place.

It is built in bounded memory: what it holds is read from the store into a staging database a batch at a
time (:mod:`coopgraph.search.harvest`) and written out one resource at a time
(:mod:`coopgraph.search.resources`).

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
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from coopgraph.search.harvest import BATCH_ROWS, stage
from coopgraph.search.normalise import joined_words
from coopgraph.search.resources import choose, index_rows
from coopgraph.store import GraphReader, ReadView

#: The index file's name; the number changes with the layout, so that a newer program builds its own.
INDEX_NAME = "search-v2.sqlite"

#: unicode61 with its own folding off: the keys are folded already (coopgraph.search.normalise), and
#: Chinese and Japanese characters arrive as one word each. The trigram tokenizer was the other choice:
#: it finds no word shorter than three characters, and ``清华`` is two.
TOKENIZER = "unicode61 remove_diacritics 0"

#: SQLite's page cache per database while the index is built, in KiB.
CACHE_KIB = 16 * 1024

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


def _pragmas(conn: sqlite3.Connection) -> None:
    """A file written once and renamed into place needs no journal; the page cache is bounded (its
    default, 2 MB, makes a large build slower; more only buys a little speed)."""
    conn.executescript(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;"
        f"PRAGMA cache_size=-{CACHE_KIB};"
    )


def build_index(
    reader: GraphReader, target: Path, generation: str = "", batch: int = BATCH_ROWS
) -> dict[str, float]:
    """Write the index of what ``reader`` reads into the file ``target`` (replaced); its counts and time.

    The store's answers stream into a staging database beside ``target`` (removed after), ``batch`` rows
    at a time, and the index is written from it one resource at a time: the memory used does not grow
    with the store."""
    started = time.monotonic()
    staging = target.with_name(target.name + ".stage")
    target.unlink(missing_ok=True)
    staging.unlink(missing_ok=True)
    stage_conn = sqlite3.connect(staging)
    conn = sqlite3.connect(target)
    try:
        _pragmas(stage_conn)
        with stage_conn:
            stage(reader, stage_conn, batch)
        harvested = time.monotonic()
        resources = choose(stage_conn)
        _pragmas(conn)
        conn.executescript(SCHEMA)
        names = 0
        with conn:
            resource_rows: list[tuple[object, ...]] = []
            name_rows: list[tuple[object, ...]] = []
            word_rows: list[tuple[object, ...]] = []
            for row, names_of_row in index_rows(stage_conn):
                resource_rows.append(row)
                for field, lang, text, key, compact in names_of_row:
                    names += 1
                    name_rows.append((names, row[0], field, lang, text, key, compact))
                    word_rows.append((names, key, joined_words(key)))
                if len(resource_rows) >= batch:
                    _write(conn, resource_rows, name_rows, word_rows)
            _write(conn, resource_rows, name_rows, word_rows)
            conn.executescript(INDEXES)
            conn.execute("INSERT INTO name_words(name_words) VALUES ('optimize')")
            conn.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [("generation", generation), ("resources", str(resources)), ("names", str(names))],
            )
    finally:
        conn.close()
        stage_conn.close()
        staging.unlink(missing_ok=True)
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())
    return {
        "resources": resources,
        "names": names,
        "harvest_seconds": harvested - started,
        "seconds": time.monotonic() - started,
    }


def _write(
    conn: sqlite3.Connection,
    resource_rows: list[tuple[object, ...]],
    name_rows: list[tuple[object, ...]],
    word_rows: list[tuple[object, ...]],
) -> None:
    """Insert the rows gathered so far, and forget them."""
    conn.executemany("INSERT INTO resource VALUES (?, ?, ?, ?, ?, ?, ?)", resource_rows)
    conn.executemany("INSERT INTO name VALUES (?, ?, ?, ?, ?, ?, ?)", name_rows)
    conn.executemany("INSERT INTO name_words(rowid, words, joined) VALUES (?, ?, ?)", word_rows)
    for rows in (resource_rows, name_rows, word_rows):
        rows.clear()


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

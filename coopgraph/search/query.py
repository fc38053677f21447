"""Searching one index file: exact names first, then names that start with the query, then words.

A query is reduced to a search key (:mod:`coopgraph.search.normalise`) and never reaches SQL or FTS5 as
text: keys hold only letters, digits and spaces, each word goes into the FTS5 expression as a quoted
string, and everything else is a bound parameter. Whatever a user types (quotes, ``NEAR(``, ``*``, ``^``,
kilobytes of it) is a search for its words.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from coopgraph.search.kinds import check_kinds
from coopgraph.search.normalise import compact_key, search_key, unspaced

#: Only the beginning of a query counts (the longest names are shorter than this).
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 16
#: Candidates read from each tier before ranking (words: more, since they come unranked).
_CANDIDATES = 200
_WORD_CANDIDATES = 1000
#: How a code typed as a link is written: only the code is indexed.
_ID_LINKS = re.compile(r"^\s*https?://(www\.)?(ror\.org/|wikidata\.org/(wiki|entity)/)", re.IGNORECASE)
#: Rank of each field within a tier: names and acronyms, then alternative names, then codes.
_FIELD_RANK = {
    "prefLabel": 0,
    "label": 0,
    "name": 0,
    "acronym": 0,
    "altLabel": 1,
    "hiddenLabel": 2,
    "ror": 1,
    "wikidata": 1,
    "iso": 1,
    "code": 1,
}
TIERS = ("exact", "prefix", "words")


@dataclass
class Hit:
    """One resource found, and why."""

    iri: str
    label: str
    label_lang: str
    kinds: list[str]
    classes: list[str]
    countries: list[str]
    #: exact, prefix or words
    match: str
    matched_text: str
    matched_field: str
    matched_lang: str
    #: 0-100: 100 for an exact name or code, less as the query covers less of the name.
    score: float
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def why(self) -> str:
        what = {"exact": "exact", "prefix": "starts with the query:", "words": "words of"}[self.match]
        lang = f"@{self.matched_lang}" if self.matched_lang else ""
        return f"{what} {self.matched_field} “{self.matched_text}”{lang}"

    def as_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "lang": self.label_lang,
            "types": self.kinds,
            "classes": self.classes,
            "country": self.countries,
            "score": round(self.score, 1),
            "match": self.match,
            "why": self.why,
            "matched": {"text": self.matched_text, "field": self.matched_field, "lang": self.matched_lang},
        }


@dataclass
class _Candidate:
    resource: int
    tier: int
    field: str
    lang: str
    text: str
    compact: str
    #: For words: 0 the query's words in a row, 1 each a whole word, 2 some only as a beginning.
    subtier: int = 0


def choose_label(labels: dict[str, str], lang: str) -> tuple[str, str]:
    """The label in ``lang`` (a prefix such as ``zh`` matches ``zh-hans``), else English, else any."""
    for wanted in (lang.lower(), "en", ""):
        for have, text in labels.items():
            if have == wanted or (wanted and have.startswith(wanted + "-")):
                return text, have
    for have, text in labels.items():
        return text, have
    return "", ""


def fts_expression(key: str) -> str:
    """The FTS5 expression of a key: every word must match, the last one as a prefix (one is typing); a
    word also matches two or three words written together (``halong``); characters of scripts without
    spaces must follow each other (a phrase)."""
    groups: list[list[str]] = []
    for word in key.split()[:MAX_QUERY_WORDS]:
        if unspaced(word[0]) and groups and unspaced(groups[-1][-1][0]):
            groups[-1].append(word)
        else:
            groups.append([word])
    parts = []
    for number, group in enumerate(groups):
        if len(group) > 1 or unspaced(group[0][0]):
            parts.append(f'words : "{" ".join(group)}"')
            continue
        word = group[0]
        star = " *" if number == len(groups) - 1 else ""  # only the last word is being typed
        parts.append(f'(words : "{word}"{star} OR joined : "{word}"{star})')
    return " AND ".join(parts)


class SearchIndex:
    """An index file opened for reading (immutable: SQLite takes no lock to read it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro&immutable=1", uri=True)
        self.conn.row_factory = sqlite3.Row

    def close(self) -> None:
        self.conn.close()

    def meta(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM meta").fetchall())

    # ------------------------------------------------------------------ search
    def search(
        self,
        text: str,
        *,
        kinds: list[str] | tuple[str, ...] = (),
        countries: list[str] | tuple[str, ...] = (),
        lang: str = "en",
        limit: int = 10,
    ) -> list[Hit]:
        """The resources whose names match ``text``, best first; narrowed to resources of any of ``kinds``
        and in any of ``countries`` (ISO codes) when given."""
        check_kinds(list(kinds))
        text = _ID_LINKS.sub("", text[:MAX_QUERY_CHARS])
        key = " ".join(search_key(text).split()[:MAX_QUERY_WORDS])
        if not key or limit <= 0:
            return []
        filters, params = _filters(kinds, countries)
        compact = compact_key(key)
        found: dict[int, _Candidate] = {}
        self._exact_and_prefix(compact, filters, params, found)
        if len(found) < limit:
            self._words(key, filters, params, found)
        ranked = sorted(found.values(), key=lambda c: _order(c, compact, lang))[:limit]
        return self._hits(ranked, key, compact, lang)

    def _exact_and_prefix(
        self, compact: str, filters: str, params: list[str], found: dict[int, _Candidate]
    ) -> None:
        rows = self.conn.execute(
            "SELECT n.resource, n.field, n.lang, n.text, n.compact FROM name n "
            f"JOIN resource r ON r.id = n.resource WHERE n.compact = ? {filters} LIMIT ?",
            [compact, *params, _CANDIDATES],
        ).fetchall()
        rows += self.conn.execute(
            "SELECT n.resource, n.field, n.lang, n.text, n.compact FROM name n "
            f"JOIN resource r ON r.id = n.resource WHERE n.compact > ? AND n.compact < ? {filters} LIMIT ?",
            [compact, compact + "\U0010ffff", *params, _CANDIDATES],
        ).fetchall()
        for row in rows:
            tier = 0 if row["compact"] == compact else 1
            candidate = _Candidate(
                row["resource"], tier, row["field"], row["lang"], row["text"], row["compact"]
            )
            _keep(found, candidate)

    def _words(self, key: str, filters: str, params: list[str], found: dict[int, _Candidate]) -> None:
        # Not ORDER BY rank: FTS5's bm25 counts every document of every word of the query to weigh it,
        # which costs as much as the commonest word is common. Names are short; how much of a name the
        # query covers ranks them (below), among the first matches in the order of the index.
        rows = self.conn.execute(
            "SELECT n.resource, n.field, n.lang, n.text, n.key, n.compact "
            "FROM name_words w JOIN name n ON n.id = w.rowid JOIN resource r ON r.id = n.resource "
            f"WHERE name_words MATCH ? {filters} LIMIT ?",
            [fts_expression(key), *params, _WORD_CANDIDATES],
        ).fetchall()
        words = set(key.split())
        for row in rows:
            in_a_row = f" {key} " in f" {row['key']} "
            subtier = 0 if in_a_row else 1 if words <= set(row["key"].split()) else 2
            candidate = _Candidate(
                row["resource"],
                2,
                row["field"],
                row["lang"],
                row["text"],
                row["compact"],
                subtier,
            )
            _keep(found, candidate)

    def _hits(self, ranked: list[_Candidate], key: str, compact: str, lang: str) -> list[Hit]:
        hits = []
        for c in ranked:
            row = self.conn.execute("SELECT * FROM resource WHERE id = ?", (c.resource,)).fetchone()
            label, label_lang = choose_label(json.loads(row["labels"]), lang)
            exact_words = c.tier == 0 and search_key(c.text) == key
            hits.append(
                Hit(
                    iri=row["iri"],
                    label=label or c.text,
                    label_lang=label_lang,
                    kinds=row["kinds"].split(),
                    classes=json.loads(row["classes"]),
                    countries=row["countries"].split(),
                    match=TIERS[c.tier],
                    matched_text=c.text,
                    matched_field=c.field,
                    matched_lang=c.lang,
                    score=_score(c, compact, exact_words),
                    facts=json.loads(row["facts"]),
                )
            )
        return hits

    # ------------------------------------------------------------------ lookups
    def resource(self, iri: str, lang: str = "en") -> dict[str, Any] | None:
        """What the index holds of one resource (None: not there)."""
        row = self.conn.execute("SELECT * FROM resource WHERE iri = ?", (iri,)).fetchone()
        if row is None:
            return None
        names = self.conn.execute(
            "SELECT field, lang, text FROM name WHERE resource = ? ORDER BY id", (row["id"],)
        ).fetchall()
        label, label_lang = choose_label(json.loads(row["labels"]), lang)
        return {
            "iri": iri,
            "label": label,
            "lang": label_lang,
            "types": row["kinds"].split(),
            "classes": json.loads(row["classes"]),
            "country": row["countries"].split(),
            "facts": json.loads(row["facts"]),
            "names": [dict(n) for n in names],
        }


Names = list[str] | tuple[str, ...]


def _filters(kinds: Names, countries: Names) -> tuple[str, list[str]]:
    sql, params = "", []
    if kinds:
        sql += " AND (" + " OR ".join("r.kinds LIKE ?" for _ in kinds) + ")"
        params += [f"% {k} %" for k in kinds]
    codes = [c.strip().lower() for c in countries if c.strip()]
    if codes:
        sql += " AND (" + " OR ".join("r.countries LIKE ?" for _ in codes) + ")"
        params += [f"% {c.replace('%', '').replace('_', '')} %" for c in codes]
    return sql, params


def _keep(found: dict[int, _Candidate], candidate: _Candidate) -> None:
    """Keep the best candidate per resource: lower tier, then the better field."""
    have = found.get(candidate.resource)
    if have is None or (candidate.tier, candidate.subtier, _FIELD_RANK.get(candidate.field, 3)) < (
        have.tier,
        have.subtier,
        _FIELD_RANK.get(have.field, 3),
    ):
        found[candidate.resource] = candidate


def _coverage(candidate: _Candidate, compact: str) -> float:
    return min(1.0, len(compact) / max(1, len(candidate.compact)))


def _order(candidate: _Candidate, compact: str, lang: str) -> tuple[object, ...]:
    return (
        candidate.tier,
        candidate.subtier,
        _FIELD_RANK.get(candidate.field, 3),
        -_coverage(candidate, compact),
        candidate.lang != lang,
        candidate.text,
    )


def _score(candidate: _Candidate, compact: str, exact_words: bool) -> float:
    penalty = 2.0 * _FIELD_RANK.get(candidate.field, 3) if candidate.field not in ("ror", "wikidata") else 0.0
    if candidate.tier == 0:
        return (100.0 if exact_words else 98.0) - penalty
    if candidate.tier == 1:
        return 50.0 + 40.0 * _coverage(candidate, compact) - penalty
    return 10.0 + 40.0 * _coverage(candidate, compact) - 5.0 * candidate.subtier - penalty

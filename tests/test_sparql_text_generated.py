"""The scanner against Oxigraph on generated queries: expressions with every comparison, strings, IRIs and
comments that look like the end of something, subqueries with solution modifiers, glued tokens, and a
SERVICE to a local recorder placed at random or only inside strings and comments.

Oxigraph is the oracle: of the texts it accepts, a SERVICE it calls must be one the scanner reports, and
where the text holds no SERVICE outside strings, comments and IRIs, the scanner must report none. The
texts come from a seeded generator (the same texts on every run), so a failure names its text.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from coopgraph.sparql_text import ScanError, scan_query
from tests import http_recorder as recorder

PREFIXES = "PREFIX ex: <http://ex.example/>\n"
CASES = 4000  # texts generated; about a third are SPARQL Oxigraph accepts
NEEDLE = "SERVICE <EVIL> {}"
# what a string, an IRI or a comment may hold that looks like the end or the start of something else
STRING_PARTS = ["x", ">", "<", "#", "}", "{", ")", "(", NEEDLE, ">SERVICE<EVIL>{}", "<#>", " "]
IRIS = ["<#>", "<http://a.example/#'>", "<a#b>", "<http://a.example/>", "<x>"]
OPERATORS = ["<", ">", "<=", ">=", "=", "!=", "&&", "||", "+", "-", "*", "/"]
ATOMS = ["?o", "?s", "1", ".5", "2.0", "true", "false", "ex:a", "-1"]


class _Generator:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.fresh = 0
        self.needles = 0  # SERVICE patterns placed outside strings and comments

    def gap(self) -> str:
        """Between two tokens: nothing (glued), a space, a line end, or a comment."""
        comment = " #" + self.r.choice(['"""', "'", NEEDLE, "<"]) + "\n"
        return self.r.choice(["", " ", " ", " ", "\n", comment])

    def string(self) -> str:
        body = "".join(self.r.choice(STRING_PARTS) for _ in range(self.r.randint(0, 3)))
        quote = self.r.choice(['"', "'", '"""', "'''"])
        if len(quote) == 1:
            body = body.replace(quote, "")
        return quote + body + quote

    def atom(self) -> str:
        kind = self.r.random()
        if kind < 0.2:
            return self.string()
        if kind < 0.35:
            return self.r.choice(IRIS)
        return self.r.choice(ATOMS)

    def expr(self, depth: int = 0) -> str:
        kind = self.r.random() if depth < 3 else 0.0
        if kind < 0.35:
            return self.atom()
        if kind < 0.7:
            g = self.gap
            return self.expr(depth + 1) + g() + self.r.choice(OPERATORS) + g() + self.expr(depth + 1)
        if kind < 0.8:
            return "(" + self.gap() + self.expr(depth + 1) + self.gap() + ")"
        if kind < 0.9:
            return "STR(" + self.expr(depth + 1) + ")"
        return "COALESCE(" + self.expr(depth + 1) + "," + self.gap() + self.expr(depth + 1) + ")"

    def var(self) -> str:
        self.fresh += 1
        return f"?v{self.fresh}"

    def pattern(self, depth: int, needle: bool) -> str:
        g = self.gap
        kind = self.r.random() if depth < 2 else self.r.random() * 0.6
        if kind < 0.12 and needle:
            self.needles += 1
            return NEEDLE
        if kind < 0.3:
            start = "?s" + g() + "?p" + g()
            return start + self.r.choice([self.string(), self.r.choice(IRIS), "?o"]) + g() + "."
        if kind < 0.45:
            return "FILTER" + g() + "(" + self.expr() + ")"
        if kind < 0.6:
            return "BIND(" + self.expr() + " AS " + self.var() + ")"
        if kind < 0.75:
            return "OPTIONAL" + g() + "{" + self.body(depth + 1, needle) + "}"
        if kind < 0.85:
            return "FILTER" + g() + "EXISTS" + g() + "{" + self.body(depth + 1, needle) + "}"
        order = self.r.choice(["", " ORDER BY " + self.r.choice(["", "DESC"]) + "(" + self.expr() + ")"])
        selected = self.r.choice(["*", "?o (" + self.expr() + " AS " + self.var() + ")"])
        return "{ SELECT " + selected + " WHERE {" + self.body(depth + 1, needle) + "}" + order + g() + "}"

    def body(self, depth: int, needle: bool) -> str:
        patterns = "".join(self.gap() + self.pattern(depth, needle) for _ in range(self.r.randint(1, 3)))
        return patterns + self.gap()

    def query(self, needle: bool) -> str:
        select = self.r.choice(["*", "?o", "(" + self.expr() + " AS " + self.var() + ")"])
        return f"{PREFIXES}SELECT {select} WHERE {{ VALUES ?o {{ 1 }} {self.body(0, needle)} }}"


def _accepted(store: ox.Store, generator: _Generator, evil: str, needle: bool) -> Iterator[tuple[str, bool]]:
    """The generated texts Oxigraph accepts, each with whether Oxigraph called the recorder."""
    for _ in range(CASES // 4):
        text = generator.query(needle).replace("EVIL", evil)
        try:
            contacted = recorder.contacts(store, text)
        except SyntaxError:
            continue
        except RuntimeError:  # an evaluation error (a glued name read as a function): what it called
            contacted = bool(recorder.Recorder.hits)
        yield text, contacted


@pytest.mark.parametrize("seed", range(4))
def test_generated_queries_every_service_oxigraph_calls_is_reported(evil: str, seed: int) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://s.example/"), ox.NamedNode("http://p.example/"), ox.Literal(1)))
    generator = _Generator(seed)
    accepted = called = 0
    for text, contacted in _accepted(store, generator, evil, needle=True):
        accepted += 1
        try:
            services = scan_query(text).services
        except ScanError as e:
            pytest.fail(f"the scanner refused a text Oxigraph reads ({e}):\n{text}")
        if contacted:
            called += 1
            assert evil in services, f"Oxigraph called the SERVICE, the scanner did not see it:\n{text}"
    assert accepted >= CASES // 40 and called >= CASES // 200  # the generator makes what it is for


@pytest.mark.parametrize("seed", range(4, 8))
def test_generated_queries_without_a_service_report_none(evil: str, seed: int) -> None:
    """The same texts with the SERVICE only inside strings, comments and IRIs: nothing to report."""
    store = ox.Store()
    generator = _Generator(seed)
    accepted = 0
    for text, contacted in _accepted(store, generator, evil, needle=False):
        accepted += 1
        assert not contacted
        assert scan_query(text).services == [], f"the scanner saw a SERVICE Oxigraph does not:\n{text}"
    assert accepted >= CASES // 40

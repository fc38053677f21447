"""Just enough SPARQL syntax for SHACL-SPARQL: tokenising, the pre-binding rules, and rewriting the
projection so a query can run for many focus nodes at once under ``LATERAL``.

The queries of SPARQL-based constraints are only ever run by Oxigraph, which parses them for real; the
tokeniser here only has to find keywords, variables, braces and the projection reliably.

Why not :mod:`coopgraph.sparql_text`: that scanner decides, in microseconds per request, what an untrusted
query would make Oxigraph do (SERVICE, LOAD, datasets), reading the text exactly as Oxigraph's parser
does, quirks included, and it produces no token list. Rewriting a shape's query needs the opposite: a
list of grammar tokens to cut and splice (the projection, ``$this``, ``LATERAL``), over trusted text
written by the shapes' authors, once per shape. One tokenizer serving both would either slow the
request path with a token list or make the rewriter follow Oxigraph's quirks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Any character from U+00C0 up. Written as the complement of the lower ones: a class that lists the
#: range itself costs the regular expression compiler about 15 ms each, every process, every class.
_HIGH = "[^\\x00-\\xbf]"


def _chars(extra: str = "") -> str:
    """A character of names (letters, digits, _, U+00B7, U+00C0 and up) or one of ``extra``."""
    return f"(?:[A-Za-z0-9_\u00b7{extra}]|{_HIGH})"


_NAME = _chars()
_NAME_DOT = _chars(".\\-")  # inside a name: also . and -
_NAME_END = _chars("\\-")
_LOCAL_CH = _chars(":%\\-\\\\")  # a local part: also : % - and \ (escapes)
_LOCAL_DOT = _chars(".:%\\-\\\\")
_NS = f"(?:[A-Za-z]|{_HIGH})(?:{_NAME_DOT}*{_NAME_END})?"  # the prefix of a prefixed name
_LOCAL = f"{_LOCAL_CH}(?:{_LOCAL_DOT}*{_LOCAL_CH})?"  # its local part
_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<ws>\s+)",
            r"(?P<comment>#[^\n]*)",
            r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""'
            r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
            r'|"(?:[^"\\\n]|\\.)*"'
            r"|'(?:[^'\\\n]|\\.)*')",
            r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',
            f"(?P<var>[?$]{_NAME}+)",
            f"(?P<bnode>_:{_NAME}(?:{_NAME_DOT}*{_NAME_END})?)",
            f"(?P<pname>(?:{_NS})?:(?:{_LOCAL})?)",
            r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)",
            r"(?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
            r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.*+\-/|^!=<>?])",
            r"(?P<other>.)",
        ]
    ),
    re.DOTALL,
)

FORBIDDEN = ("MINUS", "SERVICE", "VALUES")


class SparqlError(ValueError):
    """A SHACL-SPARQL query that breaks the rules of the spec or cannot be handled."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "name" else ""

    @property
    def var(self) -> str | None:
        return self.text[1:] if self.kind == "var" else None


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        out.append(Token(kind, m.group(), m.start(), m.end()))
    return out


def _match(tokens: list[Token], i: int) -> int:
    """Index of the bracket closing the one at ``i``."""
    open_, close = tokens[i].text, {"{": "}", "(": ")", "[": "]"}[tokens[i].text]
    depth = 0
    for j in range(i, len(tokens)):
        t = tokens[j].text if tokens[j].kind == "punct" else ""
        if t == open_:
            depth += 1
        elif t == close:
            depth -= 1
            if depth == 0:
                return j
    raise SparqlError(f"unbalanced '{open_}' in query")


@dataclass
class Query:
    """A query split into its prologue (BASE/PREFIX) and body, with the body's tokens."""

    prologue: str
    body: str
    tokens: list[Token]
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE

    @classmethod
    def parse(cls, text: str) -> Query:
        tokens = tokenize(text)
        i = 0
        while i < len(tokens) and tokens[i].upper in ("PREFIX", "BASE"):
            i += 3 if tokens[i].upper == "PREFIX" else 2
        if i >= len(tokens):
            raise SparqlError("empty query")
        start = tokens[i].start
        body = text[start:]
        form = tokens[i].upper
        if form not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            raise SparqlError(f"expected SELECT or ASK, found {tokens[i].text!r}")
        return cls(text[:start], body, tokenize(body), form)

    # ----------------------------------------------------------------- facts
    def variables(self) -> set[str]:
        return {t.text[1:] for t in self.tokens if t.kind == "var"}

    def uses(self, name: str) -> bool:
        return name in self.variables()

    def where_span(self, select_at: int = 0) -> tuple[int, int]:
        """Token indexes of the '{' and '}' of the WHERE group of the SELECT/ASK starting at ``select_at``."""
        i = select_at + 1
        depth = 0
        while i < len(self.tokens):
            t = self.tokens[i]
            if t.kind == "punct" and t.text == "(":
                depth += 1
            elif t.kind == "punct" and t.text == ")":
                depth -= 1
            elif depth == 0 and t.kind == "punct" and t.text == "{":
                return i, _match(self.tokens, i)
            i += 1
        raise SparqlError("query has no WHERE group")

    def projection(self, select_at: int = 0) -> tuple[int, int, list[str] | None]:
        """(first, end) token indexes of the projection of the SELECT at ``select_at`` and the projected
        variable names (None for ``SELECT *``)."""
        i = select_at + 1
        if i < len(self.tokens) and self.tokens[i].upper in ("DISTINCT", "REDUCED"):
            i += 1
        first = i
        names: list[str] = []
        star = False
        while i < len(self.tokens):
            t = self.tokens[i]
            if t.upper in ("WHERE", "FROM") or (t.kind == "punct" and t.text == "{"):
                break
            if t.kind == "punct" and t.text == "*":
                star = True
            elif t.kind == "var":
                names.append(t.text[1:])
            elif t.kind == "punct" and t.text == "(":
                close = _match(self.tokens, i)
                if close - 1 > i and self.tokens[close - 1].kind == "var":
                    names.append(self.tokens[close - 1].text[1:])
                i = close
            i += 1
        return first, i, (None if star else names)

    def in_scope(self, open_: int, close: int) -> set[str]:
        """Variables in scope in the group between tokens ``open_`` and ``close`` (as for SELECT *)."""
        out: set[str] = set()
        toks = self.tokens
        i = open_ + 1
        while i < close:
            t = toks[i]
            if t.upper == "FILTER":
                i += 1
                if toks[i].upper == "NOT":
                    i += 1
                if toks[i].upper == "EXISTS":
                    i += 1
                if toks[i].kind in ("name", "iri", "pname") and i + 1 < close and toks[i + 1].text == "(":
                    i += 1
                i = _match(toks, i) + 1
                continue
            if t.upper == "BIND":
                end = _match(toks, i + 1)
                out.add(toks[end - 1].text[1:])
                i = end + 1
                continue
            if t.upper == "SELECT":
                _, _, names = self.projection(i)
                g_open, g_close = self.where_span(i)
                out.update(names if names is not None else self.in_scope(g_open, g_close))
                i = g_close + 1
                continue
            if t.kind == "var":
                out.add(t.text[1:])
            i += 1
        return out

    # ----------------------------------------------------------------- rules
    def check_prebinding(self, prebound: set[str], required: set[str]) -> None:
        """The spec's rules for queries with pre-bound variables (SHACL 5.3.1 / 6.3)."""
        for k, t in enumerate(self.tokens):
            if t.upper in FORBIDDEN:
                raise SparqlError(f"{t.upper} is not allowed in a SHACL-SPARQL query")
            if t.upper == "AS" and k + 1 < len(self.tokens):
                nxt = self.tokens[k + 1]
                if nxt.kind == "var" and nxt.text[1:] in prebound:
                    raise SparqlError(f"the pre-bound variable {nxt.text} must not be assigned with AS")
            if t.upper == "SELECT" and k > 0:
                _, _, names = self.projection(k)
                if names is None:
                    g_open, g_close = self.where_span(k)
                    names = list(self.in_scope(g_open, g_close))
                missing = sorted(required - set(names))
                if missing:
                    raise SparqlError(
                        "a sub-query must return the pre-bound variable(s) "
                        + ", ".join("$" + m for m in missing)
                    )

    # ----------------------------------------------------------------- rewriting
    def substitute_path(self, path_sparql: str) -> Query:
        """Replace ``$PATH`` by the SPARQL path text (spec: textual substitution)."""
        parts: list[str] = []
        last = 0
        for t in self.tokens:
            if t.kind == "var" and t.text[1:] == "PATH":
                parts.append(self.body[last : t.start])
                parts.append(path_sparql)
                last = t.end
        if not parts:
            return self
        parts.append(self.body[last:])
        body = "".join(parts)
        return Query(self.prologue, body, tokenize(body), self.form)

    def select_projecting(self, names: list[str]) -> str:
        """The body with every name in ``names`` added to the top-level projection (and to GROUP BY
        when the query aggregates), so that LATERAL can substitute them inside."""
        if self.form != "SELECT":
            raise SparqlError("expected a SELECT query")
        first, end, projected = self.projection(0)
        g_open, g_close = self.where_span(0)
        if projected is None:
            projected_now = sorted(self.in_scope(g_open, g_close))
            add = [n for n in names if n not in projected_now]
            head = self.body[: self.tokens[first].start]
            proj = " ".join("?" + n for n in [*add, *projected_now]) or "?" + names[0]
            star_at = end - 1 if end > first else first
            rest = self.body[self.tokens[star_at].end :]
            text = head + proj + " " + rest
            return Query(self.prologue, text, tokenize(text), "SELECT").select_projecting(names)
        add = [n for n in names if n not in projected]
        if not add:
            return self.body
        insert_at = self.tokens[first].start
        text = self.body[:insert_at] + " ".join("?" + n for n in add) + " " + self.body[insert_at:]
        if self._aggregates(first, end, g_close):
            text = self._group_by(Query(self.prologue, text, tokenize(text), "SELECT"), add)
        return text

    def _aggregates(self, first: int, end: int, g_close: int) -> bool:
        aggs = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}
        if any(t.upper in aggs for t in self.tokens[first:end]):
            return True
        return any(t.upper in ("GROUP", "HAVING") for t in self.tokens[g_close + 1 :])

    @staticmethod
    def _group_by(q: Query, add: list[str]) -> str:
        _, g_close = q.where_span(0)
        toks = q.tokens
        extra = " ".join("?" + n for n in add)
        for k in range(g_close + 1, len(toks) - 1):
            if toks[k].upper == "GROUP" and toks[k + 1].upper == "BY":
                at = toks[k + 1].end
                return q.body[:at] + " " + extra + q.body[at:]
        at = toks[g_close].end
        return q.body[:at] + f" GROUP BY {extra}" + q.body[at:]

    def ask_group(self) -> str:
        """The text of the WHERE group of an ASK query, braces included."""
        if self.form != "ASK":
            raise SparqlError("expected an ASK query")
        g_open, g_close = self.where_span(0)
        if any(t.kind != "punct" or t.text != "}" for t in self.tokens[g_close + 1 :]):
            raise SparqlError("solution modifiers after an ASK validator's WHERE clause are not supported")
        return self.body[self.tokens[g_open].start : self.tokens[g_close].end]

    def check_no_dataset(self) -> None:
        for t in self.tokens:
            if t.upper in ("FROM",):
                raise SparqlError("FROM / FROM NAMED clauses are not supported in SHACL-SPARQL queries")


def prefix_block(declarations: dict[str, str]) -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(declarations.items()))

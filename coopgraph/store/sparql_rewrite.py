"""Token-level rewriting of SPARQL text for the remote store (:mod:`coopgraph.store.remote`).

A remote store keeps a transaction's changes and the older versions that kept views read in graphs of
their own (see that module). Text sent to the server must therefore name those graphs instead of the
ones the caller named, bind substitutions the server cannot receive out of band, and send the writes that
SPARQL Update makes to the default graph into the graph that holds the store's default graph. This module
does that on tokens, never on the parse tree: a graph name is rewritten only where the grammar puts a
graph (after ``GRAPH``, ``WITH``, ``USING [NAMED]``, ``FROM [NAMED]``, ``INTO``, ``TO``, ``ADD``, ``MOVE``,
``COPY`` and ``SILENT``), so the same IRI as a subject or an object is left alone. Syntax is checked
before, by Oxigraph (the embedded store's parser), so the text reaching here is valid SPARQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode

from coopgraph.sparql_text import resolve_iri

__all__ = ["Token", "bind_values", "rewrite_graphs", "route_update", "tokens"]

_TOKEN = re.compile(
    r"""
    (?P<ws>(?:\s+|\#[^\r\n]*)+)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<str>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
      |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$][\w\u00b7-\uffff]+)
  | (?P<bnode>_:[\w\-.\u00b7-\uffff]*)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w\-.\u00b7-\uffff]*)?:(?:[\w\-:%\u00b7-\uffff.]|\\\S)*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][\w]*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|\S)
    """,
    re.X,
)

#: The keywords after which an IRI names a graph.
_GRAPH_BEFORE = frozenset(
    ("GRAPH", "WITH", "USING", "NAMED", "FROM", "INTO", "TO", "ADD", "MOVE", "COPY", "SILENT")
)


@dataclass(frozen=True)
class Token:
    kind: str  # ws, iri, str, var, bnode, pname, lang, num, word, punct
    text: str
    start: int

    @property
    def word(self) -> str:
        """The keyword this token is (upper case), or ""."""
        return self.text.upper() if self.kind == "word" else ""


def tokens(text: str) -> list[Token]:
    """The tokens of ``text`` (whitespace and comments included, so that joining them gives it back)."""
    found: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        assert m is not None and m.lastgroup is not None  # the last alternative takes any character
        kind, value = m.lastgroup, m.group()
        if kind == "pname" and value.endswith("."):  # a dot after a prefixed name ends the triple
            value = value.rstrip(".") or value
        found.append(Token(kind, value, pos))
        pos += len(value)
    return found


class _Names:
    """PREFIX and BASE declarations met so far, to resolve the IRIs the text names."""

    def __init__(self, base_iri: str | None) -> None:
        self.base = base_iri
        self.prefixes: dict[str, str] = {}

    def declare(self, toks: list[Token], i: int) -> None:
        """Record the declaration whose keyword is ``toks[i]``."""
        rest = [t for t in toks[i + 1 : i + 5] if t.kind != "ws"]
        if toks[i].word == "BASE" and rest and rest[0].kind == "iri":
            self.base = self.resolve(rest[0]) or self.base
        elif (
            toks[i].word == "PREFIX" and len(rest) >= 2 and rest[0].kind == "pname" and rest[1].kind == "iri"
        ):
            iri = self.resolve(rest[1])
            if iri is not None:
                self.prefixes[rest[0].text[:-1]] = iri

    def resolve(self, token: Token) -> str | None:
        if token.kind == "iri":
            return resolve_iri(token.text[1:-1], self.base)
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            ns = self.prefixes.get(prefix)
            return None if ns is None else ns + re.sub(r"\\(.)", r"\1", local)
        return None


def _significant(toks: list[Token]) -> Iterator[tuple[int, Token]]:
    return ((i, t) for i, t in enumerate(toks) if t.kind != "ws")


def rewrite_graphs(text: str, physical: Callable[[str], str | None], base_iri: str | None = None) -> str:
    """``text`` with every graph name ``g`` in a graph position replaced by ``<physical(g)>`` (None:
    left as it is)."""
    toks = tokens(text)
    names = _Names(base_iri)
    out: list[str] = []
    previous = ""
    for t in toks:
        if t.word in ("BASE", "PREFIX"):
            names.declare(toks, toks.index(t))
        replaced = t.text
        if t.kind in ("iri", "pname") and previous in _GRAPH_BEFORE:
            iri = names.resolve(t)
            target = physical(iri) if iri is not None else None
            if target is not None:
                replaced = f"<{target}>"
        out.append(replaced)
        if t.kind != "ws":
            previous = t.word
    return "".join(out)


def term_text(term: NamedNode | BlankNode | Literal) -> str:
    """A term as SPARQL text (a blank node cannot be bound from outside a query)."""
    if isinstance(term, BlankNode):
        raise ValueError("a blank node cannot be substituted into a query sent to a remote store")
    return str(term)


def bind_values(text: str, substitutions: Mapping[str, NamedNode | BlankNode | Literal]) -> str:
    """``text`` with a ``VALUES`` block binding ``substitutions`` first in the query's WHERE group, which
    is what binding the variables before evaluation amounts to for the queries the project runs."""
    if not substitutions:
        return text
    names = list(substitutions)
    block = (
        f" VALUES ({' '.join('?' + n for n in names)}) "
        f"{{ ({' '.join(term_text(substitutions[n]) for n in names)}) }} "
    )
    toks = tokens(text)
    depth = 0
    construct = seen_where = False
    for _, t in _significant(toks):
        if t.word == "CONSTRUCT" and depth == 0:
            construct = True
        elif t.word == "WHERE" and depth == 0:
            seen_where = True
        elif t.text in ("(", "["):
            depth += 1
        elif t.text in (")", "]"):
            depth -= 1
        elif t.text == "{" and depth == 0 and (seen_where or not construct):
            cut = t.start + 1
            return text[:cut] + block + text[cut:]
        elif t.text == "{" and depth == 0:  # a CONSTRUCT template
            depth += 100
        elif t.text == "}" and depth >= 100:
            depth -= 100
    raise ValueError("no WHERE clause found to bind the substitutions in")


# --------------------------------------------------------------------------- updates


@dataclass
class UpdatePlan:
    """What :func:`route_update` made of an update request."""

    text: str
    #: Graphs named in graph positions (as the caller named them), and whether ``GRAPH ?var`` occurs.
    named: set[str]
    variable_graph: bool
    #: Graphs the request drops (``DROP GRAPH``), to remove from the store's list of graphs.
    dropped: set[str]


def _operations(toks: list[Token]) -> list[list[Token]]:
    """The operations of an update request: split at ``;`` outside brackets."""
    ops: list[list[Token]] = [[]]
    depth = 0
    for t in toks:
        if t.text in ("{", "(", "["):
            depth += 1
        elif t.text in ("}", ")", "]"):
            depth -= 1
        if t.text == ";" and depth == 0:
            ops[-1].append(t)
            ops.append([])
        else:
            ops[-1].append(t)
    return [op for op in ops if any(t.kind != "ws" for t in op)]


def _block_end(op: list[Token], i: int) -> int:
    """The index of the ``}`` closing the ``{`` at ``op[i]``."""
    depth = 0
    for j in range(i, len(op)):
        if op[j].text == "{":
            depth += 1
        elif op[j].text == "}":
            depth -= 1
            if depth == 0:
                return j
    raise ValueError("unbalanced braces in the update")


def route_update(
    text: str,
    physical: Callable[[str], str | None],
    default_graph: str,
    all_graphs: list[str],
    base_iri: str | None = None,
) -> UpdatePlan:
    """Rewrite an update request for the server: graph names through ``physical``; what it writes to or
    reads from the default graph into ``default_graph`` (``WITH``; ``INSERT DATA``, ``DELETE DATA`` and
    ``DELETE WHERE`` become the equivalent ``WITH … INSERT/DELETE … WHERE``); an operation that matches
    ``GRAPH ?var`` is given ``USING``/``USING NAMED`` for ``all_graphs``, so that it sees only the store's
    graphs. ``ALL`` and ``NAMED`` targets raise ValueError: they would reach past the store on the server.
    """
    names = _Names(base_iri)
    named: set[str] = set()
    dropped: set[str] = set()
    variable_graph = False
    pieces: list[str] = []
    for op in _operations(tokens(text)):
        sig = [(i, t) for i, t in enumerate(op) if t.kind != "ws"]
        for i, t in sig:
            if t.word in ("BASE", "PREFIX"):
                names.declare(op, i)
        body = [(i, t) for i, t in sig if t.word not in ("BASE", "PREFIX")]
        # the prologue's own tokens are skipped: the first keyword after it says what the operation is
        first = _first_after_prologue(op, sig)
        words = [t.word for _, t in body]
        if "ALL" in words or ("NAMED" in words and first in ("CLEAR", "DROP")):
            raise ValueError(f"{first} ALL and {first} NAMED are not run on a remote store")
        prev = ""
        out = [t.text for t in op]
        variable = False
        for i, t in sig:
            if t.kind in ("iri", "pname") and prev in _GRAPH_BEFORE:
                iri = names.resolve(t)
                if iri is not None:
                    named.add(iri)
                    if first == "DROP":
                        dropped.add(iri)
                    target = physical(iri)
                    if target is not None:
                        out[i] = f"<{target}>"
            elif t.word == "DEFAULT" and first in ("CLEAR", "DROP", "ADD", "MOVE", "COPY"):
                out[i] = f"GRAPH <{default_graph}>"
            elif t.kind == "var" and prev == "GRAPH":
                variable = True
            prev = t.word
        variable_graph = variable_graph or variable
        pieces.append(_route_default(op, out, first, default_graph, all_graphs, variable))
    return UpdatePlan("".join(pieces), named, variable_graph, dropped)


def _first_after_prologue(op: list[Token], sig: list[tuple[int, Token]]) -> str:
    skip = 0
    for _, t in sig:
        if skip:
            skip -= 1
            continue
        if t.word == "BASE":
            skip = 1
        elif t.word == "PREFIX":
            skip = 2
        else:
            return t.word
    return ""


def _route_default(
    op: list[Token], out: list[str], first: str, default_graph: str, all_graphs: list[str], variable: bool
) -> str:
    """One operation, its default graph made ``default_graph``."""
    sig = [i for i, t in enumerate(op) if t.kind != "ws"]
    start = next((i for i in sig if op[i].word == first), None)
    if start is None:
        return "".join(out)
    with_clause = f"WITH <{default_graph}> "
    nxt = next((i for i in sig if i > start), None)
    if not _uses_default(op, sig):
        pass  # left as it is: Virtuoso applies WITH even inside GRAPH blocks of the same operation
    elif first in ("INSERT", "DELETE") and nxt is not None and op[nxt].word == "DATA":
        brace = next(i for i in sig if i > nxt and op[i].text == "{")
        end = _block_end(op, brace)
        out[start] = with_clause + first
        out[nxt] = ""
        out[end] = "} WHERE {}"
    elif first == "DELETE" and nxt is not None and op[nxt].word == "WHERE":
        brace = next(i for i in sig if i > nxt and op[i].text == "{")
        end = _block_end(op, brace)
        pattern = "".join(out[brace : end + 1])
        out[start] = with_clause + "DELETE"
        out[nxt] = ""
        out[end] = "} WHERE " + pattern
    elif first in ("INSERT", "DELETE"):
        out[start] = with_clause + out[start]
    if first in ("INSERT", "DELETE", "WITH") and variable and "USING" not in {op[i].word for i in sig}:
        # WITH names the WHERE clause's default graph too; USING takes its place, so it repeats it
        read = out[nxt] if first == "WITH" and nxt is not None else f"<{default_graph}>"
        using = f"USING {read} " + "".join(f"USING NAMED <{g}> " for g in all_graphs)
        where = _top_level_where(op, sig)
        out[where] = using + out[where]
    return "".join(out)


_TERMS = frozenset(("iri", "pname", "var", "str", "num", "bnode"))


def _uses_default(op: list[Token], sig: list[int]) -> bool:
    """Whether a template or pattern of the operation holds a triple outside any ``GRAPH`` block (terms
    inside brackets, the graph names themselves and ``VALUES`` data aside)."""
    frames: list[list[int]] = []  # [inside GRAPH or VALUES (0/1), open parentheses]
    graph_next = values_next = False
    prev = ""
    for i in sig:
        t = op[i]
        if t.text == "{":
            inherited = bool(frames and frames[-1][0])
            frames.append([int(inherited or graph_next or values_next), 0])
            graph_next = values_next = False
        elif t.text == "}":
            if frames:
                frames.pop()
        elif t.text == "(" and frames:
            frames[-1][1] += 1
        elif t.text == ")" and frames:
            frames[-1][1] -= 1
        elif t.word == "GRAPH":
            graph_next = True
        elif t.word == "VALUES":
            values_next = True
        elif (
            (t.kind in _TERMS or t.text == "[")
            and frames
            and not frames[-1][0]
            and not frames[-1][1]
            and prev != "GRAPH"
            and not values_next
        ):
            return True
        prev = t.word
    return False


def _top_level_where(op: list[Token], sig: list[int]) -> int:
    depth = 0
    for i in sig:
        if op[i].text in ("{", "(", "["):
            depth += 1
        elif op[i].text in ("}", ")", "]"):
            depth -= 1
        elif depth == 0 and op[i].word == "WHERE":
            return i
    raise ValueError("an update operation without WHERE")

"""A fast scanner of SPARQL request text that cannot be fooled about SERVICE, LOAD and datasets.

The server must refuse requests that would make Oxigraph contact another host
(``SERVICE``, ``LOAD``) and must apply the query's dataset clauses itself, before
the text reaches Oxigraph. Parsing with rdflib costs milliseconds; this module
costs microseconds: a hand-made tokenizer with a small scanner on top. It does
not validate syntax (Oxigraph does that and reports the error); it finds the
prologue, the query form, the dataset clauses, every SERVICE target and, for
updates, the operations and the graphs they read and write.

Exact means *exactly as Oxigraph reads the text*, because Oxigraph is the
program that acts on it. Where Oxigraph 0.5's parser (a PEG over characters,
``spargebra``) reads text differently from the SPARQL 1.1 grammar, this module
follows Oxigraph; each difference below lets a grammar-exact scanner miss a
SERVICE that Oxigraph then runs:

* keywords are matched as a case-insensitive prefix with no word boundary, so
  ``trueSERVICE<…>{}`` is ``true SERVICE <…> {}`` and the prefixed name
  ``SERVICEex:x`` followed by ``{`` is ``SERVICE ex:x {`` (likewise ``FROMex:g``,
  ``FROM NAMEDex:g``, ``DESCRIBEex:x``, ``PREFIXex:<…>``, ``LOADex:x``, ``SERVICE
  silent:x`` = ``SERVICE SILENT :x`` when ``:`` is declared …);
* a prefixed name's local part takes at most one group of dots, so
  ``ex:a.b.SERVICE<…>{}`` is ``ex:a.b . SERVICE <…> {}``;
* ``<`` after an operand inside an expression is the less-than operator, never
  the start of an IRI, so in ``FILTER(?a<#>`` the ``#`` starts a comment, and in
  ``FILTER(?a<'>')`` the ``'`` starts a string;
* ``\\uXXXX`` escapes are decoded inside IRIs (and strings) only.

Bare words are split into keywords by longest match, as the grammar's tokenizer
does (``LIMIT1OFFSET2``, ``DROPALL``). Whatever the structure scanner cannot
follow is scanned generically, still finding every SERVICE and LOAD. Text that
cannot be tokenized at all raises :class:`ScanError`; so does the one case where
Oxigraph's reading of a ``<`` cannot be decided without a full parse (a
prefixed name glued to ``FILTER``, followed by a bracket with ``<`` after an
operand) – such a request is refused rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["QueryInfo", "ScanError", "UpdateInfo", "resolve_iri", "scan_query", "scan_update"]


class ScanError(ValueError):
    """The text cannot be tokenized (unterminated string or IRI, stray character …)."""

    def __init__(self, message: str, text: str, pos: int) -> None:
        self.line = text.count("\n", 0, pos) + 1
        self.column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        self.reason = message
        super().__init__(f"line {self.line}, column {self.column}: {message}")


@dataclass(frozen=True)
class QueryInfo:
    form: str  # "SELECT" | "ASK" | "CONSTRUCT" | "DESCRIBE" ("" if not found)
    base: str | None
    prefixes: dict[str, str]  # prefix -> namespace IRI (resolved against BASE) as declared in the prologue
    from_graphs: list[str]  # absolute IRIs of FROM clauses
    from_named_graphs: list[str]  # absolute IRIs of FROM NAMED clauses
    services: list[str]  # SERVICE targets; a variable target appears as "?name"
    service_silent: bool  # any SERVICE SILENT
    depth: int = 0  # the deepest nesting of brackets ({, (, [) in the text


@dataclass(frozen=True)
class UpdateInfo:
    operations: list[str]  # "INSERT DATA", "DELETE DATA", "DELETE WHERE", "MODIFY", "LOAD", "CLEAR", ...
    loads: list[str]  # LOAD source IRIs
    services: list[str]  # SERVICE targets inside WHERE clauses
    using_graphs: list[str]  # USING IRIs
    using_named_graphs: list[str]  # USING NAMED IRIs
    graphs_written: list[str]  # graphs modified; "DEFAULT", "ALL", "NAMED"; "?g" for GRAPH ?g templates
    prefixes: dict[str, str]
    base: str | None
    with_graphs: list[str] = field(default_factory=list)  # WITH IRIs of DELETE/INSERT operations
    modify_wheres: list[int] = field(default_factory=list)  # offset of each DELETE/INSERT operation's WHERE
    depth: int = 0  # the deepest nesting of brackets ({, (, [) in the text
    silent_loads: list[tuple[int, int]] = field(default_factory=list)  # (start, end) of each LOAD SILENT
    #: (start, end, "CLEAR"|"DROP", "ALL"|"NAMED", silent) of each CLEAR/DROP of ALL or NAMED graphs
    clear_all: list[tuple[int, int, str, str, bool]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Terminals, as Oxigraph 0.5 (spargebra's PEG grammar) defines them. Possessive quantifiers
# mirror PEG's greedy, non-backtracking repetition.

_BASE_CHARS = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_U_CHARS = _BASE_CHARS + "_"
_PN_CHARS = _U_CHARS + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_BASE_CHARS}][{_PN_CHARS}]*+(?:\\.++[{_PN_CHARS}]++)*+"
# Oxigraph's PN_LOCAL allows a single group of dots (the grammar allows any number).
_PN_LOCAL = f"(?:[{_U_CHARS}:0-9]|{_PLX})(?:[{_PN_CHARS}:]|{_PLX})*+(?:\\.++(?:[{_PN_CHARS}:]|{_PLX})++)?+"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"\\[tbnrf\"'\\]"

_WS_RE = re.compile(r"(?:[ \t\r\n]++|#[^\r\n]*+)*+")
_IRIREF_RE = re.compile(f'<((?:[^\\x00-\\x20<>"{{}}|^`\\\\]|{_UCHAR})*+)>')
_PNAME_RE = re.compile(f"((?:{_PN_PREFIX})?+):((?:{_PN_LOCAL})?+)")
_PNAME_NS_RE = re.compile(f"((?:{_PN_PREFIX})?+):")
_VAR_RE = re.compile(f"[?$]([0-9{_U_CHARS}][0-9\u00b7\u0300-\u036f\u203f-\u2040{_U_CHARS}]*+)")
_BNODE_RE = re.compile(f"_:[0-9{_U_CHARS}][{_PN_CHARS}]*+(?:\\.++[{_PN_CHARS}]++)*+")
_NUMBER_RE = re.compile(r"(?:[0-9]++(?:\.[0-9]*+)?+|\.[0-9]++)[eE][+-]?+[0-9]++|[0-9]*+\.[0-9]++|[0-9]++")
_WORD_RE = re.compile(r"\w+")
_ANON_RE = re.compile(r"\[[ \t\r\n]*+\]")
_LANG_RE = re.compile(r"@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+(?:--[a-zA-Z]++)?+")
_STRING_RES = {
    "'": (
        re.compile(f"'''(?:(?:''|')?+(?:[^'\\\\]|{_ECHAR}|{_UCHAR}))*+'''"),
        re.compile(f"'(?:[^'\\\\\\n\\r]|{_ECHAR}|{_UCHAR})*+'"),
    ),
    '"': (
        re.compile(f'"""(?:(?:""|")?+(?:[^"\\\\]|{_ECHAR}|{_UCHAR}))*+"""'),
        re.compile(f'"(?:[^"\\\\\\n\\r]|{_ECHAR}|{_UCHAR})*+"'),
    ),
}
_ESCAPE_RE = re.compile(_UCHAR)
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# What Oxigraph accepts as an absolute IRI (closely: it also checks the authority and ucschar ranges).
_IRI_CHAR = r"(?:[^\x00-\x20<>\"{}|^`\\%#\x7f\[\]]|%[0-9A-Fa-f]{2})"
_ABS_IRI_RE = re.compile(
    "[A-Za-z][A-Za-z0-9+.\\-]*+:"
    '(?://(?:[^\\x00-\\x20<>"{}|^`\\\\%#/?\\x7f]|%[0-9A-Fa-f]{2})*+)?+'
    f"{_IRI_CHAR}*+(?:#{_IRI_CHAR}*+)?+"
)
_URI_PARTS_RE = re.compile(
    r"(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S
)

_KEYWORDS = (  # noqa: SIM905 - a table of words reads best as text
    "ABS ADD ADJUST ALL AS ASC ASK AVG BASE BIND BNODE BOUND BY CEIL CLEAR COALESCE CONCAT CONSTRUCT "
    "CONTAINS COPY COUNT CREATE DATA DATATYPE DAY DEFAULT DELETE DESC DESCRIBE DISTINCT DROP "
    "ENCODE_FOR_URI EXISTS FILTER FLOOR FROM GRAPH GROUP GROUP_CONCAT HASLANG HASLANGDIR HAVING HOURS IF "
    "IN INSERT INTO IRI ISBLANK ISIRI ISLITERAL ISNUMERIC ISTRIPLE ISURI LANG LANGDIR LANGMATCHES LATERAL "
    "LCASE LIMIT LOAD MAX MD5 MIN MINUS MINUTES MONTH MOVE NAMED NOT NOW OBJECT OFFSET OPTIONAL ORDER "
    "PREDICATE PREFIX RAND REDUCED REGEX REPLACE ROUND SAMETERM SAMPLE SECONDS SELECT SEPARATOR SERVICE "
    "SHA1 SHA256 SHA384 SHA512 SILENT STR STRAFTER STRBEFORE STRDT STRENDS STRLANG STRLANGDIR STRLEN "
    "STRSTARTS STRUUID SUBJECT SUBSTR SUM TIMEZONE TO TRIPLE TZ UCASE UNDEF UNION URI USING UUID VALUES "
    "VERSION WHERE WITH YEAR TRUE FALSE"
).split()
_KW_RE = re.compile("|".join(sorted(_KEYWORDS, key=len, reverse=True)), re.I | re.A)
_GLUE_WORDS: dict[str, tuple[str, ...]] = {}
for _w in (*_KEYWORDS, "A"):
    _GLUE_WORDS[_w[0]] = (*_GLUE_WORDS.get(_w[0], ()), _w)

# Token kinds: IRI, prefixed name, variable, string, number, language tag, blank node, keyword, punctuation.
_IRI, _PN, _VAR, _STR, _NUM, _LANG, _BN, _KW, _P = "i", "n", "v", "s", "d", "l", "b", "k", "p"
_OPERAND_KINDS = frozenset((_IRI, _PN, _VAR, _STR, _NUM, _LANG, _BN))
_OPERAND_PUNCT = frozenset((")", "}", ")>>", ">>", "]", "[]"))
_BOOLEANS = ("TRUE", "FALSE")
_TERM_KINDS = frozenset((_IRI, _PN, _VAR, _STR, _NUM, _BN))
_TERM_PUNCT = frozenset(("(", "[", "[]", "<<", "<<("))
_SIMPLE_PUNCT = frozenset(",;*/~.=+-")

# Frame kinds on the bracket stack. A frame is [kind, state, glued]: a group's state is "p" (a graph
# pattern) until SELECT makes it "s" (a subquery: the select clause, then its solution modifiers, where "("
# opens an expression); glued: inside brackets opened after a name glued to FILTER (see paren_frame).
_GROUP, _EXPR, _LIST, _BRACKET, _QUOTED, _TRIPLE, _ANNOT, _MODS = "GELBQTAM"


def _ascii_upper(s: str) -> str:
    return s.upper() if s.isascii() else ""


def _glue_prefix(s: str) -> bool:
    """Whether ``s`` is a run of keywords (Oxigraph matches keywords without word boundary)."""
    if not s:
        return True
    u = s.upper()
    reach = [False] * (len(u) + 1)
    reach[0] = True
    for i in range(len(u)):
        if reach[i]:
            for word in _GLUE_WORDS.get(u[i], ()):
                if u.startswith(word, i):
                    reach[i + len(word)] = True
    return reach[-1]


def _glued(token: str, keyword: str) -> list[str]:
    """The remainders of ``token`` after each place where Oxigraph may read ``keyword`` in it."""
    upper = token.upper()
    found = []
    j = upper.find(keyword)
    while j >= 0:
        if _glue_prefix(token[:j]):
            found.append(token[j + len(keyword) :])
        j = upper.find(keyword, j + 1)
    return found


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _unescape_iri(content: str) -> str | None:
    if "\\" not in content:
        return content
    try:
        out = _ESCAPE_RE.sub(lambda m: chr(int(m.group()[2:], 16)), content)
    except ValueError:  # code point beyond U+10FFFF
        return None
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in out):
        return None
    return out


def _iri_ref(content: str, base: str | None) -> str | None:
    """The absolute IRI an IRIREF's content denotes (escapes decoded, resolved); None if invalid."""
    if len(content) <= 300 and (base is None or len(base) <= 300):
        return _iri_ref_cached(content, base)  # the common, repeated case: prefixes, vocabularies
    return _iri_ref_uncached(content, base)


def _iri_ref_uncached(content: str, base: str | None) -> str | None:
    raw = _unescape_iri(content)
    if raw is None:
        return None
    iri = resolve_iri(raw, base)
    if iri is None or not _ABS_IRI_RE.fullmatch(iri):
        return None
    return iri


_iri_ref_cached = lru_cache(maxsize=4096)(_iri_ref_uncached)


def _pop_unrooted(out: list[str], rootless: bool) -> bool:
    """Remove the last segment of ``out`` for a ``..``; True when, the IRI having no authority, that leaves
    the path without its ``/`` (the segment removed was written without one, or there was none)."""
    popped = out.pop() if out else ""
    return rootless and not popped.startswith("/")


def _remove_dot_segments(path: str, rootless: bool = False) -> str:
    """RFC 3986 §5.2.4, reading the input with an index (linear time, whatever the path). ``rootless``: the
    IRI has no authority; there, as Oxigraph does, a ``..`` that removes a first segment written without
    ``/`` (or finds nothing to remove) leaves no ``/`` behind: ``urn:a`` and ``/../x`` give ``urn:x``, not
    ``urn:/x``."""
    out: list[str] = []
    i, n = 0, len(path)
    while i < n:
        if path.startswith("../", i):
            i += 3
        elif path.startswith(("./", "/./"), i):
            i += 2  # "/./x" continues as "/x"
        elif path.startswith("/.", i) and i + 2 == n:
            out.append("/")
            break
        elif path.startswith("/../", i):
            i += 3  # continues as "/…"
            if _pop_unrooted(out, rootless):
                i += 1
        elif path.startswith("/..", i) and i + 3 == n:
            if not _pop_unrooted(out, rootless):
                out.append("/")
            break
        elif (i + 1 == n and path[i] == ".") or (i + 2 == n and path.startswith("..", i)):
            break
        else:
            cut = path.find("/", i + 1)
            if cut < 0:
                cut = n
            out.append(path[i:cut])
            i = cut
    return "".join(out)


def resolve_iri(ref: str, base: str | None) -> str | None:
    """Resolve an IRI reference against a base IRI (RFC 3986 §5.2); None if it cannot be made absolute."""
    if _SCHEME_RE.match(ref):
        return ref  # an absolute IRI is taken as written, dot segments included (as Oxigraph does)
    if base is None:
        return None
    bm = _URI_PARTS_RE.fullmatch(base)
    rm = _URI_PARTS_RE.fullmatch(ref)
    assert bm is not None and rm is not None
    b_scheme, b_auth, b_path, b_query, _ = bm.groups()
    if b_scheme is None:
        return None
    _, r_auth, r_path, r_query, r_frag = rm.groups()
    if r_auth is not None:  # a network-path reference: its path as written, as Oxigraph does
        return _recompose(b_scheme, r_auth, r_path, r_query, r_frag)
    if not r_path:
        return _recompose(b_scheme, b_auth, b_path, r_query if r_query is not None else b_query, r_frag)
    rootless = b_auth is None
    if r_path.startswith("/"):
        path = _remove_dot_segments(r_path, rootless)
    elif b_auth is not None and not b_path:
        path = _remove_dot_segments("/" + r_path)
    else:
        path = _remove_dot_segments(b_path[: b_path.rfind("/") + 1] + r_path, rootless)
    return _recompose(b_scheme, b_auth, path, r_query, r_frag)


def _recompose(scheme: str, auth: str | None, path: str, query: str | None, frag: str | None) -> str:
    out = scheme + ":"
    if auth is not None:
        out += "//" + auth
    out += path
    if query is not None:
        out += "?" + query
    if frag is not None:
        out += "#" + frag
    return out


class _Scanner:
    """One scan of one request text: the structure as Oxigraph parses it, nested content by tokens."""

    def __init__(self, text: str, base_iri: str | None, prefixes: Mapping[str, str] | None) -> None:
        self.text = text
        self.n = len(text)
        self.base = base_iri
        self.declared: dict[str, str] = {}
        self.known: dict[str, str] = dict(prefixes or {})
        self.services: list[str] = []
        self.service_silent = False
        self.loads: list[str] = []
        self.graph_blocks: list[tuple[int, str]] = []  # (depth of the block's "{", target) in templates
        self.template_terms = 0  # terms at the template's own level: triples in the default graph
        self.fallback = False  # scanning text whose structure was not recognised
        self.with_graphs: list[str] = []
        self.modify_wheres: list[int] = []
        self.silent_loads: list[tuple[int, int]] = []
        self.clear_all: list[tuple[int, int, str, str, bool]] = []
        self.depth = 0  # the deepest bracket nesting seen (a parser recursing that deep may overflow)

    # ---- character-level helpers, mirroring Oxigraph's i("KEYWORD") and "_" -----------------

    def ws(self, pos: int) -> int:
        return _WS_RE.match(self.text, pos).end()  # type: ignore[union-attr]

    def kw(self, pos: int, word: str) -> bool:
        s = self.text[pos : pos + len(word)]
        return s.upper() == word and s.isascii()

    def iri_ref(self, content: str) -> str | None:
        return _iri_ref(content, self.base)

    def expand(self, pname: str) -> str | None:
        prefix, _, local = pname.partition(":")
        ns = self.known.get(prefix)
        if ns is None:
            return None
        iri = ns + local.replace("\\", "")
        return iri if _ABS_IRI_RE.fullmatch(iri) else None

    def iri_at(self, pos: int) -> tuple[str, int] | None:
        """Oxigraph's iri(): an IRIREF or a prefixed name whose prefix is declared."""
        text = self.text
        if text.startswith("<", pos):
            m = _IRIREF_RE.match(text, pos)
            if m is None:
                return None
            iri = self.iri_ref(m.group(1))
            return (iri, m.end()) if iri is not None else None
        m = _PNAME_RE.match(text, pos)
        if m is None:
            return None
        iri = self.expand(m.group())
        return (iri, m.end()) if iri is not None else None

    def target(self, kind: str, value: str) -> str:
        """A SERVICE or GRAPH target token as text; unresolvable ones are kept raw (and so refused)."""
        if kind == _VAR:
            return "?" + value[1:]
        if kind == _IRI:
            return self.iri_ref(value) or value
        return self.expand(value) or value

    def prologue(self, pos: int) -> int:
        text = self.text
        while True:
            if self.kw(pos, "BASE"):
                m = _IRIREF_RE.match(text, self.ws(pos + 4))
                iri = self.iri_ref(m.group(1)) if m else None
                if m is None or iri is None:
                    return pos
                self.base = iri
                pos = self.ws(m.end())
            elif self.kw(pos, "PREFIX"):
                ns = _PNAME_NS_RE.match(text, self.ws(pos + 6))
                m = _IRIREF_RE.match(text, self.ws(ns.end())) if ns else None
                iri = self.iri_ref(m.group(1)) if m else None
                if ns is None or m is None or iri is None:
                    return pos
                self.declared[ns.group(1)] = iri
                self.known[ns.group(1)] = iri
                pos = self.ws(m.end())
            else:
                return pos

    def group(self, pos: int, *, template: bool = False) -> int | None:
        """Scan a ``{ … }`` group starting at ``pos``; the position after it (None if not a group)."""
        if not self.text.startswith("{", pos):
            return None
        if template:
            self.graph_blocks = []
            self.template_terms = 0
        return self.ws(self.nested(pos, [], 0, template))

    def rest(self, pos: int) -> None:
        """Scan the remaining text generically (solution modifiers, VALUES, or unrecognised text)."""
        if pos < self.n:
            self.nested(pos, [[_MODS, "", False]], 0, False)

    # ---- the token scanner for nested content -------------------------------------------------

    def nested(self, pos: int, stack: list[list], stop: int, template: bool) -> int:
        """Tokenize from ``pos`` until the bracket stack shrinks back to ``stop`` frames; the end.

        One long loop on purpose: it is the scanner's hot path (every request passes through it), and each
        token's reading depends on the three before it and the bracket on top of the stack, all kept in
        locals. Split into functions, that state would be passed in and out of a call per token; the scan
        time it must keep is measured by ``bench/bench_sparql_text.py``.
        """
        text = self.text
        n = self.n
        ws = _WS_RE.match
        k1 = v1 = k2 = v2 = k3 = v3 = ""  # the three previous tokens (kind, value)
        deepest = self.depth
        while True:
            pos = ws(text, pos).end()  # type: ignore[union-attr]
            if pos >= n:
                self.depth = deepest
                return n
            c = text[pos]
            depth = len(stack)
            if depth > deepest:
                deepest = depth
            top = stack[-1] if depth else None
            popped = False
            if c == "{":
                if text.startswith("{|", pos):
                    stack.append([_ANNOT, "", False])
                    k, v, pos = _P, "{|", pos + 2
                else:
                    self.open_group(k1, v1, k2, v2, k3, v3, depth, template)
                    stack.append([_GROUP, "p", False])
                    k, v, pos = _P, "{", pos + 1
            elif c == "}":
                while stack and stack[-1][0] not in (_GROUP, _MODS):
                    stack.pop()  # brackets left open: Oxigraph fails, keep scanning sensibly
                    popped = True
                if stack and stack[-1][0] == _GROUP:
                    stack.pop()
                    popped = True
                k, v, pos = _P, "}", pos + 1
            elif c == "(":
                stack.append(self.paren_frame(top, k1, v1, k2, v2))
                k, v, pos = _P, "(", pos + 1
            elif c == ")":
                if top is not None and top[0] == _TRIPLE and text.startswith(")>>", pos):
                    k, v, pos = _P, ")>>", pos + 3
                else:
                    k, v, pos = _P, ")", pos + 1
                if top is not None and top[0] in (_EXPR, _LIST, _TRIPLE):
                    stack.pop()
                    popped = True
            elif c == "[":
                m = _ANON_RE.match(text, pos)
                if m is not None:
                    k, v, pos = _P, "[]", m.end()
                else:
                    stack.append([_BRACKET, "", False])
                    k, v, pos = _P, "[", pos + 1
            elif c == "]":
                if top is not None and top[0] == _BRACKET:
                    stack.pop()
                    popped = True
                k, v, pos = _P, "]", pos + 1
            elif c == "<":
                operand = k1 in _OPERAND_KINDS or v1 in _OPERAND_PUNCT or (k1 == _KW and v1 in _BOOLEANS)
                if top is not None and top[2] and operand and _IRIREF_RE.match(text, pos):
                    raise ScanError("ambiguous '<' after a prefixed name glued to FILTER", text, pos)
                if top is not None and top[0] == _EXPR and operand:
                    k = _P
                    v = "<=" if text.startswith("<=", pos) else "<"
                    pos += len(v)
                elif text.startswith("<<(", pos):
                    stack.append([_TRIPLE, "", top is not None and top[2]])
                    k, v, pos = _P, "<<(", pos + 3
                elif text.startswith("<<", pos):
                    stack.append([_QUOTED, "", top is not None and top[2]])
                    k, v, pos = _P, "<<", pos + 2
                else:
                    m = _IRIREF_RE.match(text, pos)
                    if m is None:
                        if top is not None and (top[0] == _EXPR or top[2]):
                            k = _P  # a '<' where Oxigraph fails whichever way it reads it
                            v = "<=" if text.startswith("<=", pos) else "<"
                            pos += len(v)
                        else:
                            raise ScanError("unterminated or invalid IRI", text, pos)
                    else:
                        k, v, pos = _IRI, m.group(1), m.end()
            elif c == ">":
                if top is not None and top[0] == _QUOTED and text.startswith(">>", pos):
                    stack.pop()
                    popped = True
                    k, v, pos = _P, ">>", pos + 2
                elif text.startswith(">=", pos):
                    k, v, pos = _P, ">=", pos + 2
                else:
                    k, v, pos = _P, ">", pos + 1
            elif c == '"' or c == "'":
                long_re, short_re = _STRING_RES[c]
                m = long_re.match(text, pos) if text.startswith(c * 3, pos) else None
                if m is None:
                    m = short_re.match(text, pos)
                if m is None:
                    raise ScanError("unterminated or invalid string literal", text, pos)
                k, v, pos = _STR, "", m.end()
            elif c == "?" or c == "$":
                m = _VAR_RE.match(text, pos)
                if m is not None:
                    k, v, pos = _VAR, m.group(), m.end()
                elif c == "?":
                    k, v, pos = _P, "?", pos + 1
                else:
                    raise ScanError("'$' without a variable name", text, pos)
            elif "0" <= c <= "9" or (c == "." and "0" <= text[pos + 1 : pos + 2] <= "9"):
                m = _NUMBER_RE.match(text, pos)
                assert m is not None
                k, v, pos = _NUM, "", m.end()
            elif c in _SIMPLE_PUNCT:
                k, v, pos = _P, c, pos + 1
            elif c == "@":
                m = _LANG_RE.match(text, pos)
                if m is None:
                    raise ScanError("'@' without a language tag", text, pos)
                k, v, pos = _LANG, "", m.end()
            elif c == "_":
                m = _BNODE_RE.match(text, pos)
                if m is None:
                    raise ScanError("invalid blank node label", text, pos)
                k, v, pos = _BN, "", m.end()
            elif c == "^":
                v = "^^" if text.startswith("^^", pos) else "^"
                k, pos = _P, pos + len(v)
            elif c == "|":
                if text.startswith("|}", pos) and top is not None and top[0] == _ANNOT:
                    stack.pop()
                    popped = True
                    v = "|}"
                else:
                    v = "||" if text.startswith("||", pos) else "|"
                k, pos = _P, pos + len(v)
            elif c == "&":
                if not text.startswith("&&", pos):
                    raise ScanError("unexpected character '&'", text, pos)
                k, v, pos = _P, "&&", pos + 2
            elif c == "!":
                v = "!=" if text.startswith("!=", pos) else "!"
                k, pos = _P, pos + len(v)
            else:
                m = _PNAME_RE.match(text, pos)
                if m is not None:
                    k, v, pos = _PN, m.group(), m.end()
                else:
                    m = _KW_RE.match(text, pos)
                    if m is not None:
                        k, v, pos = _KW, m.group().upper(), m.end()
                    elif c == "a":
                        k, v, pos = _KW, "a", pos + 1
                    else:
                        word = _WORD_RE.match(text, pos)
                        what = f"word {word.group()!r}" if word else f"character {c!r}"
                        raise ScanError(f"unexpected {what}", text, pos)
                if k == _KW:
                    if v == "SELECT" and top is not None and top[0] == _GROUP:
                        top[1] = "s"
                elif self.fallback and _ascii_upper(v[:4]) == "LOAD":
                    self.loads.append(v[4:])
            if k1 == _KW and k in (_IRI, _PN) and (v1 == "LOAD" or (v1 == "SILENT" and v2 == "LOAD")):
                self.loads.append(self.target(k, v))  # only in text whose structure was not recognised
            if (
                template
                and depth == 1
                and not (k1 == _KW and v1 == "GRAPH")
                and (k in _TERM_KINDS or v in _TERM_PUNCT or (k == _KW and v in ("a", *_BOOLEANS)))
            ):
                self.template_terms += 1  # a triple in the template's default graph
            if popped and len(stack) == stop:
                self.depth = deepest
                return pos
            k3, v3, k2, v2, k1, v1 = k2, v2, k1, v1, k, v

    def paren_frame(self, top: list | None, k1: str, v1: str, k2: str, v2: str) -> list:
        """Whether a "(" opens an expression (where "<" after an operand is less-than) or a list."""
        if top is None:
            return [_LIST, "", False]
        kind = top[0]
        if kind == _EXPR:
            return [_EXPR, "", top[2]]
        if kind == _MODS or (kind == _GROUP and top[1] != "p"):
            # select clause or solution modifiers: expressions, except the variables of VALUES
            return [_LIST if (k1 == _KW and v1 == "VALUES") else _EXPR, "", False]
        if kind == _GROUP:
            if (k1 == _KW and v1 in ("FILTER", "BIND")) or (k2 == _KW and v2 == "FILTER"):
                return [_EXPR, "", False]
            if k1 == _PN and "FILTER" in v1.upper() and _glued(v1, "FILTER"):
                return [_EXPR, "", True]  # FILTERex:f( – or a collection after ex:filter…
            return [_LIST, "", False]
        return [_LIST, "", top[2]]

    def open_group(
        self, k1: str, v1: str, k2: str, v2: str, k3: str, v3: str, depth: int, template: bool
    ) -> None:
        """At "{": the SERVICE or GRAPH that the previous tokens make of it, as Oxigraph reads them."""
        if k1 not in (_IRI, _PN, _VAR):
            return
        if k2 == _KW and v2 == "SERVICE":
            self.add_service(k1, v1, silent=False, silent_glue=True)
        elif k2 == _KW and v2 == "SILENT" and k3 == _KW and v3 == "SERVICE":
            self.add_service(k1, v1, silent=True, silent_glue=False)
        elif k2 == _KW and v2 == "GRAPH":
            if template:
                self.graph_blocks.append((depth, self.target(k1, v1)))
        elif k1 == _PN:
            upper = v1.upper()
            if "SERVICE" in upper:
                for rest in _glued(v1, "SERVICE"):
                    if _PNAME_RE.fullmatch(rest) or _PNAME_RE.fullmatch(rest[6:]):
                        self.add_service(_PN, rest, silent=False, silent_glue=True)
            if template and "GRAPH" in upper:
                for rest in _glued(v1, "GRAPH"):
                    if _PNAME_RE.fullmatch(rest):
                        self.graph_blocks.append((depth, self.target(_PN, rest)))
                        if depth == 1:
                            self.template_terms -= 1

    def add_service(self, kind: str, value: str, *, silent: bool, silent_glue: bool) -> None:
        if kind == _PN and silent_glue and _ascii_upper(value[:6]) == "SILENT":
            # ServiceGraphPattern tries "SERVICE SILENT VarOrIri" first: SERVICE silent:x = SERVICE SILENT :x
            rest = value[6:]
            if _PNAME_RE.fullmatch(rest) and self.expand(rest) is not None:
                kind, value, silent = _PN, rest, True
        if silent:
            self.service_silent = True
        self.services.append(self.target(kind, value))

    # ---- queries ------------------------------------------------------------------------------

    def query(self) -> QueryInfo:
        from_graphs: list[str] = []
        from_named: list[str] = []
        pos = self.prologue(self.ws(0))
        form = ""
        end: int | None = None
        if self.kw(pos, "SELECT"):
            form = "SELECT"
            end = self.select_rest(self.ws(pos + 6), from_graphs, from_named)
        elif self.kw(pos, "CONSTRUCT"):
            form = "CONSTRUCT"
            p = self.ws(pos + 9)
            if self.text.startswith("{", p):
                p2 = self.group(p)
                end = self.where(self.dataset(p2, from_graphs, from_named)) if p2 is not None else None
            else:
                p = self.dataset(p, from_graphs, from_named)
                end = self.group(self.ws(p + 5)) if self.kw(p, "WHERE") else None
        elif self.kw(pos, "DESCRIBE"):
            form = "DESCRIBE"
            p = self.ws(pos + 8)
            if self.text.startswith("*", p):
                p = self.ws(p + 1)
            else:
                while True:  # VarOrIri+, an IRI only if it resolves (else FROMex:g may follow)
                    m = _VAR_RE.match(self.text, p)
                    if m is not None:
                        p = self.ws(m.end())
                        continue
                    r = self.iri_at(p)
                    if r is None:
                        break
                    p = self.ws(r[1])
            p = self.dataset(p, from_graphs, from_named)
            w = self.where(p)
            end = w if w is not None else p
        elif self.kw(pos, "ASK"):
            form = "ASK"
            end = self.where(self.dataset(self.ws(pos + 3), from_graphs, from_named))
        if end is None:
            self.fallback = True
            self.rest(pos)
        else:
            self.rest(end)
        return QueryInfo(
            form=form,
            base=self.base,
            prefixes=self.declared,
            from_graphs=from_graphs,
            from_named_graphs=from_named,
            services=_unique(self.services),
            service_silent=self.service_silent,
            depth=self.depth,
        )

    def select_rest(self, pos: int, from_graphs: list[str], from_named: list[str]) -> int | None:
        text = self.text
        for option in ("DISTINCT", "REDUCED"):
            if self.kw(pos, option):
                pos = self.ws(pos + len(option))
                break
        if text.startswith("*", pos):
            pos = self.ws(pos + 1)
        else:
            while True:
                m = _VAR_RE.match(text, pos)
                if m is not None:
                    pos = self.ws(m.end())
                elif text.startswith("(", pos):
                    pos = self.ws(self.nested(pos, [[_MODS, "", False]], 1, False))
                else:
                    break
        return self.where(self.dataset(pos, from_graphs, from_named))

    def dataset(self, pos: int, default: list[str], named: list[str]) -> int:
        """FROM iri | FROM NAMED iri, repeated; the iri is tried first (FROM named:x is a default graph)."""
        while self.kw(pos, "FROM"):
            p = self.ws(pos + 4)
            r = self.iri_at(p)
            if r is not None:
                default.append(r[0])
            elif self.kw(p, "NAMED"):
                r = self.iri_at(self.ws(p + 5))
                if r is None:
                    break
                named.append(r[0])
            else:
                break
            pos = self.ws(r[1])
        return pos

    def where(self, pos: int | None) -> int | None:
        if pos is None:
            return None
        if self.kw(pos, "WHERE"):
            pos = self.ws(pos + 5)
        return self.group(pos)

    # ---- updates ------------------------------------------------------------------------------

    def update(self) -> UpdateInfo:
        ops: list[str] = []
        written: list[str] = []
        using: list[str] = []
        using_named: list[str] = []
        pos = self.ws(0)
        while True:
            # SPARQL 1.1 allows a prologue before each operation; Oxigraph 0.5 only before the first.
            pos = self.prologue(pos)
            if pos >= self.n:
                break
            r = self.update1(pos, ops, written, using, using_named)
            if r is None:
                self.fallback = True
                self.rest(pos)
                break
            pos = self.ws(r)
            if not self.text.startswith(";", pos):
                if pos < self.n:
                    self.fallback = True
                    self.rest(pos)
                break
            pos = self.ws(pos + 1)
        return UpdateInfo(
            operations=ops,
            loads=self.loads,
            services=_unique(self.services),
            using_graphs=using,
            using_named_graphs=using_named,
            graphs_written=_unique(written),
            prefixes=self.declared,
            base=self.base,
            with_graphs=self.with_graphs,
            modify_wheres=self.modify_wheres,
            depth=self.depth,
            silent_loads=self.silent_loads,
            clear_all=self.clear_all,
        )

    def silent(self, pos: int) -> int:
        return self.ws(pos + 6) if self.kw(pos, "SILENT") else pos

    def graph_end(self, into: int) -> int | None:
        """The end of the IRI of ``INTO GRAPH <g>`` starting at ``into``."""
        pos = self.ws(into + 4)
        if not self.kw(pos, "GRAPH"):
            return None
        r = self.iri_at(self.ws(pos + 5))
        return r[1] if r is not None else None

    def graph_ref(self, pos: int) -> tuple[str, int] | None:
        if not self.kw(pos, "GRAPH"):
            return None
        r = self.iri_at(self.ws(pos + 5))
        return (r[0], self.ws(r[1])) if r is not None else None

    def graph_or_default(self, pos: int) -> tuple[str, int] | None:
        if self.kw(pos, "DEFAULT"):
            return "DEFAULT", self.ws(pos + 7)
        if self.kw(pos, "GRAPH"):
            pos = self.ws(pos + 5)
        r = self.iri_at(pos)
        return (r[0], self.ws(r[1])) if r is not None else None

    def template_graphs(self, written: list[str], default: str) -> None:
        written.extend(target for depth, target in self.graph_blocks if depth == 1)
        if self.template_terms > 0:
            written.append(default)

    def update1(
        self, pos: int, ops: list[str], written: list[str], using: list[str], using_named: list[str]
    ) -> int | None:
        """One operation, its alternatives tried in Oxigraph's order; the position after it or None."""
        if self.kw(pos, "LOAD"):
            after = self.ws(pos + 4)
            p = self.silent(after)
            silent = p != after
            r = self.iri_at(p)
            if r is not None:
                self.loads.append(r[0])
                ops.append("LOAD")
                p = self.ws(r[1])
                g = self.graph_ref(self.ws(p + 4)) if self.kw(p, "INTO") else None
                end = r[1] if g is None else self.graph_end(p)
                if silent and end is not None:
                    self.silent_loads.append((pos, end))
                if g is None:
                    written.append("DEFAULT")
                    return p
                written.append(g[0])
                return g[1]
        for op in ("CLEAR", "DROP"):
            if self.kw(pos, op):
                after = self.ws(pos + len(op))
                p = self.silent(after)
                g = self.graph_ref(p)
                if g is None:
                    for word in ("DEFAULT", "NAMED", "ALL"):
                        if self.kw(p, word):
                            g = (word, self.ws(p + len(word)))
                            if word != "DEFAULT":
                                self.clear_all.append((pos, p + len(word), op, word, p != after))
                            break
                if g is not None:
                    ops.append(op)
                    written.append(g[0])
                    return g[1]
        for op in ("ADD", "MOVE", "COPY"):
            if self.kw(pos, op):
                source = self.graph_or_default(self.silent(self.ws(pos + len(op))))
                if source is not None and self.kw(source[1], "TO"):
                    target = self.graph_or_default(self.ws(source[1] + 2))
                    if target is not None:
                        ops.append(op)
                        if op == "MOVE":
                            written.append(source[0])  # MOVE empties its source
                        written.append(target[0])
                        return target[1]
        if self.kw(pos, "CREATE"):
            g = self.graph_ref(self.silent(self.ws(pos + 6)))
            if g is not None:
                ops.append("CREATE")
                written.append(g[0])
                return g[1]
        for first, second, op in (
            ("INSERT", "DATA", "INSERT DATA"),
            ("DELETE", "DATA", "DELETE DATA"),
            ("DELETE", "WHERE", "DELETE WHERE"),
        ):
            if self.kw(pos, first):
                p = self.ws(pos + len(first))
                if self.kw(p, second):
                    end = self.group(self.ws(p + len(second)), template=True)
                    if end is not None:
                        ops.append(op)
                        self.template_graphs(written, "DEFAULT")
                        return end
        return self.modify(pos, ops, written, using, using_named)

    def modify(
        self, pos: int, ops: list[str], written: list[str], using: list[str], using_named: list[str]
    ) -> int | None:
        """( WITH iri )? ( DELETE {…} ( INSERT {…} )? | INSERT {…} ) UsingClause* WHERE {…}"""
        graphs: list[str] = []
        with_graph = None
        if self.kw(pos, "WITH"):
            r = self.iri_at(self.ws(pos + 4))
            if r is not None:
                with_graph = r[0]
                graphs.append(with_graph)
                pos = self.ws(r[1])
        default = with_graph or "DEFAULT"
        end: int | None = None
        if self.kw(pos, "DELETE"):
            end = self.group(self.ws(pos + 6), template=True)
            if end is not None:
                self.template_graphs(graphs, default)
                if self.kw(end, "INSERT"):
                    after = self.group(self.ws(end + 6), template=True)
                    if after is not None:
                        self.template_graphs(graphs, default)
                        end = after
        if end is None and self.kw(pos, "INSERT"):
            end = self.group(self.ws(pos + 6), template=True)
            if end is not None:
                self.template_graphs(graphs, default)
        if end is None:
            return None
        pos = end
        graphs_used: list[str] = []
        graphs_named: list[str] = []
        while self.kw(pos, "USING"):
            p = self.ws(pos + 5)
            r = self.iri_at(p)
            if r is not None:
                graphs_used.append(r[0])
            elif self.kw(p, "NAMED"):
                r = self.iri_at(self.ws(p + 5))
                if r is None:
                    break
                graphs_named.append(r[0])
            else:
                break
            pos = self.ws(r[1])
        if not self.kw(pos, "WHERE"):
            return None
        where = pos
        end = self.group(self.ws(pos + 5))
        if end is None:
            return None
        ops.append("MODIFY")
        self.modify_wheres.append(where)
        if with_graph is not None:
            self.with_graphs.append(with_graph)
        written.extend(graphs)
        using.extend(graphs_used)
        using_named.extend(graphs_named)
        return end


def scan_query(
    text: str, *, base_iri: str | None = None, prefixes: Mapping[str, str] | None = None
) -> QueryInfo:
    """Scan a SPARQL query. ``base_iri`` and ``prefixes`` are the defaults also given to Oxigraph, if any."""
    return _Scanner(text, base_iri, prefixes).query()


def scan_update(
    text: str, *, base_iri: str | None = None, prefixes: Mapping[str, str] | None = None
) -> UpdateInfo:
    """Scan a SPARQL update request (operations separated by ";", each may have its own prologue)."""
    return _Scanner(text, base_iri, prefixes).update()

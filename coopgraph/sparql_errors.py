"""SPARQL errors that teach: where the error is (line, column, the line with a caret under it), what was
expected in words, and the fix when it is known.

Oxigraph reports ``error at LINE:COLUMN: expected one of …`` with its grammar's names (and, for an
undeclared prefix, about 600 characters of Unicode ranges). :func:`explain` turns that, or a
:class:`coopgraph.sparql_text.ScanError`, into a message a person can act on; the server (the query page's
HTTP 400) and the command line show the same text.
"""

from __future__ import annotations

import json
import re

from coopgraph.iris import QUERY_PREFIXES

#: Where an update goes instead, as the caller says it (the server: /update; the command line: ingest).
SERVER_UPDATE_HINT = "send it with POST to /update (with the write token), not to /sparql"

_ORACLE = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
#: Strings, IRIs and comments (skipped), then a prefixed name's prefix and the PREFIX keyword.
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\s]*>|#[^\n]*'
    r"|(?P<prefix_kw>\bPREFIX\b)"
    r"|(?<![\w?$:.-])(?P<pname>(?:[A-Za-z][\w.-]*)?):",
    re.I,
)
_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
_PROLOGUE = re.compile(r"(?:\s|#[^\n]*\n|PREFIX\s*[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)*", re.I)
_EXPECTED_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"|\[(?:[^\]\\]|\\.)*\]|[A-Za-z_][A-Za-z_ ]*[A-Za-z_]|[A-Za-z_]')
#: Punctuation Oxigraph names, in words.
_PUNCTUATION = {
    ".": "`.` (the end of a triple pattern)",
    ";": "`;` (another predicate of the same subject)",
    ",": "`,` (another object)",
    "{": "`{`",
    "}": "`}` (the end of the group)",
    "(": "`(`",
    ")": "`)`",
    "]": "`]`",
    "*": "`*`",
    '"': 'a closing `"` (the end of the string)',
    "'": "a closing `'` (the end of the string)",
    ">": "`>` (the end of the IRI)",
}
#: Keywords that start a function call: their presence means "an expression was expected".
_FUNCTIONS = {
    "ABS",
    "AVG",
    "STR",
    "IRI",
    "URI",
    "MAX",
    "MIN",
    "SUM",
    "NOW",
    "MD5",
    "STRLEN",
    "REGEX",
    "BOUND",
}


def excerpt(text: str, line: int, column: int) -> str:
    """The line, and a caret under the column (both indented two spaces)."""
    lines = text.split("\n")
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    shown = shown.replace("\t", " ")
    return f"  {shown}\n  {' ' * max(0, column - 1)}^"


def _position(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def undeclared_prefixes(text: str) -> list[tuple[str, int]]:
    """The prefixes the text uses but does not declare, with the offset of their first use."""
    declared: set[str] = set()
    used: dict[str, int] = {}
    after_keyword = False
    for m in _TOKENS.finditer(text):
        if m.group("prefix_kw"):
            after_keyword = True
            continue
        name = m.group("pname")
        if name is None:
            after_keyword = False
            continue
        if after_keyword:
            declared.add(name)
        else:
            used.setdefault(name, m.start("pname"))
        after_keyword = False
    return [(name, pos) for name, pos in used.items() if name not in declared]


def _prefix_message(text: str, name: str, offset: int) -> str:
    line, column = _position(text, offset)
    head = f"prefix `{name}:` is not declared (line {line}, column {column})\n{excerpt(text, line, column)}\n"
    namespace = QUERY_PREFIXES.get(name)
    if namespace is not None:
        return head + f"add this line at the top of the query:\n  PREFIX {name}: <{namespace}>"
    known = ", ".join(f"{p}:" for p in sorted(QUERY_PREFIXES))
    return (
        head + f"declare it at the top of the query (PREFIX {name}: <namespace IRI>), or use one of the "
        f"project's prefixes: {known}"
    )


def is_update(text: str) -> bool:
    """Whether the text, after its prologue, starts as a SPARQL update does."""
    rest = text[_PROLOGUE.match(text).end() :]  # type: ignore[union-attr]
    return rest[:6].upper().startswith(_UPDATE_WORDS)


def expected_in_words(raw: str) -> str:
    """Oxigraph's ``expected one of A, B, "}"`` in words."""
    raw = raw.strip()
    raw = raw.removeprefix("one of ")
    words: list[str] = []
    keywords: list[str] = []
    for item in _EXPECTED_ITEM.findall(raw):
        if item.startswith('"'):
            try:
                symbol = json.loads(item)
            except ValueError:
                symbol = item.strip('"')
            if symbol in _PUNCTUATION:
                words.append(_PUNCTUATION[symbol])
            elif symbol in ("{|", "~", "<<", "<<(", "\\", "\\u", "\\U"):
                continue  # RDF 1.2 annotations and escapes: noise in a message to people
            else:
                words.append(f"`{symbol}`")
        elif item.startswith("["):
            if "'0'..='9'" in item or "'0' ..= '9'" in item:
                words.append("a number")
        elif item == "_" or item == "Prefix not found":
            continue  # white space; an undeclared prefix is told before (undeclared_prefixes)
        elif item == "IRI parsing failed":
            words.append("a valid absolute IRI (the IRI just before this point is not one)")
        elif item.isupper() or item[:1].isupper() or item.startswith("is") or item.startswith("has"):
            keywords.append(item)
    if any(k.upper() in _FUNCTIONS for k in keywords):
        words.insert(0, "an expression (a variable, a value, or a function such as STR(…))")
    elif keywords:
        words.append(("the keyword " if len(keywords) == 1 else "one of the keywords ") + ", ".join(keywords))
    if not words:
        return "something else here"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def explain(
    text: str,
    error: Exception | str,
    *,
    what: str = "query",
    update_hint: str = SERVER_UPDATE_HINT,
) -> str:
    """The message for ``error``, raised by Oxigraph or the scanner on ``text`` (a ``what``: query or
    update). ``update_hint`` says where an update sent as a query goes."""
    if what == "query" and is_update(text):
        return f"this is an update, not a query: {update_hint}"
    undeclared = undeclared_prefixes(text)
    if undeclared:
        name, offset = undeclared[0]
        return _prefix_message(text, name, offset)
    if what == "query" and (wrong_form := _form_message(text)) is not None:
        return wrong_form
    message = str(error)
    line = getattr(error, "line", None)
    column = getattr(error, "column", None)
    if line is not None and column is not None:  # the scanner's ScanError
        reason = getattr(error, "reason", message)
        return f"line {line}, column {column}: {reason}\n{excerpt(text, line, column)}"
    found = _ORACLE.match(message)
    if found is None:
        return message
    line, column = int(found.group(1)), int(found.group(2))
    expected = found.group(3).removeprefix("expected ")
    return (
        f"line {line}, column {column}: expected {expected_in_words(expected)}\n{excerpt(text, line, column)}"
    )


def _form_message(text: str) -> str | None:
    """A query that does not start with a query form after its prologue: said so, at the first word."""
    start = _PROLOGUE.match(text).end()  # type: ignore[union-attr]
    if not text[start:].strip() or re.match(r"(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", text[start:], re.I):
        return None
    line, column = _position(text, start)
    return (
        f"line {line}, column {column}: expected SELECT, CONSTRUCT, ASK or DESCRIBE: a query starts with one "
        f"of them, after its PREFIX and BASE lines\n{excerpt(text, line, column)}"
    )

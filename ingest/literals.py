"""Finding literals whose text is not valid for their datatype, or that are longer than
``max_literal_bytes``, in a source file, before it is loaded.

Reading them back out of Oxigraph costs a dictionary lookup per term (about 20 s for 1M
triples); scanning the file costs well under a second. N-Triples and N-Quads write every
literal out on one line, so a text scan is exact there and gives the line; other formats are
parsed once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import Literal, NamedNode

from coopgraph import iris
from coopgraph.formats import line_blocks
from coopgraph.lexical import CHECKED, XSD, valid
from ingest.cell_hints import value_hint, value_hints
from ingest.errors import Problem
from ingest.limits import literal_message, literal_too_long
from ingest.locate import forget, line_of
from ingest.sources import Source

LIMIT = 50
#: Bytes of whole lines read at a time by the check of an N-Triples or N-Quads file.
_SCAN_BLOCK = 1 << 22
_TYPED = re.compile(
    rb'"((?:[^"\\\n]|\\.)*)"\^\^<'
    + re.escape(XSD.encode())
    + rb"("
    + b"|".join(sorted((t.encode() for t in CHECKED), key=len, reverse=True))
    + rb")>"
)
_ESCAPES = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] in "uU":
            return chr(int(e[1:], 16))
        return {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f"}.get(e, e)

    return _ESCAPES.sub(one, text) if "\\" in text else text


def _scan_lines(path: Path) -> list[Problem]:
    """Read a block of whole lines at a time: the file whole in memory (as before) added its size to the
    peak of the load it runs beside (430 MB at 3M triples)."""
    problems: list[Problem] = []
    first = 1  # the number of the block's first line
    with open(path, "rb") as stream:
        for data in line_blocks(stream, _SCAN_BLOCK):
            line, last = first, 0
            for m in _TYPED.finditer(data):
                text = _unescape(m.group(1).decode("utf-8", "replace"))
                kind = m.group(2).decode()
                if valid(kind, text):
                    continue
                line += data.count(b"\n", last, m.start())
                last = m.start()
                problems.append(
                    Problem(
                        str(path),
                        f"'{text}' is not a valid {kind}",
                        line=line,
                        kind="literal",
                        value=text,
                        hints=value_hints(text, kind),
                    )
                )
                if len(problems) >= LIMIT:
                    return problems
            first += data.count(b"\n")
    return problems


def _too_long(source: Source, quad: pyoxigraph.Quad, limit: int | None) -> Problem | None:
    if limit is None or type(quad.object) is not Literal:
        return None
    size = literal_too_long(quad.object, limit)
    if size is None:
        return None
    subject = quad.subject
    line = line_of(source, subject.value) if isinstance(subject, NamedNode) else None
    return Problem(str(source.path), literal_message(size, limit), line=line)


class LiteralCheck:
    """The check of a parsed file's literals, one quad at a time, so that the loader that parses the
    file can check it as it goes (the file is read once): ill-typed literals, up to ``LIMIT``, or the
    first one longer than ``max_literal`` bytes alone."""

    def __init__(self, source: Source, max_literal: int | None) -> None:
        self.source = source
        self.max_literal = max_literal
        self.problems: list[Problem] = []
        #: Nothing more to find: the limit of problems is reached, or a literal is too long.
        self.done = False

    def see(self, subject: Any, predicate: NamedNode, literal: Literal) -> None:
        if self.done:
            return
        source = self.source
        if self.max_literal is not None and (size := literal_too_long(literal, self.max_literal)):
            line = line_of(source, subject.value) if isinstance(subject, NamedNode) else None
            self.problems = [Problem(str(source.path), literal_message(size, self.max_literal), line=line)]
            self.done = True
            return
        datatype = literal.datatype.value
        if valid(datatype, literal.value):
            return
        line = line_of(source, subject.value) if isinstance(subject, NamedNode) else None
        kind = datatype.removeprefix(XSD)
        where = (
            f"{iris.compact(subject.value) if isinstance(subject, NamedNode) else 'a blank node'} "
            f"{iris.compact(predicate.value)}"
        )
        self.problems.append(
            Problem(
                str(source.path),
                f"'{literal.value}' is not a valid {kind} (in {where})",
                line=line,
                kind="literal",
                value=literal.value,
                hints=value_hints(literal.value, kind),
            )
        )
        self.done = len(self.problems) >= LIMIT

    def finish(self) -> list[Problem]:
        """The problems found; lets go of the text :func:`ingest.locate.line_of` read."""
        forget()
        return self.problems


def _scan_parsed(source: Source, max_literal: int | None) -> list[Problem]:
    assert source.rdf_format is not None
    check = LiteralCheck(source, max_literal)
    for s, p, o, _ in pyoxigraph.parse(
        path=str(source.path), format=source.rdf_format.oxigraph, base_iri=source.location
    ):
        if type(o) is Literal:
            check.see(s, p, o)
            if check.done:
                break
    return check.problems


def check_file(source: Source, max_literal: int | None = None) -> list[Problem]:
    """Ill-typed literals in an RDF source file, or one longer than ``max_literal`` bytes (call before
    loading; syntax errors surface in the load). N-Triples and N-Quads lines were measured by
    :func:`ingest.limits.check_source`."""
    assert source.rdf_format is not None
    if source.rdf_format.name in ("N-Triples", "N-Quads"):
        return _scan_lines(source.path)
    try:
        return _scan_parsed(source, max_literal)
    except (SyntaxError, ValueError):
        return []  # the load reports it, with its position
    finally:
        forget()  # the text line_of read


def check_document(source: Source, document: bytes, max_literal: int | None = None) -> list[Problem]:
    """Ill-typed literals in a JSON-LD document made from a records file, or one longer than
    ``max_literal`` bytes."""
    problems: list[Problem] = []
    try:
        quads = list(
            pyoxigraph.parse(document, format=pyoxigraph.RdfFormat.JSON_LD, base_iri=source.location)
        )
    except (SyntaxError, ValueError):
        return []
    for quad in quads:
        obj = quad.object
        if long := _too_long(source, quad, max_literal):
            forget()
            return [long]
        if type(obj) is Literal and not valid(obj.datatype.value, obj.value):
            subject = quad.subject
            line = line_of(source, subject.value) if isinstance(subject, NamedNode) else None
            kind = obj.datatype.value.removeprefix(XSD)
            problems.append(
                Problem(
                    str(source.path),
                    f"'{obj.value}' is not a valid {kind} (property {iris.compact(quad.predicate.value)})",
                    line=line,
                    kind="literal",
                    value=obj.value,
                    hints=value_hints(obj.value, kind),
                )
            )
            if len(problems) >= LIMIT:
                break
    forget()
    return problems


def check_triples(triples: Iterable[tuple[Any, Any, Any]], max_literal: int | None = None) -> list[str]:
    """What is wrong with the literals of ``triples`` (subject, predicate, object), as messages: ill-typed
    ones, and one longer than ``max_literal`` bytes. The check ingest makes, for writes that come as
    triples rather than as a file (SPARQL Update)."""
    problems: list[str] = []
    for subject, predicate, obj in triples:
        if type(obj) is not Literal:
            continue
        where = (
            f"{iris.compact(subject.value) if isinstance(subject, NamedNode) else 'a blank node'} "
            f"{iris.compact(predicate.value)}"
        )
        if max_literal is not None and (size := literal_too_long(obj, max_literal)) is not None:
            problems.append(f"{literal_message(size, max_literal)} (in {where})")
        elif not valid(obj.datatype.value, obj.value):
            kind = obj.datatype.value.removeprefix(XSD)
            hint = value_hint(obj.value, kind)
            problems.append(
                f"'{obj.value}' is not a valid {kind} (in {where})" + (f": {hint}" if hint else "")
            )
        if len(problems) >= LIMIT:
            break
    return problems

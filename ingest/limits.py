"""Limits on what one input may hold, checked before a parser reads it: entity declarations in XML,
lines longer than ``max_line_bytes``, nesting deeper than ``max_nesting_depth``, and literals longer
than ``max_literal_bytes`` where a cheap scan finds them (the parsed checks are in :mod:`ingest.literals`
and :mod:`ingest.csvw_rdf`).

A parser given hostile input crashes (a JSON-LD document a few thousand levels deep overflows the
stack), stalls (a 600-byte XML file expands to gigabytes) or fills the memory (one line of 100 MB);
each scan here reads the file in blocks and costs a small part of the parse it protects.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph
import yaml
from pyoxigraph import Literal

from coopgraph import xml_guard
from coopgraph.settings import Settings, load_settings
from ingest.encoding import check_encoding
from ingest.errors import IngestError, Problem
from ingest.sources import Source

BLOCK = 1 << 20
_LINE_BASED = {"N-Triples", "N-Quads", "Turtle", "TriG", "N3"}
_ONE_TRIPLE_A_LINE = {"N-Triples": pyoxigraph.RdfFormat.N_TRIPLES, "N-Quads": pyoxigraph.RdfFormat.N_QUADS}
#: A JSON string (no raw line break may occur in one, so a line never ends inside a string), or a bracket.
_JSON_STRING = re.compile(rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*"')
_JSON_TOKEN = re.compile(rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|[\[\]{}]')
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1
_NOT_BRACKET = bytes(b for b in range(256) if not _STEP[b])
#: The nesting libyaml's scanner refuses to pass (0.2.5); it fails before the parser reports the levels.
_LIBYAML_DEPTH = 1000


@dataclass(frozen=True)
class InputLimits:
    literal_bytes: int = Settings.max_literal_bytes
    line_bytes: int = Settings.max_line_bytes
    depth: int = Settings.max_nesting_depth

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> InputLimits:
        """The limits of ``settings``, or of the environment and ``COOPGRAPH_CONFIG`` when none are given
        (a write worker process has only those)."""
        settings = settings or load_settings()
        return cls(settings.max_literal_bytes, settings.max_line_bytes, settings.max_nesting_depth)


def literal_too_long(literal: Literal, limit: int) -> int | None:
    """The literal's size in UTF-8 bytes when it is over ``limit``, else None (cheap for short ones)."""
    text = literal.value
    if len(text) * 4 <= limit:
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > limit else None


def literal_message(size: int, limit: int) -> str:
    return f"a literal of {size:,} bytes is longer than the limit of {limit:,} bytes (max_literal_bytes)"


def check_source(source: Source, limits: InputLimits) -> list[Problem]:
    """What makes ``source`` unsafe to parse; empty when it may be read."""
    path = source.path
    if source.kind == "rdf":
        assert source.rdf_format is not None
        name = source.rdf_format.name
        if name == "RDF/XML":
            refusal = xml_guard.check_file(path)
            if refusal:
                return [Problem(str(path), refusal.message, line=refusal.line)]
            try:
                check_encoding(path)  # the parser reads only UTF-8, and says neither line nor byte
            except IngestError as e:
                return e.problems
            return []
        if name == "JSON-LD":
            return _json_depth(path, limits.depth)
        if name in _LINE_BASED:
            return _lines(path, limits, _ONE_TRIPLE_A_LINE.get(name))
        return []
    suffix = path.suffix.lower()
    if source.kind == "table":
        return _lines(path, limits, None) if suffix in (".csv", ".tsv") else []
    if suffix == ".json":
        return _json_depth(path, limits.depth)
    return _lines(path, limits, None) or _yaml_depth(path, limits.depth)


# ---------------------------------------------------------------------------------------------- lines
def _long_lines(stream: BinaryIO, over: int) -> Iterator[tuple[int, int]]:
    """(line number, length) of the lines longer than ``over`` bytes (a scan at the speed of ``split``)."""
    number, carried = 1, 0
    while block := stream.read(BLOCK):
        ends = block.count(b"\n")
        if carried + len(block) <= over and ends:  # no line in this block can be long
            number += ends
            carried = len(block) - block.rfind(b"\n") - 1
            continue
        pieces = block.split(b"\n")
        for piece in pieces[:-1]:
            if carried + len(piece) > over:
                yield number, carried + len(piece)
            number += 1
            carried = 0
        carried += len(pieces[-1])
    if carried > over:
        yield number, carried


def _lines(path: Path, limits: InputLimits, one_triple: pyoxigraph.RdfFormat | None) -> list[Problem]:
    """Lines over ``max_line_bytes``; in N-Triples and N-Quads, also the literals over
    ``max_literal_bytes`` on lines long enough to hold one (each such line is parsed alone)."""
    over = min(limits.line_bytes, limits.literal_bytes) if one_triple else limits.line_bytes
    long: list[int] = []
    with open(path, "rb") as stream:
        for number, length in _long_lines(stream, over):
            if length > limits.line_bytes:
                return [
                    Problem(
                        str(path),
                        f"line {number} is {length:,} bytes long, over the limit of {limits.line_bytes:,} "
                        "bytes (max_line_bytes)",
                        line=number,
                    )
                ]
            long.append(number)
    if not long or one_triple is None:
        return []
    return _long_literals(path, long, one_triple, limits.literal_bytes)


def _long_literals(path: Path, numbers: list[int], fmt: pyoxigraph.RdfFormat, limit: int) -> list[Problem]:
    wanted = set(numbers)
    with open(path, "rb") as stream:
        for number, line in enumerate(stream, start=1):
            if number not in wanted:
                continue
            try:
                quads = list(pyoxigraph.parse(line, format=fmt))
            except (SyntaxError, ValueError):
                continue  # the load reports it, with its position
            for quad in quads:
                size = literal_too_long(quad.object, limit) if type(quad.object) is Literal else None
                if size is not None:
                    return [Problem(str(path), literal_message(size, limit), line=number)]
            if number >= numbers[-1]:
                break
    return []


# ---------------------------------------------------------------------------------------------- nesting
def _depth_message(found: int | str, limit: int) -> str:
    return (
        f"arrays and objects are nested {found} levels deep, deeper than the limit of {limit} "
        "(max_nesting_depth)"
    )


def _json_depth(path: Path, limit: int) -> list[Problem]:
    """Nesting deeper than ``limit`` in a JSON document: strings are cut out, the brackets left are
    counted in C (``accumulate``); only a document past the limit is walked token by token, for the line."""
    depth = deepest = 0
    first_line: int | None = None
    lines_before = 0
    carry = b""
    with open(path, "rb") as stream:
        while True:
            block = stream.read(BLOCK)
            text = carry + block
            cut = len(text) if not block else text.rfind(b"\n") + 1  # a string never spans lines
            if cut:
                chunk, carry = text[:cut], text[cut:]
                outside = _JSON_STRING.sub(b"", chunk)
            else:  # a document on one line: cut where a string is left open (all text after it is in it)
                outside = _JSON_STRING.sub(b"", text)
                opened = outside.find(b'"')
                cut = len(text) if opened < 0 else len(text) - (len(outside) - opened)
                chunk, carry = text[:cut], text[cut:]
                outside = outside if opened < 0 else outside[:opened]
            brackets = outside.translate(None, _NOT_BRACKET)
            if brackets:
                top = max(accumulate(map(_STEP.__getitem__, brackets), initial=depth))
                if top > limit and first_line is None:
                    first_line = lines_before + _line_past(chunk, depth, limit)
                deepest = max(deepest, top)
                depth += len(brackets) - 2 * (brackets.count(b"]") + brackets.count(b"}"))
            lines_before += chunk.count(b"\n")
            if not block:
                break
    if first_line is None:
        return []
    return [Problem(str(path), _depth_message(deepest, limit), line=first_line)]


def _line_past(chunk: bytes, depth: int, limit: int) -> int:
    """The line (within ``chunk``) where the nesting first passes ``limit``."""
    for token in _JSON_TOKEN.finditer(chunk):
        depth += _STEP[token.group()[0]] if len(token.group()) == 1 else 0
        if depth > limit:
            return chunk.count(b"\n", 0, token.start()) + 1
    return 1


def _yaml_depth(path: Path, limit: int) -> list[Problem]:
    """Nesting deeper than ``limit`` in YAML, and aliases that expand a small file into a huge record.

    Read as parser events (the parser keeps its own stack; the composer that builds the record
    recurses): an alias counts the nodes and the depth of the node it repeats. libyaml's parser
    stops at 1,000 levels; PyYAML's own takes quadratic time in deep flow collections, so without
    libyaml the scan stops at the first level past the limit.
    """
    loader = getattr(yaml, "CSafeLoader", None)
    deepest_shown: str | None = None
    depth = deepest = written = expanded = 0
    first_line: int | None = None
    open_nodes: list[list[Any]] = []  # per open collection: anchor, nodes before it, its depth, deepest in it
    anchored: dict[str, tuple[int, int]] = {}  # anchor: nodes, levels from the node down
    try:
        with open(path, "rb") as stream:
            for event in yaml.parse(stream, Loader=loader or yaml.SafeLoader):
                if isinstance(event, yaml.CollectionEndEvent):
                    anchor, before, start, inner = open_nodes.pop()
                    if anchor:
                        anchored[anchor] = (expanded - before, inner - start + 1)
                    if open_nodes:
                        open_nodes[-1][3] = max(open_nodes[-1][3], inner)
                    depth -= 1
                    continue
                if isinstance(event, yaml.AliasEvent):
                    nodes, below = anchored.get(event.anchor or "", (1, 0))
                    expanded += nodes
                    reached = depth + below
                elif isinstance(event, yaml.ScalarEvent):
                    written += 1
                    expanded += 1
                    if event.anchor:
                        anchored[event.anchor] = (1, 0)
                    reached = depth
                elif isinstance(event, yaml.CollectionStartEvent):
                    written += 1
                    depth += 1
                    open_nodes.append([event.anchor, expanded, depth, depth])
                    expanded += 1
                    reached = depth
                else:
                    continue
                if open_nodes:
                    open_nodes[-1][3] = max(open_nodes[-1][3], reached)
                deepest = max(deepest, reached)
                if reached > limit and first_line is None:
                    first_line = event.start_mark.line + 1
                    if loader is None:
                        deepest_shown = f"more than {limit}"
                        break
                if expanded > 10 * written + 10_000:
                    return [
                        Problem(
                            str(path),
                            f"aliases expand the record to {expanded:,} nodes from the {written:,} written, "
                            "more than ten times over: write the repeated parts out",
                            line=event.start_mark.line + 1,
                        )
                    ]
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        if "maximum nesting depth" in str(e) and mark is not None:  # libyaml's own limit, past ours
            first_line = first_line or mark.line + 1
            deepest_shown = f"more than {_LIBYAML_DEPTH:,}"
        # otherwise the load reports it, with its position
    if first_line is None:
        return []
    return [Problem(str(path), _depth_message(deepest_shown or str(deepest), limit), line=first_line)]

"""Refusing XML that declares entities, before any parser sees it.

Entity declarations are how a few hundred bytes expand to gigabytes (nested entities, the "billion
laughs") and how a document makes its reader fetch a URL or read a local file (external entities and
DTDs). RDF/XML needs none of them, so every XML document the project reads is scanned first: the
prolog, up to the root element's start tag, is read in blocks (a long prolog costs no memory), and a
document type declaration that names an external DTD or declares any entity is refused.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

BLOCK = 1 << 16


@dataclass(frozen=True)
class XmlRefusal:
    line: int
    message: str


ENTITY_MESSAGE = (
    "the document type declaration declares an entity (<!ENTITY ...>); entities are refused because "
    "a few nested ones expand a small file into gigabytes: write the text or IRIs out in full"
)
EXTERNAL_MESSAGE = (
    "the document type declaration names an external DTD (SYSTEM or PUBLIC); coopgraph fetches nothing "
    "a document points to: remove the DTD"
)
_EXTERNAL_ID = re.compile(r"\s*(SYSTEM|PUBLIC)\b", re.I)
_NAME = re.compile(r"[^\s\[>]+")


def _decoder(head: bytes) -> codecs.IncrementalDecoder:
    """A decoder that keeps the markup's ASCII characters whatever the encoding: UTF-16 by its byte
    order mark or its first ``<``; otherwise Latin-1, which maps each byte of UTF-8 (and of every
    ASCII-compatible encoding) to one character."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        name = "utf-16"
    elif head.startswith(b"<\x00"):
        name = "utf-16-le"
    elif head.startswith(b"\x00<"):
        name = "utf-16-be"
    else:
        name = "latin-1"
    return codecs.getincrementaldecoder(name)(errors="replace")


class _Prolog:
    """The text of a document read block by block, with the position and line of the scan."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        head = stream.read(BLOCK)
        self.decoder = _decoder(head)
        self.text = self.decoder.decode(head, final=not head).lstrip("\ufeff")
        self.pos = 0
        self.lines_before = 0  # line ends in the text already dropped
        self.ended = not head

    def more(self) -> bool:
        """Read the next block; drop the text before the position, so that memory stays one block."""
        if self.ended:
            return False
        block = self.stream.read(BLOCK)
        self.ended = not block
        self.lines_before += self.text.count("\n", 0, self.pos)
        self.text = self.text[self.pos :] + self.decoder.decode(block, final=self.ended)
        self.pos = 0
        return bool(block) or bool(self.text)

    def has(self, n: int) -> bool:
        while len(self.text) - self.pos < n:
            if not self.more():
                return False
        return True

    def at(self, prefix: str) -> bool:
        """Does the text at the position start with ``prefix`` (in any case: lenient parsers read
        ``<!doctype`` too)?"""
        return self.has(len(prefix)) and self.text[self.pos : self.pos + len(prefix)].upper() == prefix

    def skip_space(self) -> None:
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.text) or not self.more():
                return

    def skip_past(self, end: str) -> bool:
        """Move past the next ``end``; False when the text ends first."""
        while True:
            found = self.text.find(end, self.pos)
            if found >= 0:
                self.pos = found + len(end)
                return True
            self.pos = max(self.pos, len(self.text) - len(end) + 1)
            if not self.more():
                return False

    def line(self) -> int:
        return self.lines_before + self.text.count("\n", 0, self.pos) + 1


def _internal_subset(prolog: _Prolog) -> XmlRefusal | None:
    """Scan ``[ ... ]`` of a document type declaration: comments, processing instructions and
    declarations, whose quoted values may hold ``>`` or ``]``."""
    while True:
        prolog.skip_space()
        if not prolog.has(1) or prolog.at("]"):
            return None
        if prolog.at("<!--"):
            prolog.skip_past("-->")
        elif prolog.at("<?"):
            prolog.skip_past("?>")
        elif prolog.at("<!ENTITY"):
            return XmlRefusal(prolog.line(), ENTITY_MESSAGE)
        elif prolog.at("<!"):
            prolog.pos += 2
            if not _skip_declaration(prolog):
                return None
        else:
            prolog.pos += 1  # a parameter entity reference or stray text: the parser judges it


def _skip_declaration(prolog: _Prolog) -> bool:
    """Move past the ``>`` that ends a markup declaration, skipping quoted values."""
    while prolog.has(1):
        char = prolog.text[prolog.pos]
        prolog.pos += 1
        if char == ">":
            return True
        if char in "\"'" and not prolog.skip_past(char):
            return False
    return False


def _doctype(prolog: _Prolog) -> XmlRefusal | None:
    line = prolog.line()
    prolog.pos += len("<!DOCTYPE")
    prolog.skip_space()
    prolog.has(BLOCK)  # the name and an external identifier fit in a block
    name = _NAME.match(prolog.text, prolog.pos)
    if name is not None:
        prolog.pos = name.end()
    if _EXTERNAL_ID.match(prolog.text, prolog.pos):
        return XmlRefusal(line, EXTERNAL_MESSAGE)
    prolog.skip_space()
    if prolog.at("["):
        prolog.pos += 1
        return _internal_subset(prolog)
    return None


def check_stream(stream: BinaryIO) -> XmlRefusal | None:
    """Why the XML document in ``stream`` is refused (an entity or an external DTD), or None.

    Reads only the prolog; what comes after the root element's start tag is the parser's to judge,
    as is a prolog that is not well-formed.
    """
    prolog = _Prolog(stream)
    while True:
        prolog.skip_space()
        if not prolog.has(2):
            return None
        if prolog.at("<?"):
            if not prolog.skip_past("?>"):
                return None
        elif prolog.at("<!--"):
            if not prolog.skip_past("-->"):
                return None
        elif prolog.at("<!DOCTYPE"):
            return _doctype(prolog)
        else:
            return None  # the root element (or text the parser will refuse)


def check_file(path: Path) -> XmlRefusal | None:
    with open(path, "rb") as stream:
        return check_stream(stream)


def check_bytes(data: bytes) -> XmlRefusal | None:
    return check_stream(io.BytesIO(data))

"""RDF and SPARQL-results formats: file extensions, media types and their pyoxigraph names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pyoxigraph import QueryResultsFormat, RdfFormat


@dataclass(frozen=True)
class RdfFileFormat:
    name: str
    media_type: str
    extensions: tuple[str, ...]
    oxigraph: RdfFormat

    @property
    def has_graphs(self) -> bool:
        return self.oxigraph.supports_datasets


RDF_FORMATS: tuple[RdfFileFormat, ...] = (
    RdfFileFormat("Turtle", "text/turtle", (".ttl",), RdfFormat.TURTLE),
    RdfFileFormat("TriG", "application/trig", (".trig",), RdfFormat.TRIG),
    RdfFileFormat("N-Triples", "application/n-triples", (".nt",), RdfFormat.N_TRIPLES),
    RdfFileFormat("N-Quads", "application/n-quads", (".nq",), RdfFormat.N_QUADS),
    RdfFileFormat("RDF/XML", "application/rdf+xml", (".rdf", ".owl", ".xml"), RdfFormat.RDF_XML),
    RdfFileFormat("JSON-LD", "application/ld+json", (".jsonld",), RdfFormat.JSON_LD),
    RdfFileFormat("N3", "text/n3", (".n3",), RdfFormat.N3),
)

#: Media types accepted for RDF payloads, including common aliases.
RDF_MEDIA_TYPES: dict[str, RdfFileFormat] = {f.media_type: f for f in RDF_FORMATS} | {
    "application/x-turtle": RDF_FORMATS[0],
    "application/x-trig": RDF_FORMATS[1],
    "text/plain": RDF_FORMATS[2],
    "application/xml": RDF_FORMATS[4],
    "text/xml": RDF_FORMATS[4],
    "application/json": RDF_FORMATS[5],
}


@dataclass(frozen=True)
class ResultsFormat:
    name: str
    media_type: str
    extension: str
    oxigraph: QueryResultsFormat


RESULTS_FORMATS: tuple[ResultsFormat, ...] = (
    ResultsFormat("json", "application/sparql-results+json", ".srj", QueryResultsFormat.JSON),
    ResultsFormat("xml", "application/sparql-results+xml", ".srx", QueryResultsFormat.XML),
    ResultsFormat("csv", "text/csv", ".csv", QueryResultsFormat.CSV),
    ResultsFormat("tsv", "text/tab-separated-values", ".tsv", QueryResultsFormat.TSV),
)


def rdf_format_for_path(path: Path) -> RdfFileFormat | None:
    suffix = path.suffix.lower()
    return next((f for f in RDF_FORMATS if suffix in f.extensions), None)


def rdf_format_by_name(name: str) -> RdfFileFormat:
    """Find a format by short name (``turtle``, ``nt``, ``jsonld``...), extension or media type."""
    key = name.lower().lstrip(".")
    aliases = {
        "turtle": ".ttl",
        "ntriples": ".nt",
        "n-triples": ".nt",
        "nquads": ".nq",
        "n-quads": ".nq",
        "trig": ".trig",
        "jsonld": ".jsonld",
        "json-ld": ".jsonld",
        "rdfxml": ".rdf",
        "xml": ".rdf",
        "rdf/xml": ".rdf",
        "n3": ".n3",
        "ttl": ".ttl",
        "nt": ".nt",
        "nq": ".nq",
        "rdf": ".rdf",
    }
    if key in aliases:
        return rdf_format_for_path(Path("x" + aliases[key]))  # type: ignore[return-value]
    if name in RDF_MEDIA_TYPES:
        return RDF_MEDIA_TYPES[name]
    raise ValueError(f"unknown RDF format {name!r}; use one of turtle, trig, nt, nquads, rdfxml, jsonld")


# N-Quads lines as N-Triples lines (the loader of a dataset file into one graph, and its version delta)
_IRI = rb"<[^>\s]*>"
_BLANK = rb'_:[^\s<>".]+(?:\.+[^\s<>".]+)*'
_LITERAL = rb'"(?:[^"\\\n]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^' + _IRI + rb")?"
_NODE = rb"(?:" + _IRI + rb"|" + _BLANK + rb")"
#: One statement: its subject, predicate and object (kept), its graph label (dropped), its full stop.
_STATEMENT = re.compile(
    rb"^([ \t]*"
    + _NODE
    + rb"[ \t]*"
    + _IRI
    + rb"[ \t]*(?:"
    + _IRI
    + rb"|"
    + _BLANK
    + rb"|"
    + _LITERAL
    + rb"))[ \t]*(?:"
    + _NODE
    + rb"[ \t]*)?\.",
    re.M,
)


def as_ntriples(nquads: bytes) -> bytes:
    """The statements of whole N-Quads lines without their graph labels (line ends untouched, so a line
    keeps its number)."""
    return _STATEMENT.sub(rb"\1 .", nquads)


def line_blocks(stream: IO[bytes], size: int) -> Iterator[bytes]:
    """The stream in blocks of whole lines (about ``size`` bytes each); the last block ends where the stream
    does, with or without a line end."""
    rest = b""
    while block := stream.read(size):
        block = rest + block
        cut = block.rfind(b"\n") + 1
        rest = block[cut:]
        if cut:
            yield block[:cut]
    if rest:
        yield rest

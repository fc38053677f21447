"""The messages between the web process and its worker processes, and their encoding.

This module is the protocol between the processes, read in one place. A request is one header frame
(:mod:`server.workers.framing`) holding a JSON object: ``op`` names the message class, the other keys
are its fields, and ``"has_body": true`` says that body frames and an end frame follow (an upload).
An answer is a header frame holding an :class:`AnswerHead`, then body frames and an end frame; a head
without ``length`` announces a streamed answer, and an error head in the middle of a stream cuts it
short.

The heads stay JSON, built and parsed here only: a query worker keeps its decoded requests by their
bytes, and the SPARQL endpoint keeps the encoded request of a repeated GET, so a point lookup pays
for neither once it has been seen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, BinaryIO, ClassVar

from pyoxigraph import BlankNode, Literal, NamedNode

from server.workers import framing

#: The media type of a validation report when the client names none it prefers.
REPORT_DEFAULT = "application/json"


# ---------------------------------------------------------------------------------------------- requests
@dataclass(frozen=True)
class Ping:
    """Are you up? Answered with the generation the worker sees."""

    OP: ClassVar[str] = "ping"


@dataclass(frozen=True)
class Query:
    """Run a SPARQL query on the published generation and serialise its answer."""

    OP: ClassVar[str] = "query"
    query: str
    max_bytes: int  #: a larger answer is stopped (413, or a stream cut short)
    results_type: str | None = None  #: media type of a SELECT/ASK answer; None: refuse them (406)
    rdf_type: str | None = None  #: media type of a CONSTRUCT/DESCRIBE answer; None: refuse them (406)
    default_graph: list[str] | None = None  #: None: the union of the named graphs
    named_graphs: list[str] | None = None
    #: How a query that names no dataset reads the store (:mod:`coopgraph.store.dataset`).
    strict_dataset: bool = False
    with_catalog: bool = False
    prefixes: dict[str, str] | None = None  #: the prologue's, to tell whether the text names a system graph
    substitutions: dict[str, list[str]] | None = None  #: variable -> term, as :func:`encode_term` writes it
    base_iri: str | None = None
    version: int | None = None  #: query the dataset as it stood right after this version (None: now)


@dataclass(frozen=True)
class GraphDump:
    """One graph as RDF (the store's own default graph for ``DEFAULT``), or 404."""

    OP: ClassVar[str] = "graph"
    graph: str
    rdf_type: str
    max_bytes: int


@dataclass(frozen=True)
class Describe:
    """What a resource IRI dereferences to: its bounded description and incoming links (404: not there).

    ``media_type`` is an RDF media type, or :data:`server.workers.describe.DESCRIPTION_JSON` for the
    data of the resource page. The answer's head carries the generation it was read from.
    """

    OP: ClassVar[str] = "describe"
    iri: str
    media_type: str
    max_bytes: int
    context_url: str | None = None  #: the ``@context`` a JSON-LD answer refers to
    unless_generation: str | None = None  #: answer 304 (no body) if this is still the published one
    incoming_limit: int = 500  #: incoming links listed at most
    incoming_count_cap: int = 0  #: incoming links counted up to this many (0: not counted)
    version: int | None = None  #: the description as it stood right after this version (None: now)


@dataclass(frozen=True)
class Fragment:
    """One page of a triple pattern fragment (:mod:`server.workers.fragments`): the triples matching a
    pattern in the union of the named graphs (or in ``graph``), with a count; answered as JSON."""

    OP: ClassVar[str] = "fragment"
    subject: list[str] | None  #: a term as :func:`encode_term` writes it; None: a variable
    predicate: list[str] | None
    object: list[str] | None
    graph: str | None  #: None: the union of the named graphs
    offset: int
    limit: int
    count_cap: int = 100_000  #: matches counted at most; past it the count is an estimate
    unless_generation: str | None = None  #: answer 304 (no body) if this is still the published one


@dataclass(frozen=True)
class Dumps:
    """The dump files of the published generation in ``directory``, written if missing; answered with
    their manifest (JSON: generation, creation time, the files with size, SHA-256 and graph)."""

    OP: ClassVar[str] = "dumps"
    directory: str
    context_url: str  #: the ``@context`` the JSON-LD dump refers to


@dataclass(frozen=True)
class Update:
    """A SPARQL update, through the validation gate (write worker)."""

    OP: ClassVar[str] = "update"
    update: str
    base_iri: str | None = None
    origin: str | None = None  #: where the change came from, recorded in the catalogue
    agent: str = "coopgraph"
    who: str | None = None  #: the author the store's history records
    message: str | None = None  #: why, as the store's history records it
    report_type: str = REPORT_DEFAULT  #: media type of the report a rejected write is answered with
    lang: str = "en"  #: language of that report


@dataclass(frozen=True)
class GraphLoad:
    """An RDF document sent to the graph store protocol; its body follows the head (write worker)."""

    OP: ClassVar[str] = ""
    graph: str
    media_type: str
    origin: str | None = None
    agent: str = "coopgraph"
    who: str | None = None  #: the author the store's history records
    message: str | None = None  #: why, as the store's history records it
    report_type: str = REPORT_DEFAULT
    lang: str = "en"


@dataclass(frozen=True)
class GraphReplace(GraphLoad):
    """``PUT``: the document replaces the graph."""

    OP: ClassVar[str] = "gsp_put"


@dataclass(frozen=True)
class GraphMerge(GraphLoad):
    """``POST``: the document is merged into the graph."""

    OP: ClassVar[str] = "gsp_post"


@dataclass(frozen=True)
class GraphDelete:
    """``DELETE``: the graph goes, unless the shapes need what it holds (write worker)."""

    OP: ClassVar[str] = "gsp_delete"
    graph: str
    who: str | None = None
    message: str | None = None
    report_type: str = REPORT_DEFAULT
    lang: str = "en"


@dataclass(frozen=True)
class Validate:
    """A dry run of an ingest (check worker): the files in the body, one after the other, are loaded
    into a copy of the store with what they replace, validated, and discarded; answered with the report."""

    OP: ClassVar[str] = "validate"
    files: list[tuple[str, int]]  #: (file name, bytes) of each file in the body, in order
    report_type: str = REPORT_DEFAULT
    lang: str = "en"
    link_base: str | None = None  #: the server's URL, to link resources to their pages in HTML reports


@dataclass(frozen=True)
class ValidationReport:
    """The report of the whole published store (check worker; kept while the generation stays current)."""

    OP: ClassVar[str] = "validation"
    report_type: str = REPORT_DEFAULT
    lang: str = "en"
    link_base: str | None = None


#: What the write worker does (a query worker answers them 400).
Write = Update | GraphReplace | GraphMerge | GraphDelete
WRITES = (Update, GraphReplace, GraphMerge, GraphDelete)
#: What the check worker does: validation that writes nothing, so it needs no token.
Check = Validate | ValidationReport
CHECKS = (Validate, ValidationReport)
Request = Ping | Query | GraphDump | Describe | Fragment | Dumps | Write | Check
_BY_OP: dict[str, type[Any]] = {
    cls.OP: cls
    for cls in (
        Ping,
        Query,
        GraphDump,
        Describe,
        Fragment,
        Dumps,
        Update,
        GraphReplace,
        GraphMerge,
        GraphDelete,
        Validate,
        ValidationReport,
    )
}


#: The exit code of a worker that ran out of memory (a MemoryError under its cap): the pool answers the
#: request with the reason rather than as a crash.
OUT_OF_MEMORY_EXIT = 75

#: A request's body is sent in data frames of at most this size.
BODY_CHUNK = 1 << 20


class UnknownOperation(ValueError):
    """A request whose ``op`` names no message of this module (its body, if any, is still to be read)."""

    def __init__(self, op: Any, has_body: bool) -> None:
        super().__init__(f"unknown operation {op!r}")
        self.op, self.has_body = op, has_body


def encode_request(message: Request, body: bytes | None = None) -> bytes:
    """The frames of a request: its header, then its body (if any) in data frames and the end frame."""
    head: dict[str, Any] = {"op": message.OP, **vars(message)}
    if body is None:
        return framing.header(head)
    head["has_body"] = True
    frames = [framing.header(head)]
    view = memoryview(body)
    for start in range(0, len(view), BODY_CHUNK):
        frames.append(framing.frame(framing.DATA, view[start : start + BODY_CHUNK]))
    frames.append(framing.frame(framing.END))
    return b"".join(frames)


def decode_request(payload: bytes) -> tuple[Request, bool]:
    """A request from its header frame's payload, and whether body frames follow it."""
    fields = json.loads(payload)
    op = fields.pop("op", None)
    has_body = bool(fields.pop("has_body", False))
    cls = _BY_OP.get(op)
    if cls is None:
        raise UnknownOperation(op, has_body)
    return cls(**fields), has_body


def read_request_body(stream: BinaryIO) -> bytes:
    """The body frames after a request's header, up to the end frame (blocking; worker side)."""
    body = bytearray()
    while True:
        kind, chunk = framing.read_frame(stream)
        if kind == framing.END:
            return bytes(body)
        body += chunk


# ---------------------------------------------------------------------------------------------- terms
def encode_term(term: NamedNode | Literal) -> list[str]:
    """A term bound to a query variable, as :attr:`Query.substitutions` carries it."""
    if isinstance(term, NamedNode):
        return ["iri", term.value]
    if term.language:
        return ["lang", term.value, term.language]
    return ["literal", term.value, term.datatype.value]


def decode_term(spec: list[str]) -> NamedNode | BlankNode | Literal:
    """A term sent as ``[kind, value, datatype-or-language]``."""
    kind, value, extra = ([*spec, "", ""])[:3]
    if kind == "iri":
        return NamedNode(value)
    if kind == "bnode":
        return BlankNode(value)
    if kind == "lang":
        return Literal(value, language=extra)
    return Literal(value, datatype=NamedNode(extra) if extra else None)


# ---------------------------------------------------------------------------------------------- answers
@dataclass(slots=True)
class AnswerHead:
    """The header of an answer: its outcome, and what the body frames after it hold.

    Built and read once per request on both sides of the pipe, hence slots and no frozen ``__init__``.
    """

    status: int
    length: int | None = None  #: body bytes that follow; None: streamed until the end frame
    error: str | None = None  #: why, when the status is not a success
    media_type: str | None = None  #: of a query or graph answer (the endpoint adds the charset)
    kind: str | None = None  #: of a query answer: "solutions", "boolean" or "graph"
    content_type: str | None = None  #: of a write's answer, charset included
    generation: str | None = None  #: answering a ping: the generation the worker sees

    def encode(self, length: int | None = None) -> bytes:
        """The header frame; ``length`` overrides :attr:`length` (a buffered answer, once complete)."""
        head: dict[str, Any] = {"status": self.status}
        if length is None:
            length = self.length
        if length is not None:
            head["length"] = length
        # one test per field, unrolled: this runs for every answer
        if self.error is not None:
            head["error"] = self.error
        if self.media_type is not None:
            head["media_type"] = self.media_type
        if self.kind is not None:
            head["kind"] = self.kind
        if self.content_type is not None:
            head["content_type"] = self.content_type
        if self.generation is not None:
            head["generation"] = self.generation
        return framing.header(head)


def decode_answer(payload: bytes) -> AnswerHead:
    """An answer's head from its header frame's payload."""
    return AnswerHead(**json.loads(payload))

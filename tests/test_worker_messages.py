"""The messages between the web process and its workers: each one read back as it was written."""

from __future__ import annotations

import io

import pytest
from pyoxigraph import Literal, NamedNode

from server.workers import framing, messages
from server.workers.messages import AnswerHead

XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
REQUESTS: list[messages.Request] = [
    messages.Ping(),
    messages.Query(query="ASK {}", max_bytes=10, results_type="application/sparql-results+json"),
    messages.Query(
        query="SELECT * WHERE { ?s ?p ?o }",
        max_bytes=1 << 20,
        rdf_type="text/turtle",
        default_graph=["https://example.org/g"],
        named_graphs=[],
        strict_dataset=True,
        with_catalog=True,
        prefixes={"ex": "https://example.org/"},
        substitutions={"s": ["iri", "https://example.org/s"]},
        base_iri="http://127.0.0.1:8000/sparql",
    ),
    messages.GraphDump(graph="DEFAULT", rdf_type="application/n-quads", max_bytes=5),
    messages.Describe(
        iri="https://w3id.org/coopgraph/id/organization/x",
        media_type="text/turtle",
        max_bytes=1 << 20,
        context_url="http://h/context.jsonld",
        unless_generation="g00000001",
        incoming_limit=10,
    ),
    messages.Dumps(directory="dumps", context_url="http://h/context.jsonld"),
    messages.Update(update="CLEAR ALL", base_iri="http://h/update", origin="http://h/update", agent="a"),
    messages.GraphReplace(graph="https://example.org/g", media_type="text/turtle", origin="o"),
    messages.GraphMerge(graph="https://example.org/g", media_type="application/n-triples"),
    messages.GraphDelete(graph="https://example.org/g"),
]


def _read(frames: bytes) -> tuple[messages.Request, bool, bytes]:
    """A request as a worker reads it from its stdin."""
    stream = io.BytesIO(frames)
    kind, payload = framing.read_frame(stream)
    assert kind == framing.HEADER
    request, has_body = messages.decode_request(payload)
    body = messages.read_request_body(stream) if has_body else b""
    assert stream.read() == b"", "frames left over after the request"
    return request, has_body, body


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: type(r).__name__)
def test_a_request_is_read_back_as_it_was_sent(request_: messages.Request) -> None:
    assert _read(messages.encode_request(request_)) == (request_, False, b"")


def test_a_body_larger_than_a_frame_follows_its_request_whole() -> None:
    body = bytes(range(256)) * (messages.BODY_CHUNK // 256 * 2 + 3)
    upload = messages.GraphMerge(graph="https://example.org/g", media_type="text/turtle")
    assert _read(messages.encode_request(upload, body)) == (upload, True, body)
    assert _read(messages.encode_request(upload, b"")) == (upload, True, b"")


def test_an_unknown_operation_is_refused_with_what_follows_it() -> None:
    payload = framing.header({"op": "drop_everything", "has_body": True})[framing.PREFIX_SIZE :]
    with pytest.raises(messages.UnknownOperation) as raised:
        messages.decode_request(payload)
    assert raised.value.op == "drop_everything" and raised.value.has_body


@pytest.mark.parametrize(
    "head",
    [
        AnswerHead(200, length=0, kind="boolean", media_type="application/sparql-results+json"),
        AnswerHead(200, kind="graph", media_type="text/turtle"),  # streamed: no length
        AnswerHead(422, length=12, content_type="application/json"),
        AnswerHead(500, error="internal error: KeyError: 'x'"),
        AnswerHead(200, length=0, generation="00000003"),
    ],
)
def test_an_answer_head_is_read_back_as_it_was_sent(head: AnswerHead) -> None:
    kind, payload = framing.read_frame(io.BytesIO(head.encode()))
    assert kind == framing.HEADER
    assert messages.decode_answer(payload) == head


def test_a_buffered_answer_gets_its_length_when_complete() -> None:
    head = AnswerHead(200, kind="solutions", media_type="text/csv")
    _, payload = framing.read_frame(io.BytesIO(head.encode(length=42)))
    assert messages.decode_answer(payload) == AnswerHead(
        200, length=42, kind="solutions", media_type="text/csv"
    )


@pytest.mark.parametrize(
    "term",
    [
        NamedNode("https://w3id.org/coopgraph/id/institution/vnu-hanoi"),
        Literal("Hà Nội", language="vi"),
        Literal("2010", datatype=XSD_INTEGER),
        Literal("plain"),
    ],
)
def test_a_bound_term_reaches_the_worker_unchanged(term: NamedNode | Literal) -> None:
    assert messages.decode_term(messages.encode_term(term)) == term

"""A worker process: runs one request at a time on the store and streams the answer back in frames.

Query workers open the published generation read-only, so the server can kill one whose query
passed its time limit (pyoxigraph cannot be interrupted) without harming anything. The write
worker holds the only write path; killing it discards the unpublished generation it was building.

Run as ``python -m server.workers.child --store DIR --role query|write``; frames on stdin/stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from pyoxigraph import (
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    serialize,
)

from coopgraph import iris
from coopgraph.settings import load_settings
from coopgraph.sparql_errors import explain
from coopgraph.store import Store, open_store
from coopgraph.store.dataset import DatasetMode, query_dataset
from server.workers import describe, dumps, fragments, framing, messages, past
from server.workers.messages import (
    OUT_OF_MEMORY_EXIT,
    AnswerHead,
    Describe,
    Dumps,
    Fragment,
    GraphDump,
    Ping,
    Query,
)

if TYPE_CHECKING:
    from server.workers.checks import Checks
    from server.workers.writes import Writes

#: Answers up to this size are sent whole, with a Content-Length; larger ones are streamed.
BUFFERED = 1 << 20
CHUNK = 1 << 16
_END = framing.frame(framing.END)
#: How often an idle worker checks whether a newer generation replaced the one it holds.
JANITOR_SECONDS = 0.5
#: Decoded request headers kept by a query worker (its requests are never changed after parsing).
PARSED_MAX, PARSED_MAX_BYTES = 1024, 4096
#: What a worker can be sent: a request, or a header naming no operation it knows.
Received = messages.Request | messages.UnknownOperation


class TooLarge(Exception):
    pass


class FrameWriter:
    """What pyoxigraph serialises into: buffers the start of the answer, then sends it in frames."""

    def __init__(self, out: BinaryIO, head: AnswerHead, limit: int) -> None:
        self.out, self.head, self.limit = out, head, limit
        self.buffer = bytearray()
        self.total = 0
        self.streaming = False

    def write(self, data: bytes) -> int:
        self.total += len(data)
        if self.total > self.limit:
            raise TooLarge(
                f"the answer is larger than the {self.limit:,}-byte limit; add a LIMIT or narrow the query"
            )
        self.buffer += data
        if not self.streaming and len(self.buffer) > BUFFERED:
            self.streaming = True
            self.out.write(self.head.encode())
        if self.streaming and len(self.buffer) >= CHUNK:
            self.out.write(framing.frame(framing.DATA, bytes(self.buffer)))
            self.buffer.clear()
        return len(data)

    def flush(self) -> None:
        pass

    def finish(self) -> None:
        """The rest of the answer, with the end frame, in one write."""
        parts = [] if self.streaming else [self.head.encode(length=len(self.buffer))]
        if self.buffer:
            parts.append(framing.frame(framing.DATA, self.buffer))
        parts.append(_END)
        self.out.write(b"".join(parts))
        self.out.flush()


def fail(out: BinaryIO, writer: FrameWriter, status: int, message: str) -> None:
    """End an answer with an error: a status of its own if nothing was sent yet, else a cut-short stream."""
    if writer.streaming:
        out.write(AnswerHead(500, error=message).encode())
        out.write(framing.frame(framing.END))
        out.flush()
    else:
        send(out, AnswerHead(status, error=message))


def send(out: BinaryIO, head: AnswerHead, body: bytes = b"") -> None:
    parts = [head.encode(length=len(body))]
    if body:
        parts.append(framing.frame(framing.DATA, body))
    parts.append(_END)
    out.write(b"".join(parts))
    out.flush()


_RESULTS_FORMATS: dict[str, Any] = {}
_RDF_FORMATS: dict[str, Any] = {}


def _format(cache: dict[str, Any], kind: Any, media: str) -> Any:
    fmt = cache.get(media)
    if fmt is None:
        fmt = cache[media] = kind.from_media_type(media)
    return fmt


def run_query(store: Store, request: Query, out: BinaryIO) -> None:
    subs = request.substitutions
    view = store.view()  # the published generation, kept open while it stays the current one
    if request.version is not None:
        try:
            view = past.dataset_view(store, request.version)
        except ValueError as e:
            send(out, AnswerHead(404, error=str(e)))
            return
    default_graph, named_graphs = request.default_graph, request.named_graphs
    if default_graph is None and named_graphs is None:
        default_graph, named_graphs = query_dataset(
            view.graph_names(),
            request.query,
            request.prefixes or {},
            DatasetMode(strict=request.strict_dataset, with_catalog=request.with_catalog),
        )
    try:
        results = view.query(
            request.query,
            default_graph=default_graph,
            named_graphs=named_graphs,
            substitutions={k: messages.decode_term(v) for k, v in subs.items()} if subs else None,
            base_iri=request.base_iri,
        )
    except SyntaxError as e:
        send(out, AnswerHead(400, error=f"the query is not valid SPARQL: {explain(request.query, e)}"))
        return
    except RuntimeError as e:  # valid SPARQL that Oxigraph cannot evaluate (a function it does not know)
        send(out, AnswerHead(400, error=f"the query cannot be evaluated: {e}"))
        return
    if isinstance(results, QuerySolutions | QueryBoolean):
        media = request.results_type
        if not media:
            send(out, AnswerHead(406, error="no acceptable format for query results (SELECT or ASK)"))
            return
        fmt: Any = _format(_RESULTS_FORMATS, QueryResultsFormat, media)
        kind = "boolean" if isinstance(results, QueryBoolean) else "solutions"
    else:
        media = request.rdf_type
        if not media:
            send(out, AnswerHead(406, error="no acceptable RDF format for a CONSTRUCT or DESCRIBE answer"))
            return
        fmt = _format(_RDF_FORMATS, RdfFormat, media)
        kind = "graph"
    writer = FrameWriter(
        out, AnswerHead(200, kind=kind, media_type=media, generation=view.generation), request.max_bytes
    )
    try:
        if kind == "graph" and fmt in (RdfFormat.TURTLE, RdfFormat.TRIG):
            serialize(results, writer, format=fmt, prefixes=iris.PREFIXES)
        else:
            results.serialize(writer, format=fmt)
    except TooLarge as e:
        fail(out, writer, 413, str(e))
        return
    except OSError as e:  # evaluation errors surface while results are read
        fail(out, writer, 400, str(e))
        return
    writer.finish()


def dump_graph(store: Store, request: GraphDump, out: BinaryIO) -> None:
    """One graph as RDF (the store's own default graph for DEFAULT), or 404."""
    view = store.view()
    name = request.graph
    if not view.has_graph(name):
        send(out, AnswerHead(404, error=f"no graph <{name}> in this store"))
        return
    media = request.rdf_type
    fmt = RdfFormat.from_media_type(media)
    writer = FrameWriter(
        out, AnswerHead(200, kind="graph", media_type=media, generation=view.generation), request.max_bytes
    )
    try:
        prefixes = iris.PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
        if fmt == RdfFormat.JSON_LD:  # the graph's triples as the document's default graph, as readers expect
            serialize((Quad(q.subject, q.predicate, q.object) for q in view.quads(name)), writer, format=fmt)
        elif fmt.supports_datasets:  # N-Quads and TriG keep the graph's name
            serialize(view.quads(name), writer, format=fmt)
        else:
            view.dump(writer, fmt, name, prefixes=prefixes)
    except TooLarge as e:
        fail(out, writer, 413, str(e))
        return
    writer.finish()


def describe_resource(store: Store, request: Describe, out: BinaryIO) -> None:
    """A resource's description (RDF, or the resource page's data), 304 if unchanged, 404 if absent."""
    view = store.view()
    generation = view.generation
    if request.unless_generation == generation:
        send(out, AnswerHead(304, generation=generation))
        return
    if request.version is None:
        found = describe.describe(view, request.iri, request.incoming_limit, request.incoming_count_cap)
    else:
        try:
            found = past.describe_at(store, request.version, request.iri, request.incoming_limit)
        except ValueError as e:
            send(out, AnswerHead(404, error=str(e), generation=generation))
            return
    if not found.found:
        body = describe.not_found_bytes(view, request.iri)
        send(out, AnswerHead(404, media_type=describe.DESCRIPTION_JSON, generation=generation), body)
        return
    if request.media_type == describe.DESCRIPTION_JSON:
        body = describe.page_bytes(view, found)
    else:
        body = describe.rdf_bytes(found, request.media_type, request.context_url)
    if len(body) > request.max_bytes:
        send(
            out, AnswerHead(413, error=f"the description is larger than the {request.max_bytes:,}-byte limit")
        )
        return
    send(out, AnswerHead(200, kind="graph", media_type=request.media_type, generation=generation), body)


def read_fragment(store: Store, request: Fragment, out: BinaryIO) -> None:
    """One page of a triple pattern fragment, as JSON; 304 if the generation is still the one named."""
    view = store.view()
    if request.unless_generation == view.generation:
        send(out, AnswerHead(304, generation=view.generation))
        return
    body = fragments.fragment_bytes(view, request)
    send(out, AnswerHead(200, media_type="application/json", generation=view.generation), body)


def produce_dumps(store: Store, request: Dumps, out: BinaryIO) -> None:
    """The dump files of the published generation (written now if they are not yet), by their manifest."""
    view = store.view()
    folder, manifest = dumps.ensure_dumps(view, Path(request.directory), request.context_url)
    manifest["folder"] = str(folder)
    body = json.dumps(manifest).encode("utf-8")
    send(out, AnswerHead(200, media_type="application/json", generation=view.generation), body)


def serve(store_dir: Path, role: str, inp: BinaryIO, out: BinaryIO) -> None:
    # the store directory, and the store settings the pool put in the environment (a remote store's)
    store = open_store(load_settings(store=store_dir), create=False)
    writes = checks = None
    if role == "write":
        from server.workers.writes import Writes

        writes = Writes(store)
    elif role == "check":
        from server.workers.checks import Checks

        checks = Checks(store)
    busy = threading.Lock()  # held while answering; between requests the janitor may run
    threading.Thread(target=_janitor, args=(store, busy), name="janitor", daemon=True).start()
    # the server sends the same few request headers again and again: decoded once each
    decoded: dict[bytes, tuple[Received, bool]] = {}
    while True:
        try:
            _, payload = framing.read_frame(inp)
        except EOFError:
            return
        known = decoded.get(payload) if role == "query" else None
        if known is None:
            known = _decode(payload)
            if role == "query" and len(payload) <= PARSED_MAX_BYTES:
                if len(decoded) >= PARSED_MAX:
                    decoded.clear()
                decoded[payload] = known
        request, has_body = known
        body = messages.read_request_body(inp) if has_body else b""
        try:
            with busy:
                answer(store, writes, request, body, out, checks)
        except MemoryError:
            os._exit(OUT_OF_MEMORY_EXIT)  # what is left of the heap cannot be trusted
        except Exception as e:  # a bug; the server answers 500 and the worker goes on
            traceback.print_exc(file=sys.stderr)
            send(out, AnswerHead(500, error=f"internal error: {type(e).__name__}: {e}"))


def _janitor(store: Store, busy: threading.Lock) -> None:
    """Between requests, let go of a generation a newer one replaced, and remove the ones no process
    holds: an idle worker would otherwise keep its last generation on disk until its next request."""
    while True:
        time.sleep(JANITOR_SECONDS)
        if busy.acquire(blocking=False):
            try:
                if store.release_stale():
                    store.collect()
            except Exception:  # the next round tries again; the worker's requests are what matters
                traceback.print_exc(file=sys.stderr)
            finally:
                busy.release()


def _decode(payload: bytes) -> tuple[Received, bool]:
    try:
        return messages.decode_request(payload)
    except messages.UnknownOperation as e:  # answered 400 (its body is read all the same)
        return e, e.has_body


def answer(
    store: Store,
    writes: Writes | None,
    request: Received,
    body: bytes,
    out: BinaryIO,
    checks: Checks | None = None,
) -> None:
    """Answer one request; writes only in the write worker, validations only in the check worker."""
    if type(request) is Query:
        run_query(store, request, out)
    elif type(request) is GraphDump:
        dump_graph(store, request, out)
    elif type(request) is Describe:
        describe_resource(store, request, out)
    elif type(request) is Fragment:
        read_fragment(store, request, out)
    elif type(request) is Dumps:
        produce_dumps(store, request, out)
    elif type(request) is Ping:
        send(out, AnswerHead(200, generation=store.generation))
    elif writes is not None and isinstance(request, messages.WRITES):
        status, content_type, reply = writes.handle(request, body)
        send(out, AnswerHead(status, content_type=content_type), reply)
        store.collect()  # old generations go once the answer is out
        store.compact_later()
    elif checks is not None and isinstance(request, messages.CHECKS):
        status, content_type, reply = checks.handle(request, body)
        send(out, AnswerHead(status, content_type=content_type), reply)
    else:
        op = request.op if isinstance(request, messages.UnknownOperation) else request.OP
        send(out, AnswerHead(400, error=f"unknown operation {op!r}"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--role", choices=["query", "write", "check"], default="query")
    parser.add_argument("--memory-bytes", type=int, default=0, help="address-space cap; 0: none")
    args = parser.parse_args()
    if args.memory_bytes:
        # past it an allocation fails: Oxigraph aborts, Python raises MemoryError; either ends the worker,
        # and the pool answers the request with the reason
        resource.setrlimit(resource.RLIMIT_AS, (args.memory_bytes, args.memory_bytes))
    # The frames own the original stdout; anything printed goes to stderr.
    out = os.fdopen(os.dup(1), "wb", buffering=1 << 16)
    os.dup2(2, 1)
    inp = os.fdopen(0, "rb", buffering=1 << 16)
    serve(args.store, args.role, inp, out)


if __name__ == "__main__":
    main()

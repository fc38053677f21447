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
import sys
import traceback
from pathlib import Path
from typing import Any, BinaryIO

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    serialize,
)

from coopgraph import iris
from coopgraph.store.local import LocalStore, graph_node
from coopgraph.store.local import _query as query_view
from server.workers import framing

#: Answers up to this size are sent whole, with a Content-Length; larger ones are streamed.
BUFFERED = 1 << 20
CHUNK = 1 << 16
_END = framing.frame(framing.END)
#: Parsed request headers kept by a query worker (its requests are never changed after parsing).
PARSED_MAX, PARSED_MAX_BYTES = 1024, 4096


class TooLarge(Exception):
    pass


class FrameWriter:
    """What pyoxigraph serialises into: buffers the start of the answer, then sends it in frames."""

    def __init__(self, out: BinaryIO, head: dict[str, Any], limit: int) -> None:
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
            self.out.write(framing.header(self.head))
        if self.streaming and len(self.buffer) >= CHUNK:
            self.out.write(framing.frame(framing.DATA, bytes(self.buffer)))
            self.buffer.clear()
        return len(data)

    def flush(self) -> None:
        pass

    def finish(self) -> None:
        """The rest of the answer, with the end frame, in one write."""
        parts = [] if self.streaming else [framing.header({**self.head, "length": len(self.buffer)})]
        if self.buffer:
            parts.append(framing.frame(framing.DATA, self.buffer))
        parts.append(_END)
        self.out.write(b"".join(parts))
        self.out.flush()


def fail(out: BinaryIO, writer: FrameWriter, status: int, message: str) -> None:
    """End an answer with an error: a status of its own if nothing was sent yet, else a cut-short stream."""
    if writer.streaming:
        out.write(framing.header({"status": 500, "error": message}))
        out.write(framing.frame(framing.END))
        out.flush()
    else:
        send(out, {"status": status, "error": message})


def send(out: BinaryIO, head: dict[str, Any], body: bytes = b"") -> None:
    parts = [framing.header({**head, "length": len(body)})]
    if body:
        parts.append(framing.frame(framing.DATA, body))
    parts.append(_END)
    out.write(b"".join(parts))
    out.flush()


def term(spec: list[str]) -> Any:
    """A term sent as [kind, value, datatype-or-language]."""
    kind, value, extra = ([*spec, "", ""])[:3]
    if kind == "iri":
        return NamedNode(value)
    if kind == "bnode":
        return BlankNode(value)
    if kind == "lang":
        return Literal(value, language=extra)
    return Literal(value, datatype=NamedNode(extra) if extra else None)


_RESULTS_FORMATS: dict[str, Any] = {}
_RDF_FORMATS: dict[str, Any] = {}


def _format(cache: dict[str, Any], kind: Any, media: str) -> Any:
    fmt = cache.get(media)
    if fmt is None:
        fmt = cache[media] = kind.from_media_type(media)
    return fmt


def run_query(store: LocalStore, request: dict[str, Any], out: BinaryIO) -> None:
    subs = request.get("substitutions")
    view = store.view()  # the published generation, kept open while it stays the current one
    missing = [g for g in request.get("require_graphs") or () if not view.contains_named_graph(NamedNode(g))]
    if missing:
        send(
            out,
            {
                "status": 400,
                "error": "not a graph in this store: "
                + ", ".join(f"<{g}>" for g in missing)
                + " (coopgraph never fetches graphs from elsewhere; see GET /graphs for the graphs it holds)",
            },
        )
        return
    try:
        results = query_view(
            view,
            request["query"],
            request.get("default_graph"),
            request.get("named_graphs"),
            {k: term(v) for k, v in subs.items()} if subs else None,
            request.get("base_iri"),
        )
    except SyntaxError as e:
        send(out, {"status": 400, "error": f"the query is not valid SPARQL: {e}"})
        return
    if isinstance(results, QuerySolutions | QueryBoolean):
        media = request.get("results_type")
        if not media:
            send(out, {"status": 406, "error": "no acceptable format for query results (SELECT or ASK)"})
            return
        fmt: Any = _format(_RESULTS_FORMATS, QueryResultsFormat, media)
        kind = "boolean" if isinstance(results, QueryBoolean) else "solutions"
    else:
        media = request.get("rdf_type")
        if not media:
            send(out, {"status": 406, "error": "no acceptable RDF format for a CONSTRUCT or DESCRIBE answer"})
            return
        fmt = _format(_RDF_FORMATS, RdfFormat, media)
        kind = "graph"
    writer = FrameWriter(out, {"status": 200, "kind": kind, "media_type": media}, request["max_bytes"])
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


def dump_graph(store: LocalStore, request: dict[str, Any], out: BinaryIO) -> None:
    """One graph as RDF (the store's own default graph for DEFAULT), or 404."""
    view = store.view()
    name = request["graph"]
    node = graph_node(name)
    if isinstance(node, NamedNode) and not view.contains_named_graph(node):
        send(out, {"status": 404, "error": f"no graph <{name}> in this store"})
        return
    media = request["rdf_type"]
    fmt = RdfFormat.from_media_type(media)
    writer = FrameWriter(out, {"status": 200, "kind": "graph", "media_type": media}, request["max_bytes"])
    try:
        prefixes = iris.PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
        if fmt.supports_datasets:  # a graph in a dataset format keeps its name
            serialize(view.quads_for_pattern(None, None, None, node), writer, format=fmt)
        else:
            view.dump(writer, format=fmt, from_graph=node, prefixes=prefixes)
    except TooLarge as e:
        fail(out, writer, 413, str(e))
        return
    writer.finish()


def serve(store_dir: Path, role: str, inp: BinaryIO, out: BinaryIO) -> None:
    store = LocalStore(store_dir, create=False)
    writes = None
    if role == "write":
        from server.workers.writes import Writes

        writes = Writes(store)
    parsed: dict[bytes, dict[str, Any]] = {}  # the server sends the same few request headers again and again
    while True:
        try:
            kind, payload = framing.read_frame(inp)
        except EOFError:
            return
        request = parsed.get(payload) if role == "query" else None
        if request is None:
            request = json.loads(payload)
            if role == "query" and len(payload) <= PARSED_MAX_BYTES:
                if len(parsed) >= PARSED_MAX:
                    parsed.clear()
                parsed[payload] = request
        body = bytearray()
        if request.get("has_body"):
            while True:
                kind, chunk = framing.read_frame(inp)
                if kind == framing.END:
                    break
                body += chunk
        try:
            if request["op"] == "query":
                run_query(store, request, out)
            elif request["op"] == "graph":
                dump_graph(store, request, out)
            elif request["op"] == "ping":
                send(out, {"status": 200, "generation": store.generation})
            elif writes is not None:
                status, head, answer = writes.handle(request, bytes(body))
                send(out, {"status": status, **head}, answer)
                store.collect()  # old generations go once the answer is out
            else:
                send(out, {"status": 400, "error": f"unknown operation {request['op']!r}"})
        except Exception as e:  # a bug; the server answers 500 and the worker goes on
            traceback.print_exc(file=sys.stderr)
            send(out, {"status": 500, "error": f"internal error: {type(e).__name__}: {e}"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--role", choices=["query", "write"], default="query")
    args = parser.parse_args()
    # The frames own the original stdout; anything printed goes to stderr.
    out = os.fdopen(os.dup(1), "wb", buffering=1 << 16)
    os.dup2(2, 1)
    inp = os.fdopen(0, "rb", buffering=1 << 16)
    serve(args.store, args.role, inp, out)


if __name__ == "__main__":
    main()

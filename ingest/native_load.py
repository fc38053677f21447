"""Dataset files (N-Quads, TriG, JSON-LD) into one graph through Oxigraph's parsers and bulk loader.

A dataset file is one source: its graphs are merged into the source's graph. Oxigraph's loaders put
the quads of a named graph into that graph (``to_graph`` names only where the default graph goes), so
parsing the file into Python quads and renaming their graph was the way, at a fifth of the loader's
speed. N-Quads writes one statement a line: dropping each line's graph label turns the file into
N-Triples line for line, which the bulk loader reads into the source's graph at its own speed, on its
own threads, while this one rewrites the next block. Blank-node labels stay per file (the loader gives
them fresh names, as it does for every load).

The rewrite knows N-Quads' terms, not all of it: a line it does not recognise is passed on unchanged,
and if the N-Triples parser then refuses it the caller loads the file again the exact way, which
reports the real error (or loads what this rewrite did not know).

TriG and JSON-LD cannot be rewritten line by line: Oxigraph's parser reads them (blank nodes renamed, so
that a label means one node only inside its file) and its quads, moved into the source's graph, go to
the bulk loader; the literals are checked on the way (:func:`load_parsed`), which spares a second
parse of the file for the check alone.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pyoxigraph
from pyoxigraph import Literal, Quad, RdfFormat

from coopgraph.formats import as_ntriples, line_blocks
from coopgraph.store import StoreTransaction, graph_node
from ingest.errors import IngestError, Problem
from ingest.literals import LiteralCheck
from ingest.sources import Source

#: Oxigraph's words when a JSON-LD document names a context by its URL (it never fetches one).
_REMOTE_CONTEXT = "No LoadDocumentCallback has been set"

_BLOCK = 1 << 20


def _rewrite(stream: IO[bytes], out: IO[bytes]) -> None:
    for block in line_blocks(stream, _BLOCK):
        out.write(as_ntriples(block))


def load_nquads(tx: StoreTransaction, stream: IO[bytes], graph: str, base_iri: str | None) -> None:
    """Bulk-load the N-Quads of ``stream`` into ``graph``; a line the loader refuses raises SyntaxError
    (see the module's note: the caller then loads the file the exact way)."""
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            with os.fdopen(write_fd, "wb", buffering=_BLOCK) as out:
                _rewrite(stream, out)
        except BrokenPipeError:
            pass  # the loader stopped at an error, which it raises
        except BaseException as e:  # surfaced below
            failure.append(e)

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    try:
        # the loader opens the pipe by its name: read through a Python file, it would wait for the GIL at
        # every read while this thread rewrites (see ingest.progress.Progress.watching)
        with os.fdopen(read_fd, "rb"):
            tx.load(Path(f"/dev/fd/{read_fd}"), RdfFormat.N_TRIPLES, graph, base_iri=base_iri, bulk=True)
    finally:
        thread.join()
    if failure:
        raise failure[0]


def load_parsed(tx: StoreTransaction, stream: IO[bytes], source: Source, max_literal: int | None) -> None:
    """Parse ``stream`` once into ``source``'s graph, checking its literals as they pass; ill-typed or
    oversized literals raise :class:`IngestError` after the load, bad syntax raises SyntaxError (with
    the parser's line), a remote JSON-LD context raises :class:`IngestError` (never fetched)."""
    fmt = source.rdf_format
    assert fmt is not None
    node = graph_node(source.graph)
    check = LiteralCheck(source, max_literal)
    see = check.see
    parsed = pyoxigraph.parse(stream, format=fmt.oxigraph, base_iri=source.location, rename_blank_nodes=True)

    def moved() -> Iterator[Quad]:
        for s, p, o, _ in parsed:
            if type(o) is Literal:
                see(s, p, o)
            yield Quad(s, p, o, node)

    try:
        tx.add(moved())
    except SyntaxError as e:
        check.finish()
        if _REMOTE_CONTEXT in str(e):
            raise IngestError(
                Problem(
                    str(source.path),
                    "the JSON-LD names a remote @context; coopgraph never fetches one: "
                    "write the context into the file",
                )
            ) from None
        raise
    problems = check.finish()
    if problems:
        raise IngestError(problems)

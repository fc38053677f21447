"""N-Quads into one graph through Oxigraph's bulk loader.

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
"""

from __future__ import annotations

import os
import re
import threading
from typing import IO

from pyoxigraph import RdfFormat

from coopgraph.store import StoreTransaction

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
_BLOCK = 1 << 20


def as_ntriples(nquads: bytes) -> bytes:
    """The statements of whole N-Quads lines without their graph labels (line ends untouched, so a line
    keeps its number)."""
    return _STATEMENT.sub(rb"\1 .", nquads)


def _rewrite(stream: IO[bytes], out: IO[bytes]) -> None:
    rest = b""
    while block := stream.read(_BLOCK):
        block = rest + block
        cut = block.rfind(b"\n") + 1
        rest = block[cut:]
        out.write(as_ntriples(block[:cut]))
    out.write(as_ntriples(rest))


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
        with os.fdopen(read_fd, "rb") as inp:
            tx.load(inp, RdfFormat.N_TRIPLES, graph, base_iri=base_iri, bulk=True)
    finally:
        thread.join()
    if failure:
        raise failure[0]

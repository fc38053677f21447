"""Copying graphs from one Oxigraph store into another through the bulk loader (a rebuild lays the data
out as a fresh load does)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import IO

import pyoxigraph
from pyoxigraph import NamedNode, RdfFormat

from coopgraph.store.protocol import DEFAULT_GRAPH

__all__ = ["copy_graphs"]


class _InGraph:
    """A binary writer that passes the N-Triples written to it on to ``out`` as N-Quads of ``graph``
    (None: the default graph, whose N-Quads are the N-Triples themselves).

    Oxigraph ends every N-Triples line with ``" .\\n"`` and escapes line breaks inside literals, so each
    ``" .\\n"`` ends a triple; a block is converted up to its last line end, the rest kept for the next.
    """

    def __init__(self, out: IO[bytes], graph: NamedNode | None) -> None:
        self.out = out
        self.end = None if graph is None else f" <{graph.value}> .\n".encode()
        self.rest = b""

    def write(self, data: bytes) -> int:
        if self.end is None:
            self.out.write(data)
            return len(data)
        block = self.rest + bytes(data)
        cut = block.rfind(b"\n") + 1
        self.rest = block[cut:]
        if cut:
            self.out.write(block[:cut].replace(b" .\n", self.end))
        return len(data)

    def flush(self) -> None:
        if self.rest:
            raise ValueError("the N-Triples written did not end with a line end")


def copy_graphs(source: pyoxigraph.Store, target: pyoxigraph.Store, keep: Callable[[str], bool]) -> None:
    """Bulk-load the graphs of ``source`` that ``keep`` accepts (the default graph as ``DEFAULT_GRAPH``)
    into ``target``, in one load: a blank node that several graphs share stays one node."""
    graphs: list[NamedNode | None] = [
        g for g in source.named_graphs() if isinstance(g, NamedNode) and keep(g.value)
    ]
    if keep(DEFAULT_GRAPH):
        graphs.insert(0, None)
    if not graphs:
        return
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    def dump() -> None:
        try:
            with os.fdopen(write_fd, "wb") as out:
                for graph in graphs:
                    writer = _InGraph(out, graph)
                    source.dump(
                        writer,
                        format=RdfFormat.N_TRIPLES,
                        from_graph=pyoxigraph.DefaultGraph() if graph is None else graph,
                    )
                    writer.flush()
        except BaseException as e:  # surfaced below
            failure.append(e)

    thread = threading.Thread(target=dump, daemon=True)
    thread.start()
    try:
        with os.fdopen(read_fd, "rb") as inp:
            target.bulk_load(inp, format=RdfFormat.N_QUADS)
    finally:
        thread.join()
    if failure:
        raise failure[0]

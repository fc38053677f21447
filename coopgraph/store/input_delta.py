"""A new graph's delta written from the file it was loaded from, instead of read back out of the store.

Reading a freshly bulk-loaded graph back out of Oxigraph costs a dictionary lookup per term (7.8 s for 1M
triples); the file holds the same statements. Three things differ between the file and what the store gives
back, and each is taken from the store's side:

- blank nodes: the loader names them afresh, so their statements are looked up in the store, by the
  subject or object and the predicate they have in the file;
- typed literals the store keeps as values (xsd:integer, xsd:dateTime, ...) come back in their canonical
  form ("01" is "1", xsd:int is xsd:integer): each distinct one is put through an in-memory store once;
- duplicates: the store keeps a statement once.

The statements written are then counted: each is one the graph holds, so as many as the graph holds means
the same set, without duplicates. When the count differs (a file with a duplicate line), :func:`input_delta`
returns None and the caller reads the graph back.

N-Triples is read as text: a line that is one plain statement (an IRI first, no blank node, no escape, no
comment after it) gets the graph's name before its full stop, whole blocks at once when every line is
plain; any other line is parsed. N-Quads is read the same way once each line's graph label is dropped (as
the loader reads it: one graph per source); every other format is first written as N-Triples by Oxigraph's
own parser and serializer.
"""

from __future__ import annotations

import io
import re
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat

from coopgraph.formats import as_ntriples, line_blocks
from coopgraph.store.protocol import DEFAULT_GRAPH, LoadedFile, graph_node

__all__ = ["AddedQuads", "FileRead", "input_delta", "stored_delta"]

_BLOCK = 1 << 22
#: What makes a line other than one plain statement: blank nodes, escapes, triple terms, tabs, carriage
#: returns (checked as substrings), and a comment or a second statement after a full stop (the pattern).
_UNPLAIN = (b"_:", b"\\", b"<<", b"\t", b"\r")
_AFTER_STOP = re.compile(rb"\. *[#<]")
#: The end of a typed literal of a plain line and its datatype (no escapes there, so the literal starts
#: at the quote before).
_TYPED = re.compile(rb'"\^\^<([^>\n]*)>')
_KEPT_AS_TEXT = frozenset(
    {
        "http://www.w3.org/2001/XMLSchema#string",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString",
    }
)
#: gzip (wbits 31); level 1: at 1M triples 0.9 s and 7.1 MB against 2.5 s and 5.6 MB at level 6.
_LEVEL = 1
_PARSED_BATCH = 50_000


class _Canonical:
    """The literal the store gives back for a typed literal, learnt once per distinct literal."""

    def __init__(self) -> None:
        self._scratch = pyoxigraph.Store()
        self._plain: dict[tuple[bytes, bytes], bool] = {}
        self._terms: dict[Literal, Literal] = {}

    def _through_store(self, literals: list[Literal]) -> list[Literal]:
        predicate = NamedNode("urn:coopgraph:canonical")
        self._scratch.clear()
        self._scratch.extend(
            Quad(NamedNode(f"urn:coopgraph:{n}"), predicate, lit) for n, lit in enumerate(literals)
        )
        back: list[Literal] = list(literals)
        for q in self._scratch.quads_for_pattern(None, predicate, None):
            back[int(q.subject.value.rsplit(":", 1)[1])] = q.object  # type: ignore[assignment]
        return back

    def plain(self, text: bytes) -> bool:
        """Whether every typed literal of the plain lines ``text`` comes back as written."""
        found = {(text[text.rfind(b'"', 0, m.start()) + 1 : m.start()], m[1]) for m in _TYPED.finditer(text)}
        if not found:
            return True
        new = [key for key in found if key not in self._plain]
        if new:
            literals = [Literal(v.decode(), datatype=NamedNode(t.decode())) for v, t in new]
            for key, lit, back in zip(new, literals, self._through_store(literals), strict=True):
                self._plain[key] = back == lit
        return all(self._plain[key] for key in found)

    def terms(self, literals: Iterable[Literal]) -> dict[Literal, Literal]:
        """Each typed literal of ``literals`` -> the literal the store gives back for it (all learnt in one
        pass through the scratch store)."""
        new = list({lit for lit in literals if lit.datatype.value not in _KEPT_AS_TEXT} - self._terms.keys())
        if new:
            self._terms.update(zip(new, self._through_store(new), strict=True))
        return self._terms


class _Output:
    """Gzipped N-Quads, compressed as they come (the text of a large graph is never held whole)."""

    def __init__(self) -> None:
        self._zip = zlib.compressobj(_LEVEL, zlib.DEFLATED, 31)
        self._parts: list[bytes] = []
        self.count = 0

    def text(self, nquads: bytes, statements: int) -> None:
        self._parts.append(self._zip.compress(nquads))
        self.count += statements

    def quads(self, quads: list[Quad]) -> None:
        if quads:
            buffer = io.BytesIO()
            pyoxigraph.serialize(quads, buffer, RdfFormat.N_QUADS)
            self.text(buffer.getvalue(), len(quads))

    def finish(self) -> bytes:
        self._parts.append(self._zip.flush())
        return b"".join(self._parts)


class _Blocks:
    """A binary file for the serializer to write into, handed on in blocks of whole lines."""

    def __init__(self, take: Callable[[bytes], None]) -> None:
        self.take = take
        self.pending = bytearray()

    def write(self, data: bytes) -> int:
        self.pending += data
        if len(self.pending) >= _BLOCK:
            cut = self.pending.rfind(b"\n") + 1
            self.take(bytes(self.pending[:cut]))
            del self.pending[:cut]
        return len(data)

    def flush(self) -> None:
        """Nothing to do: the blocks are handed on as they fill, the rest at :meth:`close`."""

    def close(self) -> None:
        if self.pending:
            self.take(bytes(self.pending))
            self.pending.clear()


def _statement_end(graph: str) -> bytes:
    """What ends an N-Quads line of ``graph``'s statement, in place of N-Triples' `` .``."""
    return f" <{graph}> .\n".encode()


class _Unsupported(Exception):
    """A statement this module does not write from the file (a triple term): the graph is read back."""


class _Stopped(Exception):
    """The read was stopped (:meth:`FileRead.stop`): its result would not be used."""


class _Writer:
    def __init__(self, graph: str, stop: threading.Event | None = None) -> None:
        self.stop_event = stop
        self.node = NamedNode(graph)
        self.stop = _statement_end(graph)
        self.out = _Output()
        self.canonical = _Canonical()
        #: (subject, predicate, object) of the file's statements with a blank node, None where it is
        self.blank_patterns: set[tuple[NamedNode | None, NamedNode, object]] = set()

    def read(self, source: LoadedFile) -> None:
        """The file's own statements: all but those with a blank node, whose patterns are kept."""
        if source.format == RdfFormat.N_TRIPLES:
            self.ntriples(source.path)
        elif source.format == RdfFormat.N_QUADS:  # loaded line for line as N-Triples (ingest/native_load.py)
            self.ntriples(source.path, as_ntriples)
        else:
            self.serialized(source)

    # ------------------------------------------------------------ N-Triples as text
    def ntriples(self, path: Path, rewrite: Callable[[bytes], bytes] | None = None) -> None:
        """An N-Triples file, or (``rewrite``: each line's graph label dropped) an N-Quads one."""
        with open(path, "rb") as stream:
            for block in line_blocks(stream, _BLOCK):
                block = block if block.endswith(b"\n") else block + b"\n"
                self._block(rewrite(block) if rewrite else block)

    def _block(self, block: bytes) -> None:
        """One block of whole lines: as text when every line is plain, else line by line, the lines
        that are not parsed (each line of N-Triples stands alone)."""
        if not block:
            return
        if self.stop_event is not None and self.stop_event.is_set():
            raise _Stopped
        lines = block.count(b"\n")
        if (  # a comment line that ends with " ." would be counted as a statement: the count finds it
            block.count(b" .\n") == lines
            and not any(mark in block for mark in _UNPLAIN)
            and _AFTER_STOP.search(block) is None
            and self.canonical.plain(block)
        ):
            self.out.text(block.replace(b" .\n", self.stop), lines)
            return
        plain: list[bytes] = []
        unsure: list[bytes] = []
        for line in block.split(b"\n")[:-1]:
            if (
                line.startswith(b"<")
                and line.endswith(b" .")
                and not any(mark in line for mark in _UNPLAIN)
                and _AFTER_STOP.search(line) is None
                and self.canonical.plain(line)
            ):
                plain.append(line[:-2])
            elif line.strip() and not line.lstrip().startswith(b"#"):
                unsure.append(line)
        if plain:
            plain.append(b"")
            self.out.text(self.stop.join(plain), len(plain) - 1)
        if unsure:
            self.parsed(pyoxigraph.parse(b"\n".join(unsure), format=RdfFormat.N_TRIPLES))

    # ------------------------------------------------------------ any other format
    def serialized(self, source: LoadedFile) -> None:
        """Parsed and written back as N-Triples by Oxigraph (a dataset's statements without their graph),
        then read as text: 3.0 against 4.9 CPU s for 1M triples of Turtle through :meth:`parsed`, whose
        Python work per statement the text path does per block."""
        statements: Iterable[Quad | pyoxigraph.Triple] = _dataset_quads(source)
        if source.format.supports_datasets:
            statements = (q.triple for q in statements)
        sink = _Blocks(self._block)
        pyoxigraph.serialize(statements, sink, RdfFormat.N_TRIPLES)
        sink.close()

    def parsed(self, quads: Iterable[Quad]) -> None:
        batch: list[Quad] = []
        for q in quads:
            subject, obj = q.subject, q.object
            if type(subject) is pyoxigraph.Triple or type(obj) is pyoxigraph.Triple:
                raise _Unsupported
            if type(subject) is BlankNode or type(obj) is BlankNode:
                self.blank_patterns.add(
                    (
                        None if type(subject) is BlankNode else subject,  # type: ignore[misc]
                        q.predicate,
                        None if type(obj) is BlankNode else obj,
                    )
                )
                continue
            batch.append(q)
            if len(batch) >= _PARSED_BATCH:
                self._write_parsed(batch)
                batch = []
        self._write_parsed(batch)

    def _write_parsed(self, quads: list[Quad]) -> None:
        canonical = self.canonical.terms(q.object for q in quads if type(q.object) is Literal)
        self.out.quads(
            [Quad(q.subject, q.predicate, canonical.get(q.object, q.object), self.node) for q in quads]  # type: ignore[call-overload]
        )

    def blank_statements(self, store: pyoxigraph.Store) -> None:
        """The statements with a blank node, as the store names them (only this load wrote the graph, so
        every blank node of it is one of the file's)."""
        found: set[Quad] = set()
        for subject, predicate, obj in self.blank_patterns:
            for q in store.quads_for_pattern(subject, predicate, obj, self.node):  # type: ignore[arg-type]
                if (subject is not None or type(q.subject) is BlankNode) and (
                    obj is not None or type(q.object) is BlankNode
                ):
                    found.add(q)
        self.out.quads(list(found))


def _dataset_quads(source: LoadedFile) -> Iterator[Quad]:
    return pyoxigraph.parse(path=str(source.path), format=source.format, base_iri=source.base_iri)


class FileRead:
    """The file's own statements, read on a thread of its own while the loader fills the store: the
    loader releases the GIL and keeps about one core busy, so on two cores the read costs no time.
    :func:`input_delta` finishes it once the graph is loaded."""

    def __init__(self, graph: str, path: Path, format: RdfFormat, base_iri: str | None) -> None:
        self.file = (path, format, base_iri)
        self._stop = threading.Event()
        self._writer: _Writer | None = None
        source = LoadedFile(path, format, base_iri, 0)
        self._thread = threading.Thread(target=self._run, args=(graph, source), daemon=True)

    def start(self) -> FileRead:
        self._thread.start()
        return self

    def _run(self, graph: str, source: LoadedFile) -> None:
        writer = _Writer(graph, self._stop)
        try:
            writer.read(source)
        except (_Stopped, _Unsupported, OSError, SyntaxError, ValueError):
            return  # read back instead, or not wanted
        self._writer = writer

    def of(self, source: LoadedFile) -> bool:
        """Whether this is a read of the file ``source`` names (path, format and base IRI)."""
        return self.file == (source.path, source.format, source.base_iri)

    def stop(self) -> None:
        """Not wanted: the thread stops at its next block."""
        self._stop.set()

    def writer(self) -> _Writer | None:
        self._thread.join()
        return self._writer


class AddedQuads:
    """The statements one :meth:`Transaction.add` writes into a new graph, as gzipped N-Quads as they
    pass: the graph's delta without reading it back out of the store (a table's 600k triples: 4.3 s).
    The store keeps blank nodes' labels as given and typed literals in its own form, which each is put
    in (:class:`_Canonical`); the count vouches for them as for a file (a duplicate: read back)."""

    def __init__(self) -> None:
        self.out = _Output()
        self.canonical = _Canonical()
        self.unsupported = False
        self._gzipped: bytes | None = None

    def take(self, quads: list[Quad]) -> None:
        if self.unsupported:
            return
        literals = set()
        for q in quads:
            if type(q.object) is Literal:
                literals.add(q.object)
            elif type(q.object) is pyoxigraph.Triple or type(q.subject) is pyoxigraph.Triple:
                self.unsupported = True  # a triple term's literals are not put in the store's form
                return
        canonical = self.canonical.terms(literals)
        changed = {lit: back for lit in literals if (back := canonical.get(lit, lit)) != lit}
        if changed:
            quads = [
                Quad(q.subject, q.predicate, changed.get(q.object, q.object), q.graph_name) for q in quads
            ]  # type: ignore[call-overload]
        self.out.quads(quads)

    def result(self, triples: int) -> tuple[bytes, int] | None:
        """The gzipped N-Quads and their count, if the graph holds as many (``triples``) as were written."""
        if self.unsupported or self.out.count != triples:
            return None
        if self._gzipped is None:
            self._gzipped = self.out.finish()
        return self._gzipped, self.out.count


def stored_delta(store: pyoxigraph.Store, graph: str) -> tuple[bytes, int]:
    """The statements of the new graph ``graph`` as ``store`` holds them, as gzipped N-Quads and their
    count, written by Oxigraph's serializer a block at a time: for a graph that no file vouches for (a
    table, records, a write through the server), at about a seventh of the cost of reading its quads
    into Python (120k triples of a table: 1.0 s before). Each line of Oxigraph's N-Triples is one
    statement ending in `` .``: the graph's name goes before it."""
    out = _Output()
    end = None if graph == DEFAULT_GRAPH else _statement_end(graph)

    def take(text: bytes) -> None:
        out.text(text if end is None else text.replace(b" .\n", end), text.count(b"\n"))

    sink = _Blocks(take)
    store.dump(sink, RdfFormat.N_TRIPLES, from_graph=graph_node(graph))
    sink.close()
    return out.finish(), out.count


def input_delta(
    store: pyoxigraph.Store, graph: str, source: LoadedFile, read: FileRead | None = None
) -> tuple[bytes, int] | None:
    """The statements of the new named graph ``graph`` of ``store``, loaded from ``source`` alone, as
    gzipped N-Quads and their count; None when they cannot be vouched for from the file (see the module's
    note: the caller reads the graph back). ``read``: the file's statements read during the load."""
    writer: _Writer | None
    if read is not None and read.of(source):
        writer = read.writer()
    else:
        writer = _Writer(graph)
        try:
            writer.read(source)
        except (_Unsupported, OSError, SyntaxError, ValueError):
            writer = None
    if writer is None:
        return None
    writer.blank_statements(store)
    if writer.out.count != source.triples:
        return None
    return writer.out.finish(), writer.out.count

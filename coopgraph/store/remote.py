"""The remote store: the store interface on a SPARQL server, through the W3C protocols only.

Chosen by :func:`coopgraph.store.open_store` for a location ``sparql+http://host:port/path`` (see
:mod:`coopgraph.store.remote_http` for the endpoints, authentication and what differs between servers).

**Layout on the server.** Each graph of the store is the server's graph of the same name, so other tools
read the data where they expect it. Beside them, under ``urn:x-coopgraph:``, are:

* the *control graph* ``urn:x-coopgraph:control``: the published generation, and for each generation still
  kept, which server graph holds each of the store's graphs (that list is the store's list of graphs: a
  server such as Virtuoso keeps no empty graphs, and its own system graphs are no graphs of the store);
* ``urn:x-coopgraph:default-graph``, the store's default graph (Virtuoso has no separate default graph, and
  the W3C protocols cannot name one in a dataset);
* *version graphs* ``urn:x-coopgraph:version/…``: a transaction's copies, and the versions that older
  generations still read.

**Default graph of a query.** As in the embedded store, a query's default graph is the union of all the
store's graphs (the store's default graph included) unless one is given. Every query names its dataset
with the protocol's ``default-graph-uri`` and ``named-graph-uri`` (one of each per graph of the store),
which also keeps the control and version graphs out of reach. It costs one parameter per graph in every
request; servers answer it without a measurable difference at a few hundred graphs. No server option
(Oxigraph's ``--union-default-graph``, Virtuoso's union default) is needed or used.

**Transactions, all or nothing, on servers with no HTTP transactions.** A transaction holds the store's
write lock (a file lock in the local ``root``: writers to one remote store run on one machine, the server's
write worker or ``coopgraph ingest``). A graph it changes is first copied to a version graph (recorded in
the control graph before it is made), and every read and write of the transaction is sent with that graph's
name rewritten (:mod:`coopgraph.store.sparql_rewrite`); results name the store's graphs again. Publishing is
ONE SPARQL Update request, which both servers apply atomically: move each replaced graph aside into a
version graph, move each copy into place, record the new generation, forget the transaction's record. A
process killed before that request leaves only version graphs the control graph lists under a transaction;
the next writer (or the next open, when no writer runs) drops them.

**Views are snapshots.** A view reads the generation it was taken at: after each query it checks that no
generation was published meanwhile, and if one was, it reads where its generation's graphs were moved and
asks again. Moved versions are kept ``keep_seconds`` (default 600) after they were replaced, then
:meth:`RemoteStore.collect` drops them; a view older than that raises :class:`StoreMissing`.

**Differences from the embedded store.** Blank nodes: one load (one file) keeps its blank nodes together,
but blank nodes added by different calls are different nodes. ``compact()`` has nothing to lay out on our
side (the server keeps its own indexes): it publishes the same state as a new, marked generation. Updates
inside a transaction are rewritten: ``CLEAR/DROP ALL`` and ``NAMED`` are refused, ``LOAD`` and ``SERVICE``
too; an operation that matches ``GRAPH ?g`` is given ``USING``/``USING NAMED`` naming the store's graphs.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pyoxigraph
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat

from coopgraph import iris
from coopgraph.sparql_text import ScanError, scan_query, scan_update
from coopgraph.store.catalog import GraphRecord, catalog_quads, read_records
from coopgraph.store.generations import Generations
from coopgraph.store.protocol import DEFAULT_GRAPH, ChangeNote, LoadedFile, StoreMissing, Term, graph_node
from coopgraph.store.remote_derived import DerivedFiles, Hold
from coopgraph.store.remote_http import Endpoints, RemoteError, SparqlClient
from coopgraph.store.sparql_rewrite import bind_values, rewrite_graphs, route_update

__all__ = ["RemoteError", "RemoteStore", "RemoteTransaction", "RemoteView"]

NS = "urn:x-coopgraph:"
CONTROL = NS + "control"
DEFAULT_IRI = NS + "default-graph"
EMPTY = NS + "empty"
VERSION = NS + "version/"
STATE = f"<{NS}state>"
_GEN, _OF, _NAME, _AT = (f"<{NS}{p}>" for p in ("generation", "of", "name", "at"))
_SUPERSEDED, _STAGING, _COMPACTED, _COLLECTED, _HOLDER, _ABANDONED = (
    f"<{NS}{p}>" for p in ("superseded", "staging", "compacted", "collected", "holder", "abandoned")
)
#: Triples per request when quads are added with INSERT DATA, and per block of a streamed load.
CHUNK = 20_000
#: Seconds a replaced version is kept for the views still reading it.
KEEP_SECONDS = 600.0

Mapping_ = dict[str, str]  # store graph (DEFAULT_GRAPH for the default graph) -> server graph


def _real(graph: str) -> str:
    """The server graph that holds a store graph once published."""
    return DEFAULT_IRI if graph == DEFAULT_GRAPH else graph


def _logical(name: str) -> str:
    return DEFAULT_GRAPH if name == DEFAULT_IRI else name


def _gen_iri(name: str) -> str:
    return f"<{NS}gen/{name}>"


def _entry(generation: str, graph: str, at: str) -> str:
    key = hashlib.sha1(graph.encode()).hexdigest()[:20]
    subject = f"<{NS}gen/{generation}/{key}>"
    return f"{subject} {_OF} {_gen_iri(generation)} ; {_NAME} <{_real(graph)}> ; {_AT} <{at}> ."


def _new_version() -> str:
    return VERSION + uuid.uuid4().hex


_EMPTY_STORE = pyoxigraph.Store()  # parses queries and updates the way the embedded store does


def _check_query(sparql: str, base_iri: str | None) -> str:
    """The query's form; SyntaxError if Oxigraph rejects it (checked on an empty store, no SERVICE run)."""
    try:
        info = scan_query(sparql, base_iri=base_iri)
    except ScanError as e:
        raise SyntaxError(str(e)) from None
    if not info.services:
        _EMPTY_STORE.query(sparql, base_iri=base_iri)
    return info.form


def _triples_result(triples: Iterable[pyoxigraph.Triple]) -> pyoxigraph.QueryTriples:
    """CONSTRUCT results as pyoxigraph's own type (callers serialise it)."""
    scratch = pyoxigraph.Store()
    scratch.extend(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)
    return scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")


class _Reader:
    """The reading verbs, on a mapping of the store's graphs to server graphs."""

    _client: SparqlClient

    @property
    def lateral(self) -> bool:
        return self._client.supports_lateral(EMPTY)

    def _mapping(self) -> Mapping_:
        raise NotImplementedError

    def _run(self, ask: Callable[[Mapping_], Any]) -> Any:
        return ask(self._mapping())

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
        base_iri: str | None = None,
    ) -> Any:
        """Evaluate a SPARQL query; the default graph is the union of the store's graphs unless given."""
        form = _check_query(sparql, base_iri)
        text = f"BASE <{base_iri}>\n{sparql}" if base_iri else sparql
        if substitutions:
            text = bind_values(text, substitutions)

        def ask(mapping: Mapping_) -> Any:
            moved = {g: at for g, at in mapping.items() if at != _real(g)}
            sent = rewrite_graphs(text, moved.get) if moved else text
            defaults = (
                [mapping[g] for g in sorted(mapping)]
                if default_graph is None
                else [mapping.get(g, EMPTY) for g in default_graph] or [EMPTY]
            )
            named = (
                [at for g, at in sorted(mapping.items()) if g != DEFAULT_GRAPH]
                if named_graphs is None
                else [mapping.get(g, EMPTY) for g in named_graphs if g != DEFAULT_GRAPH]
            ) or [EMPTY]
            if form in ("CONSTRUCT", "DESCRIBE"):
                rename = {at: g for g, at in moved.items()}
                return _triples_result(
                    pyoxigraph.Triple(*(NamedNode(rename.get(t.value, t.value)) if isinstance(t, NamedNode)
                                        else t for t in (tr.subject, tr.predicate, tr.object)))
                    for tr in self._client.construct(sent, defaults, named)
                )  # fmt: skip
            rename = {at: g for g, at in moved.items() if g != DEFAULT_GRAPH}
            return self._client.select(sent, defaults, named, ask=form == "ASK", rename=rename)

        return self._run(ask)

    def graph_names(self) -> set[str]:
        return set(self._mapping()) - {DEFAULT_GRAPH}

    def has_graph(self, graph: str) -> bool:
        return graph == DEFAULT_GRAPH or graph in self._mapping()

    def _triples(self, graph: str) -> list[pyoxigraph.Triple]:
        def ask(mapping: Mapping_) -> list[pyoxigraph.Triple]:
            at = mapping.get(graph)
            if at is None:
                return []
            text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
            return list(self._client.construct(text, [at], [EMPTY]))

        return self._run(ask)

    def quads(self, graph: str) -> Iterator[Quad]:
        name = graph_node(graph)
        return iter([Quad(t.subject, t.predicate, t.object, name) for t in self._triples(graph)])

    def records(self) -> dict[str, GraphRecord]:
        return read_records(self.query)


class RemoteView(_Reader):
    """One generation of the remote store (see :class:`coopgraph.store.protocol.ReadView`)."""

    def __init__(self, store: RemoteStore, generation: str, mapping: Mapping_, seen: str) -> None:
        self._store = store
        self._client = store._client
        self.generation = generation
        self._graphs = mapping
        self._seen = seen  # the published generation when the mapping was read
        self._lock = threading.Lock()
        self._hold: Hold | None = None  # taken by the store for the view it hands out

    def derived_file(self, name: str) -> Path:
        """A local file for data computed from this generation (see ``ReadView.derived_file``)."""
        return self._store._derived.path(self.generation, name)

    def release(self) -> None:
        if self._hold is not None:
            self._hold.release()
            self._hold = None

    def _mapping(self) -> Mapping_:
        return self._graphs

    def _run(self, ask: Callable[[Mapping_], Any]) -> Any:
        """Ask, then check that nothing was published meanwhile; else ask again where this generation's
        graphs are now."""
        for _ in range(10):
            with self._lock:
                mapping, seen = self._graphs, self._seen
            answer = ask(mapping)
            current = self._store._stamp()
            if current == seen:
                return answer
            with self._lock:
                self._graphs = self._store._read_mapping(self.generation)
                self._seen = current
        raise RemoteError("the remote store kept publishing while a view read it")

    def dump(
        self,
        output: IO[bytes],
        format: RdfFormat,
        graph: str | None = None,
        *,
        prefixes: Mapping[str, str] | None = iris.PREFIXES,
    ) -> None:
        if graph is not None:
            pyoxigraph.serialize(self._triples(graph), output, format=format, prefixes=prefixes)
        elif format.supports_datasets:
            quads = itertools.chain.from_iterable(self.quads(g) for g in sorted(self._graphs))
            pyoxigraph.serialize(quads, output, format=format, prefixes=prefixes)
        else:
            raise ValueError(f"{format.name} holds one graph; name a graph or choose N-Quads or TriG")


class RemoteTransaction(_Reader):
    """Changes kept in version graphs until published (see
    :class:`coopgraph.store.protocol.StoreTransaction`)."""

    def __init__(self, store: RemoteStore, before: RemoteView, replace: frozenset[str], iri: str) -> None:
        self._store = store
        self._client = store._client
        self._before = before
        self._replace = replace
        self._graphs: Mapping_ = dict(before._graphs)
        self.staged: dict[str, str] = {}  # store graph -> its copy
        self.touched: set[str] = set()  # graphs changed, dropped or created
        self.iri = iri
        self.discarded = False

    def _mapping(self) -> Mapping_:
        return self._graphs

    def discard(self) -> None:
        self.discarded = True

    def describe_change(self, note: ChangeNote) -> None:
        """A remote store keeps no history (the SPARQL server holds the data): the note is dropped."""

    def will_load(self, graph: str, path: Path, format: RdfFormat, base_iri: str | None) -> None:
        """No history here: nothing to read the file for."""

    def will_add(self, graph: str) -> None:
        """No history here: nothing to keep."""

    def loaded_from(self, graph: str, source: LoadedFile) -> None:
        """No history here either: nothing to write from the file."""

    def query_before(self, sparql: str, default_graph: list[str] | None = None) -> Any:
        """Query the state this transaction started from (the published graphs: nobody else writes)."""
        return self._before.query(sparql, default_graph=default_graph)

    # ------------------------------------------------------------------ copies
    def _stage(self, graph: str, copy: bool = True) -> str:
        """The copy of ``graph`` this transaction writes, made on first use (empty if ``copy`` is false,
        if the graph does not exist, or if the transaction said it replaces it)."""
        if graph in self.staged:
            return self.staged[graph]
        at = _new_version()
        source = self._graphs.get(graph)
        ops = [f"INSERT DATA {{ GRAPH <{CONTROL}> {{ {self.iri} {_STAGING} <{at}> }} }}"]
        if copy and source is not None and graph not in self._replace:
            ops.append(f"ADD SILENT GRAPH <{source}> TO GRAPH <{at}>")
        self._client.update(" ;\n".join(ops))
        self.staged[graph] = self._graphs[graph] = at
        self.touched.add(graph)
        return at

    # ------------------------------------------------------------------ writing
    def load(
        self,
        data: IO[bytes] | bytes | Path,
        format: RdfFormat,
        graph: str,
        base_iri: str | None = None,
        bulk: bool = True,
    ) -> None:
        """Parse here (SyntaxError with line and column, as in the embedded store), send as one N-Triples
        document to the Graph Store endpoint: its blank nodes stay one set."""
        at = self._stage(graph)
        if isinstance(data, Path):
            parsed = pyoxigraph.parse(path=str(data), format=format, base_iri=base_iri)
        else:
            parsed = pyoxigraph.parse(data, format=format, base_iri=base_iri)
        # Spooled to a file first: the whole document is parsed (and any syntax error raised) before anything
        # is sent, and it goes with its length (Virtuoso answers 201 to a chunked body and stores nothing).
        with tempfile.TemporaryFile(dir=self._store._spool()) as spool:
            for block in _ntriples_blocks(parsed):
                spool.write(block)
            size = spool.tell()
            spool.seek(0)
            self._client.post_graph(at, spool, size)

    def add(self, quads: Iterable[Quad]) -> None:
        for block in _batched(quads, CHUNK):
            graphs: dict[str, list[str]] = {}
            for q in block:
                name = DEFAULT_GRAPH if isinstance(q.graph_name, DefaultGraph) else q.graph_name.value
                graphs.setdefault(name, []).append(f"{q.subject} {q.predicate} {q.object} .")
            body = " ".join(f"GRAPH <{self._stage(g)}> {{ {' '.join(ts)} }}" for g, ts in graphs.items())
            # a template, not INSERT DATA: Virtuoso refuses blank nodes in INSERT DATA
            self._client.update(f"INSERT {{ {body} }} WHERE {{}}")

    def add_graph(self, graph: str) -> None:
        if graph not in self._graphs:
            self._stage(graph, copy=False)

    def drop_graph(self, graph: str) -> None:
        if graph == DEFAULT_GRAPH:
            if graph in self.staged:
                self._client.update(f"DROP SILENT GRAPH <{self.staged.pop(graph)}>")
            self._stage(graph, copy=False)
            return
        if graph not in self._graphs:
            return
        if graph in self.staged:
            self._client.update(f"DROP SILENT GRAPH <{self.staged.pop(graph)}>")
        del self._graphs[graph]
        self.touched.add(graph)

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Apply a SPARQL Update to the copies (see the module's docstring for what is rewritten)."""
        try:
            info = scan_update(sparql, base_iri=base_iri)
        except ScanError as e:
            raise SyntaxError(str(e)) from None
        if info.loads or info.services:
            raise ValueError("LOAD and SERVICE are not run on a remote store")
        _EMPTY_STORE.update(sparql, base_iri=base_iri)  # syntax, as the embedded store reads it
        written = set(info.graphs_written)
        everything = bool(written & {"ALL", "NAMED"}) or any(g.startswith("?") for g in written)
        for graph in sorted(self._graphs) if everything else sorted(written):
            self._stage(DEFAULT_GRAPH if graph == "DEFAULT" else graph)
        if written & {"DEFAULT"} or everything:
            self._stage(DEFAULT_GRAPH)
        text = f"BASE <{base_iri}>\n{sparql}" if base_iri else sparql
        named = [at for g, at in sorted(self._graphs.items()) if g != DEFAULT_GRAPH]
        moved = {g: at for g, at in self._graphs.items() if at != _real(g)}
        plan = route_update(text, moved.get, self._graphs[DEFAULT_GRAPH], named or [EMPTY])
        self._client.update(plan.text)
        for graph in plan.dropped:
            self.staged.pop(graph, None)
            self._graphs.pop(graph, None)

    def count(self, graph: str) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[graph])
        return int(next(iter(rows))["n"].value)

    def write_records(self, records: Iterable[GraphRecord]) -> None:
        """Replace the whole catalogue with these records."""
        self.drop_graph(iris.CATALOG_GRAPH)
        self.add(catalog_quads(records))

    # ------------------------------------------------------------------ publishing
    def publish_request(self, generation: str, published: str) -> str:
        """The one update that publishes this transaction as ``generation`` (the published one before it
        is ``published``). Every operation applies only while this transaction holds the store's fence
        (:meth:`RemoteStore.transaction`): the request of a killed writer that reaches the server after
        another writer started changes nothing."""
        held = f"GRAPH <{CONTROL}> {{ {STATE} {_HOLDER} {self.iri} }}"
        ops: list[str] = []

        def move(source: str, target: str) -> None:  # target is empty: a new version, or a moved graph
            ops.append(
                f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} "
                f"WHERE {{ {held} GRAPH <{source}> {{ ?s ?p ?o }} }}"
            )
            ops.append(
                f"DELETE {{ GRAPH <{source}> {{ ?s ?p ?o }} }} "
                f"WHERE {{ {held} GRAPH <{source}> {{ ?s ?p ?o }} }}"
            )

        for graph in sorted(self.touched | set(self.staged)):
            real = _real(graph)
            if graph in self._before._graphs:
                kept = _new_version()
                move(real, kept)
                ops.append(
                    f"DELETE {{ GRAPH <{CONTROL}> {{ ?e {_AT} <{real}> }} }} "
                    f"INSERT {{ GRAPH <{CONTROL}> {{ ?e {_AT} <{kept}> }} }} "
                    f"WHERE {{ {held} GRAPH <{CONTROL}> {{ ?e {_AT} <{real}> }} }}"
                )
            if graph in self.staged:
                move(self.staged[graph], real)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        entries = " ".join(_entry(generation, g, _real(g)) for g in sorted(self._graphs))
        ops.append(
            f"INSERT {{ GRAPH <{CONTROL}> {{ {entries} "
            f'{_gen_iri(published)} {_SUPERSEDED} "{now}"^^<http://www.w3.org/2001/XMLSchema#dateTime> }} }} '
            f"WHERE {{ {held} }}"
        )
        ops.append(
            f"DELETE {{ GRAPH <{CONTROL}> {{ {STATE} {_GEN} ?published }} }} "
            f'INSERT {{ GRAPH <{CONTROL}> {{ {STATE} {_GEN} "{generation}" }} }} '
            f"WHERE {{ {held} GRAPH <{CONTROL}> {{ {STATE} {_GEN} ?published }} }}"
        )
        ops.append(
            f"DELETE {{ GRAPH <{CONTROL}> {{ {self.iri} ?p ?o }} }} "
            f"WHERE {{ {held} GRAPH <{CONTROL}> {{ {self.iri} ?p ?o }} }}"
        )
        ops.extend(f"DROP SILENT GRAPH <{at}>" for at in self.staged.values())  # emptied above
        return " ;\n".join(ops)


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while block := list(itertools.islice(iterator, size)):
        yield block


def _ntriples_blocks(parsed: Iterable[Any]) -> Iterator[bytes]:
    for block in _batched(parsed, CHUNK):
        triples = [pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in block]
        yield pyoxigraph.serialize(triples, format=RdfFormat.N_TRIPLES) or b""


class RemoteStore:
    """The project's store on a SPARQL server (see the module's docstring)."""

    def __init__(
        self,
        endpoints: Endpoints,
        root: Path,
        *,
        create: bool = True,
        timeout: float = 30.0,
        write_timeout: float = 600.0,
        keep_seconds: float = KEEP_SECONDS,
    ) -> None:
        #: Local files: the write lock, quarantined batches, uploads being validated.
        self.root = Path(root)
        self.keep_seconds = keep_seconds
        self._client = SparqlClient(endpoints, timeout, write_timeout)
        self._locks = Generations(self.root)
        self._derived = DerivedFiles(self.root)
        self._view: RemoteView | None = None
        if self._published() is None:
            if not create:
                raise StoreMissing(f"{self!r}: no coopgraph store on this server; load data first")
            with self._locks.write_lock():
                if self._published() is None:
                    entry = _entry("g00000001", DEFAULT_GRAPH, DEFAULT_IRI)
                    self._client.update(
                        f'INSERT DATA {{ GRAPH <{CONTROL}> {{ {STATE} {_GEN} "g00000001" . {entry} }} }}'
                    )
        with contextlib.suppress(Exception), self._locks.write_lock(wait=0):
            self._recover()  # only when no writer runs: its copies are then leftovers

    def _spool(self) -> Path:
        """A local folder for documents on their way to the server."""
        folder = self.root / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def __repr__(self) -> str:
        return f"RemoteStore({self._client.endpoints.query!r})"

    # ------------------------------------------------------------------ the control graph
    def _select(self, text: str) -> list[Any]:
        return list(self._client.select(text, [EMPTY], [CONTROL]))

    def _published(self) -> str | None:
        rows = self._select(f"SELECT ?g WHERE {{ GRAPH <{CONTROL}> {{ {STATE} {_GEN} ?g }} }}")
        return rows[0]["g"].value if rows else None

    def _stamp(self) -> str:
        """Changes whenever a generation is published or versions are collected."""
        rows = self._select(
            f"SELECT ?g ?c WHERE {{ GRAPH <{CONTROL}> {{ {STATE} {_GEN} ?g "
            f"OPTIONAL {{ {STATE} {_COLLECTED} ?c }} }} }}"
        )
        if not rows:
            raise StoreMissing(f"{self!r}: the store's control graph is gone")
        collected = rows[0]["c"]
        return rows[0]["g"].value + ("/" + collected.value if collected is not None else "")

    def _read_mapping(self, generation: str) -> Mapping_:
        rows = self._select(
            f"SELECT ?name ?at WHERE {{ GRAPH <{CONTROL}> {{ ?e {_OF} {_gen_iri(generation)} ; "
            f"{_NAME} ?name ; {_AT} ?at }} }}"
        )
        if not rows:
            raise StoreMissing(f"{self!r}: generation {generation} was collected; take a new view")
        return {_logical(r["name"].value): r["at"].value for r in rows}

    def _fence(self, iri: str) -> None:
        """Make ``iri`` the holder of the store: from then on, the publishing request of any other
        transaction (a killed writer's, still on its way) changes nothing."""
        self._client.update(
            f"DELETE WHERE {{ GRAPH <{CONTROL}> {{ {STATE} {_HOLDER} ?holder }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{CONTROL}> {{ {STATE} {_HOLDER} {iri} }} }}"
        )

    def _recover(self, fence: str | None = None) -> list[str]:
        """Drop the copies of transactions that never published (call under the write lock).

        A killed writer's last request may still be running on the server, and write into a copy after
        it was dropped: the transaction's record is kept (and its copies dropped again at each recovery)
        until ``write_timeout`` after it was first found abandoned. The copies are dropped only once the
        store is fenced (``fence``: the holder already set; None: take it now, if there is anything to
        recover): a killed writer's publishing request that arrives later must not publish dropped copies.
        """
        rows = self._select(
            f"SELECT ?tx ?at ?since WHERE {{ GRAPH <{CONTROL}> {{ {{ ?tx {_STAGING} ?at "
            f"OPTIONAL {{ ?tx {_ABANDONED} ?since }} }} UNION {{ ?tx {_ABANDONED} ?since }} }} }}"
        )
        if not rows:
            return []
        if fence is None:
            fence = f"<{NS}tx/{uuid.uuid4().hex}>"
            self._fence(fence)
            return self._recover(fence)  # read again: a late request may have published meanwhile
        ops = [f"DROP SILENT GRAPH <{r['at'].value}>" for r in rows if r["at"] is not None]
        now = time.time()
        for tx in sorted({r["tx"].value for r in rows}):
            since = next((r["since"] for r in rows if r["tx"].value == tx and r["since"] is not None), None)
            if since is None:
                ops.append(f'INSERT DATA {{ GRAPH <{CONTROL}> {{ <{tx}> {_ABANDONED} "{now}" }} }}')
            elif now - float(since.value) > self._client.write_timeout:
                ops.append(f"DELETE WHERE {{ GRAPH <{CONTROL}> {{ <{tx}> ?p ?o }} }}")
        self._client.update(" ;\n".join(ops))
        return [r["at"].value for r in rows if r["at"] is not None]

    # ------------------------------------------------------------------ reading
    def view(self) -> RemoteView:
        """The published generation; its list of graphs is read again only when it changed."""
        current = self._published()
        if current is None:
            raise StoreMissing(f"{self!r}: the store's control graph is gone")
        if self._view is None or self._view.generation != current:
            stamp = self._stamp()
            view = RemoteView(self, current, self._read_mapping(current), stamp)
            view._hold = self._derived.hold(current)
            if self._view is not None:
                self._view.release()
            self._view = view
        return self._view

    @property
    def generation(self) -> str:
        return self.view().generation

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
        base_iri: str | None = None,
    ) -> Any:
        return self.view().query(
            sparql,
            default_graph=default_graph,
            named_graphs=named_graphs,
            substitutions=substitutions,
            base_iri=base_iri,
        )

    def graph_names(self) -> set[str]:
        return self.view().graph_names()

    def records(self) -> dict[str, GraphRecord]:
        return self.view().records()

    def dump(
        self,
        output: IO[bytes],
        format: RdfFormat,
        graph: str | None = None,
        *,
        prefixes: Mapping[str, str] | None = iris.PREFIXES,
    ) -> None:
        self.view().dump(output, format, graph, prefixes=prefixes)

    def _drop_view(self) -> None:
        """Let go of the view handed out: the next one is read afresh."""
        if self._view is not None:
            self._view.release()
        self._view = None

    def close(self) -> None:
        self._drop_view()
        self._client.close()

    # ------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def transaction(
        self,
        *,
        replace: Iterable[str] = (),
        wait: float | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> Iterator[RemoteTransaction]:
        """Change copies of the graphs; publish them in one update if the block ends normally."""
        with self._locks.write_lock(wait=wait, on_wait=on_wait):
            tx_iri = f"<{NS}tx/{uuid.uuid4().hex}>"
            self._fence(tx_iri)
            self._recover(tx_iri)
            self._drop_view()
            before = self.view()
            tx = RemoteTransaction(self, before, frozenset(replace), tx_iri)
            try:
                yield tx
            except BaseException:
                self._abandon(tx)
                raise
            if tx.discarded:
                self._abandon(tx)
                return
            published = before.generation
            self._client.update(tx.publish_request(_next(published), published))
            self._drop_view()
            if self._published() != _next(published):
                raise RemoteError(
                    f"{self!r}: another writer took the store while this transaction ran; "
                    "it published nothing"
                )

    def _abandon(self, tx: RemoteTransaction) -> None:
        ops = [f"DROP SILENT GRAPH <{at}>" for at in tx.staged.values()]
        ops.append(f"DELETE WHERE {{ GRAPH <{CONTROL}> {{ {tx.iri} ?p ?o }} }}")
        with contextlib.suppress(RemoteError):  # else the next writer's recovery drops them
            self._client.update(" ;\n".join(ops))

    def compact(self, wait: float | None = None) -> bool:
        """The server lays out its own data; this publishes the same state as a new generation, marked,
        unless the published one already is (so that callers that compact after loading see one)."""
        marked = f"ASK {{ GRAPH <{CONTROL}> {{ {_gen_iri(self.generation)} {_COMPACTED} true }} }}"
        if bool(self._client.select(marked, [EMPTY], [CONTROL], ask=True)):
            return False
        with self.transaction(wait=wait):
            pass
        mark = f"{_gen_iri(self.generation)} {_COMPACTED} true"
        self._client.update(f"INSERT DATA {{ GRAPH <{CONTROL}> {{ {mark} }} }}")
        return True

    def compact_later(self) -> None:
        """The server lays out its own data: nothing to do."""

    def release_stale(self) -> bool:
        """A view holds only this machine's derived files, and moves on at the next read."""
        return False

    def collect(self) -> list[str]:
        """Drop the versions replaced more than ``keep_seconds`` ago, and the generations that read them;
        their names. Skipped (nothing collected) while a writer runs. Also removes the local files derived
        from generations no view holds."""
        published = self._published()
        if published is not None:
            self._derived.collect(published)
        try:
            with self._locks.write_lock(wait=0):
                return self._collect()
        except Exception:  # busy: the writer's own collect will do it
            return []

    def _collect(self) -> list[str]:
        rows = self._select(f"SELECT ?gen ?t WHERE {{ GRAPH <{CONTROL}> {{ ?gen {_SUPERSEDED} ?t }} }}")
        limit = time.time() - self.keep_seconds
        old = {r["gen"].value for r in rows if datetime.fromisoformat(r["t"].value).timestamp() <= limit}
        if not old:
            return []
        rows = self._select(f"SELECT ?gen ?at WHERE {{ GRAPH <{CONTROL}> {{ ?e {_OF} ?gen ; {_AT} ?at }} }}")
        still_read = {r["at"].value for r in rows if r["gen"].value not in old}
        dropped = {r["at"].value for r in rows if r["gen"].value in old} - still_read
        ops = [f"DROP SILENT GRAPH <{at}>" for at in sorted(dropped) if at.startswith(VERSION)]
        for gen in sorted(old):
            ops.append(f"DELETE WHERE {{ GRAPH <{CONTROL}> {{ ?e {_OF} <{gen}> ; ?p ?o }} }}")
            ops.append(f"DELETE WHERE {{ GRAPH <{CONTROL}> {{ <{gen}> ?p ?o }} }}")
        # the views still reading a collected generation see this change, and find it gone
        ops.append(f"DELETE WHERE {{ GRAPH <{CONTROL}> {{ {STATE} {_COLLECTED} ?c }} }}")
        ops.append(f'INSERT DATA {{ GRAPH <{CONTROL}> {{ {STATE} {_COLLECTED} "{uuid.uuid4().hex}" }} }}')
        self._client.update(" ;\n".join(ops))
        return sorted(g.rsplit("/", 1)[-1] for g in old)


def _next(generation: str) -> str:
    return f"g{int(generation[1:]) + 1:08d}"

"""The embedded store: Oxigraph generations on disk (see :mod:`coopgraph.store.generations`).

The first implementation of :mod:`coopgraph.store.protocol`; the Oxigraph stores it opens stay inside it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import pyoxigraph
from pyoxigraph import NamedNode, Quad, RdfFormat

from coopgraph import iris
from coopgraph.sparql_text import scan_update
from coopgraph.store import compaction
from coopgraph.store.catalog import GraphRecord, catalog_quads, read_records
from coopgraph.store.copying import copy_graphs
from coopgraph.store.generations import Generations, Lease
from coopgraph.store.history import History, Version, graph_delta
from coopgraph.store.input_delta import AddedQuads, FileRead
from coopgraph.store.protocol import (
    DEFAULT_GRAPH,
    ChangeNote,
    LoadedFile,
    StoreBusy,
    StoreMissing,
    Term,
    graph_node,
)

__all__ = ["DEFAULT_GRAPH", "LocalStore", "LocalView", "Transaction", "graph_node"]


def _query(
    store: pyoxigraph.Store,
    sparql: str,
    default_graph: list[str] | None,
    named_graphs: list[str] | None,
    substitutions: Mapping[str, Term] | None,
    base_iri: str | None,
) -> Any:
    kwargs: dict[str, Any] = {}
    if default_graph is None:
        kwargs["use_default_graph_as_union"] = True
    else:  # DEFAULT_GRAPH names the store's own default graph; an empty list is an empty graph
        kwargs["default_graph"] = [
            pyoxigraph.DefaultGraph() if g == DEFAULT_GRAPH else NamedNode(g) for g in default_graph
        ]
    if named_graphs is not None:
        kwargs["named_graphs"] = [NamedNode(g) for g in named_graphs]
    if substitutions:
        kwargs["substitutions"] = {pyoxigraph.Variable(k): v for k, v in substitutions.items()}
    return store.query(sparql, base_iri=base_iri, **kwargs)


#: Deleting a quad costs Oxigraph about three times what bulk-loading one does; when the graphs a
#: transaction replaces hold more than this share of the store, it starts from an empty generation
#: and copies the other graphs instead of copying everything and deleting.
REBUILD_SHARE = 0.25
#: Seconds without a write before :meth:`LocalStore.compact_later` rebuilds the store.
COMPACT_QUIET = 1.0


#: Quads taken at a time by :meth:`Transaction._touching` (the statements of new graphs kept in gzip).
_ADDED_BATCH = 10_000


def _file_stamp(path: Path) -> tuple[int, int]:
    try:
        found = path.stat()
    except OSError:
        return (-1, -1)
    return (found.st_size, found.st_mtime_ns)


class _Reader:
    """The reading verbs of a view and a transaction, on the Oxigraph store ``_store``."""

    lateral = True
    #: The folder where what is compiled from the store's content is kept, keyed by that content (the
    #: compiled shapes: see :mod:`ingest.shacl.cache`).
    compiled_cache: Path | None = None

    _store: pyoxigraph.Store

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
        base_iri: str | None = None,
    ) -> Any:
        """Evaluate a SPARQL query; the default graph is the union of the named graphs unless given."""
        return _query(self._store, sparql, default_graph, named_graphs, substitutions, base_iri)

    def graph_names(self) -> set[str]:
        return {g.value for g in self._store.named_graphs()}

    def has_graph(self, graph: str) -> bool:
        return graph == DEFAULT_GRAPH or self._store.contains_named_graph(NamedNode(graph))

    def quads(self, graph: str) -> Iterator[Quad]:
        return self._store.quads_for_pattern(None, None, None, graph_node(graph))

    def records(self) -> dict[str, GraphRecord]:
        return read_records(self.query)


class LocalView(_Reader):
    """One published generation, opened read-only (see :class:`coopgraph.store.protocol.ReadView`)."""

    def __init__(self, store: pyoxigraph.Store, generation: str, derived: Path) -> None:
        self._store = store
        self.generation = generation
        self._derived = derived

    def derived_file(self, name: str) -> Path:
        self._derived.mkdir(exist_ok=True)
        return self._derived / name

    def dump(
        self,
        output: IO[bytes],
        format: RdfFormat,
        graph: str | None = None,
        *,
        prefixes: Mapping[str, str] | None = iris.PREFIXES,
    ) -> None:
        if graph is not None:
            self._store.dump(output, format=format, from_graph=graph_node(graph), prefixes=prefixes)
        elif format.supports_datasets:
            self._store.dump(output, format=format, prefixes=prefixes)
        else:
            raise ValueError(f"{format.name} holds one graph; name a graph or choose N-Quads or TriG")


class Transaction(_Reader):
    """Changes to a private copy of the store, published whole by :meth:`LocalStore.transaction`
    (see :class:`coopgraph.store.protocol.StoreTransaction`)."""

    def __init__(
        self, store: pyoxigraph.Store, before: Callable[[], pyoxigraph.Store | None], path: Path
    ) -> None:
        self._store = store
        self._before = before
        #: The generation this transaction writes (published whole at the end).
        self.path = path
        #: Set by :meth:`discard`: the copy is thrown away when the block ends.
        self.discarded = False
        #: The graphs this transaction may have changed (None: any), compared for its version's delta.
        self.touched: set[str] | None = set()
        self.note: ChangeNote | None = None
        #: Loads and additions into each graph since it was last emptied, and the graphs one load of a
        #: file made (with the file's size and time then), written to the version from the file.
        self._writes: dict[str, int] = {}
        self._inputs: dict[str, tuple[LoadedFile, tuple[int, int]]] = {}
        #: Reads of the files being loaded, begun before the load (with the file's size and time then).
        self._reads: dict[str, tuple[FileRead, tuple[int, int]]] = {}
        #: The graphs :meth:`will_add` announced, and the statements of the one addition into each of them
        #: (new to the store), until the next write into it.
        self._announced: set[str] = set()
        self._added: dict[str, AddedQuads] = {}

    def discard(self) -> None:
        self.discarded = True

    def describe_change(self, note: ChangeNote) -> None:
        self.note = note

    def _touch(self, graph: str) -> None:
        if self.touched is not None:
            self.touched.add(graph)
        if self._inputs and self._inputs.pop(graph, None) is not None:
            self._stop_read(graph)  # written again after the load: the read is of no use
        if self._added:
            self._added.pop(graph, None)

    def _wrote(self, graphs: Iterable[str]) -> None:
        for graph in graphs:
            self._writes[graph] = self._writes.get(graph, 0) + 1

    def _touching(self, quads: Iterable[Quad], seen: set[str]) -> Iterator[Quad]:
        """The quads, each graph they write touched when first seen; those of a graph new to the store
        and not written before in this transaction, if announced, kept for its version (:class:`AddedQuads`,
        a batch at a time)."""
        kept: dict[str, list[Quad]] = {}
        for quad in quads:
            g = quad.graph_name
            name = g.value if isinstance(g, NamedNode) else DEFAULT_GRAPH
            if name not in seen:
                self._touch(name)
                seen.add(name)
                if name in self._announced:  # for this addition only
                    self._announced.discard(name)
                    if self._writes.get(name, 0) == 0 and not self._held_before(name):
                        self._added[name] = AddedQuads()
                        kept[name] = []
            if kept and (batch := kept.get(name)) is not None:
                batch.append(quad)
                if len(batch) >= _ADDED_BATCH:
                    self._added[name].take(batch)
                    kept[name] = []
            yield quad
        for name, batch in kept.items():
            self._added[name].take(batch)

    def will_add(self, graph: str) -> None:
        """Keep the statements of the next addition into ``graph`` for its version, if it is new (a
        table: a Python step per statement, cheaper than reading the graph back; not asked for a dataset
        file, whose delta is written from the file at less cost than its load pays here)."""
        self._announced.add(graph)

    def _held_before(self, graph: str) -> bool:
        before = self._before()
        return before is not None and (
            graph == DEFAULT_GRAPH or before.contains_named_graph(NamedNode(graph))
        )

    def added(self) -> dict[str, tuple[bytes, int]]:
        """The graphs one addition made, with its statements (:meth:`_touching`) as gzipped N-Quads and
        their count, where the graph holds as many (a duplicate: read back)."""
        found: dict[str, tuple[bytes, int]] = {}
        for graph, recorder in self._added.items():
            if self._writes.get(graph) == 1 and (written := recorder.result(self.count(graph))) is not None:
                found[graph] = written
        return found

    def will_load(self, graph: str, path: Path, format: RdfFormat, base_iri: str | None) -> None:
        """Begin reading the file for the version's delta, on a thread of its own during the load."""
        self._stop_read(graph)
        self._reads[graph] = (FileRead(graph, path, format, base_iri).start(), _file_stamp(path))

    def loaded_from(self, graph: str, source: LoadedFile) -> None:
        """Kept only if the one write into ``graph`` since it was emptied was this load, and until the
        next write into it (see :mod:`coopgraph.store.input_delta`); a read begun by :meth:`will_load`
        is kept with it if it read the same file, unchanged since."""
        read = self._reads.get(graph)
        stamp = _file_stamp(source.path)
        if read is not None and not (read[0].of(source) and read[1] == stamp):
            self._stop_read(graph)
            if read[0].of(source):  # the file changed while it was loaded: read the graph back
                return
        if self._writes.get(graph) == 1:
            self._inputs[graph] = (source, stamp)
        else:
            self._stop_read(graph)

    def inputs(self) -> dict[str, LoadedFile]:
        """The graphs whose version's delta may be written from their file (unchanged since)."""
        return {g: source for g, (source, stamp) in self._inputs.items() if _file_stamp(source.path) == stamp}

    def reads(self) -> dict[str, FileRead]:
        """The reads begun by :meth:`will_load` of the files :meth:`inputs` names."""
        return {g: read for g, (read, _) in self._reads.items() if g in self._inputs}

    def _stop_read(self, graph: str) -> None:
        read = self._reads.pop(graph, None)
        if read is not None:
            read[0].stop()

    def stop_reads(self) -> None:
        """Stop the reads not used (the transaction has ended)."""
        for graph in list(self._reads):
            self._stop_read(graph)

    def query_before(self, sparql: str, default_graph: list[str] | None = None) -> Any:
        """Query the state before this transaction (no results when the store was empty)."""
        before = self._before()
        return [] if before is None else _query(before, sparql, default_graph, None, None, None)

    def load(
        self,
        data: IO[bytes] | bytes | Path,
        format: RdfFormat,
        graph: str,
        base_iri: str | None = None,
        bulk: bool = True,
    ) -> None:
        """Load RDF into ``graph`` (``bulk``: with the bulk loader, for large inputs); a syntax error raises
        :class:`SyntaxError` with line and column."""
        self._touch(graph)
        self._wrote([graph])
        to_graph = graph_node(graph)
        load = self._store.bulk_load if bulk else self._store.load
        if isinstance(data, Path):
            load(path=str(data), format=format, base_iri=base_iri, to_graph=to_graph)
        else:
            load(data, format=format, base_iri=base_iri, to_graph=to_graph)

    def add(self, quads: Iterable[Quad]) -> None:
        seen: set[str] = set()
        self._store.bulk_extend(self._touching(quads, seen))
        self._wrote(seen)

    def add_graph(self, graph: str) -> None:
        self._touch(graph)
        if graph != DEFAULT_GRAPH:
            self._store.add_graph(NamedNode(graph))

    def drop_graph(self, graph: str) -> None:
        self._touch(graph)
        self._writes.pop(graph, None)
        if graph == DEFAULT_GRAPH:
            self._store.clear_graph(pyoxigraph.DefaultGraph())
            return
        g = NamedNode(graph)
        if self._store.contains_named_graph(g):
            self._store.remove_graph(g)

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        try:
            written = scan_update(sparql, base_iri=base_iri).graphs_written
        except (SyntaxError, ValueError):  # Oxigraph says why below; compare every graph all the same
            written = ["ALL"]
        if any(w in ("ALL", "NAMED") or w.startswith(("?", "$")) for w in written):
            self.touched = None
            self._inputs.clear()
            self._added.clear()
        for graph in written:
            self._touch(graph)
        self._wrote(written)
        self._store.update(sparql, base_iri=base_iri)

    def count(self, graph: str) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[graph])
        return int(next(iter(rows))["n"].value)

    def write_records(self, records: Iterable[GraphRecord]) -> None:
        """Replace the whole catalogue with these records."""
        self.drop_graph(iris.CATALOG_GRAPH)  # marks the catalogue touched
        self._store.extend(list(catalog_quads(records)))


class LocalStore:
    """The project's store on an embedded Oxigraph directory.

    Reads go to the published generation, reopened when a writer publishes a new one;
    writes go through :meth:`transaction`.
    """

    def __init__(self, root: Path, *, create: bool = True) -> None:
        self.root = Path(root)
        self.generations = Generations(self.root)
        self.history = History(self.root)
        self._lease: Lease | None = None
        self._view: LocalView | None = None
        self._stamp: tuple[int, int] | None = None
        self._compactor: compaction.BackgroundCompactor | None = None
        if self.generations.current() is None:
            if not create:
                raise StoreMissing(
                    f"{self.root}: no coopgraph store here; load data with 'coopgraph ingest' first"
                )
            with self.generations.write_lock():
                if self.generations.current() is None:
                    name, path = self.generations.begin()
                    empty = pyoxigraph.Store(str(path))
                    empty.flush()
                    del empty
                    self.generations.publish(name)
        self._remove_unfinished()

    def _remove_unfinished(self) -> None:
        """Remove generations a killed writer left half-written (they can be large), unless a writer is
        at work now; old generations no reader holds go too."""
        with contextlib.suppress(StoreBusy, OSError), self.generations.write_lock(wait=0):
            self.generations.collect(keep_newer=False)
        with contextlib.suppress(OSError):
            compaction.remove_abandoned(self.generations)

    @property
    def compiled_cache(self) -> Path:
        """The store's folder for what is compiled from its content (the same for every generation)."""
        return self.root / "cache"

    # ------------------------------------------------------------------ reading
    @property
    def generation(self) -> str:
        return self.view().generation

    def view(self) -> LocalView:
        """The published generation, opened read-only; opened again only when it changed (one stat of
        ``CURRENT`` a call). The store holds the generation until a later call moves to a newer one."""
        stamp = self.generations.current_stamp()
        if self._view is None or stamp != self._stamp:
            self._close_view()
            self._lease = self.generations.lease()
            self._view = LocalView(
                pyoxigraph.Store.read_only(str(self._lease.path)),
                self._lease.name,
                self.generations.derived(self._lease.name),
            )
            self._view.compiled_cache = self.compiled_cache
            self._stamp = stamp
        return self._view

    def _close_view(self) -> None:
        self._view = None
        if self._lease is not None:
            self._lease.release()
            self._lease = None

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
        base_iri: str | None = None,
    ) -> Any:
        """Evaluate a SPARQL query; the default graph is the union of the named graphs unless given."""
        return _query(self.view()._store, sparql, default_graph, named_graphs, substitutions, base_iri)

    def records(self) -> dict[str, GraphRecord]:
        return self.view().records()

    def graph_names(self) -> set[str]:
        return self.view().graph_names()

    def dump(
        self,
        output: IO[bytes],
        format: RdfFormat,
        graph: str | None = None,
        *,
        prefixes: Mapping[str, str] | None = iris.PREFIXES,
    ) -> None:
        self.view().dump(output, format, graph, prefixes=prefixes)

    def close(self) -> None:
        self._close_view()

    # ------------------------------------------------------------------ writing
    def _published(self) -> pyoxigraph.Store:
        return self.view()._store

    def _rebuild_pays(self, replace: Iterable[str]) -> bool:
        replace = set(replace)
        if not replace:
            return False
        records = self.records()
        total = sum(r.triples for r in records.values())
        replaced = sum(r.triples for g, r in records.items() if g in replace)
        return total > 0 and replaced > REBUILD_SHARE * total

    @contextlib.contextmanager
    def transaction(
        self,
        *,
        replace: Iterable[str] = (),
        wait: float | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> Iterator[Transaction]:
        """Change a copy of the store; publish it if the block ends normally, discard it if it raises.

        ``replace`` names the graphs the transaction will drop or reload: the copy leaves them
        out when that is cheaper than deleting them afterwards.
        """
        gens = self.generations
        replace = frozenset(replace)
        with gens.write_lock(wait=wait, on_wait=on_wait):
            self.history.forget_unpublished(gens.current())
            rebuild = self._rebuild_pays(replace)
            name, path = gens.begin(self._published(), empty=rebuild)
            tx = Transaction(pyoxigraph.Store(str(path)), self._published, path)
            tx.compiled_cache = self.compiled_cache
            tx.touched = set(replace)
            version = None
            try:
                if rebuild:
                    copy_graphs(self._published(), tx._store, lambda g: g not in replace)
                yield tx
                if not tx.discarded:
                    tx._store.flush()
                    version = self._record_version(tx, name)
                tx.stop_reads()
            except BaseException:
                tx.stop_reads()
                tx._store = None  # type: ignore[assignment]  # closes the copy
                if version is not None:
                    self.history.discard(version)
                gens.discard(name)
                raise
            tx._store = None  # type: ignore[assignment]
            if tx.discarded:
                gens.discard(name)
            else:
                gens.publish(name)  # publishes the version too (see coopgraph.store.history)
                if version is not None:
                    self.history.prune(name)

    def _record_version(self, tx: Transaction, name: str) -> Version | None:
        """Write the version ``name`` will publish, if the transaction changed anything or says what it
        did (a compaction changes nothing and says nothing)."""
        delta = graph_delta(self._published(), tx._store, tx.touched, tx.inputs(), tx.reads(), tx.added())
        if not delta and tx.note is None:
            return None
        return self.history.record(name, self.generations.current(), tx.note, delta)

    def compact(self, wait: float | None = None) -> bool:
        """Publish a rebuilt copy of the store unless the current generation already is one (see
        :mod:`coopgraph.store.compaction`); the generation it replaces goes once no reader holds it."""
        done = compaction.compact_now(self.generations, wait=wait)
        if done:
            self.collect()
        return done

    def compact_later(self) -> None:
        """Compact in the background, a quiet moment after the last call (after each write)."""
        if self._compactor is None:
            self._compactor = compaction.BackgroundCompactor(self.generations, COMPACT_QUIET)
        self._compactor.poke()

    def release_stale(self) -> bool:
        """Let go of the generation this store reads if a newer one was published (call between reads,
        never while a view or a result is in use); the next read opens the current one."""
        if self._view is None or self.generations.current_stamp() == self._stamp:
            return False
        self._close_view()
        return True

    def collect(self) -> list[str]:
        """Remove generations no reader uses (publishing leaves that for later, off the write path); this
        store's own hold on an older one goes first."""
        self.release_stale()
        return self.generations.collect()

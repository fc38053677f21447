"""The store interface: what ingest, the server and the command line may ask of a store.

A store holds named graphs (and the store's own default graph, named :data:`DEFAULT_GRAPH`), plus a
catalogue of where each graph came from (:mod:`coopgraph.store.catalog`). It is read through a *view*
of its published state and changed only by *transactions*, which publish all their changes at once or
none of them. Graphs are named by IRI strings; terms, quads and query results are pyoxigraph's.
:func:`coopgraph.store.open_store` chooses the backend; the embedded Oxigraph store
(:class:`coopgraph.store.local.LocalStore`) is the first one.

Reading::

    store = open_store(settings)
    rows = store.query("SELECT ?s ?type WHERE { ?s a ?type }", substitutions={"type": NamedNode(iri)})
    view = store.view()                      # keep it for a request: every call sees one generation
    if view.has_graph(graph):
        view.dump(out, RdfFormat.TURTLE, graph)
    store.records()[graph].triples           # the catalogue record of a graph

Writing::

    with store.transaction(replace=[graph]) as tx:  # a copy; published when the block ends normally
        tx.drop_graph(graph)
        tx.load(path, RdfFormat.TURTLE, graph)
        tx.update("DELETE WHERE { GRAPH <g> { ?s <p> ?o } }")
        tx.query(ask)                        # the changed state
        tx.query_before(ask)                 # the state the transaction started from
        raise Rejected                       # any exception: nothing was changed

Queries take ``default_graph`` (graph names; None: the union of all graphs, the store's own default
graph included; an empty list: an empty graph; :data:`DEFAULT_GRAPH` names the store's own default graph),
``named_graphs`` (None: all), ``substitutions`` (variable name -> term, bound before evaluation; a SELECT
names the variable among its results) and ``base_iri``. A view and a transaction may be queried from
several threads at once (the validation gate does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat

from coopgraph import iris
from coopgraph.store.catalog import GraphRecord

#: A term a query variable may be bound to.
Term = NamedNode | BlankNode | Literal
#: In a ``default_graph`` list and as a graph name: the store's own default graph (what SPARQL Update
#: writes without GRAPH).
DEFAULT_GRAPH = "DEFAULT"


@dataclass(frozen=True)
class ChangeNote:
    """What a writer says about its change, kept with the version it makes (see
    :mod:`coopgraph.store.history`)."""

    #: ingest, update, put, post, delete, drop, revert, ...
    kind: str
    #: The name bound to the write token, or the command-line user (None: the user running the process).
    who: str | None = None
    message: str | None = None
    #: The validation gate's summary (conforms, counts by severity, focus nodes, seconds).
    validation: dict[str, Any] | None = None


@dataclass(frozen=True)
class LoadedFile:
    """The file a graph was loaded from, whole and alone: a store that keeps history writes the graph's
    delta from it instead of reading the graph back (see :mod:`coopgraph.store.input_delta`)."""

    path: Path
    #: The format it was read as, and the base IRI (the graphs of a dataset file go into the one graph).
    format: RdfFormat
    base_iri: str | None
    #: The triples the graph holds after the load.
    triples: int


class StoreBusy(RuntimeError):
    """Another writer holds the store for longer than we may wait."""


class StoreMissing(FileNotFoundError):
    """There is no store where one was expected, or it is damaged."""


def graph_node(graph: str) -> NamedNode | DefaultGraph:
    """The graph name of a quad for a graph named as the store names it."""
    return DefaultGraph() if graph == DEFAULT_GRAPH else NamedNode(graph)


@runtime_checkable
class GraphReader(Protocol):
    """What a read view and a transaction both answer."""

    #: Whether queries may use ``LATERAL`` (an extension of Oxigraph's, in the SPARQL 1.2 drafts), which the
    #: validation gate uses to run a SPARQL constraint for many focus nodes at once. A server without it
    #: gets the constraint as a plain join instead (docs/SCALE-OUT.md says what that costs).
    lateral: bool

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
        base_iri: str | None = None,
    ) -> Any:
        """Evaluate a SPARQL query (arguments: see the module's docstring): QuerySolutions, QueryBoolean or
        QueryTriples; SyntaxError if it is not valid SPARQL."""
        ...

    def graph_names(self) -> set[str]:
        """The named graphs (the catalogue's own graph included)."""
        ...

    def has_graph(self, graph: str) -> bool:
        """Whether the graph exists (the default graph always does)."""
        ...

    def quads(self, graph: str) -> Iterator[Quad]:
        """The quads of one graph."""
        ...

    def records(self) -> dict[str, GraphRecord]:
        """The catalogue: one record per graph loaded through ingest or a write."""
        ...


@runtime_checkable
class ReadView(GraphReader, Protocol):
    """The published state of the store, as one generation: a reader keeps it for a request."""

    @property
    def generation(self) -> str:
        """The name of the published state this view reads."""
        ...

    def dump(
        self,
        output: IO[bytes],
        format: RdfFormat,
        graph: str | None = None,
        *,
        prefixes: Mapping[str, str] | None = iris.PREFIXES,
    ) -> None:
        """Serialise one graph (as a graph, in any format), or the whole store (in a dataset format)."""
        ...

    def derived_file(self, name: str) -> Path:
        """Where to keep a file computed from this view's data (the search index, :mod:`coopgraph.search`).

        The path belongs to this published state alone, its folder exists, and the store removes it
        together with the state. The file is absent until someone writes it: write it under another name
        and rename it into place, so that a reader finds it whole or not at all.
        """
        ...


@runtime_checkable
class StoreTransaction(GraphReader, Protocol):
    """Changes to a private copy of the store; reads see them (the state before: :meth:`query_before`).

    Read query results and quads inside the transaction's block: in the embedded store they hold the copy
    open, and a copy still open when it is published may still be written to by the database.
    """

    def query_before(self, sparql: str, default_graph: list[str] | None = None) -> Any:
        """Query the state the transaction started from (no results when the store was empty)."""
        ...

    def load(
        self,
        data: IO[bytes] | bytes | Path,
        format: RdfFormat,
        graph: str,
        base_iri: str | None = None,
        bulk: bool = True,
    ) -> None:
        """Load RDF into ``graph`` (``bulk``: the loader for large inputs); bad syntax raises SyntaxError
        with line and column."""
        ...

    def add(self, quads: Iterable[Quad]) -> None:
        """Add quads (into the graphs they name)."""
        ...

    def add_graph(self, graph: str) -> None:
        """Create an empty named graph (no-op if it exists)."""
        ...

    def drop_graph(self, graph: str) -> None:
        """Remove a graph (the default graph: empty it); no-op if it does not exist."""
        ...

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Apply a SPARQL Update; SyntaxError if invalid, OSError or ValueError if it cannot be applied."""
        ...

    def count(self, graph: str) -> int:
        """The number of triples in a graph."""
        ...

    def write_records(self, records: Iterable[GraphRecord]) -> None:
        """Replace the whole catalogue with these records."""
        ...

    def discard(self) -> None:
        """Throw the changes away when the block ends, instead of publishing them (a dry run)."""
        ...

    def describe_change(self, note: ChangeNote) -> None:
        """Say what the change is: kept with the version it publishes (a store that keeps no history
        ignores it)."""
        ...

    def will_load(self, graph: str, path: Path, format: RdfFormat, base_iri: str | None) -> None:
        """Say that ``graph`` is about to be loaded from the file ``path`` (a store that keeps history may
        begin reading it for the version's delta while the load runs; :meth:`loaded_from` says whether
        the load was that file alone)."""
        ...

    def will_add(self, graph: str) -> None:
        """Say that the next :meth:`add` writes ``graph`` whole (a table): a store that keeps history may
        keep its statements for the version's delta as they pass."""
        ...

    def loaded_from(self, graph: str, source: LoadedFile) -> None:
        """Say that ``graph`` holds what one load of ``source`` put there and nothing else (a store that
        keeps no history ignores it)."""
        ...


@runtime_checkable
class Store(Protocol):
    """A store: read views of its published state, transactions that publish a new one."""

    #: A local directory for the store's own files (for the embedded store: its data; for any store:
    #: quarantined batches and uploads being validated).
    root: Path

    def view(self) -> ReadView:
        """The published state, opened again only when a writer has published a newer one."""
        ...

    @property
    def generation(self) -> str:
        """The name of the published state; it changes whenever a transaction publishes."""
        ...

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
        base_iri: str | None = None,
    ) -> Any:
        """``view().query(...)``."""
        ...

    def graph_names(self) -> set[str]:
        """``view().graph_names()``."""
        ...

    def records(self) -> dict[str, GraphRecord]:
        """``view().records()``."""
        ...

    def dump(
        self,
        output: IO[bytes],
        format: RdfFormat,
        graph: str | None = None,
        *,
        prefixes: Mapping[str, str] | None = iris.PREFIXES,
    ) -> None:
        """``view().dump(...)``."""
        ...

    def transaction(
        self,
        *,
        replace: Iterable[str] = (),
        wait: float | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> AbstractContextManager[StoreTransaction]:
        """Change a copy of the store; publish it if the block ends normally, discard it if it raises.

        ``replace`` names the graphs the block will drop or reload (a hint: the copy may leave them out).
        Transactions run one at a time; ``wait`` is how long to wait for another one to end (None: as
        long as it takes), after which :class:`StoreBusy` is raised; ``on_wait`` hears why it waits.
        """
        ...

    def compact(self, wait: float | None = None) -> bool:
        """Publish the same data laid out for reading (False: it already is); ``wait`` as for a
        transaction."""
        ...

    def compact_later(self) -> None:
        """Compact in the background a quiet moment after the last call (a writer calls it after each
        write); returns at once."""
        ...

    def release_stale(self) -> bool:
        """Let go of the published state this store reads if a newer one was published (call between
        reads); True if it did."""
        ...

    def collect(self) -> list[str]:
        """Remove published states no reader uses any more; their names."""
        ...

    def close(self) -> None:
        """Let go of the published state this store was reading."""
        ...

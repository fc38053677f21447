"""One ingest batch: load every changed source into a copy of the store, gate it, publish it whole."""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO

import pyoxigraph
from pyoxigraph import Quad

from coopgraph.formats import RdfFileFormat
from coopgraph.store import DEFAULT_GRAPH, ChangeNote, LoadedFile, Store, StoreTransaction, graph_node
from coopgraph.store.catalog import GraphRecord, activity_iri, build_record
from ingest import quarantine as quarantine_area
from ingest.csvw_rdf import TableFindings, table_quads
from ingest.errors import IngestError, Problem
from ingest.gate import Gate, GateReport
from ingest.limits import InputLimits, check_source
from ingest.literals import check_document, check_file
from ingest.native_load import load_nquads, load_parsed
from ingest.progress import Progress
from ingest.records import as_jsonld
from ingest.sources import Source

_POSITION = re.compile(
    r"^Parser error (?:at|between) line \d+ (?:column \d+|between columns \d+ and \d+)"
    r"(?: and line \d+ column \d+)?: "
)
_SUFFIX = re.compile(r"\s*\([^()]*line \d+\)$")


#: Files larger than this go through Oxigraph's bulk loader; it has a fixed cost of about 0.1 s.
BULK = 1 << 20


@dataclass(frozen=True)
class LoadedGraph:
    source: Source
    triples: int
    replaced: bool


@dataclass
class BatchResult:
    loaded: list[LoadedGraph] = field(default_factory=list)
    unchanged: list[Source] = field(default_factory=list)
    seconds: float = 0.0
    report: GateReport | None = None
    generation: str | None = None

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.loaded)


class BatchRejected(Exception):
    """The validation gate found violations; nothing was written to the store."""

    def __init__(self, report: GateReport, quarantined: str | None = None) -> None:
        self.report = report
        self.quarantined = quarantined
        super().__init__(f"rejected: {len(report.violations)} violation(s)")


def _syntax_problem(source: Source, error: Exception, line_offset: int = 0) -> Problem:
    message = _SUFFIX.sub("", _POSITION.sub("", str(error)))
    line = getattr(error, "lineno", None)
    column = getattr(error, "offset", None)
    if isinstance(line, int):
        line = max(line - line_offset, 1)
    return Problem(
        str(source.path), message, line=line, column=column if isinstance(column, int) else None, kind="parse"
    )


def _load_rdf(tx: StoreTransaction, source: Source, progress: Progress) -> None:
    fmt = source.rdf_format
    assert fmt is not None
    base = source.location
    if not fmt.has_graphs:  # the loader reads the file itself (see Progress.watching)
        with progress.watching(source.path):
            bulk = source.path.stat().st_size > BULK
            tx.load(source.path, fmt.oxigraph, source.graph, base_iri=base, bulk=bulk)
        return
    with progress.reader(str(source.path)) as stream:
        if fmt.name != "N-Quads" or tx.has_graph(source.graph):
            _add_dataset(tx, stream, fmt.oxigraph, source.graph, base)
            return
        try:
            load_nquads(tx, stream, source.graph, base)
            return
        except SyntaxError:  # the exact way below says what is wrong (see ingest.native_load)
            tx.drop_graph(source.graph)
    with open(source.path, "rb") as again:
        _add_dataset(tx, again, fmt.oxigraph, source.graph, base)


def _add_dataset(
    tx: StoreTransaction, stream: IO[bytes], fmt: pyoxigraph.RdfFormat, graph: str, base: str
) -> None:
    """A dataset file is one source: its graphs are merged into the source's graph. Its blank node
    labels mean something only inside it: the parser gives them fresh names (as the loaders do)."""
    node = graph_node(graph)
    quads = pyoxigraph.parse(stream, format=fmt, base_iri=base, rename_blank_nodes=True)
    tx.add(Quad(q.subject, q.predicate, q.object, node) for q in quads)


def _parsed_in_python(fmt: RdfFileFormat) -> bool:
    """TriG and JSON-LD: their graphs are merged into one by a Python step per statement."""
    return fmt.has_graphs and fmt.name != "N-Quads"


def _load_checked_rdf(tx: StoreTransaction, source: Source, progress: Progress, max_literal: int) -> None:
    """Load an RDF file while another thread checks its literals (the loader releases the GIL, so the
    check costs no time on a machine with two cores); ill-typed literals reject it after the load.
    TriG and JSON-LD are parsed in Python's thread all the same: their literals are checked there."""
    fmt = source.rdf_format
    assert fmt is not None
    if _parsed_in_python(fmt):
        with progress.reader(str(source.path)) as stream:
            load_parsed(tx, stream, source, max_literal)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        checked = pool.submit(check_file, source, max_literal)
        try:
            _load_rdf(tx, source, progress)
        except SyntaxError:
            if checked.result():
                raise IngestError(checked.result()) from None
            raise
        if checked.result():
            raise IngestError(checked.result())


def _load(
    tx: StoreTransaction, source: Source, progress: Progress, limits: InputLimits, found: TableFindings
) -> None:
    """Load one source into its graph; bad input raises :class:`IngestError`. The problems of a table's
    cells are collected in ``found`` instead, after the rest of the table is loaded."""
    offset = 0
    unsafe = check_source(source, limits)
    if unsafe:
        raise IngestError(unsafe)
    try:
        if source.kind == "rdf":
            _load_checked_rdf(tx, source, progress, limits.literal_bytes)
        elif source.kind == "table":
            assert source.mapping is not None
            tx.will_add(source.graph)
            tx.add(table_quads(source.path, source.mapping, source.graph, limits.literal_bytes, found))
            progress.advance(source.path.stat().st_size)
        else:
            assert source.context is not None
            document, offset = as_jsonld(source.path, source.context)
            problems = check_document(source, document, limits.literal_bytes)
            if problems:
                raise IngestError(problems)
            tx.load(document, pyoxigraph.RdfFormat.JSON_LD, source.graph, base_iri=source.location)
            progress.advance(source.path.stat().st_size)
    except SyntaxError as e:
        raise IngestError(_syntax_problem(source, e, offset)) from None
    except ValueError as e:  # pyoxigraph: invalid IRIs, unsupported JSON-LD features
        raise IngestError(Problem(str(source.path), str(e))) from None


def plan(
    store: Store, sources: Iterable[Source], force: bool = False
) -> tuple[list[tuple[Source, str]], list[Source]]:
    """Split sources into (source, checksum) to load and those whose checksum is already loaded."""
    view = store.view()
    records = view.records()
    changed, unchanged = [], []
    for source in sources:
        checksum = source.checksum()
        record = records.get(source.graph)
        # a record whose graph is gone (a store damaged outside coopgraph) is loaded again
        lost = record is not None and record.triples > 0 and not view.has_graph(source.graph)
        if not force and record is not None and record.checksum == checksum and not lost:
            unchanged.append(source)
        else:
            changed.append((source, checksum))
    return changed, unchanged


@dataclass(frozen=True)
class BatchOptions:
    """How one batch is run (the command line's flags, or what a write over HTTP asks for)."""

    #: Load every source, even one whose checksum is already loaded.
    force: bool = False
    #: Add the sources to their graphs instead of replacing them.
    merge: bool = False
    #: Load and validate, then discard: the report is the result and nothing is written.
    dry_run: bool = False
    #: Keep a rejected batch in the quarantine area for repair.
    keep_rejected: bool = False
    #: Who loads it (the catalogue's prov:wasAssociatedWith).
    agent: str = "coopgraph"
    #: What the store's history calls the change, who made it (None: the user running the process),
    #: and the writer's message.
    kind: str = "ingest"
    who: str | None = None
    message: str | None = None
    #: Seconds to wait for another writer (None: as long as it takes).
    wait: float | None = None
    #: What one source may hold (None: the limits of the environment's settings).
    limits: InputLimits | None = None


def run(
    store: Store,
    sources: list[Source],
    options: BatchOptions = BatchOptions(),
    *,
    gate: Gate | None = None,
    progress: Progress | None = None,
) -> BatchResult:
    """Ingest ``sources`` as one atomic batch; raises :class:`IngestError` or :class:`BatchRejected`.

    A dry run returns like any other batch, with the report and the counts, and leaves the store as it was.
    """
    started = time.monotonic()
    result = BatchResult()
    changed, result.unchanged = plan(store, sources, options.force or options.dry_run)
    if changed:
        progress = progress or Progress(sum(s.path.stat().st_size for s, _ in changed))
        try:
            _run_changed(store, changed, options, gate or Gate(), progress, result)
        finally:
            progress.close()
        store.collect()
    result.seconds = time.monotonic() - started
    result.generation = store.generation
    return result


def _run_changed(
    store: Store,
    changed: list[tuple[Source, str]],
    options: BatchOptions,
    gate: Gate,
    progress: Progress,
    result: BatchResult,
) -> None:
    """Load the changed sources into one transaction, gate it, then publish, keep or discard it."""
    existing = store.records()
    replaced = set() if options.merge else {s.graph for s, _ in changed if s.graph in existing}
    sources = [s for s, _ in changed]
    with store.transaction(replace=replaced, wait=options.wait, on_wait=progress.note) as tx:
        limits = options.limits or InputLimits.from_settings()
        try:
            counts, notes = _load_all(tx, sources, options.merge, limits, progress, gate, replaced)
        except IngestError as e:
            if options.keep_rejected and not options.dry_run:
                e.quarantined = quarantine_area.keep(
                    store.root, uuid.uuid4().hex[:16], tx, sources, e.report, e.problems
                )
            raise
        progress.note("validating")
        report = gate.check(tx, sources=sources, replaced=replaced)
        report.notes = notes
        result.report = report
        if report.problems:
            raise IngestError(report.problems)
        result.loaded = [LoadedGraph(s, counts[s.graph], s.graph in replaced) for s in sources]
        if options.dry_run:
            tx.discard()
            return
        if report.violations:
            batch = uuid.uuid4().hex[:16]
            kept = (
                quarantine_area.keep(store.root, batch, tx, sources, report)
                if options.keep_rejected
                else None
            )
            raise BatchRejected(report, kept)
        tx.describe_change(ChangeNote(options.kind, options.who, options.message, report.summary()))
        tx.write_records(_records(tx, changed, counts, options))
    if not options.dry_run:
        quarantine_area.clear_loaded(store.root, {s.graph for s in sources})


def _load_all(
    tx: StoreTransaction,
    sources: list[Source],
    merge: bool,
    limits: InputLimits,
    progress: Progress,
    gate: Gate,
    replaced: set[str],
) -> tuple[dict[str, int], list[Problem]]:
    """Load each source into its graph; every broken or empty file is reported at once. The counts of
    triples by graph, and the warnings about the input.

    When the only problems are cells of tables (their other cells loaded), what was loaded is validated
    all the same and the report travels with the error: the steward sees every mistake at once.
    """
    problems: list[Problem] = []
    found = TableFindings()
    whole = True  # every source was read to its end
    for source in sources:
        progress.note(source.key)
        if not merge:
            tx.drop_graph(source.graph)
        fmt = source.rdf_format
        if fmt is not None and not _parsed_in_python(fmt) and not tx.has_graph(source.graph):
            # a new graph: its version's delta may be written from the file, read while the loader, which
            # holds no GIL, reads it (beside a load parsed in Python's thread, reading it too is slower)
            tx.will_load(source.graph, source.path, fmt.oxigraph, source.location)
        try:
            _load(tx, source, progress, limits, found)
        except IngestError as e:  # go on, to report every broken file at once
            problems.extend(e.problems)
            whole = False
    problems.extend(found.problems)
    if problems:
        report = None
        if whole:
            progress.note("validating what could be read")
            report = gate.check(tx, sources=sources, replaced=replaced)
            report.notes = found.notes
        raise IngestError(problems, report=report)
    counts = {s.graph: tx.count(s.graph) for s in sources}
    empty = [Problem(str(s.path), "the file holds no triples") for s in sources if counts[s.graph] == 0]
    if empty:
        raise IngestError(empty)
    for s in sources:  # the store may write these graphs' history from the files
        if s.kind == "rdf" and s.rdf_format is not None:
            tx.loaded_from(s.graph, LoadedFile(s.path, s.rdf_format.oxigraph, s.location, counts[s.graph]))
    return counts, found.notes


def _records(
    tx: StoreTransaction, changed: list[tuple[Source, str]], counts: dict[str, int], options: BatchOptions
) -> list[GraphRecord]:
    """The catalogue after this batch: a new record for each graph it loaded."""
    now = datetime.now(UTC)
    batch = uuid.uuid4().hex[:16]
    records = tx.records()
    for n, (source, checksum) in enumerate(changed):
        if source.graph == DEFAULT_GRAPH:  # the store's own default graph has no record
            continue
        previous = records.get(source.graph)
        if options.merge and previous is not None:
            checksum = hashlib.sha256((previous.checksum + checksum).encode()).hexdigest()
        records[source.graph] = build_record(
            source.graph,
            role=source.role,
            key=source.key,
            source=source.location,
            media_type=source.media_type,
            checksum=checksum,
            triples=counts[source.graph],
            loaded=now,
            activity=activity_iri("ingest", f"{batch}/{n + 1}"),
            agent=options.agent,
            used=source.used,
            loaded_from=source.loaded_from,
        )
    return list(records.values())

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

import pyoxigraph
from pyoxigraph import Quad

from coopgraph import iris
from coopgraph.store.catalog import GraphRecord
from coopgraph.store.local import DEFAULT_GRAPH, LocalStore, Transaction, graph_node
from ingest import quarantine as quarantine_area
from ingest.csvw_rdf import table_quads
from ingest.errors import IngestError, Problem
from ingest.gate import Gate, GateReport
from ingest.limits import InputLimits, check_source
from ingest.literals import check_document, check_file
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


class _DryRun(Exception):
    """Ends a validation-only batch: the transaction is discarded like a failed one."""


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
    return Problem(str(source.path), message, line=line, column=column if isinstance(column, int) else None)


def _load_rdf(tx: Transaction, source: Source, progress: Progress) -> None:
    fmt = source.rdf_format
    assert fmt is not None
    base = source.location
    with progress.reader(str(source.path)) as stream:
        if not fmt.has_graphs:
            tx.load(stream, fmt.oxigraph, source.graph, base_iri=base, bulk=source.path.stat().st_size > BULK)
            return
        # A dataset file is one source: its graphs are merged into the source's graph. Its blank node
        # labels mean something only inside it: the parser gives them fresh names (as the loaders do).
        graph = graph_node(source.graph)
        quads = pyoxigraph.parse(stream, format=fmt.oxigraph, base_iri=base, rename_blank_nodes=True)
        tx.add(Quad(q.subject, q.predicate, q.object, graph) for q in quads)


def _load_checked_rdf(tx: Transaction, source: Source, progress: Progress, max_literal: int) -> None:
    """Load an RDF file while another thread checks its literals (the loader releases the GIL, so the
    check costs no time on a machine with two cores); ill-typed literals reject it after the load."""
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


def _load(tx: Transaction, source: Source, progress: Progress, limits: InputLimits) -> None:
    """Load one source into its graph; bad input raises :class:`IngestError`."""
    offset = 0
    unsafe = check_source(source, limits)
    if unsafe:
        raise IngestError(unsafe)
    try:
        if source.kind == "rdf":
            _load_checked_rdf(tx, source, progress, limits.literal_bytes)
        elif source.kind == "table":
            assert source.mapping is not None
            tx.add(table_quads(source.path, source.mapping, source.graph, limits.literal_bytes))
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
    store: LocalStore, sources: Iterable[Source], force: bool = False
) -> tuple[list[tuple[Source, str]], list[Source]]:
    """Split sources into (source, checksum) to load and those whose checksum is already loaded."""
    records = store.records()
    changed, unchanged = [], []
    for source in sources:
        checksum = source.checksum()
        record = records.get(source.graph)
        if not force and record is not None and record.checksum == checksum:
            unchanged.append(source)
        else:
            changed.append((source, checksum))
    return changed, unchanged


def run(
    store: LocalStore,
    sources: list[Source],
    *,
    force: bool = False,
    keep_rejected: bool = False,
    progress: Progress | None = None,
    agent: str = "coopgraph",
    gate: Gate | None = None,
    wait: float | None = None,
    dry_run: bool = False,
    merge: bool = False,
    limits: InputLimits | None = None,
) -> BatchResult:
    """Ingest ``sources`` as one atomic batch; raises :class:`IngestError` or :class:`BatchRejected`.

    With ``dry_run`` the batch is loaded and validated, then discarded: the report is the result.
    With ``merge`` the sources are added to their graphs instead of replacing them.
    ``limits`` bound what one source may hold (by default those of the environment's settings).
    """
    started = time.monotonic()
    result = BatchResult()
    changed, result.unchanged = plan(store, sources, force)
    if not changed:
        result.seconds = time.monotonic() - started
        result.generation = store.generation
        return result
    progress = progress or Progress(sum(s.path.stat().st_size for s, _ in changed))
    gate = gate or Gate()
    limits = limits or InputLimits.from_settings()
    batch = uuid.uuid4().hex[:16]
    existing = store.records()
    replaced = set() if merge else {s.graph for s, _ in changed if s.graph in existing}
    try:
        with store.transaction(replace=replaced, wait=wait, on_wait=progress.note) as tx:
            problems: list[Problem] = []
            for source, _ in changed:
                progress.note(source.key)
                if not merge:
                    tx.drop_graph(source.graph)
                try:
                    _load(tx, source, progress, limits)
                except IngestError as e:  # go on, to report every broken file at once
                    problems.extend(e.problems)
            if problems:
                raise IngestError(problems)
            counts = {s.graph: tx.count(s.graph) for s, _ in changed}
            empty = [
                Problem(str(s.path), "the file holds no triples") for s, _ in changed if counts[s.graph] == 0
            ]
            if empty:
                raise IngestError(empty)
            progress.note("validating")
            report = gate.check(tx, sources=[s for s, _ in changed], replaced=replaced)
            result.report = report
            if report.problems:
                raise IngestError(report.problems)
            if dry_run:
                raise _DryRun
            if report.violations:
                kept = (
                    quarantine_area.keep(store.root, batch, tx, [s for s, _ in changed], report)
                    if keep_rejected
                    else None
                )
                raise BatchRejected(report, kept)
            now = datetime.now(UTC)
            records = tx.records()
            for n, (source, checksum) in enumerate(changed):
                if source.graph == DEFAULT_GRAPH:  # the store's own default graph has no record
                    continue
                previous = records.get(source.graph)
                if merge and previous is not None:
                    checksum = hashlib.sha256((previous.checksum + checksum).encode()).hexdigest()
                records[source.graph] = GraphRecord(
                    graph=source.graph,
                    role=source.role,
                    key=source.key,
                    source=source.location,
                    media_type=source.media_type,
                    checksum=checksum,
                    triples=counts[source.graph],
                    loaded=now,
                    activity=f"{iris.RESOURCE}ingest/{batch}/{n + 1}",
                    agent=agent,
                    used=source.used,
                )
            tx.write_records(records.values())
            result.loaded = [LoadedGraph(s, counts[s.graph], s.graph in replaced) for s, _ in changed]
    except _DryRun:
        result.loaded = [LoadedGraph(s, counts[s.graph], s.graph in replaced) for s, _ in changed]
    finally:
        progress.close()
    store.collect()
    result.seconds = time.monotonic() - started
    result.generation = store.generation
    return result

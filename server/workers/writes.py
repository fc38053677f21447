"""Writes, run in the write worker: SPARQL Update and the graph store protocol, through the validation gate.

Every write is one transaction on a copy of the store (see :mod:`coopgraph.store.generations`):
an invalid write is discarded whole and answered 422 with the report; nothing changes.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from pyoxigraph import BlankNode, NamedNode

from coopgraph import iris
from coopgraph.disk_space import is_disk_full
from coopgraph.sparql_errors import explain
from coopgraph.sparql_text import scan_update
from coopgraph.store import DEFAULT_GRAPH, ChangeNote, Store, StoreTransaction
from coopgraph.store.catalog import GraphRecord, activity_iri, build_record
from ingest.batch import BatchOptions, BatchRejected, run
from ingest.errors import IngestError
from ingest.gate import Gate, GateReport
from ingest.limits import InputLimits
from ingest.literals import LIMIT, check_triples
from ingest.reports.model import Report
from ingest.reports.render import BY_MEDIA_TYPE, render
from ingest.sources import Problem, describe
from server.workers.messages import GraphDelete, GraphLoad, GraphMerge, Update

#: Graphs up to this size are compared before and after an update to find the nodes it touched;
#: an update that may change a larger graph is validated against everything.
DIFF_LIMIT = 100_000
_EXTENSIONS = {
    "text/turtle": ".ttl",
    "application/n-triples": ".nt",
    "application/n-quads": ".nq",
    "application/trig": ".trig",
    "application/rdf+xml": ".rdf",
    "application/ld+json": ".jsonld",
}

#: The status, the content type of the body (None: plain text), the body.
Outcome = tuple[int, str | None, bytes]


class _Rejected(Exception):
    def __init__(self, report: GateReport) -> None:
        self.report = report


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str).encode()


def rejected(
    report: GateReport,
    request: Update | GraphLoad | GraphDelete,
    shown: dict[str, str] | None = None,
    graph: str | None = None,
) -> Outcome:
    """422 with the report in the format the request asked for (JSON: the report beside an error
    message); ``shown`` renames files (an upload's temporary file is "request body"), ``graph`` is
    where the write went."""
    count = report.counts.get("Violation", 0)
    model = Report.of(report, subject=graph or "a write").renamed(shown or {})
    if graph is not None:
        model = model.in_graph({f.file or "": graph for f in model.findings})
    if request.report_type not in BY_MEDIA_TYPE or request.report_type == "application/json":
        message = f"the write violates {count} constraint(s) of the shapes; nothing was changed"
        return 422, "application/json", _json({"error": message, "report": model.as_dict()})
    fmt = BY_MEDIA_TYPE[request.report_type]
    return 422, fmt.media_type + "; charset=utf-8", render(model, fmt, request.lang)


def bad_input(problems: list[Problem], shown: dict[str, str]) -> Outcome:
    lines = []
    for p in problems:
        text = str(p)
        for path, name in shown.items():
            text = text.replace(path, name)
        lines.append(text)
    return 400, "text/plain; charset=utf-8", ("\n".join(lines) + "\n").encode()


def disk_full(error: str) -> Outcome:
    """507 Insufficient Storage: the store's disk has no room for the write (``error``: what failed)."""
    message = (
        f"the disk is full: {error}\nnothing was written; the store keeps its last complete state "
        "(free some space on the server and send the request again)\n"
    )
    return 507, "text/plain; charset=utf-8", message.encode()


class Writes:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.gate = Gate()
        self.limits = InputLimits.from_settings()
        self.tmp = store.root / "tmp"

    def handle(self, request: Update | GraphLoad | GraphDelete, body: bytes) -> Outcome:
        try:
            if isinstance(request, Update):
                return self.update(request)
            if isinstance(request, GraphLoad):
                return self.load(request, body, merge=isinstance(request, GraphMerge))
            if isinstance(request, GraphDelete):
                return self.delete(request)
        except Exception as e:
            if is_disk_full(e):  # the transaction discarded its copy: the store is as it was
                return disk_full(str(e).replace(str(self.store.root), "<store>"))
            raise
        return 400, None, f"unknown write operation {request.OP!r}\n".encode()

    # ------------------------------------------------------------------ graph store protocol
    def load(self, request: GraphLoad, body: bytes, merge: bool) -> Outcome:
        graph = request.graph
        media = request.media_type
        self.tmp.mkdir(parents=True, exist_ok=True)
        path = self.tmp / f"request-{uuid.uuid4().hex}{_EXTENSIONS.get(media, '.rdf')}"
        shown = {str(path): "request body"}
        try:
            path.write_bytes(body)
            found = describe(path, graph, "data", media_type=media)
            if isinstance(found, Problem):
                if found.message == "the file is empty" and not merge:
                    found = None  # PUT with an empty body: an empty graph
                else:
                    return bad_input([found], shown)
            existed = self.store.view().has_graph(graph)
            if found is None:
                self._replace_with_empty(graph, request.origin or "", request.who, request.message)
            else:
                source = replace(found, target=graph, origin=request.origin)
                options = BatchOptions(
                    force=True,
                    merge=merge,
                    agent=request.agent,
                    kind="post" if merge else "put",
                    who=request.who,
                    message=request.message,
                )
                run(self.store, [source], options, gate=self.gate)
        except IngestError as e:
            return bad_input(e.problems, shown)
        except BatchRejected as e:
            return rejected(e.report, request, shown, graph)
        finally:
            path.unlink(missing_ok=True)
        return (204 if existed else 201), None, b""

    def _replace_with_empty(self, graph: str, origin: str, who: str | None, message: str | None) -> None:
        with self.store.transaction(replace=[graph]) as tx:
            tx.describe_change(ChangeNote("put", who, message))
            records = tx.records()
            tx.drop_graph(graph)
            if graph != DEFAULT_GRAPH:
                tx.add_graph(graph)
                records[graph] = self._record(
                    graph,
                    records.get(graph),
                    origin or graph,
                    "text/turtle",
                    hashlib.sha256(b"").hexdigest(),
                    0,
                )
                tx.write_records(records.values())

    def delete(self, request: GraphDelete) -> Outcome:
        graph = request.graph
        if not self.store.view().has_graph(graph):
            return 404, None, f"no graph <{graph}>\n".encode()
        try:
            with self.store.transaction(replace=[graph]) as tx:
                records = tx.records()
                tx.drop_graph(graph)
                report = self.gate.check_changes(tx, records, [graph], self._removed_nodes(graph))
                if report.violations:
                    raise _Rejected(report)
                tx.describe_change(
                    ChangeNote("delete", request.who, request.message, validation=report.summary())
                )
                records.pop(graph, None)
                tx.write_records(records.values())
        except _Rejected as e:
            return rejected(e.report, request, graph=graph)
        return 204, None, b""

    def _removed_nodes(self, graph: str) -> set[Any] | None:
        nodes: set[Any] = set()
        for n, quad in enumerate(self.store.view().quads(graph)):
            if n > DIFF_LIMIT:
                return None
            nodes.add(quad.subject)
            if isinstance(quad.object, NamedNode | BlankNode):
                nodes.add(quad.object)
        return nodes

    # ------------------------------------------------------------------ SPARQL Update
    def update(self, request: Update) -> Outcome:
        text = request.update
        info = scan_update(text)
        try:
            _check_graph_names(info.graphs_written)
            with self.store.transaction() as tx:
                if info.clear_all:  # CLEAR/DROP ALL or NAMED: the data graphs only, named one by one
                    text = expand_clear_all(text, info, tx.graph_names())
                    info = scan_update(text)
                records = tx.records()
                candidates = self._candidates(tx, info.graphs_written)
                before = self._snapshot(tx, candidates, before=True)
                try:
                    tx.update(text, base_iri=request.base_iri)
                except SyntaxError as e:
                    raise _Invalid(
                        f"the update is not valid SPARQL: {explain(text, e, what='update')}"
                    ) from None
                except (OSError, ValueError, RuntimeError) as e:
                    if is_disk_full(e):
                        raise
                    raise _Invalid(_update_error(e)) from None
                if _reaches_unnamed(info.graphs_written):
                    self._keep_system_graphs(tx, any(w.startswith(("?", "$")) for w in info.graphs_written))
                after = self._snapshot(tx, candidates, before=False)
                self._check_literals(tx, candidates, before, after)
                changed, focus = self._changes(candidates, before, after)
                report = self.gate.check_changes(tx, records, changed, focus)
                if report.violations:
                    raise _Rejected(report)
                tx.describe_change(
                    ChangeNote("update", request.who, request.message, validation=report.summary())
                )
                self._sync_catalog(tx, records, changed, request, text)
        except _Invalid as e:
            return 400, None, (str(e) + "\n").encode()
        except _Rejected as e:
            return rejected(e.report, request)
        return 204, None, b""

    def _check_literals(
        self,
        tx: StoreTransaction,
        graphs: list[str],
        before: dict[str, set[Any] | None],
        after: dict[str, set[Any] | None],
    ) -> None:
        """Refuse an update that adds an ill-typed or too long literal, as ingest refuses a file with one."""
        problems: list[str] = []
        for graph in graphs:
            old, new = before[graph], after[graph]
            if new is None:  # too large to compare: every triple of the graph is read
                added: Iterable[Any] = ((q.subject, q.predicate, q.object) for q in tx.quads(graph))
            else:
                added = new - old if old is not None else new
            problems += check_triples(added, self.limits.literal_bytes)
        if problems:
            shown = problems[:LIMIT]
            raise _Invalid(
                "the update would store literals that are not valid; nothing was changed:\n"
                + "\n".join(f"  {p}" for p in shown)
            )

    def _keep_system_graphs(self, tx: StoreTransaction, by_pattern: bool) -> None:
        """Put back the graphs coopgraph maintains that an update reached without naming them (``CLEAR
        ALL``, ``DROP NAMED``, ``GRAPH ?g``): such updates touch data graphs only. An update that names
        one is refused before it gets here. ``CLEAR``/``DROP`` empty a graph whole, so its size tells
        whether it was reached; a ``GRAPH ?g`` template may change it at the same size, so it is compared
        triple by triple."""
        view = self.store.view()
        restored: list[Any] = []
        for graph in sorted(view.graph_names()):
            if graph == iris.CATALOG_GRAPH or not iris.is_system_graph(graph):
                continue
            if tx.has_graph(graph):
                if not by_pattern and tx.count(graph) == _size(view, graph):
                    continue
                if by_pattern and set(tx.quads(graph)) == set(view.quads(graph)):
                    continue
            tx.drop_graph(graph)
            tx.add_graph(graph)
            restored.extend(view.quads(graph))
        if restored:
            tx.add(restored)  # at once: each bulk load has a cost of its own, whatever its size

    def _candidates(self, tx: StoreTransaction, written: list[str]) -> list[str]:
        """The data graphs an update may change (the graphs coopgraph maintains are kept apart)."""
        if _reaches_unnamed(written):
            graphs = {g for g in tx.graph_names() if not iris.is_system_graph(g)}
            return [*sorted(graphs), DEFAULT_GRAPH]
        return sorted(set(written))

    def _snapshot(self, tx: StoreTransaction, graphs: list[str], before: bool) -> dict[str, set[Any] | None]:
        """The triples of each graph, or None for a graph too large to compare."""
        source = self.store.view() if before else tx
        out: dict[str, set[Any] | None] = {}
        for graph in graphs:
            triples: set[Any] | None = set()
            for n, quad in enumerate(source.quads(graph)):
                if n >= DIFF_LIMIT:
                    triples = None
                    break
                triples.add((quad.subject, quad.predicate, quad.object))  # type: ignore[union-attr]
            out[graph] = triples
        return out

    @staticmethod
    def _changes(
        graphs: list[str], before: dict[str, set[Any] | None], after: dict[str, set[Any] | None]
    ) -> tuple[list[str], set[Any] | None]:
        changed: list[str] = []
        focus: set[Any] | None = set()
        for graph in graphs:
            old, new = before[graph], after[graph]
            if old is None or new is None:
                changed.append(graph)
                focus = None
                continue
            difference = old ^ new
            if difference:
                changed.append(graph)
                if focus is not None:
                    for s, _, o in difference:
                        focus.add(s)
                        if isinstance(o, NamedNode | BlankNode):
                            focus.add(o)
        return changed, focus

    def _sync_catalog(
        self,
        tx: StoreTransaction,
        records: dict[str, GraphRecord],
        changed: list[str],
        request: Update,
        text: str,
    ) -> None:
        existing = tx.graph_names() - {iris.CATALOG_GRAPH}
        checksum = hashlib.sha256(text.encode()).hexdigest()
        origin = request.origin or iris.BASE + "update"
        for graph in changed:
            if graph in existing:
                records[graph] = self._record(
                    graph, records.get(graph), origin, "application/sparql-update", checksum, tx.count(graph)
                )
        for graph in existing - set(records):  # graphs made empty by CREATE, or left without a record
            records[graph] = self._record(
                graph, None, origin, "application/sparql-update", checksum, tx.count(graph)
            )
        tx.write_records([r for g, r in records.items() if g in existing])

    @staticmethod
    def _record(
        graph: str, previous: GraphRecord | None, origin: str, media: str, checksum: str, triples: int
    ) -> GraphRecord:
        activity = activity_iri("write", uuid.uuid4().hex[:16])
        return build_record(
            graph,
            previous=previous,
            source=origin,
            media_type=media,
            checksum=checksum,
            triples=triples,
            activity=activity,
        )


#: A graph no store holds: what ``DROP SILENT NAMED`` names when there is no data graph (a no-op).
NO_GRAPH = iris.BASE + "graph/none"


def expand_clear_all(text: str, info: Any, graphs: set[str]) -> str:
    """The update with each ``CLEAR``/``DROP`` of ``ALL`` or ``NAMED`` written as operations on the data
    graphs, one by one: the graphs coopgraph maintains are never reached (putting them back after the
    operation cost a second per write)."""
    data = sorted(g for g in graphs if not iris.is_system_graph(g))
    for start, end, op, word, silent in sorted(info.clear_all, reverse=True):
        named = [f"{op} SILENT GRAPH <{g}>" for g in data] or [f"{op} SILENT GRAPH <{NO_GRAPH}>"]
        if word == "ALL":
            named = [f"{op} {'SILENT ' if silent else ''}DEFAULT", *(named if data else [])]
        text = text[:start] + " ;\n".join(named) + text[end:]
    return text


def _size(view: Any, graph: str) -> int:
    rows = view.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[graph])
    return int(next(iter(rows))["n"].value)


def _reaches_unnamed(written: list[str]) -> bool:
    """Whether an update writes graphs it does not name (``ALL``, ``NAMED``, ``GRAPH ?g``)."""
    return any(w in ("ALL", "NAMED") or w.startswith(("?", "$")) for w in written)


class _Invalid(Exception):
    pass


def _check_graph_names(names: list[str]) -> None:
    """Refuse a graph name that SPARQL's grammar lets through but that is not an IRI (RFC 3987 excludes
    private-use characters outside the query part, for one): the store cannot name a graph with it."""
    for name in names:
        if name in ("ALL", "NAMED", "DEFAULT") or name.startswith(("?", "$")):
            continue
        try:
            NamedNode(name)
        except ValueError as e:
            raise _Invalid(f"the update names the graph <{name}>, which is not a valid IRI: {e}") from None


def _update_error(error: Exception) -> str:
    """Why Oxigraph refused to apply an update, as the client should read it (400)."""
    message = str(error)
    if "does not exist" in message or "already exists" in message:
        return (
            f"the update could not be applied: {message}; CLEAR, DROP and CREATE without SILENT fail "
            "on a graph that does not exist (or, for CREATE, that does)"
        )
    return f"the update could not be applied: {message}"

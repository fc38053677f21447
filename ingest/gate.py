"""The validation gate: a batch is checked, together with the stored data it touches, before it is committed.

Checked are the shapes held in the store's ``shapes`` graphs (as they will be after the batch),
restricted to the nodes the batch adds, changes or removes statements about, and to the nodes
elsewhere in the store that point at a node whose statements change (a shape may follow the link);
when the batch changes the shapes themselves, everything is checked. Violations reject the batch,
warnings do not. When a batch is large against the store, working out which nodes it touches
costs more than checking everything, so everything is checked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import BlankNode, NamedNode

from coopgraph import iris
from coopgraph.store import DEFAULT_GRAPH, ReadView, StoreTransaction
from ingest.advice import Advisor
from ingest.errors import Problem
from ingest.locate import LOCATED, forget, line_of
from ingest.reports.locations import table_locations
from ingest.reports.model import Finding, term_text
from ingest.sources import Source

SH = iris.PREFIXES["sh"]
#: Findings described in full (labels, file and line); the rest are counted.
DETAILED = 500
_SUBJECTS = "SELECT DISTINCT ?n WHERE { ?n ?p ?o }"
_OBJECTS = "SELECT DISTINCT ?n WHERE { ?s ?p ?n FILTER(!isLiteral(?n)) }"
#: Nodes of the whole data that point at the subjects of a graph (a batch's graph, as it will be).
_POINTING_AT_GRAPH = (
    "SELECT DISTINCT ?s WHERE { { SELECT DISTINCT ?n WHERE { GRAPH <$GRAPH> { ?n ?x ?y } } } ?s ?p ?n }"
)
_POINTING_AT = "SELECT DISTINCT ?s WHERE { VALUES ?n { $NODES } ?s ?p ?n }"

_LABELS = (
    iris.sparql_prologue()
    + """
SELECT ?n ?label WHERE {
  VALUES ?n { $NODES }
  ?n rdfs:label|skos:prefLabel|schema:name ?label .
  FILTER(isLiteral(?label))
} ORDER BY ?n (LANG(?label) != "en") (LANG(?label) != "vi") ?label"""
)

_SHAPE_TEXT = (
    iris.sparql_prologue()
    + """
SELECT ?shape ?name ?description WHERE {
  VALUES ?shape { $NODES }
  OPTIONAL { ?shape sh:name ?name }
  OPTIONAL { ?shape sh:description ?description }
}"""
)


@dataclass
class GateReport:
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: warnings about the input (a table cell with stray spaces): reported, never a reason to reject
    notes: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    #: shape (as :attr:`Finding.shape` names it) -> severity -> results, over all results
    by_shape: dict[str, dict[str, int]] = field(default_factory=dict)
    focus_nodes: int | None = None
    shapes_graphs: list[str] = field(default_factory=list)
    seconds: float = 0.0
    raw: Any = None  # the engine's report, for the SHACL report graph

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    def summary(self) -> dict[str, Any]:
        """What a version keeps of the report: the verdict and the counts, not the findings."""
        return {
            "conforms": not self.counts.get("Violation"),
            "counts": dict(self.counts),
            "focusNodes": self.focus_nodes,
            "seconds": round(self.seconds, 3),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "conforms": not self.counts.get("Violation"),
            "counts": self.counts,
            "focusNodes": self.focus_nodes,
            "shapesGraphs": self.shapes_graphs,
            "results": [f.as_dict() for f in self.findings],
            "seconds": round(self.seconds, 3),
        }


#: A transaction may be queried from several threads (the embedded store's queries release the GIL
#: while they evaluate), so shapes are checked one thread per core.
_THREADS = min(os.cpu_count() or 1, 4)


class _TransactionData:
    """The transaction's state as the validator's data graph (default graph: union of all graphs)."""

    def __init__(self, tx: StoreTransaction) -> None:
        self.tx = tx

    def query(self, sparql: str) -> Any:
        return self.tx.query(sparql)


class Gate:
    """Validates transactions; keeps the compiled shapes between batches while they do not change."""

    def __init__(self) -> None:
        self._shapes: tuple[tuple[tuple[str, str], ...], Any] | None = None

    def _compiled(self, tx: StoreTransaction, graphs: dict[str, str]) -> Any:
        from ingest.shacl.cache import load_or_compile  # the engine is needed once the store holds shapes

        key = tuple(sorted(graphs.items()))
        if self._shapes is None or self._shapes[0] != key:
            quads = [q for g in graphs for q in tx.quads(g)]
            self._shapes = (key, load_or_compile(quads, getattr(tx, "compiled_cache", None)))
        return self._shapes[1]

    def check(
        self, tx: StoreTransaction, sources: list[Source], replaced: Iterable[str], everything: bool = False
    ) -> GateReport:
        """Validate a batch's transaction; ``everything`` checks all nodes, not only those touched."""
        replaced = set(replaced)
        records = tx.records()
        shapes_graphs = {
            g: r.checksum for g, r in records.items() if r.role == "shapes" and g not in replaced
        }
        new_shapes = {s.graph: s.checksum() for s in sources if s.role == "shapes"}
        shapes_graphs.update(new_shapes)
        shapes_changed = bool(new_shapes) or any(
            records[g].role == "shapes" for g in replaced if g in records
        )
        whole = everything or shapes_changed or self._large(records, sources, replaced)
        focus = (
            None if whole or not shapes_graphs else self._touched(tx, [s.graph for s in sources], replaced)
        )
        return self.run(tx, shapes_graphs, focus, {s.graph: s for s in sources})

    def check_store(self, view: ReadView) -> GateReport:
        """Validate everything a read view of the store holds against its shapes (nothing is written)."""
        shapes_graphs = {g: r.checksum for g, r in view.records().items() if r.role == "shapes"}
        return self.run(view, shapes_graphs, None, {})  # type: ignore[arg-type]

    def check_changes(
        self, tx: StoreTransaction, records: Mapping[str, Any], changed: Iterable[str], focus: set[Any] | None
    ) -> GateReport:
        """Validate a transaction made by a write: ``focus`` are the nodes it touched (None: all),
        ``records`` the catalogue as it was before the write."""
        existing = tx.graph_names()
        changed = set(changed)
        shapes_graphs = {g: r.checksum for g, r in records.items() if r.role == "shapes" and g in existing}
        if changed & set(shapes_graphs):  # the shapes themselves changed: compile them again, check all
            shapes_graphs = {g: f"{c}+changed-{time.monotonic_ns()}" for g, c in shapes_graphs.items()}
            focus = None
        if focus is not None:  # a shape may follow a link into what changed (sh:class of a partner)
            focus = focus | _referrers(tx, focus)
        return self.run(tx, shapes_graphs, focus, {})

    def run(
        self,
        tx: StoreTransaction,
        shapes_graphs: dict[str, str],
        focus: set[Any] | None,
        sources: dict[str, Source],
    ) -> GateReport:
        started = time.monotonic()
        report = GateReport(shapes_graphs=sorted(shapes_graphs))
        if shapes_graphs:
            shapes = self._compiled(tx, shapes_graphs)
            report.focus_nodes = None if focus is None else len(focus)
            if focus is None or focus:
                raw = shapes.validate(_TransactionData(tx), focus=focus, workers=_THREADS, lateral=tx.lateral)
                report.raw = raw
                report.findings, report.counts = self._findings(tx, raw.results, sources)
                report.by_shape = _by_shape(raw.results)
        report.seconds = time.monotonic() - started
        return report

    # ------------------------------------------------------------------ pieces
    @staticmethod
    def _large(records: Mapping[str, Any], sources: list[Source], replaced: set[str]) -> bool:
        """Whether the batch changes more than a quarter of the store (sizes from the catalogue and files)."""
        stored = sum(r.triples for r in records.values())
        changed = sum(records[g].triples for g in replaced if g in records)
        changed += sum(s.path.stat().st_size for s in sources) // 100  # about 100 bytes a triple
        return changed * 4 > stored

    def _touched(self, tx: StoreTransaction, graphs: list[str], replaced: set[str]) -> set[Any]:
        """The nodes the batch states something about or stated something about before (subjects and
        objects), and the nodes anywhere in the data that point at a node whose statements the batch
        adds, changes or removes: a shape may follow that link (sh:class of a partner, a path)."""
        touched: set[Any] = set()
        described: set[Any] = set()  # subjects of the batch's graphs as they will be
        by_name: set[Any] = set()  # subjects whose referrers are looked up by name (VALUES)
        for graph in graphs:
            subjects = {row["n"] for row in tx.query(_SUBJECTS, default_graph=[graph])}
            touched |= subjects
            described |= subjects
            touched.update(row["n"] for row in tx.query(_OBJECTS, default_graph=[graph]))
            if graph == DEFAULT_GRAPH:
                by_name |= subjects
            else:
                touched.update(row["s"] for row in tx.query(_POINTING_AT_GRAPH.replace("$GRAPH", graph)))
        for graph in replaced:
            subjects = {row["n"] for row in tx.query_before(_SUBJECTS, default_graph=[graph])}
            touched |= subjects
            touched.update(row["n"] for row in tx.query_before(_OBJECTS, default_graph=[graph]))
            by_name |= subjects - described  # no longer described: who still points at them?
        return touched | _referrers(tx, by_name)

    def _findings(
        self, tx: StoreTransaction, results: list[Any], sources: dict[str, Source]
    ) -> tuple[list[Finding], dict[str, int]]:
        counts: dict[str, int] = {}
        for r in results:
            severity = r.severity.value.removeprefix(SH)
            counts[severity] = counts.get(severity, 0) + 1
        ordered = sorted(results, key=lambda r: r.severity.value != SH + "Violation")[:DETAILED]
        labels = self._labels(tx, {r.focus_node for r in ordered if isinstance(r.focus_node, NamedNode)})
        cells = table_locations(ordered[:LOCATED], sources)
        shape_text = self._shape_text(
            tx, {r.source_shape for r in ordered if isinstance(r.source_shape, NamedNode)}
        )
        findings = []
        for index, r in enumerate(ordered):
            cell = cells.get(index)
            if cell is not None:
                file, line = cell.file, None
            else:
                file, line = self._where(
                    tx, r.focus_node, sources, locate=index < LOCATED, path=r.result_path, value=r.value
                )
            messages: dict[str, str] = {}
            for m in r.messages:
                messages.setdefault(m.language or "en", m.value)
            names, descriptions = shape_text.get(r.source_shape, ({}, {}))
            focus_labels = labels.get(r.focus_node, {})
            findings.append(
                Finding(
                    severity=r.severity.value.removeprefix(SH),
                    focus=r.focus_node,
                    path=_path_text(r.result_path),
                    path_iri=r.result_path.value if isinstance(r.result_path, NamedNode) else None,
                    value=r.value,
                    component=r.source_constraint_component.value.removeprefix(SH),
                    shape=term_text(r.source_shape),
                    shape_iri=r.source_shape.value if isinstance(r.source_shape, NamedNode) else None,
                    messages=messages,
                    focus_label=next(iter(focus_labels.values()), None),
                    focus_labels=focus_labels,
                    shape_name=names.get("en") or next(iter(names.values()), None),
                    shape_names=names,
                    fix=descriptions.get("en") or descriptions.get(""),
                    fixes=descriptions,
                    file=file,
                    line=line,
                    row=cell.row if cell is not None else None,
                    column=cell.column if cell is not None else None,
                    sheet=cell.sheet if cell is not None else None,
                )
            )
        forget()
        return Advisor(tx).advise(findings), counts

    def _labels(self, tx: StoreTransaction, nodes: set[Any]) -> dict[Any, dict[str, str]]:
        """Each node's label by language (English first, then Vietnamese, then the others)."""
        labels: dict[Any, dict[str, str]] = {}
        for chunk in _chunks(sorted(nodes, key=lambda n: n.value), 200):
            query = _LABELS.replace("$NODES", " ".join(f"<{n.value}>" for n in chunk))
            for row in tx.query(query):
                labels.setdefault(row["n"], {}).setdefault(row["label"].language or "", row["label"].value)
        return labels

    def _shape_text(
        self, tx: StoreTransaction, shapes: set[Any]
    ) -> dict[Any, tuple[dict[str, str], dict[str, str]]]:
        """Each shape's names and descriptions by language."""
        found: dict[Any, tuple[dict[str, str], dict[str, str]]] = {}
        for chunk in _chunks(sorted(shapes, key=lambda n: n.value), 200):
            query = _SHAPE_TEXT.replace("$NODES", " ".join(f"<{n.value}>" for n in chunk))
            for row in tx.query(query):
                name, description = row["name"], row["description"]
                names, descriptions = found.setdefault(row["shape"], ({}, {}))
                if name is not None:
                    names.setdefault(name.language or "", name.value)
                if description is not None:
                    descriptions.setdefault(description.language or "", description.value)
        return found

    def _where(
        self,
        tx: StoreTransaction,
        node: Any,
        sources: dict[str, Source],
        locate: bool = True,
        path: Any = None,
        value: Any = None,
    ) -> tuple[str | None, int | None]:
        """The file (and line) a finding comes from: the file that states the offending value, when the
        node is described in several, else the first that describes the node."""
        if not isinstance(node, NamedNode) or not sources:
            return None, None
        named = " ".join(f"<{g}>" for g in sources if g != DEFAULT_GRAPH)
        patterns = [f"<{node.value}> ?p ?o"]
        if isinstance(path, NamedNode) and value is not None and not isinstance(value, BlankNode):
            patterns.insert(0, f"<{node.value}> <{path.value}> {value}")
        for pattern in patterns:
            found = None
            if named:
                query = f"SELECT ?g WHERE {{ VALUES ?g {{ {named} }} GRAPH ?g {{ {pattern} }} }} LIMIT 1"
                found = next((sources[row["g"].value] for row in tx.query(query)), None)
            if found is None and DEFAULT_GRAPH in sources:  # a write to the default graph: no name to match
                query = f"SELECT * WHERE {{ {pattern} }} LIMIT 1"
                if any(True for _ in tx.query(query, default_graph=[DEFAULT_GRAPH])):
                    found = sources[DEFAULT_GRAPH]
            if found is not None:
                return str(found.path), line_of(found, node.value) if locate else None
        return None, None


def _referrers(tx: StoreTransaction, nodes: Iterable[Any]) -> set[Any]:
    """Subjects of statements anywhere in the transaction's data whose object is one of ``nodes``."""
    named = sorted((n for n in nodes if isinstance(n, NamedNode)), key=lambda n: n.value)
    found: set[Any] = set()
    for chunk in _chunks(named, 500):
        query = _POINTING_AT.replace("$NODES", " ".join(str(n) for n in chunk))
        found.update(row["s"] for row in tx.query(query))
    return found


def _by_shape(results: list[Any]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for r in results:
        per = counts.setdefault(term_text(r.source_shape), {})
        severity = r.severity.value.removeprefix(SH)
        per[severity] = per.get(severity, 0) + 1
    return counts


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _path_text(path: Any) -> str | None:
    if path is None:
        return None
    if isinstance(path, NamedNode):
        return iris.compact(path.value)
    sparql = getattr(path, "sparql", None)
    return sparql() if callable(sparql) else str(path)

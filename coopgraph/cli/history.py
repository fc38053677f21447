"""``coopgraph history``, ``diff`` and ``revert``: the store's versions, what each changed, undoing one."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import UTC, datetime
from typing import Any

import pyoxigraph

from coopgraph import change_text, iris
from coopgraph.cli import exits, render
from coopgraph.store import DEFAULT_GRAPH, ChangeNote, Store
from coopgraph.store.catalog import GraphRecord, read_records
from coopgraph.store.history import (
    Delta,
    History,
    Retention,
    Version,
    compose,
    graph_name,
    view_at,
)

FORMATS = ["text", "patch", "json", "nquads"]


def add_commands(command: Any) -> None:
    p = command("history", "List the versions of the store: every ingest, write, drop and revert.")
    p.add_argument("--since", metavar="DATE", help="only versions from this date or time on (ISO 8601, UTC)")
    p.add_argument("--graph", metavar="IRI", help="only versions that changed this graph (IRI or source key)")
    p.add_argument("--resource", metavar="IRI", help="only versions that changed statements about this IRI")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--keep", type=int, metavar="N", help="from now on keep only the newest N versions")
    p.add_argument("--keep-days", type=float, metavar="DAYS", help="from now on keep versions this young")
    p.add_argument("--keep-all", action="store_true", help="keep every version again (the default)")
    p.set_defaults(run=history)

    p = command("diff", "Show what a version changed, or the net change between two versions.")
    p.add_argument("v1", type=int, metavar="V1", help="a version number (see 'coopgraph history')")
    p.add_argument(
        "v2", type=int, nargs="?", metavar="V2", help="with V2: the change from V1's state to V2's"
    )
    p.add_argument("--format", choices=FORMATS, default="text", help="text, patch (RDF Patch), json, nquads")
    p.add_argument("--lang", default="en", help="the language of labels (default en)")
    p.set_defaults(run=diff)

    p = command("revert", "Undo a version as a new version, through the validation gate.")
    p.add_argument("version", type=int, metavar="V")
    p.add_argument("-m", "--message", help="why (kept with the new version)")
    p.add_argument("--wait", type=float, default=600.0, metavar="SECONDS", help="wait for another writer")
    p.set_defaults(run=revert)


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise exits.Failure(exits.USAGE, f"error: --since {text!r}: give a date as 2025-04-14") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _graph(store: Store, name: str | None) -> str | None:
    if name is None:
        return None
    by_key = {r.key: g for g, r in store.records().items()}
    return by_key.get(name, name)


def select(
    history: History,
    published: str | None,
    since: datetime | None = None,
    graph: str | None = None,
    resource: str | None = None,
) -> list[Version]:
    """The published versions that pass the filters, oldest first."""
    found = []
    for v in history.versions(published):
        if since is not None and v.when < since:
            continue
        if graph is not None and graph not in v.graphs:
            continue
        if resource is not None and not history.touches(v.number, resource):
            continue
        found.append(v)
    return found


def history(args: argparse.Namespace) -> int:
    store = exits.open_store(args)
    try:
        log = History(store.root)
        if args.keep_all or args.keep is not None or args.keep_days is not None:
            retention = Retention() if args.keep_all else Retention(args.keep, args.keep_days)
            log.set_retention(retention)
            gone = log.prune(store.generation)
            print(f"retention set; {len(gone)} old version(s) removed", file=sys.stderr)
        versions = select(log, store.generation, _since(args.since), _graph(store, args.graph), args.resource)
        if args.format == "json":
            print(json.dumps([v.as_dict() for v in versions], ensure_ascii=False, indent=2))
        elif versions:
            print(change_text.listing(versions))
        else:
            print("no version (the store keeps one per change from now on)", file=sys.stderr)
    finally:
        store.close()
    return exits.OK


def report_history(args: argparse.Namespace) -> int:
    """``coopgraph graphs --history``: each version's validation summary, newest first."""
    store = exits.open_store(args)
    try:
        versions = list(reversed(History(store.root).versions(store.generation)))
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps([change_text.activity(v) for v in versions], ensure_ascii=False, indent=2))
        return exits.OK
    for v in versions:
        print(f"v{v.number}  {v.time}  {v.kind:<7} {v.who:<12} {change_text.verdict(v)}")
    return exits.OK


def store_at(store: Store, number: int) -> Any:
    """``coopgraph query --version N``: the store as it stood right after version N."""
    try:
        return view_at(History(store.root), store.view(), number)
    except ValueError as e:
        raise exits.Failure(exits.BAD_INPUT, f"error: {e}") from None
    finally:
        store.close()


def _version(log: History, store: Store, number: int) -> Version:
    version = log.version(number, store.generation)
    if version is None:
        raise exits.Failure(exits.BAD_INPUT, f"error: no version {number} (see 'coopgraph history')")
    return version


def diff(args: argparse.Namespace) -> int:
    store = exits.open_store(args)
    try:
        log = History(store.root)
        version = _version(log, store, args.v1)
        if args.v2 is None:
            delta = log.delta(version.number)
        else:
            last = _version(log, store, args.v2)
            if last.number < version.number:
                raise exits.Failure(exits.USAGE, "error: V2 must not be older than V1")
            numbers = [v.number for v in log.versions(store.generation) if version.number < v.number]
            delta = compose(log.delta(n) for n in numbers if n <= last.number)
            version = Version(
                number=last.number,
                generation=last.generation,
                time=last.time,
                who="",
                kind=f"v{args.v1}..v{args.v2}",
                message=None,
                graphs=delta.counts(),
            )
        sys.stdout.write(_render(store, version, delta, args.format, args.lang))
    finally:
        store.close()
    return exits.OK


def _render(store: Store, version: Version, delta: Delta, format: str, lang: str) -> str:
    if format == "patch":
        return change_text.as_patch(version, delta)
    if format == "json":
        return json.dumps(change_text.as_json(version, delta), ensure_ascii=False, indent=2) + "\n"
    if format == "nquads":
        return "".join(f"{q} .\n" for q in sorted(delta.added, key=str)) + "".join(
            f"# removed: {q} .\n" for q in sorted(delta.removed, key=str)
        )
    names = change_text.labels(store.view(), change_text.resources(delta), lang)
    return change_text.as_text(version, delta, names)


def revert(args: argparse.Namespace) -> int:
    from ingest.gate import Gate

    store = exits.open_store(args)
    try:
        log = History(store.root)
        version = _version(log, store, args.version)
        undo = log.delta(version.number).inverse()
        data_graphs = sorted({graph_name(q) for q in [*undo.added, *undo.removed]} - {iris.CATALOG_GRAPH})
        with store.transaction(replace=data_graphs, wait=args.wait) as tx:
            before = _records_before(log, store, version, tx)
            _apply(tx, store.view(), undo, data_graphs)
            records = tx.records()
            for graph in data_graphs:
                if not tx.has_graph(graph) or graph == DEFAULT_GRAPH:
                    records.pop(graph, None)
                elif graph in before:
                    records[graph] = dataclasses.replace(before[graph], triples=tx.count(graph))
                elif graph in records:
                    records[graph] = dataclasses.replace(records[graph], triples=tx.count(graph))
            tx.write_records(records.values())
            report = Gate().check(tx, [], replaced=data_graphs)
            if report.violations:
                raise exits.Failure(
                    exits.REJECTED, "rejected: " + render.report(report) + "\nnothing was reverted"
                )
            message = args.message or f"revert v{version.number}"
            tx.describe_change(ChangeNote("revert", message=message, validation=report.summary()))
        made = log.latest(store.generation)
        print(f"v{version.number} reverted as v{made.number if made else '?'}")
    finally:
        store.close()
    return exits.OK


def _records_before(log: History, store: Store, version: Version, tx: Any) -> dict[str, GraphRecord]:
    """The catalogue as it stood before ``version``: the one now, with every change since undone (the
    deltas are exact, blank nodes included, so undoing them in turn gives back each earlier state)."""
    later = [v.number for v in log.versions(store.generation) if v.number >= version.number]
    undo = compose(log.delta(n) for n in later).inverse()
    catalog = set(tx.quads(iris.CATALOG_GRAPH)) if tx.has_graph(iris.CATALOG_GRAPH) else set()
    catalog -= {q for q in undo.removed if graph_name(q) == iris.CATALOG_GRAPH}
    catalog |= {q for q in undo.added if graph_name(q) == iris.CATALOG_GRAPH}
    then = pyoxigraph.Store()
    then.extend(catalog)
    return read_records(lambda sparql: then.query(sparql, use_default_graph_as_union=True))


def _apply(tx: Any, view: Any, undo: Delta, graphs: list[str]) -> None:
    """Apply ``undo`` to each graph it touches (read from ``view``, the published state: the transaction's
    copy may leave the graphs it replaces out); refuse when later versions changed the same statements."""
    for graph in graphs:
        current = set(view.quads(graph)) if view.has_graph(graph) else set()
        remove = {q for q in undo.removed if graph_name(q) == graph}
        add = {q for q in undo.added if graph_name(q) == graph}
        if not remove <= current or (add & current):
            raise exits.Failure(
                exits.REJECTED,
                f"error: later versions changed the same statements of <{graph}>; revert them first "
                "(newest first); nothing was reverted",
            )
        tx.drop_graph(graph)
        kept = (current - remove) | add
        if kept:
            tx.add(kept)

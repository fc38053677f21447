"""Commands that change the store: ingest, init, drop; and validate, which loads without committing."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from coopgraph import iris
from coopgraph.cli import bootstrap, exits, render
from coopgraph.store import StoreBusy
from ingest import quarantine as quarantine_area
from ingest.batch import BatchOptions, BatchRejected, BatchResult, run
from ingest.errors import IngestError
from ingest.limits import InputLimits
from ingest.sources import Source, discover


def _summary(result: BatchResult, lang: str) -> str:
    rate = result.triples / result.seconds if result.seconds else 0
    lines = [
        f"loaded {len(result.loaded)} graph(s), {result.triples:,} triples in {result.seconds:.2f} s "
        f"({rate:,.0f} triples/s); {len(result.unchanged)} unchanged"
    ]
    for loaded in result.loaded:
        verb = "replaced" if loaded.replaced else "new"
        lines.append(f"  {verb:8} {loaded.source.key}  {loaded.triples:,} triples  <{loaded.source.graph}>")
    for source in result.unchanged:
        lines.append(f"  {'same':8} {source.key}")
    if result.report is not None and result.report.shapes_graphs:
        lines.append(render.report(result.report, lang))
    return "\n".join(lines)


def _as_json(result: BatchResult) -> dict[str, Any]:
    return {
        "loaded": [
            {"key": g.source.key, "graph": g.source.graph, "triples": g.triples, "replaced": g.replaced}
            for g in result.loaded
        ],
        "unchanged": [s.key for s in result.unchanged],
        "triples": result.triples,
        "seconds": round(result.seconds, 3),
        "generation": result.generation,
        "validation": result.report.as_dict() if result.report is not None else None,
    }


def _run_batch(args: argparse.Namespace, sources: list[Source], dry_run: bool = False) -> BatchResult:
    store = exits.open_store(args, create=True)
    fmt = getattr(args, "format", "text")
    try:
        options = BatchOptions(
            force=getattr(args, "force", False),
            keep_rejected=getattr(args, "quarantine", False),
            wait=getattr(args, "wait", 600.0),
            dry_run=dry_run,
            limits=InputLimits.from_settings(exits.settings(args)),
        )
        return run(store, sources, options)
    except IngestError as e:
        if fmt == "json":
            print(json.dumps({"errors": [p.as_dict() for p in e.problems]}, ensure_ascii=False, indent=2))
        raise exits.Failure(exits.BAD_INPUT, render.problems(e.problems) + "\nnothing was written") from None
    except BatchRejected as e:
        if fmt == "json":
            print(
                json.dumps(
                    {"rejected": e.report.as_dict(), "quarantined": e.quarantined},
                    ensure_ascii=False,
                    indent=2,
                    default=str,
                )
            )
        kept = (
            f"\nthe batch is kept in quarantine as {e.quarantined} ('coopgraph quarantine list')"
            if e.quarantined
            else ""
        )
        raise exits.Failure(
            exits.REJECTED,
            "rejected: "
            + render.report(e.report, getattr(args, "lang", "en"))
            + "\nnothing was written"
            + kept,
        ) from None
    except StoreBusy as e:
        raise exits.Failure(exits.STORE, f"error: {e}") from None
    finally:
        store.close()


def _discover(args: argparse.Namespace) -> list[Source]:
    sources, problems = discover(args.paths, role=args.role, prefix=args.prefix)
    if problems:
        raise exits.Failure(exits.BAD_INPUT, render.problems(problems) + "\nnothing was written")
    return sources


def ingest(args: argparse.Namespace) -> int:
    result = _run_batch(args, _discover(args))
    if args.format == "json":
        print(json.dumps(_as_json(result), ensure_ascii=False, indent=2, default=str))
    else:
        print(_summary(result, args.lang))
    return exits.OK


def validate(args: argparse.Namespace) -> int:
    if args.paths:
        result = _run_batch(args, _discover(args), dry_run=True)
        report = result.report
    else:
        report = _validate_store(args)
    if report is None:
        print("nothing to validate")
        return exits.OK
    if args.format == "json":
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
    elif args.format == "turtle":
        if report.raw is not None:
            sys.stdout.write(report.raw.to_rdflib().serialize(format="turtle"))
    else:
        print(render.report(report, args.lang))
    return exits.REJECTED if report.violations else exits.OK


def _validate_store(args: argparse.Namespace) -> Any:
    """Validate everything in the store against its shapes: a transaction that is never published."""
    from ingest.gate import Gate

    store = exits.open_store(args)
    try:
        with store.transaction() as tx:
            report = Gate().check(tx, sources=[], replaced=set(), everything=True)
            raise _Done(report)
    except _Done as done:
        return done.report
    finally:
        store.close()


class _Done(Exception):
    def __init__(self, report: Any) -> None:
        self.report = report


def init(args: argparse.Namespace) -> int:
    sources, problems = bootstrap.sources(seed=not args.no_seed)
    if problems:
        raise exits.Failure(exits.BAD_INPUT, render.problems(problems))
    result = _run_batch(args, sources)
    print(_summary(result, "en"))
    return exits.OK


def drop(args: argparse.Namespace) -> int:
    from ingest.gate import Gate

    store = exits.open_store(args)
    try:
        records = store.records()
        by_key = {r.key: g for g, r in records.items()}
        targets = []
        for name in args.graphs:
            graph = name if name in records else by_key.get(name)
            if graph is None or graph == iris.CATALOG_GRAPH:
                raise exits.Failure(exits.BAD_INPUT, f"error: no graph '{name}' (see 'coopgraph graphs')")
            targets.append(graph)
        with store.transaction(replace=targets) as tx:
            for graph in targets:
                tx.drop_graph(graph)
            # What is left must still hold: facts citing a dropped article, members of a dropped network.
            report = Gate().check(tx, [], replaced=targets)
            if report.violations:
                raise exits.Failure(
                    exits.REJECTED,
                    "rejected: " + render.report(report) + "\nnothing was dropped",
                )
            remaining = tx.records()
            for graph in targets:
                remaining.pop(graph, None)
            tx.write_records(remaining.values())
        for graph in targets:
            print(f"dropped <{graph}>")
    finally:
        store.close()
    return exits.OK


def quarantine(args: argparse.Namespace) -> int:
    root = exits.settings(args).store
    if args.action == "list":
        entries = quarantine_area.listing(root)
        if not entries:
            print("no rejected batch is kept")
        for entry in entries:
            files = ", ".join(s["file"] for s in entry["sources"])
            print(f"{entry['batch']}  {entry['rejected']}  {entry['violations']} violation(s)  {files}")
        return exits.OK
    if not args.batch:
        raise exits.Failure(exits.USAGE, "error: name the batch to drop (see 'coopgraph quarantine list')")
    if not quarantine_area.drop(root, args.batch):
        raise exits.Failure(exits.BAD_INPUT, f"error: no quarantined batch '{args.batch}'")
    print(f"dropped quarantined batch {args.batch}")
    return exits.OK

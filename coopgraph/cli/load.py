"""Commands that change the store: ingest, init, drop; and validate, which loads without committing."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from coopgraph import iris
from coopgraph.cli import bootstrap, exits, render, reporting
from coopgraph.store import ChangeNote, Store, StoreBusy
from ingest import quarantine as quarantine_area
from ingest.batch import BatchOptions, BatchRejected, BatchResult, run
from ingest.errors import IngestError
from ingest.limits import InputLimits
from ingest.reports.model import Report
from ingest.reports.render import render as render_report
from ingest.reports.words import say
from ingest.sources import Source, discover, replacing_another_file


def _summary(result: BatchResult, args: argparse.Namespace) -> str:
    rate = result.triples / result.seconds if result.seconds else 0
    lines = [
        f"loaded {len(result.loaded)} graph(s), {result.triples:,} triples in {result.seconds:.2f} s "
        f"({rate:,.0f} triples/s); {len(result.unchanged)} unchanged"
    ]
    for loaded in result.loaded[:20]:
        verb = "replaced" if loaded.replaced else "new"
        lines.append(f"  {verb:8} {loaded.source.key}  {loaded.triples:,} triples  <{loaded.source.graph}>")
    if len(result.loaded) > 20:
        lines.append(f"  ... and {len(result.loaded) - 20} more graph(s)")
    for source in result.unchanged[:20]:
        lines.append(f"  {'same':8} {source.key}")
    if result.report is not None and result.report.shapes_graphs:
        report = reporting.build(
            result.report, subject=reporting.subject_of([g.source for g in result.loaded])
        )
        lines.append(reporting.deliver(args, report))
    return "\n".join(lines)


def _as_json(result: BatchResult, report: Report | None) -> dict[str, Any]:
    return {
        "loaded": [
            {"key": g.source.key, "graph": g.source.graph, "triples": g.triples, "replaced": g.replaced}
            for g in result.loaded
        ],
        "unchanged": [s.key for s in result.unchanged],
        "triples": result.triples,
        "seconds": round(result.seconds, 3),
        "generation": result.generation,
        "validation": report.as_dict() if report is not None else None,
    }


def _options(args: argparse.Namespace, dry_run: bool) -> BatchOptions:
    return BatchOptions(
        force=getattr(args, "force", False),
        keep_rejected=getattr(args, "quarantine", False),
        wait=getattr(args, "wait", 600.0),
        dry_run=dry_run,
        message=getattr(args, "message", None),
        limits=InputLimits.from_settings(exits.settings(args)),
    )


def _run_batch(
    args: argparse.Namespace,
    sources: list[Source],
    dry_run: bool = False,
    store: Store | None = None,
    note: str = "",
) -> BatchResult:
    """Run one batch; bad input and rejections become failures whose text is the short report (the
    whole report goes to ``--report FILE``)."""
    owned = store is None
    store = store or exits.open_store(args, create=True)
    fmt = getattr(args, "format", "text")
    subject = reporting.subject_of(sources)
    try:
        return run(store, sources, _options(args, dry_run))
    except IngestError as e:
        report = reporting.build(e.report, e.problems, subject=subject)
        if fmt == "json":
            print(
                json.dumps(
                    {"errors": [p.as_dict() for p in e.problems], "report": report.as_dict()},
                    ensure_ascii=False,
                    indent=2,
                    default=str,
                )
            )
        # the input's problems one a line as ever; then what the shapes found in the rest
        rest = reporting.build(e.report) if e.report is not None else Report(checked=False)
        text = reporting.deliver(args, report, note, shown=rest)
        written = say(reporting.language(args), "nothing-written")
        lines = [render.problems(e.problems, reporting.language(args)), text, written + _kept(e.quarantined)]
        raise exits.Failure(exits.BAD_INPUT, "\n".join(line for line in lines if line)) from None
    except BatchRejected as e:
        report = reporting.build(e.report, subject=subject)
        if fmt == "json":
            print(
                json.dumps(
                    {"rejected": report.as_dict(), "quarantined": e.quarantined},
                    ensure_ascii=False,
                    indent=2,
                    default=str,
                )
            )
        text = reporting.deliver(args, report, note)
        lang = reporting.language(args)
        raise exits.Failure(
            exits.REJECTED,
            f"{say(lang, 'rejected', text=text)}\n{say(lang, 'nothing-written')}{_kept(e.quarantined)}",
        ) from None
    except StoreBusy as e:
        raise exits.Failure(exits.STORE, f"error: {e}") from None
    finally:
        if owned:
            store.close()


def _kept(batch: str | None) -> str:
    if not batch:
        return ""
    return (
        f"\nthe batch is kept in quarantine as {batch} ('coopgraph quarantine show {batch}'; "
        "loading the fixed files clears it)"
    )


def _discover(args: argparse.Namespace) -> list[Source]:
    sources, problems = discover(args.paths, role=args.role, prefix=args.prefix)
    if problems:
        report = reporting.build(None, problems, subject=", ".join(str(p) for p in args.paths))
        report.checked = False
        lines = [
            render.problems(problems, reporting.language(args)),
            reporting.deliver(args, report, shown=Report(checked=False)),
        ]
        written = say(reporting.language(args), "nothing-written")
        raise exits.Failure(exits.BAD_INPUT, "\n".join(line for line in lines if line) + "\n" + written)
    return sources


def ingest(args: argparse.Namespace) -> int:
    reporting.check_report_path(args)
    sources = _discover(args)
    store = exits.open_store(args, create=True)
    try:
        for warning in replacing_another_file(sources, store.records()):
            print(warning, file=sys.stderr)
        result = _run_batch(args, sources, store=store)
    finally:
        store.close()
    if args.format == "json":
        report = None
        if result.report is not None:
            report = reporting.build(result.report, subject=", ".join(str(p) for p in args.paths))
            reporting.deliver(args, report)
        print(json.dumps(_as_json(result, report), ensure_ascii=False, indent=2, default=str))
    else:
        print(_summary(result, args))
    return exits.OK


def validate(args: argparse.Namespace) -> int:
    """Check files (a dry run of their ingest) or the whole store; never a pass after checking nothing."""
    reporting.check_report_path(args)
    note = ""
    if args.paths:
        sources = _discover(args)
        with reporting.store_for_validation(args) as (store, extra, note):
            result = _run_batch(args, extra + sources, dry_run=True, store=store, note=note)
        report = reporting.build(result.report, subject=reporting.subject_of(sources))
    else:
        report = _validate_store(args)
    if not report.checked:
        reporting.deliver(args, report)
        raise exits.Failure(
            exits.STORE,
            "error: nothing was checked: the store holds no shapes (load them with 'coopgraph init', "
            "or name files to check them against the project's shapes)",
        )
    if args.format == "json":
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
        reporting.deliver(args, report)
    elif args.format == "turtle":
        sys.stdout.buffer.write(render_report(report, "turtle"))
        reporting.deliver(args, report)
    else:
        print(reporting.deliver(args, report, note))
    return exits.REJECTED if report.counts.get("Violation") else exits.OK


def _validate_store(args: argparse.Namespace) -> Report:
    """Validate everything in the store against its shapes (read only: nothing is written)."""
    from ingest.gate import Gate

    store = exits.open_store(args)
    try:
        return reporting.build(Gate().check_store(store.view()), subject=f"the store at {store.root}")
    finally:
        store.close()


def init(args: argparse.Namespace) -> int:
    reporting.check_report_path(args)
    sources, problems = bootstrap.sources(seed=not args.no_seed)
    if problems:
        raise exits.Failure(exits.BAD_INPUT, render.problems(problems))
    result = _run_batch(args, sources)
    print(_summary(result, args))
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
            tx.describe_change(ChangeNote("drop", message=args.message, validation=report.summary()))
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
        raise exits.Failure(
            exits.USAGE, f"error: name the batch to {args.action} (see 'coopgraph quarantine list')"
        )
    if args.action == "show":
        reporting.check_report_path(args)
        report = quarantine_area.report(root, args.batch)
        if report is None:
            raise exits.Failure(exits.BAD_INPUT, f"error: no quarantined batch '{args.batch}'")
        print(reporting.deliver(args, report))
        return exits.OK
    if not quarantine_area.drop(root, args.batch):
        raise exits.Failure(exits.BAD_INPUT, f"error: no quarantined batch '{args.batch}'")
    print(f"dropped quarantined batch {args.batch}")
    return exits.OK

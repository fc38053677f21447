"""Commands that read the store: query, export, graphs, stats."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import Any

from pyoxigraph import QueryBoolean, QuerySolutions, RdfFormat, serialize

from coopgraph import iris
from coopgraph.cli import exits, render
from coopgraph.formats import RESULTS_FORMATS, rdf_format_by_name
from coopgraph.saved_queries import (
    BadParameter,
    SavedQuery,
    SavedQueryError,
    candidates_query,
    existing_query,
    first_missing,
    load_all,
    unknown_resource,
)
from coopgraph.sparql_errors import explain
from server.workers.dumps import write_dumps  # the server's own writer: the same files as /dumps/

_RESULTS = {f.name: f for f in RESULTS_FORMATS}
#: Where an update given to ``coopgraph query`` goes instead.
CLI_UPDATE_HINT = (
    "coopgraph query runs queries only; load files with `coopgraph ingest`, or send the update with POST "
    "to a server's /update"
)


def _query_text(args: argparse.Namespace) -> tuple[str, dict[str, Any], SavedQuery | None, dict[str, str]]:
    """The query to run and its bindings: a saved query's name, a .rq file, or SPARQL text; the saved
    query and the values given to it."""
    text = args.query
    values = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep:
            raise exits.Failure(exits.USAGE, f"error: --param {item}: write NAME=VALUE")
        values[name.strip()] = value
    try:
        saved = load_all().get(text)
    except SavedQueryError as e:
        raise exits.Failure(exits.INTERNAL, f"error: {e}") from None
    if saved is not None:
        try:
            return saved.query, saved.bindings(values), saved, values
        except BadParameter as e:
            raise exits.Failure(exits.USAGE, f"error: {e}") from None
    if values:
        raise exits.Failure(
            exits.USAGE,
            f"error: --param is for saved queries; '{text[:40]}' is not one (see 'coopgraph query --list')",
        )
    path = Path(text)
    if len(text) < 4096 and "\n" not in text and path.suffix in (".rq", ".sparql") and path.is_file():
        return path.read_text(encoding="utf-8"), {}, None, {}
    return text, {}, None, {}


def _check_resources(store: Any, saved: SavedQuery, values: dict[str, str]) -> None:
    """A clear error, naming the parameter and the closest resources, when an IRI given to a saved
    query is named nowhere in the store (the answer would be an empty table)."""
    given = saved.given_iris(values)
    if not given:
        return
    existing = {row["iri"].value for row in store.query(existing_query(given))}
    name = first_missing(given, existing)
    if name is not None:
        parameter = saved.parameter(name)
        rows = store.query(candidates_query(parameter))
        labelled = [(row["s"].value, row["label"].value) for row in rows]
        raise exits.Failure(exits.BAD_INPUT, f"error: {unknown_resource(parameter, values[name], labelled)}")


def list_saved() -> int:
    for saved in load_all().values():
        params = " ".join(f"--param {p.name}=…" for p in saved.parameters)
        print(f"{saved.name:40} {saved.title}" + (f"\n{'':40} {params}" if params else ""))
    return exits.OK


def _with_timeout(work: Any, timeout: float | None) -> Any:
    """Run ``work`` on a thread; pyoxigraph cannot be interrupted, so a timeout ends the process."""
    if timeout is None:
        return work()
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as e:  # re-raised on the caller's thread
            outcome["error"] = e

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise exits.Failure(exits.QUERY, f"error: the query ran longer than {timeout:g} s and was stopped")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def query(args: argparse.Namespace) -> int:
    if args.list:
        return list_saved()
    if args.query is None:
        raise exits.Failure(
            exits.USAGE, "error: give a query (SPARQL text, a .rq file or a saved query's name)"
        )
    sparql, bindings, saved, values = _query_text(args)
    store = exits.open_store(args)
    if getattr(args, "version", None) is not None:
        from coopgraph.cli import history

        store = history.store_at(store, args.version)
    if saved is not None:
        _check_resources(store, saved, values)
    fmt = args.format.lower()

    def work() -> bytes | str:
        results = store.query(sparql, substitutions=bindings or None)
        if isinstance(results, QuerySolutions | QueryBoolean):
            if fmt == "table":
                if isinstance(results, QueryBoolean):
                    return "true" if bool(results) else "false"
                variables = [v.value for v in results.variables]
                return render.table(variables, ([row[v] for v in variables] for row in results))
            if fmt not in _RESULTS:
                raise exits.Failure(exits.USAGE, f"error: --format {fmt}: use table, csv, tsv, json or xml")
            return results.serialize(format=_RESULTS[fmt].oxigraph)
        try:
            rdf = rdf_format_by_name("turtle" if fmt == "table" else fmt)
        except ValueError as e:
            raise exits.Failure(exits.USAGE, f"error: --format: {e}") from None
        prefixes = iris.PREFIXES if rdf.oxigraph in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
        return serialize(results, format=rdf.oxigraph, prefixes=prefixes)

    try:
        out = _with_timeout(work, args.timeout)
    except SyntaxError as e:
        message = explain(sparql, e, update_hint=CLI_UPDATE_HINT)
        raise exits.Failure(exits.QUERY, f"error: the query is not valid SPARQL: {message}") from None
    except OSError as e:
        raise exits.Failure(exits.QUERY, f"error: {e}") from None
    if isinstance(out, bytes):
        sys.stdout.buffer.write(out)
        sys.stdout.flush()
    else:
        print(out)
    return exits.OK


def export(args: argparse.Namespace) -> int:
    store = exits.open_store(args)
    if args.dumps is not None:
        return _export_dumps(store, args.dumps, args.context_url)
    try:
        fmt = rdf_format_by_name(args.format)
    except ValueError as e:
        raise exits.Failure(exits.USAGE, f"error: --format: {e}") from None
    if args.graph and args.graph not in store.graph_names():
        raise exits.Failure(exits.BAD_INPUT, f"error: no graph <{args.graph}> (see 'coopgraph graphs')")
    try:
        if args.output:
            with open(args.output, "wb") as out:
                store.dump(out, fmt.oxigraph, args.graph)
        else:
            store.dump(sys.stdout.buffer, fmt.oxigraph, args.graph)
            sys.stdout.flush()
    except ValueError as e:
        raise exits.Failure(exits.USAGE, f"error: {e}") from None
    return exits.OK


def _export_dumps(store: Any, directory: Path, context_url: str) -> int:
    """The files the server offers at ``/dumps/``, with their manifest and SHA256SUMS."""
    if directory.exists() and any(directory.iterdir()):
        raise exits.Failure(exits.USAGE, f"error: --dumps: {directory} is not empty")
    for dump in write_dumps(store.view(), directory, context_url):
        print(f"{dump.sha256}  {directory / dump.name}")
    return exits.OK


def graphs(args: argparse.Namespace) -> int:
    if getattr(args, "history", False):
        from coopgraph.cli import history

        return history.report_history(args)
    store = exits.open_store(args)
    records = sorted(store.records().values(), key=lambda r: (r.role, r.key))
    if args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "graph": r.graph,
                        "role": r.role,
                        "key": r.key,
                        "source": r.source,
                        "triples": r.triples,
                        "loaded": r.loaded.isoformat(),
                        "checksum": r.checksum,
                        "mediaType": r.media_type,
                        "loadedFrom": r.loaded_from,
                    }
                    for r in records
                ],
                indent=2,
            )
        )
        return exits.OK
    from pyoxigraph import Literal

    rows = [
        [
            Literal(r.role),
            Literal(r.key),
            Literal(f"{r.triples:,}"),
            Literal(r.loaded.isoformat()),
            Literal(r.graph),
        ]
        for r in records
    ]
    print(render.table(["role", "key", "triples", "loaded", "graph"], rows, max_width=90))
    return exits.OK


_STATS = [
    ("triples", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
    ("subjects", "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
    ("classes", "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"),
]
_TOP_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) LIMIT 15"
_TOP_PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) LIMIT 15"


def stats(args: argparse.Namespace) -> int:
    store = exits.open_store(args)
    records = store.records()
    figures: dict[str, Any] = {"graphs": len(records), "generation": store.generation}
    for name, sparql in _STATS:
        figures[name] = int(next(iter(store.query(sparql)))["n"].value)
    by_role: dict[str, int] = {}
    for r in records.values():
        by_role[r.role] = by_role.get(r.role, 0) + r.triples
    figures["triplesByRole"] = by_role
    figures["classes_top"] = [(row["c"].value, int(row["n"].value)) for row in store.query(_TOP_CLASSES)]
    figures["properties_top"] = [
        (row["p"].value, int(row["n"].value)) for row in store.query(_TOP_PROPERTIES)
    ]
    if args.format == "json":
        print(json.dumps(figures, indent=2))
        return exits.OK
    print(
        f"generation {figures['generation']}: {figures['graphs']} graphs, {figures['triples']:,} triples, "
        f"{figures['subjects']:,} subjects, {figures['classes']:,} classes"
    )
    print("by role: " + ", ".join(f"{k} {v:,}" for k, v in sorted(by_role.items())))
    print("\ninstances per class:")
    for iri, n in figures["classes_top"]:
        print(f"  {n:>10,}  {iris.compact(iri)}")
    print("\nuses per property:")
    for iri, n in figures["properties_top"]:
        print(f"  {n:>10,}  {iris.compact(iri)}")
    return exits.OK

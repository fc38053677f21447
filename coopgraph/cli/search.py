"""Commands that find resources by name: search, and reconcile (a table's names matched to IRIs)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

from coopgraph.cli import exits, render
from coopgraph.search import SearchIndex, check_kinds, ensure_index
from coopgraph.search.reconcile import reconcile as reconcile_one


def _index(args: argparse.Namespace) -> SearchIndex:
    """The search index of the store's published state (built now if this is its first search)."""
    store = exits.open_store(args)
    return SearchIndex(ensure_index(store.view()))


def _kinds(args: argparse.Namespace) -> list[str]:
    try:
        return check_kinds(args.type or [])
    except ValueError as e:
        raise exits.Failure(exits.USAGE, f"error: --type: {e}") from None


def search(args: argparse.Namespace) -> int:
    kinds = _kinds(args)
    hits = _index(args).search(
        args.text, kinds=kinds, countries=args.country or [], lang=args.lang, limit=args.limit
    )
    if args.format == "json":
        json.dump([h.as_json() for h in hits], sys.stdout, ensure_ascii=False, indent=2)
        print()
        return exits.OK
    rows = [(h.iri, h.label, " ".join(h.kinds), " ".join(h.countries), h.why) for h in hits]
    print(render.table(["iri", "label", "type", "country", "why"], rows, max_width=70))
    return exits.OK


def _read_table(path: Path) -> tuple[list[str], list[dict[str, str]], csv.Dialect | type[csv.Dialect]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise exits.Failure(exits.BAD_INPUT, f"error: {path}: {e}") from None
    dialect: csv.Dialect | type[csv.Dialect] = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    rows = list(reader)
    return list(reader.fieldnames or []), rows, dialect


def reconcile(args: argparse.Namespace) -> int:
    kinds = _kinds(args)
    columns, rows, dialect = _read_table(args.table)
    for wanted in (args.column, args.country_column):
        if wanted and wanted not in columns:
            raise exits.Failure(
                exits.USAGE,
                f"error: {args.table} has no column {wanted!r}; its columns: {', '.join(columns)}",
            )
    index = _index(args)
    added = [f"{args.column}_{suffix}" for suffix in ("iri", "label", "score", "match")]
    matched = 0
    for row in rows:
        constraints = []
        if args.country_column and (row.get(args.country_column) or "").strip():
            constraints.append(("country", [row[args.country_column]]))
        found = reconcile_one(index, row.get(args.column) or "", kinds, 1, constraints, args.lang)
        best = found[0] if found and found[0]["score"] >= args.min_score else None
        values = (
            (best["id"], best["name"], f"{best['score']:.1f}", str(best["match"]).lower())
            if best
            else ("",) * 4
        )
        row.update(zip(added, values, strict=True))
        matched += bool(best and best["match"])

    def write(out: IO[str]) -> None:
        writer = csv.DictWriter(
            out, fieldnames=columns + [c for c in added if c not in columns], dialect=dialect
        )
        writer.writeheader()
        writer.writerows(rows)

    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            write(out)
    else:
        write(sys.stdout)
        sys.stdout.flush()
    print(f"{len(rows)} row(s), {matched} matched with certainty", file=sys.stderr)
    return exits.OK


def add_commands(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """``search`` and ``reconcile`` on the command line's parser."""
    from coopgraph.search import KINDS

    types = f"narrow to a type (repeatable): {', '.join(KINDS)}"
    p = command("search", "Find resources by name: any language, with or without accents, or by code.")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--type", action="append", metavar="TYPE", help=types)
    p.add_argument(
        "--country", action="append", metavar="CODE", help="narrow to a country (ISO code, e.g. vn)"
    )
    p.add_argument("--lang", default="en", help="language of the labels shown (default en)")
    p.add_argument("--limit", type=int, default=10, help="how many results (default 10)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(run=search)

    p = command(
        "reconcile",
        "Match a CSV table's names to resources: writes the table with IRI, label, score and match columns.",
    )
    p.add_argument("table", type=Path, metavar="TABLE.csv")
    p.add_argument("--column", required=True, help="the column holding the names")
    p.add_argument("--type", action="append", metavar="TYPE", help=types)
    p.add_argument("--country-column", metavar="COLUMN", help="a column of countries (ISO code or name)")
    p.add_argument("--lang", default="en", help="language of the labels written (default en)")
    p.add_argument(
        "--min-score", type=float, default=50.0, help="leave the row blank below this score (default 50)"
    )
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: standard output")
    p.set_defaults(run=reconcile)

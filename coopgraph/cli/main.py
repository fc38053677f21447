"""The ``coopgraph`` command line: one command, a subcommand per job, the same flags everywhere."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from coopgraph import iris
from coopgraph.cli import exits
from coopgraph.disk_space import is_disk_full
from ingest.reports.words import LANGUAGES

#: The JSON-LD context the dumps name (the server names its own address instead).
DEFAULT_CONTEXT_URL = iris.BASE + "context.jsonld"
EPILOG = """exit codes:
  0  success
  1  internal error (a bug: please report it)
  2  usage error
  3  bad input: a file could not be read or mapped; nothing was written
  4  rejected by validation: the data violates the shapes; nothing was written
  5  store unavailable: missing, or held by another writer for too long
  6  query error: the query is not valid SPARQL, or it ran out of time
  7  disk full: no space left to write the store or the output; the store is unchanged
  8  address in use: another program listens on the host and port `serve` was given

The store is --store DIR, else $COOPGRAPH_STORE, else ~/.local/share/coopgraph/store."""


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="DIR|URL",
        help="the store directory, or a SPARQL server (sparql+http://host:port/path)",
    )
    parser.add_argument("--config", type=Path, metavar="FILE", help="a TOML settings file")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coopgraph",
        description="The knowledge graph of international cooperation in education.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help,
            description=help,
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _common(p)
        return p

    _writing_commands(command)
    _reading_commands(command)
    _serve_command(command)
    _mcp_command(command)
    return parser


Command = Callable[[str, str], argparse.ArgumentParser]


def _writing_commands(command: Command) -> None:
    """The commands that load, check or remove data."""
    from coopgraph.cli import load

    p = command("ingest", "Load files or folders (recursively) as one atomic, validated batch.")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument(
        "--role",
        choices=["data", "ontology", "vocabulary", "shapes"],
        default="data",
        help="what the files are (default: data)",
    )
    p.add_argument("--prefix", default="", help="prepended to each file's graph key, e.g. 'partner-x/'")
    p.add_argument("--force", action="store_true", help="reload sources whose checksum is unchanged")
    p.add_argument("-m", "--message", help="why: kept with the version this ingest makes")
    p.add_argument(
        "--quarantine",
        action="store_true",
        help="keep a rejected batch in the quarantine area for repair (see 'coopgraph quarantine')",
    )
    p.add_argument("--format", choices=["text", "json"], default="text", help="summary format")
    _report_options(p)
    p.add_argument(
        "--wait",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="how long to wait for another writer (default 600)",
    )
    p.set_defaults(run=load.ingest)

    p = command(
        "validate", "Check files against the store's shapes without loading them, or the whole store."
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    p.add_argument("--role", choices=["data", "ontology", "vocabulary", "shapes"], default="data")
    p.add_argument("--prefix", default="")
    p.add_argument("--format", choices=["text", "json", "turtle"], default="text")
    _report_options(p)
    p.set_defaults(run=load.validate)

    p = command("init", "Load the ontology, vocabularies, shapes and (unless --no-seed) the seed dataset.")
    p.add_argument("--no-seed", action="store_true", help="leave the seed dataset out")
    p.add_argument("-m", "--message", help="why: kept with the version this makes")
    _report_options(p)
    p.set_defaults(run=load.init)

    p = command("drop", "Remove named graphs (and their catalogue records) in one step.")
    p.add_argument(
        "graphs", nargs="+", metavar="GRAPH", help="graph IRI, or the source key shown by 'graphs'"
    )
    p.add_argument("-m", "--message", help="why: kept with the version this drop makes")
    p.set_defaults(run=load.drop)

    p = command(
        "quarantine", "List rejected batches kept with --quarantine, show one's report, or remove one."
    )
    p.add_argument("action", choices=["list", "show", "drop"])
    p.add_argument("batch", nargs="?", help="the batch id (for show and drop)")
    _report_options(p)
    p.set_defaults(run=load.quarantine)


def _report_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        help="write the whole validation report to FILE: .html, .csv, .ttl, .jsonld or .json",
    )
    p.add_argument(
        "--lang", choices=list(LANGUAGES), default="en", help="language of the report (en, vi, fr)"
    )


def _reading_commands(command: Command) -> None:
    """The commands that read the store."""
    from coopgraph.cli import read

    p = command("query", "Run a SPARQL query (text, a .rq file, or a saved query's name).")
    p.add_argument("query", metavar="SPARQL-or-FILE-or-NAME", nargs="?")
    p.add_argument("--list", action="store_true", help="list the saved queries and their parameters")
    p.add_argument(
        "--format",
        default="table",
        help="table, csv, tsv, json, xml (SELECT/ASK); turtle, nt, nquads, trig, jsonld, rdfxml (CONSTRUCT)",
    )
    p.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="a saved query's parameter"
    )
    p.add_argument(
        "--timeout", type=float, default=None, metavar="SECONDS", help="stop the query after this long"
    )
    p.add_argument(
        "--version",
        type=int,
        metavar="N",
        help="query the store as it stood right after version N (rebuilt in memory; see 'history')",
    )
    p.set_defaults(run=read.query)

    p = command("export", "Write the store, or one graph, as RDF.")
    p.add_argument("--graph", metavar="IRI", help="only this named graph")
    p.add_argument(
        "--format", default="nquads", help="nquads, trig (whole store); turtle, nt, jsonld, rdfxml (a graph)"
    )
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: standard output")
    p.add_argument(
        "--dumps",
        type=Path,
        metavar="DIR",
        help="write the server's dump files into DIR instead (gzipped N-Quads, TriG, JSON-LD; one per graph)",
    )
    p.add_argument(
        "--context-url",
        default=DEFAULT_CONTEXT_URL,
        metavar="URL",
        help="the @context the JSON-LD dump names (default: %(default)s)",
    )
    p.set_defaults(run=read.export)

    p = command("graphs", "List the named graphs with their source, role, size and load time.")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument(
        "--history",
        action="store_true",
        help="instead: each change's validation summary (who, when, counts)",
    )
    p.set_defaults(run=read.graphs)

    p = command("stats", "Counts: graphs, triples, classes and the most used properties.")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(run=read.stats)

    from coopgraph.cli import search

    search.add_commands(command)

    from coopgraph.cli import history

    history.add_commands(command)


def _serve_command(command: Command) -> None:
    p = command("serve", "Serve the SPARQL endpoint, saved queries and pages.")
    p.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 8000)")
    p.add_argument("--workers", type=int, help="query worker processes (default: two per core, at most 8)")
    p.add_argument("--query-timeout", type=float, metavar="SECONDS", help="query time limit (default 30)")
    p.add_argument("--no-seed", action="store_true", help="on first start, leave the seed dataset out")
    p.add_argument(
        "--strict-dataset",
        action="store_true",
        default=None,
        help="a query's default graph is the store's own default graph, not the union of all graphs, and the "
        "ontology, vocabularies, shapes and catalogue graphs are in its dataset only when it names them "
        "(setting strict_dataset)",
    )
    p.set_defaults(run=_serve)


def _serve(args: argparse.Namespace) -> int:
    from coopgraph.cli.serve import serve

    return serve(args)


def _mcp_command(command: Command) -> None:
    p = command(
        "mcp", "Serve the read-only tools for AI assistants (Model Context Protocol) on stdin/stdout."
    )
    p.add_argument("--workers", type=int, help="query worker processes (default: two per core, at most 8)")
    p.add_argument("--query-timeout", type=float, metavar="SECONDS", help="query time limit (default 30)")
    p.set_defaults(run=_mcp)


def _mcp(args: argparse.Namespace) -> int:
    from coopgraph.cli.mcp import mcp

    return mcp(args)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except BrokenPipeError:  # the reader of our output went away (| head): not an error
        sys.stderr.close()
        return exits.OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except exits.Failure as failure:
        print(failure.message, file=sys.stderr)
        return failure.code
    except Exception as e:  # a bug (unless the disk is full): say so briefly; the traceback is for developers
        if is_disk_full(e):
            print(
                f"error: the disk is full: {e}\nnothing was written; the store keeps its last complete "
                "state (free some space and run the command again)",
                file=sys.stderr,
            )
            return exits.DISK_FULL
        if os.environ.get("COOPGRAPH_DEBUG"):
            traceback.print_exc()
        print(
            f"internal error: {type(e).__name__}: {e}\n(this is a bug in coopgraph; run with "
            "COOPGRAPH_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return exits.INTERNAL


if __name__ == "__main__":
    sys.exit(main())

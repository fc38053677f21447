"""``coopgraph serve``: prepare the store, then run the HTTP server."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
import traceback

from coopgraph.cli import bootstrap, exits, render
from coopgraph.iris import SYSTEM_ROLES
from coopgraph.settings import PROJECT_ROOT
from coopgraph.store import Store, StoreBusy
from ingest.batch import BatchRejected, run
from ingest.errors import IngestError
from ingest.sources import Source

#: The HTTP servers ``coopgraph serve`` can run the app under (the setting ``front``).
FRONTS = ("uvicorn", "granian")


def prepare(args: argparse.Namespace, seed: bool) -> None:
    """First start: load the ontology, vocabularies, shapes and seed data. Later starts: reload whichever of
    the ontology, vocabularies and shapes changed on disk (the seed data is the steward's to change)."""
    store = exits.open_store(args, create=True)
    try:
        try:
            new = not store.records()
            sources, problems = bootstrap.sources(seed=seed and new)
            if problems:
                raise exits.Failure(exits.BAD_INPUT, render.problems(problems))
            if not new:
                report_lost(store, sources)
            result = run(store, sources)
            if result.loaded:
                print(
                    f"loaded {len(result.loaded)} graph(s), {result.triples:,} triples "
                    f"in {result.seconds:.1f} s",
                    file=sys.stderr,
                )
        except IngestError as e:
            raise exits.Failure(exits.BAD_INPUT, render.problems(e.problems)) from None
        except BatchRejected as e:
            raise exits.Failure(
                exits.REJECTED, "the bundled data does not conform: " + render.report(e.report)
            ) from None
        compact(store)
    finally:
        store.close()


def report_lost(store: Store, sources: list[Source]) -> None:
    """Say which of the graphs coopgraph maintains the store has lost: the batch that follows loads them
    again from the project's files (see :func:`ingest.batch.plan`)."""
    view = store.view()
    for source in sources:
        if source.role in SYSTEM_ROLES and not view.has_graph(source.graph):
            print(
                f"coopgraph: repaired the store: the {source.role} graph <{source.graph}> was missing; "
                f"reloaded from {source.path.relative_to(PROJECT_ROOT)}",
                file=sys.stderr,
            )


def compact(store: Store) -> None:
    """Compact the store (see :meth:`Store.compact`) before the workers open it; skipped if another writer
    holds the store."""
    started = time.perf_counter()
    try:
        if not store.compact(wait=0):
            return
    except StoreBusy:
        return
    print(f"compacted the store in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def prepare_apart(args: argparse.Namespace, seed: bool) -> None:
    """:func:`prepare` in a child process. Loading and compacting a large store takes memory in proportion
    to it (the front process held 472 MB after compacting a store of 1M triples, bench/RESULTS.md) that a
    process does not give back: the front process, which then serves for days, starts without it."""
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: prepare, send the failure's message (if any), exit with its code
        os.close(read_end)
        code, message = exits.OK, ""
        try:
            prepare(args, seed)
        except exits.Failure as e:
            code, message = e.code, e.message
        except BaseException:
            traceback.print_exc()
            code, message = exits.INTERNAL, "error: the store could not be prepared (see above)"
        with os.fdopen(write_end, "w", encoding="utf-8") as out:
            out.write(message)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, encoding="utf-8") as answer:
        message = answer.read()
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if code != exits.OK:
        raise exits.Failure(
            code if code > 0 else exits.INTERNAL, message or f"error: preparing the store ended ({code})"
        )


def serve(args: argparse.Namespace) -> int:
    """Bind the port first: a second server on a port in use stops there, before it touches the store."""
    from server.http.access_log import STYLES
    from server.http.app import create_app
    from server.http.running import AddressInUse, bind, run

    settings = exits.settings(args)
    if settings.access_log not in STYLES:
        raise exits.Failure(
            exits.USAGE,
            f"error: settings: access_log is one of {', '.join(STYLES)}, not {settings.access_log!r}",
        )
    if settings.front not in FRONTS:
        raise exits.Failure(
            exits.USAGE, f"error: settings: front is one of {', '.join(FRONTS)}, not {settings.front!r}"
        )
    if settings.front == "granian" and importlib.util.find_spec("granian") is None:
        raise exits.Failure(
            exits.USAGE, "error: settings: front = granian needs Granian: pip install 'coopgraph[granian]'"
        )
    try:
        sock = bind(settings.host, settings.port)
    except AddressInUse:
        raise exits.Failure(
            exits.ADDRESS_IN_USE,
            f"error: {settings.host}:{settings.port} is already in use (another coopgraph serve?); "
            "stop that server or choose another port with --port. The store was not touched.",
        ) from None
    except OSError as e:
        raise exits.Failure(
            exits.USAGE, f"error: cannot listen on {settings.host}:{settings.port}: {e}"
        ) from None
    with sock:
        prepare_apart(args, seed=not args.no_seed)
        app = create_app(settings)
        print(
            f"coopgraph: serving {settings.store} at http://{settings.host}:{settings.port}/", file=sys.stderr
        )
        if settings.front == "granian":
            from server.http.granian_front import run as run_granian

            run_granian(app, settings, sock)
        else:
            run(app, settings, sock)
    return exits.OK

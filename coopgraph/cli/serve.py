"""``coopgraph serve``: prepare the store, then run the HTTP server."""

from __future__ import annotations

import argparse
import sys
import time

from coopgraph.cli import bootstrap, exits, render
from coopgraph.store import Store, StoreBusy
from ingest.batch import BatchRejected, run
from ingest.errors import IngestError


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


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.http.app import create_app

    settings = exits.settings(args)
    prepare(args, seed=not args.no_seed)
    app = create_app(settings)
    print(f"coopgraph: serving {settings.store} at http://{settings.host}:{settings.port}/", file=sys.stderr)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
        timeout_graceful_shutdown=5,
    )
    return exits.OK

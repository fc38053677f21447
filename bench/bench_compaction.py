"""Compaction: disk and aggregate speed of a generation written through the store's transactions (as the
server's write worker writes), before and after compaction, against the same data freshly bulk-loaded.

* ``fresh``      pyoxigraph ``bulk_load`` of the store's N-Quads dump into a new directory (the reference)
* ``written``    the pipeline's ingest of the file, then ``--writes`` small transactions (SPARQL updates):
                 the generation the server publishes after writes
* ``optimize``   that generation compacted by RocksDB's ``optimize()`` (the compaction before this change)
* ``rebuilt``    that generation compacted as ``coopgraph`` now does, in the background after writes
                 (every quad through the bulk loader into a new generation)

    python bench/bench_compaction.py [--triples 1000000] [--writes 20] [--repeat 5]

Prints, for each, the disk it takes (files with several links counted once) and the median time of
aggregate queries over the whole store; writes nothing to the repository.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

import pyoxigraph  # noqa: E402

from bench.bench_ingest import write_plain  # noqa: E402

AGGREGATES = {
    "count by predicate": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
    "distinct subjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
    "years": "SELECT (MIN(?y) AS ?a) (MAX(?y) AS ?b) WHERE { ?s <http://example.org/bench/year> ?y }",
}


def disk_bytes(folder: Path) -> int:
    seen: set[int] = set()
    total = 0
    for directory, _, files in os.walk(folder):
        for name in files:
            st = os.lstat(os.path.join(directory, name))
            if st.st_ino not in seen:
                seen.add(st.st_ino)
                total += st.st_blocks * 512
    return total


def aggregate_ms(path: Path, repeat: int) -> float:
    """The median over ``repeat`` rounds of the summed time of the aggregates (after one warm-up round)."""
    store = pyoxigraph.Store.read_only(str(path))
    rounds = []
    for n in range(repeat + 1):
        started = time.perf_counter()
        for query in AGGREGATES.values():
            list(store.query(query, use_default_graph_as_union=True))
        if n:
            rounds.append((time.perf_counter() - started) * 1000)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None, help="a scratch folder (default: a temporary one)")
    args = parser.parse_args()

    from coopgraph.store.compaction import compact_in_background_once
    from coopgraph.store.local import LocalStore
    from ingest.batch import run
    from ingest.progress import Progress
    from ingest.sources import discover

    work = Path(args.work or tempfile.mkdtemp(prefix="coopgraph-bench-"))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    data = work / "plain.nt"
    write_plain(data, args.triples)

    store = LocalStore(work / "store")
    sources, problems = discover([data])
    assert not problems, problems
    run(store, sources, progress=Progress(1, enabled=False))
    for i in range(args.writes):
        with store.transaction() as tx:
            tx.update(
                f"INSERT DATA {{ GRAPH <http://example.org/bench/w{i}> {{ "
                f'<http://example.org/bench/w{i}> <http://example.org/bench/name> "write {i}" }} }}'
            )
    store.collect()
    written = store.generations.gens / store.generation
    dump = io.BytesIO()
    store.dump(dump, pyoxigraph.RdfFormat.N_QUADS)
    fresh = work / "fresh"
    loaded = pyoxigraph.Store(str(fresh))
    loaded.bulk_load(dump.getvalue(), format=pyoxigraph.RdfFormat.N_QUADS)
    loaded.flush()
    del loaded, dump

    optimized = work / "optimized"
    pyoxigraph.Store.read_only(str(written)).backup(str(optimized))
    opened = pyoxigraph.Store(str(optimized))
    started = time.perf_counter()
    opened.optimize()
    opened.flush()
    optimize_s = time.perf_counter() - started
    del opened

    started = time.perf_counter()
    name = compact_in_background_once(store.generations, quiet=0.01)
    rebuild_s = time.perf_counter() - started
    assert name is not None
    rebuilt = store.generations.gens / name
    store.close()

    rows = [
        ("fresh bulk_load", fresh, None),
        (f"written ({args.writes} writes)", written, None),
        ("optimize() (before)", optimized, optimize_s),
        ("rebuilt (now)", rebuilt, rebuild_s),
    ]
    reference = aggregate_ms(fresh, args.repeat)
    print(f"{args.triples:,} triples, {args.writes} writes, median of {args.repeat}")
    print(
        f"{'generation':26} {'disk MB':>8} {'vs fresh':>8} {'aggregates ms':>14} {'vs fresh':>8} "
        f"{'compact s':>9}"
    )
    fresh_disk = disk_bytes(fresh)
    for label, path, seconds in rows:
        ms = reference if path == fresh else aggregate_ms(path, args.repeat)
        disk = disk_bytes(path)
        took = f"{seconds:9.1f}" if seconds is not None else f"{'—':>9}"
        print(
            f"{label:26} {disk / 1e6:8.1f} {disk / fresh_disk:8.2f} {ms:14.1f} {ms / reference:8.2f} {took}"
        )
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Recording the version of a new graph: its delta written from the file it was loaded from, against the
graph read back out of the store (the way before), in the same process and the same minutes.

    python bench/bench_version_delta.py FILE.nt [--rounds 2] [--check]

Loads FILE (N-Triples) into a new graph of a scratch store as ingest does (the bulk loader), then, inside
the transaction, makes the delta and writes the version's files (``History.record``, gzipped N-Quads) each
way, by turns; ``--check`` also reads both deltas back and compares them as sets of quads. Prints one JSON
line: seconds of each (delta, record), the files' sizes, and the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pyoxigraph import RdfFormat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coopgraph.store import LoadedFile
from coopgraph.store.history import History, graph_delta
from coopgraph.store.local import LocalStore

GRAPH = "https://w3id.org/coopgraph/graph/data/bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--check", action="store_true", help="compare both deltas as sets of quads")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="version-delta-"))
    figures: dict[str, list[float]] = {"from_file": [], "read_back": []}
    sizes: dict[str, int] = {}
    try:
        store = LocalStore(scratch / "store")
        with store.transaction() as tx:
            started = time.perf_counter()
            tx.load(args.file, RdfFormat.N_TRIPLES, GRAPH)
            loaded = time.perf_counter() - started
            source = LoadedFile(args.file, RdfFormat.N_TRIPLES, None, tx.count(GRAPH))
            tx.loaded_from(GRAPH, source)
            for n in range(args.rounds):
                for way, inputs in (("from_file", tx.inputs()), ("read_back", {})):
                    history = History(scratch / f"{way}-{n}")
                    started = time.perf_counter()
                    delta = graph_delta(None, tx._store, [GRAPH], inputs)
                    version = history.record("g1", None, None, delta)
                    figures[way].append(time.perf_counter() - started)
                    sizes[way] = (history.dir / f"v{version.number:08d}.added.nq.gz").stat().st_size
                    assert version.graphs[GRAPH]["added"] == source.triples, version.graphs
                    assert way == "read_back" or delta.written, "the delta was not written from the file"
                    del delta
            if args.check:
                a = set(History(scratch / "from_file-0").delta(1).added)
                b = set(History(scratch / "read_back-0").delta(1).added)
                assert a == b and len(a) == source.triples
            tx.discard()
        store.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "triples": source.triples,
                "load_seconds": round(loaded, 2),
                "from_file_seconds": [round(x, 2) for x in figures["from_file"]],
                "read_back_seconds": [round(x, 2) for x in figures["read_back"]],
                "added_file_bytes": sizes,
                "checked": args.check,
                "rss_mb": round(rss),
            }
        )
    )


if __name__ == "__main__":
    main()

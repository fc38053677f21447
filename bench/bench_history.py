"""History: its size on disk after many changes against one generation, the time of a diff, a query at an
old version against the same query now, and a memento (a resource's description at an old version).

A store holds ``--triples`` triples loaded as one version; then ``--changes`` transactions each replace
one of ten graphs with ``--size`` new triples (so each change adds ``--size`` statements and, after the
first ten, removes as many), through the store's own transactions, as the write worker makes them (the
validation gate aside: the gate is not the history's cost). The store is compacted at the end, as the
server does after writes, before the generation is measured.

    python bench/bench_history.py [--triples 1000000] [--changes 100] [--size 1000]

Prints a Markdown table; writes nothing to the repository.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat  # noqa: E402

from bench.bench_compaction import disk_bytes  # noqa: E402
from bench.bench_ingest import write_plain  # noqa: E402
from coopgraph.store import ChangeNote  # noqa: E402
from coopgraph.store.history import compose, view_at  # noqa: E402
from coopgraph.store.local import LocalStore  # noqa: E402
from server.workers import past  # noqa: E402

BASE_GRAPH = "http://example.org/bench/graph/base"
QUERY = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"
CHANGED = "http://example.org/bench/change/"


def change(number: int, size: int) -> list[Quad]:
    rng = random.Random(number)
    graph = NamedNode(f"{CHANGED}graph/{number % 10}")
    return [
        Quad(
            NamedNode(f"{CHANGED}thing/{number}/{i}"),
            NamedNode(f"{CHANGED}value"),
            Literal(str(rng.randrange(10**9))),
            graph,
        )
        for i in range(size)
    ]


def timed(work: object) -> tuple[object, float]:
    started = time.perf_counter()
    result = work()  # type: ignore[operator]
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--size", type=int, default=1000)
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        data = Path(tmp) / "base.nt"
        write_plain(data, args.triples)
        store = LocalStore(Path(tmp) / "store")
        with store.transaction(replace=[BASE_GRAPH]) as tx:
            tx.load(data, RdfFormat.N_TRIPLES, BASE_GRAPH)
            tx.describe_change(ChangeNote("ingest", message="base"))
        seconds = []
        for n in range(args.changes):
            graph = f"{CHANGED}graph/{n % 10}"

            def write(n: int = n, graph: str = graph) -> None:
                with store.transaction(replace=[graph]) as tx:
                    tx.drop_graph(graph)
                    tx.add(change(n, args.size))
                    tx.describe_change(ChangeNote("update", message=f"change {n}"))

            seconds.append(timed(write)[1])
        store.compact()
        generation = disk_bytes(store.root / "gens" / store.generation)
        history = store.history
        changes_bytes = sum(
            p.stat().st_size for p in history.dir.iterdir() if p.name[1:9].isdigit() and int(p.name[1:9]) > 1
        )
        versions = history.versions(store.generation)
        first, last = versions[0].number, versions[-1].number
        rows.append(
            ("store", f"{args.triples:,} triples + {args.changes} changes of {args.size:,} statements")
        )
        rows.append(("one generation on disk (compacted)", f"{generation / 1e6:,.1f} MB"))
        rows.append(
            (
                f"history of the {args.changes} changes",
                f"{changes_bytes / 1e6:,.2f} MB "
                f"(**{100 * changes_bytes / generation:.1f} %** of a generation)",
            )
        )
        rows.append(("whole history (with the base load)", f"{history.disk_bytes() / 1e6:,.1f} MB"))
        rows.append(
            ("a change (transaction + its version), median", f"{sorted(seconds)[len(seconds) // 2]:.3f} s")
        )
        _, diff_s = timed(lambda: compose(history.delta(v.number) for v in versions[1:]))
        rows.append(
            (f"diff v{first + 1}..v{last} (net change of {args.changes} versions)", f"{diff_s:.3f} s")
        )
        _, one_diff = timed(lambda: history.delta(last))
        rows.append(("diff of one version (read its delta)", f"{one_diff * 1000:.1f} ms"))

        view = store.view()
        _, now_s = timed(lambda: list(view.query(QUERY)))
        then, rebuild_s = timed(lambda: view_at(history, view, first))
        _, then_s = timed(lambda: list(then.query(QUERY)))  # type: ignore[attr-defined]
        rows.append(("query now (count by predicate)", f"{now_s:.3f} s"))
        rows.append(
            (
                f"query at v{first}: rebuild the dataset (copy of the generation, later versions undone)",
                f"{rebuild_s:.2f} s",
            )
        )
        rows.append((f"query at v{first}: the query on it", f"{then_s:.3f} s"))
        then = None  # the copy in memory goes
        thing = "http://example.org/bench/thing/5"
        _, memento_s = timed(lambda: past.describe_at(store, first, thing, 500))
        _, again_s = timed(lambda: past.describe_at(store, first, thing, 500))
        rows.append(
            (f"a memento at v{first} (first, reading {args.changes} later deltas)", f"{memento_s:.3f} s")
        )
        rows.append((f"a memento at v{first} (next, same version)", f"{again_s * 1000:.1f} ms"))
        store.close()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    print("| measure | value |\n|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()

"""The W3C SPARQL 1.1 query, update and result-format evaluation tests over HTTP: coopgraph (strict and union
datasets) against Oxigraph's own server, in one run, with the same runner (tests/w3c/evaluation.py).

* ``coopgraph-strict``  ``coopgraph serve --strict-dataset`` on an empty store (its system graphs only)
* ``coopgraph-union``   ``coopgraph serve`` (the union default graph, the analysts' default)
* ``oxigraph``          ``oxigraph serve`` in memory (its default graph is the real one); the updates with a
                        LOAD are not sent to it (it would fetch their sources from the network): they count
                        as failed

    python bench/bench_conformance.py [--only oxigraph,coopgraph-strict] [--failures DIR]

Prints ``contender: N passed, N failed`` for each and, with ``--failures``, writes each contender's failed
tests with the problem found (one file each) into DIR. Writes nothing to the repository.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import TOKEN, start_server
from tests.remote_servers import start_oxigraph
from tests.w3c import evaluation


@contextmanager
def coopgraph(strict: bool) -> Iterator[evaluation.Endpoint]:
    with tempfile.TemporaryDirectory(prefix="coopgraph-conformance-") as folder:
        server = start_server(
            Path(folder) / "store", seed=False, extra_args=["--strict-dataset"] if strict else None
        )
        try:
            yield evaluation.Endpoint(
                server.url + "/sparql",
                server.url + "/update",
                server.url + "/graphs",
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
        finally:
            server.stop()


@contextmanager
def oxigraph() -> Iterator[evaluation.Endpoint]:
    server = start_oxigraph()
    base = server.location.removeprefix("sparql+")
    try:
        yield evaluation.Endpoint(base + "/query", base + "/update", base + "/store", sends_load=False)
    finally:
        server.stop()


CONTENDERS: dict[str, Callable[[], object]] = {
    "oxigraph": oxigraph,
    "coopgraph-strict": lambda: coopgraph(strict=True),
    "coopgraph-union": lambda: coopgraph(strict=False),
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", help="comma-separated contenders (default: all)")
    parser.add_argument("--failures", type=Path, help="write each contender's failed tests into this folder")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(CONTENDERS)
    logging.disable(logging.CRITICAL)  # rdflib logs each ill-formed answer
    cases = evaluation.cases()
    print(f"{len(cases)} tests (query evaluation, update evaluation, syntax; SPARQL 1.1)")
    for name in names:
        started = time.monotonic()
        with CONTENDERS[name]() as endpoint:  # type: ignore[attr-defined]
            failed = {case.id: problem for case, problem in evaluation.run_all(endpoint, cases) if problem}
        seconds = time.monotonic() - started
        print(f"{name}: {len(cases) - len(failed)} passed, {len(failed)} failed ({seconds:.0f} s)")
        if args.failures:
            args.failures.mkdir(parents=True, exist_ok=True)
            lines = [
                f"{test}\t{' '.join(problem.split())[:300]}\n" for test, problem in sorted(failed.items())
            ]
            (args.failures / f"{name}.tsv").write_text("".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

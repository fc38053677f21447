#!/usr/bin/env python3
"""Benchmark: the cost of scanning a query's text (coopgraph.sparql_text.scan_query) on point lookups.

Every query the server answers is scanned first (SERVICE, FROM, the query form); on a point lookup
this scan is part of the latency. Prints the median and best time per scan over a few rounds.
Not a test: no time limits.

Usage:
  python bench/bench_sparql_text.py [--rounds 7] [--scans 2000]
"""

from __future__ import annotations

import argparse
import statistics
import time

from coopgraph.sparql_text import scan_query

PREFIXES = {"rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
QUERIES = {
    "point lookup with 2 PREFIX lines": (
        "PREFIX cg: <https://w3id.org/coopgraph/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?p ?o WHERE {\n"
        "  <https://w3id.org/coopgraph/id/institution/hue-university> ?p ?o .\n"
        "} LIMIT 100\n"
    ),
    "one-line point lookup": (
        "SELECT ?o WHERE { <https://w3id.org/coopgraph/id/institution/hue-university> rdfs:label ?o }"
    ),
}


def seconds_per_scan(text: str, scans: int) -> float:
    start = time.perf_counter()
    for _ in range(scans):
        scan_query(text, prefixes=PREFIXES)
    return (time.perf_counter() - start) / scans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--scans", type=int, default=2000, help="scans per round")
    args = parser.parse_args()
    for name, text in QUERIES.items():
        samples = [seconds_per_scan(text, args.scans) for _ in range(args.rounds)]
        print(
            f"scan_query, {name} ({len(text)} chars): median {statistics.median(samples) * 1e6:.1f} µs, "
            f"best {min(samples) * 1e6:.1f} µs"
        )


if __name__ == "__main__":
    main()

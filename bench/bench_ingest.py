"""Ingest throughput: coopgraph's pipeline against pyoxigraph's raw bulk_load, in the same run.

Cases (each repeated, alternating, each in a process of its own so that its peak RSS is its own):

* ``raw``     pyoxigraph ``Store(dir).bulk_load(path=...)`` of the N-Triples file into a new on-disk store
* ``raw-nq``  the same for the N-Quads file (the same triples spread over four named graphs and the
              default graph): what Oxigraph does with that file, quads kept in their graphs
* ``plain``   ``coopgraph ingest`` of the N-Triples file into a store holding the ontology, vocabularies,
              shapes and seed data; its triples are outside every shape's targets (the pipeline's own cost)
* ``nquads``, ``trig``, ``jsonld``  the same triples as N-Quads, TriG and JSON-LD files (every graph of the
              file merged into the source's graph, as the pipeline does)
* ``turtle``, ``rdfxml``  the same triples as Turtle and RDF/XML files
* ``domain``  ``coopgraph ingest`` of organisations that the shapes do target: checksums,
              literal checks, load, the validation gate over every new node, catalogue, publication
* ``csvw``    ``coopgraph ingest`` of a CSV on the Web table mapped by its metadata
* ``csvw-map`` the mapping of that table alone (its quads counted, no store): the mapping's share of ``csvw``

Each pipeline case also reports where its time went: ``load`` (reading the source into the new
generation: parse or mapping, literal checks, the bulk loader), ``gate`` (validation) and ``version``
(recording the change in the store's history), each in seconds of wall time.

    python bench/bench_ingest.py [--triples 1000000] [--rows 100000] [--repeat 3] [--cases raw,plain,...]

Prints a table with triples/s, the ratio to raw bulk_load of the N-Triples file and peak RSS; writes
nothing to the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

ARTICLE = "https://w3id.org/coopgraph/id/article/bqn-3389250-fr"
COUNTRIES = ("vn", "cn", "jp", "de")
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def write_domain(path: Path, triples: int) -> int:
    """Organisations as the shapes want them: labels in three languages, a country, a year, a source."""
    rng = random.Random(7)
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        i = 0
        while written < triples:
            s = f"<https://w3id.org/coopgraph/id/organization/bench-{i}>"
            out.write(f"{s} {RDF_TYPE} <https://w3id.org/coopgraph/ontology#University> .\n")
            out.write(f'{s} {LABEL} "Trường Đại học số {i}"@vi .\n')
            out.write(f'{s} {LABEL} "University number {i}"@en .\n')
            out.write(f'{s} {LABEL} "Université numéro {i}"@fr .\n')
            out.write(
                f"{s} <https://w3id.org/coopgraph/ontology#country> "
                f"<https://w3id.org/coopgraph/vocab/country/{rng.choice(COUNTRIES)}> .\n"
            )
            out.write(f'{s} <http://schema.org/foundingDate> "{rng.randrange(1900, 2025)}"^^<{XSD}gYear> .\n')
            out.write(f"{s} <http://purl.org/dc/terms/source> <{ARTICLE}> .\n")
            written += 7
            i += 1
    return written


def write_plain(path: Path, triples: int) -> int:
    """Data no shape targets (another vocabulary), with the same mix of IRIs and literals."""
    rng = random.Random(7)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(0, triples, 5):
            s = f"<http://example.org/bench/thing/{i}>"
            out.write(f"{s} {RDF_TYPE} <http://example.org/bench/Thing> .\n")
            out.write(f'{s} <http://example.org/bench/name> "Thing {i}"@en .\n')
            place = f"<http://example.org/bench/place/{rng.randrange(200)}>"
            out.write(f"{s} <http://example.org/bench/in> {place} .\n")
            out.write(f'{s} <http://example.org/bench/year> "{rng.randrange(1900, 2025)}"^^<{XSD}gYear> .\n')
            following = f"<http://example.org/bench/thing/{rng.randrange(triples)}>"
            out.write(f"{s} <http://example.org/bench/next> {following} .\n")
    return triples


def _graph_of(line_number: int) -> str:
    """Four named graphs and the default graph, by turns of 1,000 lines."""
    turn = (line_number // 1000) % 5
    return "" if turn == 4 else f"<http://example.org/bench/graph/{turn}>"


def write_nquads(plain: Path, path: Path) -> None:
    with open(plain, encoding="utf-8") as inp, open(path, "w", encoding="utf-8") as out:
        for n, line in enumerate(inp):
            graph = _graph_of(n)
            out.write(line[: -len(" .\n")] + (f" {graph} .\n" if graph else " .\n"))


def write_trig(plain: Path, path: Path) -> None:
    """Blocks of 1,000 statements, each in a named graph or the default graph (N-Triples lines are TriG)."""
    with open(plain, encoding="utf-8") as inp, open(path, "w", encoding="utf-8") as out:
        open_graph = None
        for n, line in enumerate(inp):
            graph = _graph_of(n)
            if graph != open_graph:
                if open_graph:
                    out.write("}\n")
                if graph:
                    out.write(f"{graph} {{\n")
                open_graph = graph
            out.write(line)
        if open_graph:
            out.write("}\n")


def write_jsonld(nquads: Path, path: Path) -> None:
    import pyoxigraph

    with open(path, "wb") as out:
        pyoxigraph.serialize(
            pyoxigraph.parse(path=str(nquads), format=pyoxigraph.RdfFormat.N_QUADS),
            out,
            format=pyoxigraph.RdfFormat.JSON_LD,
        )


def write_graph(plain: Path, path: Path, fmt: str) -> None:
    """The N-Triples file as Turtle or RDF/XML (pyoxigraph's serializers)."""
    import pyoxigraph

    with open(path, "wb") as out:
        pyoxigraph.serialize(
            pyoxigraph.parse(path=str(plain), format=pyoxigraph.RdfFormat.N_TRIPLES),
            out,
            format=getattr(pyoxigraph.RdfFormat, fmt),
        )


def write_table(folder: Path, rows: int) -> Path:
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    table = folder / "institutions.csv"
    with open(table, "w", encoding="utf-8") as out:
        out.write("id,name_vi,name_en,country,founded\n")
        for i in range(rows):
            country, year = rng.choice(COUNTRIES), rng.randrange(1900, 2025)
            out.write(f"bench-{i},Trường số {i},Institution {i},{country},{year}\n")
    metadata = {
        "@context": "http://www.w3.org/ns/csvw",
        "url": "institutions.csv",
        "tableSchema": {
            "aboutUrl": "https://w3id.org/coopgraph/id/organization/{id}",
            "columns": [
                {"name": "id", "titles": "id", "suppressOutput": True},
                {"name": "name_vi", "titles": "name_vi", "propertyUrl": "rdfs:label", "lang": "vi"},
                {"name": "name_en", "titles": "name_en", "propertyUrl": "rdfs:label", "lang": "en"},
                {
                    "name": "country",
                    "titles": "country",
                    "propertyUrl": "https://w3id.org/coopgraph/ontology#country",
                    "valueUrl": "https://w3id.org/coopgraph/vocab/country/{country}",
                },
                {
                    "name": "founded",
                    "titles": "founded",
                    "propertyUrl": "http://schema.org/foundingDate",
                    "datatype": "gYear",
                },
                {
                    "name": "type",
                    "virtual": True,
                    "propertyUrl": "rdf:type",
                    "valueUrl": "https://w3id.org/coopgraph/ontology#University",
                },
                {
                    "name": "source",
                    "virtual": True,
                    "propertyUrl": "http://purl.org/dc/terms/source",
                    "valueUrl": ARTICLE,
                },
            ],
        },
    }
    (folder / "institutions.csv-metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return table


CASES = (
    "raw",
    "raw-nq",
    "plain",
    "nquads",
    "trig",
    "jsonld",
    "turtle",
    "rdfxml",
    "domain",
    "csvw",
    "csvw-map",
)


# ------------------------------------------------------------------------------------------ one case
def run_one(case: str, source: Path, store: Path) -> dict[str, float]:
    """Runs in a child process; prints its timing, CPU time (all threads) and peak RSS as JSON."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    started = time.perf_counter()
    if case in ("raw", "raw-nq"):
        import pyoxigraph

        target = pyoxigraph.Store(str(store))
        if case == "raw":
            target.bulk_load(
                path=str(source),
                format=pyoxigraph.RdfFormat.N_TRIPLES,
                to_graph=pyoxigraph.NamedNode("http://example.org/bench/graph"),
            )
        else:
            target.bulk_load(path=str(source), format=pyoxigraph.RdfFormat.N_QUADS)
        target.flush()
        del target
        loaded = None
    elif case == "csvw-map":
        from ingest.csvw_rdf import TableFindings, table_quads

        mapping = source.with_name(source.name + "-metadata.json")
        graph = "https://w3id.org/coopgraph/graph/data/bench"
        loaded = sum(1 for _ in table_quads(source, mapping, graph, 1 << 20, TableFindings()))
    else:
        from coopgraph.store.local import LocalStore
        from ingest.batch import run
        from ingest.progress import Progress
        from ingest.sources import discover

        phases = _timed_phases()
        local = LocalStore(store)
        sources, problems = discover([source])
        assert not problems, problems
        result = run(local, sources, progress=Progress(1, enabled=False))
        loaded = result.triples
        gate = result.report
        local.close()
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out = {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime - cpu_before,
        "rss_mb": usage.ru_maxrss / 1024,
    }
    if loaded is not None:
        out["triples"] = loaded
    if case not in ("raw", "raw-nq", "csvw-map"):
        out["gate_seconds"] = gate.seconds if gate is not None else 0.0
        out["violations"] = gate.counts.get("Violation", 0) if gate is not None else 0
        out |= {f"{name}_seconds": seconds for name, seconds in phases.items()}
    return out


def _timed_phases() -> dict[str, float]:
    """Wall seconds spent loading each source, in the gate and recording the version, filled in as the
    pipeline runs (the functions that do them are wrapped; this runs in the case's own process)."""
    from coopgraph.store.local import LocalStore
    from ingest import batch
    from ingest.gate import Gate

    spent = {"load": 0.0, "gate": 0.0, "version": 0.0}

    def timed(owner: object, name: str, phase: str) -> None:
        inner = getattr(owner, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[phase] += time.perf_counter() - started

        setattr(owner, name, wrapper)

    timed(batch, "_load", "load")
    timed(Gate, "check", "gate")
    timed(LocalStore, "_record_version", "version")
    return spent


def measure(case: str, source: Path, work: Path, seeded: Path | None) -> dict[str, float]:
    store = work / f"store-{case}"
    shutil.rmtree(store, ignore_errors=True)
    if seeded is not None:
        shutil.copytree(seeded, store, symlinks=True)
    child = subprocess.run(
        [sys.executable, __file__, "--one", case, str(source), str(store)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    if child.returncode != 0:
        raise SystemExit(f"{case} failed: {child.stderr[-3000:]}")
    shutil.rmtree(store, ignore_errors=True)
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated, of: " + ", ".join(CASES))
    parser.add_argument("--work", type=Path, default=None, help="a scratch folder (default: a temporary one)")
    parser.add_argument("--one", nargs=3, metavar=("CASE", "SOURCE", "STORE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        case, source, store = args.one
        print(json.dumps(run_one(case, Path(source), Path(store))))
        return
    work = Path(args.work or tempfile.mkdtemp(prefix="coopgraph-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    domain, plain = work / "domain.nt", work / "plain.nt"
    n_domain = write_domain(domain, args.triples)
    n_plain = write_plain(plain, args.triples)
    nquads, trig, jsonld = work / "plain.nq", work / "plain.trig", work / "plain.jsonld"
    cases = [c for c in CASES if c in args.cases.split(",")]
    if {"raw-nq", "nquads", "trig", "jsonld"} & set(cases):
        write_nquads(plain, nquads)
        write_trig(plain, trig)
        if "jsonld" in cases:
            write_jsonld(nquads, jsonld)
    turtle, rdfxml = work / "plain.ttl", work / "plain.rdf"
    if "turtle" in cases:
        write_graph(plain, turtle, "TURTLE")
    if "rdfxml" in cases:
        write_graph(plain, rdfxml, "RDF_XML")
    table = write_table(work / "table", args.rows)
    seeded = work / "seeded"
    shutil.rmtree(seeded, ignore_errors=True)
    init = subprocess.run(
        [sys.executable, "-m", "coopgraph.cli.main", "init", "--store", str(seeded)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    if init.returncode != 0:
        raise SystemExit(init.stderr)
    sources = {
        "raw": (domain, None),
        "raw-nq": (nquads, None),
        "plain": (plain, seeded),
        "nquads": (nquads, seeded),
        "trig": (trig, seeded),
        "jsonld": (jsonld, seeded),
        "turtle": (turtle, seeded),
        "rdfxml": (rdfxml, seeded),
        "domain": (domain, seeded),
        "csvw": (table, seeded),
        "csvw-map": (table, None),
    }
    results: dict[str, list[dict[str, float]]] = {case: [] for case in cases}
    for _ in range(args.repeat):  # alternate, so that a slow moment of the machine hits every case alike
        for case in cases:
            source, base = sources[case]
            results[case].append(measure(case, source, work, base))
    if "raw" not in results:
        results["raw"] = [measure("raw", domain, work, None)]
    raw = statistics.median(r["seconds"] for r in results["raw"])
    print(
        f"machine: {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; "
        f"{n_domain:,} domain triples, {n_plain:,} plain triples, {args.rows:,} CSV rows; "
        f"median of {args.repeat}"
    )
    print(f"machine load average {os.getloadavg()[0]:.2f} at the end")
    print(
        f"{'case':8} {'seconds':>8} {'CPU s':>7} {'triples/s':>11} {'vs raw':>7} {'load s':>7} "
        f"{'gate s':>7} {'vers. s':>7} {'peak RSS':>9}"
    )
    for case, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu_seconds"] for r in runs)
        triples = runs[0].get("triples", n_plain if case == "raw-nq" else n_domain)
        rate = triples / seconds
        ratio = (triples / seconds) / (n_domain / raw)
        load, gate, version = (
            statistics.median(r.get(f"{phase}_seconds", 0.0) for r in runs)
            for phase in ("load", "gate", "version")
        )
        rss = max(r["rss_mb"] for r in runs)
        extra = (
            f"  ({args.rows / seconds:,.0f} rows/s; {args.rows / cpu:,.0f} per CPU second)"
            if case.startswith("csvw")
            else ""
        )
        print(
            f"{case:8} {seconds:8.2f} {cpu:7.2f} {rate:11,.0f} {ratio:7.0%} {load:7.2f} {gate:7.2f} "
            f"{version:7.2f} {rss:7.0f} MB{extra}"
        )
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

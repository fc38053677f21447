"""The ``coopgraph`` command line, run as a user runs it: a process of its own on a real store.

Commands that only read run side by side (several processes at once) against one store written by
the module fixture; commands that change the store get a copy of their own.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess

import pytest
import rdflib
from rdflib.compare import isomorphic

from coopgraph.cli.main import EPILOG, build_parser
from coopgraph.iris import source_iri
from coopgraph.store.local import LocalStore
from ingest.batch import run
from ingest.sources import discover
from tests.conftest import PROJECT, coopgraph

EX = "http://example.org/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
BASE = "https://w3id.org/coopgraph/"
CATALOG = BASE + "graph/catalog"

#: The data the store holds: universities with labels in several languages, and an agreement.
UNIVERSITIES = {
    "hue": {"vi": "Đại học Huế", "zh": "顺化大学", "en": "Hue University"},
    "vinh": {"vi": "Đại học Vinh"},
    "ha-long": {"vi": "Trường Đại học Hạ Long", "fr": "Université d'Ha Long"},
}
FOUNDED = {"hue": "1957", "vinh": "1959", "ha-long": "2014"}


def universities_ttl() -> str:
    lines = [
        f"@prefix ex: <{EX}> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
    ]
    for key, labels in UNIVERSITIES.items():
        names = ", ".join(f'"{v}"@{lang}' for lang, v in labels.items())
        lines.append(
            f'ex:{key} a ex:University ; rdfs:label {names} ; ex:founded "{FOUNDED[key]}"^^xsd:gYear .'
        )
    return "\n".join(lines) + "\n"


AGREEMENT_TTL = f"""\
@prefix ex: <{EX}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:mou a ex:Agreement ; ex:party ex:hue, ex:vinh ; ex:signed "2024-08-27"^^xsd:date .
"""


@dataclass
class Setup:
    store: Path
    files: dict[str, Path]  # key -> file
    results: dict[str, CompletedProcess[str]]

    def graph(self, key: str) -> str:
        return f"{BASE}graph/data/{key}"


def run_all(commands: dict[str, tuple[tuple[str, ...], Path | None]]) -> dict[str, CompletedProcess[str]]:
    """Run the commands a few at a time; each is (arguments, store)."""

    def one(item: tuple[str, tuple[tuple[str, ...], Path | None]]) -> tuple[str, CompletedProcess[str]]:
        name, (args, store) = item
        return name, coopgraph(*args, store=store)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, commands.items()))


def subcommands() -> list[str]:
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(action.choices)


UNIVERSITY_LABELS = f"""SELECT ?u ?label WHERE {{
  ?u a <{EX}University> ; <{RDFS_LABEL}> ?label
}} ORDER BY ?u ?label"""
WIDE_FIRST = f"""SELECT ?label ?u WHERE {{
  ?u a <{EX}University> ; <{RDFS_LABEL}> ?label
}} ORDER BY ?u ?label"""
CONSTRUCT = f"CONSTRUCT {{ ?u <{RDFS_LABEL}> ?l }} WHERE {{ ?u a <{EX}University> ; <{RDFS_LABEL}> ?l }}"


@pytest.fixture(scope="session")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    root = tmp_path_factory.mktemp("cli")
    files = {
        "universities.ttl": root / "data" / "universities.ttl",
        "agreement.ttl": root / "data" / "agreement.ttl",
    }
    files["universities.ttl"].parent.mkdir()
    files["universities.ttl"].write_text(universities_ttl(), encoding="utf-8")
    files["agreement.ttl"].write_text(AGREEMENT_TTL, encoding="utf-8")
    store_dir = root / "store"
    store = LocalStore(store_dir)
    run(store, discover([root / "data"])[0])
    store.close()
    (root / "labels.rq").write_text(UNIVERSITY_LABELS + "\n", encoding="utf-8")
    missing = root / "no-store-here"
    commands: dict[str, tuple[tuple[str, ...], Path | None]] = {
        "help": (("--help",), None),
        **{f"help {c}": ((c, "--help"), None) for c in subcommands()},
        "no command": ((), None),
        "unknown command": (("frobnicate",), None),
        "ingest without paths": (("ingest",), store_dir),
        "query bad format": (("query", UNIVERSITY_LABELS, "--format", "yaml"), store_dir),
        "query bad timeout": (("query", "ASK {}", "--timeout", "soon"), store_dir),
        **{
            f"query {f}": (("query", UNIVERSITY_LABELS, "--format", f), store_dir)
            for f in ("table", "csv", "tsv", "json", "xml")
        },
        "query table wide first": (("query", WIDE_FIRST), store_dir),
        "query file": (("query", str(root / "labels.rq"), "--format", "json"), store_dir),
        "query ask": (("query", f"ASK {{ <{EX}hue> a <{EX}University> }}"), store_dir),
        "query construct": (("query", CONSTRUCT), store_dir),
        "query syntax error": (("query", "SELECT ?x WHERE { ?x ?y }"), store_dir),
        "query timeout": (
            (
                "query",
                "--timeout",
                "0.5",
                "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }",
            ),
            store_dir,
        ),
        "export": (("export",), store_dir),
        "export trig to file": (("export", "--format", "trig", "-o", str(root / "all.trig")), store_dir),
        **{
            f"export graph {f}": (
                ("export", "--graph", BASE + "graph/data/universities.ttl", "--format", f),
                store_dir,
            )
            for f in ("turtle", "jsonld", "rdfxml")
        },
        "export one-graph format for the store": (("export", "--format", "turtle"), store_dir),
        "export unknown graph": (("export", "--graph", EX + "nowhere"), store_dir),
        "export unknown format": (("export", "--format", "docx"), store_dir),
        "graphs": (("graphs",), store_dir),
        "graphs json": (("graphs", "--format", "json"), store_dir),
        "stats": (("stats",), store_dir),
        "stats json": (("stats", "--format", "json"), store_dir),
        "store flag wins": (("graphs", "--format", "json", "--store", str(store_dir)), missing),
        **{
            f"{c} without store": (args, missing)
            for c, args in (
                ("query", ("query", "ASK {}")),
                ("graphs", ("graphs",)),
                ("export", ("export",)),
            )
        },
    }
    results = run_all(commands)
    return Setup(store_dir, files, results)


def ok(done: CompletedProcess[str]) -> CompletedProcess[str]:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    return done


def failed(done: CompletedProcess[str], code: int) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    return done.stderr


# --------------------------------------------------------------------------- help and usage


def test_every_subcommand_has_help_with_the_exit_codes(setup: Setup) -> None:
    names = subcommands()
    assert {
        "ingest",
        "validate",
        "init",
        "query",
        "export",
        "graphs",
        "drop",
        "stats",
        "quarantine",
        "serve",
    } <= set(names)
    top = ok(setup.results["help"]).stdout
    assert top.startswith("usage: coopgraph")
    for name in names:
        assert re.search(rf"^\s+{name}\s+\S", top, re.M), f"{name} is not listed in 'coopgraph --help'"
    parser = build_parser()
    (action,) = [a for a in parser._actions if a.dest == "command"]
    for name in names:
        text = ok(setup.results[f"help {name}"]).stdout
        assert text.startswith(f"usage: coopgraph {name}"), text[:80]
        description = " ".join(action.choices[name].description.split())
        assert description in " ".join(text.split()), name
        for line in EPILOG.splitlines():
            assert line in text, f"{name} --help lacks {line!r}"
        assert "--store DIR" in text


@pytest.mark.parametrize(
    "name, words",
    [
        ("no command", "required: COMMAND"),
        ("unknown command", "invalid choice: 'frobnicate'"),
        ("ingest without paths", "the following arguments are required: PATH"),
        ("query bad format", "--format yaml: use table, csv, tsv, json or xml"),
        ("query bad timeout", "argument --timeout: invalid float value: 'soon'"),
        ("export one-graph format for the store", "holds one graph; name a graph or choose N-Quads or TriG"),
        ("export unknown format", "unknown RDF format 'docx'"),
    ],
)
def test_usage_errors_exit_2(setup: Setup, name: str, words: str) -> None:
    assert words in failed(setup.results[name], 2)


# --------------------------------------------------------------------------- query


def _labels() -> list[tuple[str, str, str]]:
    """(IRI, label, language) as the data says them, in the order of UNIVERSITY_LABELS."""
    rows = [(EX + key, text, lang) for key, labels in UNIVERSITIES.items() for lang, text in labels.items()]
    return sorted(rows, key=lambda r: (r[0], r[1]))


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_query_table(setup: Setup) -> None:
    lines = ok(setup.results["query table"]).stdout.splitlines()
    assert lines[0].split() == ["u", "label"]
    assert set(lines[1]) <= {"-", " "}
    body = lines[2:-1]
    assert [line.split(None, 1) for line in body] == [
        [f"<{u}>", f"{text}@{lang}"] for u, text, lang in _labels()
    ]
    assert lines[-1] == f"({len(_labels())} rows)"

    # Wide (CJK) characters take two columns: the second column starts at the same place on every line.
    wide = ok(setup.results["query table wide first"]).stdout.splitlines()
    start = wide[0].index("  u") + 2
    assert [line[line.index("<") :] for line in wide[2:-1]] == [f"<{u}>" for u, _, _ in _labels()]
    for line in wide[2:-1]:
        assert _display_width(line[: line.index("<")]) == start, line


def test_query_csv_tsv_json_xml(setup: Setup) -> None:
    expected = _labels()
    rows = list(csv.reader(io.StringIO(ok(setup.results["query csv"]).stdout)))
    assert rows == [["u", "label"], *[[u, text] for u, text, _ in expected]]

    tsv = ok(setup.results["query tsv"]).stdout.splitlines()
    assert tsv == ["?u\t?label", *[f'<{u}>\t"{text}"@{lang}' for u, text, lang in expected]]

    for name in ("query json", "query file"):
        answer = json.loads(ok(setup.results[name]).stdout)
        assert answer["head"]["vars"] == ["u", "label"]
        assert [
            (b["u"]["value"], b["label"]["value"], b["label"]["xml:lang"])
            for b in answer["results"]["bindings"]
        ] == expected

    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    tree = ET.fromstring(ok(setup.results["query xml"]).stdout)
    found = [
        (
            result.find("r:binding[@name='u']/r:uri", ns).text,
            result.find("r:binding[@name='label']/r:literal", ns).text,
            result.find("r:binding[@name='label']/r:literal", ns).get(
                "{http://www.w3.org/XML/1998/namespace}lang"
            ),
        )
        for result in tree.iterfind("r:results/r:result", ns)
    ]
    assert found == expected


def test_query_ask_and_construct(setup: Setup) -> None:
    assert ok(setup.results["query ask"]).stdout.strip() == "true"
    expected = rdflib.Graph().parse(data=universities_ttl(), format="turtle").query(CONSTRUCT).graph
    turtle = rdflib.Graph().parse(data=ok(setup.results["query construct"]).stdout, format="turtle")
    assert isomorphic(turtle, expected)


def test_query_errors_exit_6(setup: Setup) -> None:
    assert "error: the query is not valid SPARQL" in failed(setup.results["query syntax error"], 6)
    assert "the query ran longer than 0.5 s and was stopped" in failed(setup.results["query timeout"], 6)


# --------------------------------------------------------------------------- export, graphs, stats


def _expected_graphs(setup: Setup) -> dict[str, rdflib.Graph]:
    return {
        setup.graph(key): rdflib.Graph().parse(path, format="turtle", publicID=source_iri(key))
        for key, path in setup.files.items()
    }


def test_export_writes_every_graph_or_one(setup: Setup, tmp_path: Path) -> None:
    expected = _expected_graphs(setup)
    for name, text, fmt in (
        ("export", ok(setup.results["export"]).stdout, "nquads"),
        ("export trig to file", (setup.store.parent / "all.trig").read_text(encoding="utf-8"), "trig"),
    ):
        dataset = rdflib.Dataset()
        dataset.parse(data=text, format=fmt)
        graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
        assert graphs == set(expected) | {CATALOG}, name
        for iri, graph in expected.items():
            assert isomorphic(dataset.graph(rdflib.URIRef(iri)), graph), f"{name}: {iri}"
    universities = expected[setup.graph("universities.ttl")]
    for fmt, parser in (("turtle", "turtle"), ("jsonld", "json-ld"), ("rdfxml", "xml")):
        text = ok(setup.results[f"export graph {fmt}"]).stdout
        assert isomorphic(rdflib.Graph().parse(data=text, format=parser), universities), fmt
    assert f"no graph <{EX}nowhere>" in failed(setup.results["export unknown graph"], 3)


def test_graphs_lists_the_catalogue(setup: Setup) -> None:
    expected = _expected_graphs(setup)
    listed = json.loads(ok(setup.results["graphs json"]).stdout)
    assert {(g["graph"], g["key"], g["role"], g["triples"]) for g in listed} == {
        (iri, iri.rsplit("/", 1)[-1], "data", len(graph)) for iri, graph in expected.items()
    }
    assert {g["source"] for g in listed} == {source_iri(key) for key in setup.files}
    assert not any(g["source"].startswith("file:") for g in listed)  # no path of the loading machine
    table = ok(setup.results["graphs"]).stdout.splitlines()
    assert table[0].split() == ["role", "key", "triples", "loaded", "graph"]
    rows = {line.split()[1]: line.split() for line in table[2:-1]}
    assert {k: (r[0], int(r[2]), r[4]) for k, r in rows.items()} == {
        iri.rsplit("/", 1)[-1]: ("data", len(graph), iri) for iri, graph in expected.items()
    }
    assert table[-1] == f"({len(expected)} rows)"
    assert ok(setup.results["store flag wins"]).stdout == setup.results["graphs json"].stdout


def test_stats_counts_what_the_store_holds(setup: Setup) -> None:
    expected = _expected_graphs(setup)
    figures = json.loads(ok(setup.results["stats json"]).stdout)
    exported = [line for line in setup.results["export"].stdout.splitlines() if line.strip()]
    assert figures["graphs"] == len(expected)
    assert figures["triples"] == len(exported)  # every quad, the catalogue's included
    assert figures["triplesByRole"] == {"data": sum(len(g) for g in expected.values())}
    classes = dict(figures["classes_top"])
    assert classes[EX + "University"] == len(UNIVERSITIES)
    assert classes[EX + "Agreement"] == 1
    labels = dict(figures["properties_top"])[RDFS_LABEL]
    assert labels >= sum(len(v) for v in UNIVERSITIES.values())
    text = ok(setup.results["stats"]).stdout
    assert text.startswith(
        f"generation {figures['generation']}: {figures['graphs']} graphs, {figures['triples']:,} triples"
    )
    assert re.search(rf"^\s+{len(UNIVERSITIES)}\s+<{EX}University>$", text, re.M)


def test_commands_on_a_missing_store_exit_5_and_create_nothing(setup: Setup) -> None:
    for command in ("query", "graphs", "export"):
        stderr = failed(setup.results[f"{command} without store"], 5)
        assert "no coopgraph store here" in stderr, command
    assert not (setup.store.parent / "no-store-here").exists()


# --------------------------------------------------------------------------- commands that write


@pytest.fixture
def own_store(setup: Setup, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(setup.store, target)
    return target


def _records(root: Path) -> dict[str, int]:
    store = LocalStore(root, create=False)
    try:
        return {graph: record.triples for graph, record in store.records().items()}
    finally:
        store.close()


def test_drop_removes_graphs_by_key_or_iri_and_refuses_unknown_ones(setup: Setup, own_store: Path) -> None:
    universities, agreement = setup.graph("universities.ttl"), setup.graph("agreement.ttl")
    before = _records(own_store)

    results = run_all(
        {
            "unknown with known": (("drop", "agreement.ttl", "nowhere.ttl"), own_store),
            "catalogue": (("drop", CATALOG), own_store),
        }
    )
    assert "error: no graph 'nowhere.ttl'" in failed(results["unknown with known"], 3)
    assert f"error: no graph '{CATALOG}'" in failed(results["catalogue"], 3)
    assert _records(own_store) == before, "a refused drop changed the store"

    by_key = ok(coopgraph("drop", "agreement.ttl", store=own_store))
    assert by_key.stdout.strip() == f"dropped <{agreement}>"
    assert _records(own_store) == {universities: before[universities]}
    store = LocalStore(own_store, create=False)
    assert not bool(store.query(f"ASK {{ <{EX}mou> ?p ?o }}"))
    assert store.graph_names() == {universities, CATALOG}
    store.close()

    by_iri = ok(coopgraph("drop", universities, store=own_store))
    assert by_iri.stdout.strip() == f"dropped <{universities}>"
    assert _records(own_store) == {}


HOLDER = """
import sys
from pathlib import Path
from coopgraph.store.local import LocalStore
with LocalStore(Path(sys.argv[1])).transaction():
    print("holding", flush=True)
    sys.stdin.readline()
"""


def test_a_store_held_by_another_writer_exits_5_naming_it(own_store: Path, setup: Setup) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(own_store)],
        cwd=PROJECT,
        env=dict(os.environ, PYTHONPATH=str(PROJECT)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        busy = coopgraph(
            "ingest", "--wait", "0", "--force", str(setup.files["agreement.ttl"]), store=own_store
        )
        stderr = failed(busy, 5)
        assert f"another process (pid {holder.pid}) is writing to the store" in stderr
    finally:
        holder.communicate("\n", timeout=60)
    ok(coopgraph("ingest", "--wait", "0", "--force", str(setup.files["agreement.ttl"]), store=own_store))


def test_a_store_whose_current_generation_is_gone_exits_5(own_store: Path) -> None:
    name = (own_store / "CURRENT").read_text(encoding="ascii").strip()
    shutil.rmtree(own_store / "gens" / name)
    results = run_all({c: ((c, *a), own_store) for c, a in (("query", ("ASK {}",)), ("graphs", ()))})
    for command, done in results.items():
        stderr = failed(done, 5)
        assert name in stderr, command


def test_drop_is_refused_when_what_remains_would_violate_the_shapes(store_copy: Path) -> None:
    """Dropping the source articles leaves every seed fact citing an article the store no longer has."""
    before = _records(store_copy)
    done = coopgraph("drop", "seed/bqn-3389250-fr/article.ttl", store=store_copy)
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr
    assert "nothing was dropped" in done.stderr and "dcterms:source" in done.stderr
    assert _records(store_copy) == before
    # A graph nothing depends on goes.
    ok(coopgraph("drop", "seed/bqn-3389250-fr/policy-documents.ttl", store=store_copy))
    assert len(_records(store_copy)) == len(before) - 1

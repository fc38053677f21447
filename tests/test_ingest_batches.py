"""Ingest batches on a real store: re-ingest is a no-op, a changed file replaces its graph, a
rejected batch leaves the store byte for byte as it was, quarantine, validation without loading,
and warnings that do not block.

The gate's shapes are this file's own (``SHAPES``): every ``ex:Thing`` must have an ``ex:name``
(violation), should have an ``ex:note`` (warning), and its ``ex:partner`` must be a thing (violation).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import RdfFormat
from rdflib.compare import isomorphic

from coopgraph.iris import source_iri
from coopgraph.store.local import LocalStore
from ingest.batch import BatchOptions, BatchRejected, BatchResult, run
from ingest.sources import discover
from tests.conftest import COOPGRAPH, PROJECT, coopgraph

EX = "http://example.org/"
BASE = "https://w3id.org/coopgraph/"
CATALOG = BASE + "graph/catalog"

SHAPES = f"""\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <{EX}> .

ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property ex:ThingName, ex:ThingNote, ex:ThingPartner .

ex:ThingName sh:path ex:name ; sh:minCount 1 ; sh:severity sh:Violation ;
    sh:name "name" ; sh:description "Give every thing a name." ;
    sh:message "The thing has no name."@en, "Thiếu tên."@vi .
ex:ThingNote sh:path ex:note ; sh:minCount 1 ; sh:severity sh:Warning ;
    sh:message "The thing has no note."@en .
ex:ThingPartner sh:path ex:partner ; sh:class ex:Thing ; sh:severity sh:Violation ;
    sh:message "The partner is not a known thing."@en .
"""


def things(*names: str, partner: dict[str, str] | None = None, note: bool = True, named: bool = True) -> str:
    """Turtle for a few things, each with a Vietnamese name and a note unless told otherwise."""
    lines = [f"@prefix ex: <{EX}> ."]
    for name in names:
        parts = [f"ex:{name} a ex:Thing"]
        if named:
            parts.append(f'ex:name "Đại học {name.title()}"@vi')
        if note:
            parts.append(f'ex:note "ghi chú về {name}"@vi')
        if partner and name in partner:
            parts.append(f"ex:partner ex:{partner[name]}")
        lines.append(" ;\n    ".join(parts) + " .")
    return "\n".join(lines) + "\n"


def line_of(path: Path, needle: str) -> int:
    text = path.read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


def data_graph(key: str) -> str:
    return f"{BASE}graph/data/{key}"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ingest(store: LocalStore, *paths: Path, role: str = "data", **options: bool) -> BatchResult:
    sources, problems = discover(list(paths), role=role)
    assert problems == []
    return run(store, sources, BatchOptions(**options))


def dump(store: LocalStore) -> list[bytes]:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return sorted(out.getvalue().splitlines())


def without_catalog(lines: list[bytes]) -> list[bytes]:
    return [q for q in lines if not q.endswith(f"<{CATALOG}> .".encode())]


def generation_dirs(root: Path) -> set[str]:
    return {p.name for p in (root / "gens").iterdir() if p.is_dir()}


def count(store: LocalStore, graph: str) -> int:
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)


@pytest.fixture
def gated(tmp_path: Path) -> LocalStore:
    """A store whose only shapes are SHAPES, holding two things that conform."""
    store = LocalStore(tmp_path / "store")
    ingest(store, write(tmp_path / "shapes" / "things-shapes.ttl", SHAPES), role="shapes")
    ingest(store, write(tmp_path / "v1" / "things.ttl", things("hue", "vinh", partner={"vinh": "hue"})))
    return store


# --------------------------------------------------------------------------- re-ingest


def test_ingesting_the_same_files_again_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "partner"
    write(folder / "things.ttl", things("hue", "vinh"))
    write(folder / "records.yaml", "- id: cgr:organization/hue\n  label:\n    vi: Đại học Huế\n")
    write(folder / "table.csv", "id,name\nhue,Đại học Huế\n")
    mapping = {
        "@context": "http://www.w3.org/ns/csvw",
        "url": "table.csv",
        "tableSchema": {
            "aboutUrl": EX + "{id}",
            "columns": [
                {"name": "id", "titles": "id", "suppressOutput": True},
                {"name": "name", "titles": "name", "propertyUrl": EX + "name", "lang": "vi"},
            ],
        },
    }
    write(folder / "table.csv-metadata.json", json.dumps(mapping))
    store_dir = tmp_path / "store"
    first = coopgraph("ingest", str(folder), "--format", "json", store=store_dir)
    assert first.returncode == 0, first.stderr
    keys = {g["key"] for g in json.loads(first.stdout)["loaded"]}
    assert keys == {"things.ttl", "records.yaml", "table.csv"}
    store = LocalStore(store_dir, create=False)
    generation, before = store.generation, dump(store)

    again = coopgraph("ingest", str(folder), "--format", "json", store=store_dir)
    text = coopgraph("ingest", str(folder), store=store_dir)

    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["loaded"] == []
    assert set(summary["unchanged"]) == keys
    assert summary["generation"] == generation
    assert text.returncode == 0
    assert text.stdout.startswith("loaded 0 graph(s), 0 triples in ")
    assert f"; {len(keys)} unchanged" in text.stdout.splitlines()[0]
    assert {
        line.split()[1] for line in text.stdout.splitlines()[1:] if line.strip().startswith("same")
    } == keys
    assert store.generation == generation, "an unchanged batch published a generation"
    assert dump(store) == before


def test_force_reloads_the_same_files_into_the_same_graphs(gated: LocalStore, tmp_path: Path) -> None:
    before, records = dump(gated), gated.records()
    generation = gated.generation
    result = ingest(gated, tmp_path / "v1" / "things.ttl", force=True)
    assert [(g.source.key, g.replaced) for g in result.loaded] == [("things.ttl", True)]
    assert gated.generation != generation
    assert without_catalog(dump(gated)) == without_catalog(before)
    after = gated.records()
    graph = data_graph("things.ttl")
    assert (after[graph].checksum, after[graph].triples) == (records[graph].checksum, records[graph].triples)
    assert after[graph].loaded >= records[graph].loaded
    assert after[graph].activity != records[graph].activity


def test_a_changed_file_replaces_its_graph_and_leaves_the_others_alone(
    gated: LocalStore, tmp_path: Path
) -> None:
    other = write(tmp_path / "other" / "other.ttl", things("hanoi"))
    ingest(gated, other)
    others_before = [q for q in dump(gated) if q.endswith(f"<{data_graph('other.ttl')}> .".encode())]
    old = gated.records()[data_graph("things.ttl")]

    v2 = write(tmp_path / "v2" / "things.ttl", things("vinh", "hue", "hanoi", partner={"vinh": "hanoi"}))
    expected = rdflib.Graph().parse(data=v2.read_text(encoding="utf-8"), format="turtle")
    result = ingest(gated, v2)

    assert [(g.source.key, g.replaced, g.triples) for g in result.loaded] == [
        ("things.ttl", True, len(expected))
    ]
    graph = data_graph("things.ttl")
    out = io.BytesIO()
    gated.dump(out, RdfFormat.N_TRIPLES, graph)
    assert isomorphic(rdflib.Graph().parse(data=out.getvalue().decode(), format="nt"), expected)
    assert not bool(gated.query(f"ASK {{ GRAPH <{graph}> {{ <{EX}vinh> <{EX}partner> <{EX}hue> }} }}"))
    assert [q for q in dump(gated) if q.endswith(f"<{data_graph('other.ttl')}> .".encode())] == others_before
    new = gated.records()[graph]
    assert new.triples == len(expected) == count(gated, graph)
    assert new.checksum != old.checksum
    assert new.source == source_iri("things.ttl")  # as published: the path below the load root


def test_changing_only_the_csvw_mapping_reloads_the_table(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    table = write(tmp_path / "t.csv", "id,name\nhue,Đại học Huế\n")

    def mapping(prop: str) -> None:
        columns = [
            {"name": "id", "titles": "id", "suppressOutput": True},
            {"name": "name", "titles": "name", "propertyUrl": EX + prop, "lang": "vi"},
        ]
        described = {"@context": "http://www.w3.org/ns/csvw", "url": "t.csv"}
        write(
            tmp_path / "t.csv-metadata.json",
            json.dumps(described | {"tableSchema": {"aboutUrl": EX + "{id}", "columns": columns}}),
        )

    mapping("name")
    ingest(store, table)
    mapping("label")
    result = ingest(store, table)
    assert [g.source.key for g in result.loaded] == ["t.csv"]
    assert bool(store.query(f'ASK {{ <{EX}hue> <{EX}label> "Đại học Huế"@vi }}'))
    assert not bool(store.query(f"ASK {{ <{EX}hue> <{EX}name> ?n }}"))


# --------------------------------------------------------------------------- the gate


def test_a_rejected_batch_leaves_the_store_byte_for_byte_as_it_was(gated: LocalStore, tmp_path: Path) -> None:
    root = gated.root
    before, generation, dirs = dump(gated), gated.generation, generation_dirs(root)
    batch = [
        write(tmp_path / "batch" / "fine.ttl", things("danang")),  # a new graph that conforms
        write(tmp_path / "batch" / "things.ttl", things("hue", "vinh", "hanoi")),  # a replacement
        write(tmp_path / "batch" / "nameless.ttl", things("nameless", named=False)),  # a violation
    ]

    with pytest.raises(BatchRejected) as rejected:
        ingest(gated, *batch)

    report = rejected.value.report
    assert [(str(f.focus.value), f.component, f.severity) for f in report.violations] == [
        (EX + "nameless", "MinCountConstraintComponent", "Violation")
    ]
    finding = report.violations[0]
    assert finding.message("en") == "The thing has no name."
    assert finding.message("vi") == "Thiếu tên."
    assert (finding.file, finding.line) == (str(batch[2]), line_of(batch[2], "ex:nameless"))
    assert rejected.value.quarantined is None
    assert gated.generation == generation
    assert dump(gated) == before
    assert generation_dirs(root) <= dirs, "the rejected generation was left on disk"
    assert not (root / "quarantine").exists()


def test_the_command_line_says_rejected_and_exits_4_writing_nothing(
    gated: LocalStore, tmp_path: Path
) -> None:
    before, generation = dump(gated), gated.generation
    bad = write(tmp_path / "batch" / "nameless.ttl", things("nameless", named=False))
    done = coopgraph("ingest", str(bad), store=gated.root)
    assert done.returncode == 4
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("rejected: 1 violation(s), 0 warning(s)")
    where = re.escape(f"{bad}:{line_of(bad, 'ex:nameless')}")
    assert re.search(rf"^VIOLATION\s+{where}\s+<{EX}nameless>", done.stderr, re.M), done.stderr
    assert "fix: Give every thing a name." in done.stderr
    assert done.stderr.rstrip().endswith("nothing was written")
    assert gated.generation == generation
    assert dump(gated) == before


def test_a_quarantined_batch_is_kept_outside_the_store_for_repair(gated: LocalStore, tmp_path: Path) -> None:
    before, generation = dump(gated), gated.generation
    bad = write(tmp_path / "batch" / "nameless.ttl", things("nameless", "orphan", named=False))
    fine = write(tmp_path / "batch" / "fine.ttl", things("danang"))

    done = coopgraph("ingest", "--quarantine", str(tmp_path / "batch"), store=gated.root)

    assert done.returncode == 4
    assert "Traceback" not in done.stderr
    kept = re.search(
        r"the batch is kept in quarantine as (\w+) \('coopgraph quarantine show \1'", done.stderr
    )
    assert kept, done.stderr
    batch = kept[1]
    assert gated.generation == generation
    assert dump(gated) == before
    assert not bool(gated.query(f"ASK {{ {{ <{EX}nameless> ?p ?o }} UNION {{ <{EX}danang> ?p ?o }} }}"))

    folder = gated.root / "quarantine" / batch
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["batch"] == batch
    assert manifest["violations"] == 2
    assert {(s["key"], s["file"], s["target"]) for s in manifest["sources"]} == {
        (p.name, str(p.resolve()), data_graph(p.name)) for p in (bad, fine)
    }
    kept_data = rdflib.Dataset()
    kept_data.parse(folder / "batch.nq", format="nquads")
    for path in (bad, fine):
        graph = kept_data.graph(rdflib.URIRef(f"{BASE}graph/quarantine/{batch}/{path.name}"))
        assert isomorphic(graph, rdflib.Graph().parse(path, format="turtle")), path.name
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert report["conforms"] is False
    assert sorted(r["focusNode"] for r in report["results"] if r["severity"] == "Violation") == [
        f"<{EX}nameless>",
        f"<{EX}orphan>",
    ]
    assert rdflib.Graph().parse(folder / "report.ttl", format="turtle")

    listed = coopgraph("quarantine", "list", store=gated.root)
    assert listed.returncode == 0
    assert re.search(
        rf"^{batch}\s+\S+\s+2 violation\(s\)\s+.*{re.escape(str(bad.resolve()))}", listed.stdout, re.M
    )
    dropped = coopgraph("quarantine", "drop", batch, store=gated.root)
    assert (dropped.returncode, dropped.stdout.strip()) == (0, f"dropped quarantined batch {batch}")
    assert not folder.exists()
    again = coopgraph("quarantine", "drop", batch, store=gated.root)
    assert again.returncode == 3
    assert f"no quarantined batch '{batch}'" in again.stderr
    unnamed = coopgraph("quarantine", "drop", store=gated.root)
    assert unnamed.returncode == 2
    empty = coopgraph("quarantine", "list", store=gated.root)
    assert empty.stdout.strip() == "no rejected batch is kept"
    assert dump(gated) == before


def test_validate_checks_files_against_the_shapes_without_loading_them(
    gated: LocalStore, tmp_path: Path
) -> None:
    before, generation = dump(gated), gated.generation
    bad = write(tmp_path / "check" / "nameless.ttl", things("nameless", named=False))
    good = write(tmp_path / "check" / "fine.ttl", things("danang"))

    failing = coopgraph("validate", str(bad), "--format", "json", store=gated.root)
    passing = coopgraph("validate", str(good), store=gated.root)

    assert failing.returncode == 4, failing.stderr
    report = json.loads(failing.stdout)
    assert report["conforms"] is False
    assert [(r["focusNode"], r["severity"], r["file"], r["line"]) for r in report["results"]] == [
        (f"<{EX}nameless>", "Violation", str(bad), line_of(bad, "ex:nameless"))
    ]
    assert passing.returncode == 0, passing.stderr
    assert passing.stdout.startswith("0 violation(s), 0 warning(s)")
    assert "Traceback" not in failing.stderr + passing.stderr
    assert gated.generation == generation
    assert dump(gated) == before

    # The same through the pipeline: a dry run loads, counts and validates, then throws the copy away.
    result = ingest(gated, bad, good, dry_run=True)
    assert {(g.source.key, g.triples) for g in result.loaded} == {("nameless.ttl", 2), ("fine.ttl", 3)}
    assert result.report is not None and len(result.report.violations) == 1
    assert gated.generation == generation
    assert dump(gated) == before


def test_warnings_do_not_block_a_batch(gated: LocalStore, tmp_path: Path) -> None:
    quiet = write(tmp_path / "batch" / "quiet.ttl", things("quiet", note=False))
    done = coopgraph("ingest", str(quiet), store=gated.root)
    assert done.returncode == 0, done.stderr
    assert "0 violation(s), 1 warning(s)" in done.stdout
    where = re.escape(f"{quiet}:{line_of(quiet, 'ex:quiet')}")
    assert re.search(rf"^WARNING\s+{where}\s+<{EX}quiet>", done.stdout, re.M), done.stdout
    assert "The thing has no note." in done.stdout
    assert count(gated, data_graph("quiet.ttl")) == 2
    assert gated.records()[data_graph("quiet.ttl")].triples == 2


def test_new_shapes_are_checked_against_the_data_already_stored(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    ingest(store, write(tmp_path / "data" / "old.ttl", things("hue", "nameless", named=False)))
    before, generation = dump(store), store.generation
    shapes = write(tmp_path / "shapes" / "things-shapes.ttl", SHAPES)
    with pytest.raises(BatchRejected) as rejected:
        ingest(store, shapes, role="shapes")
    focus = sorted(str(f.focus.value) for f in rejected.value.report.violations)
    assert focus == [EX + "hue", EX + "nameless"]
    assert rejected.value.report.focus_nodes is None  # everything was checked
    assert store.generation == generation
    assert dump(store) == before


def test_replacing_a_graph_others_point_into_is_checked_for_them(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    ingest(store, write(tmp_path / "shapes" / "things-shapes.ttl", SHAPES), role="shapes")
    bulk = "".join(f'<{EX}row/{i}> <{EX}value> "{i}" .\n' for i in range(3000))  # the batch is small
    ingest(
        store,
        write(tmp_path / "v1" / "bulk.nt", bulk),
        write(tmp_path / "v1" / "partners.ttl", things("hue")),
        write(tmp_path / "v1" / "pointers.ttl", things("vinh", partner={"vinh": "hue"})),
    )
    before = dump(store)
    with pytest.raises(BatchRejected):  # ex:vinh's partner would be nothing known
        ingest(store, write(tmp_path / "v2" / "partners.ttl", things("danang")))
    assert dump(store) == before


def test_two_writers_at_once_both_land(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    LocalStore(store_dir).close()
    files = [write(tmp_path / name / f"{name}.ttl", things(name)) for name in ("left", "right")]
    env = {"COOPGRAPH_STORE": str(store_dir)}
    writers = [
        subprocess.Popen(
            [*COOPGRAPH, "ingest", str(f)],
            cwd=PROJECT,
            env=dict(os.environ, **env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    outcomes = [w.communicate(timeout=300) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], outcomes
    store = LocalStore(store_dir, create=False)
    assert set(store.records()) == {data_graph("left.ttl"), data_graph("right.ttl")}
    assert count(store, data_graph("left.ttl")) == count(store, data_graph("right.ttl")) == 3

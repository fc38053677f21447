"""The store's history: every change a version with its counts and its delta; diff, revert, compaction,
restart, and SIGKILL at each step of a write.

Each command runs as a user runs it (``coopgraph`` in a process of its own); the datasets before and
after each change are read from the store itself, and each version's RDF Patch applied to the dataset
before it must give exactly the dataset after it (blank node labels are kept, so equal quads: isomorphic).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import Quad

from coopgraph import rdf_patch
from coopgraph.store.history import History
from coopgraph.store.local import LocalStore
from tests.conftest import PROJECT, coopgraph

BASE = "https://w3id.org/coopgraph/"
EX = "http://e.org/"
SHAPES = f"""\
@prefix sh: <http://www.w3.org/ns/shacl#> .
<{EX}ThingShape> a sh:NodeShape ; sh:targetClass <{EX}Thing> ;
    sh:property [ sh:path <{EX}name> ; sh:minCount 1 ; sh:message "A thing needs a name."@en ] .
"""
THINGS = f"""\
<{EX}t1> a <{EX}Thing> ; <{EX}name> "One"@en .
<{EX}t2> a <{EX}Thing> ; <{EX}name> "Two"@en ; <{EX}note> [ <{EX}text> "a note" ] .
"""
THINGS_CHANGED = THINGS.replace('"One"@en', '"Uno"@es')
A = BASE + "graph/data/things.ttl"
NAMES = f"SELECT ?thing ?name WHERE {{ ?thing <{EX}name> ?name }} ORDER BY ?thing ?name"


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def dataset(store: Path) -> set[Quad]:
    opened = LocalStore(store, create=False)
    try:
        return set(opened.view()._store)
    finally:
        opened.close()


def versions(store: Path) -> list[dict]:
    return json.loads(ok(coopgraph("history", "--format", "json", store=store)).stdout)


def apply_patch(before: set[Quad], patch: str) -> set[Quad]:
    added, removed = rdf_patch.parse(patch)
    assert not set(removed) - before, "the patch removes statements the dataset did not hold"
    return (before - set(removed)) | set(added)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "shapes.ttl").write_text(SHAPES, encoding="utf-8")
    (folder / "things.ttl").write_text(THINGS, encoding="utf-8")
    return folder


def test_ingest_update_drop_revert_are_versions_whose_patches_give_each_next_dataset(
    tmp_path: Path, files: Path
) -> None:
    store = tmp_path / "store"
    steps = [
        ("ingest", "--role", "shapes", str(files / "shapes.ttl")),
        ("ingest", str(files / "things.ttl"), "-m", "first things"),
        ("ingest", str(files / "things.ttl")),  # after the file changed
        ("drop", "things.ttl", "-m", "not ours"),
        ("revert", "4"),
    ]
    states: list[set[Quad]] = [set()]
    rows = []  # what a query gave after each version, to ask again of that version at the end
    for n, step in enumerate(steps):
        if n == 2:
            (files / "things.ttl").write_text(THINGS_CHANGED, encoding="utf-8")
        ok(coopgraph(*step, store=store))
        states.append(dataset(store))
        if n in (1, 2, 3):
            rows.append(ok(coopgraph("query", NAMES, "--format", "csv", store=store)).stdout)

    listed = versions(store)
    assert [(v["number"], v["kind"]) for v in listed] == [
        (1, "ingest"),
        (2, "ingest"),
        (3, "ingest"),
        (4, "drop"),
        (5, "revert"),
    ]
    assert listed[1]["message"] == "first things" and listed[3]["message"] == "not ours"
    assert listed[4]["message"] == "revert v4"
    assert {v["who"] for v in listed} == {listed[0]["who"]} and listed[0]["who"]
    assert all(v["validation"]["conforms"] for v in listed)
    # things.ttl: 6 triples; then one name changed and the note's blank node is a new one; dropped; back
    counts = [v["graphs"].get(A) for v in listed]
    assert counts == [
        None,
        {"added": 6, "removed": 0},
        {"added": 3, "removed": 3},
        {"added": 0, "removed": 6},
        {"added": 6, "removed": 0},
    ]
    for number in range(1, 6):
        patch = ok(coopgraph("diff", str(number), "--format", "patch", store=store)).stdout
        assert patch.splitlines()[1] == "TX ." and patch.splitlines()[-1] == "TC ."
        assert apply_patch(states[number - 1], patch) == states[number], f"version {number}"
    # reverting the drop gives back exactly the dataset before it, catalogue included
    assert states[5] == states[3]
    # two versions at once: the net change
    net = ok(coopgraph("diff", "1", "3", "--format", "patch", store=store)).stdout
    assert apply_patch(states[1], net) == states[3]
    # a query at a version gives the rows the store gave then
    for number, then in zip((2, 3, 4), rows, strict=True):
        again = ok(coopgraph("query", NAMES, "--format", "csv", "--version", str(number), store=store))
        assert again.stdout == then, f"version {number}"
    assert rows[0] != rows[1] != rows[2]
    text = ok(coopgraph("diff", "3", store=store)).stdout
    assert '- <http://e.org/name> "One"@en' in text and '+ <http://e.org/name> "Uno"@es' in text


def test_filters_select_versions_by_graph_resource_and_date(tmp_path: Path, files: Path) -> None:
    store = tmp_path / "store"
    ok(coopgraph("ingest", "--role", "shapes", str(files / "shapes.ttl"), store=store))
    ok(coopgraph("ingest", str(files / "things.ttl"), store=store))

    def numbers(*flags: str) -> list[int]:
        done = ok(coopgraph("history", "--format", "json", *flags, store=store))
        return [v["number"] for v in json.loads(done.stdout)]

    assert numbers() == [1, 2]
    assert numbers("--graph", "things.ttl") == [2]
    assert numbers("--graph", A) == [2]
    assert numbers("--resource", EX + "t2") == [2]
    assert numbers("--resource", EX + "ThingShape") == [1]
    assert numbers("--since", "2000-01-01") == [1, 2]
    assert numbers("--since", "2999-01-01") == []
    reports = json.loads(ok(coopgraph("graphs", "--history", "--format", "json", store=store)).stdout)
    assert [(a["version"], a["kind"], a["@type"]) for a in reports] == [
        (2, "ingest", "prov:Activity"),
        (1, "ingest", "prov:Activity"),
    ]
    assert reports[0]["statements"]["added"] > 6 and reports[0]["validation"]["conforms"] is True
    text = ok(coopgraph("graphs", "--history", store=store)).stdout
    assert text.splitlines()[0].startswith("v2 ") and "valid: 0 violation(s)" in text


def test_reverting_an_ingest_gives_back_the_earlier_dataset(tmp_path: Path, files: Path) -> None:
    store = tmp_path / "store"
    ok(coopgraph("ingest", "--role", "shapes", str(files / "shapes.ttl"), store=store))
    before = dataset(store)
    ok(coopgraph("ingest", str(files / "things.ttl"), store=store))
    assert dataset(store) != before
    ok(coopgraph("revert", "2", "-m", "loaded by mistake", store=store))
    assert dataset(store) == before
    assert versions(store)[-1]["graphs"][A] == {"added": 0, "removed": 6}


def test_a_revert_the_shapes_refuse_changes_nothing(tmp_path: Path, files: Path) -> None:
    store = tmp_path / "store"
    (files / "name.ttl").write_text(f'<{EX}t3> <{EX}name> "Three"@en .\n', encoding="utf-8")
    (files / "type.ttl").write_text(f"<{EX}t3> a <{EX}Thing> .\n", encoding="utf-8")
    ok(coopgraph("ingest", "--role", "shapes", str(files / "shapes.ttl"), store=store))
    ok(coopgraph("ingest", str(files / "name.ttl"), store=store))
    ok(coopgraph("ingest", str(files / "type.ttl"), store=store))
    before, listed = dataset(store), versions(store)
    generation = (store / "CURRENT").read_text()

    done = coopgraph("revert", "2", store=store)  # t3 would be a Thing without a name
    assert done.returncode == 4, done.stdout + done.stderr
    assert "A thing needs a name." in done.stderr and "nothing was reverted" in done.stderr
    assert dataset(store) == before and versions(store) == listed
    assert (store / "CURRENT").read_text() == generation
    assert sorted(p.name for p in (store / "history").iterdir()) == sorted(
        f"v{n:08d}{suffix}" for n in (1, 2, 3) for suffix in (".json", ".added.nq.gz", ".removed.nq.gz")
    )


def test_history_survives_compaction_reclaim_and_restart(tmp_path: Path, files: Path) -> None:
    store = tmp_path / "store"
    ok(coopgraph("ingest", "--role", "shapes", str(files / "shapes.ttl"), store=store))
    ok(coopgraph("ingest", str(files / "things.ttl"), store=store))
    listed = versions(store)
    patch = ok(coopgraph("diff", "2", "--format", "patch", store=store)).stdout
    opened = LocalStore(store, create=False)
    assert opened.compact()
    opened.close()
    LocalStore(store, create=False).close()  # opening a store reclaims the generations no reader holds
    gens = sorted(p.name for p in (store / "gens").iterdir() if p.is_dir())
    assert len(gens) == 1 and gens[0] > listed[-1]["generation"], "the old generations were reclaimed"
    assert versions(store) == listed, "compaction is not a change"
    assert ok(coopgraph("diff", "2", "--format", "patch", store=store)).stdout == patch
    ok(coopgraph("revert", "2", store=store))
    assert versions(store)[-1]["graphs"][A] == {"added": 0, "removed": 6}


def test_retention_keeps_the_newest_versions(tmp_path: Path, files: Path) -> None:
    store = tmp_path / "store"
    ok(coopgraph("ingest", "--role", "shapes", str(files / "shapes.ttl"), store=store))
    ok(coopgraph("ingest", str(files / "things.ttl"), store=store))
    (files / "things.ttl").write_text(THINGS_CHANGED, encoding="utf-8")
    ok(coopgraph("ingest", str(files / "things.ttl"), store=store))
    done = ok(coopgraph("history", "--keep", "2", "--format", "json", store=store))
    assert [v["number"] for v in json.loads(done.stdout)] == [2, 3]
    assert not any(p.name.startswith("v00000001") for p in (store / "history").iterdir())
    ok(coopgraph("drop", "things.ttl", store=store))
    assert [v["number"] for v in versions(store)] == [3, 4]
    ok(coopgraph("history", "--keep-all", store=store))
    ok(coopgraph("ingest", str(files / "things.ttl"), store=store))
    assert [v["number"] for v in versions(store)] == [3, 4, 5]


# ---------------------------------------------------------------------------------------- SIGKILL
#: The writer kills itself (SIGKILL) at one exact step of publishing a change: no timing, no race.
CHILD = """
import os, signal, sys
from coopgraph.store import generations, history
from coopgraph.cli.main import main

point = sys.argv[1]

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if point == "before-delta":
    history.History.record = die
elif point == "between-deltas":
    write = history._write_quads
    def write_one(path, quads):
        write(path, quads)
        die()
    history._write_quads = write_one
elif point == "before-record":
    write = history._write_quads
    def write_then_die(path, quads):
        write(path, quads)
        if ".removed." in path.name:
            die()
    history._write_quads = write_then_die
elif point == "record-unrenamed":
    replace = os.replace
    def replace_record(src, dst):
        if str(src).endswith(".json.tmp"):
            die()
        replace(src, dst)
    history.os.replace = replace_record
elif point == "before-publish":
    generations.Generations.publish = die
elif point == "after-publish":
    publish = generations.Generations.publish
    def publish_then_die(self, name):
        publish(self, name)
        die()
    generations.Generations.publish = publish_then_die
sys.exit(main(sys.argv[2:]))
"""
POINTS = [
    "before-delta",
    "between-deltas",
    "before-record",
    "record-unrenamed",
    "before-publish",
    "after-publish",
]


def killed_writer(point: str, store: Path, *args: str) -> None:
    env = dict(os.environ, COOPGRAPH_STORE=str(store))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, point, *args], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert done.returncode == -signal.SIGKILL, done.stdout + done.stderr


@pytest.mark.parametrize("point", POINTS)
def test_a_writer_killed_at_any_step_leaves_no_version_without_its_change(
    tmp_path: Path, files: Path, point: str
) -> None:
    store = tmp_path / "store"
    ok(coopgraph("ingest", "--role", "shapes", str(files / "shapes.ttl"), store=store))
    before, listed = dataset(store), versions(store)

    killed_writer(point, store, "ingest", str(files / "things.ttl"))

    now, after = dataset(store), versions(store)
    if point == "after-publish":  # the change is published, and its version with it
        assert now != before
        assert [v["number"] for v in after] == [1, 2]
        patch = ok(coopgraph("diff", "2", "--format", "patch", store=store)).stdout
        assert apply_patch(before, patch) == now
    else:
        assert now == before and after == listed
    # the next writer clears what the killed one left, and numbers on from the last published version
    (files / "things.ttl").write_text(THINGS_CHANGED, encoding="utf-8")
    ok(coopgraph("ingest", str(files / "things.ttl"), store=store))
    final = versions(store)
    assert [v["number"] for v in final] == list(range(1, len(final) + 1))
    assert final[-1]["generation"] == (store / "CURRENT").read_text().strip()
    numbers = {v["number"] for v in final}
    on_disk = {int(p.name[1:9]) for p in (store / "history").iterdir()}
    assert on_disk == numbers, "files of a version that was never published were left behind"
    patch = ok(coopgraph("diff", str(final[-1]["number"]), "--format", "patch", store=store)).stdout
    assert apply_patch(now, patch) == dataset(store)


def test_history_as_read_skips_a_version_whose_generation_is_not_published(
    tmp_path: Path, files: Path
) -> None:
    """The reader's side of atomicity: a record written by a writer killed before publishing is on disk,
    but names a generation newer than the published one, and is not listed."""
    store = tmp_path / "store"
    ok(coopgraph("ingest", "--role", "shapes", str(files / "shapes.ttl"), store=store))
    killed_writer("before-publish", store, "ingest", str(files / "things.ttl"))
    assert (store / "history" / "v00000002.json").exists()
    published = (store / "CURRENT").read_text().strip()
    assert [v.number for v in History(store).versions(published)] == [1]
    assert History(store).version(2, published) is None

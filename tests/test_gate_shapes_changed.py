"""New or changed shapes are checked against everything already stored, also when the store is large.

A batch that is large against the store is checked whole anyway (the gate's shortcut: working out
what it touches would cost more). These stores are padded so that a batch of shapes is far below
that threshold: only the "shapes changed" rule makes the gate check the data the shapes now reject.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import coopgraph

EX = "http://example.org/"
#: Stored statements the shapes never target: the store is hundreds of times the shapes batch.
PADDING = 5000

LENIENT = f"""\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <{EX}> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:name ; sh:maxCount 3 ; sh:message "Too many names."@en ] .
"""
STRICT = f"""\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <{EX}> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "The thing has no name."@en ] .
"""
THINGS = f"""\
@prefix ex: <{EX}> .
ex:hue a ex:Thing ; ex:name "Đại học Huế"@vi .
ex:nameless a ex:Thing .
ex:quiet a ex:Thing .
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def padded_store(tmp_path: Path) -> Path:
    """A store holding the things (two without a name) and PADDING statements about other nodes."""
    store = tmp_path / "store"
    bulk = "".join(f'<{EX}row/{i}> <{EX}value> "{i}" .\n' for i in range(PADDING))
    data = tmp_path / "data"
    write(data / "bulk.nt", bulk)
    write(data / "things.ttl", THINGS)
    loaded = coopgraph("ingest", str(data), store=store)
    assert loaded.returncode == 0, loaded.stderr
    return store


def ingest_shapes(store: Path, path: Path) -> tuple[int, dict]:
    result = coopgraph("ingest", str(path), "--role", "shapes", "--format", "json", store=store)
    assert result.returncode in (0, 4), result.stderr
    return result.returncode, json.loads(result.stdout)


def shapes_batch_is_small(store: Path, shapes: Path) -> None:
    """The batch is far below a quarter of the store: the large-batch shortcut does not apply.

    The gate reckons a batch at about 100 bytes a statement, plus the statements it replaces."""
    graphs = json.loads(coopgraph("graphs", "--format", "json", store=store, check=True).stdout)
    stored = sum(g["triples"] for g in graphs)
    replaced = sum(g["triples"] for g in graphs if g["role"] == "shapes")
    assert (shapes.stat().st_size // 100 + replaced) * 4 * 10 < stored


def current(store: Path) -> str:
    return (store / "CURRENT").read_text(encoding="ascii")


def test_new_shapes_in_a_large_store_are_checked_against_the_stored_data(tmp_path: Path) -> None:
    store = padded_store(tmp_path)
    shapes = write(tmp_path / "shapes" / "things-shapes.ttl", STRICT)
    shapes_batch_is_small(store, shapes)
    before = current(store)
    status, report = ingest_shapes(store, shapes)
    assert status == 4
    rejected = report["rejected"]
    assert rejected["focusNodes"] is None  # every node was checked
    assert sorted(r["focusNode"] for r in rejected["results"]) == [f"<{EX}nameless>", f"<{EX}quiet>"]
    assert current(store) == before


def test_changed_shapes_in_a_large_store_are_checked_against_the_stored_data(tmp_path: Path) -> None:
    store = padded_store(tmp_path)
    shapes = write(tmp_path / "shapes" / "things-shapes.ttl", LENIENT)
    status, _ = ingest_shapes(store, shapes)
    assert status == 0
    before = current(store)
    write(shapes, STRICT)  # the same file, now stricter: it replaces the stored shapes graph
    shapes_batch_is_small(store, shapes)
    status, report = ingest_shapes(store, shapes)
    assert status == 4
    rejected = report["rejected"]
    assert rejected["focusNodes"] is None
    assert sorted(r["focusNode"] for r in rejected["results"]) == [f"<{EX}nameless>", f"<{EX}quiet>"]
    assert current(store) == before

"""The compiled shapes kept beside the store (ingest/shacl/cache.py): never a stale or untrusted answer.

A model read from the cache must validate exactly as the shapes compiled afresh (the whole W3C suite
goes through it); changed shapes, another engine version, and a damaged file each give the shapes as
they are now, and the file is written again.
"""

from __future__ import annotations

import json
import logging
import pickle
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.compare import isomorphic

from ingest.shacl import Shapes
from ingest.shacl.cache import HEADER, cache_path, engine_version, load_or_compile, shapes_key
from ingest.shacl.conformance import validate
from ingest.shacl.graph import DeferredGraph
from tests.conftest import coopgraph
from tests.test_shacl_conformance import XFAIL
from tests.w3c import shacl

EX = "http://example.org/"
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
NAMED = f'@prefix ex: <{EX}> .\nex:hue a ex:Thing ; ex:name "Đại học Huế"@vi .\n'
NAMELESS = f"@prefix ex: <{EX}> .\nex:nameless a ex:Thing .\n"


def statements(turtle: str) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE)]


def failing_nodes(shapes: Shapes) -> set[str]:
    """The focus nodes that fail ``shapes`` on a data graph holding a named and a nameless thing."""
    store = ox.Store()
    store.extend(ox.Quad(*t) for t in statements(NAMED + NAMELESS))
    return {r.focus_node.value for r in shapes.validate(store).results}  # type: ignore[union-attr]


def cached_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("shapes-*.pickle"))


def test_a_model_read_back_validates_as_the_shapes_compiled(tmp_path: Path) -> None:
    strict = statements(STRICT)
    written = load_or_compile(strict, tmp_path)
    assert len(cached_files(tmp_path)) == 1
    read = load_or_compile(strict, tmp_path)
    assert isinstance(read.graph, DeferredGraph)  # read from the file, not compiled
    assert not isinstance(written.graph, DeferredGraph)
    assert failing_nodes(read) == failing_nodes(written) == {f"{EX}nameless"}
    # the report describes the blank-node property shape from the shapes graph, read back on demand
    report = read.validate(_store(NAMELESS)).to_rdflib()
    assert isomorphic(report, written.validate(_store(NAMELESS)).to_rdflib())
    assert len(report) > 10  # the result and the property shape's description


RECURSIVE = f"""\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <{EX}> .
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path ex:knows ; sh:node ex:PersonShape ] ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ] .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ex:name ; sh:maxCount 1 ] .
"""


def recursive_shapes(shapes: Shapes) -> set[str]:
    """The shapes that can reach themselves, as the model knows them (by the objects' identities)."""
    return {str(s.node) for s in shapes.shapes.values() if id(s) in shapes._recursive}


def test_a_model_read_back_knows_its_recursive_shapes(tmp_path: Path) -> None:
    recursive = statements(RECURSIVE)
    written = load_or_compile(recursive, tmp_path)
    read = load_or_compile(recursive, tmp_path)
    assert isinstance(read.graph, DeferredGraph)
    assert recursive_shapes(read) == recursive_shapes(written)
    assert f"<{EX}PersonShape>" in recursive_shapes(read)
    assert f"<{EX}ThingShape>" not in recursive_shapes(read)
    data = _store(
        f"""@prefix ex: <{EX}> .
        ex:a a ex:Person ; ex:name "A" ; ex:knows ex:b . ex:b ex:knows ex:a , ex:c . ex:c ex:knows ex:c ."""
    )
    found = {(r.focus_node.value, r.source_shape) for r in read.validate(data).results}  # type: ignore[union-attr]
    assert found == {(r.focus_node.value, r.source_shape) for r in written.validate(data).results}  # type: ignore[union-attr]
    assert found


def _store(turtle: str) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(*t) for t in statements(turtle))
    return store


def test_a_changed_shape_is_enforced_at_once(tmp_path: Path) -> None:
    lenient, strict = statements(LENIENT), statements(STRICT)  # (parsed once: the same blank nodes)
    assert failing_nodes(load_or_compile(lenient, tmp_path)) == set()
    assert failing_nodes(load_or_compile(strict, tmp_path)) == {f"{EX}nameless"}
    assert failing_nodes(load_or_compile(lenient, tmp_path)) == set()
    assert failing_nodes(load_or_compile(strict, tmp_path)) == {f"{EX}nameless"}
    assert len(cached_files(tmp_path)) == 2


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:-200] + bytes(200), id="zeroed-tail"),
        pytest.param(lambda data: b"not a cache at all\n" + data, id="no-header"),
        pytest.param(lambda data: data.split(b"\n", 1)[0] + b"\n" + pickle.dumps({"a": 1}), id="not-a-model"),
    ],
)
def test_a_damaged_file_is_rebuilt_not_trusted(tmp_path: Path, damage) -> None:
    strict = statements(STRICT)
    load_or_compile(strict, tmp_path)
    (path,) = cached_files(tmp_path)
    sound = path.read_bytes()
    path.write_bytes(damage(sound))
    assert failing_nodes(load_or_compile(strict, tmp_path)) == {f"{EX}nameless"}
    assert path.read_bytes().split(b"\n", 1)[0] == sound.split(b"\n", 1)[0]  # written again, whole
    assert isinstance(pickle.loads(path.read_bytes().split(b"\n", 1)[1]), Shapes)


def plant(folder: Path, key: str, model: Shapes) -> Path:
    """A cache file for ``key`` holding ``model`` (the compiled form of other shapes)."""
    path = cache_path(folder, key)
    path.write_bytes(HEADER + key.encode() + b"\n" + pickle.dumps(model))
    return path


def test_a_file_of_another_engine_version_is_ignored(tmp_path: Path) -> None:
    lenient = statements(LENIENT)
    # an older engine compiled the lenient shapes into a model that rejects nameless things
    plant(tmp_path, shapes_key(lenient, "an older engine"), Shapes.from_quads(statements(STRICT)))
    assert failing_nodes(load_or_compile(lenient, tmp_path, engine="an older engine")) == {f"{EX}nameless"}
    assert failing_nodes(load_or_compile(lenient, tmp_path)) == set()
    assert engine_version() != "an older engine"
    assert len(cached_files(tmp_path)) == 2
    assert failing_nodes(load_or_compile(lenient, tmp_path)) == set()  # now read from its own file


def test_a_file_under_the_right_name_with_another_key_inside_is_ignored(tmp_path: Path) -> None:
    lenient = statements(LENIENT)
    other = plant(tmp_path, shapes_key(lenient, "an older engine"), Shapes.from_quads(statements(STRICT)))
    other.rename(cache_path(tmp_path, shapes_key(lenient, engine_version())))
    assert failing_nodes(load_or_compile(lenient, tmp_path)) == set()


def test_a_folder_that_cannot_be_written_only_costs_the_compilation(tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder would be", encoding="utf-8")
    assert failing_nodes(load_or_compile(statements(STRICT), blocked)) == {f"{EX}nameless"}


def test_the_store_keeps_the_compiled_shapes_and_a_changed_shape_applies_to_the_next_batch(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    shapes = tmp_path / "shapes" / "things-shapes.ttl"
    shapes.parent.mkdir()
    data = tmp_path / "data"
    data.mkdir()

    def ingest(path: Path, *args: str) -> tuple[int, dict]:
        result = coopgraph("ingest", str(path), *args, "--format", "json", store=store)
        assert result.returncode in (0, 4), result.stderr
        return result.returncode, json.loads(result.stdout)

    shapes.write_text(LENIENT, encoding="utf-8")
    assert ingest(shapes, "--role", "shapes")[0] == 0
    (data / "named.ttl").write_text(NAMED, encoding="utf-8")
    assert ingest(data / "named.ttl")[0] == 0
    assert len(cached_files(store / "cache")) == 1

    shapes.write_text(STRICT, encoding="utf-8")
    assert ingest(shapes, "--role", "shapes")[0] == 0
    (data / "nameless.ttl").write_text(NAMELESS, encoding="utf-8")
    code, report = ingest(data / "nameless.ttl")
    assert code == 4
    assert "The thing has no name." in json.dumps(report, ensure_ascii=False)
    assert len(cached_files(store / "cache")) == 2


@pytest.fixture
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for each of the suite's deliberately ill-typed literals."""
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


@pytest.mark.usefixtures("_quiet_rdflib")
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(strict=True, reason=XFAIL[case.id])] if case.id in XFAIL else [],
        )
        for case in shacl.cases()
    ],
)
def test_w3c_shacl_case_through_the_cache(case: shacl.Case, tmp_path: Path) -> None:
    problem = shacl.problem(case, lambda data, shapes: validate(data, shapes, cache=tmp_path))
    assert problem is None, problem
    assert case.expects_failure or len(cached_files(tmp_path)) == 1

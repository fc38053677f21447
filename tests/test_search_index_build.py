"""The search index is built a batch at a time (so that its memory does not grow with the store): whatever
the batch, it is the same index, and the same as the plain whole-store computation of
``tests/search_reference.py``, on the seed data plus generated organisations named in three languages,
whose names, classes and facts come from several graphs and so cross batch borders."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat

from coopgraph import iris
from coopgraph.search import build_index
from coopgraph.store import Store, open_store
from tests.search_reference import index_tables

ORGANISATIONS = 120
ONE_GO = 10**9
COUNTRIES = ("vn", "fr", "cn", "jp")
PROVINCES = ("lang-son", "quang-ninh", "thanh-hoa")


def generated(organisations: int) -> tuple[str, str]:
    """Two graphs of N-Triples: organisations with labels in vi/en/fr, a country, a place and a year; then
    alternative names, a repeated label and funders, in the other graph."""
    org = iris.RESOURCE + "organization/gen-{}"
    label, alt = (
        "<http://www.w3.org/2000/01/rdf-schema#label>",
        "<http://www.w3.org/2004/02/skos/core#altLabel>",
    )
    first, second = [], []
    for i in range(organisations):
        s = f"<{org.format(i)}>"
        first += [
            f"{s} <{iris.RDF_TYPE}> <{iris.ONTOLOGY}University> .",
            f'{s} {label} "Trường Đại học số {i}"@vi .',
            f'{s} {label} "University number {i}"@en .',
            f'{s} {label} "Université numéro {i}"@fr .',
            f"{s} <{iris.ONTOLOGY}country> <{iris.VOCAB}country/{COUNTRIES[i % len(COUNTRIES)]}> .",
            f'{s} <http://schema.org/foundingDate> "{1900 + i}" .',
        ]
        if i % 2:
            first.append(f"{s} <http://schema.org/location> <{iris.VOCAB}province/{PROVINCES[i % 3]}> .")
        if i % 3 == 0:
            second += [f'{s} {alt} "ĐH số {i}"@vi .', f'{s} {label} "University number {i}"@en .']
        if i % 5 == 0:
            second.append(f'{s} <http://schema.org/foundingDate> "{1800 + i}" .')
        if i % 11 == 0:
            funding = f"<{iris.RESOURCE}funding/gen-{i}>"
            second += [f"{funding} <{iris.ONTOLOGY}funder> {s} .", f'{funding} {label} "Funding {i}"@en .']
    # a thing named outside the project's namespaces (not indexed) and a term of the model (not indexed)
    second += [
        '<http://example.org/elsewhere> <http://www.w3.org/2000/01/rdf-schema#label> "Elsewhere"@en .',
        f"<{iris.ONTOLOGY}GeneratedTerm> <{iris.RDF_TYPE}> <{iris.ONTOLOGY}University> .",
        f'<{iris.ONTOLOGY}GeneratedTerm> <http://www.w3.org/2000/01/rdf-schema#label> "A term"@en .',
    ]
    return "\n".join(first) + "\n", "\n".join(second) + "\n"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> Store:
    import shutil

    root = tmp_path_factory.mktemp("index-build") / "store"
    shutil.copytree(seeded_store, root, symlinks=True)
    opened = open_store(root)
    first, second = generated(ORGANISATIONS)
    with opened.transaction() as tx:
        tx.load(first.encode(), RdfFormat.N_TRIPLES, iris.graph_iri("data", "generated-1.nt"))
        tx.load(second.encode(), RdfFormat.N_TRIPLES, iris.graph_iri("data", "generated-2.nt"))
    return opened


def tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table of an index file, the full-text index by its terms and where they occur."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, name_words, 'instance')")
        order = {"resource": "id", "name": "id", "meta": "key", "words": "term, doc, col, offset"}
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY {by}").fetchall()
            for table, by in order.items()
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def one_go(store: Store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[object, ...]]]:
    target = tmp_path_factory.mktemp("one-go") / "index.sqlite"
    build_index(store.view(), target, "g", batch=ONE_GO)
    return tables(target)


@pytest.mark.parametrize("batch", [1, 3, 7, 50])
def test_the_index_built_in_batches_is_the_index_built_in_one_go(
    store: Store, one_go: dict[str, list[tuple[object, ...]]], tmp_path: Path, batch: int
) -> None:
    target = tmp_path / "index.sqlite"
    built = build_index(store.view(), target, "g", batch=batch)
    assert built["resources"] > 10 * batch
    assert tables(target) == one_go
    assert not list(tmp_path.glob("*.stage")), "the staging database is removed"


def test_the_index_holds_what_the_whole_harvest_gives(
    store: Store, one_go: dict[str, list[tuple[object, ...]]]
) -> None:
    resource_rows, name_rows = index_tables(store.view())
    assert one_go["resource"] == resource_rows
    assert one_go["name"] == name_rows
    assert dict(one_go["meta"]) == {
        "generation": "g",
        "resources": str(len(resource_rows)),
        "names": str(len(name_rows)),
    }


def test_the_generated_names_facts_and_links_are_in_it(one_go: dict[str, list[tuple[object, ...]]]) -> None:
    """What the comparisons above cover: names in three languages from two graphs, once each; places,
    countries, funders; things outside the project not indexed."""
    import json

    by_iri = {row[1]: row for row in one_go["resource"]}
    six = by_iri[iris.RESOURCE + "organization/gen-33"]
    assert json.loads(six[5]) == {
        "vi": "Trường Đại học số 33",
        "en": "University number 33",
        "fr": "Université numéro 33",
    }
    names = [(field, lang, text) for _, number, field, lang, text, _, _ in one_go["name"] if number == six[0]]
    assert sorted(names) == sorted(
        [
            ("label", "vi", "Trường Đại học số 33"),
            ("label", "en", "University number 33"),
            ("label", "fr", "Université numéro 33"),
            ("altLabel", "vi", "ĐH số 33"),
        ]
    )
    facts = json.loads(six[6])
    assert facts["place"] and facts["country"][0]["code"] == "fr"
    assert sorted(facts["founded"]) == ["1933"]
    assert " funder " in by_iri[iris.RESOURCE + "organization/gen-11"][2]
    assert sorted(json.loads(by_iri[iris.RESOURCE + "organization/gen-5"][6])["founded"]) == ["1805", "1905"]
    assert "http://example.org/elsewhere" not in by_iri and iris.ONTOLOGY + "GeneratedTerm" not in by_iri

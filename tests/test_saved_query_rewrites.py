"""Saved queries rewritten to scale (to be evaluated in time on a store of millions of statements) give the
rows they gave before, on the seed dataset.

``tests/saved_queries_before/`` keeps each such query as it was before its rewrite. Both texts are run on
the seeded store the way the project runs them: with the parameters substituted (``/queries/{name}``,
the command line), for every parameter set the answer tests use and in each language of the labels, and as
``with_defaults()`` writes them (``VALUES`` at the top: ``/sparql``, the query page's editor, the benchmarks).

A rewrite may add a paging parameter (``after``) to a query whose whole answer grows with the store: its
first page is the former answer where that fits in a page (the seed dataset), and its pages, chained, are
the former answer on a store with more nodes than a page holds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from coopgraph.saved_queries import SavedQuery, load_all, parse
from coopgraph.store.local import LocalStore
from tests.test_saved_queries import CASES

BEFORE = Path(__file__).parent / "saved_queries_before"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
REWRITTEN = sorted(path.stem for path in BEFORE.glob("*.rq"))
LANGUAGES = ("en", "vi", "fr", "zh")
#: Parameters a rewrite may add to page an answer that grows with the store (their columns are left out).
PAGING = frozenset({"after"})


def rows(store: LocalStore, text: str, substitutions: dict | None = None) -> list[tuple[str, ...]]:
    """The answer's rows, as text, in a fixed order (ties of ORDER BY may come in any order), without the
    columns of paging parameters."""
    answer = store.query(text, substitutions=substitutions)
    kept = [i for i, v in enumerate(answer.variables) if v.value not in PAGING]
    return sorted(tuple("" if row[i] is None else str(row[i]) for i in kept) for row in answer)


def parameter_sets(saved: SavedQuery) -> list[dict[str, str]]:
    """The defaults, each answer test's parameters, and each of these in every label language."""
    sets: list[dict[str, str]] = [{}] + [dict(c.params) for c in CASES if c.name == saved.name]
    if any(p.name == "lang" for p in saved.parameters):
        sets += [{**given, "lang": lang} for given in list(sets) for lang in LANGUAGES]
    unique = {tuple(sorted(s.items())): s for s in sets}
    return list(unique.values())


def test_each_rewrite_keeps_its_former_text_and_parameters() -> None:
    saved = load_all()
    assert REWRITTEN, "no former text kept"
    for name in REWRITTEN:
        before = parse(BEFORE / f"{name}.rq")
        assert before.query != saved[name].query, f"{name}: the text kept is the current one"
        now = [p.name for p in saved[name].parameters if p.name not in PAGING]
        assert [p.name for p in before.parameters] == now


@pytest.mark.parametrize("name", REWRITTEN)
def test_rewrite_gives_the_former_rows(seeded_store: Path, name: str) -> None:
    store = LocalStore(seeded_store)
    before, after = parse(BEFORE / f"{name}.rq"), load_all()[name]
    assert rows(store, after.with_defaults()) == rows(store, before.with_defaults())
    answered = 0
    for given in parameter_sets(after):
        got = rows(store, after.query, after.bindings(given))
        assert got == rows(store, before.query, before.bindings(given)), f"{name} {given}"
        answered += bool(got)
    assert answered, f"{name}: no parameter set has any row, the comparison shows nothing"


def test_article_nodes_pages_chained_give_the_former_answer(seeded_store: Path, tmp_path: Path) -> None:
    """On a store where one article is cited by more nodes than a page holds (as every record of a large
    load cites its source), the pages, each asked from the last IRI of the one before, hold the former
    answer's rows, each once."""
    shutil.copytree(seeded_store, tmp_path / "store", symlinks=True)
    store = LocalStore(tmp_path / "store")
    article = NamedNode("https://w3id.org/coopgraph/id/article/bqn-3389250-fr")
    graph = NamedNode("https://w3id.org/coopgraph/graph/data/test/many.nt")
    university = NamedNode("https://w3id.org/coopgraph/ontology#University")
    rdf_type, label = NamedNode(RDF_TYPE), NamedNode(RDFS_LABEL)
    source = NamedNode("http://purl.org/dc/terms/source")
    added = []
    for i in range(1_500):
        node = NamedNode(f"https://w3id.org/coopgraph/id/organization/many-{i:04d}")
        added += [Quad(node, rdf_type, university, graph), Quad(node, source, article, graph)]
        added.append(Quad(node, label, Literal(f"University number {i}", language="en"), graph))
    with store.transaction() as tx:
        tx.add(added)
    before, after = parse(BEFORE / "article-nodes.rq"), load_all()["article-nodes"]
    expected = rows(store, before.query, before.bindings({}))
    assert len(expected) > 1_500
    got: list[tuple[str, ...]] = []
    given: dict[str, str] = {}
    pages = 0
    while True:
        answer = list(store.query(after.query, substitutions=after.bindings(given)))
        if not answer:
            break
        pages += 1
        assert len({row["iri"] for row in answer}) <= 1_000
        got += rows(store, after.query, after.bindings(given))
        given = {"after": max((row["iri"].value for row in answer), key=str)}
    assert pages == 2
    assert sorted(got) == expected

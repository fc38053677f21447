"""Provenance per statement in the seed dataset: every statement sits in the graph of the source that
supports it (an article, a register, the project's inferences), the catalogue publishes no path of
the loading machine, every quote is the article's own wording, and the facts the articles do not
state are not asserted as theirs."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pyoxigraph
import pytest

from tests.test_seed_data import (
    ARTICLE_1,
    ARTICLE_2,
    ARTICLE_TEXTS,
    CATALOG,
    PREFIXES,
    ROOT,
    load_seed_store,
    select,
)

SEEDS = ROOT.parent / "shared" / "seeds"
ORG = "https://w3id.org/coopgraph/id/organization/"

#: Each seed graph, the file it was loaded from, and the source and kind of source that file names.
GRAPH_SOURCES = (
    PREFIXES
    + f"""
SELECT ?g ?file ?source ?kind WHERE {{
  GRAPH <{CATALOG}> {{ ?g dcterms:identifier ?key ; dcterms:source ?file . FILTER STRSTARTS(?key, "seed/") }}
  OPTIONAL {{ ?file dcterms:source ?source . ?source a ?kind . ?kind rdfs:subClassOf* cg:Source }}
}}"""
)


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> pyoxigraph.Store:
    store, how = load_seed_store(tmp_path_factory.mktemp("seed"))
    if how != "coopgraph init":
        pytest.fail("the catalogue needs the real first start (coopgraph init)")
    return store


def _graph_sources(store: pyoxigraph.Store) -> dict[str, tuple[str | None, set[str]]]:
    found: dict[str, tuple[str | None, set[str]]] = {}
    for row in select(store, GRAPH_SOURCES):
        source = row["source"].value if row["source"] is not None else None
        kinds = found.get(row["g"].value, (source, set()))[1]
        if row["kind"] is not None:
            kinds.add(row["kind"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1])
        found[row["g"].value] = (source, kinds)
    return found


def _statements_by_source_kind(store: pyoxigraph.Store, kind: str, pattern: str) -> list:
    return select(
        store,
        PREFIXES
        + f"""
        SELECT ?s ?p ?o ?g WHERE {{
          GRAPH <{CATALOG}> {{ ?g dcterms:source ?file }}
          ?file dcterms:source/a {kind} .
          GRAPH ?g {{ {pattern} }}
        }}""",
    )


def test_every_statement_sits_in_the_graph_of_its_source(seed_store: pyoxigraph.Store) -> None:
    graphs = _graph_sources(seed_store)
    assert len(graphs) >= 19
    unsourced = sorted(g for g, (source, kinds) in graphs.items() if source is None or not kinds)
    assert unsourced == [], f"graphs whose file names no described source: {unsourced}"
    kinds = {kind for _, ks in graphs.values() for kind in ks}
    assert {"NewsArticle", "Register", "Derivation"} <= kinds
    # the description names no file the seed does not load (a stale line would hide a missing one)
    loaded = {row["file"].value for row in select(seed_store, GRAPH_SOURCES)}
    described = select(
        seed_store,
        PREFIXES + "SELECT ?file WHERE { ?file dcterms:source ?s FILTER STRSTARTS(STR(?file), "
        '"https://w3id.org/coopgraph/source/") }',
    )
    assert {r["file"].value for r in described} <= loaded


def test_the_articles_graphs_hold_no_registry_statement(seed_store: pyoxigraph.Store) -> None:
    """Identifiers and names from Wikidata, ROR or ISO are in the registers' graphs, never an article's."""
    identifiers = _statements_by_source_kind(
        seed_store, "schema:NewsArticle", "?s ?p ?o FILTER (?p IN (cg:wikidataId, cg:rorId, cg:isoCode))"
    )
    assert identifiers == [], identifiers[:3]
    names = _statements_by_source_kind(
        seed_store,
        "schema:NewsArticle",
        '?s rdfs:label ?o FILTER (LANGMATCHES(LANG(?o), "zh") || LANGMATCHES(LANG(?o), "ja"))',
    )
    assert names == [], names[:3]
    registered = _statements_by_source_kind(seed_store, "cg:Register", "?s ?p ?o")
    assert {r["p"].value.rsplit("#", 1)[-1] for r in registered} >= {"wikidataId", "rorId", "city"}


def test_registers_carry_their_retrieval_date_and_licence(seed_store: pyoxigraph.Store) -> None:
    rows = select(
        seed_store,
        PREFIXES
        + """PREFIX pav: <http://purl.org/pav/>
        SELECT ?file ?retrieved ?licence WHERE {
          ?file dcterms:source/a cg:Register .
          FILTER STRSTARTS(STR(?file), "https://w3id.org/coopgraph/source/")
          OPTIONAL { ?file pav:retrievedOn ?retrieved } OPTIONAL { ?file dcterms:license ?licence }
        }""",
    )
    assert len(rows) == 3  # Wikidata (names, ids, cities; coordinates) and ROR
    assert all(r["retrieved"] is not None and r["licence"] is not None for r in rows), rows


def test_inferences_are_in_the_derived_graph_only(seed_store: pyoxigraph.Store) -> None:
    """An organisation's province that the article does not name is the project's inference."""
    derived = _statements_by_source_kind(seed_store, "cg:Derivation", "?s schema:location ?o")
    assert {r["s"].value for r in derived} >= {ORG + "asahikawa-university", ORG + "ha-long-university"}
    in_articles = _statements_by_source_kind(seed_store, "schema:NewsArticle", "?s schema:location ?o")
    assert {r["s"].value for r in in_articles}.isdisjoint(
        {ORG + "asahikawa-university", ORG + "ha-long-university"}
    )
    # the article does place Kitami Institute of Technology in Hokkaido
    assert ORG + "kitami-institute-of-technology" in {r["s"].value for r in in_articles}


def test_the_catalogue_publishes_no_local_path(seed_store: pyoxigraph.Store) -> None:
    rows = select(
        seed_store,
        f"SELECT ?o WHERE {{ GRAPH <{CATALOG}> {{ ?s ?p ?o }} "
        'FILTER (isIRI(?o) && !STRSTARTS(STR(?o), "http")) }',
    )
    assert rows == [], sorted({r["o"].value for r in rows})[:5]


# ---------------------------------------------------------------------------
# the articles' own wording
# ---------------------------------------------------------------------------

QUOTED = """
SELECT ?node ?quote ?article WHERE {
  ?node cg:sourceQuote ?quote ; dcterms:source ?article .
}"""


def _article_text(article: str) -> str:
    prefix = ARTICLE_TEXTS[article]
    (path,) = sorted(SEEDS.glob(prefix + "*.txt"))
    return unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))


def test_agreements_events_and_figures_carry_the_articles_wording(seed_store: pyoxigraph.Store) -> None:
    rows = select(
        seed_store,
        PREFIXES
        + """
        SELECT ?node WHERE {
          VALUES ?class { cg:Agreement schema:Event cg:ReportedCount }
          ?node a/rdfs:subClassOf* ?class ; dcterms:source/a schema:NewsArticle .
          FILTER NOT EXISTS { ?node cg:sourceQuote ?quote }
        }""",
    )
    assert rows == [], [r["node"].value for r in rows]


def test_every_quote_appears_verbatim_in_the_article_it_cites(seed_store: pyoxigraph.Store) -> None:
    if not SEEDS.is_dir():
        pytest.skip("the source articles (../shared/seeds) are not beside the repository")
    rows = select(seed_store, PREFIXES + QUOTED)
    assert len(rows) >= 20
    texts = {article: _article_text(article) for article in ARTICLE_TEXTS}
    assert set(texts) == {str(ARTICLE_1), str(ARTICLE_2)}
    for row in rows:
        article = row["article"].value
        assert article in texts, f"{row['node'].value}: quote of an unknown source {article}"
        text = texts[article]
        quote = unicodedata.normalize("NFC", row["quote"].value)
        assert quote in text, f"{row['node'].value}: «{quote}» is not in the article"


# ---------------------------------------------------------------------------
# the review of every fact against the articles (issue 15's findings)
# ---------------------------------------------------------------------------


def test_the_quotas_are_not_shown_as_held_by_each_province(seed_store: pyoxigraph.Store) -> None:
    rows = select(
        seed_store,
        PREFIXES
        + """
        SELECT ?agent WHERE {
          <https://w3id.org/coopgraph/id/programme/asean-100000-ai-talents> prov:qualifiedAssociation ?q .
          ?q prov:agent ?agent ;
             prov:hadRole <https://w3id.org/coopgraph/vocab/participation-role/beneficiary> .
          ?agent a cg:EducationDepartment .
        }""",
    )
    assert rows == []


def test_planned_things_have_a_status_and_the_visit_its_day(seed_store: pyoxigraph.Store) -> None:
    rows = select(
        seed_store,
        PREFIXES
        + """
        SELECT ?lab ?network ?visit WHERE {
          <https://w3id.org/coopgraph/id/organization/vietnam-china-ai-lab> cg:status ?lab .
          <https://w3id.org/coopgraph/id/organization/vietnam-china-university-network> cg:status ?network .
          <https://w3id.org/coopgraph/id/event/xi-jinping-visit-2025-04> schema:startDate ?visit .
        }""",
    )
    assert len(rows) == 1
    row = rows[0]
    assert row["lab"].value.endswith("/under-consideration")
    assert row["network"].value.endswith("/announced")
    assert (row["visit"].value, row["visit"].datatype.value) == (
        "2025-04-14",
        "http://www.w3.org/2001/XMLSchema#date",
    )


def test_seed_folder_layout_matches_the_description() -> None:
    """Each file under data/ is named in sources.ttl (so a new file cannot be added without its source)."""
    data = ROOT / "data"
    text = (data / "sources.ttl").read_text(encoding="utf-8")
    files = [
        p.relative_to(data).as_posix()
        for p in data.rglob("*")
        if p.is_file()
        and p.suffix in {".ttl", ".csv", ".yaml", ".json"}
        and not p.name.endswith("-metadata.json")
    ]
    missing = [f for f in files if f"<{f}>" not in text]
    assert missing == [], missing
    assert Path(data / "README.md").is_file()

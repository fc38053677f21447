"""Search (coopgraph.search) on a real store: keys, matching in every language, ranking, filters, the index
per published state, and hostile queries."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat

from coopgraph.search import SearchIndex, ensure_index, index_path, search_key
from coopgraph.search.query import fts_expression
from coopgraph.store import Store
from tests.conftest import coopgraph
from tests.search_fixtures import COUNTRY, DATA_GRAPH, ORG, PROVINCE, fixture_store

HA_LONG = ORG + "ha-long-university"
TSINGHUA = ORG + "tsinghua-university"
VNU = ORG + "vnu-hanoi"
KITAMI = f"""<{ORG}kitami> a <https://w3id.org/coopgraph/ontology#University> ;
    <http://www.w3.org/2000/01/rdf-schema#label> "Kitami Institute of Technology"@en, "北見工業大学"@ja ."""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return fixture_store(tmp_path_factory.mktemp("search") / "store")


@pytest.fixture(scope="module")
def index(store: Store) -> SearchIndex:
    return SearchIndex(ensure_index(store.view()))


def top(index: SearchIndex, text: str, **kwargs: object) -> list[str]:
    return [hit.iri for hit in index.search(text, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Trường Đại học Hạ Long", "truong dai hoc ha long"),
        ("HA LONG", "ha long"),
        ("ĐHQGHN", "dhqghn"),
        ("Université d'Ha Long", "universite d ha long"),
        ("ＶＮＵ", "vnu"),  # full-width letters
        ("Ørsted Æbelø Straße", "orsted aebelo strasse"),
        ("清华大学", "清 华 大 学"),
        ("大阪大学", "大 阪 大 学"),
        ("ガス", "ガ ス"),  # kana keep their voicing marks
        ("Привет Ёж", "привет еж"),
        ("한국대학교", "한국대학교"),  # Hangul is written with spaces: one word
        ('NEAR("a" *b^', "near a b"),
    ],
)
def test_search_keys(text: str, key: str) -> None:
    assert search_key(text) == key


def test_the_fts_expression_quotes_every_word() -> None:
    assert fts_expression("near a b") == (
        '(words : "near" OR joined : "near") AND (words : "a" OR joined : "a") '
        'AND (words : "b" * OR joined : "b" *)'
    )
    assert fts_expression("清 华 x") == 'words : "清 华" AND (words : "x" * OR joined : "x" *)'


@pytest.mark.parametrize(
    "text",
    ["ha long", "HA LONG", "Hạ Long", "halong", "hạ long university", "ha long u"],
)
def test_ha_long_university_however_it_is_typed(index: SearchIndex, text: str) -> None:
    assert top(index, text)[0] == HA_LONG


@pytest.mark.parametrize(
    "text", ["thanh hoa", "Thanh Hóa", "清华", "清华大学", "tsinghua", "03cve4549", "Q16955"]
)
def test_tsinghua_by_its_vietnamese_and_chinese_names_and_its_codes(index: SearchIndex, text: str) -> None:
    # Among institutions: "thanh hoa" is first of all the exact name of Thanh Hóa province.
    assert top(index, text, kinds=["institution"])[0] == TSINGHUA
    assert TSINGHUA in top(index, text)


def test_a_ror_link_finds_its_code(index: SearchIndex) -> None:
    assert top(index, "https://ror.org/03cve4549")[0] == TSINGHUA


def test_lang_son_finds_the_province_first(index: SearchIndex) -> None:
    hits = index.search("lang son")
    assert hits[0].iri == PROVINCE + "lang-son"
    assert hits[0].match == "exact" and hits[0].kinds == ["place"] and hits[0].countries == ["vn"]
    assert ORG + "lang-son-doet" in [h.iri for h in hits], "the department is found too, after it"


def test_exact_names_and_acronyms_come_before_prefixes_and_words(index: SearchIndex) -> None:
    hits = index.search("vnu")
    assert hits[0].iri == VNU and hits[0].match == "exact" and hits[0].matched_field == "acronym"
    hits = index.search("dai hoc")
    assert [h.match for h in hits] == sorted((h.match for h in hits), key=["exact", "prefix", "words"].index)
    assert hits[0].match == "prefix" and hits[-1].match == "words"


def test_words_in_any_order_and_inside_a_name(index: SearchIndex) -> None:
    assert top(index, "hanoi national")[0] == VNU
    assert top(index, "hà nội", kinds=["institution"])[0] == VNU  # the province Hà Nội comes first of all
    assert VNU in top(index, "hà nội")
    assert TSINGHUA in top(index, "大学"), "a word of two characters inside a Chinese name"


def test_a_type_filter_narrows(index: SearchIndex) -> None:
    everything = top(index, "lang son")
    assert set(everything) >= {PROVINCE + "lang-son", ORG + "lang-son-doet"}
    assert top(index, "lang son", kinds=["institution"]) == [ORG + "lang-son-doet"]
    assert top(index, "lang son", kinds=["place"]) == [PROVINCE + "lang-son"]
    assert top(index, "lang son", kinds=["person"]) == []
    assert top(index, "le quan", kinds=["person"]) == [
        iri for iri in top(index, "le quan") if "person/" in iri
    ]
    assert top(index, "dai hoc thanh hoa", kinds=["agreement"]) == [
        iri for iri in top(index, "dai hoc thanh hoa") if "agreement/" in iri
    ]


def test_kinds_come_from_the_ontology_and_roles(index: SearchIndex) -> None:
    eu = index.search("EU")[0]
    assert eu.iri == ORG + "european-union"
    assert set(eu.kinds) == {"institution", "funder"}, "an intergovernmental organisation that funds"
    assert top(index, "union", kinds=["funder"]) == [ORG + "european-union"]
    assert top(index, "revfin", kinds=["programme"]) == [
        iri for iri in top(index, "revfin") if "project/" in iri
    ]


def test_a_country_filter_narrows(index: SearchIndex) -> None:
    universities = top(index, "university", limit=20)
    assert {HA_LONG, TSINGHUA, ORG + "osaka-university"} <= set(universities)
    assert top(index, "university", countries=["jp"]) == [ORG + "osaka-university"]
    assert TSINGHUA not in top(index, "university", countries=["vn"])


def test_the_label_in_the_asked_language_and_why(index: SearchIndex) -> None:
    hit = index.search("清华", lang="vi")[0]
    assert (hit.label, hit.label_lang) == ("Đại học Thanh Hoa", "vi")
    assert hit.matched_text == "清华大学" and hit.matched_lang == "zh"
    assert "清华大学" in hit.why
    assert index.search("清华", lang="fr")[0].label == "Tsinghua University", "no French label: English"


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '""',
        "'; DROP TABLE name; --",
        "NEAR(ha long",
        'NEAR("ha" "long", 2)',
        "ha* OR long^",
        "^ha",
        "*",
        "{words joined}: ha",
        "ha AND NOT long",
        "\x00ha",
        "ha long " * 1300,  # 10 kB
        "ł" * 10_000,
        "",
        "   ",
    ],
)
def test_hostile_queries_are_only_words(index: SearchIndex, text: str) -> None:
    hits = index.search(text)
    assert all(h.iri for h in hits)
    assert index.search("ha long")[0].iri == HA_LONG, "the index is intact"


def test_unknown_types_are_refused(index: SearchIndex) -> None:
    with pytest.raises(ValueError, match="unknown type 'planet'"):
        index.search("x", kinds=["planet"])


def test_the_index_follows_each_published_state(tmp_path: Path) -> None:
    store = fixture_store(tmp_path / "store")
    first = store.view()
    first_index = ensure_index(first)
    assert top(SearchIndex(first_index), "Kitami") == []
    with store.transaction() as tx:  # an ingest
        tx.load(
            KITAMI.encode(),
            RdfFormat.TURTLE,
            "https://w3id.org/coopgraph/graph/data/kitami.ttl",
        )
    second = store.view()
    assert not index_path(second).exists(), "a new state starts without an index"
    second_index = ensure_index(second)
    assert second_index != first_index
    assert top(SearchIndex(second_index), "kitami") == [ORG + "kitami"]
    assert top(SearchIndex(second_index), "北見") == [ORG + "kitami"]
    assert top(SearchIndex(first_index), "kitami") == [], "the older state's index changed"
    with store.transaction() as tx:  # a drop
        tx.drop_graph(DATA_GRAPH)
    third = SearchIndex(ensure_index(store.view()))
    assert top(third, "ha long") == []
    assert top(third, "kitami") == [ORG + "kitami"]
    store.collect()
    assert not first_index.exists() and not second_index.exists(), "an index outlived its state"


def test_an_index_is_written_whole_under_another_name(tmp_path: Path) -> None:
    store = fixture_store(tmp_path / "store")
    view = store.view()
    path = ensure_index(view)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, path.name + ".lock"]
    meta = SearchIndex(path).meta()
    assert meta["generation"] == view.generation
    assert int(meta["resources"]) >= 10
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        (found,) = conn.execute("SELECT count(*) FROM name_words WHERE name_words MATCH '\"hoa\"'").fetchone()
        assert found >= 2


def test_facts_are_kept_for_reconciliation(index: SearchIndex) -> None:
    found = index.resource(HA_LONG)
    assert found is not None
    facts = found["facts"]
    assert facts["country"] == [{"id": COUNTRY + "vn", "code": "vn", "name": "Vietnam"}]
    assert facts["website"] == ["https://daihochalong.edu.vn/"]
    assert facts["founded"] == ["2014"]
    assert "quang ninh" in facts["place"]
    assert index.resource(ORG + "nobody") is None


def test_the_seed_data_answers_the_issue_queries(store_copy: Path) -> None:
    """The bundled seed data, through the command line as a user runs it."""

    def search(*args: str) -> list[dict[str, object]]:
        result = coopgraph("search", *args, "--format", "json", store=store_copy)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    for text in ("ha long", "HA LONG", "Hạ Long", "halong"):
        assert search(text)[0]["iri"] == HA_LONG, text
    for text in ("thanh hoa", "清华"):
        assert search(text, "--type", "institution")[0]["iri"] == TSINGHUA, text
        assert TSINGHUA in [h["iri"] for h in search(text)], text
    assert search("lang son")[0]["iri"] == PROVINCE + "lang-son"
    assert [h["iri"] for h in search("lang son", "--type", "institution")] == [ORG + "lang-son-doet"]
    hit = search("VNU", "--lang", "vi", "--limit", "1")[0]
    assert hit == {**hit, "iri": VNU, "label": "Đại học Quốc gia Hà Nội", "match": "exact"}
    table = coopgraph("search", "Hạ Long", store=store_copy)
    assert table.returncode == 0 and HA_LONG in table.stdout and "starts with the query" in table.stdout
    bad = coopgraph("search", "x", "--type", "planet", store=store_copy)
    assert bad.returncode == 2 and "unknown type 'planet'" in bad.stderr

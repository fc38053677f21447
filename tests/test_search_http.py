"""``GET /search`` on a real server: JSON and HTML, filters, bad parameters, hostile queries, and the index
following the writes the server publishes."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.conftest import Server, start_server
from tests.search_fixtures import ORG, PROVINCE, names_server, names_store

__all__ = ["names_server"]  # the fixture, imported for pytest

HA_LONG = ORG + "ha-long-university"
TSINGHUA = ORG + "tsinghua-university"


def search(server: Server, **params: object) -> list[dict[str, object]]:
    reply = requests.get(server.url + "/search", params=params, timeout=60)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    return reply.json()["results"]


@pytest.mark.parametrize("text", ["ha long", "HA LONG", "Hạ Long", "halong"])
def test_ha_long_university(names_server: Server, text: str) -> None:
    hit = search(names_server, q=text)[0]
    assert hit["iri"] == HA_LONG
    assert (
        hit["label"] == "Ha Long University" and hit["types"] == ["institution"] and hit["country"] == ["vn"]
    )
    assert "Ha Long University" in hit["why"] or "Hạ Long" in hit["why"]


@pytest.mark.parametrize("text", ["thanh hoa", "清华"])
def test_tsinghua(names_server: Server, text: str) -> None:
    # Among institutions: "thanh hoa" is first of all the exact name of Thanh Hóa province.
    assert search(names_server, q=text, type="institution")[0]["iri"] == TSINGHUA
    assert TSINGHUA in [h["iri"] for h in search(names_server, q=text)]


def test_lang_son_and_the_type_filter(names_server: Server) -> None:
    assert search(names_server, q="lang son")[0]["iri"] == PROVINCE + "lang-son"
    assert [h["iri"] for h in search(names_server, q="lang son", type="institution")] == [
        ORG + "lang-son-doet"
    ]
    both = {h["iri"] for h in search(names_server, q="lang son", type="institution,place")}
    assert both == {ORG + "lang-son-doet", PROVINCE + "lang-son"}
    assert all("vn" in h["country"] for h in search(names_server, q="university", country="vn"))


def test_the_label_in_the_asked_language(names_server: Server) -> None:
    assert search(names_server, q="tsinghua", lang="zh", limit=1)[0]["label"] == "清华大学"
    reply = requests.get(
        names_server.url + "/search", params={"q": "tsinghua"}, headers={"Accept-Language": "vi"}, timeout=60
    )
    assert reply.json()["results"][0]["label"] == "Đại học Thanh Hoa"


def test_the_html_page(names_server: Server) -> None:
    reply = requests.get(
        names_server.url + "/search", params={"q": "hạ long"}, headers={"Accept": "text/html"}
    )
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    assert f'href="{HA_LONG}"' in reply.text and 'value="hạ long"' in reply.text
    empty = requests.get(names_server.url + "/search", params={"format": "html"})
    assert empty.status_code == 200 and "<form" in empty.text
    escaped = requests.get(
        names_server.url + "/search", params={"q": '"><script>x</script>', "format": "html"}
    )
    assert escaped.status_code == 200 and "<script>x" not in escaped.text


@pytest.mark.parametrize(
    ("params", "message"),
    [({"q": "x", "type": "planet"}, "unknown type 'planet'"), ({"q": "x", "limit": "0"}, "limit")],
)
def test_bad_parameters_are_400(names_server: Server, params: dict[str, str], message: str) -> None:
    reply = requests.get(names_server.url + "/search", params=params, timeout=60)
    assert reply.status_code == 400 and message in reply.json()["error"]


@pytest.mark.parametrize(
    "text",
    ['"', "NEAR(ha long", 'NEAR("ha" "long", 2)', "ha* OR long^", "{words}: x", "'; --", "ha long " * 1300],
)
def test_hostile_queries_get_a_clean_answer(names_server: Server, text: str) -> None:
    reply = requests.get(names_server.url + "/search", params={"q": text}, timeout=60)
    assert reply.status_code == 200, reply.text
    assert isinstance(reply.json()["results"], list)


def test_the_index_follows_writes_and_drops(tmp_path: Path) -> None:
    server = start_server(names_store(tmp_path), seed=False)
    try:
        graph = "https://w3id.org/coopgraph/graph/data/kitami.ttl"
        assert search(server, q="kitami", type="institution") == []  # the city Kitami is a place
        body = (
            "@prefix cg: <https://w3id.org/coopgraph/ontology#> .\n"
            f"<{ORG}kitami> a cg:University ; "
            "<http://purl.org/dc/terms/source> <https://w3id.org/coopgraph/id/article/search-fixture> ; "
            '<http://www.w3.org/2000/01/rdf-schema#label> "Kitami Institute of Technology"@en, '
            '"北見工業大学"@ja .\n'
        )
        put = requests.put(
            server.url + "/graphs",
            params={"graph": graph},
            data=body.encode(),
            headers={**server.auth, "Content-Type": "text/turtle"},
            timeout=120,
        )
        assert put.status_code in (200, 201, 204), put.text
        assert [h["iri"] for h in search(server, q="北見", type="institution")] == [ORG + "kitami"]
        assert search(server, q="ha long")[0]["iri"] == HA_LONG
        drop = requests.delete(
            server.url + "/graphs", params={"graph": graph}, headers=server.auth, timeout=120
        )
        assert drop.status_code in (200, 204), drop.text
        assert search(server, q="kitami", type="institution") == []  # the city Kitami is a place
    finally:
        server.stop()

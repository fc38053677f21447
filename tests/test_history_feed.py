"""The Atom feed of new and changed agreements and events, on a real server, read by ``feedparser`` (what
feed readers are built on): the seed's agreements and events as new, a change to one agreement as the
newest entry, titles in the reader's language, 304 until something changes."""

from __future__ import annotations

import feedparser
import requests

from tests.conftest import Server

CG = "https://w3id.org/coopgraph/ontology#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
GRAPH = "https://w3id.org/coopgraph/graph/data/feed-notes"
AGREEMENTS = f"""SELECT ?a ?en ?vi WHERE {{
  ?a a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{CG}Agreement> ;
     <{LABEL}> ?en FILTER (LANG(?en) = "en")
  OPTIONAL {{ ?a <{LABEL}> ?vi FILTER (LANG(?vi) = "vi") }}
}} ORDER BY ?a"""


def agreements(server: Server) -> list[dict]:
    answer = requests.get(
        f"{server.url}/sparql",
        params={"query": AGREEMENTS},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]["bindings"]


def feed(
    server: Server, headers: dict[str, str] | None = None, lang: str | None = None
) -> tuple[requests.Response, feedparser.FeedParserDict]:
    params = {"lang": lang} if lang else None
    answer = requests.get(f"{server.url}/feeds/agreements.atom", params=params, headers=headers, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(answer.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return answer, parsed


def test_the_feed_lists_new_and_changed_agreements_in_the_readers_language(writable_server: Server) -> None:
    url = writable_server.url
    known = agreements(writable_server)
    assert known
    first, parsed = feed(writable_server, headers={"Accept-Language": "vi"})
    titles = {e.link: e.title for e in parsed.entries}
    for row in known:  # every agreement of the seed, as new, by its Vietnamese name (else its English one)
        iri = row["a"]["value"]
        name = (row.get("vi") or row["en"])["value"]
        assert titles[iri.replace("https://w3id.org/coopgraph", url)] == f"Thỏa thuận mới: {name}"
    assert any(t.startswith("Sự kiện mới: ") for t in titles.values())  # the seed's events
    assert parsed.feed.title.startswith("coopgraph") and parsed.feed.language == "vi"
    assert all(e.updated_parsed and e.author for e in parsed.entries)
    unchanged = requests.get(
        f"{url}/feeds/agreements.atom",
        headers={"Accept-Language": "vi", "If-None-Match": first.headers["ETag"]},
        timeout=30,
    )
    assert unchanged.status_code == 304

    changed = known[0]["a"]["value"]
    done = requests.post(
        f"{url}/update",
        data={
            "update": f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{changed}> <http://purl.org/dc/terms/description> "
            f'"Renewed for five years."@en }} }}'
        },
        headers={**writable_server.auth, "X-Coopgraph-Message": "renewal noted"},
        timeout=60,
    )
    assert done.status_code == 204, done.text
    again = requests.get(
        f"{url}/feeds/agreements.atom",
        headers={"Accept-Language": "vi", "If-None-Match": first.headers["ETag"]},
        timeout=30,
    )
    assert again.status_code == 200  # something changed

    for lang, title in (
        ("en", f"Agreement changed: {known[0]['en']['value']}"),
        ("fr", "Accord modifié : "),
        ("vi", "Thỏa thuận được cập nhật: "),
    ):
        _, parsed = feed(writable_server, lang=lang)
        newest = parsed.entries[0]
        assert newest.title.startswith(title), (lang, newest.title)
        assert newest.link == changed.replace("https://w3id.org/coopgraph", url)
        assert "renewal noted" in newest.summary
        assert parsed.entries[0].updated_parsed >= parsed.entries[-1].updated_parsed

"""The home page (``/``), the network picture on resource pages and the suggestions as one types, on a
real server; in a real headless Chromium with every host but the loopback unresolvable."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from tests.conftest import Server
from tests.test_ui import DevTools, _assert_stayed_home, browser, needs_chromium

__all__ = ["browser"]
CG = "https://w3id.org/coopgraph/ontology#"
HA_LONG = "/id/organization/ha-long-university"


def count(server: Server, pattern: str) -> int:
    query = f"PREFIX cg: <{CG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " + (
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {pattern} }}"
    )
    answer = requests.get(server.url + "/sparql", params={"query": query}, timeout=30)
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def screenshot(browser: DevTools, path: Path) -> None:
    path.write_bytes(base64.b64decode(browser.send("Page.captureScreenshot", format="png")["data"]))
    print(f"screenshot: {path}")


def test_the_home_page_counts_what_the_dataset_holds(server: Server) -> None:
    response = requests.get(server.url + "/", timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    agreements = count(server, "?s a/rdfs:subClassOf* cg:Agreement")
    assert agreements > 0
    assert (
        f'<tr data-kind="agreement"><th scope="row">Agreement</th><td class="count">{agreements}</td>' in page
    )
    for path in ("/query", "/queries", "/dumps/", "/fragments", "/ontology", "/.well-known/void", "/search"):
        assert f'href="{server.url}{path}"' in page, path
        assert requests.get(server.url + path, timeout=60).status_code == 200, path


@needs_chromium
def test_suggestions_as_one_types_on_the_home_page(server: Server, browser: DevTools, tmp_path: Path) -> None:
    browser.navigate(server.url + "/")
    browser.click("#cg-q")
    browser.type("ha lo")
    first = browser.wait_for(
        "(() => { const a = document.querySelector('.cg-suggestions a'); return a && a.textContent; })()"
    )
    assert first == "Ha Long University"
    screenshot(browser, tmp_path / "home-suggestions.png")
    browser.click(".cg-suggestions a")
    browser.wait_for(f"location.pathname === '{HA_LONG}' && document.readyState === 'complete'")
    sent = _assert_stayed_home(browser, server)
    searches = [u for _, u in sent if urlsplit(u).path == "/search"]
    assert searches, "the suggestions came from /search"


@needs_chromium
def test_suggestions_in_the_query_editor(server: Server, browser: DevTools) -> None:
    browser.navigate(server.url + "/query")
    browser.wait_for("!!window.coopgraphYasgui")
    browser.click("#cg-find")
    browser.type("tsinghua")
    labels = browser.wait_for(
        "(() => { const a = [...document.querySelectorAll('.cg-suggestions a')].map(a => a.textContent);"
        " return a.length ? a : null; })()"
    )
    assert "Tsinghua University" in labels
    _assert_stayed_home(browser, server)


@needs_chromium
def test_the_network_picture_is_drawn_and_its_nodes_lead_to_their_pages(
    server: Server, browser: DevTools, tmp_path: Path
) -> None:
    browser.navigate(server.url + "/id/agreement/vnu-tsinghua-mou-2024")
    browser.wait_for("!!window.coopgraphNetwork")
    drawn = browser.evaluate(
        "JSON.stringify(window.coopgraphNetwork.nodes().map(n => [n.id(), n.data('href'), n.data('centre')]))"
    )
    nodes = json.loads(drawn)
    ids = {n[0] for n in nodes}
    assert "https://w3id.org/coopgraph/id/organization/vnu-hanoi" in ids
    assert "https://w3id.org/coopgraph/id/organization/tsinghua-university" in ids
    assert sum(1 for n in nodes if n[2]) == 1
    # the canvas holds a picture: some of its pixels are not blank
    painted = browser.evaluate(
        """(() => { let n = 0;
            for (const c of document.querySelectorAll('#cg-network canvas')) {
              if (!c.width || !c.height) continue;
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
            } return n; })()"""
    )
    assert painted > 500
    screenshot(browser, tmp_path / "network.png")
    # click a partner's node, as a person would: its page opens
    target = "https://w3id.org/coopgraph/id/organization/tsinghua-university"
    x, y = browser.evaluate(
        f"""(() => {{ const holder = document.getElementById('cg-network');
            holder.scrollIntoView({{block: 'center'}});
            const box = holder.getBoundingClientRect();
            const p = window.coopgraphNetwork.getElementById({json.dumps(target)}).renderedPosition();
            return [box.x + p.x, box.y + p.y]; }})()"""
    )
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        extra = {} if kind == "mouseMoved" else {"button": "left", "clickCount": 1}
        browser.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, **extra)
    browser.wait_for(
        "location.pathname === '/id/organization/tsinghua-university' && document.readyState === 'complete'"
    )
    _assert_stayed_home(browser, server)


def network_of(page: str) -> dict[str, Any]:
    opening = '<script type="application/json" id="cg-network-data">'
    start = page.index(opening) + len(opening)
    block = page[start : page.index("</script>", start)]
    assert "<" not in block  # it cannot end the block it sits in
    return dict(json.loads(block))


def test_an_institution_is_drawn_with_its_agreements_and_beyond_them_its_partners(server: Server) -> None:
    page = requests.get(
        server.url + "/id/organization/vnu-hanoi", headers={"Accept": "text/html"}, timeout=30
    )
    nodes = {n["id"]: n for n in network_of(page.text)["nodes"]}
    org = "https://w3id.org/coopgraph/id/organization/"
    assert nodes[org + "vnu-hanoi"]["ring"] == 0
    assert nodes["https://w3id.org/coopgraph/id/agreement/vnu-tsinghua-mou-2024"]["ring"] == 1
    assert nodes[org + "tsinghua-university"]["ring"] == 2
    assert nodes[org + "tsinghua-university"]["href"] == server.url + "/id/organization/tsinghua-university"
    # the articles the facts come from are sources, not partners
    assert not [n for n in nodes if n.startswith("https://w3id.org/coopgraph/id/article/")]


def test_a_hostile_label_in_the_picture_is_data_and_tags_follow_writes(writable_server: Server) -> None:
    server = writable_server
    vnu = server.url + "/id/organization/vnu-hanoi"
    tags = {
        path: requests.get(server.url + path, timeout=30).headers["etag"]
        for path in (
            "/graphs",
            "/graphs?format=json",
            "/sparql?query=ASK%7B%7D",
            "/id/organization/vnu-hanoi",
        )
    }
    for path, tag in tags.items():
        assert requests.get(server.url + path, headers={"If-None-Match": tag}, timeout=30).status_code == 304
    see_also = {"predicate": "http://www.w3.org/2000/01/rdf-schema#seeAlso", "format": "nt"}

    def see_also_count() -> int:
        answer = requests.get(server.url + "/fragments", params=see_also, timeout=30).text
        return int(next(line for line in answer.splitlines() if "#totalItems>" in line).split('"')[1])

    before = see_also_count()
    assert see_also_count() == before  # counted once, kept
    hostile = "</script><script>alert(1)</script>"
    body = (
        f"@prefix cg: <{CG}> .\n"
        "<https://w3id.org/coopgraph/id/note/hostile>\n"
        f'  <http://www.w3.org/2000/01/rdf-schema#label> "{hostile}"@en ;\n'
        "  <http://www.w3.org/2000/01/rdf-schema#seeAlso>\n"
        "    <https://w3id.org/coopgraph/id/organization/vnu-hanoi> .\n"
    )
    put = requests.put(
        server.url + "/graphs",
        params={"graph": "https://w3id.org/coopgraph/graph/data/hostile.ttl"},
        data=body.encode(),
        headers={**server.auth, "Content-Type": "text/turtle"},
        timeout=120,
    )
    if put.status_code not in (200, 201, 204):  # the shapes may ask for more of an agreement
        raise AssertionError(put.text[:2000])
    page = requests.get(vnu, headers={"Accept": "text/html"}, timeout=30).text
    assert hostile in [n["label"] for n in network_of(page)["nodes"]]  # drawn, as text
    assert see_also_count() == before + 1  # a count kept is one of its generation
    # the store moved on: the old tags no longer match
    for path, tag in tags.items():
        again = requests.get(server.url + path, headers={"If-None-Match": tag}, timeout=30)
        assert again.status_code == 200 and again.headers["etag"] != tag, path

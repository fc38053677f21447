"""The query page loads the drawing libraries (vega, cytoscape: about 1.2 MB of scripts) only when a view
needs them: an answer shown in the table costs none of them (``bench/bench_pages.py`` measures it)."""

from __future__ import annotations

import json

from tests.conftest import Server
from tests.test_ui import ROWS, DevTools, _assert_stayed_home, _open_page, browser, needs_chromium

__all__ = ["browser"]

QUERY = (
    "PREFIX cg: <https://w3id.org/coopgraph/ontology#>\n"
    "SELECT ?country (COUNT(?org) AS ?n) WHERE { ?org cg:country ?country } GROUP BY ?country"
)

NETWORK = (
    "#defaultView:Graph\nPREFIX cg: <https://w3id.org/coopgraph/ontology#>\n"
    "SELECT ?org ?country WHERE { ?org cg:country ?country } LIMIT 20"
)


def _vendor_requests(browser: DevTools) -> set[str]:
    urls = [url for _, url in browser.requests() if "/static/vendor/" in url]
    return {url.split("/static/vendor/")[1].split("/")[0] for url in urls}


def _run(browser: DevTools, query: str) -> None:
    browser.evaluate(
        "(() => { const tab = window.coopgraphYasgui.getTab();"
        f" tab.setQuery({json.dumps(query)}); tab.query(); }})()"
    )


@needs_chromium
def test_the_libraries_load_when_a_view_first_needs_them(server: Server, browser: DevTools) -> None:
    _open_page(browser, server.url + "/query")
    _run(browser, QUERY)
    assert browser.wait_for(f"{ROWS}.length")
    assert _vendor_requests(browser) == {"yasgui"}
    _run(browser, "#defaultView:BarChart\n" + QUERY)
    assert browser.wait_for("document.querySelectorAll('.yasr .cg-view svg .mark-rect path').length")
    assert _vendor_requests(browser) == {"yasgui", "vega", "vega-lite", "vega-embed"}
    _run(browser, NETWORK)
    assert browser.wait_for("!!(document.querySelector('.yasr .cg-view') || {}).cgCytoscape")
    assert _vendor_requests(browser) == {"yasgui", "vega", "vega-lite", "vega-embed", "cytoscape"}
    # each library once, however many views are drawn
    sent = [url for _, url in browser.requests() if "/static/vendor/vega/" in url]
    assert len(sent) == 1, sent
    _assert_stayed_home(browser, server)

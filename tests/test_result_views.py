"""The result views (charts, timeline, map, network) in a real headless Chromium, from saved queries.

Each view is drawn from a saved query's answer on the seed dataset: the drawing must be there (an SVG
with marks, or the network's canvas with pixels), with one mark per row (bar, line, timeline), per
country (map) or per organisation (network); every request stays on the server, and the
Content-Security-Policy refuses nothing (Vega runs with its expression interpreter, not ``Function``).
Screenshots are written under pytest's tmp path, in ``view-screenshots/``.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import requests

from tests.conftest import Server
from tests.test_ui import DevTools, _assert_stayed_home, _open_page, browser, needs_chromium

__all__ = ["browser"]  # the fixture, shared with the query page's tests

JSON = "application/sparql-results+json"
#: The SVG marks Vega draws for each chart view (one path or symbol per datum).
MARKS = {
    "bar": "svg .mark-rect path",
    "line": "svg .mark-symbol path",
    "timeline": "svg .mark-symbol path",
    "map": "svg .mark-shape[class*='countries'] path",  # the countries in the answer, not the outline
}


def _answer(
    server: Server, name: str, params: dict[str, str] | None = None
) -> list[dict[str, dict[str, str]]]:
    r = requests.get(
        f"{server.url}/queries/{name}", params=params or {}, headers={"Accept": JSON}, timeout=30
    )
    r.raise_for_status()
    return r.json()["results"]["bindings"]


def _screenshot(browser: DevTools, tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "view-screenshots"
    folder.mkdir(exist_ok=True)
    shot = folder / f"{name}.png"
    shot.write_bytes(base64.b64decode(browser.send("Page.captureScreenshot", format="png")["data"]))
    assert shot.stat().st_size > 5000, "the screenshot is blank"
    print(f"screenshot: {shot}")
    return shot


def _drawn(browser: DevTools) -> dict[str, object]:
    """What the page's view reports once drawn (its mark count), or an error's message."""
    return browser.evaluate(
        "window.coopgraphDrawn.then(d => ({marks: d.marks, edges: d.edges || 0}), e => ({error: String(e)}))"
    )


def _count(browser: DevTools, selector: str) -> int:
    return browser.evaluate(f"document.querySelectorAll({json.dumps('#cg-view ' + selector)}).length")


def _open_saved(browser: DevTools, server: Server, path: str) -> None:
    browser.navigate(server.url + path)
    browser.wait_for("!!window.coopgraphDrawn")


@needs_chromium
@pytest.mark.parametrize(
    ("path", "query", "params", "view"),
    [
        (
            "/queries/institutions-per-country?kind=GovernmentBody",
            "institutions-per-country",
            {"kind": "GovernmentBody"},
            "map",
        ),
        ("/queries/institution-timeline", "institution-timeline", {}, "timeline"),
    ],
)
def test_a_saved_query_page_draws_its_declared_view(
    server: Server,
    browser: DevTools,
    tmp_path: Path,
    path: str,
    query: str,
    params: dict[str, str],
    view: str,
) -> None:
    rows = _answer(server, query, params)
    assert rows
    _open_saved(browser, server, path)
    drawn = _drawn(browser)
    assert "error" not in drawn, drawn
    assert browser.evaluate("document.body.dataset.view") == view  # the header's view: is the first shown
    assert browser.evaluate("document.getElementById('cg-table').hidden") is True
    if view == "map":
        expected = len({r["countryCode"]["value"] for r in rows if "countryCode" in r})
    else:
        expected = len(rows)
    assert drawn["marks"] == expected
    assert _count(browser, MARKS[view]) == expected
    _screenshot(browser, tmp_path, f"saved-{query}-{view}")
    _assert_stayed_home(browser, server)


@needs_chromium
def test_the_reader_picks_a_bar_chart_and_a_line_chart_whose_bars_link_to_pages(
    server: Server, browser: DevTools, tmp_path: Path
) -> None:
    rows = _answer(server, "institutions-per-country")
    _open_saved(browser, server, "/queries/institutions-per-country")
    assert "error" not in _drawn(browser)
    for view in ("bar", "line"):
        browser.click(f"#cg-view-picker button[data-view='{view}']")
        browser.wait_for(f"document.getElementById('cg-view').dataset.view === '{view}'")
        drawn = _drawn(browser)
        assert drawn["marks"] == len(rows), drawn
        assert _count(browser, MARKS[view]) == len(rows)
        _screenshot(browser, tmp_path, f"saved-institutions-per-country-{view}")
    # the chart's SVG export (vega's own) is a whole SVG document with the marks in it
    svg = browser.evaluate("document.getElementById('cg-view').cgVegaView.toSVG()")
    assert svg.startswith("<svg") and svg.count("<path") >= len(rows)
    browser.click("#cg-view-picker button[data-view='table']")
    assert browser.wait_for("!document.getElementById('cg-table').hidden")
    _assert_stayed_home(browser, server)


@needs_chromium
def test_the_network_draws_a_node_per_organisation_and_an_edge_per_row(
    server: Server, browser: DevTools, tmp_path: Path
) -> None:
    rows = _answer(server, "cooperation-network")
    organisations = {r[c]["value"] for r in rows for c in ("organisation", "partner")}
    _open_saved(browser, server, "/queries/cooperation-network")
    drawn = _drawn(browser)
    assert drawn == {"marks": len(organisations), "edges": len(rows)}
    # labels, not IRIs, in the reader's language, and each node links to the organisation's page
    nodes = browser.evaluate(
        "document.getElementById('cg-view').cgCytoscape.nodes()"
        ".map(n => [n.id(), n.data('label'), n.data('href')])"
    )
    by_iri = {iri: (label, href) for iri, label, href in nodes}
    assert by_iri["https://w3id.org/coopgraph/id/organization/vnu-hanoi"] == (
        "Vietnam National University, Hanoi",
        "/id/organization/vnu-hanoi",
    )
    # the canvas has something drawn on it
    painted = browser.evaluate(
        """(() => { const c = [...document.querySelectorAll('#cg-view canvas')];
            return c.some(canvas => { const d = canvas.getContext('2d')
                .getImageData(0, 0, canvas.width, canvas.height).data;
              for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true; return false; }); })()"""
    )
    assert painted
    _screenshot(browser, tmp_path, "saved-cooperation-network")
    _assert_stayed_home(browser, server)


@needs_chromium
def test_labels_follow_the_readers_language(server: Server, browser: DevTools) -> None:
    _open_saved(browser, server, "/queries/cooperation-network?lang=vi")
    assert "error" not in _drawn(browser)
    label = browser.evaluate(
        "document.getElementById('cg-view').cgCytoscape"
        ".getElementById('https://w3id.org/coopgraph/id/organization/vnu-hanoi').data('label')"
    )
    assert label == "Đại học Quốc gia Hà Nội"
    _assert_stayed_home(browser, server)


@needs_chromium
def test_the_query_page_draws_the_view_a_default_view_comment_names(
    server: Server, browser: DevTools, tmp_path: Path
) -> None:
    _open_page(browser, server.url + "/query")
    query = (
        "#defaultView:BarChart\n"
        "PREFIX cg: <https://w3id.org/coopgraph/ontology#>\n"
        "SELECT ?country (COUNT(?org) AS ?n) WHERE { ?org cg:country ?country } GROUP BY ?country"
    )
    countries = requests.post(
        server.url + "/sparql", data={"query": query}, headers={"Accept": JSON}, timeout=30
    ).json()["results"]["bindings"]
    browser.evaluate(
        "(() => { const tab = window.coopgraphYasgui.getTab();"
        f" tab.setQuery({json.dumps(query)}); tab.query(); }})()"
    )
    bars = ".yasr .cg-view svg .mark-rect path"
    count = browser.wait_for(f"document.querySelectorAll('{bars}').length")
    assert count == len(countries)
    assert browser.evaluate("window.coopgraphYasgui.getTab().getYasr().selectedPlugin") == "bar"
    # the bars are labelled by the countries' names, fetched from this server
    text = browser.evaluate("document.querySelector('.yasr .cg-view svg').textContent")
    assert "Vietnam" in text and "vocab/country" not in text
    _screenshot(browser, tmp_path, "query-page-bar")
    _assert_stayed_home(browser, server)


# --- completion in the editor, from the data ----------------------------------------------------------
#: The properties that occur with agreements (of any kind of agreement).
IN_CONTEXT = (
    "SELECT DISTINCT ?p WHERE { ?s a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
    "<https://w3id.org/coopgraph/ontology#Agreement> ; ?p ?o }"
)
HINTS = "[...document.querySelectorAll('.CodeMirror-hints li')].map(li => li.textContent)"


def _complete(browser: DevTools, text: str) -> list[str]:
    """The hints the editor offers at the end of ``text`` (Ctrl-Space, as a user asks for them)."""
    browser.evaluate(
        "(() => { const yasqe = window.coopgraphYasgui.getTab().getYasqe();"
        f" yasqe.setValue({json.dumps(text)}); yasqe.focus();"
        " yasqe.setCursor(yasqe.lastLine(), yasqe.getLine(yasqe.lastLine()).length); })()"
    )
    browser.key(" ", "Space", 32, modifiers=2)
    return browser.wait_for(f"{HINTS}.length && {HINTS}")


@needs_chromium
def test_the_editor_completes_classes_properties_and_entities_from_the_data(
    server: Server, browser: DevTools, tmp_path: Path
) -> None:
    _open_page(browser, server.url + "/query")
    prologue = "PREFIX cg: <https://w3id.org/coopgraph/ontology#>\nSELECT * WHERE {\n"
    classes = _complete(browser, prologue + "?x a cg:Agr")
    assert any(h.startswith("cg:Agreement") for h in classes), classes
    assert all(h.startswith("cg:Agr") for h in classes)
    # properties: those that occur with the subject's class first, with their labels
    used = {
        b["p"]["value"]
        for b in requests.post(
            server.url + "/sparql",
            data={"query": IN_CONTEXT},
            headers={"Accept": JSON},
            timeout=30,
        ).json()["results"]["bindings"]
        if b["p"]["value"].startswith("https://w3id.org/coopgraph/ontology#")
    }
    properties = _complete(browser, prologue + "?x a cg:Agreement .\n?x cg:")
    names = ["https://w3id.org/coopgraph/ontology#" + h.split()[0][len("cg:") :] for h in properties]
    assert set(names[: len(used)]) == used, properties
    assert len(names) > len(used)  # then the other properties
    assert any("—" in h for h in properties)  # a label beside the name
    browser.key("Escape", "Escape", 27)
    # entities by name, from the search index
    entities = _complete(browser, prologue + "?x cg:party <tsingh")
    assert (
        entities[0]
        == "Tsinghua University  —  <https://w3id.org/coopgraph/id/organization/tsinghua-university>"
    )
    browser.key("Enter", "Enter", 13)
    value = browser.evaluate("window.coopgraphYasgui.getTab().getYasqe().getValue()")
    assert value.endswith("<https://w3id.org/coopgraph/id/organization/tsinghua-university>")
    _screenshot(browser, tmp_path, "query-page-completion")
    _assert_stayed_home(browser, server)

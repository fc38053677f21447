"""Validation over HTTP on a real server: ``POST /validate`` (a dry run, no token, nothing written),
``GET /validation`` (the store's report, kept per generation), the report of a rejected write by
content negotiation, and the HTML report in a real headless Chromium (its counts are the Turtle's)."""

from __future__ import annotations

import io
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pyoxigraph import RdfFormat

from coopgraph.store import open_store
from tests import test_ui
from tests.conftest import PROJECT, Server, latest_version, start_server
from tests.test_reports import MISTAKES, csv_rows, turtle_results
from tests.test_ui import DevTools, needs_chromium

STEWARD = PROJECT / "tests" / "steward"
#: the headless Chromium of the query page's tests, as a fixture of this module
chromium = test_ui.browser
LIMIT = 256 * 1024
BAD_AGREEMENT = """@prefix cg: <https://w3id.org/coopgraph/ontology#> .
<https://w3id.org/coopgraph/id/agreement/test-broken> a cg:Agreement .
"""


@pytest.fixture(scope="module")
def validating(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> Iterator[Server]:
    store = tmp_path_factory.mktemp("validating") / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    running = start_server(store, extra_env={"COOPGRAPH_MAX_BODY_BYTES": str(LIMIT)})
    yield running
    running.stop()


def state(server: Server) -> tuple[int, bytes]:
    """The store's latest version and every quad of its published state, byte for byte."""
    current = latest_version(server.store)
    store = open_store(server.store, create=False)
    try:
        out = io.BytesIO()
        store.dump(out, RdfFormat.N_QUADS)
        return current, out.getvalue()
    finally:
        store.close()


def steward_files() -> list[tuple[str, tuple[str, bytes, str]]]:
    return [
        ("file", ("partners.csv", (STEWARD / "partners.csv").read_bytes(), "text/csv")),
        (
            "file",
            (
                "partners.csv-metadata.json",
                (STEWARD / "partners.csv-metadata.json").read_bytes(),
                "application/json",
            ),
        ),
    ]


def test_validate_reports_every_mistake_and_writes_nothing_without_a_token(validating: Server) -> None:
    before = state(validating)
    r = requests.post(validating.url + "/validate", files=steward_files(), timeout=120)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    report = r.json()
    assert report["conforms"] is False
    for what, row, column, shape in MISTAKES:
        assert any(
            f["row"] == row and f["column"] == column and f["shape"] == shape and f["file"] == "partners.csv"
            for f in report["results"]
        ), what
    assert state(validating) == before


def test_validate_negotiates_the_format_and_the_language(validating: Server) -> None:
    r = requests.post(
        validating.url + "/validate",
        files=steward_files(),
        headers={"Accept": "text/csv", "Accept-Language": "vi"},
        timeout=120,
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = csv_rows(r.content)
    assert any(row["vấn đề"] == "Thỏa thuận có ít hơn hai bên." for row in rows)  # headers in Vietnamese too
    turtle = requests.post(
        validating.url + "/validate?format=turtle",
        data=BAD_AGREEMENT.encode(),
        headers={"Content-Type": "text/turtle"},
        timeout=120,
    )
    assert turtle.status_code == 200
    results = turtle_results(turtle.content)
    assert results and all(r["file"] == "request.ttl" and r["line"] for r in results)


def test_validate_takes_records_and_refuses_what_it_cannot_read(validating: Server) -> None:
    record = {"id": "cgr:agreement/test-record", "type": "Agreement"}
    r = requests.post(
        validating.url + "/validate",
        data=json.dumps(record).encode(),
        headers={"Content-Type": "application/json"},
        timeout=120,
    )
    assert r.status_code == 200, r.text
    assert any(f["shape"] == "cgsh:Agreement-party-minCount" for f in r.json()["results"])
    table = requests.post(
        validating.url + "/validate", data=b"a,b\n1,2\n", headers={"Content-Type": "text/csv"}, timeout=30
    )
    assert table.status_code == 415 and "multipart" in table.text
    assert requests.get(validating.url + "/validate", timeout=30).status_code == 405


def test_validate_is_size_limited(validating: Server) -> None:
    body = b"# padding\n" * (LIMIT // 10 + 10)
    r = requests.post(
        validating.url + "/validate", data=body, headers={"Content-Type": "text/turtle"}, timeout=60
    )
    assert r.status_code == 413


def test_the_store_report_is_kept_per_generation(validating: Server) -> None:
    first = requests.get(validating.url + "/validation", timeout=300)
    assert first.status_code == 200, first.text
    again = requests.get(validating.url + "/validation", timeout=300)
    assert again.json()["created"] == first.json()["created"]  # the same report, not made again
    assert first.json()["subject"].endswith((validating.store / "CURRENT").read_text().strip())
    turtle = requests.get(validating.url + "/validation", headers={"Accept": "text/turtle"}, timeout=300)
    counts = Counter(r["severity"] for r in turtle_results(turtle.content))
    assert dict(counts) == {k: v for k, v in first.json()["counts"].items() if v}


def test_a_rejected_write_carries_its_report_in_the_format_asked_for(validating: Server) -> None:
    auth = {"Authorization": f"Bearer {validating.token}"}
    graph = {"graph": "https://example.org/test/bad"}
    for accept, check in (
        ("text/turtle", lambda r: turtle_results(r.content)),
        ("text/html", lambda r: "test-broken" in r.text and "<table" in r.text),
        ("application/json", lambda r: r.json()["report"]["results"]),
    ):
        r = requests.put(
            validating.url + "/graphs",
            params=graph,
            data=BAD_AGREEMENT,
            headers={**auth, "Content-Type": "text/turtle", "Accept": accept},
            timeout=120,
        )
        assert r.status_code == 422 and r.headers["content-type"].startswith(accept), r.text
        assert check(r)
    report = r.json()["report"]
    assert all(f["graph"] == graph["graph"] and f["file"] == "request body" for f in report["results"])


@needs_chromium
def test_the_html_report_opens_offline_and_its_counts_are_the_turtle_reports(
    validating: Server, chromium: DevTools, tmp_path: Path
) -> None:
    browser = chromium
    html = requests.post(
        validating.url + "/validate", files=steward_files(), headers={"Accept": "text/html"}, timeout=120
    )
    turtle = requests.post(
        validating.url + "/validate", files=steward_files(), headers={"Accept": "text/turtle"}, timeout=120
    )
    page = tmp_path / "report.html"
    page.write_bytes(html.content)
    browser.navigate(page.as_uri())
    counts = browser.evaluate(
        "Object.fromEntries([...document.querySelectorAll('tfoot [data-count]')]"
        ".map(e => [e.id.replace('count-', ''), Number(e.dataset.count)]))"
    )
    expected = Counter(r["severity"] for r in turtle_results(turtle.content))
    assert {k: v for k, v in counts.items() if v} == dict(expected)
    by_shape = browser.evaluate(
        "[...document.querySelectorAll('#summary tbody tr')].map(tr => [tr.dataset.shape,"
        " [...tr.querySelectorAll('[data-count]')].reduce((n, td) => n + Number(td.dataset.count), 0)])"
    )
    turtle_shapes = Counter(r["shape"].rsplit("#", 1)[-1] for r in turtle_results(turtle.content))
    assert {shape.split(":", 1)[1]: n for shape, n in by_shape} == dict(turtle_shapes)
    # labels, not IRIs, name the resources
    assert "Agreement between Vietnam National University" in browser.evaluate("document.body.innerText")
    # filtering by severity, then sorting by row, with no network
    browser.evaluate(
        "(() => { const s = document.getElementById('filter-severity'); s.value = 'Warning';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    visible = browser.evaluate(
        "[...document.querySelectorAll('#findings tr[data-severity]')].filter(r => !r.hidden)"
        ".map(r => r.dataset.severity)"
    )
    assert visible and set(visible) == {"Warning"} and len(visible) == expected["Warning"]
    browser.evaluate("document.querySelectorAll('#findings thead th')[1].click()")
    assert browser.evaluate("document.querySelectorAll('#findings thead th')[1].getAttribute('aria-sort')")
    assert browser.exceptions() == []
    assert all(url.startswith("file:") for _, url in browser.requests())

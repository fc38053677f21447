"""The query page (``/query``, and ``/sparql`` for browsers) in a real headless Chromium, on a real server.

Chromium is driven over the DevTools protocol (``websockets``, which uvicorn[standard] installs). It runs
with every host but the loopback unresolvable, and the test records every request the page makes: all
must go to the server's own origin.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from websockets.sync.client import ClientConnection, connect

from tests.conftest import Server

CHROMIUM = shutil.which("chromium")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it: make system-deps)"
)

# One line, as a user would type it; the table must show what /sparql answers to it.
TYPED_QUERY = (
    "PREFIX cg: <https://w3id.org/coopgraph/ontology#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?name WHERE { ?institution a/rdfs:subClassOf* cg:HigherEducationInstitution ; "
    'rdfs:label ?name FILTER (LANG(?name) = "en") } ORDER BY ?name'
)


class DevTools:
    """A page target of Chromium over the DevTools protocol: commands, and events kept or handled."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.next_id = 0
        self.replies: dict[int, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.handlers: dict[str, Callable[[dict[str, Any]], None]] = {}

    def _pump(self, timeout: float) -> None:
        message = json.loads(self.ws.recv(timeout=timeout))
        if "id" in message:
            self.replies[message["id"]] = message
            return
        self.events.append(message)
        handler = self.handlers.get(message["method"])
        if handler is not None:
            handler(message["params"])

    def send(self, method: str, timeout: float = 30, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while ident not in self.replies:
            self._pump(max(0.01, deadline - time.monotonic()))
        reply = self.replies.pop(ident)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20) -> Any:
        """The value of ``expression`` once it is truthy."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for: {expression}")
            time.sleep(0.1)

    def navigate(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete'")

    def center(self, selector: str) -> tuple[float, float]:
        box = self.wait_for(
            f"""(() => {{
                const el = [...document.querySelectorAll({json.dumps(selector)})]
                    .find(e => e.offsetParent !== null);  // the visible one: other tabs are hidden
                if (!el) return null;
                el.scrollIntoView({{block: "center"}});
                const r = el.getBoundingClientRect();
                return r.width > 0 && r.height > 0 ? [r.x + r.width / 2, r.y + r.height / 2] : null;
            }})()"""
        )
        return box[0], box[1]

    def click(self, selector: str) -> None:
        x, y = self.center(selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            extra = {} if kind == "mouseMoved" else {"button": "left", "clickCount": 1}
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, **extra)

    def key(self, key: str, code: str, key_code: int, modifiers: int = 0) -> None:
        self.send(
            "Input.dispatchKeyEvent",
            type="rawKeyDown",
            key=key,
            code=code,
            windowsVirtualKeyCode=key_code,
            modifiers=modifiers,
        )
        self.send("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=key_code)

    def type(self, text: str) -> None:
        """Key by key, as a keyboard sends characters."""
        for char in text:
            self.send("Input.dispatchKeyEvent", type="keyDown", key=char, text=char, unmodifiedText=char)
            self.send("Input.dispatchKeyEvent", type="keyUp", key=char)

    def requests(self) -> list[tuple[str, str]]:
        """(method, url) of every request the page sent so far."""
        return [
            (e["params"]["request"]["method"], e["params"]["request"]["url"])
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]

    def exceptions(self) -> list[str]:
        return [
            json.dumps(e["params"]["exceptionDetails"])[:500]
            for e in self.events
            if e["method"] == "Runtime.exceptionThrown"
        ]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    """A fresh headless Chromium (own profile, no network but the loopback) with one page, recording."""
    assert CHROMIUM is not None
    profile = tmp_path / "chromium-profile"
    args = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--no-proxy-server",
        # No network: any host but the loopback fails to resolve, so the page must work with nothing else.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--window-size=1280,1000",
        "--remote-debugging-port=0",
        "about:blank",
    ]
    log = (tmp_path / "chromium.log").open("wb")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("chromium did not start: " + (tmp_path / "chromium.log").read_text())
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        targets = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        page = next(t for t in targets if t["type"] == "page")
        with connect(page["webSocketDebuggerUrl"], max_size=None, proxy=None, open_timeout=10) as ws:
            tools = DevTools(ws)
            for domain in ("Page", "Runtime", "Network", "Log"):
                tools.send(f"{domain}.enable")
            tools.send(
                "Emulation.setDeviceMetricsOverride",
                width=1280,
                height=1000,
                deviceScaleFactor=1,
                mobile=False,
            )
            # Content-Security-Policy refusals never reach the network log: collect them in the page too.
            tools.send(
                "Page.addScriptToEvaluateOnNewDocument",
                source="window.__csp = []; document.addEventListener('securitypolicyviolation',"
                " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));",
            )
            yield tools
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# The rows of the results table on show (hidden tabs keep theirs).
ROWS = (
    "[...document.querySelectorAll('.yasr table.dataTable tbody tr')].filter(tr => tr.offsetParent !== null)"
)


def _open_page(browser: DevTools, url: str) -> None:
    browser.navigate(url)
    browser.wait_for("!!window.coopgraphYasgui && !!document.querySelector('.yasgui .CodeMirror')")


def _assert_stayed_home(browser: DevTools, server: Server) -> list[tuple[str, str]]:
    sent = browser.requests()
    assert sent, "the page sent no request at all"
    home = _origin(server.url)
    away = [(m, u) for m, u in sent if urlsplit(u).scheme not in ("data", "blob") and _origin(u) != home]
    assert not away, f"requests left {home}: {away}"
    assert browser.evaluate("window.__csp") == [], "the page tried to load something the policy refuses"
    assert browser.exceptions() == []
    return sent


def _names(server: Server, query: str) -> list[str]:
    response = requests.post(
        server.url + "/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    response.raise_for_status()
    return [b["name"]["value"] for b in response.json()["results"]["bindings"]]


# --- over HTTP ---------------------------------------------------------------------------------------


def test_root_serves_the_page_with_nothing_from_elsewhere(server: Server) -> None:
    response = requests.get(server.url + "/query", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    page = response.text
    assert "/static/vendor/yasgui/yasgui.min.js" in page and "/static/vendor/yasgui/yasgui.min.css" in page
    assert 'href="/graphs?format=json"' in page and 'href="/docs"' in page
    # Every script, style sheet and image the page names is on this server.
    for attribute in ("src=", "href="):
        for chunk in page.split(attribute)[1:]:
            target = chunk[1 : chunk.index(chunk[0], 1)]
            assert not target.startswith(("http:", "https:", "//")), target
    for path in ("/static/vendor/yasgui/yasgui.min.js", "/static/vendor/yasgui/yasgui.min.css"):
        asset = requests.get(server.url + path, timeout=10)
        assert asset.status_code == 200 and len(asset.content) > 10_000, path
    assert requests.head(server.url + "/query", timeout=10).status_code == 200


def test_sparql_gives_browsers_the_page_and_others_the_service_description(server: Server) -> None:
    page = requests.get(server.url + "/sparql", headers={"Accept": BROWSER_ACCEPT}, timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "yasgui.min.js" in page.text
    assert "Accept" in page.headers["vary"]
    turtle = requests.get(server.url + "/sparql", headers={"Accept": "text/turtle"}, timeout=10)
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    assert "sparql-service-description" in turtle.text


def test_the_default_query_has_the_project_prefixes_and_answers(server: Server) -> None:
    from coopgraph import iris
    from server.http.query_page import default_query

    query = default_query()
    for prefix, namespace in iris.PREFIXES.items():
        assert f"PREFIX {prefix}: <{namespace}>" in query
    response = requests.post(
        server.url + "/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200
    rows = response.json()["results"]["bindings"]
    assert rows and all("country" in row for row in rows)


# --- in Chromium -------------------------------------------------------------------------------------


@needs_chromium
def test_type_a_query_run_it_and_see_the_rows(server: Server, browser: DevTools, tmp_path: Path) -> None:
    expected = _names(server, TYPED_QUERY)
    assert len(expected) >= 3

    _open_page(browser, server.url + "/query")
    assert browser.evaluate("document.querySelector('.cg-header h1').textContent") == "coopgraph"
    assert browser.evaluate("coopgraphYasgui.getTab().getYasqe().getValue()").startswith("PREFIX cg: <")
    assert browser.evaluate("coopgraphYasgui.getTab().getEndpoint()") == server.url + "/sparql"

    # As a user would: click into the editor, select all, type.
    browser.click(".yasgui .CodeMirror-lines")
    browser.key("a", "KeyA", 65, modifiers=2)  # Ctrl+A
    browser.type(TYPED_QUERY)
    typed = browser.evaluate("coopgraphYasgui.getTab().getYasqe().getValue()")
    assert typed == TYPED_QUERY
    browser.key("Escape", "Escape", 27)  # close any completion list
    browser.click(".yasgui .yasqe_queryButton")

    browser.wait_for(f"{ROWS}.length > 0", timeout=30)
    rows = browser.evaluate(
        f"{ROWS}.map(tr => [...tr.querySelectorAll('td')].map(td => td.innerText.trim()))"
    )
    shown = [" ".join(cells) for cells in rows]
    assert len(shown) == len(expected)
    for name, row in zip(expected, shown, strict=True):
        assert name in row, (name, row)

    screenshot = tmp_path / "query-page.png"
    screenshot.write_bytes(base64.b64decode(browser.send("Page.captureScreenshot", format="png")["data"]))
    print(f"screenshot: {screenshot}")

    sent = _assert_stayed_home(browser, server)
    queries = [(m, u) for m, u in sent if urlsplit(u).path == "/sparql"]
    assert queries and all(m == "POST" for m, _ in queries), queries


@needs_chromium
def test_sparql_opened_by_a_browser_is_the_query_page(server: Server, browser: DevTools) -> None:
    _open_page(browser, server.url + "/sparql")
    assert browser.evaluate("document.title").startswith("coopgraph")
    assert browser.evaluate("coopgraphYasgui.getTab().getEndpoint()") == server.url + "/sparql"
    _assert_stayed_home(browser, server)


def _serve_saved_queries(browser: DevTools, status: int, body: bytes) -> list[str]:
    """Answer the page's GET /queries?format=json in the browser, whatever the server does."""
    seen: list[str] = []

    def paused(params: dict[str, Any]) -> None:
        seen.append(params["request"]["url"])
        browser.send(
            "Fetch.fulfillRequest",
            requestId=params["requestId"],
            responseCode=status,
            responseHeaders=[{"name": "Content-Type", "value": "application/json"}],
            body=base64.b64encode(body).decode(),
        )

    browser.handlers["Fetch.requestPaused"] = paused
    browser.send(
        "Fetch.enable", patterns=[{"urlPattern": "*/queries?format=json*", "requestStage": "Request"}]
    )
    return seen


@needs_chromium
def test_saved_queries_are_offered_and_open_in_a_new_tab(server: Server, browser: DevTools) -> None:
    saved = {
        "queries": [
            {
                "name": "institution-names",
                "title": "Institution names",
                "description": "The higher education institutions, by name.",
                "query": TYPED_QUERY,
                "parameters": [],
            },
            {
                "name": "partners-of",
                "title": "Partners of a university",
                "description": "Who signed with it.",
                "query": "SELECT ?partner WHERE { ?a <https://w3id.org/coopgraph/ontology#party> ?partner }",
                "parameters": [{"name": "university"}],
            },
        ]
    }
    seen = _serve_saved_queries(browser, 200, json.dumps(saved).encode())
    _open_page(browser, server.url + "/query")
    browser.wait_for("document.querySelectorAll('#cg-examples button').length === 2")
    assert seen and urlsplit(seen[0]).path == "/queries"
    assert browser.evaluate("document.getElementById('cg-examples').hidden") is False
    assert browser.evaluate(
        "[...document.querySelectorAll('#cg-examples button')].map(b => b.textContent)"
    ) == [
        "Institution names",
        "Partners of a university",
    ]
    tabs_before = browser.evaluate("Object.keys(coopgraphYasgui._tabs).length")

    browser.click("#cg-examples button[data-name='institution-names']")
    browser.wait_for(f"Object.keys(coopgraphYasgui._tabs).length === {tabs_before + 1}")
    assert browser.evaluate("coopgraphYasgui.getTab().getName()") == "Institution names"
    assert browser.evaluate("coopgraphYasgui.getTab().getYasqe().getValue()") == TYPED_QUERY
    assert browser.evaluate("coopgraphYasgui.getTab().getEndpoint()") == server.url + "/sparql"

    # The opened example runs like any query.
    browser.click(".yasgui .yasqe_queryButton")
    browser.wait_for(f"{ROWS}.length > 0", timeout=30)
    shown = browser.evaluate(f"{ROWS}.map(tr => tr.innerText)")
    assert len(shown) == len(_names(server, TYPED_QUERY))
    _assert_stayed_home(browser, server)


@pytest.mark.parametrize("status, body", [(404, b'{"detail": "Not Found"}'), (500, b"oops"), (200, b"[1, 2")])
@needs_chromium
def test_no_saved_queries_means_no_examples_and_no_error(
    server: Server, browser: DevTools, status: int, body: bytes
) -> None:
    seen = _serve_saved_queries(browser, status, body)
    _open_page(browser, server.url + "/query")
    browser.wait_for("document.readyState === 'complete'")
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        browser.evaluate("1")
    assert seen, "the page did not ask for the saved queries"
    time.sleep(0.3)
    browser.evaluate("1")
    assert browser.evaluate("document.getElementById('cg-examples').hidden") is True
    assert browser.evaluate("document.querySelectorAll('#cg-examples button').length") == 0
    assert browser.evaluate("document.body.innerText.toLowerCase().includes('error')") is False
    _assert_stayed_home(browser, server)


# --- the saved queries as examples, their defaults bound -----------------------------------------------

MONTH = "what-happened-in-month"  # its default month (2025-04) leaves out most of what the data holds


def _month_rows(server: Server, query: str | None = None) -> list[dict[str, Any]]:
    accept = {"Accept": "application/sparql-results+json"}
    if query is None:
        response = requests.get(f"{server.url}/queries/{MONTH}", headers=accept, timeout=30)
    else:
        response = requests.post(server.url + "/sparql", data={"query": query}, headers=accept, timeout=30)
    response.raise_for_status()
    return response.json()["results"]["bindings"]


def test_the_page_offers_the_saved_queries_with_their_defaults_bound(server: Server) -> None:
    page = requests.get(server.url + "/query", timeout=10).text
    script = page.split('<script id="cg-config" type="application/json">', 1)[1].split("</script>", 1)[0]
    config = json.loads(script)
    assert config["queries"] == "/queries?format=json&bind=defaults"
    listed = requests.get(server.url + config["queries"], timeout=10).json()["queries"]
    example = next(q for q in listed if q["name"] == MONTH)
    gyearmonth = "http://www.w3.org/2001/XMLSchema#gYearMonth"
    assert f'VALUES (?month ?lang) {{ ("2025-04"^^<{gyearmonth}> "en") }}' in example["query"]
    # bound, the example answers what the saved query's route answers; unbound, every month
    plain = requests.get(f"{server.url}/queries/{MONTH}.rq", timeout=10).text
    assert (
        len(_month_rows(server, example["query"]))
        == len(_month_rows(server))
        < len(_month_rows(server, plain))
    )


@needs_chromium
def test_a_saved_query_opens_with_its_defaults_and_answers_as_its_route(
    server: Server, browser: DevTools
) -> None:
    expected = _month_rows(server)
    assert expected and all(row["date"]["value"].startswith("2025-04") for row in expected)

    _open_page(browser, server.url + "/query")
    button = f"#cg-examples button[data-name='{MONTH}']"
    browser.wait_for(f"!!document.querySelector({json.dumps(button)})")
    browser.click(button)
    browser.wait_for("coopgraphYasgui.getTab().getYasqe().getValue().includes('VALUES (?month ?lang)')")
    browser.click(".yasgui .yasqe_queryButton")
    browser.wait_for(f"{ROWS}.length > 0", timeout=30)
    shown = browser.evaluate(f"{ROWS}.map(tr => tr.innerText)")
    assert len(shown) == len(expected), shown
    assert all("2025-04" in row for row in shown), shown
    _assert_stayed_home(browser, server)

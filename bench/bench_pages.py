"""The query page's weight and its time to first result, in headless Chromium, with the result views and
the query builder against a table-only page.

A ``coopgraph serve`` on a fresh store (the bundled data); for each run a fresh Chromium (own profile, cache
off, no network but the loopback) opens ``/query``, and once the page has loaded runs a query from the page
itself and stops the clock when the answer shows. Modes, alternating run by run:

- **table only**: the page without the views and the builder (their scripts, styles and the builder's
  schema are blocked, ``Network.setBlockedURLs``): the page as it was before them, YASGUI's table alone;
- **views, table shown**: the page as served, the answer shown in the table;
- **views, bar chart**: the page as served, the answer drawn as a bar chart (``#defaultView:BarChart``):
  the clock stops when the bars are drawn.

Weight: every response the page received up to the first result (bytes on the wire, headers included,
and bodies decoded), by resource type. Time: ``performance.now()`` from the navigation's start to the
page's ``load`` event, and to the first result.

    python bench/bench_pages.py [--repeat 5]

Prints a Markdown table; writes nothing to the repository.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests
from bench_overload import free_port, start
from websockets.sync.client import ClientConnection, connect

#: Counts organisations per country: a small answer, so the page's own cost shows.
QUERY = (
    "PREFIX cg: <https://w3id.org/coopgraph/ontology#>\n"
    "SELECT ?country (COUNT(?org) AS ?organisations) WHERE { ?org cg:country ?country } GROUP BY ?country"
)
#: What the page loads for the views and the builder, refused in the table-only mode.
VIEW_ASSETS = [
    "*/static/vendor/vega/*",
    "*/static/vendor/vega-lite/*",
    "*/static/vendor/vega-embed/*",
    "*/static/vendor/cytoscape/*",
    "*/static/vendor/world-atlas/*",
    "*/static/ui/views.js",
    "*/static/ui/views.css",
    "*/static/ui/builder.js",
    "*/static/ui/builder.css",
    "*/query/schema*",
]
#: In the page, at load: run the query, and note when its answer shows (table rows, or the chart's bars).
PROBE = """
window.addEventListener("load", () => {
  window.__loaded = performance.now();
  const done = () => !!document.querySelector(window.__wait);
  const watch = new MutationObserver(() => {
    if (done()) { window.__first = performance.now(); watch.disconnect(); }
  });
  watch.observe(document.body, { childList: true, subtree: true, attributes: true });
  const tab = window.coopgraphYasgui.getTab();
  tab.setQuery(window.__query);
  tab.query();
});
"""
WAIT = {
    "table": ".yasr table.dataTable tbody tr",
    "bar": ".yasr .cg-view svg .mark-rect path",
}
MODES = {
    # name: (blocked URLs, what the answer is shown as)
    "table only": (VIEW_ASSETS, "table"),
    "views, table shown": ([], "table"),
    "views, bar chart": ([], "bar"),
}


class Page:
    """One page of a fresh headless Chromium, over the DevTools protocol; responses recorded."""

    def __init__(self, chromium: str, profile: Path) -> None:
        self.closing = contextlib.ExitStack()
        self.process = subprocess.Popen(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                f"--user-data-dir={profile}",
                "--no-proxy-server",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--window-size=1280,1000",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("chromium did not start")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        targets = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        target = next(t for t in targets if t["type"] == "page")
        self.ws: ClientConnection = self.closing.enter_context(
            connect(target["webSocketDebuggerUrl"], max_size=None, proxy=None)
        )
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str) -> Any:
        return self.send("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def close(self) -> None:
        self.closing.close()
        self.process.terminate()
        self.process.wait(timeout=10)


def weight(events: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Bytes received per resource type: on the wire (headers included) and decoded bodies."""
    kinds: dict[str, str] = {}
    wire: dict[str, int] = {}
    body: dict[str, int] = defaultdict(int)
    for event in events:
        params = event.get("params", {})
        if event["method"] == "Network.responseReceived":
            kinds[params["requestId"]] = params.get("type", "Other")
        elif event["method"] == "Network.dataReceived":
            body[params["requestId"]] += params["dataLength"]
        elif event["method"] == "Network.loadingFinished":
            wire[params["requestId"]] = int(params["encodedDataLength"])
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"wire": 0, "body": 0, "requests": 0})
    for request, size in wire.items():
        kind = kinds.get(request, "Other")
        for key in (kind, "all"):
            totals[key]["wire"] += size
            totals[key]["body"] += body[request]
            totals[key]["requests"] += 1
    return dict(totals)


def run(chromium: str, url: str, mode: str) -> dict[str, Any]:
    blocked, shown = MODES[mode]
    # (Chromium's helpers may still be writing to the profile as it is removed)
    with tempfile.TemporaryDirectory(prefix="bench-pages-", ignore_cleanup_errors=True) as profile:
        page = Page(chromium, Path(profile))
        try:
            page.send("Network.enable")
            page.send("Page.enable")
            page.send("Network.setCacheDisabled", cacheDisabled=True)
            if blocked:
                page.send("Network.setBlockedURLs", urls=blocked)
            query = ("#defaultView:BarChart\n" if shown == "bar" else "") + QUERY
            page.send(
                "Page.addScriptToEvaluateOnNewDocument",
                source=f"window.__query = {json.dumps(query)}; window.__wait = {json.dumps(WAIT[shown])};"
                + PROBE,
            )
            page.send("Page.navigate", url=url)
            deadline = time.monotonic() + 120
            while not page.evaluate("window.__first"):
                if time.monotonic() > deadline:
                    raise SystemExit(f"{mode}: no result after 120 s")
                time.sleep(0.05)
            loaded, first = page.evaluate("[window.__loaded, window.__first]")
            drawn_views = page.evaluate("!!window.CoopgraphViews")
            time.sleep(0.2)  # the last responses' loadingFinished events
            page.evaluate("1")
            return {"loaded": loaded, "first": first, "weight": weight(page.events), "views": drawn_views}
        finally:
            page.close()


def kb(n: float) -> str:
    return f"{n / 1024:,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium is not installed (make system-deps)")
    with tempfile.TemporaryDirectory(prefix="bench-pages-store-") as folder:
        port = free_port()
        server = start(Path(folder) / "store", port, {"workers": 2})
        try:
            url = f"http://127.0.0.1:{port}/query"
            results: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for _ in range(args.repeat):
                for mode in MODES:
                    results[mode].append(run(chromium, url, mode))
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"median of {args.repeat} runs, cold cache\n")
    print(
        "| mode | requests | on the wire, KB | decoded, KB | of which scripts, KB | load, ms "
        "| first result, ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for mode, runs in results.items():
        total = [r["weight"]["all"] for r in runs]
        scripts = [r["weight"].get("Script", {"body": 0})["body"] for r in runs]
        print(
            f"| {mode} | {statistics.median(t['requests'] for t in total):.0f} "
            f"| {kb(statistics.median(t['wire'] for t in total))} "
            f"| {kb(statistics.median(t['body'] for t in total))} "
            f"| {kb(statistics.median(scripts))} "
            f"| {statistics.median(r['loaded'] for r in runs):,.0f} "
            f"| {statistics.median(r['first'] for r in runs):,.0f} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
